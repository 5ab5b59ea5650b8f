//! The worked cases of seed 000 (Assurance Maladie, 29 September 2020), to the
//! euro and to the patient, as `avenant eval --format json` gives them.

mod common;

use common::{assumed_values, eval_json};
use serde_json::{Value, json};

const POLICY: &str = "policies/avenant-7.policy";
/// A date when the 2019 text was in force.
const ON: &str = "2020-01-01";

/// One row of the table in ../shared/domain/rules.md.
struct Case {
    profile: &'static str,
    option: &'static str,
    target_file_active: i64,
    target_patientele_mt: Option<i64>,
    aid: [&'static str; 3],
}

const CASES: [Case; 9] = [
    Case {
        profile: "examples/dr-a.toml",
        option: "option_1",
        target_file_active: 260,
        target_patientele_mt: Some(140),
        aid: ["12000.00", "9000.00", "7000.00"],
    },
    Case {
        profile: "examples/dr-a.toml",
        option: "option_2",
        target_file_active: 325,
        target_patientele_mt: Some(175),
        aid: ["18000.00", "13500.00", "10500.00"],
    },
    Case {
        profile: "examples/dr-a.toml",
        option: "option_3",
        target_file_active: 455,
        target_patientele_mt: Some(245),
        aid: ["36000.00", "27000.00", "21000.00"],
    },
    Case {
        profile: "examples/dr-b.json",
        option: "option_1",
        target_file_active: 156,
        target_patientele_mt: Some(94),
        aid: ["12000.00", "9000.00", "7000.00"],
    },
    Case {
        profile: "examples/dr-b.json",
        option: "option_2",
        target_file_active: 260,
        target_patientele_mt: Some(157),
        aid: ["18000.00", "13500.00", "10500.00"],
    },
    Case {
        profile: "examples/dr-b.json",
        option: "option_3",
        target_file_active: 416,
        target_patientele_mt: Some(252),
        aid: ["36000.00", "27000.00", "21000.00"],
    },
    Case {
        profile: "examples/dr-c.yaml",
        option: "option_1",
        target_file_active: 210,
        target_patientele_mt: None,
        aid: ["12000.00", "9000.00", "7000.00"],
    },
    Case {
        profile: "examples/dr-d.toml",
        option: "option_2",
        target_file_active: 215,
        target_patientele_mt: None,
        aid: ["18000.00", "13500.00", "10500.00"],
    },
    Case {
        profile: "examples/dr-e.yml",
        option: "option_3",
        target_file_active: 1100,
        target_patientele_mt: None,
        aid: ["36000.00", "27000.00", "21000.00"],
    },
];

#[test]
fn every_worked_case_of_the_seed_comes_out_exact() {
    for case in &CASES {
        let outcome = eval_json(POLICY, case.profile, ON);
        let option = &outcome["options"][case.option];
        let context = format!("{} {}", case.profile, case.option);
        assert_eq!(outcome["eligible"], json!(true), "{context}: eligible");
        assert_eq!(option["open"], json!(true), "{context}: open");
        assert_eq!(option["target_file_active"], json!(case.target_file_active), "{context}: file active target");
        let expected_mt = case.target_patientele_mt.map_or(Value::Null, |target| json!(target));
        assert_eq!(option["target_patientele_mt"], expected_mt, "{context}: patientèle MT target");
        let [year_1, year_2, year_3] = case.aid;
        assert_eq!(
            option["aid"],
            json!({ "year_1": year_1, "year_2": year_2, "year_3_and_after": year_3 }),
            "{context}: aid"
        );
    }
}

#[test]
fn fte_of_each_option_is_as_the_text_names_it() {
    let outcome = eval_json(POLICY, "examples/dr-a.toml", ON);
    let ftes: Vec<&Value> =
        ["option_1", "option_2", "option_3"].iter().map(|option| &outcome["options"][*option]["fte"]).collect();
    assert_eq!(ftes, [&json!("1/3"), &json!("1/2"), &json!("1")]);
}

#[test]
fn option_3_is_closed_outside_a_zone_sous_dense() {
    let outcome = eval_json(POLICY, "examples/gp-option-3-outside-zone.yaml", ON);
    assert_eq!(outcome["eligible"], json!(true));
    assert_eq!(outcome["options"]["option_1"]["open"], json!(true));
    assert_eq!(outcome["options"]["option_3"]["open"], json!(false));
    assert_eq!(outcome["options"]["option_3"]["aid"], Value::Null);
    assert_eq!(outcome["options"]["option_3"]["failed_conditions"][0]["name"], json!("full_time_in_underserved_zone"));
}

#[test]
fn ineligible_physicians_are_told_which_conditions_failed() {
    let cases = [
        ("examples/gp-too-few-patients.toml", vec!["activity_threshold"]),
        ("examples/cardiologist-secteur-2-without-optam.json", vec!["sector_agreement"]),
        ("examples/gp-solo-outside-zone.toml", vec!["coordinated_practice", "grouped_practice"]),
    ];
    for (profile, expected) in cases {
        let outcome = eval_json(POLICY, profile, ON);
        assert_eq!(outcome["eligible"], json!(false), "{profile}");
        let failed: Vec<&str> = outcome["failed_conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|failure| failure["name"].as_str())
            .collect();
        assert_eq!(failed, expected, "{profile}");
        for option in ["option_1", "option_2", "option_3"] {
            assert_eq!(outcome["options"][option]["open"], json!(false), "{profile} {option}");
        }
    }
}

#[test]
fn above_p95_every_year_pays_the_first_year_amount() {
    let outcome = eval_json(POLICY, "examples/gp-top-5-percent.json", ON);
    assert_eq!(outcome["band"], json!("above_p95"));
    assert_eq!(
        outcome["options"]["option_2"]["aid"],
        json!({ "year_1": "18000.00", "year_2": "18000.00", "year_3_and_after": "18000.00" })
    );
}

#[test]
fn an_outcome_that_rests_on_an_assumed_value_says_so() {
    // Dr A's band rests on the GP P50 threshold, which no source gives.
    let outcome = eval_json(POLICY, "examples/dr-a.toml", ON);
    assert_eq!(outcome["certainty"]["band"], json!("assumed"));
    assert_eq!(outcome["certainty"]["options"], json!("assumed"));
    let assumed = assumed_values(&outcome);
    assert_eq!(assumed, ["percentiles[medecine_generale].p50"]);
}
