//! The command line: one file per subcommand, each with its clap `Args`
//! whose doc comments are the `--help` text. This is the only place that
//! prints or exits.

mod check;
mod eval;
mod eval_population;
mod report;

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
    let reporter = Reporter::new(cli.error_format, cli.color);
    let exit = match cli.command {
        Command::Eval(args) => eval::run(&args, &reporter),
        Command::Check(args) => check::run(&args, &reporter),
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
fn load_policy(
    path: &std::path::Path,
    reporter: &Reporter,
) -> Result<(avenant::CheckedPolicy, Vec<avenant::Diagnostic>), Exit> {
    match avenant::load_policy(path) {
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
    }
}
