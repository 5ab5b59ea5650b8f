//! The loop over a body's instructions: which lanes run the next one
//! ([`Walk`]), and one call per instruction, to the function of its family.

use super::*;

/// The profiles of one batch, one per lane.
pub(super) struct Batch<'r> {
    pub(super) rows: &'r [&'r [Option<Value>]],
    pub(super) on: jiff::civil::Date,
}

impl Batch<'_> {
    /// The profile of a lane; none for a lane past the batch's last profile,
    /// which no instruction runs ([`CompiledPolicy::run_lanes`]' mask).
    pub(super) fn row(&self, lane: usize) -> Option<&[Option<Value>]> {
        self.rows.get(lane).copied()
    }
}

/// Where the lanes of one body are: those that run the next instruction,
/// and the furthest instruction a lane of this body waits at.
pub(super) struct Walk {
    pub(super) active: Mask,
    furthest: usize,
}

impl Walk {
    /// Moves the lanes of `mask` to instruction `to`, where they wait until the loop reaches it.
    #[inline(always)]
    pub(super) fn jump(&mut self, l: &mut Lanes, mask: Mask, to: u32) {
        if mask == 0 {
            return;
        }
        match l.pending.get_mut(to as usize) {
            Some(waiting) => {
                *waiting |= mask;
                self.furthest = self.furthest.max(to as usize);
            }
            None => l.aside |= mask,
        }
        self.active &= !mask;
    }
}

impl CompiledPolicy<'_> {
    /// Runs a definition's body (or the outputs, from instruction 0) for the
    /// lanes of `entry`, until every one of them has reached its end.
    pub(super) fn body(&self, l: &mut Lanes, batch: &Batch<'_>, start: usize, entry: Mask, depth: usize) {
        let code = &self.program.code;
        let mut pc = start;
        let mut walk = Walk { active: entry, furthest: start };
        loop {
            if let Some(waiting) = l.pending.get_mut(pc) {
                walk.active |= std::mem::take(waiting);
            }
            walk.active &= !l.aside;
            if walk.active == 0 {
                if pc >= walk.furthest {
                    return;
                }
                pc += 1;
                continue;
            }
            let Some(&ins) = code.get(pc) else {
                l.aside |= walk.active;
                return;
            };
            pc += 1;
            let active = walk.active;
            match ins {
                Ins::Field { dst, field, .. } => self.field(l, batch, active, dst, field),
                Ins::Given { dst, field } => given(l, batch, active, dst, field),
                Ins::EvaluationDate { dst } => l.fill(dst, active, Fast::Date(batch.on)),
                Ins::AddYears { dst, date, years } => add_years(l, active, dst, date, years),
                Ins::YearsBetween { dst, from, to } => self.years_between(l, active, dst, from, to),
                Ins::Read { node } => self.read(l, active, node),
                Ins::Rule { slot } => self.lane_rule(l, batch, active, slot as usize, depth),
                Ins::RuleAt { dst, rule, index } => self.rule_at(l, batch, active, (dst, rule, index), depth),
                Ins::Band { dst, bands } => self.band(l, batch, active, dst, bands, depth),
                Ins::Conditions { dst, slot, failures } => {
                    self.lane_conditions(l, batch, active, (dst, slot, failures), depth);
                }
                Ins::ConditionsAt { dst, set, index, failures } => {
                    self.conditions_at(l, batch, active, (dst, set, index, failures), depth);
                }
                Ins::Cell { dst, table, keys, column } => self.cell_at_keys(l, active, dst, (table, keys, column)),
                Ins::TableRow { dst, table, keys } => self.table_row(l, active, dst, table, keys),
                Ins::RowField { dst, row, column } => self.row_field(l, active, dst, row, column),
                Ins::Not { dst, operand } => not(l, active, dst, operand),
                Ins::Neg { dst, operand } => self.neg(l, active, dst, operand),
                Ins::Arith { op, dst, left, right } => self.arith(l, active, op, dst, (left, right)),
                Ins::Compare { op, dst, left, right } => self.compare_lanes(l, batch, active, op, dst, (left, right)),
                Ins::AndLeft { dst, left, to } => and_or_left(l, &mut walk, dst, left, to, false),
                Ins::OrLeft { dst, left, to } => and_or_left(l, &mut walk, dst, left, to, true),
                Ins::Bool { dst, operand } => boolean(l, active, dst, operand),
                Ins::InItem { dst, value, item, to } => self.in_item(l, batch, &mut walk, dst, (value, item), to),
                Ins::NotIn { dst } => l.set_bools(dst, active, 0),
                Ins::IfNot { condition, to, .. } => if_not(l, &mut walk, condition, to),
                Ins::Switch { scrutinee, arms, .. } => self.switch(l, &mut walk, scrutinee, arms),
                Ins::Round { dst, value, strategy, places } => self.round(l, active, dst, value, (strategy, places)),
                Ins::MinMax { dst, values, min } => self.min_max(l, batch, active, dst, values, min),
                Ins::Move { dst, src } => l.copy(dst, src, active),
                Ins::Jump { to } => walk.jump(l, active, to),
                Ins::Unless { guard, to } => walk.jump(l, active & !l.holds(guard, active), to),
                Ins::Bound { over, limit, lower, inclusive, to } => {
                    self.bound(l, batch, &mut walk, (over, limit), (lower, inclusive), to);
                }
                Ins::EndRule { rule, slot } => self.end_rule(l, &mut walk, rule, slot),
                Ins::EndBand { bands, band } => self.end_band(l, &mut walk, bands, band),
                // No band holds: the one-profile loop reports it, with the value.
                Ins::NoBand { .. } => {
                    l.aside |= active;
                    walk.active = 0;
                }
                Ins::Condition { set, slot, position, holds } => {
                    self.condition(l, active, (set, slot, position), holds)
                }
                Ins::EndConditions { slot } => self.end_conditions(l, &mut walk, slot),
                Ins::Leaf { leaf, .. } => mark(&mut l.aside, l.leaves.get_mut(leaf as usize), active),
                Ins::Group { group } => mark(&mut l.aside, l.groups.get_mut(group as usize), active),
                Ins::Certainty { output } => certainty(l, active, output),
                Ins::Halt => walk.active = 0,
            }
        }
    }
}
