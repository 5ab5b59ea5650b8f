//! Running the program of a compiled policy on one profile: one loop over
//! flat instructions, registers reused from one profile to the next, and an
//! explicit stack of frames for the definitions it calls. It reads values
//! in the reference evaluator's order, memoises what it memoises, records
//! the same assumptions in the same order and fails with the same errors.
//!
//! How sure a value is never travels with it: the reference's certainty of
//! an expression is the weakest certainty of everything read while it was
//! evaluated (short-circuited operands are not read, memoised definitions
//! count with the certainty they were stored with), so one running minimum,
//! saved in a frame and restored around each definition called, gives the
//! same answer.

use std::cmp::Ordering;

use super::code::Ins;
use super::*;
use crate::check::model::{BandsId, FieldId, TableId};
use crate::eval::error::Fault;
use crate::eval::{EvalError, bound_holds};

const SURE: Certainty = Certainty::Established;
const NO_ROW: &str = "a table's keys were expected";

/// One worker's buffers: registers, memos, failed conditions, assumptions and
/// output values. Made once per worker by [`CompiledPolicy::scratch`].
#[derive(Debug, Clone)]
pub struct Scratch {
    /// One per node; constants are loaded once, here, and never written again.
    registers: Vec<Fast>,
    /// The numbers of the profile, by place: the policy's constants, then one per node.
    pub(super) decimals: Vec<Decimal>,
    rule_memo: Vec<Option<Certainty>>,
    band_memo: Vec<Option<(u16, Certainty)>>,
    /// Per slot: how sure, and whether every condition held.
    set_memo: Vec<Option<(Certainty, bool)>>,
    pub(super) failure_bits: Vec<u64>,
    assumption_seen: Vec<bool>,
    pub(super) assumptions: Vec<u32>,
    pub(super) leaves: Vec<Option<Fast>>,
    pub(super) groups: Vec<bool>,
    pub(super) certainties: Vec<Certainty>,
    frames: Vec<Frame>,
    /// The compiled policy these buffers were made for.
    owner: u64,
}

/// A definition being computed: the instruction that called it, where to
/// come back to (that instruction again, to read the memo into its
/// register, or the next one when there is nothing to read), and the
/// certainty read before the call.
#[derive(Debug, Clone, Copy)]
struct Frame {
    caller: u32,
    resume: u32,
    sure: Certainty,
}

impl Scratch {
    pub(super) fn new(compiled: &CompiledPolicy<'_>) -> Self {
        let registers = compiled
            .nodes
            .iter()
            .map(|node| match node.op {
                Op::Const(value) | Op::Param { value, .. } | Op::CellConst { value, .. } => value,
                _ => Fast::Bool(false),
            })
            .collect();
        let mut decimals = compiled.constants.clone();
        decimals.resize(compiled.constants.len() + compiled.nodes.len(), Decimal::ZERO);
        Scratch {
            registers,
            decimals,
            rule_memo: vec![None; compiled.rule_slots],
            band_memo: vec![None; compiled.bands.len()],
            set_memo: vec![None; compiled.slot_sets.len()],
            failure_bits: vec![0; compiled.failure_words],
            assumption_seen: vec![false; compiled.assumption_keys],
            assumptions: Vec::with_capacity(compiled.assumptions.len()),
            leaves: vec![None; compiled.leaves.len()],
            groups: vec![false; compiled.groups as usize],
            certainties: vec![SURE; compiled.outputs.len()],
            frames: Vec::with_capacity(16),
            owner: compiled.id,
        }
    }

    /// Every register, constants loaded.
    pub(super) fn registers(&self) -> &[Fast] {
        &self.registers
    }

    #[inline]
    #[expect(
        clippy::indexing_slicing,
        reason = "every register an instruction names is a node (invariants::check), and there is one register per node"
    )]
    fn get(&self, register: NodeId) -> Fast {
        debug_assert!((register as usize) < self.registers.len());
        self.registers[register as usize]
    }

    #[inline]
    #[expect(
        clippy::indexing_slicing,
        reason = "every register an instruction names is a node (invariants::check), and there is one register per node"
    )]
    fn set(&mut self, register: NodeId, value: Fast) {
        debug_assert!((register as usize) < self.registers.len());
        self.registers[register as usize] = value;
    }
}

/// A fault, and the node it is located at.
type Failed = (Fault, NodeId);

impl CompiledPolicy<'_> {
    /// Evaluates every declared output for one profile's values (in field
    /// order, as [`crate::Profile::values`] gives them), as of the date `on`,
    /// into `scratch`.
    pub fn evaluate(
        &self,
        values: &[Option<Value>],
        on: jiff::civil::Date,
        scratch: &mut Scratch,
    ) -> Result<(), EvalError> {
        if let Some(broken) = self.program.broken {
            return Err(self.broken(broken));
        }
        if scratch.owner != self.id {
            *scratch = self.scratch();
        }
        self.reset(scratch);
        self.run(values, on, scratch).map_err(|(fault, at)| {
            let span = self.nodes.get(at as usize).map_or(self.policy.header.span, |node| node.span);
            fault.locate(span, self.policy)
        })
    }

    fn reset(&self, scratch: &mut Scratch) {
        scratch.rule_memo.fill(None);
        scratch.band_memo.fill(None);
        scratch.set_memo.fill(None);
        scratch.failure_bits.fill(0);
        for id in scratch.assumptions.drain(..) {
            if let Some(seen) = self
                .assumptions
                .get(id as usize)
                .and_then(|assumption| scratch.assumption_seen.get_mut(assumption.key as usize))
            {
                *seen = false;
            }
        }
        scratch.leaves.fill(None);
        scratch.groups.fill(false);
        scratch.certainties.fill(SURE);
        scratch.frames.clear();
    }

    fn run(&self, values: &[Option<Value>], on: jiff::civil::Date, s: &mut Scratch) -> Result<(), Failed> {
        let code = &self.program.code;
        let mut pc = 0usize;
        // The weakest certainty read since the enclosing definition or output began.
        let mut sure = SURE;
        loop {
            let Some(&ins) = code.get(pc) else {
                return Err((Fault::Internal("the program ran past its end"), 0));
            };
            pc += 1;
            match ins {
                Ins::Field { at, dst, field } => {
                    let value = match values.get(field as usize) {
                        Some(Some(value)) => {
                            fast_field(value, field).unwrap_or_else(|number| self.place(s, dst, number))
                        }
                        _ => return Err((Fault::MissingField(FieldId(field)), at)),
                    };
                    s.set(dst, value);
                }
                Ins::Given { dst, field } => {
                    s.set(dst, Fast::Bool(values.get(field as usize).is_some_and(Option::is_some)));
                }
                Ins::EvaluationDate { dst } => s.set(dst, Fast::Date(on)),
                Ins::AddYears { dst, date, years } => {
                    let (Fast::Date(date), Ok(years)) = (s.get(date), self.decimal_in(s, dst, years)) else {
                        return Err((Fault::Internal("a date and a number were expected"), dst));
                    };
                    let whole = i64::try_from(years).ok().filter(|_| years.fract().is_zero());
                    let whole = whole.ok_or((Fault::NotWholeYears(years), dst))?;
                    let date = crate::check::model::add_years(date, whole)
                        .ok_or((Fault::DateBeyondCalendar { date, years: whole }, dst))?;
                    s.set(dst, Fast::Date(date));
                }
                Ins::YearsBetween { dst, from, to } => {
                    let (Fast::Date(from), Fast::Date(to)) = (s.get(from), s.get(to)) else {
                        return Err((Fault::Internal("a date was expected"), dst));
                    };
                    self.number(s, dst, Decimal::from(crate::check::model::years_between(from, to)));
                }
                Ins::Read { node } => {
                    if let Some(Node {
                        op: Op::Param { certainty, assumption, .. } | Op::CellConst { certainty, assumption, .. },
                        ..
                    }) = self.nodes.get(node as usize)
                    {
                        self.assume(s, *assumption);
                        sure = sure.min(*certainty);
                    }
                }
                Ins::Rule { slot } => match s.rule_memo.get(slot as usize) {
                    Some(Some(certainty)) => sure = sure.min(*certainty),
                    _ => pc = self.call(s, pc, pc, &mut sure, self.program.rule_entries.get(slot as usize))?,
                },
                Ins::RuleAt { dst, rule, index } => {
                    let Fast::Enum(variant) = s.get(index) else {
                        return Err((Fault::Internal("a value of an enumeration was expected"), dst));
                    };
                    let definition = self.rules.get(rule as usize).ok_or((Fault::Internal("no such rule"), dst))?;
                    let slot = definition.memo_offset + variant as usize;
                    match s.rule_memo.get(slot) {
                        Some(Some(certainty)) => {
                            sure = sure.min(*certainty);
                            let src = self.program.rule_values.get(slot);
                            s.set(dst, s.get(*src.ok_or((Fault::Internal("no such rule slot"), dst))?));
                        }
                        _ => pc = self.call(s, pc, pc - 1, &mut sure, self.program.rule_entries.get(slot))?,
                    }
                }
                Ins::Band { dst, bands } => match s.band_memo.get(bands as usize) {
                    Some(Some((band, certainty))) => {
                        sure = sure.min(*certainty);
                        s.set(dst, Fast::Enum(*band));
                    }
                    _ => pc = self.call(s, pc, pc - 1, &mut sure, self.program.band_entries.get(bands as usize))?,
                },
                Ins::Conditions { dst, slot, failures } => {
                    pc = self.conditions(s, pc, &mut sure, dst, slot as usize, failures)?;
                }
                Ins::ConditionsAt { dst, set, index, failures } => {
                    let Fast::Enum(variant) = s.get(index) else {
                        return Err((Fault::Internal("a value of an enumeration was expected"), dst));
                    };
                    let definition =
                        self.sets.get(set as usize).ok_or((Fault::Internal("no such condition set"), dst))?;
                    pc = self.conditions(s, pc, &mut sure, dst, definition.memo_offset + variant as usize, failures)?;
                }
                Ins::Cell { dst, table, keys, column } => {
                    let row = self.row(table, keys, |key| s.get(key)).ok_or((Fault::Internal(NO_ROW), dst))?;
                    let value = self.cell(s, &mut sure, dst, table, row, column)?;
                    s.set(dst, value);
                }
                Ins::TableRow { dst, table, keys } => {
                    let row = self.row(table, keys, |key| s.get(key)).ok_or((Fault::Internal(NO_ROW), dst))?;
                    let table =
                        u16::try_from(table).map_err(|_| (Fault::Internal("a table beyond a row's reach"), dst))?;
                    s.set(dst, Fast::Row { table, row });
                }
                Ins::RowField { dst, row, column } => {
                    let Fast::Row { table, row } = s.get(row) else {
                        return Err((Fault::Internal("a row was expected"), dst));
                    };
                    let value = self.cell(s, &mut sure, dst, u32::from(table), row, column)?;
                    s.set(dst, value);
                }
                Ins::Not { dst, operand } => {
                    let Fast::Bool(value) = s.get(operand) else {
                        return Err((Fault::Internal("a boolean was expected"), dst));
                    };
                    s.set(dst, Fast::Bool(!value));
                }
                Ins::Neg { dst, operand } => {
                    let value = self.decimal_in(s, dst, operand)?;
                    self.number(s, dst, -value);
                }
                Ins::Arith { op, dst, left, right } => {
                    if let Some(result) = s.get(left).small_arithmetic(op, s.get(right)) {
                        s.set(dst, result);
                        continue;
                    }
                    let left = self.decimal_in(s, dst, left)?;
                    let right = self.decimal_in(s, dst, right)?;
                    let result = number::arithmetic(op, left, right).map_err(|fault| (fault, dst))?;
                    self.number(s, dst, result);
                }
                Ins::Compare { op, dst, left, right } => {
                    let ordering = self.compare(s, values, s.get(left), s.get(right));
                    let ordering = ordering.ok_or((Fault::Internal("values of different kinds compared"), dst))?;
                    s.set(dst, Fast::Bool(op.holds(ordering)));
                }
                Ins::AndLeft { dst, left, to } | Ins::OrLeft { dst, left, to } => {
                    let Fast::Bool(value) = s.get(left) else {
                        return Err((Fault::Internal("a boolean was expected"), dst));
                    };
                    // `and` ends at false, `or` at true; the right operand is not read.
                    if value == matches!(ins, Ins::OrLeft { .. }) {
                        s.set(dst, Fast::Bool(value));
                        pc = to as usize;
                    }
                }
                Ins::Bool { dst, operand } => {
                    let value @ Fast::Bool(_) = s.get(operand) else {
                        return Err((Fault::Internal("a boolean was expected"), dst));
                    };
                    s.set(dst, value);
                }
                Ins::InItem { dst, value, item, to } => {
                    if self.compare(s, values, s.get(value), s.get(item)).is_some_and(Ordering::is_eq) {
                        s.set(dst, Fast::Bool(true));
                        pc = to as usize;
                    }
                }
                Ins::NotIn { dst } => s.set(dst, Fast::Bool(false)),
                Ins::IfNot { dst, condition, to } => match s.get(condition) {
                    Fast::Bool(true) => {}
                    Fast::Bool(false) => pc = to as usize,
                    _ => return Err((Fault::Internal("a boolean was expected"), dst)),
                },
                Ins::Switch { dst, scrutinee, arms } => {
                    let Fast::Enum(variant) = s.get(scrutinee) else {
                        return Err((Fault::Internal("a value of an enumeration was expected"), dst));
                    };
                    let arm = self.program.operands(arms).and_then(|arms| arms.get(variant as usize)).copied();
                    pc = arm.filter(|arm| (*arm as usize) < code.len()).ok_or((Fault::Internal("no arm"), dst))?
                        as usize;
                }
                Ins::Round { dst, value, strategy, places } => {
                    if let Some(rounded) = s.get(value).small_rounded(places, strategy) {
                        s.set(dst, rounded);
                        continue;
                    }
                    let value = self.decimal_in(s, dst, value)?;
                    self.number(s, dst, number::round(value, places, strategy));
                }
                Ins::MinMax { dst, values: items, min } => {
                    let mut best: Option<Fast> = None;
                    let items =
                        self.program.operands(items).ok_or((Fault::Internal("`min` or `max` of nothing"), dst))?;
                    for item in items {
                        let item = s.get(*item);
                        best = Some(match best {
                            None => item,
                            Some(current) => {
                                let ordering = self
                                    .compare(s, values, item, current)
                                    .ok_or((Fault::Internal("values of different kinds compared"), dst))?;
                                let better = if min { ordering.is_lt() } else { ordering.is_gt() };
                                if better { item } else { current }
                            }
                        });
                    }
                    s.set(dst, best.ok_or((Fault::Internal("`min` or `max` of nothing"), dst))?);
                }
                Ins::Move { dst, src } => s.set(dst, s.get(src)),
                Ins::Jump { to } => pc = to as usize,
                Ins::Unless { guard, to } => {
                    if s.get(guard) != Fast::Bool(true) {
                        pc = to as usize;
                    }
                }
                Ins::EndRule { rule, slot } => {
                    let definition = self.rules.get(rule as usize).ok_or((Fault::Internal("no such rule"), 0))?;
                    self.assume(s, definition.assumption);
                    let certainty = sure.min(definition.certainty);
                    let memo = s.rule_memo.get_mut(slot as usize).ok_or((Fault::Internal("no such rule slot"), 0))?;
                    *memo = Some(certainty);
                    pc = self.back(s, &mut sure, certainty)?;
                }
                Ins::Bound { over, limit, lower, inclusive, to } => {
                    let Some(ordering) = self.compare(s, values, s.get(over), s.get(limit)) else {
                        return Err((Fault::Internal("a band bound of another kind"), self.caller(s)));
                    };
                    if !bound_holds(lower, inclusive, ordering) {
                        pc = to as usize;
                    }
                }
                Ins::EndBand { bands, band } => {
                    let definition = self.bands.get(bands as usize).and_then(|bands| bands.bands.get(band as usize));
                    let (Some(definition), Ok(band)) = (definition, u16::try_from(band)) else {
                        return Err((Fault::Internal("no such band"), self.caller(s)));
                    };
                    self.assume(s, definition.assumption);
                    let certainty = sure.min(definition.certainty);
                    let Some(memo) = s.band_memo.get_mut(bands as usize) else {
                        return Err((Fault::Internal("no such set of bands"), self.caller(s)));
                    };
                    *memo = Some((band, certainty));
                    pc = self.back(s, &mut sure, certainty)?;
                }
                Ins::NoBand { bands, over } => {
                    let value =
                        self.value(s, values, s.get(over)).ok_or((Fault::Internal("a band over no value"), 0))?;
                    return Err((Fault::NoBand { bands: BandsId(bands), value }, self.caller(s)));
                }
                Ins::Condition { set, slot, position, holds } => {
                    let definition =
                        self.sets.get(set as usize).ok_or((Fault::Internal("no such condition set"), 0))?;
                    let condition = definition.conditions.get(position as usize);
                    let condition = condition.ok_or((Fault::Internal("no such condition"), 0))?;
                    self.assume(s, condition.assumption);
                    sure = sure.min(condition.certainty);
                    if s.get(holds) != Fast::Bool(true) {
                        let word = s.failure_bits.get_mut(definition.words(slot).start + position as usize / 64);
                        *word.ok_or((Fault::Internal("no such condition"), 0))? |= 1 << (position % 64);
                    }
                }
                Ins::EndConditions { slot } => {
                    let words = self.slot_set(slot).and_then(|set| s.failure_bits.get(set.words(slot)));
                    let all_hold =
                        words.ok_or((Fault::Internal("no such condition set"), 0))?.iter().all(|word| *word == 0);
                    let memo = s.set_memo.get_mut(slot as usize);
                    *memo.ok_or((Fault::Internal("no such condition set"), 0))? = Some((sure, all_hold));
                    let certainty = sure;
                    pc = self.back(s, &mut sure, certainty)?;
                }
                Ins::Leaf { leaf, src } => {
                    let value = s.get(src);
                    *s.leaves.get_mut(leaf as usize).ok_or((Fault::Internal("no such output value"), src))? =
                        Some(value);
                }
                Ins::Group { group } => {
                    *s.groups.get_mut(group as usize).ok_or((Fault::Internal("no such output group"), 0))? = true;
                }
                Ins::Certainty { output } => {
                    *s.certainties.get_mut(output as usize).ok_or((Fault::Internal("no such output"), 0))? = sure;
                    sure = SURE;
                }
                Ins::Halt => return Ok(()),
            }
        }
    }

    /// Calls a definition from the instruction before `pc`: the definition
    /// starts reading afresh, and its end goes on at `resume`.
    #[inline(never)]
    fn call(
        &self,
        s: &mut Scratch,
        pc: usize,
        resume: usize,
        sure: &mut Certainty,
        entry: Option<&u32>,
    ) -> Result<usize, Failed> {
        let too_far = || (Fault::Internal("an instruction beyond a frame's reach"), 0);
        let caller = u32::try_from(pc - 1).map_err(|_| too_far())?;
        let resume = u32::try_from(resume).map_err(|_| too_far())?;
        let entry = entry.ok_or((Fault::Internal("no such definition"), 0))?;
        s.frames.push(Frame { caller, resume, sure: *sure });
        *sure = SURE;
        Ok(*entry as usize)
    }

    /// Returns from a definition computed as sure as `certainty`, which the caller reads.
    #[inline(never)]
    fn back(&self, s: &mut Scratch, sure: &mut Certainty, certainty: Certainty) -> Result<usize, Failed> {
        let frame = s.frames.pop().ok_or((Fault::Internal("a definition returned with no caller"), 0))?;
        *sure = frame.sure.min(certainty);
        Ok(frame.resume as usize)
    }

    /// The node that called the set of bands running: where its faults (no band holds) are located.
    #[cold]
    fn caller(&self, s: &Scratch) -> NodeId {
        match s.frames.last().and_then(|frame| self.program.code.get(frame.caller as usize)) {
            Some(Ins::Band { dst, .. }) => *dst,
            _ => 0,
        }
    }

    /// A condition set's slot: read from its memo, or computed by a call.
    fn conditions(
        &self,
        s: &mut Scratch,
        pc: usize,
        sure: &mut Certainty,
        dst: NodeId,
        slot: usize,
        failures: bool,
    ) -> Result<usize, Failed> {
        match s.set_memo.get(slot) {
            Some(Some((certainty, all_hold))) => {
                *sure = (*sure).min(*certainty);
                let value = if failures {
                    Fast::Failures(u32::try_from(slot).map_err(|_| (Fault::Internal("no such condition set"), dst))?)
                } else {
                    Fast::Bool(*all_hold)
                };
                s.set(dst, value);
                Ok(pc)
            }
            _ => self.call(s, pc, pc - 1, sure, self.program.set_entries.get(slot)),
        }
    }

    /// The dense row of a table its keys select (the last key varies fastest),
    /// each key read by `key`; none if a key is not a value of an enumeration.
    pub(super) fn row(&self, table: u32, keys: List, key: impl Fn(NodeId) -> Fast) -> Option<u32> {
        let definition = self.tables.get(table as usize)?;
        let mut row = 0usize;
        let registers = self.program.operands(keys)?;
        if registers.len() != definition.key_sizes.len() {
            return None;
        }
        for (register, size) in registers.iter().zip(&definition.key_sizes) {
            let Fast::Enum(variant) = key(*register) else { return None };
            row = row * size + variant as usize;
        }
        u32::try_from(row).ok()
    }

    /// A cell of a table, if the policy gives a value there.
    pub(super) fn table_cell(&self, table: u32, row: u32, column: u32) -> Option<&CompiledCell> {
        let definition = self.tables.get(table as usize)?;
        definition.cells.get(row as usize * definition.columns + column as usize)?.as_ref()
    }

    /// Reads a cell of a table, relying on it if it is not established.
    fn cell(
        &self,
        s: &mut Scratch,
        sure: &mut Certainty,
        dst: NodeId,
        table: u32,
        row: u32,
        column: u32,
    ) -> Result<Fast, Failed> {
        let cell = self
            .table_cell(table, row, column)
            .ok_or((Fault::EmptyCell { table: TableId(table), row, column: column as usize }, dst))?;
        self.assume(s, cell.assumption);
        *sure = (*sure).min(cell.certainty);
        Ok(cell.value)
    }

    /// Records an assumption the first time its place is read.
    #[inline]
    fn assume(&self, s: &mut Scratch, assumption: Option<u32>) {
        let Some(id) = assumption else { return };
        let Some(definition) = self.assumptions.get(id as usize) else { return };
        if let Some(seen) = s.assumption_seen.get_mut(definition.key as usize)
            && !*seen
        {
            *seen = true;
            s.assumptions.push(id);
        }
    }

    /// The number in a register, for the instruction writing `dst`.
    #[inline]
    fn decimal_in(&self, s: &Scratch, dst: NodeId, register: NodeId) -> Result<Decimal, Failed> {
        let number = s.get(register).decimal(|place| s.decimals.get(place as usize).copied());
        number.ok_or((Fault::Internal("a number was expected"), dst))
    }

    /// Writes a number computed for node `dst` to its register: in the value if it fits, else in its place.
    #[inline]
    fn number(&self, s: &mut Scratch, dst: NodeId, value: Decimal) {
        let number = Fast::number(value, |value| self.place(s, dst, value));
        s.set(dst, number);
    }

    /// Writes a number computed for node `dst` in its place; the value that refers to it.
    #[inline]
    #[expect(
        clippy::indexing_slicing,
        reason = "`dst` is a node (invariants::check) and there is a place per constant and per node"
    )]
    fn place(&self, s: &mut Scratch, dst: NodeId, value: Decimal) -> Fast {
        let place = self.constants.len() + dst as usize;
        debug_assert!(place < s.decimals.len());
        s.decimals[place] = value;
        // Fits: invariants::check counted the places. Were it not to, `u32::MAX` is no place, and reading it fails.
        Fast::Decimal(u32::try_from(place).unwrap_or(u32::MAX))
    }

    fn compare(&self, s: &Scratch, values: &[Option<Value>], left: Fast, right: Fast) -> Option<Ordering> {
        self.compare_with(|place| self.decimal(s, place), values, left, right)
    }

    /// Orders two values of the same kind, reading numbers by their place with `decimal`.
    pub(super) fn compare_with(
        &self,
        decimal: impl Fn(u32) -> Option<Decimal>,
        values: &[Option<Value>],
        left: Fast,
        right: Fast,
    ) -> Option<Ordering> {
        match (left, right) {
            (Fast::Number(a), Fast::Number(b)) => Some(number::compare_small(a, b)),
            (Fast::Number(_) | Fast::Decimal(_), Fast::Number(_) | Fast::Decimal(_)) => {
                let number = |value: Fast| value.decimal(&decimal);
                number(left).zip(number(right)).map(|(a, b)| number::compare(a, b))
            }
            (Fast::Date(a), Fast::Date(b)) => Some(a.cmp(&b)),
            (Fast::Bool(a), Fast::Bool(b)) => Some(a.cmp(&b)),
            (Fast::Text(a), Fast::Text(b)) => Some(self.text(a, values).cmp(self.text(b, values))),
            (Fast::Enum(a), Fast::Enum(b)) => Some(a.cmp(&b)),
            _ => None,
        }
    }

    /// A value as the reference holds it, for an error message.
    fn value(&self, s: &Scratch, values: &[Option<Value>], value: Fast) -> Option<Value> {
        Some(match value {
            Fast::Bool(value) => Value::Bool(value),
            Fast::Number(small) => Value::Decimal(small.decimal()),
            Fast::Decimal(place) => Value::Decimal(self.decimal(s, place)?),
            Fast::Date(date) => Value::Date(date),
            Fast::Enum(variant) => Value::Enum(variant),
            Fast::Text(text) => Value::Text(self.text(text, values).into()),
            Fast::Row { table, row } => Value::Row { table: TableId(u32::from(table)), row },
            Fast::Failures(_) => return None,
        })
    }
}

/// A field's value as a compiled value: a copy, a text read where it
/// lies; or a number too wide to be carried in the value, for the caller to put in its place.
#[inline]
pub(super) fn fast_field(value: &Value, field: u32) -> Result<Fast, Decimal> {
    Ok(match value {
        Value::Decimal(value) => return Small::of(*value).map(Fast::Number).ok_or(*value),
        Value::Bool(value) => Fast::Bool(*value),
        Value::Date(date) => Fast::Date(*date),
        Value::Enum(variant) => Fast::Enum(*variant),
        Value::Text(_) => Fast::Text(TEXT_FIELD | field),
        Value::Row { table, row } => Fast::Row { table: u16::try_from(table.0).unwrap_or(u16::MAX), row: *row },
        Value::Failures(_) => Fast::Failures(u32::MAX),
    })
}
