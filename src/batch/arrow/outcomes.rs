//! A chunk's outcomes appended straight into the typed columns of
//! [`super::outcome_schema`], leaf by leaf, as the CSV writer writes them:
//! a number at its column's scale, exactly, or its row refused; a date as
//! its day; an empty text as a null, as an empty CSV cell reads. Never
//! evaluates and never rounds.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};

use super::sink::{Builder, Cell, mantissa_at};
use super::{INEXACT, days_from_civil, outcome_schema};
use crate::batch::RowError;
use crate::check::model::Value;
use crate::eval::compiled::{CompiledPolicy, Evaluated, Leaf};

/// One worker's builders of outcome columns, emptied into a batch per chunk.
pub(crate) struct OutcomeColumns {
    schema: SchemaRef,
    builders: Vec<Builder>,
    /// One row's cells, kept until every one of them is known to fit its column.
    cells: Vec<Cell>,
    /// The texts of the row's cells, which `cells` point into.
    texts: String,
    leaves: usize,
    outputs: usize,
}

impl OutcomeColumns {
    pub(crate) fn new(compiled: &CompiledPolicy<'_>) -> Self {
        let schema = outcome_schema(compiled);
        let builders = schema.fields().iter().map(|field| Builder::new(field.data_type())).collect();
        let (leaves, outputs) = (compiled.leaf_paths().count(), compiled.output_names().count());
        OutcomeColumns { schema, builders, cells: Vec::new(), texts: String::new(), leaves, outputs }
    }

    /// Appends one row's outcome; or, if a number is finer than its column
    /// or a leaf cannot be read, nothing, and why ([`INEXACT`] or the
    /// internal error; its line left for the caller).
    pub(crate) fn append(
        &mut self,
        compiled: &CompiledPolicy<'_>,
        outcome: Evaluated<'_>,
        values: &[Option<Value>],
        row: u64,
        name: Option<&str>,
    ) -> Result<(), RowError> {
        self.cells.clear();
        self.texts.clear();
        self.cells.push(Cell::Unsigned(row));
        let name = text(&mut self.texts, name.unwrap_or_default());
        self.cells.push(name);
        for index in 0..self.leaves {
            // The builders are the schema's: `row`, `name`, then one per leaf.
            let column = index + 2;
            let leaf = compiled.leaf(outcome, values, index).map_err(|error| RowError::from_eval(row, row, &error))?;
            let cell = match leaf {
                Leaf::Null => Cell::Null,
                Leaf::Bool(value) => Cell::Bool(value),
                Leaf::Number(value, _) => {
                    let scale = self.builders.get(column).and_then(Builder::scale).unwrap_or(0);
                    match mantissa_at(value, scale) {
                        Ok(mantissa) => Cell::Decimal(mantissa),
                        Err(message) => return Err(self.inexact(column, row, message)),
                    }
                }
                Leaf::Date(date) => {
                    let days = days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day()));
                    // Any date jiff holds is within 32 bits of days; were one not, its row is refused, not emptied.
                    match i32::try_from(days) {
                        Ok(days) => Cell::Date(days),
                        Err(_) => return Err(self.inexact(column, row, format!("{date} is beyond a `date32` column"))),
                    }
                }
                Leaf::Text(value) | Leaf::Enum(value) => text(&mut self.texts, value),
                Leaf::Failures(names) => {
                    let start = self.texts.len();
                    for (position, failure) in names.iter().enumerate() {
                        if position > 0 {
                            self.texts.push(';');
                        }
                        self.texts.push_str(&failure.name);
                    }
                    if self.texts.len() == start { Cell::Null } else { Cell::Text(start..self.texts.len()) }
                }
            };
            self.cells.push(cell);
        }
        for index in 0..self.outputs {
            let word = compiled.certainty(outcome, index).word();
            let cell = text(&mut self.texts, word);
            self.cells.push(cell);
        }
        for (builder, cell) in self.builders.iter_mut().zip(self.cells.drain(..)) {
            builder.append(cell, &self.texts);
        }
        Ok(())
    }

    fn inexact(&self, column: usize, row: u64, message: String) -> RowError {
        RowError {
            row,
            line: row,
            field: self.schema.fields().get(column).map(|field| field.name().clone()),
            code: INEXACT,
            message,
            help: Some("the value is exact in the CSV output (`--out x.csv`)".to_owned()),
        }
    }

    /// The rows appended since the last batch, as a batch; the builders are emptied.
    pub(crate) fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let columns = self.builders.iter_mut().map(Builder::finish).collect();
        RecordBatch::try_new(Arc::clone(&self.schema), columns)
    }
}

/// A text cell, its text appended to `texts`; an empty text is a null, as
/// an empty CSV cell is.
fn text(texts: &mut String, value: &str) -> Cell {
    if value.is_empty() {
        return Cell::Null;
    }
    let start = texts.len();
    texts.push_str(value);
    Cell::Text(start..texts.len())
}
