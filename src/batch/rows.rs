//! Rows of a population → validated profile values: a CSV file's columns
//! mapped once to the policy's fields, each cell typed by the same function
//! that types a profile file's field; a JSON Lines row validated as a profile
//! document is. Never evaluates and never writes.

use crate::check::model::{CheckedPolicy, Value};
use crate::eval::Profile;
use crate::eval::profile::{
    FieldProblem, Fields, PROFILE_META_KEYS, RawValue, UNKNOWN_FIELD, field_value, strip_position, unknown_field,
};

use super::RowError;

/// Where each declared field, and the profile's name, is in a CSV file's rows.
#[derive(Debug)]
pub(crate) struct ColumnMap {
    /// By field order: the column holding it, if the file has one.
    field_columns: Vec<Option<usize>>,
    name_column: Option<usize>,
    width: usize,
}

impl ColumnMap {
    /// Reads the header row; an unknown or repeated column rejects the whole file.
    pub(crate) fn new(
        policy: &CheckedPolicy,
        header: &[&str],
        tolerated: &[String],
        line: u64,
    ) -> Result<ColumnMap, Vec<RowError>> {
        let mut field_columns = vec![None; policy.fields.len()];
        let mut name_column = None;
        let mut problems = Vec::new();
        for (column, title) in header.iter().enumerate() {
            let title = title.trim_start_matches('\u{feff}');
            let slot = match policy.field(title) {
                Some((id, _)) => field_columns.get_mut(id.index()),
                // A population names its rows by `id` or by `name`, whichever comes first.
                None if (title == "name" || title == "id") && name_column.is_none() => Some(&mut name_column),
                None if PROFILE_META_KEYS.contains(&title) || tolerated.iter().any(|field| field == title) => continue,
                None if title.trim().is_empty() => {
                    let place = if column + 1 == header.len() { " (a comma at the end of the line?)" } else { "" };
                    problems.push(RowError {
                        row: 0,
                        line,
                        field: None,
                        code: UNKNOWN_FIELD,
                        message: format!("column {} has no name{place}", column + 1),
                        help: Some("name each column after a field of the policy, or remove the column".to_owned()),
                    });
                    continue;
                }
                None => {
                    problems.push(RowError::from_problem(0, line, unknown_field(policy, title)));
                    continue;
                }
            };
            match slot {
                Some(slot @ None) => *slot = Some(column),
                _ => problems.push(RowError {
                    row: 0,
                    line,
                    field: Some(title.to_owned()),
                    code: UNKNOWN_FIELD,
                    message: format!("the column `{title}` is given twice"),
                    help: Some("keep one column per field".to_owned()),
                }),
            }
        }
        if problems.is_empty() {
            Ok(ColumnMap { field_columns, name_column, width: header.len() })
        } else {
            Err(problems)
        }
    }

    /// One row's values, in field order, appended to `values`; every
    /// problem of the row, as [`Profile::validate`] would give it.
    pub(crate) fn values(
        &self,
        policy: &CheckedPolicy,
        record: &Cells<'_>,
        values: &mut Vec<Option<Value>>,
        problems: &mut Vec<FieldProblem>,
    ) -> Result<(), String> {
        if record.len() != self.width {
            return Err(format!("the row has {} cell(s), the header {}", record.len(), self.width));
        }
        for (field, column) in policy.fields.iter().zip(&self.field_columns) {
            let cell = column.and_then(|column| record.get(column)).map(RawValue::Cell);
            match field_value(policy, field, cell) {
                Ok(value) => values.push(value),
                Err(problem) => {
                    problems.push(problem);
                    values.push(None);
                }
            }
        }
        Ok(())
    }

    /// By field order: the column holding it, if the population has one.
    pub(crate) fn field_columns(&self) -> &[Option<usize>] {
        &self.field_columns
    }

    /// The column that names the rows, if there is one.
    pub(crate) fn name_column(&self) -> Option<usize> {
        self.name_column
    }

    /// The row's `name` cell, if the file has that column.
    pub(crate) fn name<'r>(&self, record: &Cells<'r>) -> Option<&'r str> {
        self.name_column.and_then(|column| record.get(column))
    }
}

/// A CSV row's cells, as text.
pub(crate) struct Cells<'r> {
    text: &'r str,
    /// Where each cell ends in `text`; a row wider than the header may have
    /// more cells than `ends` holds.
    ends: &'r [usize],
    count: usize,
}

impl<'r> Cells<'r> {
    /// The cells of a row as read; `Err` with the cell (from 1) that is not UTF-8.
    pub(crate) fn new(text: &'r [u8], ends: &'r [usize], count: usize) -> Result<Cells<'r>, usize> {
        let cell_at = |byte: usize| ends.iter().position(|end| *end > byte).unwrap_or(ends.len()) + 1;
        let text = std::str::from_utf8(text).map_err(|error| cell_at(error.valid_up_to()))?;
        // Each cell must be text by itself, not only all of them together.
        if let Some(cell) = ends.iter().position(|end| !text.is_char_boundary(*end)) {
            return Err(cell + 1);
        }
        Ok(Cells { text, ends, count })
    }

    pub(crate) fn len(&self) -> usize {
        self.count
    }

    pub(crate) fn get(&self, cell: usize) -> Option<&'r str> {
        let end = *self.ends.get(cell)?;
        let start = match cell.checked_sub(1) {
            Some(before) => *self.ends.get(before)?,
            None => 0,
        };
        self.text.get(start..end)
    }
}

/// Why a JSON Lines row could not be read as a profile.
pub(crate) struct Unreadable {
    pub field: Option<String>,
    pub message: String,
    pub help: Option<String>,
}

impl Unreadable {
    fn new(message: String, help: Option<&str>) -> Unreadable {
        Unreadable { field: None, message, help: help.map(str::to_owned) }
    }
}

/// One JSON Lines row, validated as a profile file's document is: a field
/// given twice is refused, as it is in a `.json` profile. `assign` may set
/// fields of the document (the command line's `--set`, `--draw`) before it is typed.
pub(crate) fn json_line(
    policy: &CheckedPolicy,
    line: &[u8],
    tolerated: &[String],
    assign: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>),
) -> Result<Profile, Result<Vec<FieldProblem>, Unreadable>> {
    let mut document = json_document(line).map_err(Err)?;
    assign(&mut document);
    Profile::from_document(policy, &document, tolerated).map_err(Ok)
}

/// One JSON Lines row read as a document of fields, or why it is not one:
/// anything but an object is refused, and so is a field given twice.
pub(crate) fn json_document(line: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, Unreadable> {
    // Anything but an object is refused; the parser still says where the line is not JSON.
    if line.iter().find(|byte| !byte.is_ascii_whitespace()) != Some(&b'{') {
        serde_json::from_slice::<serde::de::IgnoredAny>(line).map_err(|error| not_json(line, &error))?;
        let message = "a profile is a JSON object of fields, `{\"name\": value}`".to_owned();
        return Err(Unreadable::new(message, None));
    }
    let Fields(fields) = serde_json::from_slice(line).map_err(|error| not_json(line, &error))?;
    let mut document = serde_json::Map::new();
    for (key, value) in fields {
        // A JSON parser keeps the last of two equal keys: a value would be lost unseen.
        if document.contains_key(&key) {
            return Err(Unreadable {
                message: format!("the field `{key}` is given twice"),
                field: Some(key),
                help: Some("give each field once".to_owned()),
            });
        }
        document.insert(key, value);
    }
    Ok(document)
}

/// What the JSON parser said, in plain words and with the column.
fn not_json(line: &[u8], error: &serde_json::Error) -> Unreadable {
    if line.starts_with(b"\xef\xbb\xbf") {
        let message = "the line starts with a byte-order mark (U+FEFF), allowed on the first line only".to_owned();
        return Unreadable::new(message, Some("remove the invisible mark; joined files bring one each"));
    }
    let message = strip_position(&error.to_string());
    Unreadable::new(format!("not valid JSON at column {}: {message}", error.column()), None)
}
