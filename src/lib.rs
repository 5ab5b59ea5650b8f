//! avenant: the rules of France's medical-assistant aid as data.
//!
//! A policy file states the rules of one legal text; `avenant` parses it,
//! checks it, and evaluates physician profiles against it, explaining and
//! qualifying every figure it gives.
//!
//! The pipeline runs one way, one phase per module:
//!
//! - [`syntax`]: policy text → typed AST, every node spanned; the only place
//!   that knows pest.
//! - [`check`]: AST → [`CheckedPolicy`], all errors at once; the only place
//!   that builds a `CheckedPolicy`.
//! - [`eval`]: `CheckedPolicy` + [`Profile`] → [`Outcome`]; pure, total,
//!   exact; never re-checks names or units.
//! - [`eval::compiled`]: the same evaluation, compiled once per policy for
//!   populations; it must agree exactly with [`evaluate`], the reference.
//! - [`batch`]: a population (CSV or JSON Lines) evaluated on all cores in
//!   constant memory, in input order, with every rejected row reported.
//! - [`output`]: outcome → JSON, tables and CSV rows.
//!
//! The library never prints and never exits; the `avenant` binary does.
//!
//! ```
//! use std::path::Path;
//!
//! let policy = avenant::compile(Path::new("policies/avenant-7.policy"), r#"
//! policy example { title "An example" }
//! profile { patientele_mt: patients }
//! param threshold: patients = 640 source "avenant 7" established
//! output eligible = patientele_mt > threshold
//! "#).map_err(|error| error.to_string())?;
//!
//! let input = avenant::ProfileInput::parse(Path::new("dr.json"), r#"{"patientele_mt": 700}"#)?;
//! let profile = avenant::Profile::validate(&policy, &input).map_err(|errors| errors[0].clone())?;
//! let outcome = avenant::evaluate(&policy, &profile)?;
//! assert_eq!(outcome.get("eligible"), Some(&avenant::OutputValue::Bool(true)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod batch;
pub mod check;
pub mod eval;
pub mod output;
pub mod source;
pub mod syntax;

use std::path::Path;
use std::sync::Arc;

pub use check::{CheckedPolicy, Diagnostic, Severity};
pub use eval::{EvalError, Outcome, OutputValue, Profile, ProfileError, ProfileInput, evaluate};
pub use syntax::SyntaxError;

use source::SourceMap;

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{path}`: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{0}")]
    Syntax(Box<SyntaxError>),
    #[error("the policy has {} error(s)", diagnostics.iter().filter(|diagnostic| diagnostic.is_error()).count())]
    Check { diagnostics: Vec<Diagnostic>, sources: Arc<SourceMap> },
}

/// Parses and checks a policy read from `path`.
pub fn load_policy(path: &Path) -> Result<(CheckedPolicy, Vec<Diagnostic>), LoadError> {
    let text =
        std::fs::read_to_string(path).map_err(|error| LoadError::Io { path: path.display().to_string(), error })?;
    compile_with_warnings(path, &text)
}

/// Parses and checks policy text; `path` names it in diagnostics.
pub fn compile(path: &Path, text: &str) -> Result<CheckedPolicy, LoadError> {
    compile_with_warnings(path, text).map(|(policy, _)| policy)
}

/// Parses and checks policy text, keeping the checker's warnings.
pub fn compile_with_warnings(path: &Path, text: &str) -> Result<(CheckedPolicy, Vec<Diagnostic>), LoadError> {
    let mut sources = SourceMap::default();
    let file = sources.add(path, text);
    let sources = Arc::new(sources);
    let ast = syntax::parse(file, text).map_err(|mut error| {
        error.source_code = Some(sources.file(file).named_source());
        LoadError::Syntax(error)
    })?;
    check::check(Arc::clone(&sources), &ast).map_err(|diagnostics| LoadError::Check { diagnostics, sources })
}
