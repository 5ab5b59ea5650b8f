//! Fuzz target: arbitrary text as a policy. Parsing and checking must
//! answer, with a policy or with diagnostics, and never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = avenant::compile(std::path::Path::new("fuzz.policy"), text);
    }
});
