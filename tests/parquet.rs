//! Parquet in and out of the real binary: the shipped population evaluated
//! from Parquet and into Parquet gives the outcomes and the rejected rows of
//! CSV in and out, value for value, with typed columns.

// Helpers fail loudly: a test that cannot run must not pass.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use arrow_array::cast::AsArray as _;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rust_decimal::Decimal;

const POPULATION: &str = "examples/population-10000.csv";

/// `avenant diff` from the 2019 text to the one in force on 2024-10-01.
const DIFF_2019_TO_2024: [&str; 5] = ["diff", "policies/avenant-7.policy", "policies", "--on", "2024-10-01"];

/// `avenant ARGUMENTS…` from the project's folder, whatever its exit.
fn run(arguments: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_avenant"))
        .args(arguments)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|error| panic!("cannot run avenant: {error}"))
}

/// As [`run`], which must succeed.
fn avenant(arguments: &[&str]) -> std::process::Output {
    let output = run(arguments);
    assert!(output.status.success(), "avenant {arguments:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

fn path(folder: &tempfile::TempDir, name: &str) -> PathBuf {
    folder.path().join(name)
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn batches(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).and_then(|builder| builder.build());
    reader.unwrap_or_else(|error| panic!("{}: {error}", path.display())).map(|batch| batch.unwrap()).collect()
}

/// The columns of `batches` are `expected`: name, type, and whether they may be null.
fn assert_columns(batches: &[RecordBatch], expected: &[(&str, DataType, bool)]) {
    let schema = batches[0].schema();
    let columns: Vec<(&str, &DataType, bool)> =
        schema.fields().iter().map(|field| (field.name().as_str(), field.data_type(), field.is_nullable())).collect();
    let expected: Vec<(&str, &DataType, bool)> =
        expected.iter().map(|(name, kind, null)| (*name, kind, *null)).collect();
    assert_eq!(columns, expected);
}

/// Evaluates the population (`.csv` or `.parquet`) into `out`, the rejected rows into `errors`.
fn evaluate(population: &Path, out: &Path, errors: &Path) {
    evaluate_with(population, out, errors, &[]);
}

/// As [`evaluate`], with more arguments.
fn evaluate_with(population: &Path, out: &Path, errors: &Path, more: &[&str]) {
    let mut arguments = vec![
        "eval",
        "policies",
        "--on",
        "2024-10-01",
        "--profiles",
        population.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--errors",
        errors.to_str().unwrap(),
        "--allow-rejects",
    ];
    arguments.extend_from_slice(more);
    avenant(&arguments);
}

/// The CSV rows without their header, and the header.
fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader.records().map(|record| record.unwrap().iter().map(str::to_owned).collect()).collect();
    (header, rows)
}

/// One Parquet cell as it compares with a CSV cell: `None` for a null.
fn cell(array: &dyn Array, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Utf8 => array.as_string::<i32>().value(row).to_owned(),
        DataType::UInt64 => array.as_primitive::<arrow_array::types::UInt64Type>().value(row).to_string(),
        DataType::Decimal128(_, scale) => {
            let mantissa = array.as_primitive::<arrow_array::types::Decimal128Type>().value(row);
            Decimal::try_from_i128_with_scale(mantissa, u32::from(scale.unsigned_abs()))
                .unwrap()
                .normalize()
                .to_string()
        }
        other => panic!("an outcome column of type {other}"),
    })
}

/// The Parquet rows are the CSV file's, value for value, in its columns and
/// its order: a null for an empty cell, a decimal for its digits.
fn assert_same_rows(parquet: &[RecordBatch], csv: &Path) {
    let (header, rows) = csv_rows(csv);
    let schema = parquet[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|field| field.name().as_str()).collect();
    assert_eq!(names, header, "the CSV's columns, in its order");
    let mut compared = 0;
    let parquet_rows = parquet.iter().flat_map(|batch| (0..batch.num_rows()).map(move |row| (batch, row)));
    for ((batch, row), csv_row) in parquet_rows.zip(&rows) {
        for (column, csv_cell) in csv_row.iter().enumerate() {
            let value = cell(batch.column(column).as_ref(), row);
            let expected = match csv_cell.parse::<Decimal>() {
                Ok(number) if matches!(batch.column(column).data_type(), DataType::Decimal128(..)) => {
                    Some(number.normalize().to_string())
                }
                _ => Some(csv_cell.clone()).filter(|cell| !cell.is_empty()),
            };
            assert_eq!(value, expected, "row {row}, column `{}`", header[column]);
        }
        compared += 1;
    }
    assert_eq!(compared, rows.len());
    assert_eq!(parquet.iter().map(RecordBatch::num_rows).sum::<usize>(), rows.len(), "as many rows as in CSV");
}

/// The shipped population as CSV, and the same drawn again as Parquet into `folder`.
fn both_populations(folder: &tempfile::TempDir) -> (PathBuf, PathBuf) {
    let population_parquet = path(folder, "population.parquet");
    avenant(&["population", "--size", "10000", "--out", population_parquet.to_str().unwrap()]);
    // The shipped population is `avenant population`'s default draw.
    (Path::new(env!("CARGO_MANIFEST_DIR")).join(POPULATION), population_parquet)
}

#[test]
fn parquet_in_and_out_equal_csv_in_and_out_value_for_value() {
    let folder = tempfile::tempdir().unwrap();
    let (population, population_parquet) = both_populations(&folder);

    let (csv_out, csv_errors) = (path(&folder, "csv.csv"), path(&folder, "csv-errors.csv"));
    evaluate(&population, &csv_out, &csv_errors);
    let (from_parquet, from_parquet_errors) = (path(&folder, "pq.csv"), path(&folder, "pq-errors.csv"));
    evaluate(&population_parquet, &from_parquet, &from_parquet_errors);
    assert_eq!(text(&from_parquet), text(&csv_out), "Parquet in, CSV out: the CSV outcomes, byte for byte");
    assert_eq!(text(&from_parquet_errors), text(&csv_errors), "the same rows rejected, for the same reasons");

    let (parquet_out, parquet_errors) = (path(&folder, "out.parquet"), path(&folder, "out-errors.parquet"));
    evaluate(&population_parquet, &parquet_out, &parquet_errors);
    assert_same_rows(&batches(&parquet_errors), &csv_errors);
    let outcomes = batches(&parquet_out);
    let schema = outcomes[0].schema();
    let typed = |name: &str| schema.field_with_name(name).unwrap().data_type().clone();
    assert_eq!(typed("eligible"), DataType::Boolean);
    assert_eq!(typed("options.option_2.aid.year_1"), DataType::Decimal128(18, 2), "euros as decimals, never floats");
    assert_same_rows(&outcomes, &csv_out);

    // CSV in, Parquet out: the same file's values as Parquet in.
    let (csv_to_parquet, csv_to_parquet_errors) = (path(&folder, "csv-in.parquet"), path(&folder, "e.csv"));
    evaluate(&population, &csv_to_parquet, &csv_to_parquet_errors);
    assert_eq!(batches(&csv_to_parquet), outcomes);
}

#[test]
fn rejected_rows_in_parquet_are_the_csv_reports_typed() {
    let folder = tempfile::tempdir().unwrap();
    let population = Path::new(env!("CARGO_MANIFEST_DIR")).join(POPULATION);
    // No threshold is known for this specialty: every row is rejected, more
    // than a batch of rejected rows.
    let every_row = ["--set", "specialty=gynecologie_medicale"];
    let (csv_errors, parquet_errors) = (path(&folder, "errors.csv"), path(&folder, "errors.parquet"));
    evaluate_with(&population, &path(&folder, "out.csv"), &csv_errors, &every_row);
    evaluate_with(&population, &path(&folder, "out.parquet"), &parquet_errors, &every_row);
    let rejects = batches(&parquet_errors);
    assert_eq!(rejects.iter().map(RecordBatch::num_rows).sum::<usize>(), 10_000);
    assert_same_rows(&rejects, &csv_errors);
    assert_columns(
        &rejects,
        &[
            ("row", DataType::UInt64, false),
            ("line", DataType::UInt64, false),
            ("field", DataType::Utf8, true),
            ("code", DataType::Utf8, false),
            ("message", DataType::Utf8, false),
            ("help", DataType::Utf8, true),
        ],
    );
}

#[test]
fn set_and_draw_give_a_parquet_population_what_they_give_its_csv() {
    let folder = tempfile::tempdir().unwrap();
    let (population, population_parquet) = both_populations(&folder);
    // Drawn by row number: the same rows draw the same values, whichever the file's format.
    let assumed = ["--set", "coordinated_practice=true", "--draw", "optam=bernoulli(30%)", "--seed", "7"];
    let (csv_out, csv_errors) = (path(&folder, "csv.csv"), path(&folder, "csv-errors.csv"));
    evaluate_with(&population, &csv_out, &csv_errors, &assumed);
    let (parquet_out, parquet_errors) = (path(&folder, "pq.csv"), path(&folder, "pq-errors.csv"));
    evaluate_with(&population_parquet, &parquet_out, &parquet_errors, &assumed);
    assert_eq!(text(&parquet_out), text(&csv_out));
    assert_eq!(text(&parquet_errors), text(&csv_errors));
    let (plain_out, plain_errors) = (path(&folder, "plain.csv"), path(&folder, "plain-errors.csv"));
    evaluate(&population_parquet, &plain_out, &plain_errors);
    assert_ne!(text(&plain_out), text(&parquet_out), "what was set and drawn changed outcomes");
}

#[test]
fn a_population_in_parquet_has_typed_columns() {
    let folder = tempfile::tempdir().unwrap();
    let file = path(&folder, "population.parquet");
    avenant(&["population", "--size", "500", "--seed", "7", "--out", file.to_str().unwrap()]);
    let population = batches(&file);
    let schema = population[0].schema();
    let typed = |name: &str| schema.field_with_name(name).unwrap().data_type().clone();
    assert_eq!(typed("optam"), DataType::Boolean);
    assert_eq!(typed("patientele_mt"), DataType::Int64);
    assert_eq!(typed("clinical_fee_share"), DataType::Decimal128(5, 2));
    assert_eq!(typed("contract_signed"), DataType::Date32);
    assert_eq!(population.iter().map(RecordBatch::num_rows).sum::<usize>(), 500);
    // The same draw as CSV: each cell of the CSV, typed.
    let csv = String::from_utf8(avenant(&["population", "--size", "500", "--seed", "7"]).stdout).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let shares = population[0].column_by_name("clinical_fee_share").unwrap();
    let signed = population[0].column_by_name("contract_signed").unwrap();
    let mut given = 0;
    for (row, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let share = cell(shares.as_ref(), row).map(|share| share.parse::<Decimal>().unwrap() * Decimal::ONE_HUNDRED);
        let percent = Some(&record[9]).filter(|cell| !cell.is_empty());
        let percent = percent.map(|cell| cell.trim_end_matches('%').trim().parse::<Decimal>().unwrap());
        assert_eq!(share, percent, "row {row}: `52 %` is 0.52");
        let date = signed.as_primitive::<arrow_array::types::Date32Type>();
        let date = (!date.is_null(row)).then(|| date.value_as_date(row).unwrap().to_string());
        assert_eq!(date.as_deref(), Some(&record[10]).filter(|cell| !cell.is_empty()), "row {row}");
        given += usize::from(percent.is_some());
    }
    assert!(given > 0, "some rows give a share");
}

#[test]
fn a_parquet_file_that_is_not_one_is_refused_with_its_name() {
    let folder = tempfile::tempdir().unwrap();
    let file = path(&folder, "broken.parquet");
    std::fs::write(&file, "id,specialty\nP1,chirurgie\n").unwrap();
    let output = run(&["eval", "policies", "--on", "2024-10-01", "--profiles", file.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.parquet"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Bytes that, written over a population of 3000 physicians (seed 2019),
/// made the Parquet decoder panic (`offset + len out of bounds`): found by
/// flipping bytes of the file at random.
const DAMAGE: [(usize, u8); 6] =
    [(73_957, 129), (73_958, 19), (73_959, 246), (73_960, 242), (73_961, 200), (73_962, 172)];

#[test]
fn a_damaged_parquet_file_is_an_error_with_its_row_never_a_crash() {
    let folder = tempfile::tempdir().unwrap();
    let damaged = path(&folder, "damaged.parquet");
    avenant(&["population", "--size", "3000", "--seed", "2019", "--out", damaged.to_str().unwrap()]);
    let mut bytes = std::fs::read(&damaged).unwrap();
    for (at, byte) in DAMAGE {
        *bytes.get_mut(at).unwrap() = byte;
    }
    std::fs::write(&damaged, bytes).unwrap();
    let out = path(&folder, "out.parquet");
    let (file, out_arg) = (damaged.to_str().unwrap(), out.to_str().unwrap());
    let runs = [
        vec!["eval", "policies", "--on", "2024-10-01", "--profiles", file, "--out", out_arg],
        [&DIFF_2019_TO_2024[..], &["--profiles", file, "--out", out_arg]].concat(),
    ];
    for arguments in runs {
        let output = run(&arguments);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}: {stderr}");
        assert!(stderr.contains("damaged.parquet"), "{stderr}");
        assert!(stderr.contains("from row 1: the file is damaged: the Parquet decoder failed on it"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!out.exists(), "{arguments:?} wrote outcomes from a file it could not read");
    }
}

/// `avenant diff OLD NEW --on 2024-10-01` over `population`, its rows into
/// `out` and its rejects into `errors`: its JSON summary, and the rejects' text.
fn diff(old: &Path, new: &Path, population: &Path, out: &Path, errors: &Path) -> (Vec<u8>, String) {
    let [old, new, population, out, errors] = [old, new, population, out, errors].map(|path| path.to_str().unwrap());
    let output = avenant(&[
        "diff",
        old,
        new,
        "--on",
        "2024-10-01",
        "--profiles",
        population,
        "--allow-rejects",
        "--format",
        "json",
        "--errors",
        errors,
        "--out",
        out,
    ]);
    (output.stdout, text(Path::new(errors)))
}

#[test]
fn a_diff_reads_and_writes_parquet_as_it_does_csv() {
    let folder = tempfile::tempdir().unwrap();
    let (population, population_parquet) = both_populations(&folder);
    let (old, new) = (Path::new("policies/avenant-7.policy"), Path::new("policies/convention-2024.policy"));
    let errors = path(&folder, "errors.csv");
    let diff = |population: &Path, out: &Path| diff(old, new, population, out, &errors);
    let (csv_rows_file, parquet_rows_file) = (path(&folder, "rows.csv"), path(&folder, "rows.parquet"));
    let (summary, errors) = diff(&population, &csv_rows_file);
    assert_eq!(diff(&population, &parquet_rows_file), (summary.clone(), errors.clone()), "whichever the rows' format");
    let rows = batches(&parquet_rows_file);
    let schema = rows[0].schema();
    let typed = |name: &str| schema.field_with_name(name).unwrap().data_type().clone();
    assert_eq!(typed("eligible.new"), DataType::Boolean);
    assert_eq!(typed("aid_per_year.option_2.new"), DataType::Decimal128(18, 2));
    assert_eq!(typed("contract_year.old"), DataType::Decimal128(38, 28), "a number, as `eval` types it");
    assert_eq!(typed("id"), DataType::Utf8);
    assert_same_rows(&rows, &csv_rows_file);

    // A Parquet population, typed: the same comparison, row for row, reason for reason.
    let from_parquet = path(&folder, "from-parquet.csv");
    assert_eq!(diff(&population_parquet, &from_parquet), (summary, errors), "the same summary and rejects");
    assert_eq!(text(&from_parquet), text(&csv_rows_file), "the same rows, byte for byte");
}

#[test]
fn a_diffs_rejected_rows_in_parquet_are_its_csv_report_typed_with_the_side() {
    let folder = tempfile::tempdir().unwrap();
    let (csv_errors, parquet_errors) = (path(&folder, "rejected.csv"), path(&folder, "rejected.parquet"));
    let rejects = |assumed: &[&str], errors: &Path| {
        let errors = errors.to_str().unwrap();
        let arguments =
            [&DIFF_2019_TO_2024[..], &["--profiles", POPULATION, "--allow-rejects", "--errors", errors], assumed];
        avenant(&arguments.concat());
    };
    // Some rows are refused by the old text only, some by both.
    rejects(&[], &csv_errors);
    rejects(&[], &parquet_errors);
    let typed = batches(&parquet_errors);
    assert_same_rows(&typed, &csv_errors);
    let sides = |batches: &[RecordBatch]| -> Vec<String> {
        let column = |batch: &RecordBatch| batch.column_by_name("side").unwrap().as_string::<i32>().clone();
        batches
            .iter()
            .flat_map(|batch| column(batch).iter().map(|side| side.unwrap().to_owned()).collect::<Vec<_>>())
            .collect()
    };
    let sides = sides(&typed);
    assert!(sides.iter().any(|side| side == "old") && sides.iter().any(|side| side == "both"), "{sides:?}");
    assert_columns(
        &typed,
        &[
            ("row", DataType::UInt64, false),
            ("line", DataType::UInt64, false),
            ("side", DataType::Utf8, false),
            ("field", DataType::Utf8, true),
            ("code", DataType::Utf8, false),
            ("message", DataType::Utf8, false),
            ("help", DataType::Utf8, true),
        ],
    );
    // No threshold is known for this specialty: every row is rejected by
    // both texts, more than a batch of rejected rows.
    let every_row = ["--set", "specialty=gynecologie_medicale"];
    rejects(&every_row, &csv_errors);
    rejects(&every_row, &parquet_errors);
    let typed = batches(&parquet_errors);
    assert_eq!(typed.iter().map(RecordBatch::num_rows).sum::<usize>(), 10_000);
    assert_same_rows(&typed, &csv_errors);
}

/// A diff reads a text column of a Parquet population once a batch for each
/// of its two texts: where the new text lists a field's words in another
/// order, each text gets its own words, and the two agree on every profile.
#[test]
fn a_diff_reads_each_texts_own_words_from_a_parquet_dictionary() {
    let folder = tempfile::tempdir().unwrap();
    let (population, population_parquet) = both_populations(&folder);
    let old = Path::new("policies/avenant-7.policy");
    let written = text(&Path::new(env!("CARGO_MANIFEST_DIR")).join(old));
    let (zip, zac, none) = (
        "  zip \"zone d'intervention prioritaire (zone sous-dense)\"\n",
        "  zac \"zone d'action complémentaire\"\n",
        "  hors_zone \"hors zonage\"\n",
    );
    let zones = [zip, zac, none].concat();
    assert!(written.contains(&zones), "avenant 7's zones have moved: update this test");
    let reordered = path(&folder, "reordered.policy");
    std::fs::write(&reordered, written.replace(&zones, &[none, zac, zip].concat())).unwrap();
    let errors = path(&folder, "errors.csv");
    let (csv_rows, parquet_rows) = (path(&folder, "from-csv.csv"), path(&folder, "from-parquet.csv"));
    let (from_csv, csv_errors) = diff(old, &reordered, &population, &csv_rows, &errors);
    let (from_parquet, parquet_errors) = diff(old, &reordered, &population_parquet, &parquet_rows, &errors);
    let summary: serde_json::Value = serde_json::from_slice(&from_parquet).unwrap();
    assert_eq!(summary["changed"], 0, "the same rules, whatever the order of the words");
    assert!(summary["compared"].as_u64().unwrap() > 8_000);
    assert_eq!(from_parquet, from_csv);
    assert_eq!(parquet_errors, csv_errors);
    assert_eq!(text(&parquet_rows), text(&csv_rows));
}

#[test]
fn a_diff_row_finer_than_a_cent_is_rejected_from_parquet_rows_and_sums_alike() {
    let folder = tempfile::tempdir().unwrap();
    // Avenant 7 with a year-1 aid that is not rounded to the cent: 12 000 € × 1.000001.
    let text = text(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/avenant-7.policy")));
    let exact = "euros = aid[physician_aid_level, o].year_1\n";
    assert!(text.contains(exact), "the year-1 aid rule of avenant 7 has moved: update this test");
    let finer = path(&folder, "finer.policy");
    std::fs::write(&finer, text.replace(exact, "euros = aid[physician_aid_level, o].year_1 * 1.000001\n")).unwrap();
    let diff = |out: &str| -> (serde_json::Value, String) {
        let (old, population) = (Path::new("policies/avenant-7.policy"), Path::new(POPULATION));
        let (summary, errors) =
            diff(old, &finer, population, &path(&folder, out), &path(&folder, &format!("{out}-e.csv")));
        (serde_json::from_slice(&summary).unwrap(), errors)
    };
    let (csv_summary, csv_errors) = diff("rows.csv");
    let (parquet_summary, parquet_errors) = diff("rows.parquet");
    let inexact = parquet_errors.lines().filter(|line| line.contains("inexact")).count();
    assert!(inexact > 0, "12000.012 € has no place in a column of cents");
    for reject in parquet_errors.lines().filter(|line| line.contains("inexact")) {
        let [row, line] = [0, 1].map(|column| reject.split(',').nth(column).unwrap().parse::<u64>().unwrap());
        assert_eq!(line, row + 1, "row {row} is on line {} of the population: {reject}", row + 1);
    }
    assert!(!csv_errors.contains("inexact"), "the CSV rows hold every digit");
    assert!(
        parquet_errors.contains(",new,aid_per_year.option_1.new,avenant::arrow::inexact,\"12000.012 has 3 decimals")
    );
    let count = |summary: &serde_json::Value, key: &str| summary[key].as_u64().unwrap();
    assert_eq!(count(&parquet_summary, "rejected"), count(&csv_summary, "rejected") + inexact as u64);
    assert_eq!(count(&parquet_summary, "compared") + inexact as u64, count(&csv_summary, "compared"));
    let rows: usize = batches(&path(&folder, "rows.parquet")).iter().map(RecordBatch::num_rows).sum();
    assert_eq!(rows as u64, count(&parquet_summary, "compared"), "a row in the file for each row in the sums");
}

/// The population's text columns are read as dictionaries where every row
/// group keeps them so; a writer that gives up its dictionary partway
/// through a column (too many words for its page) or never writes one must
/// read the same. The same rows rewritten both ways give the CSV's outcomes.
#[test]
fn text_kept_with_a_dictionary_given_up_partway_or_none_reads_the_same() {
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::WriterProperties;

    let folder = tempfile::tempdir().unwrap();
    let (population, drawn) = both_populations(&folder);
    let (csv_out, csv_errors) = (path(&folder, "csv.csv"), path(&folder, "csv-errors.csv"));
    evaluate(&population, &csv_out, &csv_errors);

    let rows = batches(&drawn);
    let given_up = WriterProperties::builder()
        .set_dictionary_page_size_limit(64)
        .set_data_page_row_count_limit(100)
        .set_write_batch_size(100)
        .set_max_row_group_row_count(Some(3000))
        .build();
    let none = WriterProperties::builder().set_dictionary_enabled(false).build();
    for (name, properties) in [("given-up", given_up), ("none", none)] {
        let rewritten = path(&folder, &format!("{name}.parquet"));
        let file = std::fs::File::create(&rewritten).unwrap();
        let mut writer = ArrowWriter::try_new(file, rows[0].schema(), Some(properties)).unwrap();
        rows.iter().for_each(|batch| writer.write(batch).unwrap());
        writer.close().unwrap();
        let (out, errors) = (path(&folder, &format!("{name}.csv")), path(&folder, &format!("{name}-errors.csv")));
        evaluate(&rewritten, &out, &errors);
        assert_eq!(text(&out), text(&csv_out), "{name}: the CSV outcomes, byte for byte");
        assert_eq!(text(&errors), text(&csv_errors), "{name}: the same rows rejected, alike");
    }
    // The first file does give up its dictionaries partway: some of its pages are plain.
    let file = std::fs::File::open(path(&folder, "given-up.parquet")).unwrap();
    let metadata = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().metadata().clone();
    let specialty = metadata.row_group(0).columns().iter().find(|column| column.column_path().string() == "specialty");
    let encodings = specialty.unwrap().encodings().collect::<Vec<_>>();
    assert!(
        encodings.contains(&parquet::basic::Encoding::PLAIN)
            && encodings.contains(&parquet::basic::Encoding::RLE_DICTIONARY),
        "{encodings:?}"
    );
}
