//! `avenant test`: run the examples that policy files declare, report each
//! failure with expected and actual values side by side, and what no example
//! exercises.

use std::io::Write as _;
use std::path::PathBuf;

use super::{Exit, Reporter};
use avenant::eval::{Coverage, run_examples};

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Policy files, or folders whose `.policy` files are all tested.
    #[arg(value_name = "PATH", default_value = "policies")]
    paths: Vec<PathBuf>,
}

pub fn run(args: &TestArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    let mut exit = Exit::Success;
    let policies = match super::policy_files(&args.paths) {
        Ok(policies) => policies,
        Err(error) => {
            reporter.message(&error);
            return Ok(Exit::Trouble);
        }
    };
    let mut stdout = std::io::stdout().lock();
    for (position, path) in policies.iter().enumerate() {
        let policy = match super::load_policy(path, None, reporter) {
            Ok(loaded) => loaded.policy,
            Err(code) => {
                exit = exit.max(code);
                continue;
            }
        };
        let mut coverage = Coverage::default();
        let results = run_examples(&policy, &mut coverage);
        if results.iter().any(|result| !result.passed()) {
            exit = exit.max(Exit::Rejected);
        }
        if position > 0 {
            writeln!(stdout)?;
        }
        write!(stdout, "{}", avenant::output::examples::report(&policy, &results, &coverage.gaps(&policy)))?;
    }
    Ok(exit)
}
