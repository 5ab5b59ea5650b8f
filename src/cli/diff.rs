//! `avenant diff`: what a text changes over a population, profile by profile
//! and in sum, by band, zone and specialty.

use std::io::Write as _;
use std::path::PathBuf;

use rust_decimal::Decimal;

use super::assign::AssignArgs;
use super::atomic::AtomicFile;
use super::rejects::Rejects;
use super::{Exit, Reporter};
use avenant::batch::Format as RowsFormat;
use avenant::diff::{self, DiffError};
use avenant::output;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The policy before: a policy file, or a directory of texts (the one in force on its date).
    #[arg(value_name = "OLD")]
    old: PathBuf,

    /// The policy after. It may be OLD itself, compared at two dates.
    #[arg(value_name = "NEW")]
    new: PathBuf,

    /// The population: CSV (a header of field names, one profile a row), JSON Lines, or Parquet.
    #[arg(long, value_name = "FILE")]
    profiles: PathBuf,

    /// The date of both evaluations (default: today).
    #[arg(long, value_name = "DATE", value_parser = super::parse_date, conflicts_with_all = ["on_old", "on_new"])]
    on: Option<jiff::civil::Date>,

    /// The date of the evaluation under OLD.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date, requires = "on_new")]
    on_old: Option<jiff::civil::Date>,

    /// The date of the evaluation under NEW.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date, requires = "on_old")]
    on_new: Option<jiff::civil::Date>,

    /// Use the text of this name in the OLD directory (a draft with `status
    /// proposal`, say) instead of the one in force on its date.
    #[arg(long, value_name = "NAME")]
    proposal_old: Option<String>,

    /// Use the text of this name in the NEW directory (a draft with `status
    /// proposal`, say) instead of the one in force on its date: `avenant diff
    /// policies policies --proposal-new proposition_2026` compares a draft with the text in force.
    #[arg(long, value_name = "NAME")]
    proposal_new: Option<String>,

    /// The summary: `table` for people, `json` or `csv` (one row per band, zone and specialty) for programs.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
    format: SummaryFormat,

    /// Write one row per profile (what changed, and its aid per year under
    /// each text) to this file: `.csv`, `.jsonl`, or `.parquet` (the CSV's
    /// columns, typed: booleans, decimals, text).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Write the rejected rows as CSV (`row,line,side,field,code,message,help`,
    /// `side` being the text that refused the row: `old`, `new` or `both`) to
    /// this file instead of standard error; a `.parquet` file takes the same
    /// columns, typed (the numbers as integers, no field or help as null).
    #[arg(long, value_name = "FILE")]
    errors: Option<PathBuf>,

    /// Exit with 0 even when rows were rejected (they are still reported).
    #[arg(long)]
    allow_rejects: bool,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,

    /// Rows a thread takes at a time.
    #[arg(long, value_name = "ROWS", default_value_t = 2048)]
    chunk_size: usize,

    /// The share of new contracts (profiles without a running one) to whom
    /// OPTION is open that sign it, as `option_2=40%`; repeat for each
    /// option. An option without one takes the share of the profiles to whom
    /// the old text opens it that hold a running contract on it.
    #[arg(long = "take-up", value_name = "OPTION=RATE", value_parser = parse_take_up)]
    take_up: Vec<(String, Decimal)>,

    #[command(flatten)]
    assign: AssignArgs,
}

/// `OPTION=RATE`: a rate from 0 % to 100 %, written `40%` or `0.4`.
fn parse_take_up(text: &str) -> Result<(String, Decimal), String> {
    let (option, rate) =
        text.split_once('=').ok_or_else(|| format!("`{text}`: write `OPTION=RATE`, e.g. `option_2=40%`"))?;
    let rate = rate.trim();
    let share = match rate.strip_suffix('%') {
        Some(percent) => {
            percent.trim().parse::<Decimal>().ok().and_then(|value| value.checked_div(Decimal::ONE_HUNDRED))
        }
        None => rate.parse::<Decimal>().ok(),
    };
    match share {
        Some(share) if (Decimal::ZERO..=Decimal::ONE).contains(&share) => Ok((option.trim().to_owned(), share)),
        _ => Err(format!("`{rate}` is not a rate from 0 % to 100 %; write `40%` or `0.4`")),
    }
}

/// How the summary is written; the per-profile rows take the format of `--out`'s extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SummaryFormat {
    Table,
    Json,
    Csv,
}

pub fn run(args: &DiffArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    let (on_old, on_new) = match (args.on_old, args.on_new) {
        (Some(old), Some(new)) => (old, new),
        _ => {
            let on = args.on.unwrap_or_else(super::today);
            (on, on)
        }
    };
    let Some(assignments) = args.assign.assignments(reporter) else { return Ok(Exit::Trouble) };
    let old = match super::load_chosen_for_evaluation(&args.old, Some(on_old), args.proposal_old.as_deref(), reporter) {
        Ok((old, _)) => old,
        Err(exit) => return Ok(exit),
    };
    let new = match super::load_chosen_for_evaluation(&args.new, Some(on_new), args.proposal_new.as_deref(), reporter) {
        Ok((new, _)) => new,
        Err(exit) => return Ok(exit),
    };
    let name = |loaded: &avenant::Loaded, on: jiff::civil::Date| format!("{} on {on}", loaded.policy.header().name);
    let old_side = diff::Side { loaded: &old, on: on_old, name: name(&old, on_old) };
    let new_side = diff::Side { loaded: &new, on: on_new, name: name(&new, on_new) };
    let policies = [args.old.clone(), args.new.clone()];
    if let Err(exit) = super::eval_population::refuse_clashes(
        reporter,
        &args.profiles,
        &policies,
        args.out.as_deref(),
        args.errors.as_deref(),
    ) {
        return Ok(exit);
    }
    let population = args.profiles.display().to_string();
    // The format of a text population; none for Parquet.
    let input = match RowsFormat::of(&args.profiles) {
        Some(format) => Some(format),
        None if avenant::batch::parquet::is_parquet(&args.profiles) => None,
        None => {
            reporter.message(&format!("`{population}`: a population is a `.csv`, `.jsonl` or `.parquet` file"));
            return Ok(Exit::Trouble);
        }
    };
    let population_file = match std::fs::File::open(&args.profiles) {
        Ok(file) => file,
        Err(error) => {
            reporter.message(&format!("cannot read `{population}`: {error}"));
            return Ok(Exit::Trouble);
        }
    };
    // Both files are written beside their targets and replace them only
    // when the comparison has succeeded.
    let mut out_file = match &args.out {
        Some(path) => {
            let form = if avenant::batch::parquet::is_parquet(path) {
                RowsOut::Parquet
            } else {
                match RowsFormat::of(path) {
                    Some(format) => RowsOut::Text(format),
                    None => {
                        reporter.message(&format!(
                            "`{}`: per-profile rows are written as `.csv`, `.jsonl` or `.parquet`",
                            path.display()
                        ));
                        return Ok(Exit::Trouble);
                    }
                }
            };
            match AtomicFile::create(path) {
                Ok(file) => Some((file, form)),
                Err(error) => {
                    reporter.message(&format!("cannot write `{}`: {error}", path.display()));
                    return Ok(Exit::Trouble);
                }
            }
        }
        None => None,
    };
    let mut errors_file = match args.errors.as_deref().map(|path| Rejects::create(path, true)).transpose() {
        Ok(errors_file) => errors_file,
        Err(error) => return Ok(super::eval_population::cannot_write(reporter, args.errors.as_deref(), &error)),
    };
    let mut rejected = |row: &diff::Rejected| -> std::io::Result<()> {
        match errors_file.as_mut() {
            Some(rejects) => rejects.push(Some(row.side), &row.error),
            None => {
                // Where, as `eval` says it (file, line, row), then which text refused the row.
                let line = match row.error.line {
                    0 => String::new(),
                    line => format!(":{line}"),
                };
                let field = row.error.field.as_deref().map(|field| format!(" (field `{field}`)")).unwrap_or_default();
                let help = row.error.help.as_deref().map(|help| format!("\n  help: {help}")).unwrap_or_default();
                let text = format!(
                    "{population}{line}: row {}: rejected by {}: {}{field}{help}",
                    row.row, row.side, row.error.message
                );
                writeln!(std::io::stderr().lock(), "{text}")
            }
        }
    };
    let options = diff::Options {
        threads: args.threads,
        chunk_size: args.chunk_size,
        take_up: args.take_up.clone(),
        assignments,
    };
    let (mut text_rows, mut parquet_rows) = (None, None);
    match out_file.as_mut() {
        Some((file, RowsOut::Text(format))) => text_rows = Some(diff::ProfileRows::Text { out: file, format: *format }),
        Some((file, RowsOut::Parquet)) => {
            let writer = avenant::batch::parquet::writer(file, diff::rows_schema(&old_side, &new_side))?;
            // The rows are encoded on `--threads` threads of their own: the
            // comparison's are idle while a wave's rows are written.
            let encoders = rayon::ThreadPoolBuilder::new().num_threads(args.threads).build();
            parquet_rows = Some((writer, encoders.map_err(std::io::Error::other)?));
        }
        None => {}
    }
    let typed = parquet_rows.is_some();
    let mut emit = |rows: arrow_array::RecordBatch| match parquet_rows.as_mut() {
        Some((writer, encoders)) => {
            encoders.install(|| writer.write(&rows)).map_err(avenant::batch::parquet::parquet_io)
        }
        None => Ok(()),
    };
    let rows = match text_rows {
        Some(rows) => Some(rows),
        None if typed => Some(diff::ProfileRows::Arrow(&mut emit)),
        None => None,
    };
    let result = match input {
        Some(format) => diff::diff(&old_side, &new_side, population_file, format, &options, rows, &mut rejected),
        None => match avenant::batch::parquet::read(population_file) {
            Ok(profiles) => {
                let (schema, batches) = (profiles.schema, profiles.batches);
                diff::diff_arrow(&old_side, &new_side, &schema, batches, &options, rows, &mut rejected)
            }
            Err(message) => Err(DiffError::Batch(avenant::batch::BatchError::Read(message))),
        },
    };
    // The footer is written only after a comparison that succeeded; otherwise the file is never committed.
    let closed = match (parquet_rows, result.is_ok()) {
        (Some((writer, encoders)), true) => {
            encoders.install(|| writer.close()).map_err(avenant::batch::parquet::parquet_io)
        }
        (Some(_), false) | (None, _) => Ok(()),
    };
    let summary = match result {
        Ok(summary) => summary,
        Err(DiffError::Io(error)) => return Err(error),
        Err(DiffError::Columns { side, errors }) => {
            for error in &errors {
                reporter.row_error(&population, error);
            }
            let text = format!(
                "{population}: rejected whole, its columns are not the fields of the {side} text; no row compared"
            );
            let _ = writeln!(std::io::stderr().lock(), "{text}");
            return Ok(Exit::Rejected);
        }
        Err(DiffError::Argument(error)) => {
            super::assign::report(reporter, &error);
            return Ok(Exit::Trouble);
        }
        Err(error @ DiffError::Overflow(_)) => {
            reporter.message(&format!("cannot sum over `{population}`: {error}"));
            return Ok(Exit::Rejected);
        }
        Err(error @ DiffError::Batch(_)) => {
            reporter.message(&format!("cannot compare over `{population}`: {error}"));
            return Ok(Exit::Trouble);
        }
    };
    closed?;
    if let Some((file, _)) = out_file {
        file.commit()?;
    }
    if let Some(rejects) = errors_file {
        rejects.finish()?.commit()?;
    }
    let mut stdout = std::io::stdout().lock();
    match args.format {
        SummaryFormat::Table => write!(stdout, "{}", output::diff::table(&summary, &population))?,
        SummaryFormat::Json => {
            writeln!(stdout, "{}", serde_json::to_string_pretty(&output::diff::json(&summary)).unwrap_or_default())?
        }
        SummaryFormat::Csv => write!(stdout, "{}", output::diff::csv(&summary))?,
    }
    let rejected_rows = summary.rejected > 0 && !args.allow_rejects;
    Ok(if rejected_rows { Exit::Rejected } else { Exit::Success })
}

/// How the per-profile rows are written: as text, or as Parquet.
enum RowsOut {
    Text(RowsFormat),
    Parquet,
}
