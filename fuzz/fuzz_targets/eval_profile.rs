//! Fuzz target: arbitrary bytes as a profile (JSON, YAML and TOML in turn),
//! validated against every text of policies/ (tolerating, as the CLI does,
//! the fields its family's other texts declare) and evaluated. Reading must
//! refuse or accept within its bounds (bytes, nesting, values), never round
//! a number; evaluation must give an outcome or a located error, and
//! the compiled evaluator must give exactly what the reference gives, one
//! profile at a time and many at a time (the fuzzed profile in lanes beside
//! the examples of examples/, so that the lanes part ways), as the one
//! differential harness, `avenant::eval::differential`, compares them.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// Every text of policies/ that loads, in name order.
fn texts() -> Vec<avenant::Loaded> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
    let mut paths: Vec<_> = std::fs::read_dir(&folder)
        .map(|entries| entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths.iter().filter_map(|path| avenant::load_text(path).ok()).collect()
}

fn policies() -> &'static Vec<avenant::CheckedPolicy> {
    static POLICIES: OnceLock<Vec<avenant::CheckedPolicy>> = OnceLock::new();
    POLICIES.get_or_init(|| texts().into_iter().map(|loaded| loaded.policy).collect())
}

/// The fields each text's family declares, as loading gives them to the CLI.
fn families() -> &'static Vec<Vec<String>> {
    static FAMILIES: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    FAMILIES.get_or_init(|| texts().into_iter().map(|loaded| loaded.family_fields).collect())
}

/// Each text compiled once, for the compiled evaluator.
fn compiled() -> &'static Vec<avenant::eval::compiled::CompiledPolicy<'static>> {
    static COMPILED: OnceLock<Vec<avenant::eval::compiled::CompiledPolicy<'static>>> = OnceLock::new();
    COMPILED.get_or_init(|| policies().iter().map(avenant::eval::compiled::CompiledPolicy::new).collect())
}

/// The profiles of examples/ each text accepts.
fn examples() -> &'static Vec<Vec<avenant::Profile>> {
    static EXAMPLES: OnceLock<Vec<Vec<avenant::Profile>>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let inputs: Vec<avenant::ProfileInput> = std::fs::read_dir(&folder)
            .map(|entries| entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect::<Vec<_>>())
            .unwrap_or_default()
            .iter()
            .filter_map(|path| {
                let text = std::fs::read_to_string(path).ok()?;
                avenant::ProfileInput::parse(path, &text).ok()
            })
            .collect();
        policies()
            .iter()
            .map(|policy| inputs.iter().filter_map(|input| avenant::Profile::validate(policy, input).ok()).collect())
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["fuzz.json", "fuzz.yaml", "fuzz.toml"] {
        let Ok(input) = avenant::ProfileInput::parse(Path::new(name), text) else { continue };
        for (((policy, compiled), family), examples) in policies().iter().zip(compiled()).zip(families()).zip(examples()) {
            let Ok(profile) = avenant::Profile::validate_with(policy, &input, family) else { continue };
            // The fuzzed profile among the examples, so that the lanes part ways.
            let mut profiles = examples.clone();
            profiles.insert(profiles.len() / 2, profile);
            for on in [jiff::civil::date(2020, 1, 1), jiff::civil::date(2024, 10, 1)] {
                if let Err(disagreement) = avenant::eval::differential::compare(policy, compiled, &profiles, on, 7) {
                    panic!("{disagreement}");
                }
            }
        }
    }
});
