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
    csv::Reader::from_reader(stdout.as_bytes()).records().map(|record| record.unwrap()[0].parse().unwrap()).collect()
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
        "--out-format",
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
        "--out-format",
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
    // Each path has its own formats, and clap lists the right ones.
    let profile = ["examples/dr-a.toml"];
    let population = ["--profiles", "tests/fixtures/populations/mixed.jsonl"];
    for (path, format, wrong, listed) in [
        (&profile[..], "--format", "csv", "[possible values: table, json]"),
        (&profile[..], "--out-format", "csv", "cannot be used with"),
        (&population[..], "--format", "json", "cannot be used with"),
        (&population[..], "--out-format", "table", "[possible values: csv, jsonl]"),
    ] {
        let run = avenant(&[&["eval", POLICY, "--on", ON][..], path, &[format, wrong]].concat());
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(run.stderr.contains(listed), "{}", run.transcript());
    }
    let run = avenant(&["eval", POLICY, "--on", ON, "--profiles", "examples/dr-a.toml"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
}

/// Every file of `tests/fixtures/populations/hostile/`, as a person sees it
/// run: nothing crashes, a whole file refused says why in plain words, and
/// where a summary is given its counts reconcile.
#[test]
fn hostile_populations_are_read_as_a_person_reads_them() {
    for population in common::files("tests/fixtures/populations/hostile") {
        let run = avenant(&["eval", POLICY, "--on", ON, "--profiles", &population]);
        let name = population.rsplit('/').next().unwrap();
        assert!(run.code == 0 || run.code == 1, "{name}: {}", run.transcript());
        if run.stderr.contains(" row(s) read, ") {
            let (read, evaluated, rejected) = counts(&run.stderr);
            assert_eq!(read, evaluated + rejected, "{name}");
            assert_eq!(output_rows(&run.stdout).len() as u64, evaluated, "{name}");
        } else {
            assert!(run.stderr.contains("rejected whole"), "{name}: {}", run.transcript());
        }
        insta::assert_snapshot!(format!("hostile-{name}"), run.transcript());
    }
}

#[test]
fn a_stray_quote_counts_every_line_it_swallowed_as_a_row() {
    let run =
        avenant(&["eval", POLICY, "--on", ON, "--profiles", "tests/fixtures/populations/hostile/stray-quote.csv"]);
    assert_eq!(counts(&run.stderr), (4, 3, 1), "{}", run.transcript());
    assert_eq!(output_rows(&run.stdout), vec![1, 3, 4]);
}

/// The shipped population with one `"` before its second row: the row is
/// reported at its line, the 9 998 rows after it come out as they do from
/// the file without the quote.
#[test]
fn a_stray_quote_in_ten_thousand_rows_is_reported_where_it_opened() {
    let clean = std::fs::read_to_string(common::root().join("examples/population-10000.csv")).unwrap();
    let mut lines: Vec<String> = clean.lines().map(str::to_owned).collect();
    lines[2].insert(0, '"');
    let broken = scratch("stray-quote-10000.csv");
    std::fs::write(&broken, lines.join("\n") + "\n").unwrap();
    let run_on = |population: &str, errors: &str| {
        let errors = scratch(errors);
        let arguments =
            ["eval", "policies/", "--on", "2024-10-01", "--profiles", population, "--errors", errors.to_str().unwrap()];
        let run = avenant(&[&arguments[..], &["--allow-rejects"]].concat());
        assert_eq!(run.code, 0, "{}", run.transcript());
        let report = std::fs::read_to_string(errors).unwrap();
        (run, report)
    };
    let (clean, clean_report) = run_on("examples/population-10000.csv", "clean-errors.csv");
    let (broken, broken_report) = run_on(broken.to_str().unwrap(), "stray-quote-errors.csv");
    let (read, evaluated, rejected) = counts(&broken.stderr);
    assert_eq!((read, read), (10_000, evaluated + rejected), "{}", broken.stderr);
    let row_two = broken_report.lines().find(|line| line.starts_with("2,")).unwrap();
    insta::assert_snapshot!(row_two, @r#"2,3,,avenant::profile::unreadable,"a quote opened in cell 1 and not closed on its line swallows the next 9998 line(s), to the end of the file","a quote inside a cell is doubled in a quoted cell (`""a """"quoted"""" word""`); the 9998 line(s) after this one are read again as rows of their own""#);
    let but_row_two = |text: &str| -> Vec<String> {
        text.lines().filter(|line| !line.starts_with("2,")).map(str::to_owned).collect()
    };
    assert!(
        but_row_two(&broken.stdout) == but_row_two(&clean.stdout),
        "the rows after the quote are evaluated as without it"
    );
    assert!(but_row_two(&broken_report) == but_row_two(&clean_report), "and rejected as without it");
}

/// A row longer than the limit is refused at its line and read no further;
/// the rows after it are read.
#[test]
fn a_row_longer_than_the_limit_is_refused_and_the_next_read() {
    let limit = avenant::batch::ROW_BYTES;
    let header =
        "name,specialty,sector,optam,zone,grouped_practice,coordinated_practice,patientele_mt,file_active,description";
    let good = "medecine_generale,secteur_1,,zip,true,true,700,1300";
    let long = "x".repeat(limit);
    let text =
        format!("{header}\nDr A,{good},short\nDr B,{good},{long}\nDr C,{good},\"{long}\nover lines\"\nDr D,{good},\n");
    let csv = scratch("long-rows.csv");
    std::fs::write(&csv, text).unwrap();
    let run = avenant(&["eval", POLICY, "--on", ON, "--profiles", csv.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    // Dr C's row is too long before its quote closes: it is skipped to the end
    // of its line, and the next line is read as a row (of one cell).
    assert_eq!(counts(&run.stderr), (5, 2, 3), "{}", run.stderr);
    assert_eq!(output_rows(&run.stdout), vec![1, 5]);
    insta::assert_snapshot!(run.stderr.replace(csv.to_str().unwrap(), "long-rows.csv"));
    let line = |name: &str| {
        format!(
            r#"{{"name": "{name}", "specialty": "pediatrie", "sector": "secteur_2", "optam": true, "zone": "zac", "grouped_practice": true, "coordinated_practice": true, "file_active": 1720, "description": "{}"}}"#,
            if name == "long" { long.as_str() } else { "" }
        )
    };
    let jsonl = scratch("long-rows.jsonl");
    std::fs::write(&jsonl, [line("Dr A"), line("long"), line("Dr D")].join("\n")).unwrap();
    let run = avenant(&["eval", POLICY, "--on", ON, "--profiles", jsonl.to_str().unwrap()]);
    assert_eq!(counts(&run.stderr), (3, 2, 1), "{}", run.stderr);
    assert!(
        run.stderr.contains(":2: row 2: the row is longer than the 1048576 bytes a row may have"),
        "{}",
        run.stderr
    );
}
