//! `avenant diff`: what each text changes over the shipped population.

mod common;

use std::collections::BTreeMap;

use common::{avenant, read, scratch};
use rust_decimal::Decimal;

const POPULATION: &str = "examples/population-10000.csv";

/// Each text against the one it amends, on a date when the new one is in force.
const PAIRS: [(&str, &str, &str); 2] = [
    ("avenant-7", "reglement-arbitral-2023", "2023-12-01"),
    ("reglement-arbitral-2023", "convention-2024", "2024-10-01"),
];

#[test]
fn each_text_against_the_one_it_amends() {
    for (old, new, on) in PAIRS {
        let run = avenant(&[
            "diff",
            &format!("policies/{old}.policy"),
            &format!("policies/{new}.policy"),
            "--profiles",
            POPULATION,
            "--on",
            on,
            "--errors",
            &scratch(&format!("diff/{old}-errors.csv"), "").to_string_lossy(),
            "--allow-rejects",
        ]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        insta::with_settings!({ snapshot_suffix => format!("{old}__{new}"), omit_expression => true }, {
            insta::assert_snapshot!("diff", run.stdout);
        });
    }
}

#[test]
fn one_chain_at_two_dates() {
    let run = avenant(&[
        "diff",
        "policies",
        "policies",
        "--profiles",
        POPULATION,
        "--on-old",
        "2022-12-01",
        "--on-new",
        "2024-10-01",
        "--format",
        "json",
        "--allow-rejects",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    assert_eq!(summary["old"], "avenant_7 on 2022-12-01");
    assert_eq!(summary["new"], "convention_2024 on 2024-10-01");
}

/// An amount as written in the outputs; one that is not an amount reads as
/// a value no sum can equal, so the comparison fails.
fn euros(text: &str) -> Decimal {
    text.parse().unwrap_or(Decimal::MIN)
}

/// The summary's totals are the sums of its per-profile rows, and every row
/// of the population is compared or reported.
#[test]
fn totals_are_the_sum_of_the_profiles_and_counts_reconcile() {
    let rows = scratch("diff/profiles.csv", "");
    let errors = scratch("diff/errors.csv", "");
    let run = avenant(&[
        "diff",
        "policies/avenant-7.policy",
        "policies/convention-2024.policy",
        "--profiles",
        POPULATION,
        "--on",
        "2024-10-01",
        "--format",
        "json",
        "--out",
        &rows.to_string_lossy(),
        "--errors",
        &errors.to_string_lossy(),
    ]);
    // Rows were rejected (specialties whose thresholds no source gives): exit 1.
    assert_eq!(run.code, 1, "{}", run.transcript());
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|error| panic!("{error}"));
    let count = |field: &str| summary[field].as_u64().unwrap_or(u64::MAX);
    assert_eq!(count("rows_in"), 10_000);
    assert_eq!(count("rows_in"), count("compared") + count("rejected"));
    let text = read(&rows);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().cloned().unwrap_or_default();
    let column = |name: &str| header.iter().position(|title| title == name).unwrap_or(usize::MAX);
    let records: Vec<csv::StringRecord> = reader.records().map_while(Result::ok).collect();
    assert_eq!(records.len() as u64, count("compared"), "one row per profile compared");
    let rejected = read(&errors).lines().count() as u64 - 1;
    assert_eq!(rejected, count("rejected"), "one error line per row rejected");
    let mut sums: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    let (mut gained, mut lost) = (0, 0);
    for record in &records {
        for option in ["option_1", "option_2", "option_3"] {
            let old = euros(&record[column(&format!("aid_per_year.{option}.old"))]);
            let new = euros(&record[column(&format!("aid_per_year.{option}.new"))]);
            let sum = sums.entry(option.to_owned()).or_default();
            sum.0 += old;
            sum.1 += new;
        }
        match (&record[column("eligible.old")], &record[column("eligible.new")]) {
            ("false", "true") => gained += 1,
            ("true", "false") => lost += 1,
            _ => {}
        }
    }
    for (option, (old, new)) in sums {
        assert_eq!(euros(summary["aid_per_year"][&option]["old"].as_str().unwrap_or("")), old, "{option} old");
        assert_eq!(euros(summary["aid_per_year"][&option]["new"].as_str().unwrap_or("")), new, "{option} new");
    }
    assert_eq!(summary["eligibility"]["gained"], gained);
    assert_eq!(summary["eligibility"]["lost"], lost);
    // Each breakdown adds up to the whole.
    for dimension in ["by_band", "by_zone", "by_specialty"] {
        let parts = summary[dimension].as_object().cloned().unwrap_or_default();
        let profiles: u64 = parts.values().map(|part| part["profiles"].as_u64().unwrap_or(0)).sum();
        assert_eq!(profiles, count("compared"), "{dimension}");
        let part_gained: u64 = parts.values().map(|part| part["eligibility"]["gained"].as_u64().unwrap_or(0)).sum();
        assert_eq!(part_gained, gained, "{dimension}");
    }
}

#[test]
fn the_same_whatever_the_threads_and_chunks() {
    let run = |threads: &str, chunk: &str| {
        let rows = scratch(&format!("diff/rows-{threads}-{chunk}.jsonl"), "");
        let run = avenant(&[
            "diff",
            "policies/avenant-7.policy",
            "policies/reglement-arbitral-2023.policy",
            "--profiles",
            POPULATION,
            "--on",
            "2023-12-01",
            "--threads",
            threads,
            "--chunk-size",
            chunk,
            "--out",
            &rows.to_string_lossy(),
            "--allow-rejects",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        (run.stdout, read(&rows))
    };
    assert_eq!(run("1", "7"), run("2", "2048"));
}
