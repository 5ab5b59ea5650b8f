//! avenant: the rules of France's medical-assistant aid as data.
//!
//! A policy file states the rules of one legal text; `avenant` parses it,
//! checks it, and evaluates physician profiles against it, explaining and
//! qualifying every figure it gives.
//!
//! The pipeline runs one way, one phase per module:
//!
//! - `syntax` (private): policy text → typed AST, every node spanned; the
//!   only place that knows pest.
//! - `amend` (private): a chain of texts (a base and its amendments) → one AST.
//! - [`chain`]: finds a text's chain on disk, or the text in force on a date;
//!   the only place that reads policy files. Embedders call [`load_text`],
//!   [`load_in_force`] or [`load_chosen`].
//! - [`check`]: AST → [`CheckedPolicy`], all errors at once; the only place
//!   that builds a `CheckedPolicy`, whose parts are read through accessors.
//! - [`code`]: every diagnostic code, with its meaning and severity.
//! - [`eval`]: `CheckedPolicy` + [`Profile`] → [`Outcome`]; pure, total,
//!   exact; never re-checks names or units. Generic over a tracer
//!   ([`eval::trace::Tracer`]): plain evaluation uses one that does nothing,
//!   [`eval::explain`] one that records the derivation, `avenant test` one
//!   that records coverage.
//! - [`eval::compiled`]: the same evaluation, compiled once per policy for
//!   populations; it must agree exactly with [`evaluate`], the reference.
//! - [`batch`]: a population (CSV or JSON Lines) evaluated on all cores in
//!   constant memory, in input order, with every rejected row reported.
//! - [`diff`]: two texts over a population, profile by profile and in sum;
//!   [`assign`] gives a population the fields it lacks (`--set`, `--draw`).
//! - [`output`]: outcome → JSON, tables and CSV rows; explanations; the test
//!   report; a diff's summary.
//! - `format`, `population` (hidden): the canonical layout of a policy
//!   (`avenant fmt`) and a synthetic population (`avenant population`),
//!   public for the `avenant` binary and the fuzz targets only.
//! - `lsp` (hidden): the language server (`avenant lsp`): the texts an
//!   editor holds, checked as a chain on every change, and what the editor
//!   asks of them.
//! - `serve` (hidden): the above over HTTP (`avenant serve`): a JSON API, a
//!   simulator and a playground page.
//!
//! The public surface is what an embedder needs (the Python bindings among
//! them): loading, checking, evaluating one profile or a population,
//! explaining, diffing, and writing outcomes as JSON. The rest is private,
//! or hidden where the binary, which is a crate of its own, must reach it.
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
//! let outcome = avenant::evaluate(&policy, &profile, jiff::civil::date(2024, 10, 1))?;
//! assert_eq!(outcome.get("eligible"), Some(&avenant::OutputValue::Bool(true)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Indexing that may panic is refused everywhere: `.get()` says what happens
// when a place is missing, and an index proven in range says why where it is
// taken (`#[expect(clippy::indexing_slicing, reason = …)]`).
#![deny(clippy::indexing_slicing, clippy::unreachable)]

mod amend;
pub mod assign;
pub mod batch;
pub mod chain;
pub mod check;
pub mod code;
pub mod diff;
pub mod eval;
#[doc(hidden)]
pub mod format;
#[doc(hidden)]
pub mod lsp;
pub mod output;
#[doc(hidden)]
pub mod population;
#[doc(hidden)]
pub mod serve;
mod source;
mod syntax;

use std::path::Path;
use std::sync::Arc;

pub use chain::{Loaded, load_chosen, load_in_force, load_text};
pub use check::{CheckedPolicy, Diagnostic, Severity};
pub use eval::{EvalError, MAX_PROFILE_BYTES, Outcome, OutputValue, Profile, ProfileError, ProfileInput, evaluate};
pub use source::{SourceMap, Span};
pub use syntax::SyntaxError;

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{path}`: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{0}")]
    Syntax(Box<SyntaxError>),
    #[error("the policy has {} error(s)", diagnostics.iter().filter(|diagnostic| diagnostic.is_error()).count())]
    Check { diagnostics: Vec<Diagnostic>, sources: Arc<SourceMap> },
    #[error("`{text}` takes effect on {effective}, after {on}")]
    NotInForce { text: String, effective: jiff::civil::Date, on: jiff::civil::Date },
    #[error("no text in `{directory}` is in force on {on}")]
    NoTextInForce { directory: String, on: jiff::civil::Date },
    #[error("several texts in `{directory}` take effect on the same day before {on}: {}", texts.join(", "))]
    Ambiguous { directory: String, on: jiff::civil::Date, texts: Vec<String> },
    /// `help` suggests the nearest name, or lists the texts there are.
    #[error("no text named `{name}` in `{directory}`; {help}")]
    UnknownText { directory: String, name: String, help: String },
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
    // A text alone: `amend::merge` still rejects changes that amend nothing.
    let merged =
        amend::merge(&[&ast]).map_err(|diagnostics| LoadError::Check { diagnostics, sources: Arc::clone(&sources) })?;
    check::check(Arc::clone(&sources), &merged.file).map_err(|diagnostics| LoadError::Check { diagnostics, sources })
}
