//! CSV bytes → rows of cells, in bounded memory: a row longer than
//! [`ROW_BYTES`](super::ROW_BYTES) is refused and skipped to the end of its
//! line, and a quote that swallows lines (a row over several lines whose
//! cells are not the header's) is reported at the line where it opened, the
//! lines it swallowed read again as rows of their own. Never types a cell:
//! that is `rows`'.

use std::io::Read;

use csv_core::ReadRecordResult;

use super::input::{Input, Refusal};

/// A row as read: its cells, unquoted, are the reader's until the next row.
pub(crate) struct RawRow {
    pub line: u64,
    /// Its cells, however many the row has (`ends` holds them all).
    pub cells: usize,
    /// Why the row was refused as it was read (too long, a stray quote).
    pub refused: Option<Refusal>,
}

pub(crate) struct CsvRows<R> {
    input: Input<R>,
    parser: csv_core::Reader,
    /// The cells of the row read last, one after another, and where each ends.
    text: Vec<u8>,
    ends: Vec<usize>,
    /// A row that starts before this byte ends at the end of its line
    /// whatever its quotes: these are the lines a stray quote swallowed, read
    /// again, so that no byte is read again twice.
    lines_alone_until: u64,
    /// The header's cells, once it is read: a row over several lines with
    /// another number of cells is a stray quote.
    width: Option<usize>,
    row_bytes: usize,
}

impl<R: Read> CsvRows<R> {
    /// Rows of at most `row_bytes` bytes (see [`ROW_BYTES`](super::ROW_BYTES)).
    pub(super) fn new(reader: R, row_bytes: usize) -> Self {
        CsvRows {
            input: Input::new(reader),
            parser: csv_core::Reader::new(),
            text: vec![0; 1024],
            ends: vec![0; 64],
            lines_alone_until: 0,
            width: None,
            row_bytes,
        }
    }

    pub(super) fn set_width(&mut self, width: usize) {
        self.width = Some(width);
    }

    /// The cells of the row read last, and where each ends in them: as many
    /// as the header has and one more at most, enough to tell a row too wide.
    pub(super) fn cells(&self, row: &RawRow) -> (&[u8], &[usize]) {
        let kept = self.width.map_or(row.cells, |width| row.cells.min(width + 1));
        let ends = self.ends.get(..kept).unwrap_or_default();
        let length = ends.last().copied().unwrap_or(0);
        (self.text.get(..length).unwrap_or_default(), ends)
    }

    /// How far the input was read, in bytes.
    pub(super) fn offset(&self) -> u64 {
        self.input.offset()
    }

    /// The next row; `None` at the end of the input.
    pub(super) fn next_row(&mut self) -> std::io::Result<Option<RawRow>> {
        self.skip_line_ends()?;
        self.input.forget_before();
        let start = self.input.offset();
        let line = self.parser.line();
        let alone = start < self.lines_alone_until;
        let (mut written, mut cells) = (0, 0);
        let mut at_end = false;
        loop {
            if written >= self.text.len() {
                self.text.resize(self.text.len() * 2, 0);
            }
            if cells >= self.ends.len() {
                self.ends.resize(self.ends.len() * 2, 0);
            }
            let used = usize::try_from(self.input.offset() - start).unwrap_or(usize::MAX);
            // One byte over the limit says the row is too long.
            let room = (self.row_bytes + 1).saturating_sub(used);
            if room == 0 {
                return self.too_long(start, line).map(Some);
            }
            let data = self.input.data()?;
            at_end = at_end || data.is_empty();
            let mut slice = data.get(..room).unwrap_or(data);
            let mut line_end = false;
            if alone && let Some(at) = slice.iter().position(|byte| *byte == b'\n') {
                slice = slice.get(..=at).unwrap_or(slice);
                line_end = true;
            }
            let (output, ends) =
                (self.text.get_mut(written..).unwrap_or_default(), self.ends.get_mut(cells..).unwrap_or_default());
            let (result, read, wrote, ended) = self.parser.read_record(slice, output, ends);
            let whole_slice = read == slice.len();
            self.input.consume(read);
            written += wrote;
            cells += ended;
            match result {
                // A line read alone ends the row even inside quotes: end it as the input's end would.
                ReadRecordResult::InputEmpty if line_end && whole_slice => {
                    let line_after = self.parser.line();
                    if cells >= self.ends.len() {
                        self.ends.resize(self.ends.len() * 2, 0);
                    }
                    let ends = self.ends.get_mut(cells..).unwrap_or_default();
                    let (_, _, _, ended) = self.parser.read_record(&[], &mut [], ends);
                    cells += ended;
                    // The parser has seen an end of input: it starts afresh on the next line.
                    self.parser.reset();
                    self.parser.set_line(line_after);
                    break;
                }
                ReadRecordResult::InputEmpty | ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
                ReadRecordResult::Record => break,
                ReadRecordResult::End => return Ok(None),
            }
        }
        let ended_line = self.input.since(start).last() == Some(&b'\n');
        let crossed = self.parser.line().saturating_sub(line + u64::from(ended_line));
        let row = RawRow { line, cells, refused: None };
        if crossed > 0 && self.width.is_none_or(|width| width != cells) {
            let first_line = self.swallowed(start);
            let over = if at_end { "to the end of the file".to_owned() } else { format!("to line {}", line + crossed) };
            let message = format!(
                "a quote opened{} and not closed on its line swallows the next {crossed} line(s), {over}",
                first_line
            );
            return Ok(Some(self.stray_quote(row, start, message, crossed)));
        }
        Ok(Some(row))
    }

    /// A row that reached the limit: if a quote took it over several lines,
    /// the quote is stray; otherwise the line is too long, skipped to its end.
    fn too_long(&mut self, start: u64, line: u64) -> std::io::Result<RawRow> {
        let crossed = self.parser.line().saturating_sub(line);
        let row = RawRow { line, cells: 0, refused: None };
        let limit = self.row_bytes;
        if crossed > 0 {
            let quote = self.swallowed(start);
            let message = format!(
                "a quote opened{quote} is still open {crossed} line(s) later, past the {limit} bytes a row may have"
            );
            return Ok(self.stray_quote(row, start, message, crossed));
        }
        self.input.skip_line()?;
        self.parser.reset();
        self.parser.set_line(line + 1);
        Ok(RawRow { refused: Some(Refusal::too_long(limit)), ..row })
    }

    /// Refuses a row that a quote took over several lines, and reads again,
    /// each alone, the lines after its first.
    fn stray_quote(&mut self, row: RawRow, start: u64, message: String, crossed: u64) -> RawRow {
        let first_line = self.input.since(start).iter().position(|byte| *byte == b'\n').unwrap_or(0);
        self.lines_alone_until = self.lines_alone_until.max(self.input.offset());
        self.input.rewind(start + first_line as u64 + 1);
        self.parser.reset();
        self.parser.set_line(row.line + 1);
        let help = format!(
            "a quote inside a cell is doubled in a quoted cell (`\"a \"\"quoted\"\" word\"`); \
             the {crossed} line(s) after this one are read again as rows of their own"
        );
        RawRow { refused: Some(Refusal { message, help: Some(help) }), cells: 0, ..row }
    }

    /// ` in cell N`: the cell of the row's first line whose quote is still
    /// open at its end, if it can be told.
    fn swallowed(&self, start: u64) -> String {
        let bytes = self.input.since(start);
        let first_line = bytes.split(|byte| *byte == b'\n').next().unwrap_or_default();
        open_quote_cell(first_line).map(|cell| format!(" in cell {cell}")).unwrap_or_default()
    }

    /// Blank lines, and the `\n` of a `\r\n`, are no row; the line count goes on.
    fn skip_line_ends(&mut self) -> std::io::Result<()> {
        loop {
            let data = self.input.data()?;
            let blank = data.iter().take_while(|byte| matches!(byte, b'\r' | b'\n')).count();
            if blank == 0 {
                return Ok(());
            }
            let lines = data.iter().take(blank).filter(|byte| **byte == b'\n').count();
            self.input.consume(blank);
            self.parser.set_line(self.parser.line() + lines as u64);
        }
    }
}

/// The cell (from 1) whose opening quote is still open at the end of `line`,
/// read as the parser reads it: a quote opens a cell only at its start, and
/// two quotes in a quoted cell are one quote.
fn open_quote_cell(line: &[u8]) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        CellStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let (mut state, mut cell) = (State::CellStart, 1);
    for byte in line {
        state = match (state, byte) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) | (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::CellStart | State::Unquoted | State::QuoteInQuoted, b',') => {
                cell += 1;
                State::CellStart
            }
            (State::CellStart, b'"') => State::Quoted,
            (State::CellStart | State::Unquoted | State::QuoteInQuoted, _) => State::Unquoted,
        };
    }
    (state == State::Quoted).then_some(cell)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, width: usize, limit: usize) -> Vec<(u64, Vec<String>, Option<String>)> {
        let mut reader = CsvRows::new(text.as_bytes(), limit);
        reader.set_width(width);
        let mut rows = Vec::new();
        while let Some(row) = reader.next_row().unwrap() {
            let (text, ends) = reader.cells(&row);
            let mut cells = Vec::new();
            let mut start = 0;
            for end in ends {
                cells.push(String::from_utf8_lossy(&text[start..*end]).into_owned());
                start = *end;
            }
            rows.push((row.line, cells, row.refused.map(|refusal| refusal.message)));
        }
        rows
    }

    #[test]
    fn a_stray_quote_is_reported_where_it_opened_and_the_lines_after_it_read_again() {
        let text = "a,b\n\"c,d\ne,f\ng,h\n";
        let read = rows(text, 2, 100);
        assert_eq!(read.len(), 4, "{read:?}");
        assert_eq!(read[0].0, 1);
        assert_eq!(
            read[1].2.as_deref(),
            Some(
                "a quote opened in cell 1 and not closed on its line swallows the next 2 line(s), to the end of the file"
            )
        );
        assert_eq!((read[2].0, read[2].1.clone()), (3, vec!["e".to_owned(), "f".to_owned()]));
        assert_eq!((read[3].0, read[3].1.clone()), (4, vec!["g".to_owned(), "h".to_owned()]));
    }

    #[test]
    fn a_quoted_cell_over_lines_is_a_cell_when_the_row_has_the_header_s_cells() {
        let read = rows("a,\"one\r\ntwo\"\r\nc,d\r\n", 2, 100);
        assert_eq!(
            read,
            vec![
                (1, vec!["a".to_owned(), "one\r\ntwo".to_owned()], None),
                (3, vec!["c".to_owned(), "d".to_owned()], None)
            ]
        );
    }

    #[test]
    fn a_row_too_long_is_skipped_to_the_end_of_its_line() {
        let text = format!("a,{}\nc,d\n", "x".repeat(50));
        let read = rows(&text, 2, 20);
        assert_eq!(read[0].2.as_deref(), Some("the row is longer than the 20 bytes a row may have"));
        assert_eq!(read[1], (2, vec!["c".to_owned(), "d".to_owned()], None));
    }

    #[test]
    fn a_quote_open_past_the_limit_gives_back_the_lines_it_took() {
        let text = format!("h,i\n\"a,b\n{}c,d\n", "e,f\n".repeat(20));
        let read = rows(&text, 2, 30);
        assert_eq!(read.len(), 23, "{read:?}");
        assert!(read[1].2.as_deref().is_some_and(|message| message.contains("past the 30 bytes")), "{read:?}");
        assert!(read[2..].iter().all(|row| row.2.is_none() && row.1.len() == 2), "{read:?}");
        assert_eq!(read[22], (23, vec!["c".to_owned(), "d".to_owned()], None));
    }

    #[test]
    fn the_cell_of_an_open_quote() {
        assert_eq!(open_quote_cell(b"\"abc"), Some(1));
        assert_eq!(open_quote_cell(b"a,b\"c,\"d\"\"e"), Some(3));
        assert_eq!(open_quote_cell(b"a,\"b\",c"), None);
    }
}
