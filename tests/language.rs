//! Points of the language that no policy of `policies/` shows yet.

mod common;

use common::{avenant, eval_json, scratch};

const POLICY: &str = r#"policy language {
  title "negative literals and whole counts"
}

profile {
  file_active: patients
}

param drop: number = -40

rule one_more: patients = file_active + 1

output change = one_more + drop
output minus = file_active -1
"#;

#[test]
fn a_count_plus_a_whole_constant_stays_a_count_and_literals_may_be_negative() {
    let policy = scratch("language/whole.policy", POLICY);
    let profile = scratch("language/profile.json", r#"{"file_active": 100}"#);
    let outcome = eval_json(&policy.to_string_lossy(), &profile.to_string_lossy(), "2024-01-01");
    assert_eq!(outcome["change"], 61);
    // `file_active -1` subtracts: operators are read before a negative literal.
    assert_eq!(outcome["minus"], 99);
}

#[test]
fn a_count_plus_a_fraction_must_be_rounded() {
    let policy = scratch("language/fraction.policy", &POLICY.replace("file_active + 1", "file_active + 0.5"));
    let run = avenant(&["check", &policy.to_string_lossy()]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("avenant::check::unrounded_count"), "{}", run.stderr);
}
