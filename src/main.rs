//! The `avenant` command: parses arguments, dispatches, exits with a typed code.

// As in the library (src/lib.rs): no indexing that may panic.
#![deny(clippy::indexing_slicing, clippy::unreachable)]

mod cli;

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    cli::run(cli::Cli::parse()).into()
}
