//! The chain of texts: 2019 (Avenant 7), the règlement arbitral in force on
//! 1 May 2023, the Convention médicale in force on 22 June 2024. Each text's
//! effect on the example profiles, and the text in force on each date.

mod common;

use common::{assumed_values, avenant, eval_json};
use serde_json::json;

const TEXTS: &str = "policies";
const IN_2019: &str = "2022-12-01";
const IN_2023: &str = "2023-12-01";
const IN_2024: &str = "2024-10-01";

#[test]
fn the_directory_gives_the_text_in_force_on_each_date() {
    let cases = [
        ("2019-08-21", "avenant_7"),
        ("2023-04-30", "avenant_7"),
        ("2023-05-01", "reglement_arbitral_2023"),
        ("2024-06-21", "reglement_arbitral_2023"),
        ("2024-06-22", "convention_2024"),
        ("2026-01-01", "convention_2024"),
    ];
    for (on, text) in cases {
        let outcome = eval_json(TEXTS, "examples/dr-b.json", on);
        assert_eq!(outcome["policy"]["name"], json!(text), "on {on}");
    }
    let outcome = eval_json(TEXTS, "examples/dr-b.json", IN_2024);
    assert_eq!(outcome["policy"]["texts"], json!(["avenant_7", "reglement_arbitral_2023", "convention_2024"]));
}

#[test]
fn before_the_first_text_nothing_is_in_force() {
    let run = avenant(&["eval", TEXTS, "examples/dr-a.toml", "--on", "2019-01-01"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("no text in `policies` is in force on 2019-01-01"), "{}", run.stderr);
}

#[test]
fn a_text_named_before_it_takes_effect_is_refused() {
    let run = avenant(&["eval", "policies/convention-2024.policy", "examples/dr-a.toml", "--on", "2023-01-01"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("`convention_2024` takes effect on 2024-06-22, after 2023-01-01"), "{}", run.stderr);
}

#[test]
fn a_gp_with_700_patients_is_eligible_in_2019_not_from_2023() {
    assert_eq!(eval_json(TEXTS, "examples/dr-a.toml", IN_2019)["eligible"], json!(true));
    let outcome = eval_json(TEXTS, "examples/dr-a.toml", IN_2023);
    assert_eq!(outcome["eligible"], json!(false));
    assert_eq!(outcome["failed_conditions"][0]["name"], json!("activity_threshold"));
}

#[test]
fn full_time_outside_a_zone_sous_dense_opens_in_2023() {
    let profile = "examples/gp-option-3-outside-zone.yaml";
    assert_eq!(eval_json(TEXTS, profile, IN_2019)["options"]["option_3"]["open"], json!(false));
    let outcome = eval_json(TEXTS, profile, IN_2023);
    assert_eq!(outcome["options"]["option_3"]["open"], json!(true));
    assert_eq!(outcome["options"]["option_3"]["aid"]["year_1"], json!("36000.00"));
}

#[test]
fn a_gp_practising_alone_becomes_eligible_in_2023() {
    let profile = "examples/gp-solo-outside-zone.toml";
    assert_eq!(eval_json(TEXTS, profile, IN_2019)["eligible"], json!(false));
    assert_eq!(eval_json(TEXTS, profile, IN_2023)["eligible"], json!(true));
}

#[test]
fn new_contracts_lose_the_one_third_option_in_2023() {
    let outcome = eval_json(TEXTS, "examples/gp-option-3-outside-zone.yaml", IN_2023);
    assert_eq!(outcome["options"]["option_1"]["open"], json!(false));
    assert_eq!(
        outcome["options"]["option_1"]["failed_conditions"][0]["name"],
        json!("one_third_for_running_contracts_only")
    );
    // A contract signed in 2022 keeps it.
    let running = eval_json(TEXTS, "examples/one-third-contract-2022.toml", IN_2023);
    assert_eq!(running["options"]["option_1"]["open"], json!(true));
}

#[test]
fn excluded_specialties_and_surgeons_from_2023() {
    let radiologist = eval_json(TEXTS, "examples/radiologist.toml", IN_2023);
    assert_eq!(radiologist["eligible"], json!(false));
    assert_eq!(radiologist["failed_conditions"][0]["name"], json!("specialty_admitted"));
    for on in [IN_2023, IN_2024] {
        assert_eq!(eval_json(TEXTS, "examples/surgeon-85-percent-clinical.yaml", on)["eligible"], json!(true), "{on}");
        let surgeon = eval_json(TEXTS, "examples/surgeon-70-percent-clinical.yaml", on);
        assert_eq!(surgeon["failed_conditions"][0]["name"], json!("clinical_activity"), "{on}");
    }
}

#[test]
fn the_2024_amounts_reach_a_running_contract_from_its_anniversary() {
    // Signed 1 September 2022: years 1 and 2 began before 22 June 2024, year 3
    // on 1 September 2024, after it.
    let outcome = eval_json(TEXTS, "examples/one-third-contract-2022.toml", IN_2024);
    assert_eq!(outcome["contract_year"], json!("3"));
    assert_eq!(
        outcome["options"]["option_1"]["aid"],
        json!({ "year_1": "12000.00", "year_2": "9000.00", "year_3_and_after": "7350.00" })
    );
    // Under the 2023 text, on 1 December 2023, it was in year 2 at the 2019 amounts.
    let before = eval_json(TEXTS, "examples/one-third-contract-2022.toml", IN_2023);
    assert_eq!(before["contract_year"], json!("2"));
    assert_eq!(before["options"]["option_1"]["aid"]["year_3_and_after"], json!("7000.00"));
}

#[test]
fn a_contract_signed_after_june_2024_gets_the_2024_amounts_from_year_1() {
    let outcome = eval_json(TEXTS, "examples/new-contract-2024-09.toml", IN_2024);
    assert_eq!(
        outcome["options"]["option_2"]["aid"],
        json!({ "year_1": "19000.00", "year_2": "14000.00", "year_3_and_after": "11000.00" })
    );
    assert_eq!(outcome["options"]["option_1"]["open"], json!(false));
}

#[test]
fn the_2024_amounts_between_p90_and_p95_and_above_p95() {
    let p90 = eval_json(TEXTS, "examples/gp-p90-p95.json", IN_2024);
    assert_eq!(p90["band"], json!("p90_p95"));
    assert_eq!(p90["options"]["option_3"]["aid"]["year_3_and_after"], json!("26000.00"));
    let top = eval_json(TEXTS, "examples/gp-top-5-percent.json", IN_2024);
    assert_eq!(
        top["options"]["option_2"]["aid"],
        json!({ "year_1": "19000.00", "year_2": "19000.00", "year_3_and_after": "19000.00" })
    );
}

#[test]
fn the_2024_targets_are_flagged_as_assumed() {
    // Dr B's targets under 2024 read the growth table the 2024 text relaxed
    // without publishing: every one rests on an assumption. Option 1 is
    // closed to a new contract, so its target is not computed at all.
    let outcome = eval_json(TEXTS, "examples/dr-b.json", IN_2024);
    assert_eq!(outcome["certainty"]["options"], json!("assumed"));
    let assumed: Vec<String> =
        assumed_values(&outcome).into_iter().filter(|value| value.starts_with("growth_rate[")).collect();
    assert_eq!(assumed, ["growth_rate[p70_p90, option_2]", "growth_rate[p70_p90, option_3]"]);
}
