//! A chunk's outcomes appended straight into the typed columns of
//! [`super::outcome_schema`], leaf by leaf, as the CSV writer writes them:
//! a number at its column's scale, exactly, or its row refused; a date as
//! its day; an empty text as a null, as an empty CSV cell reads. Never
//! evaluates and never rounds.

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;

use super::columns::{Cell, Columns, Refused, Row};
use super::{inexact, outcome_schema};
use crate::batch::RowError;
use crate::check::model::Value;
use crate::eval::compiled::{CompiledPolicy, Evaluated, LaneRun, Leaf};

/// One worker's outcome columns, emptied into a batch per chunk.
pub(crate) struct OutcomeColumns {
    columns: Columns,
    /// A row's failed conditions, joined, before they are pushed.
    failures: String,
    shape: Shape,
}

/// How many leaves and outputs an outcome has.
struct Shape {
    leaves: usize,
    outputs: usize,
}

impl OutcomeColumns {
    pub(crate) fn new(compiled: &CompiledPolicy<'_>) -> Self {
        let columns = Columns::new(outcome_schema(compiled));
        let (leaves, outputs) = (compiled.leaf_paths().count(), compiled.output_names().count());
        OutcomeColumns { columns, failures: String::new(), shape: Shape { leaves, outputs } }
    }

    /// Appends one row's outcome; or, if a number is finer than its column
    /// or a leaf cannot be read, nothing, and why ([`super::INEXACT`] or the
    /// internal error; its line left for the caller).
    pub(crate) fn append(
        &mut self,
        compiled: &CompiledPolicy<'_>,
        outcome: Evaluated<'_>,
        values: &[Option<Value>],
        row: u64,
        name: Option<&str>,
    ) -> Result<(), RowError> {
        let stop = {
            let mut cells = self.columns.row();
            match self.shape.push(&mut cells, &mut self.failures, compiled, outcome, values, row, name) {
                Ok(()) => match cells.keep() {
                    Ok(()) => return Ok(()),
                    Err(refused) => Stop::Refused(refused),
                },
                // The cells pushed are taken back as `cells` goes.
                Err(stop) => stop,
            }
        };
        Err(match stop {
            Stop::Row(error) => error,
            Stop::Refused((column, Refused::Inexact(message))) => {
                inexact(row, row, self.columns.name(column), message, "output")
            }
            Stop::Refused((_, Refused::Kind)) => {
                RowError::from_eval(row, row, &compiled.broken("an outcome's leaves do not match its columns"))
            }
        })
    }

    /// Appends the outcomes of a run of profiles the lanes computed, a
    /// column at a time: what [`OutcomeColumns::append`] gives each, when
    /// every one is kept. `false`, and nothing appended, if a row would be
    /// refused: the caller then appends them one by one, for the rows
    /// refused to be reported as `append` reports them. `values` and
    /// `place` give a profile's values, and its row and name, by its position.
    pub(crate) fn append_run<'a>(
        &mut self,
        compiled: &'a CompiledPolicy<'_>,
        run: &LaneRun<'a>,
        values: impl Fn(usize) -> &'a [Option<Value>],
        place: impl Fn(usize) -> (u64, Option<&'a str>),
    ) -> bool {
        let mut block = self.columns.block(run.positions().len());
        let filled = (|| {
            let column = block.column()?;
            run.positions().all(|position| column.push(Cell::Unsigned(place(position).0)).is_ok()).then_some(())?;
            let column = block.column()?;
            let named = |position| place(position).1.map_or(Cell::Null, Cell::Text);
            run.positions().all(|position| column.push(named(position)).is_ok()).then_some(())?;
            for index in 0..self.shape.leaves {
                let column = block.column()?;
                for leaf in compiled.leaf_run(run, index, &values) {
                    column.push(cell(leaf?, &mut self.failures)).ok()?;
                }
            }
            for index in 0..self.shape.outputs {
                let column = block.column()?;
                for sure in compiled.certainty_run(run, index) {
                    column.push(Cell::Text(sure.word())).ok()?;
                }
            }
            Some(())
        })();
        filled.is_some() && block.keep()
    }

    /// The rows appended since the last batch, as a batch; the columns start again, empty.
    pub(crate) fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        self.columns.finish()
    }
}

impl Shape {
    /// Pushes one row's cells, in the schema's order: `row`, `name`, one per
    /// leaf, one per output's certainty.
    #[expect(clippy::too_many_arguments, reason = "the row's outcome, where it goes, and a buffer reused across rows")]
    fn push(
        &self,
        cells: &mut Row<'_>,
        failures: &mut String,
        compiled: &CompiledPolicy<'_>,
        outcome: Evaluated<'_>,
        values: &[Option<Value>],
        row: u64,
        name: Option<&str>,
    ) -> Result<(), Stop> {
        cells.push(Cell::Unsigned(row)).map_err(Stop::Refused)?;
        cells.push(name.map_or(Cell::Null, Cell::Text)).map_err(Stop::Refused)?;
        for index in 0..self.leaves {
            let leaf = compiled
                .leaf(outcome, values, index)
                .map_err(|error| Stop::Row(RowError::from_eval(row, row, &error)))?;
            cells.push(cell(leaf, failures)).map_err(Stop::Refused)?;
        }
        for index in 0..self.outputs {
            cells.push(Cell::Text(compiled.certainty(outcome, index).word())).map_err(Stop::Refused)?;
        }
        Ok(())
    }
}

/// A leaf as a cell; failed conditions joined by `;` into `failures`, as the CSV writes them.
#[inline(always)]
fn cell<'a>(leaf: Leaf<'a>, failures: &'a mut String) -> Cell<'a> {
    match leaf {
        Leaf::Null => Cell::Null,
        Leaf::Bool(value) => Cell::Bool(value),
        Leaf::Number(value, _) => Cell::Decimal(value),
        Leaf::Date(date) => Cell::Date(date),
        Leaf::Text(value) | Leaf::Enum(value) => Cell::Text(value),
        Leaf::Failures(names) => {
            failures.clear();
            for (position, failure) in names.iter().enumerate() {
                if position > 0 {
                    failures.push(';');
                }
                failures.push_str(&failure.name);
            }
            Cell::Text(failures)
        }
    }
}

/// Why a row's outcome was not kept.
enum Stop {
    /// A column (by its index) refused its cell.
    Refused((usize, Refused)),
    /// A leaf could not be read.
    Row(RowError),
}
