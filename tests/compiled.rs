//! The compiled evaluator against the reference, exactly: every output,
//! every certainty, every assumption and every error, on each example and on
//! a generated population that walks every branch of the 2019 policy.

// Helpers fail loudly: a comparison that cannot run must not pass.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::Path;

use avenant::eval::compiled::CompiledPolicy;
use avenant::output::{Subject, json};
use avenant::{CheckedPolicy, Profile, ProfileInput};

fn policy() -> CheckedPolicy {
    let path = Path::new("policies/avenant-7.policy");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    avenant::compile(path, &text).unwrap()
}

/// Both evaluators on one profile: the same JSON, or the same error.
fn assert_agree(policy: &CheckedPolicy, compiled: &CompiledPolicy<'_>, profile: &Profile, what: &str) {
    let subject = Subject { profile_file: what, profile_name: profile.name.as_deref(), policy_file: "policy" };
    let mut scratch = compiled.scratch();
    let reference = avenant::evaluate(policy, profile);
    let fast = compiled.evaluate(profile.values(), &mut scratch);
    match (reference, fast) {
        (Ok(reference), Ok(())) => {
            let fast = compiled.outcome(&scratch, profile.values());
            assert_eq!(json::outcome(policy, &subject, &fast), json::outcome(policy, &subject, &reference), "{what}");
        }
        (Err(reference), Err(fast)) => {
            assert_eq!((fast.code(), fast.message()), (reference.code(), reference.message()), "{what}");
            assert_eq!(policy.sources().location(fast.span()), policy.sources().location(reference.span()), "{what}");
        }
        (reference, fast) => panic!("{what}: the reference gave {reference:?}, the compiled evaluator {fast:?}"),
    }
}

#[test]
fn every_example_agrees() {
    let policy = policy();
    let compiled = CompiledPolicy::new(&policy);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for folder in ["examples", "tests/fixtures/profiles"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let Ok(input) = ProfileInput::parse(&path, &text) else { continue };
            let Ok(profile) = Profile::validate(&policy, &input) else { continue };
            assert_agree(&policy, &compiled, &profile, &path.display().to_string());
            count += 1;
        }
    }
    assert!(count >= 10, "only {count} profiles compared");
}

#[test]
fn a_generated_population_agrees() {
    let policy = policy();
    let compiled = CompiledPolicy::new(&policy);
    let specialties: Vec<&str> =
        policy.enums.iter().find(|e| e.name == "specialty").unwrap().variants.iter().map(|v| v.name.as_str()).collect();
    for (row, document) in common::generated_profiles(5000, 0x5eed_2019, &specialties).iter().enumerate() {
        let text = document.to_string();
        let input = ProfileInput::parse(Path::new("generated.json"), &text).unwrap();
        let profile = Profile::validate(&policy, &input).unwrap();
        assert_agree(&policy, &compiled, &profile, &format!("row {row}: {text}"));
    }
}
