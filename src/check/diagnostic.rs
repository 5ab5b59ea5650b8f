//! Check diagnostics: a stable code, a message, a label on the offending
//! text, secondary labels where a second place matters, and help.

use std::fmt;

use crate::code::Code;
use crate::source::{SourceMap, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// One problem found in a policy.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Stable, documented, and the name of its fixture: `avenant::check::unknown_name`.
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of `code`, as severe as the code is.
    pub fn new(code: Code, span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            primary: Label { span, text: label.into() },
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.secondary.push(Label { span, text: text.into() });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic with its source file attached, ready for miette.
    pub fn render_with(&self, sources: &SourceMap) -> RenderedDiagnostic {
        let file = sources.file(self.primary.span.file);
        let mut diagnostic = self.clone();
        // miette draws labels over one file; a label in another file (the
        // text an amendment changes) becomes a located line of help.
        let elsewhere: Vec<String> = self
            .secondary
            .iter()
            .filter(|label| label.span.file != self.primary.span.file)
            .map(|label| format!("{} ({})", label.text, sources.location(label.span)))
            .collect();
        if !elsewhere.is_empty() {
            let help = diagnostic.help.take().into_iter().chain(elsewhere).collect::<Vec<_>>().join("\n");
            diagnostic.help = Some(help);
        }
        RenderedDiagnostic { diagnostic, source: file.named_source() }
    }
}

/// A [`Diagnostic`] joined to the file it points into.
#[derive(Debug)]
pub struct RenderedDiagnostic {
    pub diagnostic: Diagnostic,
    source: crate::source::Named,
}

impl fmt::Display for RenderedDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for RenderedDiagnostic {}

impl miette::Diagnostic for RenderedDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic.help.as_ref().map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let primary = &self.diagnostic.primary;
        let file = primary.span.file;
        let primary =
            miette::LabeledSpan::new_primary_with_span(Some(primary.text.clone()), primary.span.source_span());
        // Labels in another file travel in the help (see `render_with`).
        let secondary = self
            .diagnostic
            .secondary
            .iter()
            .filter(move |label| label.span.file == file)
            .map(|label| miette::LabeledSpan::new_with_span(Some(label.text.clone()), label.span.source_span()));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// Names near `wanted`, for "did you mean" help.
pub fn suggest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(wanted, candidate);
        if score > 0.8 && best.is_none_or(|(best_score, _)| score > best_score) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, name)| format!("did you mean `{name}`?"))
}

/// `what` is defined a second time at `again`; `first` is where it was first.
pub fn duplicate(what: &str, again: Span, first: Span) -> Diagnostic {
    Diagnostic::new(Code::DuplicateDefinition, again, format!("{what} is defined twice"), "defined again here")
        .with_label(first, "first defined here")
}
