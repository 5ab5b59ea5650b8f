//! The `--errors` report of `eval` and `diff`: one line a rejected row, as
//! CSV, or as typed columns under a `.parquet` name. A diff's report has,
//! after `line`, the side that refused the row (`old`, `new` or `both`).
//! Like every file avenant writes, it replaces its target only when the
//! run has succeeded.

use std::io::Write as _;
use std::path::Path;

use avenant::batch::arrow::RejectColumns;
use avenant::batch::{self, RowError};

use super::atomic::AtomicFile;

/// The rejected rows of a run, being written.
pub(super) enum Rejects {
    Csv { file: AtomicFile, sided: bool },
    Parquet(Box<batch::parquet::Rejects<AtomicFile>>),
}

impl Rejects {
    /// The report at `path`, begun; `sided` for a diff's.
    pub(super) fn create(path: &Path, sided: bool) -> std::io::Result<Rejects> {
        let mut file = AtomicFile::create(path)?;
        let columns = if sided { RejectColumns::of_diff() } else { RejectColumns::default() };
        if batch::parquet::is_parquet(path) {
            return Ok(Rejects::Parquet(Box::new(batch::parquet::Rejects::new(file, columns)?)));
        }
        // The CSV's header names the Parquet file's columns.
        let names: Vec<String> = columns.schema().fields().iter().map(|field| field.name().clone()).collect();
        writeln!(file, "{}", names.join(","))?;
        Ok(Rejects::Csv { file, sided })
    }

    /// `error`, refused by `side` in a diff, after those written before it.
    pub(super) fn push(&mut self, side: Option<&str>, error: &RowError) -> std::io::Result<()> {
        match self {
            Rejects::Csv { file, sided } => {
                let mut line = format!("{},{}", error.row, error.line).into_bytes();
                let side = sided.then(|| side.unwrap_or(""));
                let (field, help) = (error.field.as_deref().unwrap_or(""), error.help.as_deref().unwrap_or(""));
                for cell in side.into_iter().chain([field, error.code, &error.message, help]) {
                    line.push(b',');
                    avenant::output::csv::field(&mut line, cell);
                }
                line.push(b'\n');
                file.write_all(&line)
            }
            Rejects::Parquet(rejects) => rejects.push(side, error),
        }
    }

    /// The report ended (a Parquet file's footer written), to be committed
    /// with the run's other files.
    pub(super) fn finish(self) -> std::io::Result<AtomicFile> {
        match self {
            Rejects::Csv { file, .. } => Ok(file),
            Rejects::Parquet(rejects) => rejects.close(),
        }
    }
}
