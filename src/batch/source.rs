//! The reader thread's side of a batch: a population's rows, CSV or JSON
//! Lines cut into chunks by rows and by bytes, or Arrow batches cut into
//! slices (zero-copy) by rows; a CSV header read and refused in plain words.
//! Never types or evaluates a row.

use std::io::Read;
use std::ops::Range;
use std::sync::mpsc;

use arrow_array::RecordBatch;

use super::csv_rows::CsvRows;
use super::input::Refusal;
use super::json_lines::JsonLines;
use super::{BatchError, Format, RowError};
use crate::eval::profile::UNREADABLE;

/// The bytes a chunk holds at most (its rows' text, where their cells end,
/// and their places), beside its number of rows: a chunk is cut at the first
/// limit its rows meet, so the chunks in flight bound memory however long the rows.
pub const CHUNK_BYTES: usize = 1 << 20;

/// A row as read, its text in its chunk's.
pub(crate) struct RowRead {
    pub line: u64,
    pub text: Range<usize>,
    /// CSV: where its cells end (in its chunk's `ends`), as many as the
    /// header's and one more at most.
    pub ends: Range<usize>,
    /// CSV: how many cells the row has.
    pub cells: usize,
    pub refused: Option<Refusal>,
}

/// Rows of one chunk as read, and what evaluating them gave.
#[derive(Default)]
pub(crate) struct Chunk {
    pub first_row: u64,
    pub rows: Vec<RowRead>,
    /// Every row's text, one after another: a CSV row's cells unquoted, or a JSON line.
    pub text: Vec<u8>,
    /// CSV: where each cell ends within its row's text.
    pub ends: Vec<usize>,
    /// Arrow: the chunk's rows, a slice of a batch of the input, in place of `rows`.
    pub batch: Option<RecordBatch>,
    /// How far the input was read after the chunk's last row.
    pub bytes_end: u64,
    pub out: Vec<u8>,
    /// The outcomes as Arrow columns, when they are handed over as batches.
    pub outcomes: Option<RecordBatch>,
    /// Why the chunk could not be read at all (an Arrow cell that is no
    /// value, such as a timestamp with a time of day): the run stops there.
    pub failure: Option<String>,
    pub errors: Vec<RowError>,
    /// Rows rejected: a row with several problems has several errors.
    pub errors_rows: u64,
}

impl Chunk {
    /// How many rows it holds.
    pub fn len(&self) -> usize {
        self.batch.as_ref().map_or(self.rows.len(), RecordBatch::num_rows)
    }

    /// The bytes its rows take as read.
    fn weight(&self) -> usize {
        self.text.len() + self.ends.len() * size_of::<usize>() + self.rows.len() * size_of::<RowRead>()
    }
}

pub(crate) enum Source<'a, R: Read> {
    /// Boxed: the CSV parser's tables are most of its size.
    Csv(Box<CsvRows<R>>),
    Jsonl(JsonLines<R>),
    Arrow(ArrowRows<'a>),
}

/// Arrow batches, handed out in slices of a chunk's rows.
pub(crate) struct ArrowRows<'a> {
    batches: Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send + 'a>,
    current: Option<RecordBatch>,
    /// The first row of `current` not yet handed out.
    at: usize,
    /// The number of the first row.
    first_row: u64,
}

impl<'a> ArrowRows<'a> {
    /// Batches whose rows are numbered from `first_row`.
    pub(crate) fn new(batches: impl Iterator<Item = Result<RecordBatch, String>> + Send + 'a, first_row: u64) -> Self {
        ArrowRows { batches: Box::new(batches), current: None, at: 0, first_row }
    }

    /// The next rows, at most `size`, within one batch: a slice shares the
    /// batch's buffers. None once every batch is handed out.
    fn next_slice(&mut self, size: usize) -> Result<Option<RecordBatch>, BatchError> {
        loop {
            if let Some(batch) = &self.current {
                let rest = batch.num_rows().saturating_sub(self.at);
                if rest > 0 {
                    let length = rest.min(size);
                    let slice = batch.slice(self.at, length);
                    self.at += length;
                    return Ok(Some(slice));
                }
            }
            match self.batches.next() {
                None => return Ok(None),
                Some(Err(message)) => return Err(BatchError::Read(message)),
                Some(Ok(batch)) => {
                    self.current = Some(batch);
                    self.at = 0;
                }
            }
        }
    }
}

impl<R: Read> Source<'_, R> {
    /// Fills a chunk with up to `size` rows, until they take `bytes` (see
    /// [`CHUNK_BYTES`]); `Ok(false)` at the end of the input.
    /// The reader thread's work: fills chunks (reusing those handed back) of
    /// up to `size` rows and about `bytes`, and sends them in order until the
    /// input ends, a read fails or the receiver stops.
    pub(crate) fn feed(
        mut self,
        size: usize,
        bytes: usize,
        full: &mpsc::SyncSender<Result<Chunk, BatchError>>,
        empty: &mpsc::Receiver<Chunk>,
    ) {
        let mut first_row = match &self {
            Source::Arrow(rows) => rows.first_row,
            Source::Csv(_) | Source::Jsonl(_) => 1,
        };
        loop {
            let mut chunk = empty.try_recv().unwrap_or_default();
            let filled = self.fill(&mut chunk, first_row, size, bytes);
            first_row += chunk.len() as u64;
            let done = !matches!(filled, Ok(true));
            let sent = match filled {
                Ok(_) if chunk.len() == 0 => Ok(()),
                Ok(_) => full.send(Ok(chunk)),
                Err(error) => full.send(Err(error)),
            };
            // A closed channel means the writer stopped: stop reading too.
            if done || sent.is_err() {
                break;
            }
        }
    }

    pub(super) fn fill(
        &mut self,
        chunk: &mut Chunk,
        first_row: u64,
        size: usize,
        bytes: usize,
    ) -> Result<bool, BatchError> {
        chunk.first_row = first_row;
        chunk.rows.clear();
        chunk.text.clear();
        chunk.ends.clear();
        chunk.batch = None;
        if let Source::Arrow(batches) = self {
            chunk.batch = batches.next_slice(size)?;
            return Ok(chunk.batch.is_some());
        }
        while chunk.rows.len() < size && chunk.weight() < bytes {
            let more = match self {
                Source::Csv(reader) => match reader.next_row()? {
                    Some(row) => {
                        let (text, ends) = reader.cells(&row);
                        let at = chunk.text.len();
                        chunk.text.extend_from_slice(text);
                        let first_end = chunk.ends.len();
                        chunk.ends.extend_from_slice(ends);
                        chunk.rows.push(RowRead {
                            line: row.line,
                            text: at..chunk.text.len(),
                            ends: first_end..chunk.ends.len(),
                            cells: row.cells,
                            refused: row.refused,
                        });
                        true
                    }
                    None => false,
                },
                Source::Jsonl(reader) => match reader.next_line()? {
                    Some((line, start)) => {
                        let at = chunk.text.len();
                        chunk.text.extend_from_slice(reader.text(start));
                        chunk.rows.push(RowRead {
                            line: line.line,
                            text: at..chunk.text.len(),
                            ends: 0..0,
                            cells: 0,
                            refused: line.refused,
                        });
                        true
                    }
                    None => false,
                },
                // Filled above, a slice at a time.
                Source::Arrow(_) => false,
            };
            chunk.bytes_end = match self {
                Source::Csv(reader) => reader.offset(),
                Source::Jsonl(reader) => reader.offset(),
                // Batches are not read as bytes: their progress is counted in rows.
                Source::Arrow(_) => 0,
            };
            if !more {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Up to `size` chunks as the reader sends them, and the reading error that
/// stopped it early, if one did; an empty wave once the input is read.
pub(crate) fn receive_wave(
    chunks: &mpsc::Receiver<Result<Chunk, BatchError>>,
    size: usize,
) -> (Vec<Chunk>, Option<BatchError>) {
    let mut wave = Vec::with_capacity(size);
    while wave.len() < size {
        match chunks.recv() {
            Ok(Ok(chunk)) => wave.push(chunk),
            Ok(Err(error)) => return (wave, Some(error)),
            Err(_) => break,
        }
    }
    (wave, None)
}

/// A population opened for reading, rows of at most `row_bytes`; for CSV,
/// its header's column names and line, read (or refused) before any row.
pub(crate) type Opened<R> = (Source<'static, R>, Option<(Vec<String>, u64)>);

/// Opens a population: a CSV file's header is read, and its rows are then
/// read as wide as it is.
pub(crate) fn open<R: Read>(input: R, format: Format, row_bytes: usize) -> Result<Opened<R>, BatchError> {
    match format {
        Format::Csv => {
            let mut reader = CsvRows::new(input, row_bytes);
            let (titles, line) = header(&mut reader)?;
            reader.set_width(titles.len());
            Ok((Source::Csv(Box::new(reader)), Some((titles, line))))
        }
        Format::Jsonl => Ok((Source::Jsonl(JsonLines::new(input, row_bytes)), None)),
    }
}

/// A CSV file's header: its column names and its line. A file without one,
/// or whose header is not text on one line, is refused whole.
pub(super) fn header<R: Read>(reader: &mut CsvRows<R>) -> Result<(Vec<String>, u64), BatchError> {
    let refused = |line, message, help: &str| RowError {
        row: 0,
        line,
        field: None,
        code: UNREADABLE,
        message,
        help: Some(help.to_owned()),
    };
    let Some(row) = reader.next_row()? else {
        let help = "a population's first line names the policy's fields, `specialty,sector,…`, then one profile a line";
        let message = if reader.offset() == 0 { "the file is empty" } else { "the file holds only blank lines" };
        let message = format!("{message}: it has no header row");
        return Err(BatchError::Columns(vec![refused(1, message, help)]));
    };
    if let Some(refusal) = row.refused {
        let help = "the header is one line of column names, `specialty,sector,…`";
        return Err(BatchError::Columns(vec![refused(row.line, refusal.message, help)]));
    }
    let (text, ends) = reader.cells(&row);
    let (mut titles, mut problems, mut start) = (Vec::new(), Vec::new(), 0);
    for (column, end) in ends.iter().enumerate() {
        match std::str::from_utf8(text.get(start..*end).unwrap_or_default()) {
            Ok(title) => titles.push(title.to_owned()),
            Err(_) => {
                let message = format!("column {} is not valid UTF-8", column + 1);
                problems.push(refused(row.line, message, "save the file as UTF-8"));
            }
        }
        start = *end;
    }
    if problems.is_empty() { Ok((titles, row.line)) } else { Err(BatchError::Columns(problems)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_is_cut_by_bytes_as_well_as_rows() {
        let text = format!("{}\n", "x".repeat(300_000)).repeat(10);
        let mut source = Source::Jsonl(JsonLines::new(text.as_bytes(), crate::batch::ROW_BYTES));
        let mut chunk = Chunk::default();
        let mut rows = Vec::new();
        while source.fill(&mut chunk, 1, 2048, CHUNK_BYTES).unwrap() {
            rows.push(chunk.rows.len());
        }
        rows.push(chunk.rows.len());
        // Four rows of 300 000 bytes are the first past 1 MiB.
        assert_eq!(rows, vec![4, 4, 2]);
        assert!(chunk.text.capacity() <= 2 * CHUNK_BYTES, "{}", chunk.text.capacity());
    }
}
