//! Fuzz target: arbitrary bytes as a CSV population, evaluated under the
//! 2019 text. Every row read comes out, evaluated or rejected: the counts
//! reconcile, and nothing panics.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn policy() -> &'static avenant::CheckedPolicy {
    static POLICY: OnceLock<avenant::CheckedPolicy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/avenant-7.policy");
        match avenant::load_text(&path) {
            Ok(loaded) => loaded.policy,
            Err(error) => panic!("the 2019 policy does not load: {error}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let compiled = avenant::eval::compiled::CompiledPolicy::new(policy());
    let options = avenant::batch::Options {
        threads: 1,
        chunk_size: 3,
        on: jiff::civil::date(2022, 12, 1),
        ..avenant::batch::Options::default()
    };
    let mut output = Vec::new();
    let mut rejected_rows = std::collections::BTreeSet::new();
    let mut rejected = |error: &avenant::batch::RowError| {
        rejected_rows.insert(error.row);
        Ok(())
    };
    if let Ok(summary) = avenant::batch::run(&compiled, data, &mut output, &options, &mut rejected, &mut |_| {}) {
        assert_eq!(summary.rows_in, summary.rows_out + summary.rows_rejected, "the counts do not reconcile");
        assert_eq!(summary.rows_rejected, rejected_rows.len() as u64, "a rejected row was not reported");
    }
});
