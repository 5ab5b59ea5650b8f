//! Running the program of a compiled policy on many profiles at once: up to
//! [`LANES`] profiles, one per lane, each instruction run once for every
//! lane that reaches it. Dispatching an instruction is then paid once per
//! group of profiles rather than once per profile, and what remains per
//! profile is the instruction's own work, in short loops over the lanes.
//!
//! Which lanes run an instruction is a mask. A jump moves the lanes it
//! takes to the mask waiting at its target; since every jump of the
//! program goes forward (checked when the buffers are made), running the
//! instructions in order reaches every lane at every instruction of its own
//! path, in its own order. A definition is called, as in the one-profile
//! loop, for the lanes that have not computed it yet, and memoised per lane;
//! how sure a value is, the reliances recorded and the failed conditions are
//! kept per lane, so each lane ends with exactly what the one-profile loop
//! ([`CompiledPolicy::evaluate`]) gives for its profile.
//!
//! A lane that meets anything out of the ordinary (a fault, a call nested
//! deeper than [`MAX_DEPTH`]) is set aside and evaluated again by the
//! one-profile loop, which gives the outcome or the located error. Nothing
//! is lost and nothing differs; only the common path is made fast.

use std::cmp::Ordering;

use super::code::Ins;
use super::run::{Scratch, fast_field};
use super::*;
use crate::eval::{EvalError, arithmetic, bound_holds};

/// How many profiles run together: one bit each in a [`Mask`].
pub const LANES: usize = 64;

/// How far apart two registers' values for the same lane are: a little
/// more than [`LANES`], so that the registers an instruction reads do not
/// fall in the same few sets of the processor's cache, as a power of two would.
const STRIDE: usize = LANES + 4;

/// A set of lanes, one bit each.
type Mask = u64;

const SURE: Certainty = Certainty::Established;

/// Calls nested deeper than this are left to the one-profile loop, whose
/// stack is explicit: the lanes recurse on the machine's stack.
const MAX_DEPTH: usize = 64;

/// The lanes of a mask, lowest first.
struct Each(Mask);

impl Iterator for Each {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let lane = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(lane)
    }
}

#[inline]
fn bit(lane: usize) -> Mask {
    1 << (lane % LANES)
}

/// One worker's buffers for evaluating profiles [`LANES`] at a time. Made
/// once per worker by [`CompiledPolicy::lanes`]; holds no profile between calls.
#[derive(Debug, Clone)]
pub struct Lanes {
    /// Whether the program's jumps all go forward, which running lanes
    /// together needs; when not, every profile goes to the one-profile loop.
    runnable: bool,
    /// Lane-major within a register: register `n` of lane `l` is at `n * LANES + l`.
    registers: Vec<Fast>,
    /// Numbers by place, as the one-profile loop's, each place [`LANES`] wide.
    decimals: Vec<Decimal>,
    /// The weakest certainty each lane has read since its definition or output began.
    sure: [Certainty; LANES],
    /// Lanes left to the one-profile loop in this round.
    aside: Mask,
    rule_done: Vec<Mask>,
    rule_sure: Vec<Certainty>,
    band_done: Vec<Mask>,
    band_memo: Vec<(u16, Certainty)>,
    set_done: Vec<Mask>,
    set_memo: Vec<(Certainty, bool)>,
    /// Lane-major: a lane's failure words are together, as the one-profile loop lays them out.
    failure_bits: Vec<u64>,
    reliance_seen: Vec<Mask>,
    reliances: Vec<Vec<u32>>,
    /// Written as the one-profile loop keeps them (`None` for a value a
    /// `when` left out), so that handing one over is a copy.
    leaves: Vec<Option<Fast>>,
    groups: Vec<Mask>,
    certainties: Vec<Certainty>,
    /// Per instruction: the lanes that jumped to it and wait for it.
    pending: Vec<Mask>,
    /// The compiled policy these buffers were made for.
    owner: u64,
}

impl Lanes {
    fn new(compiled: &CompiledPolicy<'_>) -> Self {
        let scratch = compiled.scratch();
        let registers = scratch.registers().iter().flat_map(|value| [*value; STRIDE]).collect();
        let decimals = scratch.decimals.iter().flat_map(|value| [*value; STRIDE]).collect();
        let code = &compiled.program.code;
        Lanes {
            runnable: forward_only(&compiled.program),
            registers,
            decimals,
            sure: [SURE; LANES],
            aside: 0,
            rule_done: vec![0; compiled.rule_slots],
            rule_sure: vec![SURE; compiled.rule_slots * STRIDE],
            band_done: vec![0; compiled.bands.len()],
            band_memo: vec![(0, SURE); compiled.bands.len() * STRIDE],
            set_done: vec![0; compiled.slot_sets.len()],
            set_memo: vec![(SURE, true); compiled.slot_sets.len() * STRIDE],
            failure_bits: vec![0; compiled.failure_words * LANES],
            reliance_seen: vec![0; compiled.reliance_keys],
            reliances: vec![Vec::new(); LANES],
            leaves: vec![None; compiled.leaves.len() * STRIDE],
            groups: vec![0; compiled.groups as usize],
            certainties: vec![SURE; compiled.outputs.len() * STRIDE],
            pending: vec![0; code.len()],
            owner: compiled.id,
        }
    }

    fn reset(&mut self, lanes: usize) {
        self.sure = [SURE; LANES];
        self.aside = 0;
        self.rule_done.fill(0);
        self.band_done.fill(0);
        self.set_done.fill(0);
        self.failure_bits.fill(0);
        self.reliance_seen.fill(0);
        self.reliances.iter_mut().take(lanes).for_each(Vec::clear);
        self.leaves.fill(None);
        self.groups.fill(0);
        self.pending.fill(0);
    }

    #[inline]
    fn get(&self, register: NodeId, lane: usize) -> Fast {
        self.registers.get(register as usize * STRIDE + lane).copied().unwrap_or(Fast::Bool(false))
    }

    #[inline]
    fn set(&mut self, register: NodeId, lane: usize, value: Fast) {
        if let Some(slot) = self.registers.get_mut(register as usize * STRIDE + lane) {
            *slot = value;
        }
    }

    #[inline]
    fn decimal(&self, place: u32, lane: usize) -> Decimal {
        self.decimals.get(place as usize * STRIDE + lane).copied().unwrap_or_default()
    }

    /// The number in a register of a lane, if it holds one.
    #[inline]
    fn number_in(&self, register: NodeId, lane: usize) -> Option<Decimal> {
        match self.get(register, lane) {
            Fast::Decimal(place) => Some(self.decimal(place, lane)),
            _ => None,
        }
    }

    #[inline]
    fn weaken(&mut self, lanes: Mask, certainty: Certainty) {
        if certainty < SURE {
            for lane in Each(lanes) {
                self.sure[lane] = self.sure[lane].min(certainty);
            }
        }
    }

    /// Copies lane `lane`'s outcome into `scratch`, as if the one-profile loop had evaluated it there.
    fn export(&self, compiled: &CompiledPolicy<'_>, lane: usize, scratch: &mut Scratch) {
        let constants = compiled.constants.len();
        let lane_bit = bit(lane);
        let values = self.leaves.iter().skip(lane % LANES).step_by(STRIDE);
        for (slot, value) in scratch.leaves.iter_mut().zip(values) {
            *slot = *value;
            if let Some(Fast::Decimal(place)) = *slot
                && place as usize >= constants
                && let Some(number) = scratch.decimals.get_mut(place as usize)
            {
                *number = self.decimal(place, lane);
            }
        }
        let words = compiled.failure_words;
        let bits = self.failure_bits.get(lane * words..(lane + 1) * words).unwrap_or(&[]);
        for (slot, word) in scratch.failure_bits.iter_mut().zip(bits) {
            *slot = *word;
        }
        for (slot, present) in scratch.groups.iter_mut().zip(&self.groups) {
            *slot = present & lane_bit != 0;
        }
        let certainties = self.certainties.iter().skip(lane % LANES).step_by(STRIDE);
        for (slot, certainty) in scratch.certainties.iter_mut().zip(certainties) {
            *slot = *certainty;
        }
        scratch.reliances.clear();
        scratch.reliances.extend_from_slice(self.reliances.get(lane).map_or(&[], Vec::as_slice));
    }
}

/// Whether every jump of the program goes forward, and lands inside it.
fn forward_only(program: &code::Program) -> bool {
    let end = program.code.len();
    let forward = |at: usize, to: u32| (to as usize) > at && (to as usize) < end;
    program.code.iter().enumerate().all(|(at, ins)| match *ins {
        // A variant with no arm is `UNSET`: a lane that takes it is set aside.
        Ins::Switch { arms, .. } => program.operands(arms).iter().all(|arm| *arm == code::UNSET || forward(at, *arm)),
        mut ins => ins.target_mut().is_none_or(|to| forward(at, *to)),
    })
}

/// The next group of lanes of `rest` holding the same value of an
/// enumeration in `register`, taken out of `rest`; a lane holding anything
/// else is set aside.
fn next_variant(l: &mut Lanes, rest: &mut Mask, register: NodeId) -> Option<(u16, Mask)> {
    while *rest != 0 {
        let first = rest.trailing_zeros() as usize;
        let Fast::Enum(variant) = l.get(register, first) else {
            l.aside |= bit(first);
            *rest &= !bit(first);
            continue;
        };
        let mut same = 0;
        for lane in Each(*rest) {
            if l.get(register, lane) == Fast::Enum(variant) {
                same |= bit(lane);
            }
        }
        *rest &= !same;
        return Some((variant, same));
    }
    None
}

/// The profiles of one round, one per lane.
struct Round<'r> {
    rows: &'r [&'r [Option<Value>]],
    on: jiff::civil::Date,
}

impl Round<'_> {
    fn row(&self, lane: usize) -> &[Option<Value>] {
        self.rows.get(lane).copied().unwrap_or(&[])
    }
}

impl CompiledPolicy<'_> {
    /// Buffers for [`CompiledPolicy::evaluate_each`]; one per worker, reused for every group of profiles.
    pub fn lanes(&self) -> Lanes {
        Lanes::new(self)
    }

    /// Evaluates every profile of `rows` (each profile's values in field
    /// order, as [`crate::Profile::values`] gives them) as of `on`, and hands
    /// each outcome to `each` in order, with the profile's position: in
    /// `scratch`, read as after [`CompiledPolicy::evaluate`], or the error
    /// that evaluation gives. Profiles run [`LANES`] at a time; returns how
    /// many were set aside and evaluated again one at a time (those that
    /// fail, and any the lanes cannot run).
    pub fn evaluate_each(
        &self,
        rows: &[&[Option<Value>]],
        on: jiff::civil::Date,
        lanes: &mut Lanes,
        scratch: &mut Scratch,
        mut each: impl FnMut(usize, Result<&Scratch, EvalError>),
    ) -> usize {
        let mut set_aside = 0;
        for (group, rows) in rows.chunks(LANES).enumerate() {
            let aside = self.run_lanes(&Round { rows, on }, lanes);
            set_aside += aside.count_ones() as usize;
            for (lane, row) in rows.iter().enumerate() {
                let position = group * LANES + lane;
                if aside & bit(lane) != 0 {
                    match self.evaluate(row, on, scratch) {
                        Ok(()) => each(position, Ok(scratch)),
                        Err(error) => each(position, Err(error)),
                    }
                } else {
                    lanes.export(self, lane, scratch);
                    each(position, Ok(scratch));
                }
            }
        }
        set_aside
    }

    /// Runs the program for every lane of a round; the lanes set aside.
    fn run_lanes(&self, round: &Round<'_>, lanes: &mut Lanes) -> Mask {
        let count = round.rows.len().min(LANES);
        let all = if count == LANES { Mask::MAX } else { (1 << count) - 1 };
        if lanes.owner != self.id {
            *lanes = self.lanes();
        }
        if !lanes.runnable {
            return all;
        }
        lanes.reset(count);
        self.body(lanes, round, 0, all, 0);
        lanes.aside & all
    }

    /// Runs a definition's body (or the outputs, from instruction 0) for the
    /// lanes of `entry`, until every one of them has reached its end.
    fn body(&self, l: &mut Lanes, round: &Round<'_>, start: usize, entry: Mask, depth: usize) {
        let code = &self.program.code;
        let mut pc = start;
        let mut active = entry;
        // The furthest instruction a lane of this body waits at.
        let mut furthest = start;
        loop {
            if let Some(waiting) = l.pending.get_mut(pc) {
                active |= std::mem::take(waiting);
            }
            active &= !l.aside;
            if active == 0 {
                if pc >= furthest {
                    return;
                }
                pc += 1;
                continue;
            }
            let Some(&ins) = code.get(pc) else {
                l.aside |= active;
                return;
            };
            pc += 1;
            // Moves the lanes of `lanes` to instruction `to`.
            let mut jump = |l: &mut Lanes, active: &mut Mask, lanes: Mask, to: u32| {
                if lanes != 0 {
                    if let Some(waiting) = l.pending.get_mut(to as usize) {
                        *waiting |= lanes;
                        furthest = furthest.max(to as usize);
                    } else {
                        l.aside |= lanes;
                    }
                    *active &= !lanes;
                }
            };
            match ins {
                Ins::Field { dst, field } => {
                    for lane in Each(active) {
                        match round.row(lane).get(field as usize) {
                            Some(Some(value)) => {
                                let value = fast_field(value, field, |number| self.lane_number(l, dst, lane, number));
                                l.set(dst, lane, value);
                            }
                            _ => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::Given { dst, field } => {
                    for lane in Each(active) {
                        let given = round.row(lane).get(field as usize).is_some_and(Option::is_some);
                        l.set(dst, lane, Fast::Bool(given));
                    }
                }
                Ins::EvaluationDate { dst } => {
                    for lane in Each(active) {
                        l.set(dst, lane, Fast::Date(round.on));
                    }
                }
                Ins::AddYears { dst, date, years } => {
                    for lane in Each(active) {
                        let added = match (l.get(date, lane), l.number_in(years, lane)) {
                            (Fast::Date(date), Some(years)) => i64::try_from(years)
                                .ok()
                                .filter(|_| years.fract().is_zero())
                                .and_then(|years| crate::check::model::add_years(date, years)),
                            _ => None,
                        };
                        match added {
                            Some(date) => l.set(dst, lane, Fast::Date(date)),
                            None => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::YearsBetween { dst, from, to } => {
                    for lane in Each(active) {
                        match (l.get(from, lane), l.get(to, lane)) {
                            (Fast::Date(from), Fast::Date(to)) => {
                                let years = Decimal::from(crate::check::model::years_between(from, to));
                                self.lane_number(l, dst, lane, years);
                            }
                            _ => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::Read { node } => {
                    if let Some(Node {
                        op: Op::Param { certainty, reliance, .. } | Op::CellConst { certainty, reliance, .. },
                        ..
                    }) = self.nodes.get(node as usize)
                    {
                        self.lane_rely(l, active, *reliance);
                        l.weaken(active, *certainty);
                    }
                }
                Ins::Rule { slot } => {
                    self.lane_rule(l, round, active, slot as usize, depth);
                }
                Ins::RuleAt { dst, rule, index } => {
                    let offset = self.rules.get(rule as usize).map_or(0, |rule| rule.memo_offset);
                    let mut rest = active;
                    while let Some((variant, lanes)) = next_variant(l, &mut rest, index) {
                        let slot = offset + variant as usize;
                        self.lane_rule(l, round, lanes, slot, depth);
                        let src = self.program.rule_values.get(slot).copied().unwrap_or(NodeId::MAX);
                        for lane in Each(lanes) {
                            l.set(dst, lane, l.get(src, lane));
                        }
                    }
                }
                Ins::Band { dst, bands } => {
                    let id = bands as usize;
                    let done = l.band_done.get(id).copied().unwrap_or(0);
                    self.lane_call(l, round, self.program.band_entries.get(id), active & !done, depth);
                    for lane in Each(active & !l.aside) {
                        let (band, certainty) = l.band_memo.get(id * STRIDE + lane).copied().unwrap_or((0, SURE));
                        l.sure[lane] = l.sure[lane].min(certainty);
                        l.set(dst, lane, Fast::Enum(band));
                    }
                }
                Ins::Conditions { dst, slot, failures } => {
                    self.lane_conditions(l, round, active, dst, slot as usize, failures, depth);
                }
                Ins::ConditionsAt { dst, set, index, failures } => {
                    let offset = self.sets.get(set as usize).map_or(0, |set| set.memo_offset);
                    let mut rest = active;
                    while let Some((variant, lanes)) = next_variant(l, &mut rest, index) {
                        self.lane_conditions(l, round, lanes, dst, offset + variant as usize, failures, depth);
                    }
                }
                Ins::Cell { dst, table, keys, column } => {
                    for lane in Each(active) {
                        let row = self.row(table, keys, |key| l.get(key, lane));
                        let cell = row.and_then(|row| self.table_cell(table, row, column));
                        self.lane_cell(l, dst, lane, cell);
                    }
                }
                Ins::TableRow { dst, table, keys } => {
                    for lane in Each(active) {
                        match self.row(table, keys, |key| l.get(key, lane)) {
                            Some(row) => {
                                let table = u16::try_from(table).unwrap_or(u16::MAX);
                                l.set(dst, lane, Fast::Row { table, row });
                            }
                            None => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::RowField { dst, row, column } => {
                    for lane in Each(active) {
                        let cell = match l.get(row, lane) {
                            Fast::Row { table, row } => self.table_cell(u32::from(table), row, column),
                            _ => None,
                        };
                        self.lane_cell(l, dst, lane, cell);
                    }
                }
                Ins::Not { dst, operand } => {
                    for lane in Each(active) {
                        match l.get(operand, lane) {
                            Fast::Bool(value) => l.set(dst, lane, Fast::Bool(!value)),
                            _ => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::Neg { dst, operand } => {
                    for lane in Each(active) {
                        match l.number_in(operand, lane) {
                            Some(value) => {
                                self.lane_number(l, dst, lane, -value);
                            }
                            None => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::Arith { op, dst, left, right } => {
                    for lane in Each(active) {
                        let result = match (l.number_in(left, lane), l.number_in(right, lane)) {
                            (Some(left), Some(right)) => arithmetic(op, left, right).ok(),
                            _ => None,
                        };
                        match result {
                            Some(result) => {
                                self.lane_number(l, dst, lane, result);
                            }
                            None => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::Compare { op, dst, left, right } => {
                    for lane in Each(active) {
                        match self.lane_compare(l, round, lane, l.get(left, lane), l.get(right, lane)) {
                            Some(ordering) => l.set(dst, lane, Fast::Bool(op.holds(ordering))),
                            None => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::AndLeft { dst, left, to } | Ins::OrLeft { dst, left, to } => {
                    // `and` ends at false, `or` at true; the right operand is not read.
                    let ends_at = matches!(ins, Ins::OrLeft { .. });
                    let mut ending = 0;
                    for lane in Each(active) {
                        match l.get(left, lane) {
                            Fast::Bool(value) if value == ends_at => {
                                l.set(dst, lane, Fast::Bool(value));
                                ending |= bit(lane);
                            }
                            Fast::Bool(_) => {}
                            _ => l.aside |= bit(lane),
                        }
                    }
                    jump(l, &mut active, ending, to);
                }
                Ins::Bool { dst, operand } => {
                    for lane in Each(active) {
                        match l.get(operand, lane) {
                            value @ Fast::Bool(_) => l.set(dst, lane, value),
                            _ => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::InItem { dst, value, item, to } => {
                    let mut found = 0;
                    for lane in Each(active) {
                        let ordering = self.lane_compare(l, round, lane, l.get(value, lane), l.get(item, lane));
                        if ordering.is_some_and(Ordering::is_eq) {
                            l.set(dst, lane, Fast::Bool(true));
                            found |= bit(lane);
                        }
                    }
                    jump(l, &mut active, found, to);
                }
                Ins::NotIn { dst } => {
                    for lane in Each(active) {
                        l.set(dst, lane, Fast::Bool(false));
                    }
                }
                Ins::IfNot { condition, to, .. } => {
                    let mut otherwise = 0;
                    for lane in Each(active) {
                        match l.get(condition, lane) {
                            Fast::Bool(true) => {}
                            Fast::Bool(false) => otherwise |= bit(lane),
                            _ => l.aside |= bit(lane),
                        }
                    }
                    jump(l, &mut active, otherwise, to);
                }
                Ins::Switch { scrutinee, arms, .. } => {
                    let arms = self.program.operands(arms);
                    let mut rest = active;
                    while let Some((variant, lanes)) = next_variant(l, &mut rest, scrutinee) {
                        match arms.get(variant as usize) {
                            Some(arm) if *arm != code::UNSET => jump(l, &mut active, lanes, *arm),
                            _ => l.aside |= lanes,
                        }
                    }
                    active = 0;
                }
                Ins::Round { dst, value, strategy, places } => {
                    for lane in Each(active) {
                        match l.number_in(value, lane) {
                            Some(value) => {
                                self.lane_number(l, dst, lane, value.round_dp_with_strategy(places, strategy));
                            }
                            None => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::MinMax { dst, values: items, min } => {
                    let items = self.program.operands(items);
                    for lane in Each(active) {
                        let mut best: Option<Fast> = None;
                        for item in items {
                            let item = l.get(*item, lane);
                            best = match best {
                                None => Some(item),
                                Some(current) => self.lane_compare(l, round, lane, item, current).map(|ordering| {
                                    let better = if min { ordering.is_lt() } else { ordering.is_gt() };
                                    if better { item } else { current }
                                }),
                            };
                            if best.is_none() {
                                break;
                            }
                        }
                        match best {
                            Some(best) => l.set(dst, lane, best),
                            None => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::Move { dst, src } => {
                    for lane in Each(active) {
                        l.set(dst, lane, l.get(src, lane));
                    }
                }
                Ins::Jump { to } => {
                    let all = active;
                    jump(l, &mut active, all, to);
                }
                Ins::Unless { guard, to } => {
                    let mut skip = 0;
                    for lane in Each(active) {
                        if l.get(guard, lane) != Fast::Bool(true) {
                            skip |= bit(lane);
                        }
                    }
                    jump(l, &mut active, skip, to);
                }
                Ins::EndRule { rule, slot } => {
                    let definition = self.rules.get(rule as usize);
                    self.lane_rely(l, active, definition.and_then(|rule| rule.reliance));
                    let certainty = definition.map_or(SURE, |rule| rule.certainty);
                    let slot = slot as usize;
                    for lane in Each(active) {
                        if let Some(memo) = l.rule_sure.get_mut(slot * STRIDE + lane) {
                            *memo = l.sure[lane].min(certainty);
                        }
                    }
                    if let Some(done) = l.rule_done.get_mut(slot) {
                        *done |= active;
                    }
                    active = 0;
                }
                Ins::Bound { over, limit, lower, inclusive, to } => {
                    let mut misses = 0;
                    for lane in Each(active) {
                        match self.lane_compare(l, round, lane, l.get(over, lane), l.get(limit, lane)) {
                            Some(ordering) if bound_holds(lower, inclusive, ordering) => {}
                            Some(_) => misses |= bit(lane),
                            None => l.aside |= bit(lane),
                        }
                    }
                    jump(l, &mut active, misses, to);
                }
                Ins::EndBand { bands, band } => {
                    let definition = self.bands.get(bands as usize).and_then(|bands| bands.bands.get(band as usize));
                    self.lane_rely(l, active, definition.and_then(|band| band.reliance));
                    let certainty = definition.map_or(SURE, |band| band.certainty);
                    let band = u16::try_from(band).unwrap_or(u16::MAX);
                    for lane in Each(active) {
                        if let Some(memo) = l.band_memo.get_mut(bands as usize * STRIDE + lane) {
                            *memo = (band, l.sure[lane].min(certainty));
                        }
                    }
                    if let Some(done) = l.band_done.get_mut(bands as usize) {
                        *done |= active;
                    }
                    active = 0;
                }
                // No band holds: the one-profile loop reports it, with the value.
                Ins::NoBand { .. } => {
                    l.aside |= active;
                    active = 0;
                }
                Ins::Halt => active = 0,
                Ins::Condition { set, slot, position, holds } => {
                    let definition = self.sets.get(set as usize);
                    let condition = definition.and_then(|set| set.conditions.get(position as usize));
                    self.lane_rely(l, active, condition.and_then(|condition| condition.reliance));
                    l.weaken(active, condition.map_or(SURE, |condition| condition.certainty));
                    if let Some(set) = definition {
                        let word = set.words(slot).start + position as usize / 64;
                        for lane in Each(active) {
                            if l.get(holds, lane) != Fast::Bool(true)
                                && let Some(bits) = l.failure_bits.get_mut(lane * self.failure_words + word)
                            {
                                *bits |= 1 << (position % 64);
                            }
                        }
                    }
                }
                Ins::EndConditions { slot } => {
                    let set = self.slot_sets.get(slot as usize).and_then(|set| self.sets.get(*set as usize));
                    let words = set.map_or(0..0, |set| set.words(slot));
                    let slot = slot as usize;
                    for lane in Each(active) {
                        let first = lane * self.failure_words;
                        let all_hold = l
                            .failure_bits
                            .get(first + words.start..first + words.end)
                            .is_none_or(|words| words.iter().all(|word| *word == 0));
                        if let Some(memo) = l.set_memo.get_mut(slot * STRIDE + lane) {
                            *memo = (l.sure[lane], all_hold);
                        }
                    }
                    if let Some(done) = l.set_done.get_mut(slot) {
                        *done |= active;
                    }
                    active = 0;
                }
                Ins::Leaf { leaf, src } => {
                    let leaf = leaf as usize;
                    for lane in Each(active) {
                        let value = l.get(src, lane);
                        if let Some(slot) = l.leaves.get_mut(leaf * STRIDE + lane) {
                            *slot = Some(value);
                        }
                    }
                }
                Ins::Group { group } => {
                    if let Some(present) = l.groups.get_mut(group as usize) {
                        *present |= active;
                    }
                }
                Ins::Certainty { output } => {
                    for lane in Each(active) {
                        if let Some(slot) = l.certainties.get_mut(output as usize * STRIDE + lane) {
                            *slot = l.sure[lane];
                        }
                        l.sure[lane] = SURE;
                    }
                }
            }
        }
    }

    /// Calls a definition for the lanes of `need`, each starting afresh, and
    /// gives them back how sure they were before.
    fn lane_call(&self, l: &mut Lanes, round: &Round<'_>, entry: Option<&u32>, need: Mask, depth: usize) {
        if need == 0 {
            return;
        }
        let Some(entry) = entry.filter(|_| depth < MAX_DEPTH) else {
            l.aside |= need;
            return;
        };
        let before = l.sure;
        for lane in Each(need) {
            l.sure[lane] = SURE;
        }
        self.body(l, round, *entry as usize, need, depth + 1);
        for lane in Each(need) {
            l.sure[lane] = before[lane];
        }
    }

    /// Makes sure slot `slot` of a rule is computed for the lanes given, and reads how sure it is.
    fn lane_rule(&self, l: &mut Lanes, round: &Round<'_>, lanes: Mask, slot: usize, depth: usize) {
        let done = l.rule_done.get(slot).copied().unwrap_or(0);
        self.lane_call(l, round, self.program.rule_entries.get(slot), lanes & !done, depth);
        for lane in Each(lanes & !l.aside) {
            let certainty = l.rule_sure.get(slot * STRIDE + lane).copied().unwrap_or(SURE);
            l.sure[lane] = l.sure[lane].min(certainty);
        }
    }

    /// A condition set's slot for the lanes given: computed if need be, then read.
    #[allow(clippy::too_many_arguments)]
    fn lane_conditions(
        &self,
        l: &mut Lanes,
        round: &Round<'_>,
        lanes: Mask,
        dst: NodeId,
        slot: usize,
        failures: bool,
        depth: usize,
    ) {
        let done = l.set_done.get(slot).copied().unwrap_or(0);
        self.lane_call(l, round, self.program.set_entries.get(slot), lanes & !done, depth);
        for lane in Each(lanes & !l.aside) {
            let (certainty, all_hold) = l.set_memo.get(slot * STRIDE + lane).copied().unwrap_or((SURE, true));
            l.sure[lane] = l.sure[lane].min(certainty);
            let value =
                if failures { Fast::Failures(u32::try_from(slot).unwrap_or(u32::MAX)) } else { Fast::Bool(all_hold) };
            l.set(dst, lane, value);
        }
    }

    /// Reads a cell for a lane (relying on it if it is not established), or sets the lane aside.
    fn lane_cell(&self, l: &mut Lanes, dst: NodeId, lane: usize, cell: Option<&CompiledCell>) {
        match cell {
            Some(cell) => {
                self.lane_rely(l, bit(lane), cell.reliance);
                l.sure[lane] = l.sure[lane].min(cell.certainty);
                l.set(dst, lane, cell.value);
            }
            None => l.aside |= bit(lane),
        }
    }

    /// Records a reliance for each lane of `lanes` that has not read its place yet.
    #[inline]
    fn lane_rely(&self, l: &mut Lanes, lanes: Mask, reliance: Option<u32>) {
        let Some(id) = reliance else { return };
        let Some(definition) = self.reliances.get(id as usize) else { return };
        let Some(seen) = l.reliance_seen.get_mut(definition.key as usize) else { return };
        let first = lanes & !*seen;
        *seen |= first;
        for lane in Each(first) {
            if let Some(reliances) = l.reliances.get_mut(lane) {
                reliances.push(id);
            }
        }
    }

    /// Writes a number computed for node `dst` of a lane in its place; the value that refers to it.
    #[inline]
    fn lane_number(&self, l: &mut Lanes, dst: NodeId, lane: usize, value: Decimal) -> Fast {
        let place = self.constants.len() + dst as usize;
        if let Some(slot) = l.decimals.get_mut(place * STRIDE + lane) {
            *slot = value;
        }
        let number = Fast::Decimal(u32::try_from(place).unwrap_or(u32::MAX));
        l.set(dst, lane, number);
        number
    }

    fn lane_compare(&self, l: &Lanes, round: &Round<'_>, lane: usize, left: Fast, right: Fast) -> Option<Ordering> {
        self.compare_with(|place| l.decimal(place, lane), round.row(lane), left, right)
    }
}
