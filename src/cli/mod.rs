//! The command line: one file per subcommand, each with its clap `Args`
//! whose doc comments are the `--help` text. This is the only place that
//! prints or exits.

mod assign;
mod atomic;
mod check;
mod diff;
mod eval;
mod eval_parquet;
mod eval_population;
mod explain;
mod fmt;
mod lsp;
mod population;
mod rejects;
mod report;
mod serve;
mod show;
mod test;

use clap::{Parser, Subcommand, ValueEnum};

pub use report::Reporter;

/// Rules as code for the aid to employ a medical assistant (Convention médicale).
#[derive(Debug, Parser)]
#[command(name = "avenant", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,

    /// How to write diagnostics: `human` (coloured on a terminal), `plain`, or `json`.
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,

    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate physician profiles against a policy.
    Eval(eval::EvalArgs),
    /// Parse and check policies, reporting every problem at once.
    Check(check::CheckArgs),
    /// Explain how each output of a profile was reached: bands, table cells,
    /// conditions, parameters, with their values, sources and places.
    Explain(explain::ExplainArgs),
    /// Run the examples that policy files declare, and report what they do not exercise.
    Test(test::TestArgs),
    /// Rewrite policy files in the one canonical layout (or check that they are).
    Fmt(fmt::FmtArgs),
    /// Write a synthetic population of physicians (CSV), deterministic from a seed.
    Population(population::PopulationArgs),
    /// Print a policy and the texts it amends whole, as if written in one file.
    Show(show::ShowArgs),
    /// What a text changes over a population: who gains or loses, and what it costs.
    Diff(diff::DiffArgs),
    /// Serve an editor over standard input and output (the language server protocol).
    Lsp(lsp::LspArgs),
    /// Serve a directory of policies over HTTP: a JSON API, a simulator and a playground.
    Serve(serve::ServeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormat {
    Human,
    Plain,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How a run ended: 0 success, 1 a policy or an input was rejected, 2 usage or I/O.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    Success = 0,
    Rejected = 1,
    Trouble = 2,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

pub fn run(cli: Cli) -> Exit {
    atomic::remove_pending_on_interrupt();
    let reporter = Reporter::new(cli.error_format, cli.color);
    let exit = match cli.command {
        Command::Eval(args) => eval::run(&args, &reporter),
        Command::Check(args) => check::run(&args, &reporter),
        Command::Explain(args) => explain::run(&args, &reporter),
        Command::Test(args) => test::run(&args, &reporter),
        Command::Fmt(args) => fmt::run(&args, &reporter),
        Command::Population(args) => population::run(&args, &reporter),
        Command::Show(args) => show::run(&args, &reporter),
        Command::Diff(args) => diff::run(&args, &reporter),
        Command::Lsp(args) => lsp::run(&args, &reporter),
        Command::Serve(args) => serve::run(&args, &reporter),
    };
    match exit {
        Ok(exit) => exit,
        // Output cut short by a closed pipe (`avenant eval … | head`) is success.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
        Err(error) => {
            reporter.message(&format!("cannot write the output: {error}"));
            Exit::Trouble
        }
    }
}

/// Loads a policy, reporting its problems; `Err` carries the exit code.
/// With a date, a directory gives the text in force on it, and a file must be
/// in force by then; without one, a file is loaded with the texts it amends.
fn load_policy(
    path: &std::path::Path,
    on: Option<jiff::civil::Date>,
    reporter: &Reporter,
) -> Result<avenant::Loaded, Exit> {
    load_chosen(path, on, None, reporter)
}

/// As [`load_policy`], with `proposal` naming the text of a directory to load
/// instead of the one in force by date (a draft, say).
fn load_chosen(
    path: &std::path::Path,
    on: Option<jiff::civil::Date>,
    proposal: Option<&str>,
    reporter: &Reporter,
) -> Result<avenant::Loaded, Exit> {
    let loaded = match (on, proposal) {
        (Some(on), proposal) => avenant::load_chosen(path, on, proposal),
        (None, Some(proposal)) => avenant::load_chosen(path, today(), Some(proposal)),
        (None, None) => avenant::load_text(path),
    };
    report_loaded(loaded, reporter)
}

/// A loaded policy (or the texts of a directory), or its problems reported; `Err` carries the exit code.
fn report_loaded<T>(loaded: Result<T, avenant::LoadError>, reporter: &Reporter) -> Result<T, Exit> {
    match loaded {
        Ok(loaded) => Ok(loaded),
        Err(avenant::LoadError::Io { path, error }) => {
            reporter.message(&format!("cannot read `{path}`: {error}"));
            Err(Exit::Trouble)
        }
        Err(avenant::LoadError::Syntax(error)) => {
            reporter.diagnostic(error.as_ref());
            Err(Exit::Rejected)
        }
        Err(avenant::LoadError::Check { diagnostics, sources }) => {
            for diagnostic in &diagnostics {
                reporter.diagnostic(&diagnostic.render_with(&sources));
            }
            Err(Exit::Rejected)
        }
        Err(error @ avenant::LoadError::NotInForce { .. }) => {
            reporter.message(&format!("{error}; evaluate the directory of texts to use the one in force then"));
            Err(Exit::Rejected)
        }
        Err(
            error @ (avenant::LoadError::NoTextInForce { .. }
            | avenant::LoadError::Ambiguous { .. }
            | avenant::LoadError::UnknownText { .. }),
        ) => {
            reporter.message(&error.to_string());
            Err(Exit::Rejected)
        }
    }
}

/// The policy in force on `on` (default: today), or the text `proposal`
/// names, and that date: what `eval`, `explain` and `diff` evaluate against.
fn load_chosen_for_evaluation(
    path: &std::path::Path,
    on: Option<jiff::civil::Date>,
    proposal: Option<&str>,
    reporter: &Reporter,
) -> Result<(avenant::Loaded, jiff::civil::Date), Exit> {
    let on = on.unwrap_or_else(today);
    load_chosen(path, Some(on), proposal, reporter).map(|loaded| (loaded, on))
}

/// Today, in UTC: the default date of an evaluation.
fn today() -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// A date on the command line: `YYYY-MM-DD`.
fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    text.parse().map_err(|_| format!("`{text}` is not a date; write it YYYY-MM-DD"))
}

/// Reads and validates one profile, reporting its problems; `Err` carries the exit code.
/// `tolerated` names fields that other texts of the policy's family declare.
fn load_profile(
    policy: &avenant::CheckedPolicy,
    path: &std::path::Path,
    reporter: &Reporter,
    tolerated: &[String],
) -> Result<avenant::Profile, Exit> {
    // One byte past the limit is enough for the reader to refuse the file:
    // a file of any size is never read whole.
    let mut bytes = Vec::new();
    let limit = u64::try_from(avenant::MAX_PROFILE_BYTES).unwrap_or(u64::MAX).saturating_add(1);
    std::fs::File::open(path)
        .and_then(|file| std::io::Read::read_to_end(&mut std::io::Read::take(file, limit), &mut bytes))
        .map_err(|error| {
            reporter.message(&format!("cannot read `{}`: {error}", path.display()));
            Exit::Trouble
        })?;
    // A file cut at the limit may end inside a character: it is refused for its size, not its encoding.
    if bytes.len() > avenant::MAX_PROFILE_BYTES {
        bytes.truncate(bytes.utf8_chunks().map(|chunk| chunk.valid().len()).next().unwrap_or(0));
        bytes.resize(avenant::MAX_PROFILE_BYTES + 1, b' ');
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        reporter.message(&format!("`{}` is not UTF-8 text (byte {at}); save the profile as UTF-8", path.display()));
        Exit::Rejected
    })?;
    avenant::ProfileInput::parse(path, &text)
        .map_err(|error| vec![*error])
        .and_then(|input| avenant::Profile::validate_with(policy, &input, tolerated))
        .map_err(|errors| {
            for error in &errors {
                reporter.profile_error(error, Some(&text));
            }
            Exit::Rejected
        })
}

/// The policy files named, folders expanded to their `.policy` files, sorted.
fn policy_files(paths: &[std::path::PathBuf]) -> Result<Vec<std::path::PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let (found, outside) = avenant::chain::policy_files_in(path)
                .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
            if let Some(link) = outside.first() {
                return Err(format!(
                    "`{}` leads outside `{}`: a folder's texts are read only from inside it; name the file itself to read it",
                    link.display(),
                    path.display()
                ));
            }
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(format!("cannot read `{}`: no such file or folder", path.display()));
        }
    }
    Ok(files)
}
