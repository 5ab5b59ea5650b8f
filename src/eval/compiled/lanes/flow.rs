//! The instructions that move lanes ([`Walk::jump`]): `and` and `or`
//! (which skip their right operand), `in` (which stops at the first equal
//! item), `if`, `match`, and the bounds of bands.

use std::cmp::Ordering;

use super::*;
use crate::eval::bound_holds;
use masks::{Keys, flag, groups};

/// `and`'s (or `or`'s) left operand: the lanes where it decides the result
/// jump past the right operand with it.
pub(super) fn and_or_left(l: &mut Lanes, walk: &mut Walk, dst: NodeId, left: NodeId, to: u32, or: bool) {
    // `and` ends at false, `or` at true; the right operand is not read.
    let (yes, no) = l.truth(left, walk.active);
    let ending = if or { yes } else { no };
    l.set_bools(dst, ending, yes);
    walk.jump(l, ending, to);
}

/// The right operand of `and` or `or`: the result, which must be a boolean.
pub(super) fn boolean(l: &mut Lanes, active: Mask, dst: NodeId, operand: NodeId) {
    let (yes, no) = l.truth(operand, active);
    l.set_bools(dst, yes | no, yes);
}

/// `if`: the lanes where the condition does not hold go to the `else` branch.
pub(super) fn if_not(l: &mut Lanes, walk: &mut Walk, condition: NodeId, to: u32) {
    let (_, otherwise) = l.truth(condition, walk.active);
    walk.jump(l, otherwise, to);
}

impl CompiledPolicy<'_> {
    /// One item of `in`: the lanes whose value equals it are done, true.
    pub(super) fn in_item(
        &self,
        l: &mut Lanes,
        batch: &Batch<'_>,
        walk: &mut Walk,
        dst: NodeId,
        (value, item): (NodeId, NodeId),
        to: u32,
    ) {
        let mut found = 0;
        for lane in Each(walk.active) {
            let ordering = self.lane_compare(l, batch, lane, l.get(value, lane), l.get(item, lane));
            found |= flag(ordering.is_some_and(Ordering::is_eq), lane);
        }
        l.set_bools(dst, found, found);
        walk.jump(l, found, to);
    }

    /// `match`: each group of lanes with the same value goes to its arm.
    pub(super) fn switch(&self, l: &mut Lanes, walk: &mut Walk, scrutinee: NodeId, arms: List) {
        let active = walk.active;
        let Some(arms) = self.program.operands(arms) else {
            l.aside |= active;
            walk.active = 0;
            return;
        };
        groups(l, active, &Keys::variants(l, active, scrutinee), |l, variant, mask| {
            // A variant with no arm: to the one-profile loop, which reports it.
            match arms.get(variant as usize) {
                Some(arm) if *arm != code::UNSET => walk.jump(l, mask, *arm),
                _ => l.aside |= mask,
            }
        });
        walk.active = 0;
    }

    /// A band's bound: the lanes it misses go on to the next band. A lane
    /// whose values cannot be ordered (never, once `invariants::check`
    /// passed) is set aside.
    pub(super) fn bound(
        &self,
        l: &mut Lanes,
        batch: &Batch<'_>,
        walk: &mut Walk,
        (over, limit): (NodeId, NodeId),
        (lower, inclusive): (bool, bool),
        to: u32,
    ) {
        let active = walk.active;
        let (mut compared, mut misses) = (0, 0);
        l.each_pair(active, over, limit, |lane, over, limit| {
            let ordering = self.lane_compare(l, batch, lane, over, limit);
            compared |= flag(ordering.is_some(), lane);
            misses |= flag(ordering.is_some_and(|ordering| !bound_holds(lower, inclusive, ordering)), lane);
        });
        l.aside |= active & !compared;
        walk.jump(l, misses & compared, to);
    }
}
