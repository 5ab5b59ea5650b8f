//! One thread's work on a chunk of a population: its rows read into the
//! policy's values (CSV cells, JSON lines, or Arrow cells), those that read
//! well evaluated many at a time, their outcomes written (as text, or into
//! typed columns) and the others reported. Never reads the input or writes
//! the output itself: the engine in [`super`] hands chunks in and out.

use std::sync::Mutex;

use arrow_array::RecordBatch;

use super::rows::{self, Cells, ColumnMap};
use super::source::Chunk;
use super::{Format, Options, RowError, arrow};
use crate::check::model::Value;
use crate::eval::EvalError;
use crate::eval::compiled::{CompiledPolicy, Evaluated, Lanes, Run, Scratch};
use crate::eval::profile::{FieldProblem, UNREADABLE};
use crate::output::{self, Subject};

/// One thread's reusable buffers.
pub(super) struct Worker {
    scratch: Scratch,
    lanes: Lanes,
    /// The values of the chunk's rows that read well, one row after another.
    values: Vec<Option<Value>>,
    /// Per row read well: where it is, its name (a range of `names`).
    readable: Vec<(Place, Option<std::ops::Range<usize>>)>,
    names: String,
    problems: Vec<FieldProblem>,
    /// A cell's CSV text, where an Arrow cell is read through it.
    cell: String,
    /// The outcomes of a chunk as typed columns, for Arrow batches out.
    typed: Option<arrow::OutcomeColumns>,
}

/// Workers between waves: a wave's threads borrow them and give them back,
/// so that their buffers, grown to a chunk's size, are not made again for each wave.
#[derive(Default)]
pub(super) struct Idle(Mutex<Vec<Worker>>);

impl Idle {
    /// An idle worker, or a new one made by `new`; given back when the loan is dropped.
    pub(super) fn lend(&self, new: impl FnOnce() -> Worker) -> Lent<'_> {
        let idle = self.0.lock().ok().and_then(|mut idle| idle.pop());
        Lent { worker: Some(idle.unwrap_or_else(new)), idle: self }
    }
}

/// A worker borrowed from [`Idle`] for one thread's share of a wave.
pub(super) struct Lent<'i> {
    worker: Option<Worker>,
    idle: &'i Idle,
}

impl Lent<'_> {
    /// The worker, held from the loan until it is dropped.
    pub(super) fn worker(&mut self) -> Option<&mut Worker> {
        self.worker.as_mut()
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let (Some(worker), Ok(mut idle)) = (self.worker.take(), self.idle.0.lock()) {
            idle.push(worker);
        }
    }
}

/// Where the row being evaluated is, for its error report and its output.
#[derive(Clone, Copy)]
struct Place {
    row: u64,
    line: u64,
}

impl Worker {
    pub(super) fn new(compiled: &CompiledPolicy<'_>, typed: bool) -> Self {
        Worker {
            scratch: compiled.scratch(),
            lanes: compiled.lanes(),
            values: Vec::new(),
            readable: Vec::new(),
            names: String::new(),
            problems: Vec::new(),
            cell: String::new(),
            typed: typed.then(|| arrow::OutcomeColumns::new(compiled)),
        }
    }

    /// Reads every row of a chunk, then evaluates those that read well, many
    /// at a time, and writes their outcomes; the others are reported, in row order.
    pub(super) fn evaluate(
        &mut self,
        compiled: &CompiledPolicy<'_>,
        columns: Option<&ColumnMap>,
        options: &Options,
        chunk: &mut Chunk,
    ) {
        chunk.out.clear();
        chunk.errors.clear();
        chunk.errors_rows = 0;
        chunk.failure = None;
        chunk.outcomes = None;
        self.values.clear();
        self.readable.clear();
        self.names.clear();
        match (chunk.batch.clone(), columns) {
            (Some(batch), Some(columns)) => {
                if let Err(failure) = self.read_arrow(compiled, columns, options, chunk, &batch) {
                    chunk.failure = Some(failure);
                    return;
                }
            }
            _ => {
                for position in 0..chunk.rows.len() {
                    self.read(compiled, columns, options, chunk, position);
                }
            }
        }
        let fields = compiled.policy().fields.len();
        let rows: Vec<&[Option<Value>]> = (0..self.readable.len())
            .map(|row| self.values.get(row * fields..(row + 1) * fields).unwrap_or(&[]))
            .collect();
        let (readable, names, typed) = (&self.readable, &self.names, &mut self.typed);
        let name = |position: usize| -> Option<&str> {
            readable.get(position).and_then(|(_, name)| name.clone()).and_then(|range| names.get(range))
        };
        let mut one =
            |typed: &mut Option<arrow::OutcomeColumns>, position: usize, outcome: Result<Evaluated<'_>, _>| {
                let (Some((place, _)), Some(values)) = (readable.get(position), rows.get(position)) else { return };
                let name = name(position);
                // A row whose outcome cannot be written whole is rejected, not written in part.
                let written =
                    outcome.map_err(|error| RowError::from_eval(place.row, place.line, &error)).and_then(|outcome| {
                        match typed {
                            Some(typed) => typed.append(compiled, outcome, values, place.row, name),
                            None => write(compiled, options, chunk, outcome, values, *place, name)
                                .map_err(|error| RowError::from_eval(place.row, place.line, &error)),
                        }
                    });
                if let Err(rejected) = written {
                    chunk.reject(RowError { row: place.row, line: place.line, ..rejected });
                }
            };
        compiled.evaluate_runs(&rows, options.on, &mut self.lanes, &mut self.scratch, |run| match run {
            Run::Lanes(run) => {
                // Typed columns take a run's outcomes a column at a time; a
                // run with a row they refuse, and text, a row at a time.
                let values = |position: usize| rows.get(position).copied().unwrap_or(&[]);
                let place =
                    |position: usize| (readable.get(position).map_or(0, |(place, _)| place.row), name(position));
                let appended = typed.as_mut().is_some_and(|typed| typed.append_run(compiled, &run, values, place));
                if !appended {
                    run.outcomes().for_each(|(position, outcome)| one(typed, position, Ok(outcome)));
                }
            }
            Run::Alone(position, outcome) => one(typed, position, outcome),
        });
        // Rows that did not read are reported as they are read, rows that did not evaluate after.
        chunk.errors.sort_by_key(|error| error.row);
        if let Some(typed) = &mut self.typed {
            match typed.finish() {
                Ok(batch) => chunk.outcomes = Some(batch),
                Err(error) => chunk.failure = Some(error.to_string()),
            }
        }
    }

    /// Reads every row of a chunk that is a slice of Arrow columns, each
    /// cell straight to its field's value where that is exact (see
    /// [`arrow::Cells`]); `Err` for a cell that has no value at all.
    fn read_arrow(
        &mut self,
        compiled: &CompiledPolicy<'_>,
        columns: &ColumnMap,
        options: &Options,
        chunk: &mut Chunk,
        batch: &RecordBatch,
    ) -> Result<(), String> {
        let policy = compiled.policy();
        let mut cells = arrow::Cells::of(batch)?;
        let mut rejected = Rejected { errors: &mut chunk.errors, rows: &mut chunk.errors_rows };
        for position in 0..batch.num_rows() {
            let row = chunk.first_row + position as u64;
            // Numbered as the same table written as CSV would be: its header is line 1.
            let place = Place { row, line: row + 1 };
            self.problems.clear();
            let start = self.values.len();
            cells.values(policy, columns, position, row, &mut self.values, &mut self.problems, &mut self.cell)?;
            if let Some(values) = self.values.get_mut(start..) {
                options.assigned.apply(row, values, &mut self.problems);
            }
            self.cell.clear();
            let named = cells.name(columns, position, row, &mut self.cell)?;
            let name = std::mem::take(&mut self.cell);
            self.readable(&mut rejected, place, named.then_some(name.as_str()), start);
            self.cell = name;
        }
        Ok(())
    }

    /// Reads row `position` of a chunk: its values appended to the others',
    /// or its problems reported.
    fn read(
        &mut self,
        compiled: &CompiledPolicy<'_>,
        columns: Option<&ColumnMap>,
        options: &Options,
        chunk: &mut Chunk,
        position: usize,
    ) {
        let policy = compiled.policy();
        let row = chunk.first_row + position as u64;
        self.problems.clear();
        let start = self.values.len();
        let Chunk { rows, text, ends, errors, errors_rows, .. } = chunk;
        let mut rejected = Rejected { errors, rows: errors_rows };
        let Some(read) = rows.get(position) else { return };
        let place = Place { row, line: read.line };
        if let Some(refusal) = &read.refused {
            rejected.unreadable(place, refusal.message.clone(), refusal.help.clone());
            return;
        }
        let row_text = text.get(read.text.clone()).unwrap_or_default();
        if let Some(columns) = columns {
            let cells = match Cells::new(row_text, ends.get(read.ends.clone()).unwrap_or_default(), read.cells) {
                Ok(cells) => cells,
                Err(cell) => return rejected.unreadable(place, format!("cell {cell} is not valid UTF-8"), None),
            };
            match columns.values(policy, &cells, &mut self.values, &mut self.problems) {
                Ok(()) => {
                    if let Some(values) = self.values.get_mut(start..) {
                        options.assigned.apply(row, values, &mut self.problems);
                    }
                    self.readable(&mut rejected, place, columns.name(&cells), start)
                }
                Err(message) => {
                    self.values.truncate(start);
                    rejected.unreadable(place, message, None);
                }
            }
            return;
        }
        match rows::json_line(policy, row_text, &options.tolerated, |document| {
            options.assigned.apply_json(row, document)
        }) {
            Ok(profile) => {
                self.values.extend_from_slice(profile.values());
                self.readable(&mut rejected, place, profile.name.as_deref(), start);
            }
            Err(Ok(problems)) => {
                self.problems = problems;
                self.readable(&mut rejected, place, None, start);
            }
            Err(Err(unreadable)) => rejected.reject(RowError {
                row: place.row,
                line: place.line,
                field: unreadable.field,
                code: UNREADABLE,
                message: unreadable.message,
                help: unreadable.help,
            }),
        }
    }

    /// A row whose values were appended from `start`: kept for evaluation,
    /// or, if it has problems, reported and its values dropped.
    fn readable(&mut self, rejected: &mut Rejected<'_>, place: Place, name: Option<&str>, start: usize) {
        if !self.problems.is_empty() {
            self.values.truncate(start);
            let Place { row, line } = place;
            rejected.errors.extend(self.problems.drain(..).map(|problem| RowError::from_problem(row, line, problem)));
            *rejected.rows += 1;
            return;
        }
        let name = name.map(|name| {
            let first = self.names.len();
            self.names.push_str(name);
            first..self.names.len()
        });
        self.readable.push((place, name));
    }
}

/// A chunk's report of rejected rows, borrowed apart from its rows' text.
struct Rejected<'c> {
    errors: &'c mut Vec<RowError>,
    rows: &'c mut u64,
}

impl Rejected<'_> {
    /// A row rejected for one reason.
    fn reject(&mut self, error: RowError) {
        self.errors.push(error);
        *self.rows += 1;
    }

    /// A row that could not be read as a profile.
    fn unreadable(&mut self, place: Place, message: String, help: Option<String>) {
        let Place { row, line } = place;
        self.reject(RowError { row, line, field: None, code: UNREADABLE, message, help });
    }
}

/// Writes the outcome of a row evaluated.
fn write(
    compiled: &CompiledPolicy<'_>,
    options: &Options,
    chunk: &mut Chunk,
    outcome: Evaluated<'_>,
    values: &[Option<Value>],
    place: Place,
    name: Option<&str>,
) -> Result<(), EvalError> {
    let row = place.row;
    match options.output {
        Format::Csv => output::csv::row(compiled, outcome, values, row, name, &mut chunk.out),
        Format::Jsonl => {
            let outcome = compiled.outcome(outcome, values)?;
            let subject = Subject {
                profile_file: &options.file_name,
                profile_name: name,
                policy_file: &options.policy_file,
                chain: &options.chain,
                on: options.on,
            };
            let mut json = output::json::outcome(compiled.policy(), &subject, &outcome);
            if let Some(profile) = json.get_mut("profile").and_then(serde_json::Value::as_object_mut) {
                profile.insert("row".to_owned(), serde_json::Value::from(row));
            }
            let _ = serde_json::to_writer(&mut chunk.out, &json);
            chunk.out.push(b'\n');
            Ok(())
        }
    }
}

impl Chunk {
    /// A row rejected for one reason.
    fn reject(&mut self, error: RowError) {
        Rejected { errors: &mut self.errors, rows: &mut self.errors_rows }.reject(error);
    }
}
