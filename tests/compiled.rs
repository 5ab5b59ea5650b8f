//! The compiled evaluator against the reference, exactly: every output,
//! every certainty, every assumption and every error, under every text of
//! the chain and on dates that fall in different contract years, on each
//! example and on a generated population that walks every branch.

// Helpers fail loudly: a comparison that cannot run must not pass.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::Path;

use avenant::eval::compiled::CompiledPolicy;
use avenant::eval::differential;

use avenant::check::Value;
use avenant::eval::{EvalError, Outcome};
use avenant::output::{Subject, json};
use avenant::{CheckedPolicy, Profile, ProfileInput};

/// Dates under each text, in different contract years of the contracts generated.
const DATES: [jiff::civil::Date; 3] =
    [jiff::civil::date(2020, 1, 1), jiff::civil::date(2023, 12, 1), jiff::civil::date(2024, 10, 1)];

/// Every text of `policies/`, each with the texts it amends.
fn texts() -> Vec<avenant::Loaded> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["avenant-7", "reglement-arbitral-2023", "convention-2024"]
        .iter()
        .map(|name| avenant::load_text(&root.join(format!("policies/{name}.policy"))).unwrap())
        .collect()
}

/// Both compiled evaluators on one profile, against the reference: the
/// same JSON, or the same error. `fast` is the profile's outcome when the
/// profiles were run many at a time.
fn assert_agree(
    policy: &CheckedPolicy,
    compiled: &CompiledPolicy<'_>,
    profile: &Profile,
    on: jiff::civil::Date,
    many: Result<Outcome, EvalError>,
    what: &str,
) {
    let mut scratch = compiled.scratch();
    let one = compiled
        .evaluate(profile.values(), on, &mut scratch)
        .and_then(|()| compiled.outcome(&scratch, profile.values()));
    for (fast, how) in [(one, "one at a time"), (many, "many at a time")] {
        let subject = Subject {
            profile_file: what,
            profile_name: profile.name.as_deref(),
            policy_file: "policy",
            chain: &[],
            on,
        };
        let what = format!("{what}, {how}");
        match (avenant::evaluate(policy, profile, on), fast) {
            (Ok(reference), Ok(fast)) => {
                assert_eq!(
                    json::outcome(policy, &subject, &fast),
                    json::outcome(policy, &subject, &reference),
                    "{what}"
                );
            }
            (Err(reference), Err(fast)) => {
                assert_eq!((fast.code(), fast.message()), (reference.code(), reference.message()), "{what}");
                assert_eq!(
                    policy.sources().location(fast.span()),
                    policy.sources().location(reference.span()),
                    "{what}"
                );
            }
            (reference, fast) => panic!("{what}: the reference gave {reference:?}, the compiled evaluator {fast:?}"),
        }
    }
}

/// Every profile's outcome, the profiles run many at a time.
fn evaluate_many(
    compiled: &CompiledPolicy<'_>,
    profiles: &[Profile],
    on: jiff::civil::Date,
) -> Vec<Result<Outcome, EvalError>> {
    let rows: Vec<&[Option<Value>]> = profiles.iter().map(Profile::values).collect();
    let mut outcomes = Vec::new();
    let (mut lanes, mut scratch) = (compiled.lanes(), compiled.scratch());
    let set_aside = compiled.evaluate_each(&rows, on, &mut lanes, &mut scratch, |position, result| {
        assert_eq!(position, outcomes.len(), "outcomes are handed over in order");
        outcomes.push(result.and_then(|outcome| compiled.outcome(outcome, rows[position])));
    });
    assert_eq!(outcomes.len(), profiles.len());
    // Only a profile whose evaluation fails leaves the lanes.
    assert_eq!(set_aside, outcomes.iter().filter(|outcome| outcome.is_err()).count());
    outcomes
}

#[test]
fn every_example_agrees() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for loaded in texts() {
        let compiled = CompiledPolicy::new(&loaded.policy);
        let mut profiles = Vec::new();
        for folder in ["examples", "tests/fixtures/profiles"] {
            for entry in std::fs::read_dir(root.join(folder)).unwrap() {
                let path = entry.unwrap().path();
                let Ok(text) = String::from_utf8(std::fs::read(&path).unwrap()) else { continue };
                let Ok(input) = ProfileInput::parse(&path, &text) else { continue };
                let Ok(profile) = Profile::validate_with(&loaded.policy, &input, &loaded.family_fields) else {
                    continue;
                };
                profiles.push((path, profile));
            }
        }
        let (paths, profiles): (Vec<_>, Vec<_>) = profiles.into_iter().unzip();
        for on in DATES {
            match differential::compare(&loaded.policy, &compiled, &profiles, on, 2019) {
                Ok(compared) => count += compared,
                Err(disagreement) => {
                    let path = paths.get(disagreement.profile).map(|path| path.display().to_string());
                    panic!("{} under {} on {on}: {disagreement}", path.unwrap_or_default(), loaded.policy.header().name)
                }
            }
        }
    }
    assert!(count >= 100, "only {count} evaluations compared");
}

#[test]
fn a_generated_population_agrees() {
    for loaded in texts() {
        let policy = &loaded.policy;
        let compiled = CompiledPolicy::new(policy);
        let specialties: Vec<&str> = policy
            .enums()
            .iter()
            .find(|e| e.name == "specialty")
            .unwrap()
            .variants
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        let signed = ["2019-09-01", "2021-02-28", "2022-09-01", "2023-04-30", "2023-05-01", "2024-06-21", "2024-06-22"];
        let options = ["option_1", "option_2", "option_3"];
        let mut profiles = Vec::new();
        for (row, mut document) in common::generated_profiles(2000, 0x5eed_2019, &specialties).into_iter().enumerate() {
            // A running contract for a third of them, on the dates where the texts change.
            if row % 3 == 0 {
                document["contract_signed"] = serde_json::json!(signed[row % signed.len()]);
                document["contract_option"] = serde_json::json!(options[row % options.len()]);
            }
            if row % 5 == 0 {
                document["clinical_fee_share"] = serde_json::json!(format!("{} %", 60 + row % 40));
            }
            let text = document.to_string();
            let input = ProfileInput::parse(Path::new("generated.json"), &text).unwrap();
            let Ok(profile) = Profile::validate_with(policy, &input, &loaded.family_fields) else { continue };
            profiles.push((format!("row {row}: {text}"), profile));
        }
        let (rows, profiles): (Vec<_>, Vec<_>) = profiles.into_iter().unzip();
        for on in DATES {
            if let Err(disagreement) = differential::compare(policy, &compiled, &profiles, on, 0x5eed) {
                let row = rows.get(disagreement.profile).cloned().unwrap_or_default();
                panic!("{row} under {} on {on}: {disagreement}", policy.header().name);
            }
        }
    }
}

#[test]
fn buffers_made_for_another_text_change_nothing() {
    let texts = texts();
    let (first, last) = (&texts[0].policy, &texts[2].policy);
    let (made_for, used_on) = (CompiledPolicy::new(first), CompiledPolicy::new(last));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("examples/dr-a.toml")).unwrap();
    let input = ProfileInput::parse(Path::new("dr-a.toml"), &text).unwrap();
    let profile = Profile::validate_with(last, &input, &texts[2].family_fields).unwrap();
    let on = DATES[2];
    let rows = vec![profile.values(); 3];
    let (mut lanes, mut scratch) = (made_for.lanes(), made_for.scratch());
    let mut outcomes = Vec::new();
    // Buffers made for another text are made anew for this one.
    let set_aside = used_on.evaluate_each(&rows, on, &mut lanes, &mut scratch, |position, outcome| {
        outcomes.push(outcome.and_then(|outcome| used_on.outcome(outcome, rows[position])));
    });
    assert_eq!(set_aside, 0);
    assert_eq!(outcomes.len(), 3);
    let mut foreign = made_for.scratch();
    let alone =
        used_on.evaluate(profile.values(), on, &mut foreign).and_then(|()| used_on.outcome(&foreign, profile.values()));
    outcomes.push(alone);
    for outcome in outcomes {
        assert_agree(last, &used_on, &profile, on, outcome, "dr-a.toml with another text's buffers");
    }
}

/// A field named in several places is read once per profile, into one
/// register; when the profile lacks it, the error still points at the
/// reading that ran first, not at the one whose register is shared.
#[test]
fn a_missing_field_is_reported_where_it_was_first_read() {
    let text = r#"
policy shared_field { title "A field read in three places" }
profile { specialty_code: number  patients_seen: patients? }
rule later: patients = patients_seen + 1
output first = patients_seen * 2
output second = later
output third = if specialty_code > 0 then patients_seen else 0
"#;
    let policy = avenant::compile(Path::new("shared-field.policy"), text).unwrap();
    let compiled = CompiledPolicy::new(&policy);
    let on = DATES[0];
    let profiles: Vec<Profile> = [r#"{"specialty_code": 1, "patients_seen": 7}"#, r#"{"specialty_code": 1}"#]
        .iter()
        .map(|json| {
            let input = ProfileInput::parse(Path::new("profile.json"), json).unwrap();
            Profile::validate(&policy, &input).unwrap()
        })
        .collect();
    let outcomes = evaluate_many(&compiled, &profiles, on);
    assert!(outcomes[0].is_ok() && outcomes[1].is_err());
    let error = outcomes[1].as_ref().unwrap_err();
    let location = policy.sources().location(error.span());
    assert!(location == "shared-field.policy:5:16", "the first reading to run is `output first`'s: {location}");
    for (profile, many) in profiles.iter().zip(outcomes) {
        assert_agree(&policy, &compiled, profile, on, many, "shared-field.policy");
    }
}

/// A table read with several keys: a constant key before a varying one, and
/// two varying keys. Each lane's row must be the one the reference reads.
#[test]
fn table_keys_in_any_position_read_the_right_row() {
    let text = r#"
policy table_keys { title "Tables read by several keys" }
enum level { low  high }
enum size { small  medium  large }
profile { level: level  size: size }
table amount(level: level, size: size) -> euros
{
  | low  | small  | 10 € |
  | low  | medium | 20 € |
  | low  | large  | 30 € |
  | high | small  | 40 € |
  | high | medium | 50 € |
  | high | large  | 60 € |
}
output constant_first = amount[high, size]
output constant_last = amount[level, medium]
output both_vary = amount[level, size]
"#;
    let policy = avenant::compile(Path::new("table-keys.policy"), text).unwrap();
    let compiled = CompiledPolicy::new(&policy);
    let mut profiles = Vec::new();
    for level in ["low", "high"] {
        for size in ["small", "medium", "large"] {
            let json = format!(r#"{{"level": "{level}", "size": "{size}"}}"#);
            let input = ProfileInput::parse(Path::new("profile.json"), &json).unwrap();
            profiles.push(Profile::validate(&policy, &input).unwrap());
        }
    }
    let outcomes = evaluate_many(&compiled, &profiles, DATES[0]);
    let euros = |outcome: &Outcome, name: &str| match outcome.get(name) {
        Some(avenant::OutputValue::Number { value, .. }) => value.to_string(),
        other => panic!("{name}: {other:?}"),
    };
    let read: Vec<[String; 3]> = outcomes
        .iter()
        .map(|outcome| {
            let outcome = outcome.as_ref().unwrap();
            [euros(outcome, "constant_first"), euros(outcome, "constant_last"), euros(outcome, "both_vary")]
        })
        .collect();
    // Profiles in order: low small, low medium, low large, high small, high medium, high large.
    let expected = [
        ["40", "20", "10"],
        ["50", "20", "20"],
        ["60", "20", "30"],
        ["40", "50", "40"],
        ["50", "50", "50"],
        ["60", "50", "60"],
    ];
    assert_eq!(read, expected.map(|row| row.map(str::to_owned)));
    for (profile, many) in profiles.iter().zip(outcomes) {
        assert_agree(&policy, &compiled, profile, DATES[0], many, "table-keys.policy");
    }
}
