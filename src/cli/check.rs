//! `avenant check`: parse and check policies, every problem at once.

use std::io::Write as _;
use std::path::PathBuf;

use avenant::code::Code;
use strum::VariantArray as _;

use super::{Exit, Reporter};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Policy files to check.
    #[arg(required_unless_present = "explain", value_name = "POLICY")]
    policies: Vec<PathBuf>,

    /// Say what a diagnostic code means (`band_gap` or
    /// `avenant::check::band_gap`), or list every code with no CODE.
    #[arg(long, value_name = "CODE", conflicts_with_all = ["policies", "assumptions"])]
    explain: Option<Option<String>>,

    /// Also list every value the policy states without the legal text behind
    /// it (secondary sources and assumptions), with its reason and place.
    #[arg(long)]
    assumptions: bool,
}

pub fn run(args: &CheckArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    if let Some(code) = &args.explain {
        return explain(code.as_deref(), reporter);
    }
    let mut exit = Exit::Success;
    let paths = match super::policy_files(&args.policies) {
        Ok(paths) => paths,
        Err(error) => {
            reporter.message(&error);
            return Ok(Exit::Trouble);
        }
    };
    // A folder's texts are read once for all its files, not once for each.
    let mut loader = avenant::chain::Loader::default();
    for path in &paths {
        match super::report_loaded(loader.load_text(path), reporter) {
            Ok(avenant::Loaded { policy, warnings, .. }) => {
                for warning in &warnings {
                    reporter.diagnostic(&warning.render_with(policy.sources()));
                }
                let mut stdout = std::io::stdout().lock();
                writeln!(stdout, "{}: ok ({} warning(s))", path.display(), warnings.len())?;
                if args.assumptions {
                    for assumption in policy.unestablished() {
                        let reason =
                            assumption.reason.as_deref().map(|reason| format!(": {reason}")).unwrap_or_default();
                        let at = policy.sources().location(assumption.span);
                        writeln!(stdout, "  {:<11} {}{reason} ({at})", assumption.certainty.word(), assumption.what)?;
                    }
                }
            }
            Err(code) => exit = exit.max(code),
        }
    }
    Ok(exit)
}

/// `--explain`: one code's meaning, or the list of every code.
fn explain(name: Option<&str>, reporter: &Reporter) -> std::io::Result<Exit> {
    let line = |code: Code| {
        let severity = match code.severity() {
            avenant::Severity::Error => "error",
            avenant::Severity::Warning => "warning",
        };
        format!("{:<40} {severity:<7} {}", code.name(), code.meaning())
    };
    let mut stdout = std::io::stdout().lock();
    let Some(name) = name else {
        for code in Code::VARIANTS {
            writeln!(stdout, "{}", line(*code))?;
        }
        return Ok(Exit::Success);
    };
    match Code::parse(name) {
        Some(code) => {
            writeln!(stdout, "{}", line(code))?;
            Ok(Exit::Success)
        }
        None => {
            let sharing: Vec<&str> =
                Code::VARIANTS.iter().filter(|code| code.short_name() == name).map(|code| code.name()).collect();
            let help = if sharing.is_empty() {
                let names = Code::VARIANTS.iter().map(|code| code.short_name());
                avenant::check::diagnostic::suggest(name, names)
                    .unwrap_or_else(|| "`avenant check --explain` lists them".to_owned())
            } else {
                format!("several phases have it: name one of {}", sharing.join(", "))
            };
            reporter.message(&format!("no diagnostic code `{name}`; {help}"));
            Ok(Exit::Trouble)
        }
    }
}
