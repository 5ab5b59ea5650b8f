//! The checker's diagnostics as the editor shows them: per file, with their
//! stable code, their related places (in a base text too) and their help.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Url};

use super::world::Analysis;
use crate::check::{Diagnostic, Severity};
use crate::source::Span;
use crate::{LoadError, SyntaxError};

/// Every text of the directory and what is wrong with it now (nothing, for
/// most): each text checked with the texts it amends, so that a change to a
/// base shows where it breaks an amendment. A problem found through several
/// chains is shown once.
pub fn by_file(analysis: &Analysis) -> BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> {
    let mut by_file: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> =
        analysis.files.iter().map(|file| (file.path.clone(), Vec::new())).collect();
    let mut seen = HashSet::new();
    let mut add = |span: Span, diagnostic: lsp_types::Diagnostic| {
        let Some(file) = analysis.file_by_id(span.file) else { return };
        let key = (span.file, span.start, span.end, diagnostic.message.clone());
        if seen.insert(key) {
            by_file.entry(file.path.clone()).or_default().push(diagnostic);
        }
    };
    for error in analysis.texts.syntax_errors() {
        add(error.span, syntax(analysis, error));
    }
    for loaded in &analysis.loaded {
        let diagnostics = match loaded {
            Ok(loaded) => loaded.warnings.as_slice(),
            Err(LoadError::Check { diagnostics, .. }) => diagnostics.as_slice(),
            // A chain whose base does not parse: that base's own error says so.
            Err(_) => &[],
        };
        for diagnostic in diagnostics {
            add(diagnostic.primary.span, checked(analysis, diagnostic));
        }
    }
    by_file
}

fn syntax(analysis: &Analysis, error: &SyntaxError) -> lsp_types::Diagnostic {
    let mut message = error.message.clone();
    if !error.label.is_empty() {
        message.push_str(&format!(" ({})", error.label));
    }
    if let Some(help) = &error.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    lsp_types::Diagnostic {
        range: range(analysis, error.span),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(crate::code::Code::SyntaxInvalid.name().to_owned())),
        source: Some("avenant".to_owned()),
        message,
        ..lsp_types::Diagnostic::default()
    }
}

fn checked(analysis: &Analysis, diagnostic: &Diagnostic) -> lsp_types::Diagnostic {
    let mut message = diagnostic.message.clone();
    if !diagnostic.primary.text.is_empty() {
        message.push_str(&format!(" ({})", diagnostic.primary.text));
    }
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .secondary
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: location(analysis, label.span)?,
                message: label.text.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: range(analysis, diagnostic.primary.span),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.to_string())),
        source: Some("avenant".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

fn range(analysis: &Analysis, span: Span) -> lsp_types::Range {
    analysis.file_by_id(span.file).map(|file| file.range(span.start as usize, span.end as usize)).unwrap_or_default()
}

/// A span as the editor finds it: a file's address and a range in it.
pub fn location(analysis: &Analysis, span: Span) -> Option<Location> {
    let file = analysis.file_by_id(span.file)?;
    let uri = Url::from_file_path(&file.path).ok()?;
    Some(Location { uri, range: file.range(span.start as usize, span.end as usize) })
}
