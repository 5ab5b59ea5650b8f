//! Populations: a CSV or JSON Lines file, or Arrow batches ([`arrow`]), of
//! profiles evaluated on all cores with the compiled evaluator, streamed in
//! constant memory, written (as text or typed Arrow batches) in input order. A bad row is reported (row, field, message) and the others still
//! evaluate: rows in = rows out + rows reported. Reads and writes only the
//! streams it is given; never prints, never exits.
//!
//! One reader thread parses rows into chunks, cut at a number of rows or of
//! bytes, whichever comes first (Arrow batches are sliced, by rows); the main thread takes a wave of chunks (two
//! per thread), evaluates them in parallel, then writes them in order and
//! hands the buffers back to the reader. A row is at most [`ROW_BYTES`] long
//! and a chunk about [`CHUNK_BYTES`], so memory is bounded by the chunks in
//! flight, whatever the size of the population or of its rows; the output
//! does not depend on the number of threads or the size of the chunks.

pub mod arrow;
mod contained;
mod csv_rows;
mod input;
mod json_lines;
pub mod parquet;
pub(crate) mod rows;
pub(crate) mod source;
mod worker;

use std::io::{Read, Write};
use std::sync::mpsc;

use rayon::prelude::*;

use arrow_array::RecordBatch;

use crate::eval::compiled::CompiledPolicy;
use crate::eval::profile::FieldProblem;
use crate::output;
pub use input::ROW_BYTES;
use rows::ColumnMap;
pub use source::CHUNK_BYTES;
use source::{Chunk, Source};
use worker::Worker;

/// How a population is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

impl Format {
    /// By file extension: `.csv`, or `.jsonl` / `.ndjson`.
    pub fn of(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub input: Format,
    pub output: Format,
    /// Worker threads; 0 for one per core.
    pub threads: usize,
    /// Rows per chunk, the unit of work of a thread.
    pub chunk_size: usize,
    /// The population's file name, for JSON output.
    pub file_name: String,
    pub policy_file: String,
    /// The date of the evaluation: what `evaluation_date` reads.
    pub on: jiff::civil::Date,
    /// The texts applied, the base first, for JSON output.
    pub chain: Vec<String>,
    /// Fields other texts of the policy's family declare: columns a
    /// population may carry, ignored by this text.
    pub tolerated: Vec<String>,
    /// Values the command line gives fields (`--set`, `--draw`), in place of the rows'.
    pub assigned: crate::assign::Resolved,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            input: Format::Csv,
            output: Format::Csv,
            threads: 0,
            chunk_size: 2048,
            file_name: String::new(),
            policy_file: String::new(),
            on: jiff::civil::Date::ZERO,
            chain: Vec::new(),
            tolerated: Vec::new(),
            assigned: crate::assign::Resolved::default(),
        }
    }
}

/// A row that was not evaluated, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row's number among the data rows, from 1 (0: the header).
    pub row: u64,
    /// Its line in the file, from 1.
    pub line: u64,
    pub field: Option<String>,
    /// Stable: the profile's `avenant::profile::…` or the evaluator's `avenant::eval::…`.
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
}

impl RowError {
    fn from_problem(row: u64, line: u64, problem: FieldProblem) -> RowError {
        RowError {
            row,
            line,
            field: Some(problem.field),
            code: problem.code,
            message: problem.message,
            help: problem.help,
        }
    }

    /// A row whose evaluation failed, or whose outcome could not be read whole.
    pub(crate) fn from_eval(row: u64, line: u64, error: &crate::eval::EvalError) -> RowError {
        RowError {
            row,
            line,
            field: error.field().map(str::to_owned),
            code: error.code(),
            message: error.message().to_owned(),
            help: error.help().map(str::to_owned),
        }
    }
}

/// What a run did: `rows_in == rows_out + rows_rejected`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub rows_in: u64,
    pub rows_out: u64,
    pub rows_rejected: u64,
}

/// How far a run has gone, after each wave.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub rows: u64,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("cannot read the population: {0}")]
    Read(String),
    /// The header is missing or wrong: no row was evaluated.
    #[error("the population's columns are not the policy's fields")]
    Columns(Vec<RowError>),
}

/// What bounds a run's memory in bytes, beside its rows: a row longer than
/// `row_bytes` is refused unread, and a chunk is cut once its rows take
/// `chunk_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub row_bytes: usize,
    pub chunk_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { row_bytes: ROW_BYTES, chunk_bytes: CHUNK_BYTES }
    }
}

/// Where a run's outcomes go.
pub enum Outcomes<'o> {
    /// Written as text, in `Options::output`'s format.
    Text(&'o mut (dyn Write + Send)),
    /// Handed over as typed batches of [`arrow::outcome_schema`], in input
    /// order; a row with a number finer than its column is rejected
    /// ([`arrow::INEXACT`]), never rounded.
    Arrow(&'o mut (dyn FnMut(RecordBatch) -> std::io::Result<()> + Send)),
}

/// Evaluates a population read from `input` into `output`; rejected rows go
/// to `rejected`, in row order, as they are found.
pub fn run(
    compiled: &CompiledPolicy<'_>,
    input: impl Read + Send,
    output: &mut (dyn Write + Send),
    options: &Options,
    rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send),
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, BatchError> {
    run_into(compiled, input, Outcomes::Text(output), options, rejected, progress)
}

/// As [`run`], the outcomes written as text or handed over as Arrow batches.
pub fn run_into(
    compiled: &CompiledPolicy<'_>,
    input: impl Read + Send,
    outcomes: Outcomes<'_>,
    options: &Options,
    rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send),
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, BatchError> {
    let (source, header) = source::open(input, options.input, ROW_BYTES)?;
    let columns = header_columns(compiled, options, header)?;
    evaluate_source(compiled, source, columns.as_ref(), outcomes, options, CHUNK_BYTES, rejected, progress)
}

/// As [`run`], within other limits (tests and fuzzing use small ones, to reach them).
pub fn run_within(
    compiled: &CompiledPolicy<'_>,
    input: impl Read + Send,
    output: &mut (dyn Write + Send),
    options: &Options,
    limits: Limits,
    rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send),
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, BatchError> {
    let (source, header) = source::open(input, options.input, limits.row_bytes)?;
    let columns = header_columns(compiled, options, header)?;
    let outcomes = Outcomes::Text(output);
    evaluate_source(compiled, source, columns.as_ref(), outcomes, options, limits.chunk_bytes, rejected, progress)
}

/// A CSV header's columns mapped to the policy's fields; none for JSON Lines.
fn header_columns(
    compiled: &CompiledPolicy<'_>,
    options: &Options,
    header: Option<(Vec<String>, u64)>,
) -> Result<Option<ColumnMap>, BatchError> {
    let Some((header, line)) = header else { return Ok(None) };
    let titles: Vec<&str> = header.iter().map(String::as_str).collect();
    let columns = ColumnMap::new(compiled.policy(), &titles, &options.tolerated, line).map_err(BatchError::Columns)?;
    Ok(Some(columns))
}

/// The engine: one reader thread fills chunks from `source`, waves of them
/// are evaluated on all cores and written in order.
#[expect(clippy::too_many_arguments, reason = "the run's parts, each given by its caller")]
fn evaluate_source<R: Read + Send>(
    compiled: &CompiledPolicy<'_>,
    source: Source<'_, R>,
    columns: Option<&ColumnMap>,
    mut outcomes: Outcomes<'_>,
    options: &Options,
    chunk_bytes: usize,
    rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send),
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, BatchError> {
    let threads = if options.threads == 0 { rayon::current_num_threads() } else { options.threads };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|error| BatchError::Read(format!("cannot start {threads} threads: {error}")))?;
    if let (Outcomes::Text(output), Format::Csv) = (&mut outcomes, options.output) {
        let mut header = Vec::new();
        output::csv::header(compiled, &mut header);
        output.write_all(&header)?;
    }
    let typed = matches!(outcomes, Outcomes::Arrow(_));
    let chunk_size = options.chunk_size.max(1);
    let wave_size = threads * 2;
    let mut summary = Summary::default();
    std::thread::scope(|scope| -> Result<(), BatchError> {
        let (full_sender, full_receiver) = mpsc::sync_channel::<Result<Chunk, BatchError>>(wave_size);
        let (empty_sender, empty_receiver) = mpsc::channel::<Chunk>();
        scope.spawn(move || source.feed(chunk_size, chunk_bytes, &full_sender, &empty_receiver));
        let mut bytes = 0;
        let idle = worker::Idle::default();
        // Evaluated, not yet written: written while the next wave is evaluated.
        let mut pending: Vec<Chunk> = Vec::new();
        loop {
            let (mut wave, failure) = source::receive_wave(&full_receiver, wave_size);
            let finished = wave.is_empty();
            let previous = std::mem::take(&mut pending);
            let (written, ()) = pool.install(|| {
                rayon::join(
                    || write_wave(previous, &mut outcomes, &mut *rejected, &mut summary, &empty_sender),
                    || {
                        wave.par_iter_mut().for_each_init(
                            || idle.lend(|| Worker::new(compiled, typed)),
                            |lent, chunk| {
                                if let Some(worker) = lent.worker() {
                                    worker.evaluate(compiled, columns, options, chunk);
                                }
                            },
                        )
                    },
                )
            });
            bytes = bytes.max(written?);
            progress(Progress { rows: summary.rows_in, bytes });
            pending = wave;
            if finished || failure.is_some() {
                // On the run's threads: a Parquet writer encodes its columns on them.
                let written =
                    pool.install(|| write_wave(pending, &mut outcomes, &mut *rejected, &mut summary, &empty_sender))?;
                progress(Progress { rows: summary.rows_in, bytes: bytes.max(written) });
                return failure.map_or(Ok(()), Err);
            }
        }
    })?;
    if let Outcomes::Text(output) = outcomes {
        output.flush()?;
    }
    Ok(summary)
}

/// Writes evaluated chunks in order, reports their rejected rows, counts
/// them, and hands their buffers back to the reader; how far the input was read.
fn write_wave(
    chunks: Vec<Chunk>,
    outcomes: &mut Outcomes<'_>,
    rejected: &mut (dyn FnMut(&RowError) -> std::io::Result<()> + Send),
    summary: &mut Summary,
    recycle: &mpsc::Sender<Chunk>,
) -> Result<u64, BatchError> {
    let mut bytes = 0;
    for mut chunk in chunks {
        // A cell that cannot be read at all stops the run where it is, as a
        // file that cannot be read does: the chunks before it are written.
        if let Some(failure) = chunk.failure.take() {
            return Err(BatchError::Read(failure));
        }
        match outcomes {
            Outcomes::Text(output) => output.write_all(&chunk.out)?,
            Outcomes::Arrow(emit) => {
                if let Some(batch) = chunk.outcomes.take().filter(|batch| batch.num_rows() > 0) {
                    emit(batch)?;
                }
            }
        }
        for error in &chunk.errors {
            rejected(error)?;
        }
        let rows = chunk.len() as u64;
        summary.rows_in += rows;
        summary.rows_rejected += chunk.errors_rows;
        summary.rows_out += rows - chunk.errors_rows;
        bytes = bytes.max(chunk.bytes_end);
        // The reader may have stopped; then the buffer is simply dropped.
        let _ = recycle.send(chunk);
    }
    Ok(bytes)
}
