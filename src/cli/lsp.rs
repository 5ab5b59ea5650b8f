//! `avenant lsp`: the language server, over standard input and output.

use super::{Exit, Reporter};

/// Serves an editor over standard input and output: diagnostics as you type,
/// hover, definitions and references across the chain of texts, rename,
/// completion, outline, formatting and each example's result inline. An
/// editor starts it; see docs/editors.md.
#[derive(Debug, clap::Args)]
pub struct LspArgs {}

pub fn run(_args: &LspArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    let (connection, threads) = lsp_server::Connection::stdio();
    let served = avenant::lsp::serve(&connection);
    // The writer ends once the connection's sender is dropped.
    drop(connection);
    let joined = threads.join();
    match (served, joined) {
        (Ok(()), Ok(())) => Ok(Exit::Success),
        (Err(error), _) => {
            reporter.message(&format!("avenant lsp: {error}"));
            Ok(Exit::Trouble)
        }
        (Ok(()), Err(error)) => Err(error),
    }
}
