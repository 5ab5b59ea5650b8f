//! `avenant diff`: what a text changes over a population, profile by profile
//! and in sum, by band, zone and specialty.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use rust_decimal::Decimal;

use super::atomic::{AtomicFile, Files};
use super::{Exit, Reporter};
use avenant::batch::Format as RowsFormat;
use avenant::diff::{self, Breakdown, Money, Moves, Summary};

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The policy before: a policy file, or a directory of texts (the one in force on its date).
    #[arg(value_name = "OLD")]
    old: PathBuf,

    /// The policy after. It may be OLD itself, compared at two dates.
    #[arg(value_name = "NEW")]
    new: PathBuf,

    /// The population: CSV (a header of field names, one profile a row) or JSON Lines.
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

    /// The summary: `table` for people, `json` or `csv` (one row per band, zone and specialty) for programs.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// Write one row per profile (what changed, and its aid per year under
    /// each text) to this file: `.csv`, or `.jsonl`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Write the rejected rows as CSV (`row,side,code,field,message`) to this
    /// file instead of standard error.
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
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
    let Ok((old, _)) = super::load_for_evaluation(&args.old, Some(on_old), reporter) else { return Ok(Exit::Rejected) };
    let Ok((new, _)) = super::load_for_evaluation(&args.new, Some(on_new), reporter) else { return Ok(Exit::Rejected) };
    let name = |loaded: &avenant::Loaded, on: jiff::civil::Date| format!("{} on {on}", loaded.policy.header.name);
    let old_side = diff::Side { loaded: &old, on: on_old, name: name(&old, on_old) };
    let new_side = diff::Side { loaded: &new, on: on_new, name: name(&new, on_new) };
    let policy_texts = super::policy_files(&[args.old.clone(), args.new.clone()]).unwrap_or_default();
    let files = Files::default()
        .input("population", &args.profiles)
        .inputs("policy text", policy_texts.iter().map(PathBuf::as_path))
        .output("`--out`", args.out.as_deref())
        .output("`--errors`", args.errors.as_deref());
    if let Err(clash) = files.check() {
        reporter.message(&clash);
        return Ok(Exit::Trouble);
    }
    // Both files are written beside their targets and replace them only
    // when the comparison has succeeded.
    let mut out_file = match &args.out {
        Some(path) => {
            let format = match RowsFormat::of(path) {
                Some(format) => format,
                None => {
                    reporter
                        .message(&format!("`{}`: per-profile rows are written as `.csv` or `.jsonl`", path.display()));
                    return Ok(Exit::Trouble);
                }
            };
            match AtomicFile::create(path) {
                Ok(file) => Some((file, format)),
                Err(error) => {
                    reporter.message(&format!("cannot write `{}`: {error}", path.display()));
                    return Ok(Exit::Trouble);
                }
            }
        }
        None => None,
    };
    let mut errors_file = match &args.errors {
        Some(path) => match AtomicFile::create(path) {
            Ok(file) => {
                let mut writer = csv::Writer::from_writer(file);
                writer.write_record(["row", "side", "code", "field", "message"]).map_err(std::io::Error::other)?;
                Some(writer)
            }
            Err(error) => {
                reporter.message(&format!("cannot write `{}`: {error}", path.display()));
                return Ok(Exit::Trouble);
            }
        },
        None => None,
    };
    let population = args.profiles.display().to_string();
    let mut rejected = |row: &diff::Rejected| -> std::io::Result<()> {
        match errors_file.as_mut() {
            Some(writer) => {
                let number = row.row.to_string();
                let field = row.field.clone().unwrap_or_default();
                let cells = [number.as_str(), row.side, row.code, field.as_str(), row.message.as_str()];
                writer.write_record(cells).map_err(std::io::Error::other)
            }
            None => {
                let field = row.field.as_deref().map(|field| format!(" (field `{field}`)")).unwrap_or_default();
                let text = format!("{population}: row {}: rejected by {}: {}{field}", row.row, row.side, row.message);
                writeln!(std::io::stderr().lock(), "{text}")
            }
        }
    };
    let options = diff::Options { threads: args.threads, chunk_size: args.chunk_size };
    let rows = out_file.as_mut().map(|(writer, format)| diff::ProfileRows { out: writer, format: *format });
    let summary = match diff::diff(&old_side, &new_side, &args.profiles, &options, rows, &mut rejected) {
        Ok(summary) => summary,
        Err(error) => {
            reporter.message(&format!("cannot compare over `{population}`: {error}"));
            return Ok(Exit::Trouble);
        }
    };
    if let Some((file, _)) = out_file {
        file.commit()?;
    }
    if let Some(writer) = errors_file {
        writer.into_inner().map_err(|error| std::io::Error::other(error.to_string()))?.commit()?;
    }
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Table => write!(stdout, "{}", table(&summary, &population))?,
        Format::Json => writeln!(stdout, "{}", serde_json::to_string_pretty(&summary).unwrap_or_default())?,
        Format::Csv => write!(stdout, "{}", breakdown_csv(&summary))?,
    }
    let rejected_rows = summary.rejected > 0 && !args.allow_rejects;
    Ok(if rejected_rows { Exit::Rejected } else { Exit::Success })
}

fn euros(value: Decimal) -> String {
    let text = avenant::output::decimal_text(value.round_dp(0), avenant::check::types::Type::Euros);
    let whole = text.trim_end_matches(".00");
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |digits| ("-", digits));
    let mut grouped = String::new();
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped} €")
}

fn signed(value: Decimal) -> String {
    if value > Decimal::ZERO { format!("+{}", euros(value)) } else { euros(value) }
}

/// The summary for people: every table ends with its total, which adds up.
fn table(summary: &Summary, population: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} → {}, over {population}", summary.old, summary.new);
    let _ = writeln!(
        out,
        "  rows: {} read, {} compared, {} rejected; {} profile(s) with an outcome that changes",
        summary.rows_in, summary.compared, summary.rejected, summary.changed
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "  {:<22} {:>8} {:>8} {:>8}", "", "gained", "lost", "kept");
    let _ = writeln!(
        out,
        "  {:<22} {:>8} {:>8} {:>8}",
        "eligibility", summary.eligibility.gained, summary.eligibility.lost, summary.eligibility.kept
    );
    for (option, moves) in &summary.options {
        let _ =
            writeln!(out, "  {:<22} {:>8} {:>8} {:>8}", format!("{option} open"), moves.gained, moves.lost, moves.kept);
    }
    let _ = writeln!(out);
    let _ =
        writeln!(out, "  aid per year, the contract year in progress: a physician with a contract keeps its option;");
    let _ = writeln!(out, "  the others are taken to sign the option of each line, in its year 1");
    let _ = writeln!(out, "  {:<22} {:>16} {:>16} {:>16}", "option", "old", "new", "change");
    for (option, money) in &summary.aid_per_year {
        let _ = writeln!(
            out,
            "  {:<22} {:>16} {:>16} {:>16}",
            option,
            euros(money.old),
            euros(money.new),
            signed(money.change())
        );
    }
    for (title, breakdown) in
        [("band", &summary.by_band), ("zone", &summary.by_zone), ("specialty", &summary.by_specialty)]
    {
        let _ = writeln!(out);
        let options: Vec<&String> = summary.aid_per_year.keys().collect();
        let _ = write!(out, "  {:<24} {:>8} {:>8} {:>8}", format!("by {title}"), "profiles", "gained", "lost");
        for option in &options {
            let _ = write!(out, " {:>16}", format!("Δ aid {option}"));
        }
        let _ = writeln!(out);
        let mut total = Breakdown::default();
        for (key, row) in breakdown {
            breakdown_line(&mut out, key, row, &options);
            total.profiles += row.profiles;
            total.eligibility = add_moves(total.eligibility, row.eligibility);
            for (option, money) in &row.aid_per_year {
                let sum = total.aid_per_year.entry(option.clone()).or_default();
                sum.old += money.old;
                sum.new += money.new;
            }
        }
        breakdown_line(&mut out, "total", &total, &options);
    }
    out
}

fn add_moves(a: Moves, b: Moves) -> Moves {
    Moves { gained: a.gained + b.gained, lost: a.lost + b.lost, kept: a.kept + b.kept }
}

fn breakdown_line(out: &mut String, key: &str, row: &Breakdown, options: &[&String]) {
    let _ = write!(out, "  {key:<24} {:>8} {:>8} {:>8}", row.profiles, row.eligibility.gained, row.eligibility.lost);
    for option in options {
        let change = row.aid_per_year.get(*option).map_or(Decimal::ZERO, Money::change);
        let _ = write!(out, " {:>16}", signed(change));
    }
    let _ = writeln!(out);
}

/// One CSV row per band, zone and specialty, with stable columns.
fn breakdown_csv(summary: &Summary) -> String {
    let options: Vec<&String> = summary.aid_per_year.keys().collect();
    let mut out = String::from("dimension,key,profiles,eligibility.gained,eligibility.lost,eligibility.kept");
    for option in &options {
        let _ = write!(out, ",aid_per_year.{option}.old,aid_per_year.{option}.new");
    }
    out.push('\n');
    let euros = |value: Decimal| avenant::output::decimal_text(value, avenant::check::types::Type::Euros);
    for (dimension, breakdown) in
        [("band", &summary.by_band), ("zone", &summary.by_zone), ("specialty", &summary.by_specialty)]
    {
        for (key, row) in breakdown {
            let moves = row.eligibility;
            let _ = write!(out, "{dimension},{key},{},{},{},{}", row.profiles, moves.gained, moves.lost, moves.kept);
            for option in &options {
                let money = row.aid_per_year.get(*option).copied().unwrap_or_default();
                let _ = write!(out, ",{},{}", euros(money.old), euros(money.new));
            }
            out.push('\n');
        }
    }
    out
}
