//! `avenant explain`: how each output of one profile was reached, as a tree
//! of the definitions it read, with their values, sources and places.

use std::io::Write as _;
use std::path::PathBuf;

use super::{Exit, Reporter};
use avenant::output::{self, Subject};

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The policy to evaluate against: a policy file (with the texts it
    /// amends), or a directory of texts, of which the one in force on the
    /// evaluation date is used.
    #[arg(value_name = "POLICY")]
    policy: PathBuf,

    /// The profile file (`.toml`, `.json`, `.yaml`) to explain, or the name of
    /// one of the policy's examples (`dr_a`).
    #[arg(value_name = "PROFILE")]
    profile: PathBuf,

    /// Explain only this output, by its path: `eligible`, `options.option_1`,
    /// `options.option_1.aid.year_1`. May be given several times.
    #[arg(long, value_name = "NAME")]
    output: Vec<String>,

    /// `text` reads like an auditor's note; `json` is the same tree for programs.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// The date of the evaluation (YYYY-MM-DD; default: today).
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    on: Option<jiff::civil::Date>,

    /// Use the text of this name in the POLICY directory, a draft with
    /// `status proposal` say, instead of the one in force on the date
    /// (proposals are never picked by date).
    #[arg(long, value_name = "NAME")]
    proposal: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(args: &ExplainArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    let (loaded, on) =
        match super::load_chosen_for_evaluation(&args.policy, args.on, args.proposal.as_deref(), reporter) {
            Ok(loaded) => loaded,
            Err(exit) => return Ok(exit),
        };
    let policy = &loaded.policy;
    let example = args.profile.to_str().and_then(|name| policy.examples().iter().find(|example| example.name == name));
    let profile = match example {
        Some(example) if !args.profile.exists() => avenant::Profile::from_example(policy, example),
        _ => match super::load_profile(policy, &args.profile, reporter, &loaded.family_fields) {
            Ok(profile) => profile,
            Err(exit) => return Ok(exit),
        },
    };
    let (outcome, explanation) = match avenant::eval::explain(policy, &profile, on) {
        Ok(explained) => explained,
        Err(error) => {
            reporter.message(&format!("cannot evaluate `{}`", args.profile.display()));
            reporter.diagnostic(&error);
            return Ok(Exit::Rejected);
        }
    };
    let mut roots = Vec::new();
    for path in &args.output {
        match explanation.find_output(path) {
            Some(root) => roots.push(root),
            None => {
                let names: Vec<String> = policy.outputs().iter().map(|output| format!("`{}`", output.name)).collect();
                reporter.message(&format!(
                    "the policy has no output `{path}`; its outputs are {} (with their fields, dotted)",
                    names.join(", ")
                ));
                return Ok(Exit::Trouble);
            }
        }
    }
    if args.output.is_empty() {
        roots = explanation.outputs.clone();
    }
    let (profile_file, policy_file) = (args.profile.display().to_string(), args.policy.display().to_string());
    let subject = Subject {
        profile_file: &profile_file,
        profile_name: profile.name.as_deref(),
        policy_file: &policy_file,
        chain: &loaded.chain,
        on,
    };
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Text => {
            let whole = args.output.is_empty().then_some(&outcome);
            write!(stdout, "{}", output::explain::text(policy, &subject, &explanation, &roots, whole))?;
        }
        Format::Json => {
            writeln!(stdout, "{}", output::explain::json_text(policy, &subject, &explanation, &roots))?;
        }
    }
    Ok(Exit::Success)
}
