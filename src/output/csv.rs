//! The CSV form of compiled outcomes, one row per profile: columns `row`,
//! `name`, one per output value by its dotted path, then `certainty.<output>`
//! for each declared output. Nulls are empty cells, failed conditions their
//! names joined by `;`, decimals in the fixed form of [`super::write_decimal`].
//! Writes into a caller's buffer; never computes or rounds.

use std::fmt::Write as _;

use super::write_decimal;
use crate::check::model::Value;
use crate::eval::EvalError;
use crate::eval::compiled::{CompiledPolicy, Evaluated, Leaf};

/// The header row, ending with a newline.
pub fn header(compiled: &CompiledPolicy<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(b"row,name");
    for path in compiled.leaf_paths() {
        out.push(b',');
        field(out, path);
    }
    for name in compiled.output_names() {
        out.extend_from_slice(b",certainty.");
        field(out, name);
    }
    out.push(b'\n');
}

/// One profile's row, ending with a newline; on an internal error, nothing
/// is left of it in `out`.
pub fn row(
    compiled: &CompiledPolicy<'_>,
    outcome: Evaluated<'_>,
    values: &[Option<Value>],
    row: u64,
    name: Option<&str>,
    out: &mut Vec<u8>,
) -> Result<(), EvalError> {
    let start = out.len();
    let mut text = Text(out);
    let _ = write!(text, "{row},");
    field(text.0, name.unwrap_or(""));
    for (index, _) in compiled.leaf_paths().enumerate() {
        text.0.push(b',');
        let leaf = match compiled.leaf(outcome, values, index) {
            Ok(leaf) => leaf,
            Err(error) => {
                text.0.truncate(start);
                return Err(error);
            }
        };
        match leaf {
            Leaf::Null => {}
            Leaf::Bool(value) => text.0.extend_from_slice(if value { b"true" } else { b"false" }),
            Leaf::Number(value, ty) => {
                let _ = write_decimal(&mut text, value, ty);
            }
            Leaf::Date(date) => {
                let _ = write!(text, "{date}");
            }
            Leaf::Text(value) | Leaf::Enum(value) => field(text.0, value),
            Leaf::Failures(names) => {
                for (position, failure) in names.iter().enumerate() {
                    if position > 0 {
                        text.0.push(b';');
                    }
                    field(text.0, &failure.name);
                }
            }
        }
    }
    for (index, _) in compiled.output_names().enumerate() {
        text.0.push(b',');
        text.0.extend_from_slice(compiled.certainty(outcome, index).word().as_bytes());
    }
    text.0.push(b'\n');
    Ok(())
}

/// A cell, quoted only when it must be (RFC 4180).
pub fn field(out: &mut Vec<u8>, value: &str) {
    if !value.bytes().any(|byte| matches!(byte, b',' | b'"' | b'\n' | b'\r')) {
        out.extend_from_slice(value.as_bytes());
        return;
    }
    out.push(b'"');
    for byte in value.bytes() {
        if byte == b'"' {
            out.push(b'"');
        }
        out.push(byte);
    }
    out.push(b'"');
}

/// `fmt::Write` into a byte buffer, so numbers are formatted without a `String`.
struct Text<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Text<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.0.extend_from_slice(text.as_bytes());
        Ok(())
    }
}
