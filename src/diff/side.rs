//! One side of a diff over one chunk of rows: each row's values read for
//! this side's policy, the rows evaluated many at a time by the compiled
//! lanes, and each outcome kept as exact values (no text) until the other
//! side's is ready. Never writes.

use std::ops::Range;

use rust_decimal::Decimal;

use crate::assign::Resolved;
use crate::batch::RowError;
use crate::batch::rows::{Cells, ColumnMap};
use crate::check::model::{CheckedPolicy, Value};
use crate::eval::compiled::{CompiledPolicy, Lanes, Leaf, Scratch};
use crate::eval::profile::FieldProblem;
use crate::eval::{EvalError, Profile};

/// One output value of an outcome, kept after the evaluator's buffers moved
/// on: texts and failed conditions in the side's arena.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kept {
    Null,
    Bool(bool),
    Number(Decimal),
    Date(jiff::civil::Date),
    Text(u32, u32),
    /// The names of the failed conditions, one a line.
    Failures(u32, u32),
}

/// Where a row of the chunk stands on this side.
#[derive(Debug, Clone)]
pub(super) enum Status {
    /// Read from line `.0`, not yet evaluated: its values follow those of the rows read before it.
    Read(u64),
    /// Evaluated: its values are readable row `values`, its outcome from `kept` on.
    Evaluated {
        values: usize,
        kept: usize,
    },
    Rejected(RowError),
}

/// One side's buffers, reused from chunk to chunk by one thread.
pub(super) struct SideRows {
    scratch: Scratch,
    lanes: Lanes,
    pub values: Vec<Option<Value>>,
    pub kept: Vec<Kept>,
    pub arena: String,
    pub status: Vec<Status>,
    problems: Vec<FieldProblem>,
    fields: usize,
}

impl SideRows {
    pub fn new(compiled: &CompiledPolicy<'_>) -> SideRows {
        SideRows {
            scratch: compiled.scratch(),
            lanes: compiled.lanes(),
            values: Vec::new(),
            kept: Vec::new(),
            arena: String::new(),
            status: Vec::new(),
            problems: Vec::new(),
            fields: compiled.policy().fields.len(),
        }
    }

    pub fn clear(&mut self) {
        self.values.clear();
        self.kept.clear();
        self.arena.clear();
        self.status.clear();
    }

    /// Reads one CSV row for this side.
    pub fn read_cells(
        &mut self,
        compiled: &CompiledPolicy<'_>,
        columns: &ColumnMap,
        assigned: &Resolved,
        record: &Cells<'_>,
        place: (u64, u64),
    ) {
        let read = self.read_with(compiled, assigned, place, |policy, values, problems| {
            columns.values(policy, record, values, problems)
        });
        if let Err(message) = read {
            self.status.push(Status::Rejected(unreadable(place, message)));
        }
    }

    /// Reads one row for this side: `fill` appends its values in field order
    /// and its problems (from a CSV row's cells, or an Arrow row's), then
    /// the values `--set` and `--draw` give are applied. `Err` from `fill`,
    /// its values dropped, is for the caller to report.
    pub fn read_with(
        &mut self,
        compiled: &CompiledPolicy<'_>,
        assigned: &Resolved,
        place: (u64, u64),
        fill: impl FnOnce(&CheckedPolicy, &mut Vec<Option<Value>>, &mut Vec<FieldProblem>) -> Result<(), String>,
    ) -> Result<(), String> {
        self.problems.clear();
        let start = self.values.len();
        if let Err(message) = fill(compiled.policy(), &mut self.values, &mut self.problems) {
            self.values.truncate(start);
            return Err(message);
        }
        if let Some(values) = self.values.get_mut(start..) {
            assigned.apply(place.0, values, &mut self.problems);
        }
        self.read(start, place);
        Ok(())
    }

    /// Reads one JSON Lines row for this side.
    pub fn read_document(
        &mut self,
        compiled: &CompiledPolicy<'_>,
        document: &serde_json::Map<String, serde_json::Value>,
        tolerated: &[String],
        place: (u64, u64),
    ) {
        let start = self.values.len();
        match Profile::from_document(compiled.policy(), document, tolerated) {
            Ok(profile) => {
                self.values.extend_from_slice(profile.values());
                self.problems.clear();
            }
            Err(problems) => self.problems = problems,
        }
        self.read(start, place);
    }

    /// A row that could not be split into cells or parsed.
    pub fn reject(&mut self, place: (u64, u64), field: Option<&str>, message: &str, help: Option<&str>) {
        let mut error = unreadable(place, message.to_owned());
        error.field = field.map(str::to_owned);
        error.help = help.map(str::to_owned);
        self.status.push(Status::Rejected(error));
    }

    /// A row whose values were appended from `start`: kept, or reported with its first problem.
    fn read(&mut self, start: usize, place: (u64, u64)) {
        match self.problems.first() {
            Some(problem) => {
                self.values.truncate(start);
                self.status.push(Status::Rejected(RowError {
                    row: place.0,
                    line: place.1,
                    field: Some(problem.field.clone()),
                    code: problem.code,
                    message: problem.message.clone(),
                    help: problem.help.clone(),
                }));
            }
            None => self.status.push(Status::Read(place.1)),
        }
    }

    /// Evaluates every row read, many at a time, and keeps each outcome's leaves.
    pub fn evaluate(&mut self, compiled: &CompiledPolicy<'_>, on: jiff::civil::Date, leaves: usize, first_row: u64) {
        let fields = self.fields;
        let SideRows { scratch, lanes, values, kept, arena, status, .. } = self;
        let rows: Vec<&[Option<Value>]> = (0..values.len() / fields.max(1))
            .map(|row| values.get(row * fields..(row + 1) * fields).unwrap_or(&[]))
            .collect();
        // Each readable row's place in the chunk, in order.
        let places: Vec<(usize, u64)> = status
            .iter()
            .enumerate()
            .filter_map(|(place, status)| match status {
                Status::Read(line) => Some((place, *line)),
                Status::Evaluated { .. } | Status::Rejected(_) => None,
            })
            .collect();
        compiled.evaluate_each(&rows, on, lanes, scratch, |position, outcome| {
            let (Some(&(place, line)), Some(row_values)) = (places.get(position), rows.get(position)) else { return };
            let Some(slot) = status.get_mut(place) else { return };
            *slot = match outcome {
                Ok(outcome) => {
                    let first = kept.len();
                    let read = (0..leaves).try_for_each(|index| {
                        kept.push(keep(compiled.leaf(outcome, row_values, index)?, arena));
                        Ok(())
                    });
                    match read {
                        Ok(()) => Status::Evaluated { values: position, kept: first },
                        Err(error) => {
                            kept.truncate(first);
                            rejected(first_row + place as u64, line, &error)
                        }
                    }
                }
                Err(error) => rejected(first_row + place as u64, line, &error),
            };
        });
    }

    /// The values and outcome of a row evaluated.
    pub fn outcome(&self, place: usize, leaves: usize) -> Option<(&[Option<Value>], &[Kept])> {
        match self.status.get(place)? {
            Status::Evaluated { values, kept } => Some((
                self.values.get(values * self.fields..(values + 1) * self.fields)?,
                self.kept.get(*kept..kept + leaves)?,
            )),
            Status::Read(_) | Status::Rejected(_) => None,
        }
    }

    pub fn rejected(&self, place: usize) -> Option<&RowError> {
        match self.status.get(place)? {
            Status::Rejected(error) => Some(error),
            Status::Read(_) | Status::Evaluated { .. } => None,
        }
    }
}

/// A row whose evaluation failed, as reported.
fn rejected(row: u64, line: u64, error: &EvalError) -> Status {
    Status::Rejected(RowError::from_eval(row, line, error))
}

fn unreadable(place: (u64, u64), message: String) -> RowError {
    RowError { row: place.0, line: place.1, field: None, code: crate::eval::profile::UNREADABLE, message, help: None }
}

fn stored(arena: &mut String, text: &str) -> Range<u32> {
    let start = arena.len() as u32;
    arena.push_str(text);
    start..arena.len() as u32
}

fn keep(leaf: Leaf<'_>, arena: &mut String) -> Kept {
    match leaf {
        Leaf::Null => Kept::Null,
        Leaf::Bool(value) => Kept::Bool(value),
        Leaf::Number(value, _) => Kept::Number(value),
        Leaf::Date(date) => Kept::Date(date),
        Leaf::Text(text) | Leaf::Enum(text) => {
            let range = stored(arena, text);
            Kept::Text(range.start, range.end)
        }
        Leaf::Failures(names) => {
            let start = arena.len() as u32;
            for (position, condition) in names.iter().enumerate() {
                if position > 0 {
                    arena.push('\n');
                }
                arena.push_str(&condition.name);
            }
            Kept::Failures(start, arena.len() as u32)
        }
    }
}
