//! Fuzz target: arbitrary bytes as a profile (JSON, YAML and TOML in turn),
//! validated and evaluated against every text of policies/. Validation must
//! refuse or accept; evaluation must give an outcome or a located error, and
//! the compiled evaluator must give exactly what the reference gives.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn policies() -> &'static Vec<avenant::CheckedPolicy> {
    static POLICIES: OnceLock<Vec<avenant::CheckedPolicy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
        let mut paths: Vec<_> = std::fs::read_dir(&folder)
            .map(|entries| entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect())
            .unwrap_or_default();
        paths.sort();
        paths.iter().filter_map(|path| avenant::load_text(path).ok().map(|loaded| loaded.policy)).collect()
    })
}

/// Each text compiled once, for the compiled evaluator.
fn compiled() -> &'static Vec<avenant::eval::compiled::CompiledPolicy<'static>> {
    static COMPILED: OnceLock<Vec<avenant::eval::compiled::CompiledPolicy<'static>>> = OnceLock::new();
    COMPILED.get_or_init(|| policies().iter().map(avenant::eval::compiled::CompiledPolicy::new).collect())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["fuzz.json", "fuzz.yaml", "fuzz.toml"] {
        let Ok(input) = avenant::ProfileInput::parse(Path::new(name), text) else { continue };
        for (policy, compiled) in policies().iter().zip(compiled()) {
            if let Ok(profile) = avenant::Profile::validate(policy, &input) {
                let mut scratch = compiled.scratch();
                for on in [jiff::civil::date(2020, 1, 1), jiff::civil::date(2024, 10, 1)] {
                    let reference = avenant::evaluate(policy, &profile, on);
                    let fast = compiled.evaluate(profile.values(), on, &mut scratch);
                    match (reference, fast) {
                        (Ok(reference), Ok(())) => {
                            let fast = compiled.outcome(&scratch, profile.values());
                            assert_eq!(format!("{:?}", reference.outputs), format!("{:?}", fast.outputs));
                            assert_eq!(format!("{:?}", reference.assumptions), format!("{:?}", fast.assumptions));
                        }
                        (Err(reference), Err(fast)) => assert_eq!(
                            (reference.code(), reference.message(), reference.span()),
                            (fast.code(), fast.message(), fast.span())
                        ),
                        (reference, fast) => panic!("the reference gave {reference:?}, the compiled evaluator {fast:?}"),
                    }
                }
            }
        }
    }
});
