//! Byte offsets ↔ LSP positions (line, UTF-16 column), the only place that
//! knows the protocol counts columns in UTF-16 code units: the policies are
//! French, so `é` and `«` are one unit there and two bytes here.

use lsp_types::{Position, Range};

/// Where each line of a text starts, to turn offsets into positions and back.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
        LineIndex { starts }
    }

    /// The position of a byte offset; an offset past the end is the end.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|start| *start <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column = text.get(start..offset).map_or(0, |before| before.encode_utf16().count());
        Position { line: saturate(line), character: saturate(column) }
    }

    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range { start: self.position(text, start), end: self.position(text, end) }
    }

    /// The byte offset of a position; a position past a line's end is that
    /// end, and past the last line the text's end (editors send both).
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else { return text.len() };
        let line_end = self.starts.get(position.line as usize + 1).map_or(text.len(), |next| next - 1);
        let line = text.get(start..line_end).unwrap_or("");
        let mut units = 0;
        for (at, character) in line.char_indices() {
            if units >= position.character as usize {
                return start + at;
            }
            units += character.len_utf16();
        }
        line_end
    }
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_and_round_trip() {
        let text = "a é\n« x »\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap_or(0);
        assert_eq!(index.position(text, x), Position { line: 1, character: 2 });
        assert_eq!(index.offset(text, Position { line: 1, character: 2 }), x);
        assert_eq!(index.offset(text, Position { line: 0, character: 99 }), "a é".len());
        assert_eq!(index.offset(text, Position { line: 9, character: 0 }), text.len());
    }
}
