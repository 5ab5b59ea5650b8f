//! `avenant test`: the examples policy files declare, run and reported; and
//! the checker's diagnostics for examples that do not fit their policy.

mod common;

use common::{avenant, files};

#[test]
fn every_policy_passes_its_examples_and_exercises_every_rule() {
    let run = avenant(&["test"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn failing_examples_show_expected_and_got_side_by_side() {
    for fixture in files("tests/fixtures/examples") {
        let run = avenant(&["test", &fixture]);
        assert_eq!(run.code, 1, "{fixture}: {}", run.transcript());
        assert!(run.stdout.contains(&fixture), "{fixture}: the place is named\n{}", run.stdout);
        let name = fixture.rsplit('/').next().unwrap_or(&fixture).to_owned();
        insta::with_settings!({ snapshot_suffix => name, omit_expression => true }, {
            insta::assert_snapshot!("test", run.transcript());
        });
    }
}

#[test]
fn a_missing_policy_is_an_io_error() {
    let run = avenant(&["test", "policies/no-such.policy"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
}
