//! `avenant diff`: what a text changes over a population, profile by profile
//! and in sum, by band, zone and specialty.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use rust_decimal::Decimal;

use super::assign::AssignArgs;
use super::atomic::AtomicFile;
use super::{Exit, Reporter};
use avenant::batch::Format as RowsFormat;
use avenant::diff::{self, Breakdown, DiffError, Money, Summary};

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
    let Some(assignments) = args.assign.assignments(reporter) else { return Ok(Exit::Trouble) };
    let old = match super::load_chosen_for_evaluation(&args.old, Some(on_old), args.proposal_old.as_deref(), reporter) {
        Ok((old, _)) => old,
        Err(exit) => return Ok(exit),
    };
    let new = match super::load_chosen_for_evaluation(&args.new, Some(on_new), args.proposal_new.as_deref(), reporter) {
        Ok((new, _)) => new,
        Err(exit) => return Ok(exit),
    };
    let name = |loaded: &avenant::Loaded, on: jiff::civil::Date| format!("{} on {on}", loaded.policy.header.name);
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
    let Some(input) = RowsFormat::of(&args.profiles) else {
        reporter.message(&format!("`{population}`: a population is a `.csv` or `.jsonl` file"));
        return Ok(Exit::Trouble);
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
    let mut rejected = |row: &diff::Rejected| -> std::io::Result<()> {
        match errors_file.as_mut() {
            Some(writer) => write_rejected(writer, row),
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
    let rows = out_file.as_mut().map(|(writer, format)| diff::ProfileRows { out: writer, format: *format });
    let result = diff::diff(&old_side, &new_side, population_file, input, &options, rows, &mut rejected);
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

/// One line of the `--errors` report.
fn write_rejected(writer: &mut csv::Writer<AtomicFile>, row: &diff::Rejected) -> std::io::Result<()> {
    let number = row.row.to_string();
    let field = row.error.field.clone().unwrap_or_default();
    let cells = [number.as_str(), row.side, row.error.code, field.as_str(), row.error.message.as_str()];
    writer.write_record(cells).map_err(std::io::Error::other)
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
    if value.round_dp(0) > Decimal::ZERO { format!("+{}", euros(value)) } else { euros(value) }
}

/// What one side has and the other lacks, in words; empty when nothing.
fn structure(summary: &Summary) -> Vec<String> {
    let mut lines = Vec::new();
    for (side, only) in [("old", &summary.only_old), ("new", &summary.only_new)] {
        let kinds = [
            ("options", &only.options, "the other text does not offer them"),
            ("outputs", &only.outputs, "compared against no value"),
            ("conditions", &only.conditions, "the other text does not require them"),
        ];
        for (kind, names, meaning) in kinds {
            if !names.is_empty() {
                let names = names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
                lines.push(format!("{kind} only in the {side} text ({meaning}): {names}"));
            }
        }
    }
    lines
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
    let _ = writeln!(
        out,
        "  contracts: {} running (they keep their option, in the contract year in progress), {} new (they sign at the take-up below, in year 1)",
        summary.contracts.running, summary.contracts.new
    );
    for line in structure(summary) {
        let _ = writeln!(out, "  {line}");
    }
    for assumed in &summary.assumed {
        let _ = writeln!(out, "  assumed for every row: {assumed}");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "  {:<30} {:>8} {:>8} {:>8}", "", "gained", "lost", "kept");
    let moves = summary.eligibility;
    let _ = writeln!(out, "  {:<30} {:>8} {:>8} {:>8}", "eligibility", moves.gained, moves.lost, moves.kept);
    for (option, detail) in &summary.options {
        let label = match detail.offered {
            "both" => format!("{option} open"),
            offered => format!("{option} open ({offered})"),
        };
        let _ =
            writeln!(out, "  {label:<30} {:>8} {:>8} {:>8}", detail.open.gained, detail.open.lost, detail.open.kept);
    }
    let mut deciders: Vec<(String, avenant::diff::Decided)> =
        summary.eligibility_by_condition.iter().map(|(name, moves)| (format!("eligibility: {name}"), *moves)).collect();
    for (option, detail) in &summary.options {
        deciders.extend(detail.by_condition.iter().map(|(name, moves)| (format!("{option}: {name}"), *moves)));
    }
    if !deciders.is_empty() {
        let _ = writeln!(out);
        let _ =
            writeln!(out, "  gains and losses by the condition that decided them (a profile may count under several)");
        let _ = writeln!(out, "  {:<48} {:>8} {:>8}", "condition", "gained", "lost");
        for (name, moves) in deciders {
            let _ = writeln!(out, "  {name:<48} {:>8} {:>8}", moves.gained, moves.lost);
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "  budget per year: running contracts on their option, plus new contracts at the take-up");
    let _ = writeln!(
        out,
        "  {:<12} {:>8} {:>16} {:>16} {:>16} {:>16} {:>16}",
        "option", "take-up", "running old", "running new", "budget old", "budget new", "change"
    );
    for (option, detail) in &summary.options {
        let _ = writeln!(
            out,
            "  {option:<12} {:>8} {:>16} {:>16} {:>16} {:>16} {:>16}",
            detail.take_up.rate,
            euros(detail.running.old),
            euros(detail.running.new),
            euros(detail.budget.old),
            euros(detail.budget.new),
            signed(detail.budget.change())
        );
    }
    let budget = summary.budget;
    let _ = writeln!(
        out,
        "  {:<12} {:>8} {:>16} {:>16} {:>16} {:>16} {:>16}",
        "total",
        "",
        euros(budget.running.old),
        euros(budget.running.new),
        euros(budget.total.old),
        euros(budget.total.new),
        signed(budget.total.change())
    );
    let _ = writeln!(out, "  take-up assumed:");
    for (option, detail) in &summary.options {
        let open = detail.open_to_new;
        let _ = writeln!(
            out,
            "    {option}: {} ({}); open to {} new contract(s) under the old text, {} under the new; if all signed, {} → {}",
            detail.take_up.rate,
            detail.take_up.source,
            open.old,
            open.new,
            euros(detail.if_all_sign.old),
            euros(detail.if_all_sign.new)
        );
    }
    let options: Vec<&String> = summary.options.keys().collect();
    for (title, breakdown) in [
        ("band", &summary.by_band),
        ("zone", &summary.by_zone),
        ("specialty", &summary.by_specialty),
        ("contract", &summary.by_contract),
    ] {
        let _ = writeln!(out);
        let _ = write!(out, "  {:<24} {:>8} {:>8} {:>8}", format!("by {title}"), "profiles", "gained", "lost");
        for option in &options {
            let _ = write!(out, " {:>16}", format!("Δ {option}"));
        }
        let _ = writeln!(out, " {:>16}", "Δ budget");
        let mut total = Breakdown::default();
        for (key, row) in breakdown {
            breakdown_line(&mut out, key, row, &options);
            total.profiles += row.profiles;
            total.eligibility.merge(row.eligibility);
            for (option, money) in &row.budget {
                let sum = total.budget.entry(option.clone()).or_default();
                sum.old += money.old;
                sum.new += money.new;
            }
            total.total.old += row.total.old;
            total.total.new += row.total.new;
        }
        breakdown_line(&mut out, "total", &total, &options);
    }
    out
}

fn breakdown_line(out: &mut String, key: &str, row: &Breakdown, options: &[&String]) {
    let _ = write!(out, "  {key:<24} {:>8} {:>8} {:>8}", row.profiles, row.eligibility.gained, row.eligibility.lost);
    for option in options {
        let change = row.budget.get(*option).map_or(Decimal::ZERO, Money::change);
        let _ = write!(out, " {:>16}", signed(change));
    }
    let _ = writeln!(out, " {:>16}", signed(row.total.change()));
}

/// One CSV row per band, zone, specialty and contract, with stable columns.
fn breakdown_csv(summary: &Summary) -> String {
    let options: Vec<&String> = summary.options.keys().collect();
    let mut out = String::from("dimension,key,profiles,eligibility.gained,eligibility.lost,eligibility.kept");
    for option in &options {
        let _ = write!(out, ",budget.{option}.old,budget.{option}.new");
    }
    out.push_str(",budget.total.old,budget.total.new\n");
    let euros = |value: Decimal| {
        let cents = value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
        avenant::output::decimal_text(cents, avenant::check::types::Type::Euros)
    };
    for (dimension, breakdown) in [
        ("band", &summary.by_band),
        ("zone", &summary.by_zone),
        ("specialty", &summary.by_specialty),
        ("contract", &summary.by_contract),
    ] {
        for (key, row) in breakdown {
            let moves = row.eligibility;
            let _ = write!(out, "{dimension},{key},{},{},{},{}", row.profiles, moves.gained, moves.lost, moves.kept);
            for option in &options {
                let money = row.budget.get(*option).copied().unwrap_or_default();
                let _ = write!(out, ",{},{}", euros(money.old), euros(money.new));
            }
            let _ = writeln!(out, ",{},{}", euros(row.total.old), euros(row.total.new));
        }
    }
    out
}
