//! Fuzz target: whatever parses formats, and the result formats to itself.
//! `format` itself refuses a result whose syntax tree differs from the
//! original's; that refusal is a finding too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = std::path::Path::new("fuzz.policy");
    match avenant::format::format(path, text) {
        Ok(formatted) => {
            let again = avenant::format::format(path, &formatted);
            assert!(matches!(again.as_deref(), Ok(same) if same == formatted), "formatting is not idempotent");
        }
        Err(avenant::format::FormatError::Changed { why, .. }) => panic!("the formatter would change meaning: {why}"),
        Err(avenant::format::FormatError::Syntax(_)) => {}
    }
});
