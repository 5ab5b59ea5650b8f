//! Fuzz target: arbitrary bytes as a profile (JSON, YAML and TOML in turn),
//! validated and evaluated against every text of policies/. Validation must
//! refuse or accept; evaluation must give an outcome or a located error.
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

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["fuzz.json", "fuzz.yaml", "fuzz.toml"] {
        let Ok(input) = avenant::ProfileInput::parse(Path::new(name), text) else { continue };
        for policy in policies() {
            if let Ok(profile) = avenant::Profile::validate(policy, &input) {
                for on in [jiff::civil::date(2020, 1, 1), jiff::civil::date(2024, 10, 1)] {
                    let _ = avenant::evaluate(policy, &profile, on);
                }
            }
        }
    }
});
