//! `avenant check`: parse and check policies, every problem at once.

use std::io::Write as _;
use std::path::PathBuf;

use super::{Exit, Reporter};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Policy files to check.
    #[arg(required = true, value_name = "POLICY")]
    policies: Vec<PathBuf>,

    /// Also list every value the policy states without the legal text behind
    /// it (secondary sources and assumptions), with its reason and place.
    #[arg(long)]
    assumptions: bool,
}

pub fn run(args: &CheckArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    let mut exit = Exit::Success;
    let paths = match super::policy_files(&args.policies) {
        Ok(paths) => paths,
        Err(error) => {
            reporter.message(&error);
            return Ok(Exit::Trouble);
        }
    };
    // A folder's texts are read once for all its files, not once for each.
    let mut loader = avenant::chain::Loader::default();
    for path in &paths {
        match super::report_loaded(loader.load_text(path), reporter) {
            Ok(avenant::Loaded { policy, warnings, .. }) => {
                for warning in &warnings {
                    reporter.diagnostic(&warning.render_with(policy.sources()));
                }
                let mut stdout = std::io::stdout().lock();
                writeln!(stdout, "{}: ok ({} warning(s))", path.display(), warnings.len())?;
                if args.assumptions {
                    for reliance in policy.unestablished() {
                        let reason = reliance.reason.as_deref().map(|reason| format!(": {reason}")).unwrap_or_default();
                        let at = policy.sources().location(reliance.span);
                        writeln!(stdout, "  {:<11} {}{reason} ({at})", reliance.certainty.word(), reliance.what)?;
                    }
                }
            }
            Err(code) => exit = exit.max(code),
        }
    }
    Ok(exit)
}
