//! Fuzz target: arbitrary bytes as a Parquet population, read row group by
//! row group and evaluated under the 2024 text with typed outcomes, as
//! `avenant eval --profiles x.parquet --out y.parquet` does. A file the
//! decoder cannot read is an error, never a panic (the decoder's own panics
//! included: `batch::parquet::read` contains them); a file it reads comes out
//! whole: every row evaluated or rejected, the counts reconciled.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

mod shipped;

fn policy() -> &'static avenant::CheckedPolicy {
    static POLICY: OnceLock<avenant::CheckedPolicy> = OnceLock::new();
    shipped::policy("convention-2024.policy", &POLICY)
}

fuzz_target!(|data: &[u8]| {
    let Ok(profiles) = avenant::batch::parquet::read(bytes::Bytes::copy_from_slice(data)) else { return };
    let compiled = avenant::eval::compiled::CompiledPolicy::new(policy());
    let options = avenant::batch::Options {
        threads: 1,
        chunk_size: 7,
        on: jiff::civil::date(2024, 10, 1),
        ..avenant::batch::Options::default()
    };
    let mut rows_out = 0;
    let mut emit = |batch: arrow_array::RecordBatch| {
        rows_out += batch.num_rows() as u64;
        Ok(())
    };
    let mut rejected_rows = std::collections::BTreeSet::new();
    let mut rejected = |error: &avenant::batch::RowError| {
        rejected_rows.insert(error.row);
        Ok(())
    };
    let run = avenant::batch::arrow::run(&compiled, &profiles.schema, profiles.batches, 1, &options, &mut emit, &mut rejected);
    if let Ok(summary) = run {
        assert_eq!(summary.rows_in, summary.rows_out + summary.rows_rejected, "the counts do not reconcile");
        assert_eq!(summary.rows_out, rows_out, "an evaluated row was not written");
        assert_eq!(summary.rows_rejected, rejected_rows.len() as u64, "a rejected row was not reported");
    }
});
