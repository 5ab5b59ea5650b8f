//! Source files and spans: where every piece of a policy came from.
//!
//! Every AST node and every checked definition carries a [`Span`], so that a
//! diagnostic, an evaluation error or an explanation can point into the
//! policy. Spans never take part in equality.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Which file of a [`SourceMap`] a span points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub(crate) u32);

/// A byte range in one source file.
///
/// Spans compare equal to each other whatever their position, so that two
/// syntax trees that differ only in layout are equal.
#[derive(Clone, Copy)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        let clamp = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        Span { file, start: clamp(start), end: clamp(end) }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The span as miette wants it.
    pub fn source_span(self) -> miette::SourceSpan {
        (self.start as usize, self.len()).into()
    }
}

impl PartialEq for Span {
    fn eq(&self, _other: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// One loaded source file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl SourceFile {
    /// The 1-based line and column of a byte offset.
    pub fn line_column(&self, offset: u32) -> (usize, usize) {
        let offset = (offset as usize).min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// The file as miette renders it: its name and its whole text.
    pub fn named_source(&self) -> miette::NamedSource<Arc<str>> {
        miette::NamedSource::new(self.path.display().to_string(), Arc::clone(&self.text))
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// All the files a policy was read from (a policy and, later, the texts it amends).
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile { path: path.into(), text: text.into() });
        id
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        // File ids are only made by `add`, so the index is always in range.
        &self.files[id.0 as usize]
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.file(id).path
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        let text = &self.file(span.file).text;
        text.get(span.start as usize..span.end as usize).unwrap_or("")
    }

    /// The code a span covers, without the `#` comments in it (an expression's
    /// span runs on over the white space and comments after it), trimmed.
    pub fn code(&self, span: Span) -> String {
        without_comments(self.snippet(span)).trim().to_owned()
    }

    /// `file:line:column` of a span's start, as editors and people read it.
    pub fn location(&self, span: Span) -> String {
        let file = self.file(span.file);
        let (line, column) = file.line_column(span.start);
        format!("{}:{line}:{column}", file.path.display())
    }
}

/// `text` with every `#` comment (outside quoted texts) removed.
pub fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped, mut in_comment) = (false, false, false);
    for c in text.chars() {
        match c {
            '\n' if in_comment => in_comment = false,
            _ if in_comment => continue,
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => {
                in_comment = true;
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}
