//! Writing outcomes as Parquet: avenant's writer, which encodes a batch's
//! columns at once, a task a column on every core, against the parquet
//! crate's `ArrowWriter` (the baseline), which encodes them one after
//! another on the thread that writes. Both with the same settings, and they
//! must write the same bytes. The outcomes are those of `avenant
//! population --size 100000` under the texts in force on 2024-10-01 (35
//! columns), held in memory, written into memory.
//!
//! `cargo bench --bench parquet` (add `-- --quick` for a shorter run).

// A benchmark fails loudly: a number measured on a broken run must not be printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use avenant::batch::{self, Options, Outcomes};
use avenant::eval::compiled::CompiledPolicy;
use criterion::{Criterion, Throughput};
use parquet::arrow::ArrowWriter;

const ON: jiff::civil::Date = jiff::civil::date(2024, 10, 1);
const ROWS: u64 = 100_000;
/// `avenant population`'s seed when none is given.
const SEED: u64 = 2019;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = avenant::load_in_force(&root.join("policies"), ON).unwrap();
    let compiled = CompiledPolicy::new(&loaded.policy);
    let mut population = Vec::new();
    avenant::population::write(ROWS, SEED, &mut population).unwrap();
    let mut batches = Vec::new();
    let mut emit = |batch: RecordBatch| {
        batches.push(batch);
        Ok(())
    };
    let options = Options { on: ON, tolerated: loaded.family_fields.clone(), ..Options::default() };
    batch::run_into(&compiled, &population[..], Outcomes::Arrow(&mut emit), &options, &mut |_| Ok(()), &mut |_| {})
        .unwrap();
    let schema = batch::arrow::outcome_schema(&compiled);
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert!(
        baseline(&schema, &batches) == avenant(&schema, &batches),
        "the baseline and avenant must write the same bytes, or the comparison means nothing"
    );

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("parquet_write");
    group.throughput(Throughput::Elements(rows as u64));
    group.bench_function("baseline_arrow_writer", |bencher| bencher.iter(|| baseline(&schema, &batches)));
    group.bench_function("avenant_writer", |bencher| bencher.iter(|| avenant(&schema, &batches)));
    group.finish();
    criterion.final_summary();

    let theirs = median(7, || drop(baseline(&schema, &batches)));
    let ours = median(7, || drop(avenant(&schema, &batches)));
    println!(
        "== summary: {rows} outcome rows × {} columns written as Parquet on {} threads: ArrowWriter {:.1} ms, avenant {:.1} ms ({:.2}× the baseline)",
        schema.fields().len(),
        rayon::current_num_threads(),
        theirs.as_secs_f64() * 1000.0,
        ours.as_secs_f64() * 1000.0,
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
}

fn baseline(schema: &SchemaRef, batches: &[RecordBatch]) -> Vec<u8> {
    let properties = batch::parquet::properties();
    let mut writer = ArrowWriter::try_new(Vec::new(), Arc::clone(schema), Some(properties)).unwrap();
    batches.iter().for_each(|batch| writer.write(batch).unwrap());
    writer.into_inner().unwrap()
}

fn avenant(schema: &SchemaRef, batches: &[RecordBatch]) -> Vec<u8> {
    let mut writer = batch::parquet::writer(Vec::new(), Arc::clone(schema)).unwrap();
    batches.iter().for_each(|batch| writer.write(batch).unwrap());
    writer.into_inner().unwrap()
}

#[path = "shared/timing.rs"]
mod timing;
use timing::median;
