//! Every policy in policies/ against every profile in examples/, snapshotted:
//! an amendment's effect on outcomes is reviewed as a diff (`cargo insta review`).

mod common;

use common::{avenant, profile_files};

/// A date under each text: the 2019 text, the règlement arbitral, the 2024
/// convention. The directory of texts picks the one in force.
const DATES: [&str; 3] = ["2022-12-01", "2023-12-01", "2024-10-01"];

#[test]
fn every_example_profile_under_every_text() {
    for on in DATES {
        for profile in profile_files("examples") {
            let run = avenant(&["eval", "policies", &profile, "--on", on, "--format", "json"]);
            let name = format!("{on}__{}", stem(&profile));
            insta::with_settings!({ snapshot_suffix => name, prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!("eval", run.transcript());
            });
        }
    }
}

#[test]
fn the_table_for_people() {
    let run = avenant(&[
        "eval",
        "policies/avenant-7.policy",
        "examples/dr-a.toml",
        "examples/gp-solo-outside-zone.toml",
        // A date of its own, so the snapshot does not change with the day it runs.
        "--on",
        "2026-11-22",
    ]);
    insta::assert_snapshot!(run.transcript());
}

/// Single profiles; populations (CSV) are evaluated in batch.
fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('.').next().unwrap_or(name)
}
