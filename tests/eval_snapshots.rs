//! Every policy in policies/ against every profile in examples/, snapshotted:
//! an amendment's effect on outcomes is reviewed as a diff (`cargo insta review`).

mod common;

use common::{avenant, files};

#[test]
fn every_policy_against_every_example_profile() {
    for policy in files("policies").iter().filter(|path| path.ends_with(".policy")) {
        for profile in files("examples") {
            let run = avenant(&["eval", policy, &profile, "--format", "json"]);
            let name = format!("{}__{}", stem(policy), stem(&profile));
            insta::with_settings!({ snapshot_suffix => name, prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!("eval", run.transcript());
            });
        }
    }
}

#[test]
fn the_table_for_people() {
    let run =
        avenant(&["eval", "policies/avenant-7.policy", "examples/dr-a.toml", "examples/gp-solo-outside-zone.toml"]);
    insta::assert_snapshot!(run.transcript());
}

fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('.').next().unwrap_or(name)
}
