//! `avenant eval POLICY --profiles FILE`: populations from the command line.
//! Every row is either in the output or in the error report, the counts
//! reconcile, rows keep their order, and the output is the same whatever the
//! number of threads and the chunk size.

// Helpers fail loudly: a test that cannot run must not pass.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::avenant;

const POLICY: &str = "policies/avenant-7.policy";
/// Evaluations are made as of a fixed date, so outputs never depend on the day the tests run.
const ON: &str = "2020-01-01";

/// `N row(s) read, N evaluated, N rejected`, from the summary line.
fn counts(stderr: &str) -> (u64, u64, u64) {
    let line = stderr.lines().find(|line| line.contains(" row(s) read, ")).unwrap_or_else(|| panic!("{stderr}"));
    let numbers: Vec<u64> = line
        .split(|character: char| !character.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect();
    let [.., read, evaluated, rejected] = numbers[..] else { panic!("{line}") };
    (read, evaluated, rejected)
}

/// The `row` column of a CSV output.
fn output_rows(stdout: &str) -> Vec<u64> {
    stdout.lines().skip(1).map(|line| line.split(',').next().unwrap().parse().unwrap()).collect()
}

fn scratch(name: &str) -> PathBuf {
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("population");
    std::fs::create_dir_all(&folder).unwrap();
    folder.join(name)
}

#[test]
fn bad_rows_are_reported_and_the_others_evaluated() {
    let population = "tests/fixtures/populations/bad-rows.csv";
    let run = avenant(&["eval", POLICY, "--on", ON, "--profiles", population]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
    let (read, evaluated, rejected) = counts(&run.stderr);
    let data_rows = std::fs::read_to_string(common::root().join(population)).unwrap().lines().count() as u64 - 1;
    assert_eq!(read, data_rows);
    assert_eq!(read, evaluated + rejected);
    let written = output_rows(&run.stdout);
    assert_eq!(written.len() as u64, evaluated);
    let reported: BTreeSet<u64> = run
        .stderr
        .lines()
        .filter_map(|line| line.split(": row ").nth(1))
        .map(|rest| rest.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(reported.len() as u64, rejected);
    let every_row: BTreeSet<u64> = written.iter().copied().chain(reported.iter().copied()).collect();
    assert_eq!(every_row, (1..=read).collect(), "every row is either written or reported, once");
}

#[test]
fn the_error_report_as_csv_and_rejects_allowed() {
    let errors = scratch("bad-rows-errors.csv");
    let run = avenant(&[
        "eval",
        POLICY,
        "--on",
        ON,
        "--profiles",
        "tests/fixtures/populations/bad-rows.csv",
        "--errors",
        errors.to_str().unwrap(),
        "--allow-rejects",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(!run.stderr.contains("error:"), "the rows go to the report, not to standard error:\n{}", run.stderr);
    insta::assert_snapshot!(std::fs::read_to_string(&errors).unwrap());
}

#[test]
fn json_lines_in_and_out() {
    let run = avenant(&[
        "eval",
        POLICY,
        "--on",
        ON,
        "--profiles",
        "tests/fixtures/populations/mixed.jsonl",
        "--format",
        "jsonl",
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let (read, evaluated, rejected) = counts(&run.stderr);
    assert_eq!((read, evaluated, rejected), (5, 2, 3));
    for line in run.stdout.lines() {
        let outcome: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(outcome["certainty"].is_object() && outcome["assumptions"].is_array(), "{line}");
    }
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn csv_in_json_lines_out_is_what_single_profiles_give() {
    let run = avenant(&[
        "eval",
        POLICY,
        "--on",
        ON,
        "--profiles",
        "tests/fixtures/populations/bad-rows.csv",
        "--format",
        "jsonl",
    ]);
    let dr_a = run.stdout.lines().next().unwrap();
    let mut from_population: serde_json::Value = serde_json::from_str(dr_a).unwrap();
    let mut single = common::eval_json(POLICY, "examples/dr-a.toml", ON);
    // Only where the profile came from differs.
    from_population["profile"] = serde_json::Value::Null;
    single["profile"] = serde_json::Value::Null;
    from_population["policy"]["file"] = serde_json::Value::Null;
    single["policy"]["file"] = serde_json::Value::Null;
    assert_eq!(from_population, single);
}

#[test]
fn an_unknown_column_rejects_the_file_once() {
    let run = avenant(&["eval", POLICY, "--on", ON, "--profiles", "tests/fixtures/populations/unknown-column.csv"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

/// A generated population, with bad rows among the good, as CSV.
fn generated_csv(rows: usize) -> PathBuf {
    let specialties = ["medecine_generale", "cardiologie", "dermatologie", "pediatrie", "ophtalmologie", "cardiolgie"];
    let fields = [
        "name",
        "specialty",
        "sector",
        "optam",
        "zone",
        "grouped_practice",
        "coordinated_practice",
        "patientele_mt",
        "file_active",
    ];
    let mut text = fields.join(",") + "\n";
    for profile in common::generated_profiles(rows, 0xC5F, &specialties) {
        let cells: Vec<String> = fields
            .iter()
            .map(|field| match &profile[field] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    let path = scratch(&format!("generated-{rows}.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_same_output_whatever_the_threads_and_the_chunk_size() {
    let population = generated_csv(3000);
    let population = population.to_str().unwrap();
    let run_with = |threads: &str, chunk: &str| {
        let run = avenant(&[
            "eval",
            POLICY,
            "--on",
            ON,
            "--profiles",
            population,
            "--threads",
            threads,
            "--chunk-size",
            chunk,
            "--allow-rejects",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run
    };
    let reference = run_with("1", "3000");
    let rows = output_rows(&reference.stdout);
    assert!(rows.windows(2).all(|pair| pair[0] < pair[1]), "rows keep the order of the input");
    let (read, evaluated, rejected) = counts(&reference.stderr);
    assert_eq!((read, read), (3000, evaluated + rejected));
    assert!(rejected > 100 && evaluated > 1000, "{rejected} rejected, {evaluated} evaluated");
    for (threads, chunk) in [("1", "1"), ("2", "7"), ("3", "64"), ("4", "1000"), ("0", "2048")] {
        let run = run_with(threads, chunk);
        assert!(run.stdout == reference.stdout, "output with {threads} thread(s), chunks of {chunk}");
        assert!(run.stderr == reference.stderr, "errors with {threads} thread(s), chunks of {chunk}");
    }
}

#[test]
fn rows_go_to_the_file_named() {
    let out = scratch("dr.jsonl");
    let run = avenant(&[
        "eval",
        POLICY,
        "--on",
        ON,
        "--profiles",
        "tests/fixtures/populations/mixed.jsonl",
        "--out",
        out.to_str().unwrap(),
        "--allow-rejects",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.is_empty());
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 2, "`.jsonl` picks JSON Lines: {written}");
}

#[test]
fn population_formats_are_for_populations() {
    let run = avenant(&["eval", POLICY, "--on", ON, "examples/dr-a.toml", "--format", "csv"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    let run = avenant(&["eval", POLICY, "--on", ON, "--profiles", "examples/dr-a.toml"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
}
