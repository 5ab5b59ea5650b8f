//! A shipped policy text, loaded once for all the inputs of a fuzzing run.

use std::sync::OnceLock;

/// `policies/{file}`, loaded into `once` the first time.
pub fn policy(file: &str, once: &'static OnceLock<avenant::CheckedPolicy>) -> &'static avenant::CheckedPolicy {
    once.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies").join(file);
        match avenant::load_text(&path) {
            Ok(loaded) => loaded.policy,
            Err(error) => panic!("{file} does not load: {error}"),
        }
    })
}
