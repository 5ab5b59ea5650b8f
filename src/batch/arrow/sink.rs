//! CSV text read into typed Arrow columns: what `avenant population --out
//! x.parquet` writes its drawn rows through, and the typed builders that
//! the outcomes of a run are appended to ([`super::OutcomeColumns`]).
//! Never evaluates; a value its column cannot hold exactly is refused, never rounded.

use std::io::Write;
use std::ops::Range;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, StringBuilder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use rust_decimal::Decimal;

use super::{BATCH_ROWS, INEXACT, arrow_io, days_from_civil};
use crate::batch::RowError;

/// A `Write` that reads the CSV written to it into typed Arrow batches of
/// `schema`, handed to `emit` every [`BATCH_ROWS`] rows and at
/// [`ArrowSink::finish`]. Its first record is the header, which must name
/// the schema's columns. A row with a cell its column cannot hold exactly is
/// set aside as a [`RowError`] ([`INEXACT`]), never rounded.
pub struct ArrowSink<'e> {
    schema: SchemaRef,
    reader: csv_core::Reader,
    record: Vec<u8>,
    record_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    header_seen: bool,
    builders: Vec<Builder>,
    cells: Vec<Cell>,
    rows: usize,
    emit: &'e mut (dyn FnMut(RecordBatch) -> std::io::Result<()> + Send),
    rejected: Vec<RowError>,
}

pub(super) enum Builder {
    Bool(BooleanBuilder),
    Decimal(Decimal128Builder, u32),
    Date(Date32Builder),
    Text(StringBuilder),
    Unsigned(UInt64Builder),
    Integer(Int64Builder),
}

/// A cell read, before its row is known to read whole.
pub(super) enum Cell {
    Null,
    Bool(bool),
    Decimal(i128),
    Date(i32),
    Text(Range<usize>),
    Unsigned(u64),
    Integer(i64),
}

impl<'e> ArrowSink<'e> {
    /// A sink for `schema`, whose columns are booleans, `Decimal128`,
    /// `Date32`, `Utf8`, `UInt64` or `Int64`; any other type is read as text.
    pub fn new(schema: SchemaRef, emit: &'e mut (dyn FnMut(RecordBatch) -> std::io::Result<()> + Send)) -> Self {
        let builders = schema.fields().iter().map(|field| Builder::new(field.data_type())).collect();
        ArrowSink {
            schema,
            reader: csv_core::Reader::new(),
            record: vec![0; 4096],
            record_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            header_seen: false,
            builders,
            cells: Vec::new(),
            rows: 0,
            emit,
            rejected: Vec::new(),
        }
    }

    /// Reads the end of the CSV, hands over the last batch, and gives the rows set aside.
    pub fn finish(mut self) -> std::io::Result<Vec<RowError>> {
        self.feed(&[])?;
        self.emit_batch()?;
        Ok(self.rejected)
    }

    fn feed(&mut self, mut input: &[u8]) -> std::io::Result<()> {
        use csv_core::ReadRecordResult;
        loop {
            let (result, read, written, ended) = self.reader.read_record(
                input,
                self.record.get_mut(self.record_len..).unwrap_or_default(),
                self.ends.get_mut(self.ends_len..).unwrap_or_default(),
            );
            input = input.get(read..).unwrap_or_default();
            self.record_len += written;
            self.ends_len += ended;
            match result {
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return Ok(()),
                ReadRecordResult::OutputFull => self.record.resize(self.record.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    self.take_record()?;
                    self.record_len = 0;
                    self.ends_len = 0;
                }
            }
        }
    }

    fn take_record(&mut self) -> std::io::Result<()> {
        let record = self.record.get(..self.record_len).unwrap_or_default();
        let ends = self.ends.get(..self.ends_len).unwrap_or_default();
        let cell = |index: usize| -> &[u8] {
            let start = if index == 0 { 0 } else { ends.get(index - 1).copied().unwrap_or(0) };
            record.get(start..ends.get(index).copied().unwrap_or(start)).unwrap_or_default()
        };
        if ends.len() != self.schema.fields().len() {
            return Err(invalid(format!(
                "a CSV record of {} cells where {} columns were expected",
                ends.len(),
                self.schema.fields().len()
            )));
        }
        if !self.header_seen {
            self.header_seen = true;
            for (index, field) in self.schema.fields().iter().enumerate() {
                if cell(index) != field.name().as_bytes() {
                    return Err(invalid(format!(
                        "column {} is `{}` where `{}` was expected",
                        index + 1,
                        String::from_utf8_lossy(cell(index)),
                        field.name()
                    )));
                }
            }
            return Ok(());
        }
        self.cells.clear();
        // Cells are contiguous in their record: if it is text, each of them is.
        let record = std::str::from_utf8(record).map_err(|_| invalid("a cell is not UTF-8".to_owned()))?;
        for (index, builder) in self.builders.iter().enumerate() {
            let start = if index == 0 { 0 } else { ends.get(index - 1).copied().unwrap_or(0) };
            let end = ends.get(index).copied().unwrap_or(start);
            let text = record.get(start..end).ok_or_else(|| invalid("a cell is not UTF-8".to_owned()))?;
            match builder.parse(text, start) {
                Ok(value) => self.cells.push(value),
                Err(message) => {
                    let row =
                        record.get(..ends.first().copied().unwrap_or(0)).and_then(|row| row.parse().ok()).unwrap_or(0);
                    self.rejected.push(RowError {
                        row,
                        line: row + 1,
                        field: Some(self.schema.field(index).name().clone()),
                        code: INEXACT,
                        message,
                        help: Some("the value is exact in the CSV output (`--out x.csv`)".to_owned()),
                    });
                    return Ok(());
                }
            }
        }
        for (builder, value) in self.builders.iter_mut().zip(self.cells.drain(..)) {
            builder.append(value, record);
        }
        self.rows += 1;
        if self.rows >= BATCH_ROWS {
            self.emit_batch()?;
        }
        Ok(())
    }

    fn emit_batch(&mut self) -> std::io::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        self.rows = 0;
        let columns = self.builders.iter_mut().map(Builder::finish).collect();
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), columns).map_err(arrow_io)?;
        (self.emit)(batch)
    }
}

impl Write for ArrowSink<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.feed(bytes)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Builder {
    pub(super) fn new(ty: &DataType) -> Builder {
        match ty {
            DataType::Boolean => Builder::Bool(BooleanBuilder::new()),
            DataType::Decimal128(precision, scale) => Builder::Decimal(
                Decimal128Builder::new().with_data_type(DataType::Decimal128(*precision, *scale)),
                u32::from(scale.unsigned_abs()),
            ),
            DataType::Date32 => Builder::Date(Date32Builder::new()),
            DataType::UInt64 => Builder::Unsigned(UInt64Builder::new()),
            DataType::Int64 => Builder::Integer(Int64Builder::new()),
            _ => Builder::Text(StringBuilder::new()),
        }
    }

    /// A decimal column's scale.
    pub(super) fn scale(&self) -> Option<u32> {
        match self {
            Builder::Decimal(_, scale) => Some(*scale),
            Builder::Bool(_) | Builder::Date(_) | Builder::Text(_) | Builder::Unsigned(_) | Builder::Integer(_) => None,
        }
    }

    /// The cell `text`, at `start` in its record, as this column's value.
    fn parse(&self, text: &str, start: usize) -> Result<Cell, String> {
        if text.is_empty() {
            return Ok(Cell::Null);
        }
        let unreadable = |what: &str| format!("`{text}` is not {what}");
        Ok(match self {
            Builder::Bool(_) => match text {
                "true" => Cell::Bool(true),
                "false" => Cell::Bool(false),
                _ => return Err(unreadable("a boolean")),
            },
            Builder::Decimal(_, scale) => Cell::Decimal(scaled(text, *scale)?),
            Builder::Date(_) => {
                let date: jiff::civil::Date = text.parse().map_err(|_| unreadable("a date"))?;
                let days = days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day()));
                Cell::Date(i32::try_from(days).map_err(|_| unreadable("a date"))?)
            }
            Builder::Unsigned(_) => Cell::Unsigned(text.parse().map_err(|_| unreadable("a whole number"))?),
            Builder::Integer(_) => Cell::Integer(text.parse().map_err(|_| unreadable("a whole number"))?),
            Builder::Text(_) => Cell::Text(start..start + text.len()),
        })
    }

    pub(super) fn append(&mut self, cell: Cell, record: &str) {
        match (self, cell) {
            (Builder::Bool(builder), Cell::Bool(value)) => builder.append_value(value),
            (Builder::Decimal(builder, _), Cell::Decimal(value)) => builder.append_value(value),
            (Builder::Date(builder), Cell::Date(value)) => builder.append_value(value),
            (Builder::Unsigned(builder), Cell::Unsigned(value)) => builder.append_value(value),
            (Builder::Integer(builder), Cell::Integer(value)) => builder.append_value(value),
            (Builder::Text(builder), Cell::Text(range)) => builder.append_value(record.get(range).unwrap_or_default()),
            (Builder::Bool(builder), _) => builder.append_null(),
            (Builder::Decimal(builder, _), _) => builder.append_null(),
            (Builder::Date(builder), _) => builder.append_null(),
            (Builder::Unsigned(builder), _) => builder.append_null(),
            (Builder::Integer(builder), _) => builder.append_null(),
            (Builder::Text(builder), _) => builder.append_null(),
        }
    }

    pub(super) fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Bool(builder) => Arc::new(builder.finish()),
            Builder::Decimal(builder, _) => Arc::new(builder.finish()),
            Builder::Date(builder) => Arc::new(builder.finish()),
            Builder::Unsigned(builder) => Arc::new(builder.finish()),
            Builder::Integer(builder) => Arc::new(builder.finish()),
            Builder::Text(builder) => Arc::new(builder.finish()),
        }
    }
}

/// A decimal's text (`12.5`, or `85 %` for a share) as a mantissa at
/// `scale`, exactly: a value with more decimals, or more than 38 digits, is refused.
fn scaled(text: &str, scale: u32) -> Result<i128, String> {
    let (number, percent) = match text.strip_suffix('%') {
        Some(number) => (number.trim_end(), true),
        None => (text, false),
    };
    let mut value: Decimal = number.parse().map_err(|_| format!("`{text}` is not a number"))?;
    if percent {
        value.set_scale(value.scale() + 2).map_err(|_| format!("`{text}` has too many decimals"))?;
    }
    mantissa_at(value, scale)
}

/// A decimal as a mantissa at `scale`, exactly: a value with more decimals,
/// or more than 38 digits, is refused.
pub(super) fn mantissa_at(value: Decimal, scale: u32) -> Result<i128, String> {
    let value = value.normalize();
    if value.scale() > scale {
        return Err(format!("{value} has {} decimals, more than the {scale} its column holds", value.scale()));
    }
    let mantissa = 10i128
        .checked_pow(scale - value.scale())
        .and_then(|factor| value.mantissa().checked_mul(factor))
        .filter(|mantissa| mantissa.unsigned_abs() < 10u128.pow(38))
        .ok_or_else(|| format!("{value} has more than the 38 digits its column holds"))?;
    Ok(mantissa)
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use arrow_array::Array as _;
    use arrow_array::cast::AsArray as _;
    use arrow_array::types::Decimal128Type;
    use arrow_schema::{Field, Schema};

    use super::*;

    #[test]
    fn the_sink_reads_csv_back_into_typed_columns_across_writes() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("row", DataType::UInt64, false),
            Field::new("amount", DataType::Decimal128(38, 2), true),
            Field::new("text", DataType::Utf8, true),
        ]));
        let mut batches = Vec::new();
        let mut emit = |batch: RecordBatch| {
            batches.push(batch);
            Ok(())
        };
        let mut sink = ArrowSink::new(Arc::clone(&schema), &mut emit);
        // Cut anywhere, even inside a quoted cell: the records are the same.
        for piece in ["row,amount,text\n1,12.5,\"a", "\nb\"\n2,,x\n3,0.125,y\n"] {
            sink.write_all(piece.as_bytes()).unwrap();
        }
        let refused = sink.finish().unwrap();
        assert_eq!(refused.len(), 1, "0.125 does not fit two decimals: refused, not rounded");
        assert_eq!((refused[0].row, refused[0].code), (3, INEXACT));
        let batch = &batches[0];
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch.column(1).as_primitive::<Decimal128Type>().value(0), 1250);
        assert!(batch.column(1).is_null(1));
        assert_eq!(batch.column(2).as_string::<i32>().value(0), "a\nb");
    }

    #[test]
    fn decimals_keep_their_digits_or_are_refused() {
        assert_eq!(scaled("0.3", 2), Ok(30));
        assert_eq!(scaled("52 %", 28), Ok(52 * 10i128.pow(26)));
        assert_eq!(scaled("19000.00", 2), Ok(1_900_000));
        assert!(scaled("0.125", 2).is_err(), "a third decimal is not rounded away");
        assert_eq!(mantissa_at(Decimal::new(10_000, 4), 2), Ok(100), "1.0000 has no decimal but zeros");
        assert!(mantissa_at(Decimal::new(125, 3), 2).is_err(), "0.125 is not rounded to two decimals");
    }
}
