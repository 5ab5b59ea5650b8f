//! The playground: a policy text sent in the body, checked over the
//! directory's texts (an amendment over the chain it names), its
//! diagnostics as JSON with their places, its examples run, a profile
//! evaluated against it. The text lives in memory for the time of the
//! request; it is never written anywhere, and never names a file to read.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Json as JsonBody;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use serde::Deserialize;
use serde_json::{Map, Value as Json, json};

use super::api::{self, blocking, read};
use super::{ApiError, Shared};
use crate::check::{CheckedPolicy, Diagnostic};
use crate::code::Code;
use crate::source::{FileId, SourceMap, Span};
use crate::{LoadError, syntax};

/// The name the playground's text goes by in diagnostics.
const PLAYGROUND: &str = "playground.policy";

/// A text checked: the policy and its warnings, or every diagnostic.
struct Checked {
    policy: Option<CheckedPolicy>,
    diagnostics: Vec<Json>,
    /// The texts applied, the playground's last.
    chain: Vec<String>,
    file: Option<FileId>,
    /// The profile fields of the texts of its family, which a profile may carry.
    family: Vec<String>,
}

/// A diagnostic as the playground shows it: code, severity, message, label,
/// help, and the file, line and column where it starts and ends.
fn diagnostic_json(
    sources: &SourceMap,
    code: &str,
    severity: &str,
    message: &str,
    label: &str,
    help: Option<&str>,
    span: Span,
) -> Json {
    let file = sources.file(span.file);
    let (line, column) = file.line_column(span.start);
    let (end_line, end_column) = file.line_column(span.end);
    json!({
        "code": code,
        "severity": severity,
        "message": message,
        "label": label,
        "help": help,
        "file": file.path.display().to_string(),
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
    })
}

fn diagnostics_json(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Vec<Json> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let severity = if diagnostic.is_error() { "error" } else { "warning" };
            diagnostic_json(
                sources,
                &diagnostic.code.to_string(),
                severity,
                &diagnostic.message,
                &diagnostic.primary.text,
                diagnostic.help.as_deref(),
                diagnostic.primary.span,
            )
        })
        .collect()
}

fn syntax_json(sources: &SourceMap, error: &syntax::SyntaxError) -> Json {
    diagnostic_json(
        sources,
        Code::SyntaxInvalid.name(),
        "error",
        &error.message,
        &error.label,
        error.help.as_deref(),
        error.span,
    )
}

/// Parses and checks `text` among the directory's texts, as the language
/// server checks an unsaved text among its directory's (`chain::InMemory`):
/// alone if it amends no text, else merged over the chain it names, with
/// the chain's own rules (a base found by name, dates in order).
fn compile(site: &super::Site, text: &str) -> Checked {
    let memory = site.parsed.with(PathBuf::from(PLAYGROUND), text.to_owned());
    let sources = memory.sources();
    let failed = |diagnostics: Vec<Json>, chain: Vec<String>| Checked {
        policy: None,
        diagnostics,
        chain,
        file: None,
        family: Vec::new(),
    };
    // The playground's text is the last file given.
    let Some(&file) = memory.files().last() else {
        return failed(Vec::new(), Vec::new());
    };
    let Some(index) = memory.parsed().iter().position(|(parsed, _)| *parsed == file) else {
        let errors = memory.syntax_errors().iter().filter(|error| error.span.file == file);
        return failed(errors.map(|error| syntax_json(sources, error)).collect(), Vec::new());
    };
    let names = |chain: Vec<usize>| -> Vec<String> {
        chain
            .iter()
            .filter_map(|index| memory.parsed().get(*index))
            .map(|(_, text)| text.header.name.name.clone())
            .collect()
    };
    match memory.load(index) {
        Ok(loaded) => Checked {
            diagnostics: diagnostics_json(loaded.policy.sources(), &loaded.warnings),
            chain: loaded.chain,
            family: loaded.family_fields,
            file: Some(file),
            policy: Some(loaded.policy),
        },
        Err(error) => failed(load_error_json(sources, error), memory.chain(index).map(names).unwrap_or_default()),
    }
}

fn load_error_json(sources: &SourceMap, error: LoadError) -> Vec<Json> {
    match error {
        LoadError::Syntax(error) => vec![syntax_json(sources, &error)],
        LoadError::Check { diagnostics, sources } => diagnostics_json(&sources, &diagnostics),
        // A text compiled from memory fails only by its syntax or its check.
        other => vec![json!({ "code": Code::Internal.name(), "severity": "error", "message": other.to_string() })],
    }
}

/// The examples the text declares, run.
fn examples(policy: &CheckedPolicy, file: Option<FileId>) -> Vec<Json> {
    let mut coverage = crate::eval::Coverage::default();
    crate::eval::run_examples(policy, &mut coverage)
        .iter()
        .filter(|result| file.is_none_or(|file| result.span.file == file))
        .map(|result| {
            let (line, _) = policy.sources().file(result.span.file).line_column(result.span.start);
            let mismatches: Vec<Json> = result
                .mismatches
                .iter()
                .map(|mismatch| {
                    json!({
                        "path": mismatch.path,
                        "expected": crate::output::json::output_value(&mismatch.expected),
                        "got": crate::output::json::output_value(&mismatch.got),
                    })
                })
                .collect();
            json!({
                "name": result.name,
                "label": result.label,
                "line": line,
                "passed": result.passed(),
                "checked": result.checked,
                "mismatches": mismatches,
                "error": result.error.as_ref().map(ToString::to_string),
            })
        })
        .collect()
}

/// The text of a request, within the playground's limit.
fn bounded(state: &Shared, text: String) -> Result<String, ApiError> {
    let limit = state.limits.text_bytes;
    if text.len() > limit {
        return Err(ApiError::too_large(
            "text_too_large",
            format!("a policy text sent to the playground holds at most {limit} bytes; this one holds {}", text.len()),
        ));
    }
    Ok(text)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// The policy text, in the policy language.
    text: String,
}

/// The text's diagnostics (errors and warnings), and its examples run if it checks.
pub async fn check(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request: CheckRequest = read(body)?;
    let text = bounded(&state, request.text)?;
    let shared = Arc::clone(&state);
    blocking(&state, move || {
        let checked = compile(&shared.site, &text);
        let examples = checked.policy.as_ref().map_or_else(Vec::new, |policy| examples(policy, checked.file));
        Ok(json!({
            "ok": checked.policy.is_some(),
            "policy": checked.policy.as_ref().map(|policy| policy.header.name.clone()),
            "texts": checked.chain,
            "diagnostics": checked.diagnostics,
            "examples": examples,
        }))
    })
    .await
    .map(JsonBody)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    text: String,
    profile: Map<String, Json>,
    #[serde(default)]
    on: Option<String>,
}

/// A profile's outcome under the text sent; a text that does not check is
/// refused with its diagnostics.
pub async fn evaluate(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request: EvaluateRequest = read(body)?;
    let text = bounded(&state, request.text)?;
    let on = api::date(request.on.as_deref())?;
    let shared = Arc::clone(&state);
    blocking(&state, move || {
        let checked = compile(&shared.site, &text);
        let Some(policy) = checked.policy else {
            return Err(ApiError::unprocessable("invalid_policy", "the policy text does not check")
                .with("diagnostics", Json::Array(checked.diagnostics)));
        };
        let profile = api::validated(&policy, &request.profile, &checked.family)?;
        let outcome = crate::evaluate(&policy, &profile, on)
            .map_err(|error| ApiError::unprocessable("cannot_evaluate", error.to_string()))?;
        let subject = crate::output::Subject {
            profile_file: api::REQUEST,
            profile_name: profile.name.as_deref(),
            policy_file: PLAYGROUND,
            chain: &checked.chain,
            on,
        };
        Ok(crate::output::json::outcome(&policy, &subject, &outcome))
    })
    .await
    .map(JsonBody)
}
