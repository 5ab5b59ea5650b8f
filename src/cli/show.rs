//! `avenant show`: a policy and the texts it amends, printed whole as if
//! written in one file, each declaration marked with the text it comes from.

use std::io::Write as _;
use std::path::PathBuf;

use super::{Exit, Reporter};

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// A policy file (shown with the texts it amends), or a directory of
    /// texts, of which the one in force on `--on` is shown.
    #[arg(value_name = "POLICY")]
    policy: PathBuf,

    /// Show the text in force on this date (YYYY-MM-DD; default: today when
    /// POLICY is a directory).
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    on: Option<jiff::civil::Date>,

    /// Use the text of this name in the POLICY directory, a draft with
    /// `status proposal` say, instead of the one in force on the date
    /// (proposals are never picked by date).
    #[arg(long, value_name = "NAME")]
    proposal: Option<String>,
}

pub fn run(args: &ShowArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    let on = args.on.or_else(|| args.policy.is_dir().then(super::today));
    let loaded = match super::load_chosen(&args.policy, on, args.proposal.as_deref(), reporter) {
        Ok(loaded) => loaded,
        Err(exit) => return Ok(exit),
    };
    let text = avenant::format::print_merged(&loaded.merged, loaded.policy.sources());
    let mut stdout = std::io::stdout().lock();
    let status = if loaded.merged.file.header.is_proposal() { "as proposed" } else { "as in force" };
    writeln!(stdout, "# {} {status}: {}", loaded.policy.header().name, loaded.chain.join(" → "))?;
    write!(stdout, "{text}")?;
    Ok(Exit::Success)
}
