//! The synthetic population: deterministic from its seed, and calibrated to
//! the public figures its documentation claims.

mod common;

use common::avenant;

fn population(size: &str, seed: &str) -> String {
    let run = avenant(&["population", "--size", size, "--seed", seed]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    run.stdout
}

#[test]
fn the_same_seed_gives_the_same_file() {
    assert_eq!(population("2000", "42"), population("2000", "42"));
    assert_ne!(population("2000", "42"), population("2000", "43"));
}

#[test]
fn the_shipped_population_is_the_one_its_seed_gives() {
    let shipped = std::fs::read_to_string(common::root().join("examples/population-10000.csv")).unwrap_or_default();
    assert_eq!(shipped, population("10000", "2019"), "regenerate with: avenant population --size 10000 --seed 2019");
}

/// Shares measured on 40 000 physicians, with the tolerance sampling allows.
#[test]
fn the_population_matches_the_public_figures() {
    let text = population("40000", "7");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().cloned().unwrap_or_default();
    let column = |name: &str| headers.iter().position(|header| header == name).unwrap_or(usize::MAX);
    let (specialty, zone, mt, signed, option) = (
        column("specialty"),
        column("zone"),
        column("patientele_mt"),
        column("contract_signed"),
        column("contract_option"),
    );
    let rows: Vec<csv::StringRecord> = reader.records().map_while(Result::ok).collect();
    let share = |count: usize, of: usize| count as f64 / of.max(1) as f64;
    let gps: Vec<&csv::StringRecord> = rows.iter().filter(|row| &row[specialty] == "medecine_generale").collect();
    let signatories: Vec<&csv::StringRecord> = rows.iter().filter(|row| !row[signed].is_empty()).collect();
    let gp_signatories = gps.iter().filter(|row| !row[signed].is_empty()).count();
    let below_p30 = gps.iter().filter(|row| row[mt].parse::<u32>().unwrap_or(0) <= 640).count();
    let in_zip = signatories.iter().filter(|row| &row[zone] == "zip").count();
    let early: Vec<&&csv::StringRecord> = signatories.iter().filter(|row| &row[signed] < "2023-05-01").collect();
    let one_third = early.iter().filter(|row| &row[option] == "option_1").count();
    let late_one_third =
        signatories.iter().filter(|row| &row[signed] >= "2023-05-01" && &row[option] == "option_1").count();
    // Float shares are fine here: they measure the sample, they are no amount.
    let checks = [
        ("GPs among physicians", share(gps.len(), rows.len()), 0.67),
        ("GPs at or below P30", share(below_p30, gps.len()), 0.30),
        ("GPs with a contract", share(gp_signatories, gps.len()), 0.145),
        ("signatories in a ZIP", share(in_zip, signatories.len()), 0.57),
        ("1/3 ETP among contracts before May 2023", share(one_third, early.len()), 0.332),
    ];
    for (what, measured, expected) in checks {
        assert!((measured - expected).abs() < 0.02, "{what}: {measured:.3}, expected {expected}");
    }
    assert_eq!(late_one_third, 0, "no 1/3 ETP contract is signed from May 2023");
}
