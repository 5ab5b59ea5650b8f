//! Populations as Arrow columns: a table of profiles in, typed outcomes out.
//!
//! The population engine ([`super::run`]) stays the one place that reads,
//! validates and evaluates rows: Arrow batches are one of its sources, cut
//! into chunks of rows by slicing (no copy), and each cell is read straight
//! into its field's value where that is exact, through its CSV text (the
//! one function that reads a CSV cell) where it is not ([`cells`]). The
//! outcomes are appended straight into the typed columns of
//! [`outcome_schema`] ([`outcomes`]): booleans, `Decimal128` for every
//! number (never a float), `Date32`, text. So a Parquet file, a pandas frame
//! and a CSV file give the same outcomes, value for value, with the same
//! rejected rows.
//!
//! Outcomes leave in one batch per chunk of the engine, in input order, so
//! memory stays bounded by the chunks in flight beside the input's batches.

mod cells;
mod columns;
mod outcomes;
mod rejects;
mod sink;

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

use super::rows::ColumnMap;
use super::source::{ArrowRows, Source};
use super::{BatchError, Options, Outcomes, Progress, RowError, Summary};
use crate::check::types::Type;
use crate::eval::compiled::CompiledPolicy;
use crate::output::csv::field as csv_field;
pub(crate) use cells::Cells;
use cells::Column;
pub(crate) use columns::{Cell, Columns, Refused, Row};
pub(crate) use outcomes::OutcomeColumns;
pub use rejects::RejectColumns;
pub use sink::ArrowSink;

/// Rows per batch read from a Parquet file, and per batch `avenant population` writes.
pub const BATCH_ROWS: usize = 8192;

/// The code of a row whose outcome has a number its column cannot hold exactly.
pub const INEXACT: &str = crate::code::Code::Inexact.name();

/// A row refused because a value of it has no exact place in its column
/// `field` ([`INEXACT`]); the CSV `output` (`output`, `rows`) holds it whole.
pub(crate) fn inexact(row: u64, line: u64, field: Option<String>, message: String, output: &str) -> RowError {
    let help = Some(format!("the value is exact in the CSV {output} (`--out x.csv`)"));
    RowError { row, line, field, code: INEXACT, message, help }
}

/// The outcome columns, as [`crate::output::csv`] names them: `row` (from 1,
/// as in the CSV), `name`, each output value by its dotted path, then
/// `certainty.<output>`. Numbers are decimals: `Decimal128(18, 2)` for
/// euros and `Decimal128(18, 0)` for a whole count of patients (Parquet
/// keeps them as 64-bit integers, the cheapest to write and to read), and
/// `Decimal128(38, 28)` for rates, ratios and shares of a count
/// (rust_decimal's finest); a value finer or larger than its column is a
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
pub(crate) fn arrow_type(ty: Type) -> DataType {
    match ty {
        Type::Bool => DataType::Boolean,
        Type::Euros => DataType::Decimal128(18, 2),
        Type::Patients { whole: true } => DataType::Decimal128(18, 0),
        Type::Patients { whole: false } | Type::Rate | Type::Number => DataType::Decimal128(38, 28),
        Type::Date => DataType::Date32,
        Type::Text | Type::Enum(_) | Type::Row(_) | Type::Failures => DataType::Utf8,
    }
}

/// Evaluates a population given as Arrow batches (all of `schema`) with the
/// population engine; `emit` receives the outcomes in input order, in
/// batches of [`outcome_schema`], and `rejected` every row not evaluated.
/// Rows in = rows out + rows rejected; they are numbered from `first_row`
/// (1 for a whole population; a part of one may number its rows as they are
/// numbered in the whole).
pub fn run(
    compiled: &CompiledPolicy<'_>,
    schema: &Schema,
    batches: impl Iterator<Item = Result<RecordBatch, String>> + Send,
    first_row: u64,
    options: &Options,
    emit: &mut (dyn FnMut(RecordBatch) -> std::io::Result<()> + Send),
    rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send),
) -> Result<Summary, BatchError> {
    let source = Source::Arrow(ArrowRows::new(batches, first_row));
    evaluate(compiled, schema, source, Outcomes::Arrow(emit), options, rejected, &mut |_| {})
}

/// Evaluates a population given as Arrow batches (all of `schema`), as
/// [`super::run_into`] does one read from a file: its columns are mapped to
/// the policy's fields as a CSV header's are, and a row is numbered as in
/// the same table written as CSV (from 1, on the line after the header's).
pub fn run_into(
    compiled: &CompiledPolicy<'_>,
    schema: &Schema,
    batches: impl Iterator<Item = Result<RecordBatch, String>> + Send,
    outcomes: Outcomes<'_>,
    options: &Options,
    rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send),
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, BatchError> {
    let source = Source::Arrow(ArrowRows::new(batches, 1));
    evaluate(compiled, schema, source, outcomes, options, rejected, progress)
}

fn evaluate(
    compiled: &CompiledPolicy<'_>,
    schema: &Schema,
    source: Source<'_, std::io::Empty>,
    outcomes: Outcomes<'_>,
    options: &Options,
    rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send),
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, BatchError> {
    let titles: Vec<&str> = schema.fields().iter().map(|field| field.name().as_str()).collect();
    let columns = ColumnMap::new(compiled.policy(), &titles, &options.tolerated, 1).map_err(BatchError::Columns)?;
    super::evaluate_source(compiled, source, Some(&columns), outcomes, options, super::CHUNK_BYTES, rejected, progress)
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
pub fn arrow_io(error: ArrowError) -> std::io::Error {
    match error {
        ArrowError::IoError(_, error) => error,
        other => std::io::Error::other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use arrow_array::ArrayRef;
    use arrow_array::types::Int32Type;

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
}
