//! A profile's values as every reader reads them (JSON, YAML, TOML files, a
//! CSV cell, a JSON Lines row): numbers exact or refused, a date only where a
//! date is declared, the same columns accepted whether a text is named as a
//! file or found in its directory, and any file refused or read at once.

mod common;

use common::{Run, avenant, scratch};

/// A surgeon under the 2024 convention, which requires at least 80 % of clinical fees.
const SURGEON: [(&str, &str); 7] = [
    ("specialty", "\"chirurgie\""),
    ("sector", "\"secteur_1\""),
    ("zone", "\"zip\""),
    ("grouped_practice", "true"),
    ("coordinated_practice", "true"),
    ("file_active", "2000"),
    ("name", "\"Surgeon\""),
];

/// One short of 80 % by 10⁻²⁹: a reader that rounds makes it 0.8, and the surgeon eligible.
const JUST_UNDER: &str = "0.79999999999999999999999999999";

fn eval_in_2024(profile: &str) -> Run {
    avenant(&["--error-format", "json", "eval", "policies/", profile, "--on", "2024-10-01", "--format", "json"])
}

/// `avenant eval` of the 2019 text alone, diagnostics as JSON (one line each).
fn eval_2019(profile: &str) -> Run {
    avenant(&["--error-format", "json", "eval", "policies/avenant-7.policy", profile, "--on", "2024-01-01"])
}

fn population_in_2024(population: &str) -> Run {
    avenant(&[
        "--error-format",
        "json",
        "eval",
        "policies/",
        "--profiles",
        population,
        "--on",
        "2024-10-01",
        "--out-format",
        "csv",
    ])
}

/// The surgeon as a profile file of the format `extension`, with a clinical share written as `share`.
fn surgeon_file(extension: &str, share: &str) -> String {
    let mut fields: Vec<(&str, &str)> = SURGEON.to_vec();
    fields.push(("clinical_fee_share", share));
    let text = match extension {
        "json" => format!(
            "{{{}}}",
            fields.iter().map(|(key, value)| format!("\"{key}\": {value}")).collect::<Vec<_>>().join(", ")
        ),
        "yaml" => fields.iter().map(|(key, value)| format!("{key}: {value}\n")).collect(),
        _ => fields.iter().map(|(key, value)| format!("{key} = {value}\n")).collect(),
    };
    let path = scratch(&format!("profile-values/surgeon-{}.{extension}", share.len()), &text);
    path.to_string_lossy().into_owned()
}

#[test]
fn a_number_with_more_digits_than_a_decimal_holds_is_refused_in_every_format() {
    for extension in ["json", "yaml", "toml"] {
        let run = eval_in_2024(&surgeon_file(extension, JUST_UNDER));
        assert_eq!(run.code, 1, "{extension}: {}", run.transcript());
        assert!(
            run.stderr
                .contains("`clinical_fee_share` is `0.79999999999999999999999999999`, with more digits than the 28"),
            "{extension}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("\"label\": \"field `clinical_fee_share`\""),
            "{extension}: the place is given: {}",
            run.stderr
        );
        // The same share with the digits a decimal holds is read, and refused by the policy's rule.
        let run = eval_in_2024(&surgeon_file(extension, "0.7999999999999999999999999999"));
        assert_eq!(run.code, 0, "{extension}: {}", run.transcript());
        assert!(run.stdout.contains("\"eligible\": false"), "{extension}: {}", run.stdout);
    }
    let header = "id,specialty,sector,optam,zone,grouped_practice,coordinated_practice,file_active,clinical_fee_share";
    let csv = format!("{header}\nS1,chirurgie,secteur_1,false,zip,true,true,2000,{JUST_UNDER}\n");
    let csv = scratch("profile-values/just-under.csv", &csv);
    let jsonl = format!(
        "{{\"id\": \"S1\", {}, \"clinical_fee_share\": {JUST_UNDER}}}\n",
        SURGEON.iter().map(|(key, value)| format!("\"{key}\": {value}")).collect::<Vec<_>>().join(", ")
    );
    let jsonl = scratch("profile-values/just-under.jsonl", &jsonl);
    for population in [csv, jsonl] {
        let run = population_in_2024(&population.to_string_lossy());
        assert!(run.stderr.contains("1 row(s) read, 0 evaluated, 1 rejected"), "{}", run.transcript());
        assert!(
            run.stderr.contains("\"row\":1,\"line\":") && run.stderr.contains("\"field\":\"clinical_fee_share\""),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("more digits than the 28"), "{}", run.stderr);
    }
}

#[test]
fn exact_numbers_keep_their_value_in_every_format() {
    // Written in each format's own ways, 85 % is 85 %: a point, an exponent, a percentage.
    for (extension, share) in [("json", "8.5e-1"), ("yaml", ".85"), ("toml", "85e-2"), ("json", "\"85 %\"")] {
        let run = eval_in_2024(&surgeon_file(extension, share));
        assert_eq!(run.code, 0, "{extension} {share}: {}", run.transcript());
        assert!(run.stdout.contains("\"eligible\": true"), "{extension} {share}: {}", run.stdout);
    }
}

#[test]
fn a_date_is_read_only_where_the_field_is_a_date() {
    // A table holding a date string is a table, not a date.
    for (name, text) in [
        ("table.json", r#"{"contract_signed": {"anything": "2021-01-01"}}"#),
        ("table.toml", "contract_signed = { anything = 2021-01-01 }\n"),
        ("table.yaml", "contract_signed: {anything: 2021-01-01}\n"),
    ] {
        let path = scratch(&format!("profile-values/date-in-a-{name}"), text);
        let run = eval_2019(&path.to_string_lossy());
        assert_eq!(run.code, 1, "{name}: {}", run.transcript());
        assert!(
            run.stderr.contains("`contract_signed` must be a date `YYYY-MM-DD`, found a table"),
            "{name}: {}",
            run.stderr
        );
    }
    // A TOML date where a text is read (the profile's name) is its text.
    let dated = scratch(
        "profile-values/dated-name.toml",
        &format!(
            "{}name = 2021-01-01\n",
            common::read(std::path::Path::new("examples/dr-a.toml")).replace("name = \"Dr A\"\n", "")
        ),
    );
    let run = avenant(&[
        "--error-format",
        "json",
        "eval",
        "policies/avenant-7.policy",
        &dated.to_string_lossy(),
        "--on",
        "2024-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("\"name\": \"2021-01-01\""), "{}", run.stdout);
}

#[test]
fn a_text_accepts_the_same_columns_named_as_a_file_or_found_in_its_directory() {
    // The shipped population carries `clinical_fee_share`, which the 2019
    // text does not read and the texts amending it do.
    let population = "examples/population-10000.csv";
    let on_2020 = ["--on", "2020-01-01", "--out-format", "csv"];
    let file = avenant(
        &[&["--error-format", "json", "eval", "policies/avenant-7.policy", "--profiles", population][..], &on_2020]
            .concat(),
    );
    let directory =
        avenant(&[&["--error-format", "json", "eval", "policies/", "--profiles", population][..], &on_2020].concat());
    assert_eq!(file.code, directory.code, "{}\n{}", file.transcript(), directory.transcript());
    assert!(file.stderr.contains("10000 row(s) read"), "{}", file.transcript());
    assert!(!file.stderr.contains("unknown field"), "{}", file.stderr);
    assert_eq!(file.stdout, directory.stdout);
    // A column that no text of the family reads stays an unknown field, both ways.
    let stranger = scratch(
        "profile-values/stranger-column.csv",
        "id,specialty,sector,zone,grouped_practice,coordinated_practice,file_active,favourite_colour\nA,medecine_generale,secteur_1,zip,true,true,900,blue\n",
    );
    for policy in ["policies/avenant-7.policy", "policies/"] {
        let run = avenant(
            &[&["--error-format", "json", "eval", policy, "--profiles", &stranger.to_string_lossy()][..], &on_2020]
                .concat(),
        );
        assert_eq!(run.code, 1, "{policy}: {}", run.transcript());
        assert!(run.stderr.contains("unknown field `favourite_colour`"), "{policy}: {}", run.stderr);
    }
}

#[test]
fn deep_or_large_profiles_are_refused_with_the_limit() {
    // 100 KB of nested `[` kept the YAML reader busy for 28 s; 60 KB fits in a profile.
    for (name, text) in [
        ("deep.yaml", format!("a: {}", "[".repeat(60_000))),
        ("deep.json", format!("{{\"a\": {}", "[".repeat(60_000))),
        ("deep.toml", format!("a = {}", "[".repeat(60_000))),
        ("deep-tables.yaml", format!("a: {}", "{a: ".repeat(15_000))),
    ] {
        let path = scratch(&format!("profile-values/{name}"), &text);
        let run = eval_2019(&path.to_string_lossy());
        assert_eq!(run.code, 1, "{name}: {}", run.transcript());
        assert!(run.stderr.contains("nest more than 32 levels deep"), "{name}: {}", run.stderr);
    }
    let many = scratch("profile-values/many.yaml", &format!("a: [{}1]\n", "1, ".repeat(20_000)));
    let run = eval_2019(&many.to_string_lossy());
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("more than the 10000 values a profile may have"), "{}", run.stderr);
    let large = scratch("profile-values/large.json", &format!("{{\"description\": \"{}\"}}", "x".repeat(2 << 20)));
    let run = eval_2019(&large.to_string_lossy());
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("more than the 65536 bytes a profile may have"), "{}", run.stderr);
}
