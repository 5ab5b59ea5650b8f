//! `avenant population`: a synthetic population of physicians, as CSV.

use std::io::Write as _;
use std::path::PathBuf;

use super::atomic::AtomicFile;
use super::{Exit, Reporter};

#[derive(Debug, clap::Args)]
pub struct PopulationArgs {
    /// How many physicians.
    #[arg(long, default_value_t = 10_000)]
    size: u64,

    /// The seed: the same seed gives the same file.
    #[arg(long, default_value_t = 2019)]
    seed: u64,

    /// Where to write the CSV (default: standard output); a `.parquet` file
    /// is written as Parquet, with typed columns.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: &PopulationArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    let written = match &args.out {
        // Written beside its target, which it replaces only once whole.
        Some(path) => match AtomicFile::create(path) {
            Ok(file) if avenant::batch::parquet::is_parquet(path) => {
                return avenant::batch::parquet::write_population(args.size, args.seed, file)
                    .and_then(AtomicFile::commit)
                    .map(|()| Exit::Success);
            }
            Ok(mut file) => avenant::population::write(args.size, args.seed, &mut file)
                .and_then(|()| file.commit().map_err(csv::Error::from)),
            Err(error) => {
                reporter.message(&format!("cannot write `{}`: {error}", path.display()));
                return Ok(Exit::Trouble);
            }
        },
        None => avenant::population::write(args.size, args.seed, std::io::stdout().lock()),
    };
    match written {
        Ok(()) => Ok(Exit::Success),
        Err(error) => match error.into_kind() {
            csv::ErrorKind::Io(error) => Err(error),
            other => {
                reporter.message(&format!("cannot write the population: {other:?}"));
                std::io::stderr().flush()?;
                Ok(Exit::Trouble)
            }
        },
    }
}
