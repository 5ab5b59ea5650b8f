//! The fast paths held to the reference on generated policies: every
//! construct of the language, through the one differential harness
//! (`avenant::eval::differential`), the reference against the compiled
//! evaluator one profile at a time and in shuffled lanes.

// Helpers fail loudly: a comparison that cannot run must not pass.
#![allow(clippy::panic)]

mod common;

use std::path::Path;

use avenant::eval::compiled::CompiledPolicy;
use avenant::eval::differential;
use proptest::prelude::*;

const DATES: [jiff::civil::Date; 3] =
    [jiff::civil::date(2019, 6, 1), jiff::civil::date(2024, 10, 1), jiff::civil::date(2031, 2, 28)];

/// A generated policy, checked, or the diagnostics that refused it.
fn checked(seed: u64) -> Result<avenant::CheckedPolicy, String> {
    let text = common::policies::policy(seed);
    avenant::compile(Path::new("generated.policy"), &text).map_err(|error| match error {
        avenant::LoadError::Syntax(error) => error.message.clone(),
        avenant::LoadError::Check { diagnostics, .. } => {
            diagnostics.iter().map(|diagnostic| diagnostic.message.clone()).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    })
}

fn profiles(policy: &avenant::CheckedPolicy, seed: u64) -> Vec<avenant::Profile> {
    common::policies::profiles(seed, 48)
        .iter()
        .map(|json| {
            let input = avenant::ProfileInput::parse(Path::new("p.json"), json)
                .unwrap_or_else(|error| panic!("{json}: {error:?}"));
            avenant::Profile::validate(policy, &input).unwrap_or_else(|error| panic!("{json}: {error:?}"))
        })
        .collect()
}

/// The generator is only worth what checks: most of what it writes must.
#[test]
fn generated_policies_mostly_check() {
    let seeds = 0..200u64;
    let refused: Vec<(u64, String)> = seeds.clone().filter_map(|seed| checked(seed).err().map(|e| (seed, e))).collect();
    let share = refused.len() * 100 / seeds.count();
    let reasons: Vec<String> = refused.iter().take(12).map(|(seed, error)| format!("seed {seed}: {error}")).collect();
    assert!(share <= 3, "{share} % of generated policies are refused:\n{}", reasons.join("\n"));
}

proptest! {
    // 256 policies; `AVENANT_DIFFERENTIAL_CASES` takes fewer for a quick
    // pass (the mutation testing of the lanes runs each mutant with 24).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("AVENANT_DIFFERENTIAL_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(256),
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x2026_1126),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Every generated policy, on profiles that reach its branches and on
    /// dates in different contract years: the three evaluators agree on
    /// every value, certainty, assumption and error.
    #[test]
    fn the_fast_paths_agree_with_the_reference(seed in any::<u64>()) {
        let Ok(policy) = checked(seed) else { return Ok(()) };
        let compiled = CompiledPolicy::new(&policy);
        let profiles = profiles(&policy, seed);
        for on in DATES {
            if let Err(disagreement) = differential::compare(&policy, &compiled, &profiles, on, seed) {
                let profile = common::policies::profiles(seed, 48).get(disagreement.profile).cloned().unwrap_or_default();
                prop_assert!(false, "{disagreement}\non {on}, profile {profile}\n{}", common::policies::policy(seed));
            }
        }
    }
}
