//! Every diagnostic code, provoked by fixtures: the checker's, one fixture
//! per code, or a folder of fixtures, one per place that raises it
//! (`tests/fixtures/check/type_mismatch/<case>.policy`); evaluation's and
//! profiles', a policy and a profile each (`tests/fixtures/eval/<code>/`,
//! `tests/fixtures/profile/<code>/`). Each is snapshotted as the author sees
//! it (plain text, fixed width), and a meta-test walks [`Code`] so that no
//! code the crate can raise goes without a fixture.

mod common;

use std::path::{Path, PathBuf};

use avenant::Severity;
use avenant::code::{Code, Phase};
use common::{avenant, files, root};
use strum::VariantArray as _;

fn stem(path: &Path) -> String {
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    name.strip_suffix(".policy").unwrap_or(&name).to_owned()
}

/// The file a fixture checks: a policy, or for amendments a folder whose
/// `amendment.policy` is checked with the texts beside it.
fn checked(path: &Path) -> Option<PathBuf> {
    if path.is_dir() {
        let amendment = path.join("amendment.policy");
        amendment.exists().then_some(amendment)
    } else {
        (path.extension().is_some_and(|extension| extension == "policy")).then(|| path.to_owned())
    }
}

/// A check fixture: the code it is named after, its case where the code has
/// a folder of them, and the file checked.
struct Fixture {
    code: String,
    case: Option<String>,
    path: String,
}

fn fixtures() -> Vec<Fixture> {
    let mut found = Vec::new();
    for path in common::entries("tests/fixtures/check") {
        let code = stem(&path);
        match checked(&path) {
            Some(file) => found.push(Fixture { code, case: None, path: common::relative(&file) }),
            // A folder of cases: each a policy, or an amendment's folder.
            None => {
                for case in common::entries(&common::relative(&path)) {
                    if let Some(file) = checked(&case) {
                        found.push(Fixture {
                            code: code.clone(),
                            case: Some(stem(&case)),
                            path: common::relative(&file),
                        });
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_fixture_provokes_the_code_it_is_named_after() {
    for Fixture { code: name, case, path: fixture } in fixtures() {
        let code = Code::parse(&format!("avenant::check::{name}"));
        assert!(code.is_some(), "{fixture} is named after no code: avenant::check::{name}");
        let code = code.map_or_else(String::new, |code| code.name().to_owned());
        let run = avenant(&["--error-format", "plain", "check", &fixture]);
        assert!(run.stderr.contains(&code), "{fixture} should report {code}:\n{}", run.transcript());
        let is_warning = Code::parse(&code).is_some_and(|code| code.severity() == Severity::Warning);
        assert_eq!(run.code, if is_warning { 0 } else { 1 }, "{fixture}: {}", run.transcript());
        let suffix = match case {
            Some(case) => format!("{name}-{case}"),
            None => name,
        };
        insta::with_settings!({ snapshot_suffix => suffix, omit_expression => true }, {
            insta::assert_snapshot!("check", run.transcript());
        });
    }
}

/// The codes no fixture can provoke, and why: a test that raised them would
/// be a bug report.
const UNPROVOKABLE: [(Code, &str); 2] = [
    (Code::Internal, "raised only where a checked policy cannot lead; evaluation reports it rather than panic"),
    (
        Code::Inexact,
        "raised only when writing Arrow columns; provoked by the unit test in src/batch/arrow.rs that feeds the \
         writer a cell its column cannot hold, since no policy here writes Parquet",
    ),
];

/// The folder of a runtime code's fixture: a policy and a profile.
fn runtime_fixture(code: Code) -> String {
    format!("tests/fixtures/{}/{}", code.phase().name(), code.short_name())
}

#[test]
fn every_code_the_crate_can_raise_has_a_fixture() {
    let check_fixtures: Vec<String> = fixtures().into_iter().map(|fixture| fixture.code).collect();
    for code in Code::VARIANTS {
        if UNPROVOKABLE.iter().any(|(unprovokable, _)| unprovokable == code) {
            continue;
        }
        match code.phase() {
            Phase::Syntax => {
                let provoked = files("tests/fixtures/syntax").iter().any(|fixture| {
                    avenant(&["--error-format", "plain", "check", fixture]).stderr.contains(code.name())
                });
                assert!(provoked, "no fixture in tests/fixtures/syntax provokes {code}");
            }
            Phase::Check => assert!(
                check_fixtures.iter().any(|fixture| fixture == code.short_name()),
                "no fixture tests/fixtures/check/{}.policy (or folder) for {code}",
                code.short_name()
            ),
            Phase::Eval | Phase::Profile => {
                let folder = runtime_fixture(*code);
                assert!(root().join(&folder).join("policy.policy").exists(), "no fixture {folder}/ for {code}");
            }
            Phase::Arrow => panic!("{code}: a code raised when writing Arrow columns needs a test that provokes it"),
        }
    }
}

#[test]
fn every_runtime_fixture_provokes_its_code() {
    for code in Code::VARIANTS.iter().filter(|code| matches!(code.phase(), Phase::Eval | Phase::Profile)) {
        let folder = runtime_fixture(*code);
        if !root().join(&folder).exists() {
            continue;
        }
        let (policy, profile) = (format!("{folder}/policy.policy"), format!("{folder}/profile.json"));
        let run = avenant(&["--error-format", "plain", "eval", &policy, &profile, "--on", "2024-01-01"]);
        assert!(run.stderr.contains(code.name()), "{folder} should report {code}:\n{}", run.transcript());
        assert_eq!(run.code, 1, "{folder}: {}", run.transcript());
        let suffix = format!("{}-{}", code.phase().name(), code.short_name());
        insta::with_settings!({ snapshot_suffix => suffix, omit_expression => true }, {
            insta::assert_snapshot!("runtime", run.transcript());
        });
    }
}

/// Codes are raised through [`Code`] only: no name is written out anywhere
/// else in the crate, where the list and the fixtures would not see it.
#[test]
fn no_code_is_written_outside_the_list() {
    fn sources(folder: &Path, found: &mut Vec<PathBuf>) {
        for path in common::entries(&common::relative(folder)) {
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                found.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    sources(&root().join("src"), &mut paths);
    assert!(paths.len() > 50, "the crate's sources were not found");
    for path in paths.iter().map(|path| common::relative(path)) {
        if path == "src/code.rs" {
            continue;
        }
        let text = std::fs::read_to_string(root().join(&path)).unwrap_or_default();
        assert!(!text.contains("\"avenant::"), "{path} writes a code by hand; name it through avenant::code::Code");
    }
}

#[test]
fn a_syntax_error_carries_the_listed_code() {
    let run = avenant(&["--error-format", "json", "check", "tests/fixtures/syntax/missing-operand.policy"]);
    assert!(run.stderr.contains(&format!("\"code\": \"{}\"", Code::SyntaxInvalid.name())), "{}", run.transcript());
}

#[test]
fn check_explain_lists_every_code_and_explains_one() {
    let run = avenant(&["check", "--explain"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    for code in Code::VARIANTS {
        assert!(run.stdout.contains(code.name()) && run.stdout.contains(code.meaning()), "{code} is not listed");
    }
    let run = avenant(&["check", "--explain", "band_gap"]);
    assert_eq!(run.stdout.trim_end(), format!("{:<40} error   {}", Code::BandGap.name(), Code::BandGap.meaning()));
    let run = avenant(&["check", "--explain", "band_gp"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("did you mean `band_gap`?"), "{}", run.transcript());
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
