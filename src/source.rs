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
    /// Where each line starts, as miette counts lines (after `\n`, `\r\n` or a lone `\r`).
    line_starts: Arc<[usize]>,
}

impl SourceFile {
    /// The 1-based line and column of a byte offset.
    pub fn new(path: PathBuf, text: Arc<str>) -> SourceFile {
        let line_starts = line_starts(text.as_bytes());
        SourceFile { path, text, line_starts }
    }

    /// The 1-based line and column of a byte offset: a search among the
    /// line starts, then the characters of that line only.
    pub fn line_column(&self, offset: u32) -> (usize, usize) {
        line_column(&self.text, &self.line_starts, offset as usize)
    }

    /// The file as miette renders it: its name and its text, with its line starts.
    pub fn named_source(&self) -> Named {
        miette::NamedSource::new(
            self.path.display().to_string(),
            Text { text: Arc::clone(&self.text), line_starts: Arc::clone(&self.line_starts) },
        )
    }
}

/// A file's text as a diagnostic reads it.
pub type Named = miette::NamedSource<Text>;

/// A policy's text for miette. miette's own `str` source finds a label's
/// lines by reading the text from its start, once per label: 2 000 warnings
/// on a 1.7 MB policy took minutes. This one hands miette only the lines
/// around the label, found among the line starts, and moves what miette
/// finds there back to the file's own offsets and line numbers.
#[derive(Clone, Debug)]
pub struct Text {
    text: Arc<str>,
    line_starts: Arc<[usize]>,
}

impl Text {
    /// The 1-based line and column of a byte offset, as [`SourceFile::line_column`].
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        line_column(&self.text, &self.line_starts, offset)
    }
}

/// The 1-based line and column of a byte offset: a search among the line
/// starts, then the characters of that line only.
fn line_column(text: &str, line_starts: &[usize], offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let line = line_starts.partition_point(|&start| start <= offset).max(1);
    let line_start = line_starts.get(line - 1).copied().unwrap_or(0);
    let column = text.get(line_start..offset).map_or(0, |before| before.chars().count()) + 1;
    (line, column)
}

impl miette::SourceCode for Text {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let contents =
            read_lines(self.text.as_bytes(), &self.line_starts, span, context_lines_before, context_lines_after)?;
        Ok(Box::new(contents))
    }
}

/// What miette's own reading of `text` gives for `span` and its context
/// lines, found from `line_starts` ([`line_starts`] of the same text) in
/// time of the lines shown, not of the text before them.
pub fn read_lines<'a>(
    text: &'a [u8],
    line_starts: &[usize],
    span: &miette::SourceSpan,
    context_lines_before: usize,
    context_lines_after: usize,
) -> Result<miette::MietteSpanContents<'a>, miette::MietteError> {
    use miette::SourceCode as _;

    // The line the label starts on, its first context line, and one line
    // more: miette stops an empty label at the line end before it.
    let line = line_starts.partition_point(|&start| start <= span.offset()).saturating_sub(1);
    if context_lines_before > line && context_lines_after >= line_starts.len() {
        // The whole text, as a renderer asks for it: no need to read it.
        let whole = (0, text.len());
        return Ok(miette::MietteSpanContents::new(text, whole.into(), 0, 0, line_starts.len() - 1));
    }
    let first = line.saturating_sub(context_lines_before).saturating_sub(1);
    let from = line_starts.get(first).copied().unwrap_or(0);
    let window = text.get(from..).ok_or(miette::MietteError::OutOfBounds)?;
    let shifted = miette::SourceSpan::from((span.offset().saturating_sub(from), span.len()));
    let found = window.read_span(&shifted, context_lines_before, context_lines_after)?;
    let data: &'a [u8] = found.data();
    let at = miette::SourceSpan::from((found.span().offset() + from, found.span().len()));
    Ok(miette::MietteSpanContents::new(data, at, found.line() + first, found.column(), found.line_count() + first))
}

/// The offset of each line's first byte: 0, then after each `\n`, each
/// `\r\n`, and each `\r` alone, which is how miette counts lines.
pub fn line_starts(text: &[u8]) -> Arc<[usize]> {
    let mut starts = vec![0];
    for (at, &byte) in text.iter().enumerate() {
        let ends_line = byte == b'\n' || (byte == b'\r' && text.get(at + 1) != Some(&b'\n'));
        if ends_line {
            starts.push(at + 1);
        }
    }
    starts.into()
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
        self.files.push(SourceFile::new(path.into(), text.into()));
        id
    }

    #[expect(clippy::indexing_slicing, reason = "file ids are only made by `add`, into this map")]
    pub fn file(&self, id: FileId) -> &SourceFile {
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

#[cfg(test)]
mod tests {
    use miette::{SourceCode as _, SpanContents};

    use super::*;

    /// What a diagnostic shows of a span: its lines, where they start, and the numbers miette draws.
    fn shown(contents: &dyn SpanContents<'_>) -> (Vec<u8>, usize, usize, usize, usize, usize) {
        let span = contents.span();
        (contents.data().to_vec(), span.offset(), span.len(), contents.line(), contents.column(), contents.line_count())
    }

    /// The indexed text gives miette exactly what its own reading of the whole text gives,
    /// for every span, every amount of context, and every kind of line end.
    #[test]
    fn the_indexed_text_reads_every_span_as_miette_does() {
        let texts = [
            "",
            "one line",
            "a\nbb\n\nccc\n",
            "crlf\r\nline two\r\n\r\nlast",
            "lone\rcarriage\rreturns\r",
            "mixed\n\r\nend\rx\n",
            "é accents\nà la ligne\n«\u{a0}insécable\u{a0}»\n",
        ];
        for text in texts {
            let file = SourceFile::new(PathBuf::from("t.policy"), Arc::from(text));
            let indexed = file.named_source();
            let boundaries: Vec<usize> = (0..=text.len()).filter(|&at| text.is_char_boundary(at)).collect();
            for &start in &boundaries {
                for &end in boundaries.iter().filter(|&&end| end >= start) {
                    for (before, after) in [(0, 0), (1, 1), (2, 3), (5, 0), (0, 5), (9, 9), (usize::MAX, usize::MAX)] {
                        let span = miette::SourceSpan::from((start, end - start));
                        let expected = text.read_span(&span, before, after).map(|contents| shown(contents.as_ref()));
                        let got = indexed.read_span(&span, before, after).map(|contents| shown(contents.as_ref()));
                        assert_eq!(
                            got.as_ref().ok(),
                            expected.as_ref().ok(),
                            "{text:?} at {start}..{end} with {before} line(s) before and {after} after"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn lines_and_columns_count_every_kind_of_line_end() {
        let file = SourceFile::new(PathBuf::from("t.policy"), Arc::from("ab\r\ncd\ref\né\u{a0}x"));
        let at = |offset: u32| file.line_column(offset);
        assert_eq!(at(0), (1, 1));
        assert_eq!(at(2), (1, 3));
        assert_eq!(at(4), (2, 1));
        assert_eq!(at(7), (3, 1));
        assert_eq!(at(10), (4, 1));
        // Columns count characters, not bytes; an offset inside a character is its start.
        assert_eq!(at(14), (4, 3));
        assert_eq!(at(13), (4, 2));
        assert_eq!(at(u32::MAX), (4, 4));
    }
}
