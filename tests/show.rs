//! `avenant show`: each text printed whole with the texts it amends, as a
//! reviewer reads it; and the printed policy means what the chain means.

mod common;

use common::{avenant, profile_files, scratch};

/// Every text, and a date it is in force on.
const TEXTS: [(&str, &str); 4] = [
    ("avenant-7", "2024-10-01"),
    ("reglement-arbitral-2023", "2024-10-01"),
    ("convention-2024", "2024-10-01"),
    // A proposal: every amendment construct, `—` cells under a block's certainty included.
    ("proposition-2026", "2027-09-01"),
];

#[test]
fn each_text_shown_whole() {
    for (text, _) in TEXTS {
        let run = avenant(&["show", &format!("policies/{text}.policy")]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        insta::with_settings!({ snapshot_suffix => text, omit_expression => true }, {
            insta::assert_snapshot!("show", run.stdout);
        });
    }
}

#[test]
fn the_directory_shows_the_text_in_force() {
    let run = avenant(&["show", "policies", "--on", "2023-06-01"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.starts_with("# reglement_arbitral_2023 as in force: avenant_7 → reglement_arbitral_2023\n"));
}

/// What a policy gives a profile, without where in which file it says so.
fn outcome(policy: &str, profile: &str, on: &str) -> String {
    let run = avenant(&["eval", policy, profile, "--on", on, "--format", "json"]);
    let Ok(mut json) = serde_json::from_str::<serde_json::Value>(&run.stdout) else {
        return format!("exit code {}: {}", run.code, run.stderr.lines().find(|line| line.contains('×')).unwrap_or(""));
    };
    json["policy"] = serde_json::Value::Null;
    for reliance in json["assumptions"].as_array_mut().into_iter().flatten() {
        reliance["at"] = serde_json::Value::Null;
    }
    json.to_string()
}

#[test]
fn the_text_shown_is_a_policy_that_means_what_the_chain_means() {
    let profiles: Vec<String> = profile_files("examples");
    for (text, on) in TEXTS {
        let chain = format!("policies/{text}.policy");
        let path = shown_and_checked(&chain, text);
        let mut evaluated = 0;
        for profile in &profiles {
            let (original, copy) = (outcome(&chain, profile, on), outcome(&path, profile, on));
            // The copy stands alone, without the texts that amend it: a field
            // only they read is unknown to it, where the text among its
            // family tolerates it. That is where it is, not what it means.
            if copy.contains("unknown field `clinical_fee_share`") && !original.starts_with("exit code") {
                continue;
            }
            evaluated += usize::from(!original.starts_with("exit code"));
            assert_eq!(original, copy, "{text}, {profile}");
        }
        assert!(evaluated * 2 > profiles.len(), "{text}: most profiles should evaluate, {evaluated} did");
    }
}

/// The chain ending with `chain` shown, written to a file of its own, and
/// checked; that file, whose examples (the last text's) pass.
fn shown_and_checked(chain: &str, name: &str) -> String {
    let shown = avenant(&["show", chain]);
    assert_eq!(shown.code, 0, "{}", shown.transcript());
    let path = scratch(&format!("show/{name}.policy"), &shown.stdout).to_string_lossy().into_owned();
    let check = avenant(&["check", &path]);
    assert_eq!(check.code, 0, "{name} shown does not check:\n{}", check.transcript());
    let test = avenant(&["test", &path]);
    assert_eq!(test.code, 0, "{name} shown does not pass its examples:\n{}", test.transcript());
    path
}

#[test]
fn every_amendment_construct_shows_as_a_policy_that_parses_back() {
    // `base`, one cell, a grid's cell, a quoted message, a dated example.
    shown_and_checked("tests/fixtures/language/amendment.policy", "language");
}
