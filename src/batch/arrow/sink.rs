//! CSV text read into typed Arrow columns: what `avenant population --out
//! x.parquet` writes its drawn rows through, and the typed builders that
//! the outcomes of a run are appended to ([`super::OutcomeColumns`]).
//! Never evaluates; a value its column cannot hold exactly is refused, never rounded.

use std::io::Write;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use rust_decimal::Decimal;

use super::columns::{Cell, Columns, Kind, Refused};
use super::{BATCH_ROWS, arrow_io, inexact};
use crate::batch::RowError;

/// A `Write` that reads the CSV written to it into typed Arrow batches of
/// `schema`, handed to `emit` every [`BATCH_ROWS`] rows and at
/// [`ArrowSink::finish`]. Its first record is the header, which must name
/// the schema's columns. A row with a cell its column cannot hold exactly is
/// set aside as a [`RowError`] ([`super::INEXACT`]), never rounded.
pub struct ArrowSink<'e> {
    schema: SchemaRef,
    reader: csv_core::Reader,
    record: Vec<u8>,
    record_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    header_seen: bool,
    columns: Columns,
    emit: &'e mut (dyn FnMut(RecordBatch) -> std::io::Result<()> + Send),
    rejected: Vec<RowError>,
}

impl<'e> ArrowSink<'e> {
    /// A sink for `schema`, whose columns are booleans, `Decimal128`,
    /// `Date32`, `Utf8`, `UInt64` or `Int64`; any other type is read as text.
    pub fn new(schema: SchemaRef, emit: &'e mut (dyn FnMut(RecordBatch) -> std::io::Result<()> + Send)) -> Self {
        ArrowSink {
            columns: Columns::new(SchemaRef::clone(&schema)),
            schema,
            reader: csv_core::Reader::new(),
            record: vec![0; 4096],
            record_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            header_seen: false,
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
        // Cells are contiguous in their record: if it is text, each of them is.
        let record = std::str::from_utf8(record).map_err(|_| invalid("a cell is not UTF-8".to_owned()))?;
        let refused = {
            let mut cells = self.columns.row();
            let mut refused = None;
            for (index, field) in self.schema.fields().iter().enumerate() {
                let start = if index == 0 { 0 } else { ends.get(index - 1).copied().unwrap_or(0) };
                let end = ends.get(index).copied().unwrap_or(start);
                let text = record.get(start..end).ok_or_else(|| invalid("a cell is not UTF-8".to_owned()))?;
                let pushed = parse(cells.kind(), text).and_then(|cell| {
                    cells.push(cell).map_err(|(_, refused)| match refused {
                        Refused::Inexact(message) => message,
                        Refused::Kind => format!("`{text}` is not a value of its column"),
                    })
                });
                if let Err(message) = pushed {
                    refused = Some((field.name().clone(), message));
                    break;
                }
            }
            match refused {
                Some(refused) => refused,
                None => {
                    cells.keep().map_err(|_| invalid("a CSV record does not fill every column".to_owned()))?;
                    if self.columns.len() >= BATCH_ROWS {
                        self.emit_batch()?;
                    }
                    return Ok(());
                }
            }
        };
        let (field, message) = refused;
        let row = record.get(..ends.first().copied().unwrap_or(0)).and_then(|row| row.parse().ok()).unwrap_or(0);
        self.rejected.push(inexact(row, row + 1, Some(field), message, "output"));
        Ok(())
    }

    fn emit_batch(&mut self) -> std::io::Result<()> {
        if self.columns.len() == 0 {
            return Ok(());
        }
        let batch = self.columns.finish().map_err(arrow_io)?;
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

/// A CSV cell's text as a value of a column of `kind`: empty is a null.
fn parse(kind: Kind, text: &str) -> Result<Cell<'_>, String> {
    if text.is_empty() {
        return Ok(Cell::Null);
    }
    let unreadable = |what: &str| format!("`{text}` is not {what}");
    Ok(match kind {
        Kind::Bool => match text {
            "true" => Cell::Bool(true),
            "false" => Cell::Bool(false),
            _ => return Err(unreadable("a boolean")),
        },
        Kind::Decimal => Cell::Decimal(decimal(text)?),
        Kind::Date => Cell::Date(text.parse().map_err(|_| unreadable("a date"))?),
        Kind::Unsigned => Cell::Unsigned(text.parse().map_err(|_| unreadable("a whole number"))?),
        Kind::Integer => Cell::Integer(text.parse().map_err(|_| unreadable("a whole number"))?),
        Kind::Text => Cell::Text(text),
    })
}

/// A decimal's text, `12.5`, or `85 %` for a share (0.85).
fn decimal(text: &str) -> Result<Decimal, String> {
    let (number, percent) = match text.strip_suffix('%') {
        Some(number) => (number.trim_end(), true),
        None => (text, false),
    };
    let mut value: Decimal = number.parse().map_err(|_| format!("`{text}` is not a number"))?;
    if percent {
        value.set_scale(value.scale() + 2).map_err(|_| format!("`{text}` has too many decimals"))?;
    }
    Ok(value)
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use arrow_array::Array as _;
    use arrow_array::cast::AsArray as _;
    use std::sync::Arc;

    use arrow_array::types::Decimal128Type;
    use arrow_schema::{DataType, Field, Schema};

    use super::super::INEXACT;
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
    fn a_share_reads_as_its_fraction() {
        assert_eq!(decimal("0.3"), Ok(Decimal::new(3, 1)));
        assert_eq!(decimal("52 %"), Ok(Decimal::new(52, 2)));
        assert_eq!(decimal("19000.00"), Ok(Decimal::new(1_900_000, 2)));
        assert!(decimal("x %").is_err());
    }
}
