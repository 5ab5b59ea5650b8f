//! Definitions called and memoised per lane (rules, bands, condition
//! sets), the values read that are not established (assumptions), and the
//! instructions that mark what an output holds.

use super::*;
use masks::{Keys, groups, keep, merge, set_lane};

/// Marks the lanes of `active` in an output's mask (an output value reached, a group present).
pub(super) fn mark(aside: &mut Mask, reached: Option<&mut Mask>, active: Mask) {
    match reached {
        Some(reached) => *reached |= active,
        None => *aside |= active,
    }
}

/// The end of an output: how sure it is is what each lane read since the last one.
pub(super) fn certainty(l: &mut Lanes, active: Mask, output: u32) {
    let sure = l.sure;
    match l.certainties.get_mut(output as usize) {
        Some(slot) => slot.replace(sure, active),
        None => l.aside |= active,
    }
    l.sure.replace(Certainties::default(), active);
}

impl CompiledPolicy<'_> {
    /// A value that is not established is read (a parameter, a table's cell known when compiling).
    pub(super) fn read(&self, l: &mut Lanes, active: Mask, node: NodeId) {
        match self.nodes.get(node as usize).map(|node| &node.op) {
            Some(Op::Param { certainty, assumption, .. } | Op::CellConst { certainty, assumption, .. }) => {
                self.lane_assume(l, active, *assumption);
                l.sure.weaken(active, *certainty);
            }
            _ => l.aside |= active,
        }
    }

    /// A rule at an index known only when evaluating: each group of lanes at one slot.
    pub(super) fn rule_at(
        &self,
        l: &mut Lanes,
        batch: &Batch<'_>,
        active: Mask,
        (dst, rule, index): (NodeId, u32, NodeId),
        depth: usize,
    ) {
        let Some(definition) = self.rules.get(rule as usize) else {
            l.aside |= active;
            return;
        };
        groups(l, active, &Keys::variants(l, active, index), |l, variant, mask| {
            let slot = definition.memo_offset + variant as usize;
            self.lane_rule(l, batch, mask, slot, depth);
            match self.program.rule_values.get(slot) {
                Some(src) => l.copy(dst, *src, mask & !l.aside),
                None => l.aside |= mask,
            }
        });
    }

    /// The band each lane's value is in: computed if need be, then read.
    pub(super) fn band(&self, l: &mut Lanes, batch: &Batch<'_>, active: Mask, dst: NodeId, bands: u32, depth: usize) {
        let id = bands as usize;
        let Some(done) = l.band_done.get(id).copied() else {
            l.aside |= active;
            return;
        };
        self.lane_call(l, batch, self.program.band_entries.get(id), active & !done, depth);
        let mask = active & !l.aside;
        let Some(sure) = l.band_sure.get(id).copied() else {
            l.aside |= mask;
            return;
        };
        l.sure.join(sure, mask);
        let rest = l.map(mask, dst, |l, row, done| {
            for lane in Each(mask) {
                let band = l.band_memo.get(id * STRIDE + lane % LANES).copied();
                keep(row, done, lane, band.map(Fast::Enum));
            }
        });
        l.aside |= rest;
    }

    /// A condition set at an index known only when evaluating: each group of lanes at one slot.
    pub(super) fn conditions_at(
        &self,
        l: &mut Lanes,
        batch: &Batch<'_>,
        active: Mask,
        (dst, set, index, failures): (NodeId, u32, NodeId, bool),
        depth: usize,
    ) {
        let Some(offset) = self.sets.get(set as usize).and_then(|set| u32::try_from(set.memo_offset).ok()) else {
            l.aside |= active;
            return;
        };
        groups(l, active, &Keys::variants(l, active, index), |l, variant, mask| {
            let slot = offset.saturating_add(variant as u32);
            self.lane_conditions(l, batch, mask, (dst, slot, failures), depth);
        });
    }

    /// The end of a rule slot's body: memoise how sure it is, per lane, and return.
    pub(super) fn end_rule(&self, l: &mut Lanes, walk: &mut Walk, rule: u32, slot: u32) {
        let (active, slot) = (walk.active, slot as usize);
        match self.rules.get(rule as usize) {
            Some(definition) if slot < l.rule_done.len() && slot < l.rule_sure.len() => {
                self.lane_assume(l, active, definition.assumption);
                let mut sure = l.sure;
                sure.weaken(active, definition.certainty);
                if let (Some(memo), Some(done)) = (l.rule_sure.get_mut(slot), l.rule_done.get_mut(slot)) {
                    memo.replace(sure, active);
                    *done |= active;
                }
            }
            _ => l.aside |= active,
        }
        walk.active = 0;
    }

    /// Every bound of band `band` held: memoise it, per lane, and return.
    pub(super) fn end_band(&self, l: &mut Lanes, walk: &mut Walk, bands: u32, band: u32) {
        let (active, id) = (walk.active, bands as usize);
        let definition = self.bands.get(id).and_then(|bands| bands.bands.get(band as usize));
        let memo = (id + 1) * STRIDE <= l.band_memo.len() && id < l.band_sure.len() && id < l.band_done.len();
        match (definition, u16::try_from(band)) {
            (Some(definition), Ok(band)) if memo => {
                self.lane_assume(l, active, definition.assumption);
                let mut sure = l.sure;
                sure.weaken(active, definition.certainty);
                if let Some(memo) = l.band_sure.get_mut(id) {
                    memo.replace(sure, active);
                }
                if let Some(memo) = l.band_memo.get_mut(id * STRIDE..(id + 1) * STRIDE) {
                    Each(active).for_each(|lane| set_lane(memo, lane, band));
                }
                if let Some(done) = l.band_done.get_mut(id) {
                    *done |= active;
                }
            }
            _ => l.aside |= active,
        }
        walk.active = 0;
    }

    /// One condition of a slot of a set: the lanes where it does not hold record it failed.
    pub(super) fn condition(&self, l: &mut Lanes, active: Mask, (set, slot, position): (u32, u32, u32), holds: NodeId) {
        let definition = self.sets.get(set as usize);
        let condition = definition.and_then(|set| set.conditions.get(position as usize));
        let bit = definition.map(|set| set.bits(slot).start + position as usize);
        match (condition, bit) {
            (Some(condition), Some(bit)) if bit < l.failed.len() => {
                self.lane_assume(l, active, condition.assumption);
                l.sure.weaken(active, condition.certainty);
                let failing = active & !l.holds(holds, active);
                if let Some(failed) = l.failed.get_mut(bit) {
                    *failed |= failing;
                }
            }
            _ => l.aside |= active,
        }
    }

    /// The end of a condition set's slot: memoise, per lane, whether every condition held, and return.
    pub(super) fn end_conditions(&self, l: &mut Lanes, walk: &mut Walk, slot: u32) {
        let active = walk.active;
        let bits = self.slot_set(slot).map(|set| set.bits(slot));
        let failed = bits.and_then(|bits| l.failed.get(bits));
        let slot = slot as usize;
        match failed {
            Some(failed) if slot < l.set_hold.len() && slot < l.set_sure.len() && slot < l.set_done.len() => {
                let failing = failed.iter().fold(0, |all, mask| all | mask);
                let sure = l.sure;
                if let (Some(hold), Some(memo), Some(done)) =
                    (l.set_hold.get_mut(slot), l.set_sure.get_mut(slot), l.set_done.get_mut(slot))
                {
                    *hold = merge(*hold, !failing, active);
                    memo.replace(sure, active);
                    *done |= active;
                }
            }
            _ => l.aside |= active,
        }
        walk.active = 0;
    }

    /// Calls a definition for the lanes of `need`, each starting afresh, and
    /// gives them back how sure they were before.
    fn lane_call(&self, l: &mut Lanes, batch: &Batch<'_>, entry: Option<&u32>, need: Mask, depth: usize) {
        if need == 0 {
            return;
        }
        let Some(entry) = entry.filter(|_| depth < MAX_DEPTH) else {
            l.aside |= need;
            return;
        };
        let before = l.sure;
        l.sure.replace(Certainties::default(), need);
        self.body(l, batch, *entry as usize, need, depth + 1);
        l.sure.replace(before, need);
    }

    /// Makes sure slot `slot` of a rule is computed for the lanes given, and reads how sure it is.
    pub(super) fn lane_rule(&self, l: &mut Lanes, batch: &Batch<'_>, mask: Mask, slot: usize, depth: usize) {
        let (Some(done), Some(_)) = (l.rule_done.get(slot).copied(), l.rule_sure.get(slot)) else {
            l.aside |= mask;
            return;
        };
        self.lane_call(l, batch, self.program.rule_entries.get(slot), mask & !done, depth);
        if let Some(sure) = l.rule_sure.get(slot).copied() {
            l.sure.join(sure, mask & !l.aside);
        }
    }

    /// A condition set's slot for the lanes given: computed if need be, then read.
    pub(super) fn lane_conditions(
        &self,
        l: &mut Lanes,
        batch: &Batch<'_>,
        mask: Mask,
        (dst, slot, failures): (NodeId, u32, bool),
        depth: usize,
    ) {
        let index = slot as usize;
        let (Some(done), Some(_), Some(_)) =
            (l.set_done.get(index).copied(), l.set_sure.get(index), l.set_hold.get(index))
        else {
            l.aside |= mask;
            return;
        };
        self.lane_call(l, batch, self.program.set_entries.get(index), mask & !done, depth);
        let mask = mask & !l.aside;
        if let (Some(sure), Some(hold)) = (l.set_sure.get(index).copied(), l.set_hold.get(index).copied()) {
            l.sure.join(sure, mask);
            if failures {
                l.fill(dst, mask, Fast::Failures(slot));
            } else {
                l.set_bools(dst, mask, hold);
            }
        }
    }

    /// Records an assumption for each lane of `mask` that has not read its place yet.
    #[inline]
    pub(super) fn lane_assume(&self, l: &mut Lanes, mask: Mask, assumption: Option<u32>) {
        let Some(id) = assumption else { return };
        let Some(definition) = self.assumptions.get(id as usize) else { return };
        let Some(seen) = l.assumption_seen.get_mut(definition.key as usize) else { return };
        let first = mask & !*seen;
        *seen |= first;
        if first != 0 {
            l.assumptions.push((id, first));
        }
    }
}
