//! Fuzz target: arbitrary bytes as a population, CSV or JSON Lines, evaluated
//! under the 2019 text within small limits (rows of 64 to 319 bytes, chunks
//! of 1 to 4 096), so that rows too long, stray quotes that reach the limit
//! and chunks cut by bytes are all reached. Every row read comes out,
//! evaluated or rejected: the counts reconcile, a JSON Lines file has a row
//! for each line that is not blank, and nothing panics.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

mod shipped;

fn policy() -> &'static avenant::CheckedPolicy {
    static POLICY: OnceLock<avenant::CheckedPolicy> = OnceLock::new();
    shipped::policy("avenant-7.policy", &POLICY)
}

fuzz_target!(|data: &[u8]| {
    // The first two bytes choose the format and the limits; the rest is the file.
    let [format, limit, input @ ..] = data else { return };
    let format = if format & 1 == 0 { avenant::batch::Format::Csv } else { avenant::batch::Format::Jsonl };
    let limits =
        avenant::batch::Limits { row_bytes: 64 + usize::from(*limit), chunk_bytes: 1 + usize::from(*limit) * 16 };
    let compiled = avenant::eval::compiled::CompiledPolicy::new(policy());
    let options = avenant::batch::Options {
        input: format,
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
    let run = avenant::batch::run_within(&compiled, input, &mut output, &options, limits, &mut rejected, &mut |_| {});
    if let Ok(summary) = run {
        assert_eq!(summary.rows_in, summary.rows_out + summary.rows_rejected, "the counts do not reconcile");
        assert_eq!(summary.rows_rejected, rejected_rows.len() as u64, "a rejected row was not reported");
        if format == avenant::batch::Format::Jsonl {
            let text = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
            let lines = text.split(|byte| *byte == b'\n').filter(|line| !line.iter().all(u8::is_ascii_whitespace));
            assert_eq!(summary.rows_in, lines.count() as u64, "a line was not read as a row");
        }
    }
});
