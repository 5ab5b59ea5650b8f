//! Bad input from the command line: a clear message naming the place, and exit code 1.

mod common;

use common::{avenant, files};

#[test]
fn bad_profiles_name_the_file_and_the_field() {
    each_rejected("tests/fixtures/profiles", "profile", |profile| {
        vec!["eval", "policies/avenant-7.policy", profile, "--on", "2020-01-01"]
    });
}

#[test]
fn syntax_errors_point_at_the_place() {
    each_rejected("tests/fixtures/syntax", "syntax", |policy| {
        vec!["eval", policy, "examples/dr-a.toml", "--on", "2020-01-01"]
    });
}

/// Runs `avenant` on each fixture of a folder: each is rejected (exit code 1),
/// named in the error, and snapshotted as the user sees it.
fn each_rejected(folder: &str, snapshot: &str, args: impl for<'a> Fn(&'a str) -> Vec<&'a str>) {
    for fixture in files(folder) {
        let run = avenant(&args(&fixture));
        assert_eq!(run.code, 1, "{fixture}: {}", run.transcript());
        assert!(run.stderr.contains(&fixture), "{fixture}: the file is named\n{}", run.stderr);
        let name = fixture.rsplit('/').next().unwrap_or(&fixture).to_owned();
        insta::with_settings!({ snapshot_suffix => name, omit_expression => true }, {
            insta::assert_snapshot!(snapshot, run.transcript());
        });
    }
}

#[test]
fn a_missing_file_is_an_io_error() {
    let run = avenant(&["eval", "policies/avenant-7.policy", "examples/no-such-doctor.toml"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("examples/no-such-doctor.toml"));
}

#[test]
fn other_profiles_still_evaluate_when_one_is_bad() {
    let run = avenant(&[
        "eval",
        "policies/avenant-7.policy",
        "tests/fixtures/profiles/negative-count.json",
        "examples/dr-a.toml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("\"name\": \"Dr A\""), "{}", run.transcript());
}

#[test]
fn json_diagnostics_for_programs() {
    let run = avenant(&[
        "--error-format",
        "json",
        "eval",
        "tests/fixtures/syntax/missing-operand.policy",
        "examples/dr-a.toml",
    ]);
    assert_eq!(run.code, 1);
    let diagnostic: serde_json::Value =
        serde_json::from_str(run.stderr.trim()).unwrap_or_else(|error| panic!("{error}: {}", run.stderr));
    assert_eq!(diagnostic["code"], "avenant::syntax::invalid");
    assert_eq!(diagnostic["filename"], "tests/fixtures/syntax/missing-operand.policy");
}
