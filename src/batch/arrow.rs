//! Populations as Arrow columns: a table of profiles in, typed outcomes out.
//!
//! The population engine ([`super::run`]) stays the one place that reads,
//! validates and evaluates rows: Arrow batches are written to it as the CSV
//! cells a user would write (exact: a decimal by its digits, a date by its
//! day), and the CSV outcomes it writes are read back into typed columns
//! ([`outcome_schema`]): booleans, `Decimal128` for every number (never a
//! float), `Date32`, text. So a Parquet file, a pandas frame and a CSV file
//! give the same outcomes, value for value, with the same rejected rows.
//!
//! Both ways are streamed: a batch in is turned into text while the engine
//! evaluates the one before, and outcomes leave in batches of
//! [`BATCH_ROWS`], so memory stays bounded by a few batches.

use std::io::{Read, Write};
use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, StringBuilder, UInt64Builder,
};
use arrow_array::cast::AsArray as _;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use rust_decimal::Decimal;

use super::{BatchError, Format, Options, RowError, Summary};
use crate::check::types::Type;
use crate::eval::compiled::CompiledPolicy;
use crate::output::csv::field as csv_field;

/// Rows per batch of outcomes handed over.
pub const BATCH_ROWS: usize = 8192;

/// The code of a row whose outcome has a number its column cannot hold exactly.
pub const INEXACT: &str = crate::code::Code::Inexact.name();

/// The outcome columns, as [`crate::output::csv`] names them: `row` (from 1,
/// as in the CSV), `name`, each output value by its dotted path, then
/// `certainty.<output>`. Numbers are `Decimal128(38, s)`: `s` is 2 for
/// euros, 0 for a whole count of patients, 28 for rates, ratios and shares
/// of a count (rust_decimal's finest); a value finer than its column is a
/// rejected row ([`INEXACT`]), never rounded.
pub fn outcome_schema(compiled: &CompiledPolicy<'_>) -> SchemaRef {
    let mut fields = vec![Field::new("row", DataType::UInt64, false), Field::new("name", DataType::Utf8, true)];
    for (path, ty) in compiled.leaf_paths().zip(compiled.leaf_types()) {
        fields.push(Field::new(path, arrow_type(ty), true));
    }
    for name in compiled.output_names() {
        fields.push(Field::new(format!("certainty.{name}"), DataType::Utf8, false));
    }
    Arc::new(Schema::new(fields))
}

/// The Arrow type of an output value of the checker's type `ty`.
fn arrow_type(ty: Type) -> DataType {
    match ty {
        Type::Bool => DataType::Boolean,
        Type::Euros => DataType::Decimal128(38, 2),
        Type::Patients { whole: true } => DataType::Decimal128(38, 0),
        Type::Patients { whole: false } | Type::Rate | Type::Number => DataType::Decimal128(38, 28),
        Type::Date => DataType::Date32,
        Type::Text | Type::Enum(_) | Type::Row(_) | Type::Failures => DataType::Utf8,
    }
}

/// Evaluates a population given as Arrow batches (all of `schema`) with the
/// population engine; `emit` receives the outcomes in input order, in
/// batches of [`outcome_schema`], and `rejected` every row not evaluated.
/// Rows in = rows out + rows rejected.
pub fn run(
    compiled: &CompiledPolicy<'_>,
    schema: &Schema,
    batches: impl Iterator<Item = Result<RecordBatch, String>> + Send,
    options: &Options,
    emit: &mut (dyn FnMut(RecordBatch) -> std::io::Result<()> + Send),
    rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send),
) -> Result<Summary, BatchError> {
    let options = Options { output: Format::Csv, ..options.clone() };
    let mut sink = ArrowSink::new(outcome_schema(compiled), emit);
    let summary = run_into(compiled, schema, batches, &mut sink, &options, rejected, &mut |_| {})?;
    sink.finish_run(summary, rejected)
}

/// Evaluates a population given as Arrow batches (all of `schema`), as
/// [`super::run`] does one read from a file: the outcomes are written to
/// `output` in `options.output`'s format.
pub fn run_into(
    compiled: &CompiledPolicy<'_>,
    schema: &Schema,
    batches: impl Iterator<Item = Result<RecordBatch, String>> + Send,
    output: &mut (dyn Write + Send),
    options: &Options,
    rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send),
    progress: &mut dyn FnMut(super::Progress),
) -> Result<Summary, BatchError> {
    let options = Options { input: Format::Csv, ..options.clone() };
    let header = csv_header(schema);
    std::thread::scope(|scope| {
        // Two batches of text in flight at most: the one read, the one being written.
        let (sender, receiver) = mpsc::sync_channel::<Result<Vec<u8>, String>>(2);
        scope.spawn(move || {
            if sender.send(Ok(header)).is_err() {
                return;
            }
            for batch in batches {
                let text = batch.and_then(|batch| {
                    let mut text = Vec::new();
                    write_csv(&batch, &mut text).map(|()| text)
                });
                let failed = text.is_err();
                // The engine has stopped reading: nothing more to give it.
                if sender.send(text).is_err() || failed {
                    return;
                }
            }
        });
        let input = ChannelReader { receiver, current: Vec::new(), at: 0 };
        super::run(compiled, input, output, &options, rejected, progress)
    })
}

/// Text received batch by batch, read as one stream; an error sent ends it.
struct ChannelReader {
    receiver: mpsc::Receiver<Result<Vec<u8>, String>>,
    current: Vec<u8>,
    at: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.current.len() {
            match self.receiver.recv() {
                Ok(Ok(text)) => {
                    self.current = text;
                    self.at = 0;
                }
                Ok(Err(message)) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, message)),
                Err(mpsc::RecvError) => return Ok(0),
            }
        }
        let rest = self.current.get(self.at..).unwrap_or_default();
        let count = rest.len().min(buffer.len());
        if let (Some(to), Some(from)) = (buffer.get_mut(..count), rest.get(..count)) {
            to.copy_from_slice(from);
        }
        self.at += count;
        Ok(count)
    }
}

/// The CSV header of `schema`'s columns, ending with a newline.
pub fn csv_header(schema: &Schema) -> Vec<u8> {
    let mut header = Vec::new();
    for (index, field) in schema.fields().iter().enumerate() {
        if index > 0 {
            header.push(b',');
        }
        csv_field(&mut header, field.name());
    }
    header.push(b'\n');
    header
}

/// Writes a batch's rows as CSV cells, without a header: nulls as empty
/// cells, numbers by their exact digits, dates as `YYYY-MM-DD`.
pub fn write_csv(batch: &RecordBatch, out: &mut Vec<u8>) -> Result<(), String> {
    let schema = batch.schema();
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(array, field)| Column::of(array, field.name()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut cell = String::new();
    for row in 0..batch.num_rows() {
        for (index, column) in columns.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            cell.clear();
            column
                .cell(row, &mut cell)
                .map_err(|message| format!("column `{}`, row {}: {message}", schema.field(index).name(), row + 1))?;
            csv_field(out, &cell);
        }
        out.push(b'\n');
    }
    Ok(())
}

/// A column of profiles, by the kinds of Arrow arrays avenant reads.
enum Column<'a> {
    Text(&'a dyn Array, TextKind),
    Bool(&'a arrow_array::BooleanArray),
    Integer(&'a dyn Array, DataType),
    Float(&'a dyn Array, DataType),
    Decimal(&'a arrow_array::Decimal128Array, i8),
    Date(&'a dyn Array, DataType),
    Dictionary(&'a dyn arrow_array::AnyDictionaryArray, Vec<usize>, Box<Column<'a>>),
    Null,
}

#[derive(Clone, Copy)]
enum TextKind {
    Utf8,
    Large,
    View,
}

impl<'a> Column<'a> {
    fn of(array: &'a ArrayRef, name: &str) -> Result<Column<'a>, String> {
        Column::of_array(array.as_ref(), name)
    }

    fn of_array(array: &'a dyn Array, name: &str) -> Result<Column<'a>, String> {
        Ok(match array.data_type() {
            DataType::Utf8 => Column::Text(array, TextKind::Utf8),
            DataType::LargeUtf8 => Column::Text(array, TextKind::Large),
            DataType::Utf8View => Column::Text(array, TextKind::View),
            DataType::Boolean => Column::Bool(array.as_boolean()),
            ty @ (DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64) => Column::Integer(array, ty.clone()),
            ty @ (DataType::Float32 | DataType::Float64) => Column::Float(array, ty.clone()),
            DataType::Decimal128(_, scale) => Column::Decimal(array.as_primitive::<Decimal128Type>(), *scale),
            ty @ (DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _)) => Column::Date(array, ty.clone()),
            DataType::Dictionary(_, _) => match array.as_any_dictionary_opt() {
                Some(dictionary) => {
                    let values = Column::of(dictionary.values(), name)?;
                    Column::Dictionary(dictionary, dictionary.normalized_keys(), Box::new(values))
                }
                None => return Err(unreadable(name, array.data_type())),
            },
            DataType::Null => Column::Null,
            other => return Err(unreadable(name, other)),
        })
    }

    /// Cell `row` as the text a CSV file would hold; nothing for a null.
    fn cell(&self, row: usize, out: &mut String) -> Result<(), String> {
        use std::fmt::Write as _;
        if let Column::Dictionary(dictionary, keys, values) = self {
            if dictionary.is_null(row) {
                return Ok(());
            }
            return keys.get(row).map_or(Ok(()), |key| values.cell(*key, out));
        }
        let array: &dyn Array = match self {
            Column::Text(array, _) | Column::Integer(array, _) | Column::Float(array, _) | Column::Date(array, _) => {
                *array
            }
            Column::Bool(array) => *array,
            Column::Decimal(array, _) => *array,
            Column::Dictionary(..) | Column::Null => return Ok(()),
        };
        if array.is_null(row) {
            return Ok(());
        }
        let _ = match self {
            Column::Text(array, TextKind::Utf8) => write!(out, "{}", array.as_string::<i32>().value(row)),
            Column::Text(array, TextKind::Large) => write!(out, "{}", array.as_string::<i64>().value(row)),
            Column::Text(array, TextKind::View) => write!(out, "{}", array.as_string_view().value(row)),
            Column::Bool(array) => write!(out, "{}", array.value(row)),
            Column::Integer(array, ty) => match ty {
                DataType::Int8 => write!(out, "{}", array.as_primitive::<Int8Type>().value(row)),
                DataType::Int16 => write!(out, "{}", array.as_primitive::<Int16Type>().value(row)),
                DataType::Int32 => write!(out, "{}", array.as_primitive::<Int32Type>().value(row)),
                DataType::Int64 => write!(out, "{}", array.as_primitive::<Int64Type>().value(row)),
                DataType::UInt8 => write!(out, "{}", array.as_primitive::<UInt8Type>().value(row)),
                DataType::UInt16 => write!(out, "{}", array.as_primitive::<UInt16Type>().value(row)),
                DataType::UInt32 => write!(out, "{}", array.as_primitive::<UInt32Type>().value(row)),
                _ => write!(out, "{}", array.as_primitive::<UInt64Type>().value(row)),
            },
            Column::Float(array, ty) => {
                let value = match ty {
                    DataType::Float32 => f64::from(array.as_primitive::<Float32Type>().value(row)),
                    _ => array.as_primitive::<Float64Type>().value(row),
                };
                // pandas marks a missing number as NaN: an empty cell. Any
                // other float is given by the shortest digits that read back
                // as it, which is what the user typed.
                if value.is_nan() {
                    return Ok(());
                }
                if !value.is_finite() {
                    return Err(format!("{value} is not a number avenant can read"));
                }
                write!(out, "{value}")
            }
            Column::Decimal(array, scale) => {
                write_scaled(out, array.value(row), *scale);
                Ok(())
            }
            Column::Date(array, ty) => {
                let days = match ty {
                    DataType::Date32 => i64::from(array.as_primitive::<Date32Type>().value(row)),
                    DataType::Date64 => whole_days(array.as_primitive::<Date64Type>().value(row), 86_400_000)?,
                    DataType::Timestamp(unit, _) => {
                        let (value, per_day) = match unit {
                            TimeUnit::Second => (array.as_primitive::<TimestampSecondType>().value(row), 86_400),
                            TimeUnit::Millisecond => {
                                (array.as_primitive::<TimestampMillisecondType>().value(row), 86_400_000)
                            }
                            TimeUnit::Microsecond => {
                                (array.as_primitive::<TimestampMicrosecondType>().value(row), 86_400_000_000)
                            }
                            TimeUnit::Nanosecond => {
                                (array.as_primitive::<TimestampNanosecondType>().value(row), 86_400_000_000_000)
                            }
                        };
                        whole_days(value, per_day)?
                    }
                    _ => return Ok(()),
                };
                let (year, month, day) = civil_from_days(days);
                write!(out, "{year:04}-{month:02}-{day:02}")
            }
            Column::Dictionary(..) | Column::Null => Ok(()),
        };
        Ok(())
    }
}

fn unreadable(name: &str, ty: &DataType) -> String {
    format!(
        "column `{name}` holds {ty}, which avenant does not read: give it as text, integers, decimals, booleans or dates"
    )
}

/// A timestamp that is a whole day (a date read by pandas), as days since 1970-01-01.
fn whole_days(value: i64, per_day: i64) -> Result<i64, String> {
    if value.rem_euclid(per_day) != 0 {
        return Err("a timestamp with a time of day: a field takes a date".to_owned());
    }
    Ok(value.div_euclid(per_day))
}

/// `mantissa × 10^-scale` in its exact digits.
fn write_scaled(out: &mut String, mantissa: i128, scale: i8) {
    use std::fmt::Write as _;
    let digits = mantissa.unsigned_abs().to_string();
    if mantissa < 0 {
        out.push('-');
    }
    if scale <= 0 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', usize::from(scale.unsigned_abs())));
        return;
    }
    let scale = usize::from(scale.unsigned_abs());
    if digits.len() <= scale {
        let _ = write!(out, "0.{}{digits}", "0".repeat(scale - digits.len()));
    } else {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        let _ = write!(out, "{whole}.{fraction}");
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

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

enum Builder {
    Bool(BooleanBuilder),
    Decimal(Decimal128Builder, u32),
    Date(Date32Builder),
    Text(StringBuilder),
    Unsigned(UInt64Builder),
    Integer(Int64Builder),
}

/// A cell read, before its row is known to read whole.
enum Cell {
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

    /// [`ArrowSink::finish`] after a run whose outcomes were written here:
    /// the rows set aside are reported to `rejected` and counted as rejected.
    pub fn finish_run(
        self,
        summary: Summary,
        rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send),
    ) -> Result<Summary, BatchError> {
        let inexact = self.finish()?;
        for error in &inexact {
            rejected(error)?;
        }
        let dropped = inexact.len() as u64;
        Ok(Summary {
            rows_out: summary.rows_out.saturating_sub(dropped),
            rows_rejected: summary.rows_rejected + dropped,
            ..summary
        })
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
        for (index, builder) in self.builders.iter().enumerate() {
            let start = if index == 0 { 0 } else { ends.get(index - 1).copied().unwrap_or(0) };
            let text = std::str::from_utf8(cell(index)).map_err(|_| invalid("a cell is not UTF-8".to_owned()))?;
            match builder.parse(text, start) {
                Ok(value) => self.cells.push(value),
                Err(message) => {
                    let row = std::str::from_utf8(cell(0)).ok().and_then(|row| row.parse().ok()).unwrap_or(0);
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
    fn new(ty: &DataType) -> Builder {
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

    fn append(&mut self, cell: Cell, record: &[u8]) {
        match (self, cell) {
            (Builder::Bool(builder), Cell::Bool(value)) => builder.append_value(value),
            (Builder::Decimal(builder, _), Cell::Decimal(value)) => builder.append_value(value),
            (Builder::Date(builder), Cell::Date(value)) => builder.append_value(value),
            (Builder::Unsigned(builder), Cell::Unsigned(value)) => builder.append_value(value),
            (Builder::Integer(builder), Cell::Integer(value)) => builder.append_value(value),
            (Builder::Text(builder), Cell::Text(range)) => {
                builder.append_value(std::str::from_utf8(record.get(range).unwrap_or_default()).unwrap_or_default())
            }
            (Builder::Bool(builder), _) => builder.append_null(),
            (Builder::Decimal(builder, _), _) => builder.append_null(),
            (Builder::Date(builder), _) => builder.append_null(),
            (Builder::Unsigned(builder), _) => builder.append_null(),
            (Builder::Integer(builder), _) => builder.append_null(),
            (Builder::Text(builder), _) => builder.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
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

/// An Arrow or Parquet error as an I/O error, its message kept.
pub fn arrow_io(error: ArrowError) -> std::io::Error {
    match error {
        ArrowError::IoError(_, error) => error,
        other => std::io::Error::other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_the_civil_calendar() {
        for days in [-719_468, -1, 0, 1, 19_723, 20_000, 2_932_896] {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
    }

    #[test]
    fn arrow_cells_are_written_as_a_user_would_write_them() {
        use arrow_array::{
            BooleanArray, Date32Array, Decimal128Array, DictionaryArray, Float64Array, Int64Array, StringArray,
            TimestampNanosecondArray,
        };
        let dictionary: DictionaryArray<Int32Type> = vec![Some("zip"), None].into_iter().collect();
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("text", Arc::new(StringArray::from(vec![Some("a,b"), None]))),
            ("flag", Arc::new(BooleanArray::from(vec![Some(true), Some(false)]))),
            ("count", Arc::new(Int64Array::from(vec![Some(-3), Some(1_300)]))),
            ("float", Arc::new(Float64Array::from(vec![Some(0.1), Some(f64::NAN)]))),
            (
                "amount",
                Arc::new(
                    Decimal128Array::from(vec![Some(1_234_567), Some(-5)]).with_precision_and_scale(38, 3).unwrap(),
                ),
            ),
            ("day", Arc::new(Date32Array::from(vec![Some(19_782), None]))),
            ("stamp", Arc::new(TimestampNanosecondArray::from(vec![Some(19_782 * 86_400_000_000_000), None]))),
            ("zone", Arc::new(dictionary)),
        ];
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let mut out = Vec::new();
        write_csv(&batch, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a,b\",true,-3,0.1,1234.567,2024-02-29,2024-02-29,zip\n,false,1300,,-0.005,,,\n"
        );
        let noon = RecordBatch::try_from_iter([(
            "stamp",
            Arc::new(TimestampNanosecondArray::from(vec![86_400_000_000_000 / 2])) as ArrayRef,
        )])
        .unwrap();
        assert!(write_csv(&noon, &mut Vec::new()).unwrap_err().contains("time of day"));
    }

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
        let mut text = String::new();
        write_scaled(&mut text, -5, 3);
        assert_eq!(text, "-0.005");
        text.clear();
        write_scaled(&mut text, 1_900_000, 2);
        assert_eq!(text, "19000.00");
    }
}
