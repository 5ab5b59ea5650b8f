//! The checker, one fixture per diagnostic code: each is snapshotted as the
//! author sees it (plain text, fixed width), and a meta-test fails when a code
//! has no fixture.

mod common;

use avenant::check::diagnostic::CODES;
use common::{avenant, files, root};

fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".policy").unwrap_or(name)
}

/// Each fixture: a policy file, or for amendments a folder whose
/// `amendment.policy` is checked with the texts beside it.
fn fixtures() -> Vec<(String, String)> {
    common::entries("tests/fixtures/check")
        .into_iter()
        .map(|path| {
            let name = stem(&path.to_string_lossy()).to_owned();
            let checked = if path.is_dir() { path.join("amendment.policy") } else { path };
            (name, common::relative(&checked))
        })
        .collect()
}

#[test]
fn every_fixture_provokes_the_code_it_is_named_after() {
    for (name, fixture) in fixtures() {
        let code = format!("avenant::check::{name}");
        let run = avenant(&["--error-format", "plain", "check", &fixture]);
        assert!(run.stderr.contains(&code), "{fixture} should report {code}:\n{}", run.transcript());
        let is_warning = CODES.iter().any(|(known, meaning)| *known == code && meaning.starts_with("warning"));
        assert_eq!(run.code, if is_warning { 0 } else { 1 }, "{fixture}: {}", run.transcript());
        insta::with_settings!({ snapshot_suffix => name, omit_expression => true }, {
            insta::assert_snapshot!("check", run.transcript());
        });
    }
}

#[test]
fn every_code_has_a_fixture_and_every_reported_code_is_listed() {
    let fixtures: Vec<String> = fixtures().into_iter().map(|(name, _)| name).collect();
    for (code, _) in CODES {
        let name = code.trim_start_matches("avenant::check::");
        assert!(
            fixtures.iter().any(|fixture| fixture == name),
            "no fixture tests/fixtures/check/{name}.policy for {code}"
        );
    }
    // Every code the checker's source can report is listed in CODES.
    for file in std::fs::read_dir(root().join("src/check")).unwrap_or_else(|error| panic!("{error}")) {
        let path = file.unwrap_or_else(|error| panic!("{error}")).path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (position, _) in text.match_indices("\"avenant::check::") {
            let code: String = text[position + 1..].chars().take_while(|c| *c != '"').collect();
            assert!(
                CODES.iter().any(|(known, _)| *known == code),
                "{code} (in {}) is not listed in CODES",
                path.display()
            );
        }
    }
}

#[test]
fn every_policy_checks_clean() {
    for policy in files("policies").iter().filter(|path| path.ends_with(".policy")) {
        let run = avenant(&["--error-format", "plain", "check", policy]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert_eq!(run.stdout, format!("{policy}: ok (0 warning(s))\n"), "{}", run.transcript());
        assert_eq!(run.stderr, "", "{}", run.transcript());
    }
}

/// Mistakes a newcomer could make in a copy of the 2019 policy: each is
/// caught alone, and all are reported at once.
const MISTAKES: [(&str, &str, &str); 6] = [
    ("requires reference_patientele > thresholds.p30", "requires reference_patientel > thresholds.p30", "unknown_name"),
    ("round(file_active * target_rate[o], half_up)", "file_active * target_rate[o]", "unrounded_count"),
    (
        "p50_p70 \"du 50e au 70e percentile\": above thresholds.p50",
        "p50_p70 \"du 50e au 70e percentile\": from thresholds.p50",
        "band_overlap",
    ),
    ("| p90_p95   | option_3 | 36 000 € | 27 000 € | 25 000 € |\n", "", "table_missing_row"),
    (
        "  p90_p95 => p90_p95\n  above_p95 => above_p95\n  else => up_to_p90",
        "  p90_p95 => p90_p95\n  above_p95 => above_p95",
        "match_not_exhaustive",
    ),
    ("requires o != option_3 or zone == zip", "requires o != option_3 or zone == 12 000 €", "unit_mismatch"),
];

#[test]
fn mistakes_in_a_copy_of_the_2019_policy_are_all_caught_at_once() {
    let original =
        std::fs::read_to_string(root().join("policies/avenant-7.policy")).unwrap_or_else(|error| panic!("{error}"));
    let mut all = original.clone();
    for (index, (find, replace, code)) in MISTAKES.iter().enumerate() {
        assert!(original.contains(find), "the policy no longer contains {find:?}");
        let path = common::scratch(&format!("mistakes/mistake-{index}.policy"), &original.replacen(find, replace, 1));
        let run = avenant(&["--error-format", "plain", "check", &path.to_string_lossy()]);
        assert_eq!(run.code, 1, "{code}: {}", run.transcript());
        assert!(run.stderr.contains(&format!("avenant::check::{code}")), "{code}: {}", run.transcript());
        all = all.replacen(find, replace, 1);
    }
    let path = common::scratch("mistakes/all-mistakes.policy", &all);
    let run = avenant(&["--error-format", "json", "check", &path.to_string_lossy()]);
    assert_eq!(run.code, 1);
    let reported: Vec<serde_json::Value> = run
        .stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect();
    for (_, _, code) in MISTAKES {
        let code = format!("avenant::check::{code}");
        assert!(
            reported.iter().any(|diagnostic| diagnostic["code"] == code.as_str()),
            "{code} not reported with the others:\n{}",
            run.stderr
        );
    }
}

#[test]
fn check_lists_every_assumption_a_policy_makes() {
    let run = avenant(&["check", "--assumptions", "policies/avenant-7.policy"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.transcript());
}

/// One mistake, one error: an expression, output, field or value already in
/// error is not reported again by what reads it (outputs, examples, tables).
const ONE_MISTAKE: [(&str, &str, &str, &str); 3] = [
    (
        "convention-2024.policy",
        "else aid[physician_aid_level, o].year_2\n",
        "else aid[physician_aid_level, o].year_2 + file_active\n",
        "unit_mismatch",
    ),
    ("avenant-7.policy", "file_active: patients \"", "file_active: patient \"", "unknown_type"),
    (
        "avenant-7.policy",
        "enum option \"option d'aide\" {\n",
        "enum option \"option d'aide\" {\n  option_1\n",
        "duplicate_definition",
    ),
];

#[test]
fn one_mistake_in_a_chain_is_one_error() {
    for (index, (mutated, find, replace, code)) in ONE_MISTAKE.iter().enumerate() {
        let mut checked = None;
        for policy in files("policies").iter().filter(|path| path.ends_with(".policy")) {
            let name = policy.trim_start_matches("policies/");
            let mut text = std::fs::read_to_string(root().join(policy)).unwrap_or_else(|error| panic!("{error}"));
            if name == *mutated {
                assert!(text.contains(find), "{name} no longer contains {find:?}");
                text = text.replacen(find, replace, 1);
            }
            let path = common::scratch(&format!("one-mistake-{index}/{name}"), &text);
            if name == "convention-2024.policy" {
                checked = Some(path);
            }
        }
        let checked = checked.unwrap_or_else(|| panic!("no convention-2024.policy in policies/"));
        let run = avenant(&["--error-format", "json", "check", &checked.to_string_lossy()]);
        assert_eq!(run.code, 1, "{code}: {}", run.transcript());
        let reported: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(reported.len(), 1, "{code} alone should be reported:\n{}", run.stderr);
        assert!(run.stderr.contains(&format!("avenant::check::{code}")), "{}", run.transcript());
    }
}
