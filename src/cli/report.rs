//! Diagnostics on standard error, as `human`, `plain` or `json`.

use std::io::{IsTerminal as _, Write as _};
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, JSONReportHandler};

use super::{ColorChoice, ErrorFormat};
use avenant::ProfileError;

/// Renders every diagnostic the same way for one run.
pub struct Reporter {
    format: ErrorFormat,
    color: bool,
}

/// Diagnostics are laid out at this width whatever the terminal, so output is reproducible.
const WIDTH: usize = 100;

impl Reporter {
    pub fn new(format: ErrorFormat, color: ColorChoice) -> Self {
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                format == ErrorFormat::Human
                    && std::io::stderr().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Reporter { format, color }
    }

    /// A diagnostic as text in this run's format.
    pub fn render(&self, diagnostic: &dyn miette::Diagnostic) -> String {
        let mut out = String::new();
        let _ = match self.format {
            ErrorFormat::Json => JSONReportHandler::new().render_report(&mut out, diagnostic),
            ErrorFormat::Human | ErrorFormat::Plain => {
                let theme = if self.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
                GraphicalReportHandler::new_themed(theme)
                    .with_width(WIDTH)
                    .with_links(false)
                    .render_report(&mut out, diagnostic)
            }
        };
        out
    }

    pub fn diagnostic(&self, diagnostic: &dyn miette::Diagnostic) {
        let text = self.render(diagnostic);
        let _ = writeln!(std::io::stderr().lock(), "{}", text.trim_end());
    }

    /// A problem that points nowhere in a file (I/O, usage).
    pub fn message(&self, message: &str) {
        let text = match self.format {
            ErrorFormat::Json => serde_json::json!({ "severity": "error", "message": message }).to_string(),
            _ => format!("error: {message}"),
        };
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    /// A rejected row of a population: one line, with the help on the next.
    pub fn row_error(&self, file: &str, error: &avenant::batch::RowError) {
        let text = match self.format {
            ErrorFormat::Json => serde_json::json!({
                "severity": "error",
                "code": error.code,
                "filename": file,
                "row": error.row,
                "line": error.line,
                "field": error.field,
                "message": error.message,
                "help": error.help,
            })
            .to_string(),
            _ => {
                let field = error.field.as_ref().map(|field| format!(" `{field}`:")).unwrap_or_default();
                let help = error.help.as_ref().map(|help| format!("\n  help: {help}")).unwrap_or_default();
                let row = if error.row == 0 { "the header".to_owned() } else { format!("row {}", error.row) };
                format!("error: {file}:{}: {row}:{field} {}{help}", error.line, error.message)
            }
        };
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    /// A profile error, drawn over the profile file where it has a line.
    pub fn profile_error(&self, error: &ProfileError, text: Option<&str>) {
        self.diagnostic(&ProfileDiagnostic::new(error, text));
    }
}

/// A [`ProfileError`] as miette draws it: over the profile's text, at the field.
#[derive(Debug)]
struct ProfileDiagnostic {
    error: ProfileError,
    source: Option<miette::NamedSource<Arc<str>>>,
    at: Option<miette::SourceSpan>,
}

impl ProfileDiagnostic {
    fn new(error: &ProfileError, text: Option<&str>) -> Self {
        let file = error.file.display().to_string();
        let at = text.zip(error.line).and_then(|(text, line)| {
            let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
            let line_text = text.get(start..)?.lines().next().unwrap_or("");
            let column = match (error.column, &error.field) {
                (Some(column), _) => line_text.chars().take(column.saturating_sub(1)).map(char::len_utf8).sum(),
                (None, Some(field)) => line_text.find(field.as_str()).unwrap_or(0),
                (None, None) => 0,
            };
            let length = match (&error.field, error.column) {
                (Some(field), None) => field.len(),
                _ => 1,
            };
            Some(miette::SourceSpan::from((start + column, length)))
        });
        let source = text.filter(|_| at.is_some()).map(|text| miette::NamedSource::new(file, Arc::from(text)));
        ProfileDiagnostic { error: error.clone(), source, at }
    }
}

impl std::fmt::Display for ProfileDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Some(_) => write!(f, "{}", self.error.message),
            None => write!(f, "{}: {}", self.error.location(), self.error.message),
        }
    }
}

impl std::error::Error for ProfileDiagnostic {}

impl miette::Diagnostic for ProfileDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.error.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.error.help.as_ref().map(|help| Box::new(help) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|source| source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let label = match &self.error.field {
            Some(field) => format!("field `{field}`"),
            None => "here".to_owned(),
        };
        let at = self.at?;
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_primary_with_span(Some(label), at))))
    }
}
