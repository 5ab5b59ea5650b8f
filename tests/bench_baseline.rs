//! The speed bench compares avenant with a hand-written program of the 2019
//! rules (`benches/shared/baseline.rs`), and stops if the two write
//! different bytes. This test makes that check on every `cargo test`, on a
//! small population, so that a change to the 2019 policy's outputs shows
//! here rather than the next time someone runs the bench.

// The shared bench code fails loudly, as a benchmark must.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

mod common;

#[path = "../benches/shared/generate.rs"]
mod generate;

#[path = "../benches/shared/baseline.rs"]
mod baseline;

use avenant::batch::{self, Options};
use avenant::eval::compiled::CompiledPolicy;

#[test]
fn the_benchs_baseline_writes_what_avenant_writes() {
    let population = common::scratch("bench-baseline/population.csv", "");
    let folder = population.parent().unwrap().to_owned();
    generate::csv_file(&population, 3_000, 2019);
    let on = jiff::civil::date(2022, 6, 1);

    let theirs = folder.join("baseline.csv");
    baseline::csv_to_csv(&population, &theirs, on).unwrap();

    let text = std::fs::read_to_string(common::root().join("policies/avenant-7.policy")).unwrap();
    let policy = avenant::compile(std::path::Path::new("policies/avenant-7.policy"), &text).unwrap();
    let compiled = CompiledPolicy::new(&policy);
    let mut ours = Vec::new();
    let options = Options { on, ..Options::default() };
    let input = std::fs::File::open(&population).unwrap();
    let summary =
        batch::run(&compiled, input, &mut ours, &options, &mut |error| panic!("{error:?}"), &mut |_| {}).unwrap();
    assert_eq!(summary.rows_rejected, 0);

    let theirs = std::fs::read_to_string(&theirs).unwrap();
    let ours = String::from_utf8(ours).unwrap();
    for (line, (ours, theirs)) in ours.lines().zip(theirs.lines()).enumerate() {
        assert_eq!(ours, theirs, "line {} differs", line + 1);
    }
    assert_eq!(ours.lines().count(), theirs.lines().count());
    // Every kind of outcome is there: contracts in their years 1 to 3, eligible or not.
    for needle in [",true,,", ",false,", "established"] {
        assert!(ours.contains(needle), "no row with {needle}");
    }
}
