//! `avenant fmt`: rewrite policy files in the one canonical layout, or with
//! `--check` say which are not, with the lines that would change.

use std::io::Write as _;
use std::path::PathBuf;

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
fn difference(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    // Longest common subsequence, from the ends: `common[i][j]` for old[i..], new[j..].
    let mut common = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] =
                if old[i] == new[j] { common[i + 1][j + 1] + 1 } else { common[i + 1][j].max(common[i][j + 1]) };
        }
    }
    let mut out = String::new();
    let (mut i, mut j) = (0, 0);
    let mut in_run = false;
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            in_run = false;
            i += 1;
            j += 1;
            continue;
        }
        if !in_run {
            out.push_str(&format!("  line {}:\n", i + 1));
            in_run = true;
        }
        if i < old.len() && (j == new.len() || common[i + 1][j] >= common[i][j + 1]) {
            out.push_str(format!("  - {}", old[i]).trim_end());
            out.push('\n');
            i += 1;
        } else {
            out.push_str(format!("  + {}", new[j]).trim_end());
            out.push('\n');
            j += 1;
        }
    }
    out
}
