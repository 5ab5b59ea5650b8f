//! The language corpus: one small policy per construct in `tests/corpus/`,
//! in the style of jaq's and nickel's test corpora. Each file states its
//! profiles and expected outcomes as `example`s; a file `NAME.jsonl` beside
//! it may add profiles (one JSON object a line) whose outcome is only
//! snapshotted, for errors and cases an example cannot state.
//!
//! For every file: it checks without error; each example passes on the
//! reference evaluator; the reference, the compiled evaluator one profile at
//! a time and the compiled lanes (shuffled, in batches of more than 64)
//! agree on every profile (`avenant::eval::differential`); and what each
//! profile gives (values, certainties, assumptions, or the error with its
//! place) is snapshotted in `tests/snapshots/corpus__each_file@NAME.policy.snap`,
//! so that a change to the language's meaning is reviewed as a diff.
//!
//! To add a case: write `tests/corpus/NAME.policy` (and `NAME.jsonl`), run
//! `cargo insta test --test corpus --review` (or `INSTA_UPDATE=always cargo
//! test --test corpus`), and read the new snapshot before committing it.

// Helpers fail loudly: a corpus file that cannot run must not pass.
#![allow(clippy::panic)]

use std::fmt::Write as _;
use std::path::Path;

use avenant::eval::compiled::CompiledPolicy;
use avenant::eval::differential;
use avenant::eval::{Coverage, run_examples};
use avenant::output::Subject;
use avenant::{CheckedPolicy, Profile, ProfileInput};

/// One profile of a corpus file: an example's, or a line of its `.jsonl`.
struct Case {
    name: String,
    on: jiff::civil::Date,
    profile: Result<Profile, String>,
}

#[test]
fn each_file() {
    let mut files = 0;
    insta::glob!("corpus/*.policy", |path| {
        files += 1;
        let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let shown = Path::new("tests/corpus").join(&name);
        let policy = compile(&shown, path);
        examples_pass(&policy, &name);
        let cases = cases(&policy, &path.with_extension("jsonl"));
        agree(&policy, &cases, &name);
        insta::assert_snapshot!(report(&policy, &cases, &shown));
    });
    assert!(files >= 20, "the corpus has {files} files; it is meant to cover every construct");
}

fn compile(shown: &Path, path: &Path) -> CheckedPolicy {
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    match avenant::compile(shown, &text) {
        Ok(policy) => policy,
        Err(avenant::LoadError::Check { diagnostics, .. }) => {
            let messages: Vec<String> = diagnostics.iter().map(|d| format!("{}: {}", d.code, d.message)).collect();
            panic!("{} does not check:\n{}", shown.display(), messages.join("\n"))
        }
        Err(error) => panic!("{} does not load: {error}", shown.display()),
    }
}

fn examples_pass(policy: &CheckedPolicy, name: &str) {
    let results = run_examples(policy, &mut Coverage::default());
    assert!(!results.is_empty(), "{name} states no example");
    let failures: Vec<String> = results
        .iter()
        .filter(|result| !result.passed())
        .map(|result| {
            let mut lines = vec![format!("example `{}` fails:", result.name)];
            lines.extend(result.mismatches.iter().map(|mismatch| {
                format!("  {}: expected {:?}, got {:?}", mismatch.path, mismatch.expected, mismatch.got)
            }));
            lines.extend(result.error.iter().map(|error| format!("  {}: {}", error.code(), error.message())));
            lines.join("\n")
        })
        .collect();
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
}

fn cases(policy: &CheckedPolicy, extra: &Path) -> Vec<Case> {
    let mut cases: Vec<Case> = policy
        .examples()
        .iter()
        .map(|example| Case {
            name: format!("example {}", example.name),
            on: example.on.unwrap_or_else(|| panic!("example `{}` has no date", example.name)),
            profile: Ok(Profile::from_example(policy, example)),
        })
        .collect();
    let on = cases.first().map(|case| case.on).unwrap_or_else(|| panic!("no example to date the profiles"));
    let Ok(lines) = std::fs::read_to_string(extra) else { return cases };
    for (index, line) in lines.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let profile = ProfileInput::parse(Path::new("profile.json"), line)
            .map_err(|error| format!("{}: {}", error.code, error.message))
            .and_then(|input| {
                Profile::validate(policy, &input).map_err(|errors| {
                    errors
                        .iter()
                        .map(|error| format!("{}: {}", error.code, error.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
            });
        cases.push(Case { name: format!("line {}", index + 1), on, profile });
    }
    cases
}

/// The reference, one at a time and lanes give the same on every date.
fn agree(policy: &CheckedPolicy, cases: &[Case], name: &str) {
    let compiled = CompiledPolicy::new(policy);
    let mut dates: Vec<jiff::civil::Date> = cases.iter().map(|case| case.on).collect();
    dates.sort();
    dates.dedup();
    for on in dates {
        let profiles: Vec<Profile> =
            cases.iter().filter(|case| case.on == on).filter_map(|case| case.profile.clone().ok()).collect();
        let compared = differential::compare(policy, &compiled, &profiles, on, 0x2026)
            .unwrap_or_else(|disagreement| panic!("{name} on {on}: {disagreement}"));
        assert!(compared > 64, "{name} on {on}: only {compared} evaluations compared");
    }
}

/// What each profile gives, as a reader checks it.
fn report(policy: &CheckedPolicy, cases: &[Case], shown: &Path) -> String {
    let mut text = String::new();
    let chain = [policy.header().name.clone()];
    for case in cases {
        let _ = write!(text, "{} on {}: ", case.name, case.on);
        let profile = match &case.profile {
            Ok(profile) => profile,
            Err(rejected) => {
                let _ = writeln!(text, "rejected: {rejected}\n");
                continue;
            }
        };
        match avenant::evaluate(policy, profile, case.on) {
            Ok(outcome) => {
                let subject = Subject {
                    profile_file: &case.name,
                    profile_name: None,
                    policy_file: &shown.to_string_lossy(),
                    chain: &chain,
                    on: case.on,
                };
                let json = avenant::output::json::outcome(policy, &subject, &outcome);
                // The outputs, certainties and assumptions: the profile and policy are the case's.
                let json: serde_json::Map<String, serde_json::Value> = json
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(key, _)| !matches!(key.as_str(), "profile" | "policy"))
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect();
                let pretty = serde_json::to_string_pretty(&json).unwrap_or_else(|error| panic!("{error}"));
                let _ = writeln!(text, "{pretty}\n");
            }
            Err(error) => {
                let at = policy.sources().location(error.span());
                let _ = writeln!(text, "error {} at {at}: {}\n", error.code(), error.message());
            }
        }
    }
    text
}
