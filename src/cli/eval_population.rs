//! `avenant eval POLICY --profiles FILE`: a population, CSV or JSON Lines, in
//! and out, with a progress bar on a terminal, every rejected row reported,
//! and a one-line summary whose counts reconcile. Only opens files and talks
//! to the user; the work is `avenant::batch`'s.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use super::atomic::{AtomicFile, Files};
use super::rejects::Rejects;
use super::{Exit, Reporter};
use avenant::batch::{self, BatchError, Options, RowError};
use avenant::eval::compiled::CompiledPolicy;

#[derive(Debug, clap::Args)]
pub struct PopulationArgs {
    /// Where to write the population's outcomes (default: standard output);
    /// `.jsonl` or `.ndjson` picks JSON Lines unless `--out-format` says otherwise,
    /// `.parquet` Parquet with typed columns (decimals, booleans, dates).
    #[arg(long, value_name = "FILE", requires = "population", conflicts_with = "profiles")]
    out: Option<PathBuf>,

    /// The population's outcomes as `csv` (the default), or `jsonl`, one
    /// JSON object a line.
    #[arg(long, value_enum, value_name = "FORMAT", requires = "population", conflicts_with = "profiles")]
    out_format: Option<PopulationFormat>,

    /// Write the rejected rows as CSV (`row,line,field,code,message,help`)
    /// to this file instead of standard error; a `.parquet` file takes the
    /// same columns, typed (the numbers as integers, no field or help as null).
    #[arg(long, value_name = "FILE", requires = "population", conflicts_with = "profiles")]
    errors: Option<PathBuf>,

    /// Exit with 0 even when rows were rejected (they are still reported).
    #[arg(long, requires = "population", conflicts_with = "profiles")]
    allow_rejects: bool,

    /// Worker threads (default: one per core). The output is the same whatever the number.
    #[arg(long, value_name = "N", default_value_t = 0, requires = "population", conflicts_with = "profiles")]
    threads: usize,

    /// Rows a thread takes at a time. The output is the same whatever the size.
    #[arg(long, value_name = "ROWS", default_value_t = 2048, requires = "population", conflicts_with = "profiles")]
    chunk_size: usize,

    #[command(flatten)]
    assign: super::assign::AssignArgs,
}

/// How a population's outcomes are written: a row each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum PopulationFormat {
    Csv,
    Jsonl,
}

pub fn run(
    args: &PopulationArgs,
    loaded: &avenant::Loaded,
    on: jiff::civil::Date,
    policy_path: &Path,
    population: &Path,
    reporter: &Reporter,
) -> std::io::Result<Exit> {
    let shown = population.display().to_string();
    let ends = super::eval_parquet::Ends {
        parquet_in: batch::parquet::is_parquet(population),
        parquet_out: args.out.as_deref().is_some_and(batch::parquet::is_parquet),
    };
    let Some(input) = batch::Format::of(population).or(ends.parquet_in.then_some(batch::Format::Csv)) else {
        reporter.message(&format!("`{shown}`: a population is a `.csv`, `.jsonl` or `.parquet` file"));
        return Ok(Exit::Trouble);
    };
    let output_format = match args.out_format {
        Some(PopulationFormat::Jsonl) if ends.parquet_out => {
            reporter
                .message("a `.parquet` file is written as Parquet: leave out `--out-format`, or name a `.jsonl` file");
            return Ok(Exit::Trouble);
        }
        Some(PopulationFormat::Csv) => batch::Format::Csv,
        Some(PopulationFormat::Jsonl) => batch::Format::Jsonl,
        None => args.out.as_deref().and_then(batch::Format::of).unwrap_or(batch::Format::Csv),
    };
    let Some(assignments) = args.assign.assignments(reporter) else { return Ok(Exit::Trouble) };
    let assigned = match assignments.resolve(&loaded.policy, &[]) {
        Ok(assigned) => assigned,
        Err(error) => {
            super::assign::report(reporter, &error);
            return Ok(Exit::Trouble);
        }
    };
    if let Err(exit) =
        refuse_clashes(reporter, population, &[policy_path.to_path_buf()], args.out.as_deref(), args.errors.as_deref())
    {
        return Ok(exit);
    }
    let file = match std::fs::File::open(population) {
        Ok(file) => file,
        Err(error) => {
            reporter.message(&format!("cannot read `{shown}`: {error}"));
            return Ok(Exit::Trouble);
        }
    };
    let size = file.metadata().map(|metadata| metadata.len()).unwrap_or(0);
    // Both files are written beside their targets and replace them only
    // when the run has succeeded.
    let mut out_file = match args.out.as_deref().map(AtomicFile::create).transpose() {
        Ok(out_file) => out_file,
        Err(error) => return Ok(cannot_write(reporter, args.out.as_deref(), &error)),
    };
    let mut errors_file = match args.errors.as_deref().map(|path| Rejects::create(path, false)).transpose() {
        Ok(errors_file) => errors_file,
        Err(error) => return Ok(cannot_write(reporter, args.errors.as_deref(), &error)),
    };
    let mut stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
    let output: &mut (dyn std::io::Write + Send) = match out_file.as_mut() {
        Some(file) => file,
        None => &mut stdout,
    };
    // A bar on a terminal only: piped or redirected, standard error stays clean.
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(size);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {bar:40} {bytes}/{total_bytes} · {msg} · {elapsed} (about {eta} left)",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let options = Options {
        input,
        output: output_format,
        threads: args.threads,
        chunk_size: args.chunk_size,
        file_name: shown.clone(),
        policy_file: policy_path.display().to_string(),
        on,
        chain: loaded.chain.clone(),
        tolerated: loaded.family_fields.clone(),
        assigned,
    };
    let compiled = CompiledPolicy::new(&loaded.policy);
    let mut rejected = |error: &RowError| match errors_file.as_mut() {
        Some(rejects) => rejects.push(None, error),
        None => {
            bar.suspend(|| reporter.row_error(&shown, error));
            Ok(())
        }
    };
    let mut progress = |progress: batch::Progress| {
        bar.set_position(progress.bytes);
        bar.set_message(format!("{} rows", progress.rows));
    };
    let result = super::eval_parquet::run(&compiled, file, &ends, output, &options, &mut rejected, &mut progress);
    bar.finish_and_clear();
    let summary = match result {
        Ok(summary) => summary,
        Err(BatchError::Io(error)) => return Err(error),
        Err(BatchError::Read(message)) => {
            reporter.message(&format!("`{shown}`: {message}"));
            return Ok(Exit::Trouble);
        }
        Err(BatchError::Columns(errors)) => {
            for error in &errors {
                reporter.row_error(&shown, error);
            }
            let _ = writeln!(
                std::io::stderr().lock(),
                "{shown}: rejected whole, its columns are not the policy's fields; no row evaluated"
            );
            return Ok(Exit::Rejected);
        }
    };
    stdout.flush()?;
    let errors_file = errors_file.map(Rejects::finish).transpose()?;
    for file in [out_file, errors_file].into_iter().flatten() {
        file.commit()?;
    }
    // What the command line assumed is said beside the counts, so a log records it.
    let assumed = assignments.record();
    let assumed =
        if assumed.is_empty() { String::new() } else { format!("; assumed for every row: {}", assumed.join(", ")) };
    let _ = writeln!(
        std::io::stderr().lock(),
        "{shown}: {} row(s) read, {} evaluated, {} rejected{assumed}",
        summary.rows_in,
        summary.rows_out,
        summary.rows_rejected
    );
    Ok(if summary.rows_rejected > 0 && !args.allow_rejects { Exit::Rejected } else { Exit::Success })
}

/// A file that cannot be started (its folder missing, say): nothing was written.
pub(super) fn cannot_write(reporter: &Reporter, path: Option<&Path>, error: &std::io::Error) -> Exit {
    let path = path.map(|path| path.display().to_string()).unwrap_or_default();
    reporter.message(&format!("cannot write `{path}`: {error}"));
    Exit::Trouble
}

/// The files of a run over a population, checked before anything is read:
/// an output that is the population, a policy text or the other output is
/// refused, reported, and `Err` carries the exit code.
pub(super) fn refuse_clashes(
    reporter: &Reporter,
    population: &Path,
    policies: &[PathBuf],
    out: Option<&Path>,
    errors: Option<&Path>,
) -> Result<(), Exit> {
    let policy_texts = super::policy_files(policies).unwrap_or_default();
    let files = Files::default()
        .input("population", population)
        .inputs("policy text", policy_texts.iter().map(PathBuf::as_path))
        .output("`--out`", out)
        .output("`--errors`", errors);
    files.check().map_err(|clash| {
        reporter.message(&clash);
        Exit::Trouble
    })
}
