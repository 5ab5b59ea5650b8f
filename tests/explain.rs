//! `avenant explain`: the derivation of every figure of the seed's worked
//! cases, snapshotted as an auditor reads it.

mod common;

use common::avenant;

const POLICY: &str = "policies/avenant-7.policy";

#[test]
fn every_worked_case_of_the_seed_is_explained() {
    for (name, profile) in [
        ("dr-a", "examples/dr-a.toml"),
        ("dr-b", "examples/dr-b.json"),
        ("dr-c", "examples/dr-c.yaml"),
        ("dr-d", "examples/dr-d.toml"),
        ("dr-e", "examples/dr-e.yml"),
    ] {
        let run = avenant(&["explain", POLICY, profile]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        insta::with_settings!({ snapshot_suffix => name, omit_expression => true }, {
            insta::assert_snapshot!("explain", run.transcript());
        });
    }
}

#[test]
fn an_ineligible_physician_is_told_which_condition_failed_and_why() {
    let run = avenant(&["explain", POLICY, "examples/gp-too-few-patients.toml", "--output", "eligible"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn one_output_by_its_path_as_json() {
    let run = avenant(&[
        "explain",
        POLICY,
        "examples/dr-a.toml",
        "--output",
        "options.option_1.target_file_active",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let output = &json["outputs"][0];
    assert_eq!(output["id"], "output:options.option_1.target_file_active");
    assert_eq!(output["value"], 260);
    let rule = &output["reads"][1];
    assert_eq!(rule["id"], "rule:target_file_active[option_1]");
    assert_eq!(rule["expression"], "round(file_active * target_rate[o], half_up)");
    assert_eq!(
        rule["reads"][0],
        serde_json::json!({ "id": "field:file_active", "kind": "field", "name": "file_active", "value": 1300, "certainty": "established" })
    );
}

#[test]
fn an_unknown_output_is_a_usage_error() {
    let run = avenant(&["explain", POLICY, "examples/dr-a.toml", "--output", "options.option_9"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("no output `options.option_9`"), "{}", run.stderr);
}

#[test]
fn an_example_of_the_policy_is_explained_by_its_name() {
    let run = avenant(&["explain", POLICY, "dr_b", "--output", "options.option_1.target_file_active"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("options.option_1.target_file_active = 156"), "{}", run.stdout);
    assert!(run.stdout.contains("field file_active = 2081  (profile)"), "{}", run.stdout);
}

#[test]
fn the_json_form_is_stable_for_programs() {
    let run =
        avenant(&["explain", POLICY, "dr_a", "--output", "options.option_2.aid.year_3_and_after", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    insta::assert_snapshot!(run.stdout);
}
