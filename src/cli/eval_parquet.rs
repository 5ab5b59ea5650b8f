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
        let (schema, batches) = batch::parquet::read(file).map_err(BatchError::Read)?;
        batch::arrow::run_into(compiled, &schema, batches, outcomes, options, rejected, progress)
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
