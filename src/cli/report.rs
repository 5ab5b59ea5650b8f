//! Diagnostics on standard error, as `human`, `plain` or `json`.

use std::io::{IsTerminal as _, Write as _};
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, JSONReportHandler, SpanContents as _};

use super::{ColorChoice, ErrorFormat};
use avenant::ProfileError;

/// Renders every diagnostic the same way for one run.
pub struct Reporter {
    format: ErrorFormat,
    color: bool,
    /// The line starts of the last text drawn, by its address and length:
    /// a run's diagnostics are mostly over one policy, which is then
    /// indexed once, not once per diagnostic.
    lines: std::sync::Mutex<LineCache>,
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
        Reporter { format, color, lines: std::sync::Mutex::new(None) }
    }

    /// A diagnostic as text in this run's format.
    pub fn render(&self, diagnostic: &dyn miette::Diagnostic) -> String {
        let mut out = String::new();
        let _ = match self.format {
            ErrorFormat::Json => JSONReportHandler::new().render_report(&mut out, diagnostic),
            ErrorFormat::Human | ErrorFormat::Plain => {
                let theme = if self.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
                // miette pads a label to its column with a formatting width,
                // which panics past 65 535: a long line is drawn as a window.
                GraphicalReportHandler::new_themed(theme)
                    .with_width(WIDTH)
                    .with_links(false)
                    .render_report(&mut out, &Windowed::new(diagnostic, &self.lines))
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

/// A line longer than this many bytes is drawn as a window around the place.
const LONGEST_LINE: usize = 240;
/// How many bytes of a long line a window shows before the place, and after it.
const AROUND: usize = 60;
/// How many bytes of a long line a label covers at most.
const LONGEST_LABEL: usize = 60;

/// A diagnostic whose source lines are short enough to draw: a long line (a
/// minified JSON profile, say) shows only a window around each label, while
/// the header keeps the real line and column.
struct Windowed<'a> {
    diagnostic: &'a dyn miette::Diagnostic,
    source: Option<Window<'a>>,
}

impl<'a> Windowed<'a> {
    fn new(diagnostic: &'a dyn miette::Diagnostic, lines: &std::sync::Mutex<LineCache>) -> Self {
        // The whole text, read as a span from its start with every line of context.
        let source = diagnostic
            .source_code()
            .and_then(|source| source.read_span(&miette::SourceSpan::from((0, 0)), usize::MAX, usize::MAX).ok())
            .map(|contents| {
                let text = contents.data();
                let key = (text.as_ptr() as usize, text.len());
                let mut cache = lines.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let line_starts = match cache.as_ref() {
                    Some((cached, line_starts)) if *cached == key => Arc::clone(line_starts),
                    _ => {
                        let line_starts = avenant::output::line_starts(text);
                        *cache = Some((key, Arc::clone(&line_starts)));
                        line_starts
                    }
                };
                Window { name: contents.name().map(str::to_owned), text, line_starts }
            });
        Windowed { diagnostic, source }
    }
}

type LineCache = Option<((usize, usize), Arc<[usize]>)>;

impl std::fmt::Debug for Windowed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl std::fmt::Display for Windowed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.diagnostic, f)
    }
}

impl std::error::Error for Windowed<'_> {}

impl miette::Diagnostic for Windowed<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diagnostic.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.diagnostic.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diagnostic.help()
    }

    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diagnostic.url()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        match &self.source {
            Some(window) => Some(window),
            None => self.diagnostic.source_code(),
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let labels = self.diagnostic.labels()?;
        let Some(window) = &self.source else { return Some(labels) };
        Some(Box::new(labels.map(move |label| {
            let (start, end) = window.label(label.offset(), label.offset() + label.len());
            let span = miette::SourceSpan::from(start..end);
            match label.primary() {
                true => miette::LabeledSpan::new_primary_with_span(label.label().map(str::to_owned), span),
                false => miette::LabeledSpan::new_with_span(label.label().map(str::to_owned), span),
            }
        })))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        self.diagnostic.related()
    }

    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.diagnostic.diagnostic_source()
    }
}

/// A diagnostic's text, read so that no line drawn is longer than [`LONGEST_LINE`].
struct Window<'a> {
    name: Option<String>,
    text: &'a [u8],
    line_starts: Arc<[usize]>,
}

impl Window<'_> {
    /// The line around `offset`: its start and end (before the line break).
    fn line(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset).saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let after = self.text.get(offset..).unwrap_or_default();
        let end =
            after.iter().position(|&byte| matches!(byte, b'\n' | b'\r')).map_or(self.text.len(), |at| offset + at);
        (start, end)
    }

    /// A label's span as drawn: unchanged on a short line; on a long one, cut
    /// to its line and to [`LONGEST_LABEL`] bytes.
    fn label(&self, start: usize, end: usize) -> (usize, usize) {
        let (line_start, line_end) = self.line(start);
        if line_end - line_start <= LONGEST_LINE {
            return (start, end);
        }
        let start = self.boundary(start.min(line_end));
        let end = self.boundary(end.min(line_end).min(start + LONGEST_LABEL)).max(start);
        (start, end)
    }

    /// The nearest start of a character at or before `offset`.
    fn boundary(&self, mut offset: usize) -> usize {
        while offset > 0 && self.text.get(offset).is_some_and(|&byte| byte & 0xC0 == 0x80) {
            offset -= 1;
        }
        offset
    }

    /// The bytes drawn for a span on a long line: [`AROUND`] bytes either side
    /// of it, within its line, without the lines of context around.
    fn around(&self, span: &miette::SourceSpan) -> (usize, usize) {
        let (line_start, line_end) = self.line(span.offset());
        let start = self.boundary(span.offset().saturating_sub(AROUND).max(line_start));
        let end = span.offset().saturating_add(span.len()).min(span.offset() + LONGEST_LABEL + AROUND);
        let end = self.boundary(end.saturating_add(AROUND).min(line_end)).max(start);
        (start, end)
    }
}

impl miette::SourceCode for Window<'_> {
    fn read_span<'b>(
        &'b self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        let contents =
            avenant::output::read_lines(self.text, &self.line_starts, span, context_lines_before, context_lines_after)?;
        let data = contents.data();
        let long = data.split(|&byte| byte == b'\n').any(|line| line.len() > LONGEST_LINE);
        let (data, span, line, column, line_count) = match long {
            false => (data, *contents.span(), contents.line(), contents.column(), contents.line_count()),
            true => {
                let (start, end) = self.around(span);
                let at = avenant::output::read_lines(
                    self.text,
                    &self.line_starts,
                    &miette::SourceSpan::from((start, 0)),
                    0,
                    0,
                )?;
                let data = self.text.get(start..end).unwrap_or_default();
                (data, miette::SourceSpan::from(start..end), at.line(), at.column(), 1)
            }
        };
        Ok(Box::new(match &self.name {
            Some(name) => miette::MietteSpanContents::new_named(name.clone(), data, span, line, column, line_count),
            None => miette::MietteSpanContents::new(data, span, line, column, line_count),
        }))
    }
}
