//! JSON Lines bytes → one line a row, in bounded memory: a line longer than
//! [`ROW_BYTES`](super::ROW_BYTES) is refused and skipped, a byte-order mark
//! on the first line is dropped, and blank lines are no row. Never parses
//! JSON: that is `rows`'.

use std::io::Read;

use super::input::{Input, Refusal};

/// A line as read; its text is the reader's until the next line.
pub(crate) struct RawLine {
    pub line: u64,
    pub refused: Option<Refusal>,
}

pub(crate) struct JsonLines<R> {
    input: Input<R>,
    /// The number of the line read last.
    line: u64,
    /// Where the text of the line read last is, from the position before it.
    text: std::ops::Range<usize>,
    row_bytes: usize,
}

const BYTE_ORDER_MARK: &[u8] = b"\xef\xbb\xbf";

impl<R: Read> JsonLines<R> {
    /// Lines of at most `row_bytes` bytes (see [`ROW_BYTES`](super::ROW_BYTES)).
    pub(super) fn new(reader: R, row_bytes: usize) -> Self {
        JsonLines { input: Input::new(reader), line: 0, text: 0..0, row_bytes }
    }

    /// The text of the line read last, without its line end.
    pub(super) fn text(&self, start: u64) -> &[u8] {
        self.input.since(start).get(self.text.clone()).unwrap_or_default()
    }

    /// How far the input was read, in bytes.
    pub(super) fn offset(&self) -> u64 {
        self.input.offset()
    }

    /// The next line that is not blank, and the offset its text is read
    /// from (see [`JsonLines::text`]); `None` at the end of the input.
    pub(super) fn next_line(&mut self) -> std::io::Result<Option<(RawLine, u64)>> {
        loop {
            self.input.forget_before();
            let start = self.input.offset();
            // Look for the line's end in what is read, reading more as needed.
            let mut searched = 0;
            let length = loop {
                let buffered = self.input.buffered();
                if let Some(at) = buffered.get(searched..).and_then(|rest| rest.iter().position(|byte| *byte == b'\n'))
                {
                    break Some(searched + at);
                }
                searched = buffered.len();
                if searched > self.row_bytes {
                    break None;
                }
                if !self.input.read_more()? {
                    break Some(searched);
                }
            };
            self.line += 1;
            let line = self.line;
            let Some(length) = length else {
                self.input.skip_line()?;
                return Ok(Some((RawLine { line, refused: Some(Refusal::too_long(self.row_bytes)) }, start)));
            };
            if length == 0 && self.input.buffered().is_empty() {
                return Ok(None);
            }
            let text = self.input.buffered().get(..length).unwrap_or_default();
            let first = if line == 1 && text.starts_with(BYTE_ORDER_MARK) { BYTE_ORDER_MARK.len() } else { 0 };
            let blank = text.get(first..).unwrap_or_default().iter().all(u8::is_ascii_whitespace);
            self.text = first..length;
            self.input.consume(length + 1);
            if length > self.row_bytes {
                return Ok(Some((RawLine { line, refused: Some(Refusal::too_long(self.row_bytes)) }, start)));
            }
            if !blank {
                return Ok(Some((RawLine { line, refused: None }, start)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[u8], limit: usize) -> Vec<(u64, String, Option<String>)> {
        let mut reader = JsonLines::new(text, limit);
        let mut lines = Vec::new();
        while let Some((line, start)) = reader.next_line().unwrap() {
            let text = String::from_utf8_lossy(reader.text(start)).into_owned();
            lines.push((line.line, text, line.refused.map(|refusal| refusal.message)));
        }
        lines
    }

    #[test]
    fn blank_lines_are_no_row_and_a_first_byte_order_mark_is_dropped() {
        let read = lines(b"\xef\xbb\xbf{}\n\n  \r\n{\"a\": 1}", 100);
        assert_eq!(read, vec![(1, "{}".to_owned(), None), (4, "{\"a\": 1}".to_owned(), None)]);
    }

    #[test]
    fn a_line_too_long_is_refused_and_the_next_read() {
        let text = format!("{}\n{{}}\n", "x".repeat(300));
        let read = lines(text.as_bytes(), 100);
        assert_eq!(read[0].0, 1);
        assert_eq!(read[0].2.as_deref(), Some("the row is longer than the 100 bytes a row may have"));
        assert_eq!(read[1], (2, "{}".to_owned(), None));
        assert_eq!(read.len(), 2);
    }
}
