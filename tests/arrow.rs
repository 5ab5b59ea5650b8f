//! Arrow populations against their CSV text: a table of every Arrow type
//! avenant reads, for every type of field (nulls, NaN floats, dictionaries,
//! batches that are slices, cells of the wrong type, values out of range),
//! gives through the typed path exactly the outcomes and the rejected rows
//! that the same table written as CSV gives through the CSV reader; and the
//! typed outcome columns hold the CSV's values, or the row is refused.

// Helpers fail loudly: a test that cannot run must not pass.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use arrow_array::cast::AsArray as _;
use arrow_array::types::{Decimal128Type, Int8Type, Int32Type, UInt64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Date64Array, Decimal128Array, DictionaryArray, Float32Array,
    Float64Array, Int8Array, Int16Array, Int32Array, Int64Array, LargeStringArray, NullArray, RecordBatch, StringArray,
    StringViewArray, TimestampMicrosecondArray, TimestampMillisecondArray, TimestampNanosecondArray,
    TimestampSecondArray, UInt8Array, UInt16Array, UInt32Array, UInt64Array,
};
use arrow_schema::DataType;
use avenant::batch::{self, Options, Outcomes, RowError};
use avenant::eval::compiled::CompiledPolicy;
use rust_decimal::Decimal;

const POLICY: &str = "tests/fixtures/populations/arrow/every-type.policy";

/// Rows of each table; the candidate values of a column repeat through them.
const ROWS: usize = 41;

/// Days since 1970-01-01 of 2024-02-29.
const LEAP_DAY: i64 = 19_782;
const DAY_SECONDS: i64 = 86_400;

/// A column's values: every other row its first value (one the field
/// takes, so that some rows evaluate), the rows between all of them in turn.
fn cycle<T: Clone>(values: &[T]) -> Vec<T> {
    (0..ROWS).map(|row| values[if row % 2 == 0 { 0 } else { row / 2 % values.len() }].clone()).collect()
}

fn decimals(values: &[Option<i128>], precision: u8, scale: i8) -> ArrayRef {
    Arc::new(Decimal128Array::from(cycle(values)).with_precision_and_scale(precision, scale).unwrap())
}

fn texts(values: &[Option<&str>]) -> Vec<Option<String>> {
    cycle(values).into_iter().map(|value| value.map(str::to_owned)).collect()
}

/// The ways a column of each field is given: every Arrow type avenant reads,
/// with values it takes, values it refuses, and cells of the wrong type.
fn candidates() -> Vec<(&'static str, Vec<ArrayRef>)> {
    let days = [
        Some(LEAP_DAY),
        None,
        Some(0),
        Some(-25_567), // 1900-01-01, the first day a profile's date may be
        Some(-25_568), // 1899-12-31, refused
        Some(84_006),  // 2199-12-31, the last
        Some(84_007),  // 2200-01-01, refused
    ];
    let date32: Vec<Option<i32>> = days.iter().map(|day| day.map(|day| i32::try_from(day).unwrap())).collect();
    let seconds = |per_second: i64| -> Vec<Option<i64>> {
        cycle(&days).into_iter().map(|day| day.map(|day| day * DAY_SECONDS * per_second)).collect()
    };
    let words = [Some("true"), Some("false"), None, Some(""), Some("yes"), Some("True")];
    let colours = [Some("red"), Some("blue"), None, Some("green"), Some("red "), Some("")];
    let remarks = [Some("plain"), Some("a, comma"), Some("a \"quote\""), Some("two\nlines"), None, Some(""), Some("é")];
    let numbers = [Some("12.5"), Some("1e3"), Some(" 7 "), Some("abc"), None, Some("0.0001"), Some("-0"), Some("50 %")];
    vec![
        (
            "name",
            vec![
                Arc::new(StringArray::from(texts(&[Some("A"), None, Some("B, C"), Some("")]))),
                Arc::new(Int64Array::from(cycle(&[Some(7), None, Some(-1)]))),
                Arc::new(cycle(&[Some("A"), None, Some("B")]).into_iter().collect::<DictionaryArray<Int8Type>>()),
            ],
        ),
        (
            "flag",
            vec![
                Arc::new(BooleanArray::from(cycle(&[Some(true), Some(false), None]))),
                Arc::new(StringArray::from(texts(&words))),
                Arc::new(Int8Array::from(cycle(&[None, Some(1), Some(0)]))),
                Arc::new(cycle(&words).into_iter().collect::<DictionaryArray<Int32Type>>()),
                Arc::new(Float64Array::from(cycle(&[None, Some(1.0), Some(f64::NAN)]))),
            ],
        ),
        (
            "count",
            vec![
                Arc::new(Int64Array::from(cycle(&[Some(12), Some(0), Some(-3), None, Some(9), Some(i64::MAX)]))),
                Arc::new(UInt64Array::from(cycle(&[Some(u64::MAX), Some(10), None]))),
                Arc::new(Int8Array::from(cycle(&[Some(10), Some(i8::MIN), None, Some(11)]))),
                Arc::new(Int16Array::from(cycle(&[Some(300), Some(-1), None]))),
                Arc::new(Int32Array::from(cycle(&[Some(15), None, Some(-15)]))),
                Arc::new(UInt8Array::from(cycle(&[Some(255), None, Some(3)]))),
                Arc::new(UInt16Array::from(cycle(&[Some(65_535), None]))),
                Arc::new(UInt32Array::from(cycle(&[Some(u32::MAX), Some(0), None]))),
                Arc::new(Float64Array::from(cycle(&[
                    Some(12.0),
                    Some(f64::NAN),
                    Some(12.5),
                    Some(-0.0),
                    Some(1e30),
                    None,
                ]))),
                Arc::new(Float32Array::from(cycle(&[Some(10.0), Some(f32::NAN), Some(0.1), None]))),
                decimals(&[Some(1_200), Some(1_250), Some(-100), Some(0), None, Some(-1)], 10, 2),
                decimals(&[Some(12), Some(10i128.pow(29)), None], 38, 0),
                Arc::new(BooleanArray::from(cycle(&[None, Some(true)]))),
                Arc::new(NullArray::new(ROWS)),
            ],
        ),
        (
            "amount",
            vec![
                // 0.0001 € reads, and its double is finer than the cents of an outcome column.
                decimals(&[Some(123_456), Some(1), Some(-50_000), None, Some(10i128.pow(20)), Some(0)], 38, 4),
                decimals(&[Some(5 * 10i128.pow(29)), Some(10i128.pow(29) + 1), Some(-3), None], 38, 30),
                decimals(&[Some(12), Some(-7), None], 38, -2),
                decimals(&[Some(10i128.pow(28)), Some(10i128.pow(28) - 1), Some(-(10i128.pow(30))), Some(3)], 38, 0),
                Arc::new(Int64Array::from(cycle(&[Some(-5), Some(i64::MIN), None]))),
                Arc::new(UInt64Array::from(cycle(&[Some(u64::MAX), Some(3)]))),
                Arc::new(StringArray::from(texts(&numbers))),
                Arc::new(LargeStringArray::from(texts(&numbers))),
                Arc::new(StringViewArray::from(texts(&numbers))),
                Arc::new(Float64Array::from(cycle(&[Some(0.1), Some(f64::NAN), Some(1e-30), Some(-2.5), None]))),
                Arc::new(Date32Array::from(cycle(&date32))),
                Arc::new(cycle(&numbers).into_iter().collect::<DictionaryArray<Int32Type>>()),
            ],
        ),
        (
            "share",
            vec![
                Arc::new(StringArray::from(texts(&[Some("50 %"), Some("0.5"), Some("abc"), None, Some("1e-40 %")]))),
                decimals(&[Some(50), Some(125), None, Some(-1)], 5, 2),
                Arc::new(Float32Array::from(cycle(&[Some(0.5), Some(f32::NAN), Some(0.3), None]))),
            ],
        ),
        (
            "ratio",
            vec![
                Arc::new(Int32Array::from(cycle(&[Some(-4), Some(1), None, Some(i32::MAX)]))),
                decimals(&[Some(10_000_000_001), Some(-3), None, Some(i128::from(u64::MAX))], 20, 10),
                Arc::new(Float64Array::from(cycle(&[Some(1.5), Some(f64::NAN), None, Some(3e-7)]))),
            ],
        ),
        (
            "signed",
            vec![
                Arc::new(Date32Array::from(cycle(&date32))),
                Arc::new(Date64Array::from(seconds(1_000))),
                Arc::new(TimestampSecondArray::from(seconds(1))),
                Arc::new(TimestampMillisecondArray::from(seconds(1_000))),
                Arc::new(TimestampMicrosecondArray::from(seconds(1_000_000))),
                Arc::new(TimestampNanosecondArray::from(seconds(1_000_000_000))),
                Arc::new(StringArray::from(texts(&[
                    Some("2024-02-29"),
                    Some("2024-02-30"),
                    Some("2024-02-29T10:00"),
                    None,
                ]))),
                Arc::new(Int64Array::from(cycle(&[None, Some(20_240_229)]))),
            ],
        ),
        (
            "remark",
            vec![
                Arc::new(StringArray::from(texts(&remarks))),
                Arc::new(LargeStringArray::from(texts(&remarks))),
                Arc::new(StringViewArray::from(texts(&remarks))),
                Arc::new(cycle(&remarks).into_iter().collect::<DictionaryArray<Int32Type>>()),
                Arc::new(Int64Array::from(cycle(&[Some(5), None]))),
                Arc::new(BooleanArray::from(cycle(&[Some(false), None]))),
                decimals(&[Some(1_050), None], 10, 2),
            ],
        ),
        (
            "colour",
            vec![
                Arc::new(cycle(&colours).into_iter().collect::<DictionaryArray<Int32Type>>()),
                Arc::new(cycle(&colours).into_iter().collect::<DictionaryArray<Int8Type>>()),
                Arc::new(StringArray::from(texts(&colours))),
                Arc::new(Float64Array::from(cycle(&[Some(1.0), None]))),
            ],
        ),
    ]
}

/// Table `index`: each field's column the `index`-th of its candidates (in
/// turn), cut into batches that are slices of one, at an offset.
fn table(index: usize) -> (arrow_schema::SchemaRef, Vec<RecordBatch>) {
    let columns: Vec<(&str, ArrayRef)> =
        candidates().into_iter().map(|(name, arrays)| (name, Arc::clone(&arrays[index % arrays.len()]))).collect();
    let whole = RecordBatch::try_from_iter(columns).unwrap();
    let batches = vec![whole.slice(3, 14), whole.slice(17, 1), whole.slice(18, ROWS - 18)];
    (whole.schema(), batches)
}

fn options() -> Options {
    // Chunks of five rows: cut within batches and across them.
    Options { on: jiff::civil::date(2024, 10, 1), chunk_size: 5, threads: 2, ..Options::default() }
}

/// A rejected row as the two paths must agree on it. Its line is left out:
/// a text with a line break takes two lines of CSV, and a row of a table none.
fn reject(error: &RowError) -> (u64, Option<String>, &'static str, String, Option<String>) {
    (error.row, error.field.clone(), error.code, error.message.clone(), error.help.clone())
}

/// The CSV outcomes and rejected rows of the table written as CSV and read back.
fn through_text(
    compiled: &CompiledPolicy<'_>,
    schema: &arrow_schema::Schema,
    batches: &[RecordBatch],
) -> (String, Vec<RowError>) {
    let mut text = batch::arrow::csv_header(schema);
    for batch in batches {
        batch::arrow::write_csv(batch, &mut text).unwrap();
    }
    let (mut out, mut rejected) = (Vec::new(), Vec::new());
    let summary =
        batch::run(compiled, text.as_slice(), &mut out, &options(), &mut collecting(&mut rejected), &mut |_| {})
            .unwrap();
    assert_eq!(summary.rows_in, ROWS as u64 - 3);
    (String::from_utf8(out).unwrap(), rejected)
}

/// Where a run reports its rejected rows: into `rejected`.
fn collecting(rejected: &mut Vec<RowError>) -> impl FnMut(&RowError) -> std::io::Result<()> + Send + '_ {
    |error| {
        rejected.push(error.clone());
        Ok(())
    }
}

/// The table through the typed path, into CSV text.
fn through_arrow(
    compiled: &CompiledPolicy<'_>,
    schema: &arrow_schema::Schema,
    batches: &[RecordBatch],
) -> (String, Vec<RowError>) {
    let (mut out, mut rejected) = (Vec::new(), Vec::new());
    let summary = batch::arrow::run_into(
        compiled,
        schema,
        batches.iter().cloned().map(Ok),
        Outcomes::Text(&mut out),
        &options(),
        &mut collecting(&mut rejected),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(summary.rows_in, summary.rows_out + summary.rows_rejected);
    assert_eq!(summary.rows_in, ROWS as u64 - 3);
    (String::from_utf8(out).unwrap(), rejected)
}

/// One typed cell as it compares with a CSV cell: `None` for a null, a
/// number in its shortest form.
fn typed_cell(array: &dyn Array, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Utf8 => array.as_string::<i32>().value(row).to_owned(),
        DataType::UInt64 => array.as_primitive::<UInt64Type>().value(row).to_string(),
        DataType::Date32 => {
            array.as_primitive::<arrow_array::types::Date32Type>().value_as_date(row).unwrap().to_string()
        }
        DataType::Decimal128(_, scale) => {
            // Not through a Decimal: a column of scale 28 holds more digits than one.
            let mantissa = array.as_primitive::<Decimal128Type>().value(row);
            let scale = usize::from(scale.unsigned_abs());
            let digits = format!("{:0>width$}", mantissa.unsigned_abs(), width = scale + 1);
            let (whole, fraction) = digits.split_at(digits.len() - scale);
            let fraction = fraction.trim_end_matches('0');
            let sign = if mantissa < 0 { "-" } else { "" };
            if fraction.is_empty() { format!("{sign}{whole}") } else { format!("{sign}{whole}.{fraction}") }
        }
        other => panic!("an outcome column of type {other}"),
    })
}

#[test]
fn every_arrow_type_reads_as_its_csv_text_does() {
    let text = std::fs::read_to_string(POLICY).unwrap();
    let policy = avenant::compile(std::path::Path::new(POLICY), &text).unwrap();
    let compiled = CompiledPolicy::new(&policy);
    let tables = candidates().iter().map(|(_, arrays)| arrays.len()).max().unwrap();
    let (mut outcomes, mut refused, mut inexact) = (0, 0, 0);
    for index in 0..tables {
        let (schema, batches) = table(index);
        let (csv, csv_rejected) = through_text(&compiled, &schema, &batches);
        let (typed, typed_rejected) = through_arrow(&compiled, &schema, &batches);
        assert_eq!(typed, csv, "table {index}: the outcomes of the typed path are those of the CSV text");
        let rejects = |errors: &[RowError]| errors.iter().map(reject).collect::<Vec<_>>();
        assert_eq!(rejects(&typed_rejected), rejects(&csv_rejected), "table {index}: the same rows refused, alike");
        outcomes += csv.lines().count() - 1;
        refused += csv_rejected.len();

        // Typed outcome columns: the CSV's values, or the row refused as inexact.
        let mut emitted = Vec::new();
        let mut arrow_rejected = Vec::new();
        let summary = batch::arrow::run(
            &compiled,
            &schema,
            batches.iter().cloned().map(Ok),
            1,
            &options(),
            &mut |batch| {
                emitted.push(batch);
                Ok(())
            },
            &mut |error| {
                arrow_rejected.push(error.clone());
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(summary.rows_in, summary.rows_out + summary.rows_rejected);
        let (inexact_rows, others): (Vec<RowError>, Vec<RowError>) =
            arrow_rejected.into_iter().partition(|error| error.code == batch::arrow::INEXACT);
        assert_eq!(rejects(&others), rejects(&csv_rejected), "table {index}");
        inexact += inexact_rows.len();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let csv_rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let kept =
            csv_rows.iter().filter(|record| !inexact_rows.iter().any(|error| record[0] == error.row.to_string()));
        let typed_rows = emitted.iter().flat_map(|batch| (0..batch.num_rows()).map(move |row| (batch, row)));
        let mut compared = 0;
        for (record, (batch, row)) in kept.zip(typed_rows) {
            for (column, cell) in record.iter().enumerate() {
                let array = batch.column(column);
                let expected = match (array.data_type(), cell) {
                    (_, "") => None,
                    (DataType::Decimal128(..), number) => {
                        Some(number.parse::<Decimal>().unwrap().normalize().to_string())
                    }
                    (_, text) => Some(text.to_owned()),
                };
                assert_eq!(
                    typed_cell(array.as_ref(), row),
                    expected,
                    "table {index}, row {}, column {column}",
                    &record[0]
                );
            }
            compared += 1;
        }
        assert_eq!(compared, emitted.iter().map(RecordBatch::num_rows).sum::<usize>());
        assert_eq!(compared + inexact_rows.len(), csv_rows.len(), "table {index}: every outcome typed, or refused");
    }
    // The tables reach what they are for: rows evaluated, refused, and too fine for their column.
    assert!(
        outcomes > 100 && refused > 100 && inexact > 0,
        "{outcomes} outcomes, {refused} refused, {inexact} inexact"
    );
}

#[test]
fn a_cell_that_is_no_value_stops_the_run_naming_its_column_and_row() {
    let text = std::fs::read_to_string(POLICY).unwrap();
    let policy = avenant::compile(std::path::Path::new(POLICY), &text).unwrap();
    let compiled = CompiledPolicy::new(&policy);
    let noon = LEAP_DAY * DAY_SECONDS * 1_000 + DAY_SECONDS * 500;
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("amount", Arc::new(Int64Array::from(vec![1, 2, 3]))),
        ("colour", Arc::new(StringArray::from(vec!["red", "red", "red"]))),
        ("signed", Arc::new(TimestampMillisecondArray::from(vec![Some(0), None, Some(noon)]))),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let run = batch::arrow::run_into(
        &compiled,
        &batch.schema(),
        std::iter::once(Ok(batch.clone())),
        Outcomes::Text(&mut Vec::new()),
        &options(),
        &mut |_| Ok(()),
        &mut |_| {},
    );
    let error = run.unwrap_err().to_string();
    assert!(error.contains("column `signed`, row 3: a timestamp with a time of day"), "{error}");
}

#[test]
fn a_part_of_a_population_numbers_its_rows_from_its_first() {
    let text = std::fs::read_to_string(POLICY).unwrap();
    let policy = avenant::compile(std::path::Path::new(POLICY), &text).unwrap();
    let compiled = CompiledPolicy::new(&policy);
    let (schema, batches) = table(0);
    let (mut emitted, mut rejected) = (Vec::new(), Vec::new());
    let summary = batch::arrow::run(
        &compiled,
        &schema,
        batches.into_iter().map(Ok),
        1_001,
        &options(),
        &mut |batch| {
            emitted.push(batch);
            Ok(())
        },
        &mut |error| {
            rejected.push((error.row, error.line));
            Ok(())
        },
    )
    .unwrap();
    let mut rows: Vec<u64> = emitted
        .iter()
        .flat_map(|batch| batch.column(0).as_primitive::<UInt64Type>().values().to_vec())
        .chain(rejected.iter().map(|(row, _)| *row))
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let expected: Vec<u64> = (1_001..1_001 + summary.rows_in).collect();
    assert_eq!(rows, expected, "every row once, numbered from 1001");
    assert!(rejected.iter().all(|(row, line)| *line == row + 1), "a row's line is after the header's, as in CSV");
}

/// The CSV outcomes of one batch whose `signed` column is `signed`, or the error that stopped the run.
fn outcomes_signed(signed: ArrayRef) -> Result<String, String> {
    let text = std::fs::read_to_string(POLICY).unwrap();
    let policy = avenant::compile(std::path::Path::new(POLICY), &text).unwrap();
    let compiled = CompiledPolicy::new(&policy);
    let rows = signed.len();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("amount", Arc::new(Int64Array::from(vec![1; rows]))),
        ("colour", Arc::new(StringArray::from(vec!["red"; rows]))),
        ("signed", signed),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut out = Vec::new();
    let run = batch::arrow::run_into(
        &compiled,
        &batch.schema(),
        std::iter::once(Ok(batch.clone())),
        Outcomes::Text(&mut out),
        &options(),
        &mut |_| Ok(()),
        &mut |_| {},
    );
    run.map(|_| String::from_utf8(out).unwrap()).map_err(|error| error.to_string())
}

#[test]
fn an_instant_in_a_time_zone_is_read_as_its_date_there() {
    // 2024-02-29 and 2024-07-14 at midnight: in Paris (an hour ahead of UTC
    // in winter, two in summer), in India (+05:30), and in UTC.
    let dates = [jiff::civil::date(2024, 2, 29), jiff::civil::date(2024, 7, 14)];
    let days: Vec<i32> = dates.iter().map(|date| (*date - jiff::civil::date(1970, 1, 1)).get_days()).collect();
    let expected = outcomes_signed(Arc::new(Date32Array::from(days.clone()))).unwrap();
    let midnight = |offsets: [i64; 2]| -> Vec<i64> {
        days.iter().zip(offsets).map(|(day, offset)| i64::from(*day) * DAY_SECONDS - offset).collect()
    };
    let zoned: [(&str, [i64; 2]); 5] = [
        ("Europe/Paris", [3_600, 7_200]),
        ("+05:30", [19_800, 19_800]),
        ("-0300", [-10_800, -10_800]),
        ("UTC", [0, 0]),
        ("+00:00", [0, 0]),
    ];
    for (zone, offsets) in zoned {
        let seconds = TimestampSecondArray::from(midnight(offsets)).with_timezone(zone);
        assert_eq!(outcomes_signed(Arc::new(seconds)).as_deref(), Ok(expected.as_str()), "{zone}");
        let nanoseconds = TimestampNanosecondArray::from(
            midnight(offsets).iter().map(|second| second * 1_000_000_000).collect::<Vec<_>>(),
        );
        assert_eq!(
            outcomes_signed(Arc::new(nanoseconds.with_timezone(zone))).as_deref(),
            Ok(expected.as_str()),
            "{zone}"
        );
    }
    // Midnight in UTC is one in the morning in Paris: not a date there.
    let utc_midnight = TimestampSecondArray::from(midnight([0, 0])).with_timezone("Europe/Paris");
    let error = outcomes_signed(Arc::new(utc_midnight)).unwrap_err();
    assert!(
        error.contains("column `signed`, row 1: a timestamp with a time of day (2024-02-29T01:00:00 in Europe/Paris)"),
        "{error}"
    );
    let unknown = TimestampSecondArray::from(midnight([0, 0])).with_timezone("Mars/Olympus_Mons");
    let error = outcomes_signed(Arc::new(unknown)).unwrap_err();
    assert!(
        error.contains(
            "column `signed` holds instants in the time zone `Mars/Olympus_Mons`, which avenant does not know"
        ),
        "{error}"
    );
}
