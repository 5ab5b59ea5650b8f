//! Sets of lanes as bits of a word, and what is kept per lane as masks:
//! how sure each lane is ([`Certainties`]), and the keys that split lanes into
//! groups that take the same path (a rule's slot, a table's row, a `match`'s arm).

use super::*;

/// A set of lanes, one bit each.
pub(super) type Mask = u64;

// Every bit of a mask is a lane: masks are complemented (`!mask`) freely,
// and each lane of one indexes a row.
const _: () = assert!(LANES == Mask::BITS as usize);

/// The lanes of a mask, lowest first.
pub(super) struct Each(pub(super) Mask);

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
pub(super) fn bit(lane: usize) -> Mask {
    1 << (lane % LANES)
}

/// Lane `lane`'s bit if `yes`, without a branch: whether lanes hold is as
/// good as random to the processor, which would mispredict every other one.
#[inline]
pub(super) fn flag(yes: bool, lane: usize) -> Mask {
    Mask::from(yes) << (lane % LANES)
}

/// Keeps a lane's value among `values`, and the lane in `done`, if a value
/// was computed for it; without a branch.
#[inline(always)]
pub(super) fn keep(values: &mut [Fast; STRIDE], done: &mut Mask, lane: usize, value: Option<Fast>) {
    *done |= flag(value.is_some(), lane);
    // A lane given nothing is not in `done`: its caller computes it otherwise or sets it aside, and
    // the placeholder is never read.
    *at_mut(values, lane) = value.unwrap_or(Fast::Bool(false));
}

/// A lane's entry of a row: the proof that it is in range is in the row's type.
#[inline(always)]
#[expect(clippy::indexing_slicing, reason = "`lane % LANES` < LANES <= N, asserted when compiling")]
pub(super) fn at<T: Copy, const N: usize>(row: &[T; N], lane: usize) -> T {
    const { assert!(N >= LANES) };
    row[lane % LANES]
}

/// A lane's entry of a row, to write.
#[inline(always)]
#[expect(clippy::indexing_slicing, reason = "`lane % LANES` < LANES <= N, asserted when compiling")]
pub(super) fn at_mut<T, const N: usize>(row: &mut [T; N], lane: usize) -> &mut T {
    const { assert!(N >= LANES) };
    &mut row[lane % LANES]
}

/// Writes a lane's entry of a per-lane memo (`STRIDE` wide).
#[inline]
#[expect(clippy::indexing_slicing, reason = "`lane % LANES` < STRIDE, the memo's width")]
pub(super) fn set_lane<T>(memo: &mut [T], lane: usize, value: T) {
    debug_assert!(memo.len() >= STRIDE);
    memo[lane % LANES] = value;
}

/// `old` with the lanes of `mask` taken from `new`.
#[inline]
pub(super) fn merge(old: Mask, new: Mask, mask: Mask) -> Mask {
    (old & !mask) | (new & mask)
}

/// How sure each lane's value is: the weakest certainty it has read, as
/// the lanes that read something at most secondary and those that read
/// something assumed (among them). The weakest of two is then their union.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Certainties {
    pub(super) secondary: Mask,
    pub(super) assumed: Mask,
}

impl Certainties {
    /// The lanes of `mask` have read something as sure as `certainty`.
    #[inline]
    pub(super) fn weaken(&mut self, mask: Mask, certainty: Certainty) {
        match certainty {
            Certainty::Assumed => {
                self.secondary |= mask;
                self.assumed |= mask;
            }
            Certainty::Secondary => self.secondary |= mask,
            Certainty::Established => {}
        }
    }

    /// The lanes of `mask` have read a value as sure as `other` says.
    #[inline]
    pub(super) fn join(&mut self, other: Certainties, mask: Mask) {
        self.secondary |= other.secondary & mask;
        self.assumed |= other.assumed & mask;
    }

    /// The lanes of `mask` become as sure as `other` says (`Certainties::default()`: afresh).
    #[inline]
    pub(super) fn replace(&mut self, other: Certainties, mask: Mask) {
        self.secondary = merge(self.secondary, other.secondary, mask);
        self.assumed = merge(self.assumed, other.assumed, mask);
    }

    pub(super) fn of(self, lane: usize) -> Certainty {
        if self.assumed & bit(lane) != 0 {
            Certainty::Assumed
        } else if self.secondary & bit(lane) != 0 {
            Certainty::Secondary
        } else {
            Certainty::Established
        }
    }
}

/// Each lane's key for [`groups`], and the lanes that have one.
pub(super) struct Keys {
    pub(super) of: [u64; LANES],
    pub(super) valid: Mask,
}

impl Keys {
    /// The key of each lane of `mask`: `key` of its value in `register`
    /// (found once, not per lane), none for a lane to set aside.
    #[inline(always)]
    pub(super) fn of_values(l: &Lanes, mask: Mask, register: NodeId, key: impl Fn(Fast) -> Option<u64>) -> Keys {
        let mut keys = Keys { of: [0; LANES], valid: 0 };
        l.each_one(mask, register, |lane, value| {
            if let Some(value) = key(value) {
                *at_mut(&mut keys.of, lane) = value;
                keys.valid |= bit(lane);
            }
        });
        keys
    }

    /// The value of an enumeration in `register`, each lane's key.
    #[inline(always)]
    pub(super) fn variants(l: &Lanes, mask: Mask, register: NodeId) -> Keys {
        Keys::of_values(l, mask, register, |value| match value {
            Fast::Enum(variant) => Some(u64::from(variant)),
            _ => None,
        })
    }
}

/// Splits the lanes of `mask` into groups that share a key, and hands
/// each group to `each` with its key; a lane without one is set aside.
pub(super) fn groups(l: &mut Lanes, mask: Mask, keys: &Keys, mut each: impl FnMut(&mut Lanes, u64, Mask)) {
    l.aside |= mask & !keys.valid;
    let mut rest = mask & keys.valid;
    while rest != 0 {
        let value = at(&keys.of, rest.trailing_zeros() as usize);
        let same = Each(rest).fold(0, |same, lane| same | flag(at(&keys.of, lane) == value, lane));
        rest &= !same;
        each(l, value, same);
    }
}
