//! `avenant eval`: evaluate profiles against a policy.

use std::io::Write as _;
use std::path::PathBuf;

use super::{Exit, Reporter};
use avenant::output::{self, Subject};

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The policy to evaluate against: a policy file (with the texts it
    /// amends), or a directory of texts, of which the one in force on the
    /// evaluation date is used.
    #[arg(value_name = "POLICY")]
    policy: PathBuf,

    /// Profile files (`.toml`, `.json`, `.yaml`); each is evaluated in turn.
    #[arg(required = true, value_name = "PROFILE")]
    profiles: Vec<PathBuf>,

    /// `table` for people; `json` prints one object per profile, with the
    /// policy's outputs under their declared names.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// The date of the evaluation (YYYY-MM-DD; default: today). It picks the
    /// text in force in a directory, and dates the physician's contract year.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    on: Option<jiff::civil::Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Table,
    Json,
}

pub fn run(args: &EvalArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    let (loaded, on) = match super::load_for_evaluation(&args.policy, args.on, reporter) {
        Ok(loaded) => loaded,
        Err(exit) => return Ok(exit),
    };
    let policy = &loaded.policy;
    let policy_file = args.policy.display().to_string();
    let mut exit = Exit::Success;
    let mut stdout = std::io::stdout().lock();
    for (position, path) in args.profiles.iter().enumerate() {
        let profile = match super::load_profile(policy, path, reporter, &loaded.family_fields) {
            Ok(profile) => profile,
            Err(code) => {
                exit = exit.max(code);
                continue;
            }
        };
        let outcome = match avenant::evaluate(policy, &profile, on) {
            Ok(outcome) => outcome,
            Err(error) => {
                reporter.message(&format!("cannot evaluate `{}`", path.display()));
                reporter.diagnostic(&error);
                exit = exit.max(Exit::Rejected);
                continue;
            }
        };
        let profile_file = path.display().to_string();
        let subject = Subject {
            profile_file: &profile_file,
            profile_name: profile.name.as_deref(),
            policy_file: &policy_file,
            chain: &loaded.chain,
            on,
        };
        match args.format {
            Format::Json => {
                let json = output::json::outcome(policy, &subject, &outcome);
                writeln!(stdout, "{}", serde_json::to_string_pretty(&json).unwrap_or_default())?;
            }
            Format::Table => {
                if position > 0 {
                    writeln!(stdout)?;
                }
                write!(stdout, "{}", output::table::outcome(policy, &subject, &outcome))?;
            }
        }
    }
    Ok(exit)
}
