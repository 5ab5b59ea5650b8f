//! The `avenant` command: parses arguments, dispatches, exits with a typed code.

mod cli;

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    cli::run(cli::Cli::parse()).into()
}
