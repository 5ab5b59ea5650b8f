//! A population's bytes as its readers see them: one buffer that keeps the
//! row being read, and nothing before it, so that memory is bounded by the
//! longest row allowed, not by the file; a row may be read again from its
//! start. Knows bytes only: never splits rows or cells itself.

use std::io::Read;

/// The most bytes a row may have, its line end not counted: a profile is a
/// dozen short fields, so a longer row is refused, read no further, rather
/// than held in memory whole (a stray quote can make the rest of a file one row).
pub const ROW_BYTES: usize = 1 << 20;

/// How much is asked of the reader at a time.
const READ_SIZE: usize = 64 * 1024;

/// Why a row was refused as it was read (too long, a stray quote).
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub message: String,
    pub help: Option<String>,
}

impl Refusal {
    /// A row longer than `limit` bytes.
    pub(super) fn too_long(limit: usize) -> Refusal {
        Refusal {
            message: format!("the row is longer than the {limit} bytes a row may have"),
            help: Some("a row holds one profile's fields; keep long texts out of the population file".to_owned()),
        }
    }
}

pub(super) struct Input<R> {
    reader: R,
    buffer: Vec<u8>,
    /// Bytes of `buffer` read from the input.
    filled: usize,
    /// The next byte to read.
    position: usize,
    /// The first byte still needed (the start of the row being read); the
    /// bytes before it are dropped at the next read. Always `kept <= position <= filled`.
    kept: usize,
    /// Where `buffer` starts in the input.
    offset: u64,
    ended: bool,
}

impl<R: Read> Input<R> {
    pub(super) fn new(reader: R) -> Self {
        Input { reader, buffer: vec![0; READ_SIZE], filled: 0, position: 0, kept: 0, offset: 0, ended: false }
    }

    /// The bytes after the position, reading more if there are none; empty
    /// only at the end of the input.
    pub(super) fn data(&mut self) -> std::io::Result<&[u8]> {
        if self.position >= self.filled {
            self.read_more()?;
        }
        Ok(self.buffer.get(self.position..self.filled).unwrap_or_default())
    }

    /// Reads more of the input after what the buffer holds, keeping the bytes
    /// from `kept` on; `false` at the end of the input.
    pub(super) fn read_more(&mut self) -> std::io::Result<bool> {
        if self.ended {
            return Ok(false);
        }
        let kept = self.kept.min(self.filled);
        if kept > 0 {
            self.buffer.copy_within(kept..self.filled, 0);
            self.filled -= kept;
            self.position -= kept;
            self.kept = 0;
            self.offset += kept as u64;
        }
        // The buffer grows only while one row is longer than it: up to
        // `ROW_BYTES` and one read more.
        if self.buffer.len() - self.filled < READ_SIZE / 2 {
            self.buffer.resize(self.filled + READ_SIZE, 0);
        }
        loop {
            let Some(room) = self.buffer.get_mut(self.filled..) else { return Ok(false) };
            match self.reader.read(room) {
                Ok(0) => {
                    self.ended = true;
                    return Ok(false);
                }
                Ok(read) => {
                    self.filled += read;
                    return Ok(true);
                }
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }

    /// The bytes from the position on that the buffer holds, without reading.
    pub(super) fn buffered(&self) -> &[u8] {
        self.buffer.get(self.position..self.filled).unwrap_or_default()
    }

    /// The bytes from `start` (an offset in the input, at or after the kept
    /// byte) to the position.
    pub(super) fn since(&self, start: u64) -> &[u8] {
        let from = usize::try_from(start.saturating_sub(self.offset)).unwrap_or(usize::MAX);
        self.buffer.get(from..self.position).unwrap_or_default()
    }

    pub(super) fn consume(&mut self, bytes: usize) {
        self.position = (self.position + bytes).min(self.filled);
    }

    /// The bytes before the position are no longer needed.
    pub(super) fn forget_before(&mut self) {
        self.kept = self.position;
    }

    /// Where reading is, in bytes from the start of the input.
    pub(super) fn offset(&self) -> u64 {
        self.offset + self.position as u64
    }

    /// Reads again from `offset`, which must be a byte still kept.
    pub(super) fn rewind(&mut self, offset: u64) {
        let at = usize::try_from(offset.saturating_sub(self.offset)).unwrap_or(usize::MAX);
        self.position = at.clamp(self.kept, self.filled);
    }

    /// Consumes bytes to the end of the line (its `\n` included), keeping none of them.
    pub(super) fn skip_line(&mut self) -> std::io::Result<()> {
        loop {
            let data = self.data()?;
            if data.is_empty() {
                return Ok(());
            }
            match data.iter().position(|byte| *byte == b'\n') {
                Some(at) => {
                    self.consume(at + 1);
                    self.forget_before();
                    return Ok(());
                }
                None => {
                    let length = data.len();
                    self.consume(length);
                    self.forget_before();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buffer_keeps_a_row_and_no_more() {
        let text = "x".repeat(10 * READ_SIZE) + "\nnext";
        let mut input = Input::new(text.as_bytes());
        input.skip_line().unwrap();
        assert_eq!(input.offset(), 10 * READ_SIZE as u64 + 1);
        assert!(input.buffer.len() <= 2 * READ_SIZE, "skipped bytes are not kept: {}", input.buffer.len());
        input.forget_before();
        let start = input.offset();
        while input.read_more().unwrap() {}
        input.consume(4);
        assert_eq!(input.since(start), b"next");
        input.rewind(start + 1);
        assert_eq!(input.data().unwrap(), b"ext");
    }
}
