//! Reading and writing registers, lane by lane or a mask at a time: where a
//! register's value is kept ([`Kind`]), and the loops an instruction's own
//! work runs in ([`Lanes::map_pair`], [`Lanes::each_pair`], …), which find
//! where a register is once rather than once per lane.

use super::*;
use masks::{at, at_mut, flag, keep, merge};

/// Where a register's value is kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    /// One value per lane, in `registers`.
    PerLane,
    /// One bit per lane, in `bools`.
    Boolean,
    /// One value for all lanes, in `constants`, never written.
    Constant,
}

impl Lanes {
    #[inline]
    #[expect(clippy::indexing_slicing, reason = "a register is a node (invariants::check); one kind per node")]
    pub(super) fn kind(&self, register: NodeId) -> Kind {
        debug_assert!((register as usize) < self.kinds.len());
        self.kinds[register as usize]
    }

    #[inline]
    pub(super) fn is_boolean(&self, register: NodeId) -> bool {
        self.kind(register) == Kind::Boolean
    }

    /// The lanes where a boolean register is true.
    #[inline]
    #[expect(clippy::indexing_slicing, reason = "a register is a node (invariants::check); one mask per node")]
    pub(super) fn trues(&self, register: NodeId) -> Mask {
        self.bools[register as usize]
    }

    /// The value of a register in a lane.
    #[inline]
    #[expect(
        clippy::indexing_slicing,
        reason = "a register is a node (invariants::check), with one row and one constant per node; `lane % LANES` < STRIDE"
    )]
    pub(super) fn get(&self, register: NodeId, lane: usize) -> Fast {
        match self.kind(register) {
            Kind::PerLane => self.registers[register as usize][lane % LANES],
            Kind::Boolean => Fast::Bool(self.trues(register) & bit(lane) != 0),
            Kind::Constant => self.constants[register as usize],
        }
    }

    /// A register's values, lane by lane, if it holds one per lane.
    #[inline(always)]
    pub(super) fn row(&self, register: NodeId) -> Option<&[Fast; STRIDE]> {
        self.registers.get(register as usize).map(|row| &**row).filter(|_| self.kind(register) == Kind::PerLane)
    }

    /// Hands `each` the values of two registers in each lane of `mask`:
    /// where they are is found once, not per lane, for a register of
    /// values or of a constant against one of values.
    #[inline(always)]
    pub(super) fn each_pair(&self, mask: Mask, left: NodeId, right: NodeId, mut each: impl FnMut(usize, Fast, Fast)) {
        let row = |register| self.row(register);
        let constant = |register: NodeId| match self.kind(register) {
            Kind::Constant => self.constants.get(register as usize).copied(),
            _ => None,
        };
        match (row(left), row(right)) {
            (Some(left), Some(right)) => Each(mask).for_each(|lane| each(lane, at(left, lane), at(right, lane))),
            (Some(left), None) if let Some(right) = constant(right) => {
                Each(mask).for_each(|lane| each(lane, at(left, lane), right))
            }
            (None, Some(right)) if let Some(left) = constant(left) => {
                Each(mask).for_each(|lane| each(lane, left, at(right, lane)))
            }
            _ => Each(mask).for_each(|lane| each(lane, self.get(left, lane), self.get(right, lane))),
        }
    }

    /// Hands `each` the value of a register in each lane of `mask`, where it is found once.
    #[inline(always)]
    pub(super) fn each_one(&self, mask: Mask, register: NodeId, mut each: impl FnMut(usize, Fast)) {
        match self.row(register) {
            Some(row) => Each(mask).for_each(|lane| each(lane, at(row, lane))),
            None => Each(mask).for_each(|lane| each(lane, self.get(register, lane))),
        }
    }

    /// Writes to `dst`, in each lane of `mask`, what `each` gives for the
    /// values of two registers there; the lanes it gave nothing for, left
    /// to the caller.
    #[inline(always)]
    pub(super) fn map_pair(
        &mut self,
        mask: Mask,
        dst: NodeId,
        (left, right): (NodeId, NodeId),
        mut each: impl FnMut(Fast, Fast) -> Option<Fast>,
    ) -> Mask {
        self.map(mask, dst, |l, row, done| {
            l.each_pair(mask, left, right, |lane, left, right| keep(row, done, lane, each(left, right)))
        })
    }

    /// [`Lanes::map_pair`] for one register.
    #[inline(always)]
    pub(super) fn map_one(
        &mut self,
        mask: Mask,
        dst: NodeId,
        register: NodeId,
        mut each: impl FnMut(Fast) -> Option<Fast>,
    ) -> Mask {
        self.map(mask, dst, |l, row, done| l.each_one(mask, register, |lane, value| keep(row, done, lane, each(value))))
    }

    /// Runs `compute`, which [`keep`]s each lane's result in the row and
    /// the mask it is given, and writes the results to `dst`. In place when
    /// `dst` holds a value per lane: its row is swapped out meanwhile (no
    /// instruction reads its own register) and back. The lanes of `mask`
    /// given no result are left to the caller.
    #[inline(always)]
    pub(super) fn map(
        &mut self,
        mask: Mask,
        dst: NodeId,
        compute: impl FnOnce(&Lanes, &mut [Fast; STRIDE], &mut Mask),
    ) -> Mask {
        let mut done = 0;
        // `spare` is always put back below; were it not, a new row serves as well.
        let mut row = self.spare.take().unwrap_or_else(|| Box::new([Fast::Bool(false); STRIDE]));
        match self.registers.get_mut(dst as usize).filter(|_| self.kinds.get(dst as usize) == Some(&Kind::PerLane)) {
            Some(register) => {
                std::mem::swap(&mut row, register);
                compute(self, &mut row, &mut done);
                if let Some(register) = self.registers.get_mut(dst as usize) {
                    std::mem::swap(&mut row, register);
                }
            }
            None => {
                compute(self, &mut row, &mut done);
                self.write_other(dst, done, &row);
            }
        }
        self.spare = Some(row);
        mask & !done
    }

    /// Writes each lane's value of `values`, for the lanes of `mask`, to a
    /// register that does not hold a value per lane ([`Lanes::map`] writes
    /// those in place): a boolean's mask, from values that are booleans;
    /// a lane with anything else, or writing a constant's, is set aside.
    #[inline(always)]
    pub(super) fn write_other(&mut self, register: NodeId, mask: Mask, values: &[Fast; STRIDE]) {
        if !self.is_boolean(register) {
            self.aside |= mask;
            return;
        }
        let (mut booleans, mut yes) = (0, 0);
        for lane in Each(mask) {
            let value = at(values, lane);
            booleans |= flag(matches!(value, Fast::Bool(_)), lane);
            yes |= flag(value == Fast::Bool(true), lane);
        }
        self.set_bools(register, booleans, yes);
        self.aside |= mask & !booleans;
    }

    /// Writes a value to a register in a lane; a lane that would put
    /// something else than a boolean in a boolean register, or write a
    /// constant's, is set aside.
    #[inline]
    pub(super) fn set(&mut self, register: NodeId, lane: usize, value: Fast) {
        match (self.kind(register), value) {
            (Kind::PerLane, _) => {
                if let Some(row) = self.registers.get_mut(register as usize) {
                    *at_mut(row, lane) = value;
                }
            }
            (Kind::Boolean, Fast::Bool(value)) => {
                self.set_bools(register, bit(lane), if value { Mask::MAX } else { 0 })
            }
            _ => self.aside |= bit(lane),
        }
    }

    /// Writes, for each lane of `mask`, whether it is in `values`.
    #[inline]
    pub(super) fn set_bools(&mut self, register: NodeId, mask: Mask, values: Mask) {
        if self.is_boolean(register) {
            if let Some(slot) = self.bools.get_mut(register as usize) {
                *slot = merge(*slot, values, mask);
            }
        } else {
            for lane in Each(mask) {
                self.set(register, lane, Fast::Bool(values & bit(lane) != 0));
            }
        }
    }

    /// The lanes of `mask` where a register is true, and those where it is
    /// false; a lane where it is not a boolean is set aside.
    #[inline]
    pub(super) fn truth(&mut self, register: NodeId, mask: Mask) -> (Mask, Mask) {
        if self.is_boolean(register) {
            let yes = self.trues(register) & mask;
            return (yes, mask & !yes);
        }
        let (mut yes, mut no) = (0, 0);
        for lane in Each(mask) {
            match self.get(register, lane) {
                Fast::Bool(true) => yes |= bit(lane),
                Fast::Bool(false) => no |= bit(lane),
                _ => self.aside |= bit(lane),
            }
        }
        (yes, no)
    }

    /// The lanes of `mask` where a register holds true (anything else reads as not true).
    #[inline]
    pub(super) fn holds(&self, register: NodeId, mask: Mask) -> Mask {
        if self.is_boolean(register) {
            return self.trues(register) & mask;
        }
        Each(mask).filter(|lane| self.get(register, *lane) == Fast::Bool(true)).fold(0, |held, lane| held | bit(lane))
    }

    /// Writes the same value to a register for the lanes of `mask`.
    #[inline]
    pub(super) fn fill(&mut self, register: NodeId, mask: Mask, value: Fast) {
        match (self.kind(register), value) {
            (Kind::Boolean, Fast::Bool(value)) => self.set_bools(register, mask, if value { Mask::MAX } else { 0 }),
            (Kind::PerLane, _) => {
                if let Some(row) = self.registers.get_mut(register as usize) {
                    for lane in Each(mask) {
                        *at_mut(row, lane) = value;
                    }
                }
            }
            _ => self.aside |= mask,
        }
    }

    /// Copies a register to another for the lanes of `mask`.
    #[inline]
    pub(super) fn copy(&mut self, dst: NodeId, src: NodeId, mask: Mask) {
        if self.is_boolean(dst) && self.is_boolean(src) {
            self.set_bools(dst, mask, self.trues(src));
        } else {
            self.map(mask, dst, |l, row, done| l.each_one(mask, src, |lane, value| keep(row, done, lane, Some(value))));
        }
    }

    /// A number by its place: one of the policy's, or one a lane computed; none if there is no such place.
    #[inline]
    pub(in crate::eval::compiled) fn decimal(&self, place: u32, lane: usize) -> Option<Decimal> {
        let place = place as usize;
        let number = match place.checked_sub(self.numbers.len()) {
            None => self.numbers.get(place),
            Some(node) => self.decimals.get(node * STRIDE + lane % LANES),
        };
        number.copied()
    }

    /// The number in a register of a lane, if it holds one.
    #[inline]
    pub(super) fn number_in(&self, register: NodeId, lane: usize) -> Option<Decimal> {
        self.get(register, lane).decimal(|place| self.decimal(place, lane))
    }

    /// The value of output value `index` in a lane; none where a `when` left it out.
    pub(in crate::eval::compiled) fn leaf(&self, index: usize, lane: usize) -> Option<Fast> {
        if self.leaves.get(index).is_none_or(|mask| mask & bit(lane) == 0) {
            return None;
        }
        // Every output value has its source register, a node (checked by `Lanes::new`).
        self.leaf_sources.get(index).map(|source| self.get(*source, lane))
    }

    /// Whether condition `index` (word × 64 + bit) failed in a lane.
    pub(in crate::eval::compiled) fn failed(&self, index: usize, lane: usize) -> bool {
        self.failed.get(index).is_some_and(|mask| mask & bit(lane) != 0)
    }

    pub(in crate::eval::compiled) fn certainty(&self, output: usize, lane: usize) -> Option<Certainty> {
        self.certainties.get(output).map(|sure| sure.of(lane))
    }

    pub(in crate::eval::compiled) fn group(&self, group: usize, lane: usize) -> bool {
        self.groups.get(group).is_some_and(|mask| mask & bit(lane) != 0)
    }

    pub(in crate::eval::compiled) fn assumptions(&self, lane: usize) -> impl Iterator<Item = u32> + '_ {
        self.assumptions.iter().filter(move |(_, mask)| mask & bit(lane) != 0).map(|(id, _)| *id)
    }
}
