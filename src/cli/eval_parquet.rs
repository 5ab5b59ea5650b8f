//! Parquet for `avenant eval --profiles`: a `.parquet` population read row
//! group by row group, or outcomes written as a `.parquet` file with typed
//! columns; CSV and JSON Lines otherwise. The work is `avenant::batch`'s.

use std::io::Write;

use avenant::batch::{self, BatchError, Options, Progress, RowError, Summary};
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
    let evaluate = |output: &mut (dyn Write + Send),
                    rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send)| {
        if !parquet_in {
            return batch::run(compiled, file, output, options, rejected, progress);
        }
        let (schema, batches) = batch::parquet::read(file).map_err(BatchError::Read)?;
        batch::arrow::run_into(compiled, &schema, batches, output, options, rejected, progress)
    };
    if !ends.parquet_out {
        return evaluate(output, rejected);
    }
    let mut writer = batch::parquet::writer(output, batch::arrow::outcome_schema(compiled))?;
    let mut emit = |outcomes| writer.write(&outcomes).map_err(batch::parquet::parquet_io);
    let mut sink = batch::arrow::ArrowSink::new(batch::arrow::outcome_schema(compiled), &mut emit);
    let summary = evaluate(&mut sink, rejected)?;
    let summary = sink.finish_run(summary, rejected)?;
    writer.close().map_err(batch::parquet::parquet_io)?;
    Ok(summary)
}
