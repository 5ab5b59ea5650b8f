//! Check diagnostics: a stable code, a message, a label on the offending
//! text, secondary labels where a second place matters, and help.

use std::fmt;

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
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            primary: Label { span, text: label.into() },
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, span, message, label) }
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
    Diagnostic::error(
        "avenant::check::duplicate_definition",
        again,
        format!("{what} is defined twice"),
        "defined again here",
    )
    .with_label(first, "first defined here")
}

/// Every code the checker reports, with what it means. Each has a fixture
/// that provokes it, `tests/fixtures/check/<name>.policy`, or for amendments
/// a folder `tests/fixtures/check/<name>/` whose `amendment.policy` is
/// checked; a test fails when a code is missing here or has no fixture.
pub const CODES: &[(&str, &str)] = &[
    ("avenant::check::amend_already_defined", "an amendment declares anew what the texts it amends define"),
    ("avenant::check::amend_ambiguous_base", "several texts of the directory have the name an amendment amends"),
    ("avenant::check::amend_cycle", "texts amend each other in a circle"),
    ("avenant::check::amend_date_order", "an amendment takes effect before the text it amends"),
    (
        "avenant::check::amend_enum_missing_row",
        "a table keyed by an enumeration has no row for a value an `amend enum` adds",
    ),
    ("avenant::check::amend_missing_base", "the text an amendment names is not in its directory"),
    ("avenant::check::amend_missing_date", "an amendment does not say when it takes effect"),
    ("avenant::check::amend_not_allowed", "a text that amends none uses `replace`, `remove` or `amend`"),
    ("avenant::check::amend_same_date", "two texts of one chain take effect on the same day"),
    ("avenant::check::amend_type_changed", "a replacement changes the type, index or columns of what it replaces"),
    ("avenant::check::amend_unknown_target", "an amendment changes something the texts it amends do not define"),
    ("avenant::check::ambiguous_name", "a bare value name belongs to several enumerations"),
    ("avenant::check::band_gap", "some values fall in no band"),
    ("avenant::check::band_overlap", "some values fall in two bands"),
    ("avenant::check::constant_condition", "warning: a condition is always true or always false"),
    ("avenant::check::cycle", "a definition depends on itself"),
    ("avenant::check::duplicate_case", "a `match` handles a value twice"),
    ("avenant::check::duplicate_definition", "a name is defined twice"),
    (
        "avenant::check::example",
        "an example names a field or output the policy does not have, or gives a value of the wrong kind",
    ),
    ("avenant::check::header", "a header field has the wrong kind of value, or is given twice"),
    ("avenant::check::match_not_exhaustive", "a `match` leaves values unhandled"),
    ("avenant::check::message_value", "a message quotes a value that depends on the profile"),
    ("avenant::check::missing_index", "a definition given per value is read without saying which"),
    ("avenant::check::rate_out_of_range", "warning: a rate is written below 0 % or above 100 %"),
    ("avenant::check::rate_without_percent", "a number written without `%` stands where a rate is expected"),
    ("avenant::check::reserved_name", "an output takes a name the evaluation uses for itself"),
    ("avenant::check::table_duplicate_row", "a table gives the same keys twice"),
    ("avenant::check::table_missing_row", "a table leaves a combination of keys without a row"),
    ("avenant::check::table_shape", "a table row has the wrong number of cells"),
    ("avenant::check::table_too_large", "a table has more key combinations than a policy can list"),
    ("avenant::check::too_many_slots", "definitions given per value of an enumeration have too many values together"),
    ("avenant::check::type_mismatch", "a value is of the wrong type"),
    ("avenant::check::unit_mismatch", "an operation mixes units (euros with patients, say)"),
    ("avenant::check::unguarded_optional", "warning: an optional profile field is read where nothing guards it"),
    ("avenant::check::unknown_name", "a name, value, column or function that is not defined"),
    ("avenant::check::unknown_type", "a type that is not defined"),
    ("avenant::check::unrounded_count", "a share of a count is used as a count without rounding"),
    ("avenant::check::unused", "warning: a definition nothing reads"),
    ("avenant::check::wrong_arity", "the wrong number of keys, indices or arguments"),
];
