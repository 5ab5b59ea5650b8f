//! Parquet for `avenant eval --profiles`: a `.parquet` population read row
//! group by row group, or outcomes written as a `.parquet` file with typed
//! columns; CSV and JSON Lines otherwise. The work is `avenant::batch`'s.

use std::io::Write;

use avenant::batch::{self, BatchError, Options, Outcomes, Progress, RowError, Summary};
use avenant::eval::compiled::CompiledPolicy;

/// Where a population comes from and goes: which ends are Parquet.
pub struct Ends {
    pub parquet_in: bool,
    pub parquet_out: bool,
}

/// Evaluates the population of `file` into `output`, as `batch::run` does,
/// either end of it Parquet.
pub fn run(
    compiled: &CompiledPolicy<'_>,
    file: std::fs::File,
    ends: &Ends,
    output: &mut (dyn Write + Send),
    options: &Options,
    rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send),
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, BatchError> {
    let parquet_in = ends.parquet_in;
    let evaluate = |outcomes: Outcomes<'_>, rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send)| {
        if !parquet_in {
            return batch::run_into(compiled, file, outcomes, options, rejected, progress);
        }
        let size = file.metadata().map_or(0, |metadata| metadata.len());
        let profiles = batch::parquet::read(file).map_err(BatchError::Read)?;
        // Read by row groups, not bytes: the bar moves by the rows' share of the file.
        let rows = profiles.rows;
        let mut progress = |done: Progress| {
            progress(Progress { rows: done.rows, bytes: batch::parquet::bytes_read(size, rows, done.rows) });
        };
        let (schema, batches) = (profiles.schema, profiles.batches);
        batch::arrow::run_into(compiled, &schema, batches, outcomes, options, rejected, &mut progress)
    };
    if !ends.parquet_out {
        return evaluate(Outcomes::Text(output), rejected);
    }
    let mut writer = batch::parquet::writer(output, batch::arrow::outcome_schema(compiled))?;
    let mut emit = |outcomes: arrow_array::RecordBatch| writer.write(&outcomes).map_err(batch::parquet::parquet_io);
    let summary = evaluate(Outcomes::Arrow(&mut emit), rejected)?;
    writer.close().map_err(batch::parquet::parquet_io)?;
    Ok(summary)
}
