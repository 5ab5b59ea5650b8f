//! Draft texts: a text whose header says `status proposal` sits beside the
//! texts in force but is never picked by date; it is evaluated, explained and
//! shown only when asked for by name (`--proposal NAME`, or its file).

mod common;

use common::{avenant, files, profile_files};

/// After the proposal's own `effective` date, so that only its status keeps
/// it out of force.
const AFTER_THE_PROPOSAL: &str = "2027-03-01";

/// An outcome as JSON, without the path of the policy given (a file or its directory).
fn json(args: &[&str]) -> serde_json::Value {
    let run = avenant(args);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let parsed = serde_json::from_str::<serde_json::Value>(&run.stdout);
    assert!(parsed.is_ok(), "not JSON:\n{}", run.transcript());
    let mut json = parsed.unwrap_or_default();
    json["policy"]["file"] = serde_json::Value::Null;
    json
}

fn profiles() -> Vec<String> {
    profile_files("examples")
}

#[test]
fn a_proposal_in_the_directory_changes_no_outcome() {
    let proposals = files("policies")
        .into_iter()
        .filter(|path| std::fs::read_to_string(path).is_ok_and(|text| text.contains("status proposal")))
        .count();
    assert!(proposals > 0, "policies/ holds no proposal: this test would prove nothing");
    for profile in profiles() {
        let directory = json(&["eval", "policies", &profile, "--on", AFTER_THE_PROPOSAL, "--format", "json"]);
        let in_force = json(&[
            "eval",
            "policies/convention-2024.policy",
            &profile,
            "--on",
            AFTER_THE_PROPOSAL,
            "--format",
            "json",
        ]);
        assert_eq!(directory, in_force, "{profile}");
    }
}

#[test]
fn a_proposal_is_evaluated_when_named() {
    let args = |extra: &[&'static str]| {
        let mut args = vec!["eval", "policies", "examples/dr-b.json", "--on", AFTER_THE_PROPOSAL, "--format", "json"];
        args.extend_from_slice(extra);
        args
    };
    let by_name = json(&args(&["--proposal", "proposition_2026"]));
    assert_eq!(by_name["policy"]["name"], "proposition_2026", "{by_name}");
    let by_file = json(&[
        "eval",
        "policies/proposition-2026.policy",
        "examples/dr-b.json",
        "--on",
        AFTER_THE_PROPOSAL,
        "--format",
        "json",
    ]);
    assert_eq!(by_name, by_file);
    assert_ne!(by_name["policy"], json(&args(&[]))["policy"]);
}

#[test]
fn an_unknown_proposal_is_refused_with_the_names_there_are() {
    let run = avenant(&["eval", "policies", "examples/dr-a.toml", "--proposal", "proposition_2062"]);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn a_proposal_not_yet_in_effect_on_the_date_is_refused() {
    let run =
        avenant(&["eval", "policies", "examples/dr-a.toml", "--proposal", "proposition_2026", "--on", "2026-01-01"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("`proposition_2026` takes effect on 2026-07-01, after 2026-01-01"),
        "{}",
        run.transcript()
    );
}

#[test]
fn show_and_explain_take_the_proposal_by_name() {
    let shown = avenant(&["show", "policies", "--proposal", "proposition_2026"]);
    assert_eq!(shown.code, 0, "{}", shown.transcript());
    assert!(shown.stdout.starts_with("# proposition_2026 as proposed: avenant_7 → "), "{}", shown.stdout);
    let in_force = avenant(&["show", "policies", "--on", AFTER_THE_PROPOSAL]);
    assert!(in_force.stdout.starts_with("# convention_2024 as in force: "), "{}", in_force.stdout);
    let explained = avenant(&[
        "explain",
        "policies",
        "examples/dr-a.toml",
        "--proposal",
        "proposition_2026",
        "--on",
        AFTER_THE_PROPOSAL,
    ]);
    assert_eq!(explained.code, 0, "{}", explained.transcript());
    assert!(explained.stdout.contains("proposition_2026"), "{}", explained.stdout);
}

#[test]
fn check_and_test_on_the_directory_include_the_proposal() {
    let checked = avenant(&["check", "policies"]);
    assert_eq!(checked.code, 0, "{}", checked.transcript());
    let tested = avenant(&["test", "policies"]);
    assert_eq!(tested.code, 0, "{}", tested.transcript());
    let proposal = tested.stdout.lines().find(|line| line.starts_with("policies/proposition-2026.policy: "));
    assert!(proposal.is_some_and(|line| line.ends_with(" example(s)")), "{}", tested.stdout);
}

/// The review a decision-maker asks for: the text in force against the 2026
/// draft, over the shipped population, with a drawn value for the field the
/// draft adds and a stated take-up for its new option. The summary shows the
/// new option's cost, the losses by the condition that caused them, running
/// and new contracts apart, and every assumption beside the budget.
#[test]
fn the_draft_is_reviewed_against_the_text_in_force() {
    let run = avenant(&[
        "diff",
        "policies/",
        "policies/",
        "--proposal-new",
        "proposition_2026",
        "--profiles",
        "examples/population-10000.csv",
        "--on",
        "2026-09-01",
        "--draw",
        "new_patients_commitment=bernoulli(60%)",
        "--seed",
        "7",
        "--take-up",
        "option_4=10%",
        "--allow-rejects",
        "--errors",
        "/dev/null",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    for expected in [
        "options only in the new text",
        "option_4 open (new only)",
        "eligibility: new_patients_commitment",
        "by contract",
        "option_4: 10 % (given (--take-up))",
        "assumed for every row: --draw new_patients_commitment=bernoulli(60%) (seed 7)",
    ] {
        assert!(run.stdout.contains(expected), "`{expected}` missing:\n{}", run.stdout);
    }
    insta::assert_snapshot!(run.stdout);
}
