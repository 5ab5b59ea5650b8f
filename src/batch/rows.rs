//! Rows of a population → validated profile values: a CSV file's columns
//! mapped once to the policy's fields, each cell typed by the same function
//! that types a profile file's field; a JSON Lines row validated as a profile
//! document is. Never evaluates and never writes.

use crate::check::model::{CheckedPolicy, Value};
use crate::eval::Profile;
use crate::eval::profile::{
    FieldProblem, PROFILE_META_KEYS, RawValue, UNKNOWN_FIELD, field_value, strip_position, unknown_field,
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
                None => {
                    problems.push(RowError::from_problem(0, 1, unknown_field(policy, title)));
                    continue;
                }
            };
            match slot {
                Some(slot @ None) => *slot = Some(column),
                _ => problems.push(RowError {
                    row: 0,
                    line: 1,
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
        record: &csv::StringRecord,
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

    /// The row's `name` cell, if the file has that column.
    pub(crate) fn name<'r>(&self, record: &'r csv::StringRecord) -> Option<&'r str> {
        self.name_column.and_then(|column| record.get(column))
    }
}

/// One JSON Lines row, validated as a profile file's document is.
pub(crate) fn json_line(
    policy: &CheckedPolicy,
    line: &[u8],
    tolerated: &[String],
    assign: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>),
) -> Result<Profile, Result<Vec<FieldProblem>, String>> {
    let mut document = json_document(line).map_err(Err)?;
    assign(&mut document);
    Profile::from_document(policy, &document, tolerated).map_err(Ok)
}

/// One JSON Lines row read as a document of fields, or why it is not one.
pub(crate) fn json_document(line: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let document: serde_json::Value = serde_json::from_slice(line)
        .map_err(|error| format!("not valid JSON: {}", strip_position(&error.to_string())))?;
    match document {
        serde_json::Value::Object(document) => Ok(document),
        _ => Err("a profile is a JSON object of fields, `{\"name\": value}`".to_owned()),
    }
}
