//! `avenant check`: parse and check policies, every problem at once.

use std::io::Write as _;
use std::path::PathBuf;

use super::{Exit, Reporter};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Policy files to check.
    #[arg(required = true, value_name = "POLICY")]
    policies: Vec<PathBuf>,
}

pub fn run(args: &CheckArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    let mut exit = Exit::Success;
    for path in &args.policies {
        match super::load_policy(path, reporter) {
            Ok((policy, warnings)) => {
                for warning in &warnings {
                    reporter.diagnostic(&warning.render_with(policy.sources()));
                }
                let mut stdout = std::io::stdout().lock();
                writeln!(stdout, "{}: ok ({} warning(s))", path.display(), warnings.len())?;
            }
            Err(code) => exit = exit.max(code),
        }
    }
    Ok(exit)
}
