//! Properties of the population readers over generated files, in seconds
//! (`fuzz/fuzz_targets/csv_batch.rs` searches the same space for longer):
//! whatever the quotes, line ends, marks and lengths, every row a person
//! counts is read once and comes out evaluated or reported, and the output
//! is the same whatever the threads, rows and bytes a chunk holds.

// Helpers fail loudly: a test that cannot run must not pass.
#![allow(clippy::panic)]

use std::path::Path;
use std::sync::OnceLock;

use avenant::batch::{self, Format, Limits, Options, RowError, Summary};
use avenant::eval::compiled::CompiledPolicy;
use proptest::prelude::*;

const HEADER: &str =
    "name,specialty,sector,optam,zone,grouped_practice,coordinated_practice,patientele_mt,file_active\n";

/// Pieces a hostile file is made of: good rows, and what breaks them.
const CSV_PIECES: [&str; 12] = [
    "Dr A,medecine_generale,secteur_1,,zip,true,true,700,1300\n",
    "Dr C,cardiologie,secteur_1,false,hors_zone,true,true,,2800\n",
    "\"Dr \"\"B\"\"\",pediatrie,secteur_2,true,zip,false,true,,1720\n",
    "\"",
    ",",
    "\n",
    "\r\n",
    "\r",
    "x",
    "\u{feff}",
    "é",
    "\n\n",
];

const JSON_PIECES: [&str; 10] = [
    "{\"name\": \"Dr A\", \"specialty\": \"medecine_generale\", \"sector\": \"secteur_1\", \"zone\": \"zip\", \"grouped_practice\": true, \"coordinated_practice\": true, \"patientele_mt\": 700, \"file_active\": 1300}\n",
    "{\"a\": 1, \"a\": 2}\n",
    "{",
    "\"",
    "\n",
    "\r\n",
    " ",
    "\u{feff}",
    "42",
    "x",
];

fn policy() -> &'static avenant::CheckedPolicy {
    static POLICY: OnceLock<avenant::CheckedPolicy> = OnceLock::new();
    POLICY.get_or_init(|| match avenant::load_text(Path::new("policies/avenant-7.policy")) {
        Ok(loaded) => loaded.policy,
        Err(error) => panic!("the 2019 policy does not load: {error}"),
    })
}

/// One run: its summary, output and reported rows.
fn run(
    input: &[u8],
    format: Format,
    threads: usize,
    chunk_size: usize,
    limits: Limits,
) -> (Summary, Vec<u8>, Vec<RowError>) {
    let compiled = CompiledPolicy::new(policy());
    let options =
        Options { input: format, threads, chunk_size, on: jiff::civil::date(2020, 1, 1), ..Options::default() };
    let (mut output, mut errors) = (Vec::new(), Vec::new());
    let mut rejected = |error: &RowError| {
        errors.push(error.clone());
        Ok(())
    };
    let summary = batch::run_within(&compiled, input, &mut output, &options, limits, &mut rejected, &mut |_| {})
        .unwrap_or_else(|error| panic!("{error}: {:?}", String::from_utf8_lossy(input)));
    (summary, output, errors)
}

/// Lines that are not blank, split as a person (and the CSV parser) reads line ends.
fn lines(text: &[u8], ends: &[u8]) -> usize {
    text.split(|byte| ends.contains(byte)).filter(|line| !line.iter().all(u8::is_ascii_whitespace)).count()
}

/// Runs `input` with one thread and the chunks given, then with three
/// threads and other chunks: the counts reconcile, every rejected row is
/// reported, and both runs give the same output and report.
fn checked(input: &[u8], format: Format, chunk_size: usize, limits: Limits) -> Summary {
    let (summary, output, errors) = run(input, format, 1, chunk_size, limits);
    assert_eq!(summary.rows_in, summary.rows_out + summary.rows_rejected, "the counts do not reconcile");
    let reported: std::collections::BTreeSet<u64> = errors.iter().map(|error| error.row).collect();
    assert_eq!(reported.len() as u64, summary.rows_rejected, "a rejected row was not reported");
    assert!(reported.iter().all(|row| (1..=summary.rows_in).contains(row)), "{reported:?}");
    let written = output.split(|byte| *byte == b'\n').filter(|line| !line.is_empty()).count() as u64;
    let header = u64::from(format == Format::Csv);
    assert!(written >= summary.rows_out + header, "{written} lines written for {summary:?}");
    let other_chunks = Limits { chunk_bytes: 1 << 20, ..limits };
    let same = run(input, format, 3, chunk_size + 6, other_chunks);
    assert!(same == (summary, output, errors), "threads and chunks change the output");
    summary
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x2019_0919),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_csv_row_a_person_counts_is_read_once(
        pieces in prop::collection::vec(prop::sample::select(CSV_PIECES.to_vec()), 0..40),
        row_bytes in 100usize..200,
        chunk_bytes in 1usize..2000,
        chunk_size in 1usize..5,
    ) {
        let body = pieces.concat();
        let input = format!("{HEADER}{body}");
        let limits = Limits { row_bytes, chunk_bytes };
        let summary = checked(input.as_bytes(), Format::Csv, chunk_size, limits);
        // Every row starts on a line of its own: quotes may join lines, never split them.
        prop_assert!(summary.rows_in as usize <= lines(body.as_bytes(), b"\r\n"), "{summary:?} {body:?}");
        if !body.contains('"') {
            prop_assert_eq!(summary.rows_in as usize, lines(body.as_bytes(), b"\r\n"), "{:?}", body);
        }
    }

    #[test]
    fn every_json_line_is_a_row(
        pieces in prop::collection::vec(prop::sample::select(JSON_PIECES.to_vec()), 0..30),
        row_bytes in 20usize..400,
        chunk_bytes in 1usize..2000,
        chunk_size in 1usize..5,
    ) {
        let body = pieces.concat();
        let limits = Limits { row_bytes, chunk_bytes };
        let summary = checked(body.as_bytes(), Format::Jsonl, chunk_size, limits);
        let first_mark = body.strip_prefix('\u{feff}').unwrap_or(&body);
        prop_assert_eq!(summary.rows_in as usize, lines(first_mark.as_bytes(), b"\n"), "{:?}", body);
    }
}
