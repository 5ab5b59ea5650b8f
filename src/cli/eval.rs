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
    #[arg(required_unless_present = "population", value_name = "PROFILE")]
    profiles: Vec<PathBuf>,

    /// A population: a CSV file (a header row of field names, one profile a
    /// row, an empty cell for a field not given) or JSON Lines (one profile
    /// object a line) or Parquet (`.parquet`, read row group by row group),
    /// evaluated on all cores in constant memory.
    #[arg(long = "profiles", value_name = "FILE", conflicts_with = "profiles")]
    population: Option<PathBuf>,

    /// `table` for people (the default), `json` for one object per profile.
    /// A population's outcomes take `--out-format`.
    #[arg(long, value_enum, default_value_t = ProfileFormat::Table, conflicts_with = "population")]
    format: ProfileFormat,

    #[command(flatten)]
    batch: super::eval_population::PopulationArgs,

    /// The date of the evaluation (YYYY-MM-DD; default: today). It picks the
    /// text in force in a directory, and dates the physician's contract year.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    on: Option<jiff::civil::Date>,

    /// Use the text of this name in the POLICY directory, a draft with
    /// `status proposal` say, instead of the one in force on the date
    /// (proposals are never picked by date).
    #[arg(long, value_name = "NAME")]
    proposal: Option<String>,
}

/// How the outcome of a profile file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum ProfileFormat {
    Table,
    Json,
}

pub fn run(args: &EvalArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    let (loaded, on) =
        match super::load_chosen_for_evaluation(&args.policy, args.on, args.proposal.as_deref(), reporter) {
            Ok(loaded) => loaded,
            Err(exit) => return Ok(exit),
        };
    let policy = &loaded.policy;
    if let Some(population) = &args.population {
        return super::eval_population::run(&args.batch, &loaded, on, &args.policy, population, reporter);
    }
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
            ProfileFormat::Json => {
                let json = output::json::outcome(policy, &subject, &outcome);
                writeln!(stdout, "{}", serde_json::to_string_pretty(&json).unwrap_or_default())?;
            }
            ProfileFormat::Table => {
                if position > 0 {
                    writeln!(stdout)?;
                }
                write!(stdout, "{}", output::table::outcome(policy, &subject, &outcome))?;
            }
        }
    }
    Ok(exit)
}
