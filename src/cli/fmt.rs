//! `avenant fmt`: rewrite policy files in the one canonical layout, or with
//! `--check` say which are not, with the lines that would change.

use std::io::Write as _;
use std::ops::Range;
use std::path::PathBuf;

use imara_diff::intern::{InternedInput, Token};
use imara_diff::{Algorithm, diff};

use super::atomic::AtomicFile;
use super::{Exit, Reporter};
use avenant::format::{FormatError, format};

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Write nothing; list the files not in the canonical layout, with the
    /// lines that would change, and exit with 1 if there is any.
    #[arg(long)]
    check: bool,

    /// Policy files, or folders whose `.policy` files are all formatted.
    #[arg(value_name = "PATH", default_value = "policies")]
    paths: Vec<PathBuf>,
}

pub fn run(args: &FmtArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    let files = match super::policy_files(&args.paths) {
        Ok(files) => files,
        Err(error) => {
            reporter.message(&error);
            return Ok(Exit::Trouble);
        }
    };
    let mut exit = Exit::Success;
    let mut stdout = std::io::stdout().lock();
    for path in &files {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                reporter.message(&format!("cannot read `{}`: {error}", path.display()));
                exit = exit.max(Exit::Trouble);
                continue;
            }
        };
        let formatted = match format(path, &text) {
            Ok(formatted) => formatted,
            Err(FormatError::Syntax(error)) => {
                reporter.diagnostic(error.as_ref());
                exit = exit.max(Exit::Rejected);
                continue;
            }
            Err(error @ FormatError::Changed { .. }) => {
                reporter.message(&error.to_string());
                exit = exit.max(Exit::Trouble);
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if args.check {
            writeln!(stdout, "{} is not formatted; `avenant fmt` would change:", path.display())?;
            write!(stdout, "{}", difference(&text, &formatted))?;
            exit = exit.max(Exit::Rejected);
        } else if let Err(error) = write_whole(path, &formatted) {
            reporter.message(&format!("cannot write `{}`: {error}", path.display()));
            exit = exit.max(Exit::Trouble);
        } else {
            writeln!(stdout, "formatted {}", path.display())?;
        }
    }
    Ok(exit)
}

/// Replaces a policy file only once its new text is whole on disk: a full
/// disk or an interruption leaves the text as it was.
fn write_whole(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(text.as_bytes())?;
    file.commit()
}

/// The lines that differ, as `-` (now) and `+` (formatted), each run under
/// the number of its first line in the file.
///
/// imara-diff's histogram diff works in space linear in the lines, and falls
/// back on a bounded Myers for runs of repeated lines: a table of lines ×
/// lines took 7 GB for a policy of 30 000 comment lines.
fn difference(old: &str, new: &str) -> String {
    let input = InternedInput::new(old, new);
    // Every token was made by this input's interner, so indexing it by one is in range.
    let line = |tokens: &[Token], at: u32| tokens.get(at as usize).map_or("", |token| input.interner[*token]);
    let mut out = String::new();
    // Where the last run ended, before and after: a run that starts there continues it.
    let mut last_end = None;
    diff(Algorithm::Histogram, &input, |before: Range<u32>, after: Range<u32>| {
        if last_end != Some((before.start, after.start)) {
            out.push_str(&format!("  line {}:\n", before.start + 1));
        }
        for at in before.clone() {
            out.push_str(format!("  - {}", line(&input.before, at)).trim_end());
            out.push('\n');
        }
        for at in after.clone() {
            out.push_str(format!("  + {}", line(&input.after, at)).trim_end());
            out.push('\n');
        }
        last_end = Some((before.end, after.end));
    });
    out
}
