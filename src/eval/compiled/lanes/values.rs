//! The instructions that compute a value from others: fields of the
//! profile, dates, `not`, negation, arithmetic, comparisons, rounding,
//! `min` and `max`. Each computes what it can in words or lane by lane
//! and sets aside every lane it cannot compute.

use std::cmp::Ordering;

use super::super::run::fast_field;
use super::*;
use masks::{flag, keep};

/// Whether the profile gives an optional field.
pub(super) fn given(l: &mut Lanes, batch: &Batch<'_>, active: Mask, dst: NodeId, field: u32) {
    let (mut known, mut given) = (0, 0);
    for lane in Each(active) {
        let value = batch.row(lane).map(|row| row.get(field as usize).is_some_and(Option::is_some));
        known |= flag(value.is_some(), lane);
        given |= flag(value == Some(true), lane);
    }
    l.aside |= active & !known;
    l.set_bools(dst, known, given);
}

pub(super) fn add_years(l: &mut Lanes, active: Mask, dst: NodeId, date: NodeId, years: NodeId) {
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

pub(super) fn not(l: &mut Lanes, active: Mask, dst: NodeId, operand: NodeId) {
    let (yes, no) = l.truth(operand, active);
    l.set_bools(dst, yes | no, no);
}

impl CompiledPolicy<'_> {
    /// Reads a field into the register its readings share, once per lane and batch.
    pub(super) fn field(&self, l: &mut Lanes, batch: &Batch<'_>, active: Mask, dst: NodeId, field: u32) {
        // A lane reads each field once: later readings find it in the shared register.
        let Some(done) = l.fields_read.get_mut(field as usize) else {
            l.aside |= active;
            return;
        };
        let active = active & !std::mem::replace(done, *done | active);
        let rest = l.map(active, dst, |_, row, read| {
            for lane in Each(active) {
                let value = match batch.row(lane).and_then(|row| row.get(field as usize)) {
                    Some(Some(value)) => fast_field(value, field).ok(),
                    _ => None,
                };
                keep(row, read, lane, value);
            }
        });
        // Numbers too wide to be carried in the value, and fields the profile lacks.
        for lane in Each(rest) {
            match batch.row(lane).and_then(|row| row.get(field as usize)) {
                Some(Some(Value::Decimal(number))) => self.lane_number(l, dst, lane, *number),
                _ => l.aside |= bit(lane),
            }
        }
    }

    pub(super) fn years_between(&self, l: &mut Lanes, active: Mask, dst: NodeId, from: NodeId, to: NodeId) {
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

    pub(super) fn neg(&self, l: &mut Lanes, active: Mask, dst: NodeId, operand: NodeId) {
        for lane in Each(active) {
            match l.number_in(operand, lane) {
                Some(value) => self.lane_number(l, dst, lane, -value),
                None => l.aside |= bit(lane),
            }
        }
    }

    /// Numbers carried in their values in words where the result is one too; any other by rust_decimal.
    pub(super) fn arith(&self, l: &mut Lanes, active: Mask, op: ArithOp, dst: NodeId, (left, right): (NodeId, NodeId)) {
        let rest = match op {
            ArithOp::Div => active,
            _ => l.map_pair(active, dst, (left, right), |left, right| left.small_arithmetic(op, right)),
        };
        for lane in Each(rest) {
            let result = match (l.number_in(left, lane), l.number_in(right, lane)) {
                (Some(left), Some(right)) => number::arithmetic(op, left, right).ok(),
                _ => None,
            };
            match result {
                Some(result) => self.lane_number(l, dst, lane, result),
                None => l.aside |= bit(lane),
            }
        }
    }

    /// A comparison: a lane whose values cannot be ordered (never, once
    /// `invariants::check` passed) is set aside, never read as false.
    pub(super) fn compare_lanes(
        &self,
        l: &mut Lanes,
        batch: &Batch<'_>,
        active: Mask,
        op: CompareOp,
        dst: NodeId,
        (left, right): (NodeId, NodeId),
    ) {
        let (mut compared, mut holds) = (0, 0);
        l.each_pair(active, left, right, |lane, left, right| {
            let ordering = self.lane_compare(l, batch, lane, left, right);
            compared |= flag(ordering.is_some(), lane);
            holds |= flag(ordering.is_some_and(|ordering| op.holds(ordering)), lane);
        });
        l.aside |= active & !compared;
        l.set_bools(dst, compared, holds);
    }

    pub(super) fn round(
        &self,
        l: &mut Lanes,
        active: Mask,
        dst: NodeId,
        value: NodeId,
        (strategy, places): (RoundingStrategy, u32),
    ) {
        let rest = l.map_one(active, dst, value, |value| value.small_rounded(places, strategy));
        for lane in Each(rest) {
            match l.number_in(value, lane) {
                Some(value) => self.lane_number(l, dst, lane, number::round(value, places, strategy)),
                None => l.aside |= bit(lane),
            }
        }
    }

    pub(super) fn min_max(&self, l: &mut Lanes, batch: &Batch<'_>, active: Mask, dst: NodeId, items: List, min: bool) {
        let Some(items) = self.program.operands(items) else {
            l.aside |= active;
            return;
        };
        for lane in Each(active) {
            let mut best: Option<Fast> = None;
            for item in items {
                let item = l.get(*item, lane);
                best = match best {
                    None => Some(item),
                    Some(current) => self.lane_compare(l, batch, lane, item, current).map(|ordering| {
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

    /// Writes a number computed for node `dst` of a lane to its register:
    /// in the value if it fits, else in its place.
    #[inline]
    pub(super) fn lane_number(&self, l: &mut Lanes, dst: NodeId, lane: usize, value: Decimal) {
        let number = Fast::number(value, |value| self.place_number(l, dst, lane, value));
        l.set(dst, lane, number);
    }

    /// Writes a number computed for node `dst` of a lane in its place; the value that refers to it.
    #[inline]
    #[expect(
        clippy::indexing_slicing,
        reason = "`dst` is a node (invariants::check), with STRIDE places per node; `lane % LANES` < STRIDE"
    )]
    fn place_number(&self, l: &mut Lanes, dst: NodeId, lane: usize, value: Decimal) -> Fast {
        l.decimals[dst as usize * STRIDE + lane % LANES] = value;
        // Fits: invariants::check counted the places. Were it not to, `u32::MAX` is no place, and reading it sets the lane aside.
        Fast::Decimal(u32::try_from(self.constants.len() + dst as usize).unwrap_or(u32::MAX))
    }

    /// Orders two values of a lane: values of enumerations and numbers that fit a [`Small`] here,
    /// which are what populations compare most, any other kind out of line.
    #[inline(always)]
    pub(super) fn lane_compare(
        &self,
        l: &Lanes,
        batch: &Batch<'_>,
        lane: usize,
        left: Fast,
        right: Fast,
    ) -> Option<Ordering> {
        match (left, right) {
            (Fast::Enum(a), Fast::Enum(b)) => Some(a.cmp(&b)),
            (Fast::Number(a), Fast::Number(b)) => Some(number::compare_small(a, b)),
            _ => self.lane_compare_other(l, batch, lane, (left, right)),
        }
    }

    /// Any other pair of values: dates, texts, booleans, numbers by their place.
    #[inline(never)]
    fn lane_compare_other(&self, l: &Lanes, batch: &Batch<'_>, lane: usize, values: (Fast, Fast)) -> Option<Ordering> {
        self.compare_with(|place| l.decimal(place, lane), batch.row(lane)?, values.0, values.1)
    }
}
