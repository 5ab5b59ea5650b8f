//! Amendments that state only the change: `base` in a replacement, one
//! table cell amended alone, messages that quote the policy's values, and
//! examples dated on their own. Over a small chain of two texts,
//! tests/fixtures/language/, and variants of its amendment written beside it.

mod common;

use common::{avenant, read, root, scratch};

const AMENDMENT: &str = "tests/fixtures/language/amendment.policy";

/// What an outcome gives, as JSON.
fn outcome(policy: &str, profile: &str, on: &str) -> serde_json::Value {
    let profile = scratch(&format!("language/{on}-{}.toml", profile.len()), profile);
    let run = avenant(&["eval", policy, &profile.to_string_lossy(), "--on", on, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let parsed = serde_json::from_str::<serde_json::Value>(&run.stdout);
    assert!(parsed.is_ok(), "not JSON:\n{}", run.transcript());
    parsed.unwrap_or_default()
}

/// The amendment with `change` in place of `written`, beside the base text.
fn variant_file(name: &str, written: &str, change: &str) -> String {
    let amendment = read(&root().join(AMENDMENT));
    assert!(amendment.contains(written), "the amendment no longer says `{written}`");
    let folder = format!("language-{name}");
    scratch(&format!("{folder}/base.policy"), &read(&root().join("tests/fixtures/language/base.policy")));
    let path = scratch(&format!("{folder}/amendment.policy"), &amendment.replace(written, change));
    path.to_string_lossy().into_owned()
}

/// A transcript without the machine's scratch folder, so that it reads the same everywhere.
fn placeless(transcript: &str) -> String {
    let scratch = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("scratch");
    transcript.replace(&format!("{}/", scratch.display()), "")
}

/// That variant, checked.
fn variant(name: &str, written: &str, change: &str) -> common::Run {
    avenant(&["--error-format", "plain", "check", &variant_file(name, written, change)])
}

#[test]
fn a_replacement_reads_its_base_for_the_contracts_it_leaves_as_they_were() {
    let before = outcome(AMENDMENT, "patients = 1000\ncontract_signed = 2025-09-01\n", "2027-09-01");
    assert_eq!(before["options"]["half"]["year_2"], "13500.00", "{before}");
    let after = outcome(AMENDMENT, "patients = 1000\ncontract_signed = 2026-09-01\n", "2027-09-01");
    // 90 % of the amended year 1, 19 000 €.
    assert_eq!(after["options"]["half"]["year_2"], "17100.00", "{after}");
    assert_eq!(after["options"]["full"]["year_2"], "32400.00", "{after}");
}

#[test]
fn the_explanation_shows_the_base_with_its_value_and_source() {
    let profile = scratch("language/explained.toml", "patients = 1000\ncontract_signed = 2025-09-01\n");
    let run = avenant(&[
        "explain",
        AMENDMENT,
        &profile.to_string_lossy(),
        "--on",
        "2027-09-01",
        "--output",
        "options.half.year_2",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("rule aid_year_2_before_amendment[half] = 13 500 €"), "{}", run.stdout);
    assert!(run.stdout.contains("source: base text, art. 2"), "{}", run.stdout);
    insta::assert_snapshot!(run.stdout.replace(&profile.to_string_lossy().into_owned(), "PROFILE"));
}

#[test]
fn the_base_is_checked_with_the_type_of_what_it_replaces() {
    let run = variant("base-unit", "else base", "else base + patients");
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(placeless(&run.transcript()));
}

#[test]
fn base_outside_a_replacement_is_refused() {
    let run = variant("base-alone", "replace rule aid_year_2", "rule new_year_2");
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("`base` stands only in a `replace rule` of an amendment"), "{}", run.transcript());
}

#[test]
fn one_cell_changes_alone() {
    let low = outcome(AMENDMENT, "patients = 1000\ncontract_signed = 2026-09-01\n", "2027-09-01");
    assert_eq!(low["options"]["half"]["year_1"], "19000.00", "the amended cell: {low}");
    assert_eq!(low["options"]["full"]["year_1"], "36000.00", "its neighbour: {low}");
    let high = outcome(AMENDMENT, "patients = 2000\ncontract_signed = 2026-09-01\n", "2027-09-01");
    // 2 000 × 12.5 %, the amended cell of the grid; 2 000 × 5 % beside it.
    assert_eq!(high["options"]["full"]["target"], 250, "{high}");
    assert_eq!(high["options"]["half"]["target"], 100, "{high}");
    assert!(high["assumptions"].to_string().contains("rate[high, full]"), "its certainty: {high}");
}

#[test]
fn a_cell_that_does_not_exist_is_refused_with_the_nearest() {
    let cases = [
        ("cell-row", "aid[low, half].year_1", "aid[lwo, half].year_1"),
        ("cell-column", "aid[low, half].year_1", "aid[low, half].year_3"),
        ("cell-no-column", "aid[low, half].year_1", "aid[low, half]"),
        ("cell-keys", "aid[low, half].year_1", "aid[low].year_1"),
        ("cell-single", "rate[high, full] =", "rate[high, full].rate ="),
    ];
    let mut transcripts = String::new();
    for (name, written, change) in cases {
        let run = variant(name, written, change);
        assert_eq!(run.code, 1, "{name}: {}", run.transcript());
        assert!(run.stderr.contains("avenant::check::amend_unknown_target"), "{name}: {}", run.transcript());
        transcripts.push_str(&format!("## {name}: {change}\n{}\n", run.stderr));
    }
    insta::assert_snapshot!(placeless(&transcripts));
}

#[test]
fn a_message_quotes_the_value_in_force() {
    let failed = outcome(AMENDMENT, "patients = 700\ncontract_signed = 2026-09-01\n", "2027-09-01");
    assert_eq!(failed["failed_conditions"][0]["message"], "plus de 775 patients médecin traitant", "{failed}");
    let base =
        outcome("tests/fixtures/language/base.policy", "patients = 600\ncontract_signed = 2020-09-01\n", "2021-01-01");
    assert_eq!(base["failed_conditions"][0]["message"], "plus de 640 patients médecin traitant", "{base}");
}

#[test]
fn a_message_quoting_an_unknown_name_suggests_the_nearest() {
    let amendment = "\namend conditions eligibility {\n  replace condition activity\n    requires patients > threshold\n    message \"plus de {treshold} patients\"\n}\n";
    let run = variant("message-unknown", "replace param threshold", &format!("{amendment}\nreplace param threshold"));
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(placeless(&run.transcript()));
}

#[test]
fn an_example_runs_on_its_own_date() {
    let run = avenant(&["test", AMENDMENT]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    // On the text's own date, 2026-07-01, the contract of 2025-09-01 is in its year 1, not 3.
    let undated = avenant(&["test", &variant_file("example-undated", " on 2027-09-01 {", " {")]);
    assert_eq!(undated.code, 1, "{}", undated.transcript());
    assert!(undated.stdout.contains("contract_year"), "{}", undated.transcript());
}

#[test]
fn an_example_dated_before_its_text_is_refused() {
    let run = variant("example-early", " on 2027-09-01 {", " on 2025-01-01 {");
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(placeless(&run.transcript()));
}
