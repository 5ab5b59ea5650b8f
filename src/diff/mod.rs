//! Diff: what one text (or one chain at another date) changes over a
//! population, profile by profile, then in sum: who gains or loses
//! eligibility or an option and by which condition, options and outputs that
//! exist on one side only (compared against "not offered"), running contracts
//! and new ones apart, and the aid per year as a budget at a stated take-up,
//! by band, zone, specialty and contract. Reads the population and writes
//! only the streams it is given; never prints.
//!
//! The population (CSV, JSON Lines, or Arrow batches: [`diff_arrow`]) is
//! read once, in chunks (the batch evaluator's reader, its rows and chunks
//! bounded in bytes, a row it refuses rejected by both sides);
//! each chunk's rows are read for both sides from the same cells, evaluated
//! by each side's compiled lanes, compared and counted on all cores; the
//! chunks' rows and counts are then written and added in order, so memory is
//! bounded by the chunks in flight and the output does not depend on the
//! threads or the chunk size. Every row ends up compared, or reported as
//! rejected by the old text, the new one, or both: `rows_in = compared + rejected`.

mod compare;
mod plan;
mod rows;
mod side;
mod summary;
mod tally;

use std::io::{Read, Write};
use std::sync::mpsc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::Loaded;
use crate::assign::{AssignError, Assignments, Resolved};
use crate::batch::arrow::{Columns, Refused};
use crate::batch::rows::{Cells, ColumnMap};
use crate::batch::source::{self, ArrowRows, Chunk, Source, receive_wave};
use crate::batch::{BatchError, CHUNK_BYTES, Format, ROW_BYTES, RowError};
use crate::eval::compiled::CompiledPolicy;
use compare::{Compared, View};
use plan::Plan;
use side::SideRows;
use tally::{Pair, Tally};

pub use compare::NOT_OFFERED;
pub use plan::Structure;
pub use summary::{Breakdown, Budget, Contracts, Counts, Money, OptionSummary, Summary, TakeUp};
pub use tally::{Decided, Moves};

/// One side of a comparison: a policy, as of a date.
pub struct Side<'a> {
    pub loaded: &'a Loaded,
    pub on: jiff::civil::Date,
    /// How the user named the policy, for messages.
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Worker threads; 0 for one per core.
    pub threads: usize,
    pub chunk_size: usize,
    /// The share of new contracts that sign each option, where the command line gives it.
    pub take_up: Vec<(String, Decimal)>,
    /// Values for fields, given for every row or drawn.
    pub assignments: Assignments,
}

/// A row one side or both could not evaluate.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub row: u64,
    /// `old`, `new` or `both`.
    pub side: &'static str,
    pub error: RowError,
}

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{0}")]
    Batch(#[from] BatchError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The population's header does not fit a side: no row was compared.
    #[error("the population's columns are not the fields of the {side} text")]
    Columns { side: &'static str, errors: Vec<RowError> },
    /// A total beyond the range of exact decimals: no summary is given rather than a wrong one.
    #[error("{0}")]
    Overflow(String),
    /// A `--set`, `--draw` or `--take-up` that does not fit the texts.
    #[error("{}", .0.message)]
    Argument(AssignError),
}

/// Per-profile rows: where, and in which form.
pub enum ProfileRows<'w> {
    /// Text: CSV (its header, then a row a profile) or JSON Lines.
    Text { out: &'w mut dyn Write, format: Format },
    /// Typed Arrow batches of [`rows_schema`], one a chunk, in input order.
    Arrow(&'w mut dyn FnMut(RecordBatch) -> std::io::Result<()>),
}

/// The form the per-profile rows are made in.
#[derive(Clone, Copy)]
enum RowsForm {
    Text(Format),
    Typed,
}

/// The columns of the typed per-profile rows of a diff of `old` and `new`
/// ([`ProfileRows::Arrow`]): the CSV's columns, typed.
pub fn rows_schema(old: &Side<'_>, new: &Side<'_>) -> SchemaRef {
    let (old, new) = (CompiledPolicy::new(&old.loaded.policy), CompiledPolicy::new(&new.loaded.policy));
    rows::schema(&Plan::new(&old, &new))
}

/// Both sides compiled, with what reading a row for each needs.
struct Sides<'p> {
    old: CompiledPolicy<'p>,
    new: CompiledPolicy<'p>,
    old_on: jiff::civil::Date,
    new_on: jiff::civil::Date,
    old_assigned: Resolved,
    new_assigned: Resolved,
    /// Fields either side, or its family, declares: columns each side ignores.
    tolerated: Vec<String>,
    plan: Plan,
    rows: Option<RowsForm>,
}

/// Compares two sides over the population read from `population`.
pub fn diff(
    old: &Side<'_>,
    new: &Side<'_>,
    population: impl Read + Send,
    input: Format,
    options: &Options,
    profiles: Option<ProfileRows<'_>>,
    rejected: &mut dyn FnMut(&Rejected) -> std::io::Result<()>,
) -> Result<Summary, DiffError> {
    let sides = Sides::new(old, new, options, profiles.as_ref())?;
    let (source, header) = source::open(population, input, ROW_BYTES)?;
    let columns = match header {
        Some((header, line)) => Some(sides.columns(&header, line)?),
        None => None,
    };
    compare(old, new, &sides, source, columns.as_ref(), options, profiles, rejected)
}

/// Compares two sides over a population given as Arrow batches (all of
/// `schema`), read as [`diff`] reads the same table written as CSV: its
/// columns mapped to each side's fields by name, each row numbered as in
/// that file (from 1, on the line after the header's). A cell that is no
/// value at all (a timestamp with a time of day) stops the comparison, as
/// it stops `batch::arrow::run`.
pub fn diff_arrow(
    old: &Side<'_>,
    new: &Side<'_>,
    schema: &arrow_schema::Schema,
    batches: impl Iterator<Item = Result<RecordBatch, String>> + Send,
    options: &Options,
    profiles: Option<ProfileRows<'_>>,
    rejected: &mut dyn FnMut(&Rejected) -> std::io::Result<()>,
) -> Result<Summary, DiffError> {
    let sides = Sides::new(old, new, options, profiles.as_ref())?;
    let titles: Vec<String> = schema.fields().iter().map(|field| field.name().clone()).collect();
    let columns = sides.columns(&titles, 1)?;
    let source: Source<'_, std::io::Empty> = Source::Arrow(ArrowRows::new(batches, 1));
    compare(old, new, &sides, source, Some(&columns), options, profiles, rejected)
}

impl<'p> Sides<'p> {
    /// Both sides compiled; `--set`, `--draw` and `--take-up` checked against them.
    fn new(
        old: &Side<'p>,
        new: &Side<'p>,
        options: &Options,
        profiles: Option<&ProfileRows<'_>>,
    ) -> Result<Sides<'p>, DiffError> {
        let names =
            |side: &Side<'_>| side.loaded.policy.fields.iter().map(|field| field.name.clone()).collect::<Vec<_>>();
        let mut tolerated: Vec<String> =
            old.loaded.family_fields.iter().chain(&new.loaded.family_fields).cloned().collect();
        tolerated.extend(names(old));
        tolerated.extend(names(new));
        tolerated.sort();
        tolerated.dedup();
        let (old_compiled, new_compiled) =
            (CompiledPolicy::new(&old.loaded.policy), CompiledPolicy::new(&new.loaded.policy));
        let plan = Plan::new(&old_compiled, &new_compiled);
        let sides = Sides {
            old: old_compiled,
            new: new_compiled,
            old_on: old.on,
            new_on: new.on,
            old_assigned: options.assignments.resolve(&old.loaded.policy, &names(new)).map_err(DiffError::Argument)?,
            new_assigned: options.assignments.resolve(&new.loaded.policy, &names(old)).map_err(DiffError::Argument)?,
            tolerated,
            plan,
            rows: profiles.map(|rows| match rows {
                ProfileRows::Text { format, .. } => RowsForm::Text(*format),
                ProfileRows::Arrow(_) => RowsForm::Typed,
            }),
        };
        for (position, (option, share)) in options.take_up.iter().enumerate() {
            if options.take_up.iter().take(position).any(|(known, _)| known == option) {
                return Err(DiffError::Argument(AssignError {
                    message: format!("`--take-up {option}` is given twice"),
                    help: Some("give each option one take-up".to_owned()),
                }));
            }
            if !sides.plan.options.contains(option) {
                let known = sides.plan.options.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
                return Err(DiffError::Argument(AssignError {
                    message: format!(
                        "`--take-up {option}={}`: neither text has an option `{option}`",
                        crate::assign::percent(*share)
                    ),
                    help: Some(format!("the options are {known}")),
                }));
            }
        }
        Ok(sides)
    }

    /// A population's columns (its header, on `line`) mapped to each side's fields.
    fn columns(&self, header: &[String], line: u64) -> Result<(ColumnMap, ColumnMap), DiffError> {
        let titles: Vec<&str> = header.iter().map(String::as_str).collect();
        let map = |compiled: &CompiledPolicy<'_>, side| {
            ColumnMap::new(compiled.policy(), &titles, &self.tolerated, line)
                .map_err(|errors| DiffError::Columns { side, errors })
        };
        Ok((map(&self.old, "old")?, map(&self.new, "new")?))
    }
}

/// Compares the rows of `source` and sums them.
#[expect(clippy::too_many_arguments, reason = "the comparison's parts, each given by its caller")]
fn compare<R: Read + Send>(
    old: &Side<'_>,
    new: &Side<'_>,
    sides: &Sides<'_>,
    source: Source<'_, R>,
    columns: Option<&(ColumnMap, ColumnMap)>,
    options: &Options,
    mut profiles: Option<ProfileRows<'_>>,
    rejected: &mut dyn FnMut(&Rejected) -> std::io::Result<()>,
) -> Result<Summary, DiffError> {
    if let Some(ProfileRows::Text { out, format }) = profiles.as_mut() {
        out.write_all(&rows::header(&sides.plan, *format))?;
    }
    let mut total = Tally::new(sides.plan.options.len());
    run(sides, source, columns, options, &mut |work: &mut Work| {
        match profiles.as_mut() {
            Some(ProfileRows::Text { out, .. }) => out.write_all(&work.out)?,
            Some(ProfileRows::Arrow(emit)) => {
                if let Some(batch) = work.batch.take().filter(|batch| batch.num_rows() > 0) {
                    emit(batch)?;
                }
            }
            None => {}
        }
        for row in &work.rejected {
            rejected(row)?;
        }
        total.merge(&work.tally);
        Ok(())
    })?;
    let names = (old.name.clone(), new.name.clone());
    Summary::of(&sides.plan, &total, names, options.assignments.record(), &options.take_up).map_err(DiffError::Overflow)
}

/// What one chunk gave: its per-profile rows, its rejected rows, its
/// counts; and the buffers that compared it, kept for the next wave's chunk
/// in the same place (made afresh for each chunk, they cost more than the work).
#[derive(Default)]
struct Work {
    out: Vec<u8>,
    /// The typed rows, when they are made.
    batch: Option<RecordBatch>,
    /// Why the typed rows could not be made: the comparison stops there.
    failure: Option<String>,
    rejected: Vec<Rejected>,
    tally: Tally,
    worker: Option<Worker>,
}

/// Reads the population in chunks, compares each wave of chunks on all
/// cores, and hands each chunk's work to `done`, in order.
fn run<R: Read + Send>(
    sides: &Sides<'_>,
    source: Source<R>,
    columns: Option<&(ColumnMap, ColumnMap)>,
    options: &Options,
    done: &mut dyn FnMut(&mut Work) -> std::io::Result<()>,
) -> Result<(), DiffError> {
    let threads = if options.threads == 0 { rayon::current_num_threads() } else { options.threads };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|error| BatchError::Read(format!("cannot start {threads} threads: {error}")))?;
    let chunk_size = options.chunk_size.max(1);
    let wave_size = threads * 2;
    std::thread::scope(|scope| -> Result<(), DiffError> {
        let (full_sender, full_receiver) = mpsc::sync_channel::<Result<Chunk, BatchError>>(wave_size);
        let (empty_sender, empty_receiver) = mpsc::channel::<Chunk>();
        scope.spawn(move || source.feed(chunk_size, CHUNK_BYTES, &full_sender, &empty_receiver));
        let mut works: Vec<Work> = Vec::new();
        loop {
            let (wave, failure) = receive_wave(&full_receiver, wave_size);
            let finished = wave.is_empty();
            works.resize_with(wave.len().max(works.len()), Work::default);
            pool.install(|| {
                wave.par_iter().zip(works.par_iter_mut()).for_each(|(chunk, work)| {
                    let mut worker = work.worker.take().unwrap_or_else(|| Worker::new(sides));
                    worker.compare(sides, columns, chunk, work);
                    work.worker = Some(worker);
                })
            });
            for (chunk, work) in wave.into_iter().zip(&mut works) {
                if let Some(failure) = work.failure.take() {
                    return Err(BatchError::Read(failure).into());
                }
                done(work)?;
                // The reader may have stopped; then the buffer is simply dropped.
                let _ = empty_sender.send(chunk);
            }
            if let Some(error) = failure {
                return Err(error.into());
            }
            if finished {
                return Ok(());
            }
        }
    })
}

/// One thread's buffers for both sides.
struct Worker {
    old: SideRows,
    new: SideRows,
    aid: Vec<Pair>,
    /// The outputs that changed for the profile being compared.
    changes: Vec<(usize, side::Kept, side::Kept)>,
    /// The profiles' names, one per row of the chunk, as ranges of `names`.
    ids: Vec<std::ops::Range<usize>>,
    names: String,
    /// The typed per-profile rows of the chunk, when they are made.
    typed: Option<Columns>,
    /// An Arrow cell's CSV text, where it is read through it.
    text: String,
}

impl Worker {
    fn new(sides: &Sides<'_>) -> Worker {
        Worker {
            old: SideRows::new(&sides.old),
            new: SideRows::new(&sides.new),
            aid: Vec::new(),
            changes: Vec::new(),
            ids: Vec::new(),
            names: String::new(),
            typed: matches!(sides.rows, Some(RowsForm::Typed)).then(|| Columns::new(rows::schema(&sides.plan))),
            text: String::new(),
        }
    }

    /// Reads, evaluates and compares every row of a chunk into `work`.
    fn compare(&mut self, sides: &Sides<'_>, columns: Option<&(ColumnMap, ColumnMap)>, chunk: &Chunk, work: &mut Work) {
        work.out.clear();
        work.batch = None;
        work.failure = None;
        work.rejected.clear();
        work.tally.reset(sides.plan.options.len());
        self.old.clear();
        self.new.clear();
        self.ids.clear();
        self.names.clear();
        match (&chunk.batch, columns) {
            (Some(batch), Some(columns)) => {
                if let Err(failure) = self.read_arrow(sides, columns, chunk.first_row, batch) {
                    work.failure = Some(failure);
                    return;
                }
            }
            _ => {
                for position in 0..chunk.rows.len() {
                    self.read(sides, columns, chunk, position);
                }
            }
        }
        self.old.evaluate(&sides.old, sides.old_on, sides.plan.old.leaves, chunk.first_row);
        self.new.evaluate(&sides.new, sides.new_on, sides.plan.new.leaves, chunk.first_row);
        for position in 0..chunk.len() {
            let row = chunk.first_row + position as u64;
            work.tally.rows_in += 1;
            let (old, new) =
                (self.old.outcome(position, sides.plan.old.leaves), self.new.outcome(position, sides.plan.new.leaves));
            let (Some((old_values, old_kept)), Some((new_values, new_kept))) = (old, new) else {
                work.tally.rejected += 1;
                let (old, new) = (self.old.rejected(position), self.new.rejected(position));
                let (side, error) = match (old, new) {
                    (Some(error), Some(_)) => ("both", error),
                    (Some(error), None) => ("old", error),
                    (None, Some(error)) => ("new", error),
                    (None, None) => continue,
                };
                work.rejected.push(Rejected { row, side, error: error.clone() });
                continue;
            };
            let compared = Compared::new(
                &sides.plan,
                View::new(&sides.plan.old, &sides.old, old_values, old_kept, &self.old.arena),
                View::new(&sides.plan.new, &sides.new, new_values, new_kept, &self.new.arena),
            );
            self.changes.clear();
            self.changes.extend(compared.changes());
            self.aid.clear();
            self.aid.extend((0..sides.plan.options.len()).map(|option| {
                let (old, new) = compared.aid(option);
                Pair { old, new }
            }));
            let id = self.ids.get(position).and_then(|range| self.names.get(range.clone())).unwrap_or("");
            let identity = rows::Identity { row, id };
            match (sides.rows, self.typed.as_mut()) {
                (Some(RowsForm::Text(format)), _) => {
                    rows::write(&mut work.out, format, &identity, &compared, &self.aid, &self.changes);
                }
                (Some(RowsForm::Typed), Some(typed)) => {
                    let mut cells = typed.row();
                    let pushed = rows::push(&mut cells, &identity, &compared, &self.aid, &self.changes);
                    if let Err((column, refused)) = pushed.and_then(|()| cells.keep()) {
                        // Refused whole, and not counted: the typed rows and the sums stay one population.
                        work.tally.rejected += 1;
                        // Its line in the population: a text's as read, a table's as if written as CSV.
                        let line = chunk.rows.get(position).map_or(row + 1, |read| read.line);
                        let error = refused_row((row, line), typed.name(column), refused);
                        // The side whose value its column cannot hold.
                        let side = error.field.as_deref().map_or("both", rows::side);
                        work.rejected.push(Rejected { row, side, error });
                        continue;
                    }
                }
                _ => {}
            }
            work.tally.add(&compared, !self.changes.is_empty(), &self.aid);
        }
        if let Some(typed) = self.typed.as_mut() {
            match typed.finish() {
                Ok(batch) => work.batch = Some(batch),
                Err(error) => work.failure = Some(error.to_string()),
            }
        }
    }

    /// Reads row `position` of a chunk for both sides, from the same cells, as
    /// batch reads it: a row the reader refused is rejected by both, with its words.
    fn read(&mut self, sides: &Sides<'_>, columns: Option<&(ColumnMap, ColumnMap)>, chunk: &Chunk, position: usize) {
        let row = chunk.first_row + position as u64;
        let start = self.names.len();
        if let Some(read) = chunk.rows.get(position) {
            let place = (row, read.line);
            let text = chunk.text.get(read.text.clone()).unwrap_or_default();
            if let Some(refusal) = &read.refused {
                self.reject_both(place, None, &refusal.message, refusal.help.as_deref());
            } else if let Some((old_columns, new_columns)) = columns {
                match Cells::new(text, chunk.ends.get(read.ends.clone()).unwrap_or_default(), read.cells) {
                    Ok(cells) => {
                        self.old.read_cells(&sides.old, old_columns, &sides.old_assigned, &cells, place);
                        self.new.read_cells(&sides.new, new_columns, &sides.new_assigned, &cells, place);
                        self.names.push_str(new_columns.name(&cells).unwrap_or(""));
                    }
                    Err(cell) => self.reject_both(place, None, &format!("cell {cell} is not valid UTF-8"), None),
                }
            } else {
                match crate::batch::rows::json_document(text) {
                    Ok(mut document) => {
                        sides.old_assigned.apply_json(row, &mut document);
                        sides.new_assigned.apply_json(row, &mut document);
                        self.old.read_document(&sides.old, &document, &sides.tolerated, place);
                        self.new.read_document(&sides.new, &document, &sides.tolerated, place);
                        let id = ["id", "name"]
                            .iter()
                            .find_map(|key| document.get(*key).and_then(serde_json::Value::as_str));
                        self.names.push_str(id.unwrap_or(""));
                    }
                    Err(unreadable) => self.reject_both(
                        place,
                        unreadable.field.as_deref(),
                        &unreadable.message,
                        unreadable.help.as_deref(),
                    ),
                }
            }
        }
        self.ids.push(start..self.names.len());
    }

    /// Reads every row of a chunk that is a slice of Arrow columns, for both
    /// sides, from the same cells (see [`crate::batch::arrow::Cells`]);
    /// `Err` for a cell that has no value at all.
    fn read_arrow(
        &mut self,
        sides: &Sides<'_>,
        (old_columns, new_columns): &(ColumnMap, ColumnMap),
        first_row: u64,
        batch: &RecordBatch,
    ) -> Result<(), String> {
        let mut cells = crate::batch::arrow::Cells::of(batch)?;
        for position in 0..batch.num_rows() {
            let row = first_row + position as u64;
            // Numbered as the same table written as CSV would be: its header is line 1.
            let place = (row, row + 1);
            let text = &mut self.text;
            self.old.read_with(&sides.old, &sides.old_assigned, place, |policy, values, problems| {
                cells.values(policy, old_columns, position, row, values, problems, text)
            })?;
            self.new.read_with(&sides.new, &sides.new_assigned, place, |policy, values, problems| {
                cells.values(policy, new_columns, position, row, values, problems, text)
            })?;
            let start = self.names.len();
            text.clear();
            if cells.name(new_columns, position, row, text)? {
                self.names.push_str(text);
            }
            self.ids.push(start..self.names.len());
        }
        Ok(())
    }

    /// A row neither side can read: rejected by both, for the same reason.
    fn reject_both(&mut self, place: (u64, u64), field: Option<&str>, message: &str, help: Option<&str>) {
        self.old.reject(place, field, message, help);
        self.new.reject(place, field, message, help);
    }
}

/// The error of a row whose typed cells its columns refused.
fn refused_row((row, line): (u64, u64), field: Option<String>, refused: Refused) -> RowError {
    match refused {
        Refused::Inexact(message) => crate::batch::arrow::inexact(row, line, field, message, "rows"),
        Refused::Kind => RowError {
            code: crate::code::Code::Internal.name(),
            message: "a row's cells do not match its columns".to_owned(),
            ..crate::batch::arrow::inexact(row, line, field, String::new(), "rows")
        },
    }
}
