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
//! What is a yes or a no for each lane is kept as a mask too, one bit per
//! lane, so that most instructions are a few operations on words whatever
//! the number of lanes: a boolean register (`and`, `or`, `not`, guards,
//! conditions), how sure each lane is so far ([`Sure`]), which conditions
//! failed, which outputs a `when` kept. Only values of other kinds
//! (numbers, dates, values of enumerations) are read and written lane by
//! lane.
//!
//! A profile's outcome is read where its evaluation left it ([`Evaluated`]),
//! after the whole round: an output's value is in the register that
//! computed it, which nothing writes again for that lane, since each node
//! runs at most once per profile (a definition's body once, then memoised).
//!
//! A lane that meets anything out of the ordinary (a fault, a call nested
//! deeper than [`MAX_DEPTH`]) is set aside and evaluated again by the
//! one-profile loop, which gives the outcome or the located error. Nothing
//! is lost and nothing differs; only the common path is made fast.

use std::cmp::Ordering;

use super::code::Ins;
use super::run::{Scratch, fast_field};
use super::*;
use crate::check::types::Type;
use crate::eval::{EvalError, bound_holds};

/// How many profiles run together: one bit each in a mask, a `u64`.
pub const LANES: usize = 64;

/// How far apart two registers' values for the same lane are: a little
/// more than [`LANES`], so that the registers an instruction reads do not
/// fall in the same few sets of the processor's cache, as a power of two would.
const STRIDE: usize = LANES + 4;

/// A set of lanes, one bit each.
type Mask = u64;

// Every bit of a mask is a lane: masks are complemented (`!mask`) freely,
// and each lane of one indexes a row.
const _: () = assert!(LANES == Mask::BITS as usize);

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

/// Lane `lane`'s bit if `yes`, without a branch: whether lanes hold is as
/// good as random to the processor, which would mispredict every other one.
#[inline]
fn flag(yes: bool, lane: usize) -> Mask {
    Mask::from(yes) << (lane % LANES)
}

/// Keeps a lane's value among `values`, and the lane in `done`, if a value
/// was computed for it; without a branch.
#[inline(always)]
fn keep(values: &mut [Fast; STRIDE], done: &mut Mask, lane: usize, value: Option<Fast>) {
    *done |= flag(value.is_some(), lane);
    // A lane given nothing is not in `done`: its caller computes it otherwise or sets it aside, and
    // the placeholder is never read.
    *at_mut(values, lane) = value.unwrap_or(Fast::Bool(false));
}

/// A lane's entry of a row: the proof that it is in range is in the row's type.
#[inline(always)]
#[expect(clippy::indexing_slicing, reason = "`lane % LANES` < LANES <= N, asserted when compiling")]
fn at<T: Copy, const N: usize>(row: &[T; N], lane: usize) -> T {
    const { assert!(N >= LANES) };
    row[lane % LANES]
}

/// A lane's entry of a row, to write.
#[inline(always)]
#[expect(clippy::indexing_slicing, reason = "`lane % LANES` < LANES <= N, asserted when compiling")]
fn at_mut<T, const N: usize>(row: &mut [T; N], lane: usize) -> &mut T {
    const { assert!(N >= LANES) };
    &mut row[lane % LANES]
}

/// Writes a lane's entry of a per-lane memo (`STRIDE` wide).
#[inline]
#[expect(clippy::indexing_slicing, reason = "`lane % LANES` < STRIDE, the memo's width")]
fn set_lane<T>(memo: &mut [T], lane: usize, value: T) {
    debug_assert!(memo.len() >= STRIDE);
    memo[lane % LANES] = value;
}

/// `old` with the lanes of `lanes` taken from `new`.
#[inline]
fn merge(old: Mask, new: Mask, lanes: Mask) -> Mask {
    (old & !lanes) | (new & lanes)
}

/// How sure each lane's value is: the weakest certainty it has read, as
/// the lanes that read something at most secondary and those that read
/// something assumed (among them). The weakest of two is then their union.
#[derive(Debug, Clone, Copy, Default)]
struct Sure {
    secondary: Mask,
    assumed: Mask,
}

impl Sure {
    /// The lanes of `lanes` have read something as sure as `certainty`.
    #[inline]
    fn weaken(&mut self, lanes: Mask, certainty: Certainty) {
        match certainty {
            Certainty::Assumed => {
                self.secondary |= lanes;
                self.assumed |= lanes;
            }
            Certainty::Secondary => self.secondary |= lanes,
            Certainty::Established => {}
        }
    }

    /// The lanes of `lanes` have read a value as sure as `other` says.
    #[inline]
    fn join(&mut self, other: Sure, lanes: Mask) {
        self.secondary |= other.secondary & lanes;
        self.assumed |= other.assumed & lanes;
    }

    /// The lanes of `lanes` become as sure as `other` says (`Sure::default()`: afresh).
    #[inline]
    fn replace(&mut self, other: Sure, lanes: Mask) {
        self.secondary = merge(self.secondary, other.secondary, lanes);
        self.assumed = merge(self.assumed, other.assumed, lanes);
    }

    fn of(self, lane: usize) -> Certainty {
        if self.assumed & bit(lane) != 0 {
            Certainty::Assumed
        } else if self.secondary & bit(lane) != 0 {
            Certainty::Secondary
        } else {
            Certainty::Established
        }
    }
}

/// Where a register's value is kept.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// One value per lane, in `registers`.
    Lanes,
    /// One bit per lane, in `bools`.
    Boolean,
    /// One value for all lanes, in `constants`, never written.
    Constant,
}

/// One worker's buffers for evaluating profiles [`LANES`] at a time. Made
/// once per worker by [`CompiledPolicy::lanes`]; holds no profile between calls.
#[derive(Debug, Clone)]
pub struct Lanes {
    /// Whether the program's jumps all go forward, which running lanes
    /// together needs; when not, every profile goes to the one-profile loop.
    runnable: bool,
    /// Per register: where its value is kept.
    kinds: Vec<Kind>,
    /// Per register, its value in each lane (the first [`LANES`] of the row).
    #[expect(clippy::vec_box, reason = "a row is swapped with `spare` by pointer, not copied")]
    registers: Vec<Box<[Fast; STRIDE]>>,
    /// A row to swap with a register's while an instruction computes it
    /// from others, so that it writes each lane's result in place.
    spare: Option<Box<[Fast; STRIDE]>>,
    /// The value of each register that holds a constant, the same in every lane.
    constants: Vec<Fast>,
    /// Per register that holds a boolean: the lanes where it is true.
    bools: Vec<Mask>,
    /// The policy's numbers, by place, the same in every lane.
    numbers: Vec<Decimal>,
    /// The numbers computed in each lane, by the node that computed them,
    /// [`STRIDE`] wide (their place is the policy's numbers' count plus the node).
    decimals: Vec<Decimal>,
    /// The weakest certainty each lane has read since its definition or output began.
    sure: Sure,
    /// Lanes left to the one-profile loop in this round.
    aside: Mask,
    rule_done: Vec<Mask>,
    rule_sure: Vec<Sure>,
    band_done: Vec<Mask>,
    band_sure: Vec<Sure>,
    /// Per set of bands, [`STRIDE`] wide: the band each lane is in.
    band_memo: Vec<u16>,
    set_done: Vec<Mask>,
    set_sure: Vec<Sure>,
    /// Per condition-set slot: the lanes where every condition held.
    set_hold: Vec<Mask>,
    /// Per condition, numbered as the one-profile loop's failure bits are
    /// (word × 64 + bit): the lanes where it failed.
    failed: Vec<Mask>,
    reliance_seen: Vec<Mask>,
    /// The reliances recorded this round, in the order they were read:
    /// each with the lanes that read it first there (a lane's own list is
    /// read back only when asked for, by [`Lanes::reliances`]).
    reliances: Vec<(u32, Mask)>,
    /// Per output value: the lanes that reached it (a `when` left it out of
    /// the others), and the register it is read from when handed over.
    leaves: Vec<Mask>,
    leaf_sources: Vec<NodeId>,
    groups: Vec<Mask>,
    certainties: Vec<Sure>,
    /// Per field of the profile: the lanes that have read it into its register this round.
    fields_read: Vec<Mask>,
    /// Per instruction: the lanes that jumped to it and wait for it.
    pending: Vec<Mask>,
    /// The compiled policy these buffers were made for.
    owner: u64,
}

impl Lanes {
    fn new(compiled: &CompiledPolicy<'_>) -> Self {
        let scratch = compiled.scratch();
        let values = scratch.registers();
        let constant = |node: &Node| matches!(node.op, Op::Const(_) | Op::Param { .. } | Op::CellConst { .. });
        let kinds: Vec<Kind> = compiled
            .nodes
            .iter()
            .zip(&compiled.types)
            .map(|(node, ty)| match ty {
                Type::Bool => Kind::Boolean,
                _ if constant(node) => Kind::Constant,
                _ => Kind::Lanes,
            })
            .collect();
        let bools = values.iter().map(|value| if *value == Fast::Bool(true) { Mask::MAX } else { 0 }).collect();
        // A boolean constant that is not one would fault in the one-profile loop: leave it every profile.
        let consistent =
            compiled.nodes.iter().zip(values).zip(&kinds).all(|((node, value), kind)| {
                *kind != Kind::Boolean || !constant(node) || matches!(value, Fast::Bool(_))
            });
        let code = &compiled.program.code;
        let mut leaf_sources = vec![NodeId::MAX; compiled.leaves.len()];
        for ins in code {
            if let Ins::Leaf { leaf, src } = *ins
                && let Some(source) = leaf_sources.get_mut(leaf as usize)
            {
                *source = src;
            }
        }
        // What the lanes rely on beyond the program's invariants: jumps forward, every output value's
        // register known, one register (kind, row, mask, constant) per node.
        let sources = leaf_sources.iter().all(|source| (*source as usize) < compiled.nodes.len());
        let registers = kinds.len() == compiled.nodes.len() && values.len() == compiled.nodes.len();
        let runnable = compiled.program.broken.is_none() && forward_only(&compiled.program);
        Lanes {
            runnable: runnable && consistent && sources && registers,
            registers: kinds.iter().map(|_| Box::new([Fast::Bool(false); STRIDE])).collect(),
            spare: Some(Box::new([Fast::Bool(false); STRIDE])),
            kinds,
            constants: values.to_vec(),
            bools,
            numbers: compiled.constants.clone(),
            decimals: vec![Decimal::ZERO; compiled.nodes.len() * STRIDE],
            sure: Sure::default(),
            aside: 0,
            rule_done: vec![0; compiled.rule_slots],
            rule_sure: vec![Sure::default(); compiled.rule_slots],
            band_done: vec![0; compiled.bands.len()],
            band_sure: vec![Sure::default(); compiled.bands.len()],
            band_memo: vec![0; compiled.bands.len() * STRIDE],
            set_done: vec![0; compiled.slot_sets.len()],
            set_sure: vec![Sure::default(); compiled.slot_sets.len()],
            set_hold: vec![0; compiled.slot_sets.len()],
            failed: vec![0; compiled.failure_words * 64],
            reliance_seen: vec![0; compiled.reliance_keys],
            reliances: Vec::new(),
            leaves: vec![0; compiled.leaves.len()],
            leaf_sources,
            groups: vec![0; compiled.groups as usize],
            certainties: vec![Sure::default(); compiled.outputs.len()],
            fields_read: vec![0; compiled.policy.fields.len()],
            pending: vec![0; code.len()],
            owner: compiled.id,
        }
    }

    fn reset(&mut self) {
        self.sure = Sure::default();
        self.aside = 0;
        self.rule_done.fill(0);
        self.band_done.fill(0);
        self.set_done.fill(0);
        self.failed.fill(0);
        self.reliance_seen.fill(0);
        self.reliances.clear();
        self.leaves.fill(0);
        self.groups.fill(0);
        self.fields_read.fill(0);
        self.pending.fill(0);
    }

    #[inline]
    #[expect(clippy::indexing_slicing, reason = "a register is a node (invariants::check); one kind per node")]
    fn kind(&self, register: NodeId) -> Kind {
        debug_assert!((register as usize) < self.kinds.len());
        self.kinds[register as usize]
    }

    #[inline]
    fn is_boolean(&self, register: NodeId) -> bool {
        self.kind(register) == Kind::Boolean
    }

    /// The lanes where a boolean register is true.
    #[inline]
    #[expect(clippy::indexing_slicing, reason = "a register is a node (invariants::check); one mask per node")]
    fn mask(&self, register: NodeId) -> Mask {
        self.bools[register as usize]
    }

    /// The value of a register in a lane.
    #[inline]
    #[expect(
        clippy::indexing_slicing,
        reason = "a register is a node (invariants::check), with one row and one constant per node; `lane % LANES` < STRIDE"
    )]
    fn get(&self, register: NodeId, lane: usize) -> Fast {
        match self.kind(register) {
            Kind::Lanes => self.registers[register as usize][lane % LANES],
            Kind::Boolean => Fast::Bool(self.mask(register) & bit(lane) != 0),
            Kind::Constant => self.constants[register as usize],
        }
    }

    /// A register's values, lane by lane, if it holds one per lane.
    #[inline(always)]
    fn row(&self, register: NodeId) -> Option<&[Fast; STRIDE]> {
        self.registers.get(register as usize).map(|row| &**row).filter(|_| self.kind(register) == Kind::Lanes)
    }

    /// Hands `each` the values of two registers in each lane of `lanes`:
    /// where they are is found once, not per lane, for a register of
    /// values or of a constant against one of values.
    #[inline(always)]
    fn each_pair(&self, lanes: Mask, left: NodeId, right: NodeId, mut each: impl FnMut(usize, Fast, Fast)) {
        let row = |register| self.row(register);
        let constant = |register: NodeId| match self.kind(register) {
            Kind::Constant => self.constants.get(register as usize).copied(),
            _ => None,
        };
        match (row(left), row(right)) {
            (Some(left), Some(right)) => Each(lanes).for_each(|lane| each(lane, at(left, lane), at(right, lane))),
            (Some(left), None) if let Some(right) = constant(right) => {
                Each(lanes).for_each(|lane| each(lane, at(left, lane), right))
            }
            (None, Some(right)) if let Some(left) = constant(left) => {
                Each(lanes).for_each(|lane| each(lane, left, at(right, lane)))
            }
            _ => Each(lanes).for_each(|lane| each(lane, self.get(left, lane), self.get(right, lane))),
        }
    }

    /// Hands `each` the value of a register in each lane of `lanes`, where it is found once.
    #[inline(always)]
    fn each_one(&self, lanes: Mask, register: NodeId, mut each: impl FnMut(usize, Fast)) {
        match self.row(register) {
            Some(row) => Each(lanes).for_each(|lane| each(lane, at(row, lane))),
            None => Each(lanes).for_each(|lane| each(lane, self.get(register, lane))),
        }
    }

    /// Writes to `dst`, in each lane of `lanes`, what `each` gives for the
    /// values of two registers there; the lanes it gave nothing for, left
    /// to the caller.
    #[inline(always)]
    fn map_pair(
        &mut self,
        lanes: Mask,
        dst: NodeId,
        (left, right): (NodeId, NodeId),
        mut each: impl FnMut(Fast, Fast) -> Option<Fast>,
    ) -> Mask {
        self.map(lanes, dst, |l, row, done| {
            l.each_pair(lanes, left, right, |lane, left, right| keep(row, done, lane, each(left, right)))
        })
    }

    /// [`Lanes::map_pair`] for one register.
    #[inline(always)]
    fn map_one(
        &mut self,
        lanes: Mask,
        dst: NodeId,
        register: NodeId,
        mut each: impl FnMut(Fast) -> Option<Fast>,
    ) -> Mask {
        self.map(lanes, dst, |l, row, done| {
            l.each_one(lanes, register, |lane, value| keep(row, done, lane, each(value)))
        })
    }

    /// Runs `compute`, which [`keep`]s each lane's result in the row and
    /// the mask it is given, and writes the results to `dst`. In place when
    /// `dst` holds a value per lane: its row is swapped out meanwhile (no
    /// instruction reads its own register) and back. The lanes of `lanes`
    /// given no result are left to the caller.
    #[inline(always)]
    fn map(&mut self, lanes: Mask, dst: NodeId, compute: impl FnOnce(&Lanes, &mut [Fast; STRIDE], &mut Mask)) -> Mask {
        let mut done = 0;
        // `spare` is always put back below; were it not, a new row serves as well.
        let mut row = self.spare.take().unwrap_or_else(|| Box::new([Fast::Bool(false); STRIDE]));
        match self.registers.get_mut(dst as usize).filter(|_| self.kinds.get(dst as usize) == Some(&Kind::Lanes)) {
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
        lanes & !done
    }

    /// Writes each lane's value of `values`, for the lanes of `lanes`, to a
    /// register that does not hold a value per lane ([`Lanes::map`] writes
    /// those in place): a boolean's mask, from values that are booleans;
    /// a lane with anything else, or writing a constant's, is set aside.
    #[inline(always)]
    fn write_other(&mut self, register: NodeId, lanes: Mask, values: &[Fast; STRIDE]) {
        if !self.is_boolean(register) {
            self.aside |= lanes;
            return;
        }
        let (mut booleans, mut yes) = (0, 0);
        for lane in Each(lanes) {
            let value = at(values, lane);
            booleans |= flag(matches!(value, Fast::Bool(_)), lane);
            yes |= flag(value == Fast::Bool(true), lane);
        }
        self.set_bools(register, booleans, yes);
        self.aside |= lanes & !booleans;
    }

    /// Writes a value to a register in a lane; a lane that would put
    /// something else than a boolean in a boolean register, or write a
    /// constant's, is set aside.
    #[inline]
    fn set(&mut self, register: NodeId, lane: usize, value: Fast) {
        match (self.kind(register), value) {
            (Kind::Lanes, _) => {
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

    /// Writes, for each lane of `lanes`, whether it is in `values`.
    #[inline]
    fn set_bools(&mut self, register: NodeId, lanes: Mask, values: Mask) {
        if self.is_boolean(register) {
            if let Some(slot) = self.bools.get_mut(register as usize) {
                *slot = merge(*slot, values, lanes);
            }
        } else {
            for lane in Each(lanes) {
                self.set(register, lane, Fast::Bool(values & bit(lane) != 0));
            }
        }
    }

    /// The lanes of `lanes` where a register is true, and those where it is
    /// false; a lane where it is not a boolean is set aside.
    #[inline]
    fn truth(&mut self, register: NodeId, lanes: Mask) -> (Mask, Mask) {
        if self.is_boolean(register) {
            let yes = self.mask(register) & lanes;
            return (yes, lanes & !yes);
        }
        let (mut yes, mut no) = (0, 0);
        for lane in Each(lanes) {
            match self.get(register, lane) {
                Fast::Bool(true) => yes |= bit(lane),
                Fast::Bool(false) => no |= bit(lane),
                _ => self.aside |= bit(lane),
            }
        }
        (yes, no)
    }

    /// The lanes of `lanes` where a register holds true (anything else reads as not true).
    #[inline]
    fn holds(&self, register: NodeId, lanes: Mask) -> Mask {
        if self.is_boolean(register) {
            return self.mask(register) & lanes;
        }
        Each(lanes).filter(|lane| self.get(register, *lane) == Fast::Bool(true)).fold(0, |mask, lane| mask | bit(lane))
    }

    /// Writes the same value to a register for the lanes of `lanes`.
    #[inline]
    fn fill(&mut self, register: NodeId, lanes: Mask, value: Fast) {
        match (self.kind(register), value) {
            (Kind::Boolean, Fast::Bool(value)) => self.set_bools(register, lanes, if value { Mask::MAX } else { 0 }),
            (Kind::Lanes, _) => {
                if let Some(row) = self.registers.get_mut(register as usize) {
                    for lane in Each(lanes) {
                        *at_mut(row, lane) = value;
                    }
                }
            }
            _ => self.aside |= lanes,
        }
    }

    /// Copies a register to another for the lanes of `lanes`.
    #[inline]
    fn copy(&mut self, dst: NodeId, src: NodeId, lanes: Mask) {
        if self.is_boolean(dst) && self.is_boolean(src) {
            self.set_bools(dst, lanes, self.mask(src));
        } else {
            self.map(lanes, dst, |l, row, done| {
                l.each_one(lanes, src, |lane, value| keep(row, done, lane, Some(value)))
            });
        }
    }

    /// A number by its place: one of the policy's, or one a lane computed; none if there is no such place.
    #[inline]
    pub(super) fn decimal(&self, place: u32, lane: usize) -> Option<Decimal> {
        let place = place as usize;
        let number = match place.checked_sub(self.numbers.len()) {
            None => self.numbers.get(place),
            Some(node) => self.decimals.get(node * STRIDE + lane % LANES),
        };
        number.copied()
    }

    /// The number in a register of a lane, if it holds one.
    #[inline]
    fn number_in(&self, register: NodeId, lane: usize) -> Option<Decimal> {
        self.get(register, lane).decimal(|place| self.decimal(place, lane))
    }

    /// The value of output value `index` in a lane; none where a `when` left it out.
    pub(super) fn leaf(&self, index: usize, lane: usize) -> Option<Fast> {
        let reached = self.leaves.get(index).is_some_and(|lanes| lanes & bit(lane) != 0);
        // Every output value has its source register (invariants::check: each is written once).
        let source = self.leaf_sources.get(index).copied().filter(|source| *source != NodeId::MAX)?;
        reached.then(|| self.get(source, lane))
    }

    /// Whether condition `index` (word × 64 + bit) failed in a lane.
    pub(super) fn failed(&self, index: usize, lane: usize) -> bool {
        self.failed.get(index).is_some_and(|lanes| lanes & bit(lane) != 0)
    }

    pub(super) fn certainty(&self, output: usize, lane: usize) -> Option<Certainty> {
        self.certainties.get(output).map(|sure| sure.of(lane))
    }

    pub(super) fn group(&self, group: usize, lane: usize) -> bool {
        self.groups.get(group).is_some_and(|lanes| lanes & bit(lane) != 0)
    }

    pub(super) fn reliances(&self, lane: usize) -> impl Iterator<Item = u32> + '_ {
        self.reliances.iter().filter(move |(_, lanes)| lanes & bit(lane) != 0).map(|(id, _)| *id)
    }
}

/// Whether every jump of the program goes forward, and lands inside it.
fn forward_only(program: &code::Program) -> bool {
    let end = program.code.len();
    let forward = |at: usize, to: u32| (to as usize) > at && (to as usize) < end;
    program.code.iter().enumerate().all(|(at, ins)| match *ins {
        // A variant with no arm is `UNSET`: a lane that takes it is set aside.
        Ins::Switch { arms, .. } => {
            program.operands(arms).is_some_and(|arms| arms.iter().all(|arm| *arm == code::UNSET || forward(at, *arm)))
        }
        mut ins => ins.target_mut().is_none_or(|to| forward(at, *to)),
    })
}

/// Each lane's key for [`groups`], and the lanes that have one.
struct Keys {
    of: [u64; LANES],
    valid: Mask,
}

impl Keys {
    /// The key of each lane of `lanes`: `key` of its value in `register`
    /// (found once, not per lane), none for a lane to set aside.
    #[inline(always)]
    fn of_values(l: &Lanes, lanes: Mask, register: NodeId, key: impl Fn(Fast) -> Option<u64>) -> Keys {
        let mut keys = Keys { of: [0; LANES], valid: 0 };
        l.each_one(lanes, register, |lane, value| {
            if let Some(value) = key(value) {
                *at_mut(&mut keys.of, lane) = value;
                keys.valid |= bit(lane);
            }
        });
        keys
    }

    /// The value of an enumeration in `register`, each lane's key.
    #[inline(always)]
    fn variants(l: &Lanes, lanes: Mask, register: NodeId) -> Keys {
        Keys::of_values(l, lanes, register, |value| match value {
            Fast::Enum(variant) => Some(u64::from(variant)),
            _ => None,
        })
    }
}

/// Splits the lanes of `lanes` into groups that share a key, and hands
/// each group to `each` with its key; a lane without one is set aside.
fn groups(l: &mut Lanes, lanes: Mask, keys: &Keys, mut each: impl FnMut(&mut Lanes, u64, Mask)) {
    l.aside |= lanes & !keys.valid;
    let mut rest = lanes & keys.valid;
    while rest != 0 {
        let value = at(&keys.of, rest.trailing_zeros() as usize);
        let same = Each(rest).fold(0, |same, lane| same | flag(at(&keys.of, lane) == value, lane));
        rest &= !same;
        each(l, value, same);
    }
}

/// The profiles of one round, one per lane.
struct Round<'r> {
    rows: &'r [&'r [Option<Value>]],
    on: jiff::civil::Date,
}

impl Round<'_> {
    /// The profile of a lane; none for a lane past the round's last profile,
    /// which no instruction runs ([`CompiledPolicy::run_lanes`]' mask).
    fn row(&self, lane: usize) -> Option<&[Option<Value>]> {
        self.rows.get(lane).copied()
    }
}

impl CompiledPolicy<'_> {
    /// Buffers for [`CompiledPolicy::evaluate_each`]; one per worker, reused for every group of profiles.
    pub fn lanes(&self) -> Lanes {
        Lanes::new(self)
    }

    /// Evaluates every profile of `rows` (each profile's values in field
    /// order, as [`crate::Profile::values`] gives them) as of `on`, and hands
    /// each outcome to `each` in order, with the profile's position: read
    /// where it lies (in the lanes, or in `scratch` for a profile evaluated
    /// alone), or the error that evaluation gives. Profiles run [`LANES`] at a time; returns how
    /// many were set aside and evaluated again one at a time (those that
    /// fail, and any the lanes cannot run).
    pub fn evaluate_each(
        &self,
        rows: &[&[Option<Value>]],
        on: jiff::civil::Date,
        lanes: &mut Lanes,
        scratch: &mut Scratch,
        mut each: impl FnMut(usize, Result<Evaluated<'_>, EvalError>),
    ) -> usize {
        let mut set_aside = 0;
        for (group, rows) in rows.chunks(LANES).enumerate() {
            let aside = self.run_lanes(&Round { rows, on }, lanes);
            set_aside += aside.count_ones() as usize;
            for (lane, row) in rows.iter().enumerate() {
                let position = group * LANES + lane;
                if aside & bit(lane) != 0 {
                    match self.evaluate(row, on, scratch) {
                        Ok(()) => each(position, Ok(Evaluated::from(&*scratch))),
                        Err(error) => each(position, Err(error)),
                    }
                } else {
                    each(position, Ok(Evaluated(At::Lane(lanes, lane))));
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
        lanes.reset();
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
                Ins::Field { dst, field, .. } => {
                    // A lane reads each field once: later readings find it in the shared register.
                    let Some(done) = l.fields_read.get_mut(field as usize) else {
                        l.aside |= active;
                        continue;
                    };
                    let active = active & !std::mem::replace(done, *done | active);
                    let rest = l.map(active, dst, |_, row, read| {
                        for lane in Each(active) {
                            let value = match round.row(lane).and_then(|row| row.get(field as usize)) {
                                Some(Some(value)) => fast_field(value, field).ok(),
                                _ => None,
                            };
                            keep(row, read, lane, value);
                        }
                    });
                    // Numbers too wide to be carried in the value, and fields the profile lacks.
                    for lane in Each(rest) {
                        match round.row(lane).and_then(|row| row.get(field as usize)) {
                            Some(Some(Value::Decimal(number))) => self.lane_number(l, dst, lane, *number),
                            _ => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::Given { dst, field } => {
                    let (mut known, mut given) = (0, 0);
                    for lane in Each(active) {
                        let value = round.row(lane).map(|row| row.get(field as usize).is_some_and(Option::is_some));
                        known |= flag(value.is_some(), lane);
                        given |= flag(value == Some(true), lane);
                    }
                    l.aside |= active & !known;
                    l.set_bools(dst, known, given);
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
                        l.sure.weaken(active, *certainty);
                    }
                }
                Ins::Rule { slot } => {
                    self.lane_rule(l, round, active, slot as usize, depth);
                }
                Ins::RuleAt { dst, rule, index } => {
                    let Some(definition) = self.rules.get(rule as usize) else {
                        l.aside |= active;
                        continue;
                    };
                    groups(l, active, &Keys::variants(l, active, index), |l, variant, lanes| {
                        let slot = definition.memo_offset + variant as usize;
                        self.lane_rule(l, round, lanes, slot, depth);
                        match self.program.rule_values.get(slot) {
                            Some(src) => l.copy(dst, *src, lanes & !l.aside),
                            None => l.aside |= lanes,
                        }
                    });
                }
                Ins::Band { dst, bands } => {
                    let id = bands as usize;
                    let Some(done) = l.band_done.get(id).copied() else {
                        l.aside |= active;
                        continue;
                    };
                    self.lane_call(l, round, self.program.band_entries.get(id), active & !done, depth);
                    let lanes = active & !l.aside;
                    let Some(sure) = l.band_sure.get(id).copied() else {
                        l.aside |= lanes;
                        continue;
                    };
                    l.sure.join(sure, lanes);
                    let rest = l.map(lanes, dst, |l, row, done| {
                        for lane in Each(lanes) {
                            let band = l.band_memo.get(id * STRIDE + lane % LANES).copied();
                            keep(row, done, lane, band.map(Fast::Enum));
                        }
                    });
                    l.aside |= rest;
                }
                Ins::Conditions { dst, slot, failures } => {
                    self.lane_conditions(l, round, active, dst, slot, failures, depth);
                }
                Ins::ConditionsAt { dst, set, index, failures } => {
                    let Some(offset) = self.sets.get(set as usize).and_then(|set| u32::try_from(set.memo_offset).ok())
                    else {
                        l.aside |= active;
                        continue;
                    };
                    groups(l, active, &Keys::variants(l, active, index), |l, variant, lanes| {
                        self.lane_conditions(
                            l,
                            round,
                            lanes,
                            dst,
                            offset.saturating_add(variant as u32),
                            failures,
                            depth,
                        );
                    });
                }
                Ins::Cell { dst, table, keys, column } => {
                    let keys = self.row_keys(l, active, table, keys);
                    groups(l, active, &keys, |l, row, lanes| {
                        let cell = u32::try_from(row).ok().and_then(|row| self.table_cell(table, row, column));
                        self.lane_cell(l, dst, lanes, cell);
                    });
                }
                Ins::TableRow { dst, table, keys } => {
                    let keys = self.row_keys(l, active, table, keys);
                    let Ok(table) = u16::try_from(table) else {
                        l.aside |= active;
                        continue;
                    };
                    let rest = l.map(active, dst, |_, row, done| {
                        for lane in Each(active & keys.valid) {
                            let read = u32::try_from(at(&keys.of, lane)).ok();
                            keep(row, done, lane, read.map(|row| Fast::Row { table, row }));
                        }
                    });
                    l.aside |= rest;
                }
                Ins::RowField { dst, row, column } => {
                    let keys = Keys::of_values(l, active, row, |value| match value {
                        Fast::Row { table, row } => Some(u64::from(table) << 32 | u64::from(row)),
                        _ => None,
                    });
                    groups(l, active, &keys, |l, row, lanes| {
                        let (table, row) = ((row >> 32) as u32, row as u32);
                        self.lane_cell(l, dst, lanes, self.table_cell(table, row, column));
                    });
                }
                Ins::Not { dst, operand } => {
                    let (yes, no) = l.truth(operand, active);
                    l.set_bools(dst, yes | no, no);
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
                            Some(result) => {
                                self.lane_number(l, dst, lane, result);
                            }
                            None => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::Compare { op, dst, left, right } => {
                    let (mut compared, mut holds) = (0, 0);
                    l.each_pair(active, left, right, |lane, left, right| {
                        let ordering = self.lane_compare(l, round, lane, left, right);
                        compared |= flag(ordering.is_some(), lane);
                        holds |= flag(ordering.is_some_and(|ordering| op.holds(ordering)), lane);
                    });
                    l.aside |= active & !compared;
                    l.set_bools(dst, compared, holds);
                }
                Ins::AndLeft { dst, left, to } | Ins::OrLeft { dst, left, to } => {
                    // `and` ends at false, `or` at true; the right operand is not read.
                    let (yes, no) = l.truth(left, active);
                    let ending = if matches!(ins, Ins::OrLeft { .. }) { yes } else { no };
                    l.set_bools(dst, ending, yes);
                    jump(l, &mut active, ending, to);
                }
                Ins::Bool { dst, operand } => {
                    let (yes, no) = l.truth(operand, active);
                    l.set_bools(dst, yes | no, yes);
                }
                Ins::InItem { dst, value, item, to } => {
                    let mut found = 0;
                    for lane in Each(active) {
                        let ordering = self.lane_compare(l, round, lane, l.get(value, lane), l.get(item, lane));
                        found |= flag(ordering.is_some_and(Ordering::is_eq), lane);
                    }
                    l.set_bools(dst, found, found);
                    jump(l, &mut active, found, to);
                }
                Ins::NotIn { dst } => l.set_bools(dst, active, 0),
                Ins::IfNot { condition, to, .. } => {
                    let (_, otherwise) = l.truth(condition, active);
                    jump(l, &mut active, otherwise, to);
                }
                Ins::Switch { scrutinee, arms, .. } => {
                    let Some(arms) = self.program.operands(arms) else {
                        l.aside |= active;
                        continue;
                    };
                    groups(l, active, &Keys::variants(l, active, scrutinee), |l, variant, lanes| {
                        // A variant with no arm: to the one-profile loop, which reports it.
                        match arms.get(variant as usize) {
                            Some(arm) if *arm != code::UNSET => jump(l, &mut active, lanes, *arm),
                            _ => l.aside |= lanes,
                        }
                    });
                    active = 0;
                }
                Ins::Round { dst, value, strategy, places } => {
                    let rest = l.map_one(active, dst, value, |value| value.small_rounded(places, strategy));
                    for lane in Each(rest) {
                        match l.number_in(value, lane) {
                            Some(value) => {
                                self.lane_number(l, dst, lane, number::round(value, places, strategy));
                            }
                            None => l.aside |= bit(lane),
                        }
                    }
                }
                Ins::MinMax { dst, values: items, min } => {
                    let Some(items) = self.program.operands(items) else {
                        l.aside |= active;
                        continue;
                    };
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
                Ins::Move { dst, src } => l.copy(dst, src, active),
                Ins::Jump { to } => {
                    let all = active;
                    jump(l, &mut active, all, to);
                }
                Ins::Unless { guard, to } => {
                    let skip = active & !l.holds(guard, active);
                    jump(l, &mut active, skip, to);
                }
                Ins::EndRule { rule, slot } => {
                    let slot = slot as usize;
                    match self.rules.get(rule as usize) {
                        Some(definition) if slot < l.rule_done.len() && slot < l.rule_sure.len() => {
                            self.lane_rely(l, active, definition.reliance);
                            let mut sure = l.sure;
                            sure.weaken(active, definition.certainty);
                            if let (Some(memo), Some(done)) = (l.rule_sure.get_mut(slot), l.rule_done.get_mut(slot)) {
                                memo.replace(sure, active);
                                *done |= active;
                            }
                        }
                        _ => l.aside |= active,
                    }
                    active = 0;
                }
                Ins::Bound { over, limit, lower, inclusive, to } => {
                    let (mut compared, mut misses) = (0, 0);
                    l.each_pair(active, over, limit, |lane, over, limit| {
                        let ordering = self.lane_compare(l, round, lane, over, limit);
                        compared |= flag(ordering.is_some(), lane);
                        misses |= flag(ordering.is_some_and(|ordering| !bound_holds(lower, inclusive, ordering)), lane);
                    });
                    l.aside |= active & !compared;
                    jump(l, &mut active, misses & compared, to);
                }
                Ins::EndBand { bands, band } => {
                    let id = bands as usize;
                    let definition = self.bands.get(id).and_then(|bands| bands.bands.get(band as usize));
                    let memo =
                        (id + 1) * STRIDE <= l.band_memo.len() && id < l.band_sure.len() && id < l.band_done.len();
                    match (definition, u16::try_from(band)) {
                        (Some(definition), Ok(band)) if memo => {
                            self.lane_rely(l, active, definition.reliance);
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
                    let bit = definition.map(|set| set.bits(slot).start + position as usize);
                    match (condition, bit) {
                        (Some(condition), Some(bit)) if bit < l.failed.len() => {
                            self.lane_rely(l, active, condition.reliance);
                            l.sure.weaken(active, condition.certainty);
                            let failing = active & !l.holds(holds, active);
                            if let Some(failed) = l.failed.get_mut(bit) {
                                *failed |= failing;
                            }
                        }
                        _ => l.aside |= active,
                    }
                }
                Ins::EndConditions { slot } => {
                    let bits = self.slot_set(slot).map(|set| set.bits(slot));
                    let failed = bits.and_then(|bits| l.failed.get(bits));
                    let slot = slot as usize;
                    match failed {
                        Some(failed)
                            if slot < l.set_hold.len() && slot < l.set_sure.len() && slot < l.set_done.len() =>
                        {
                            let failing = failed.iter().fold(0, |all, lanes| all | lanes);
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
                    active = 0;
                }
                Ins::Leaf { leaf, .. } => match l.leaves.get_mut(leaf as usize) {
                    Some(reached) => *reached |= active,
                    None => l.aside |= active,
                },
                Ins::Group { group } => match l.groups.get_mut(group as usize) {
                    Some(present) => *present |= active,
                    None => l.aside |= active,
                },
                Ins::Certainty { output } => {
                    let sure = l.sure;
                    match l.certainties.get_mut(output as usize) {
                        Some(slot) => slot.replace(sure, active),
                        None => l.aside |= active,
                    }
                    l.sure.replace(Sure::default(), active);
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
        l.sure.replace(Sure::default(), need);
        self.body(l, round, *entry as usize, need, depth + 1);
        l.sure.replace(before, need);
    }

    /// Makes sure slot `slot` of a rule is computed for the lanes given, and reads how sure it is.
    fn lane_rule(&self, l: &mut Lanes, round: &Round<'_>, lanes: Mask, slot: usize, depth: usize) {
        let (Some(done), Some(_)) = (l.rule_done.get(slot).copied(), l.rule_sure.get(slot)) else {
            l.aside |= lanes;
            return;
        };
        self.lane_call(l, round, self.program.rule_entries.get(slot), lanes & !done, depth);
        if let Some(sure) = l.rule_sure.get(slot).copied() {
            l.sure.join(sure, lanes & !l.aside);
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
        slot: u32,
        failures: bool,
        depth: usize,
    ) {
        let index = slot as usize;
        let (Some(done), Some(_), Some(_)) =
            (l.set_done.get(index).copied(), l.set_sure.get(index), l.set_hold.get(index))
        else {
            l.aside |= lanes;
            return;
        };
        self.lane_call(l, round, self.program.set_entries.get(index), lanes & !done, depth);
        let lanes = lanes & !l.aside;
        if let (Some(sure), Some(hold)) = (l.set_sure.get(index).copied(), l.set_hold.get(index).copied()) {
            l.sure.join(sure, lanes);
            if failures {
                l.fill(dst, lanes, Fast::Failures(slot));
            } else {
                l.set_bools(dst, lanes, hold);
            }
        }
    }

    /// The row of a table each lane of `lanes` reads, by the values of the
    /// keys in its registers. The keys that are constants are folded once;
    /// when a single key remains (a table of options read at a band, say),
    /// a lane's row is one product and one sum.
    fn row_keys(&self, l: &Lanes, lanes: Mask, table: u32, list: List) -> Keys {
        let (Some(registers), Some(definition)) = (self.program.operands(list), self.tables.get(table as usize)) else {
            return Keys { of: [0; LANES], valid: 0 };
        };
        let sizes = &definition.key_sizes[..];
        // A row is the keys' values read as digits, each in the base of its key's size.
        let (mut base, mut varying, mut stride) = (0u64, None, 1u64);
        let mut simple = registers.len() == sizes.len();
        for (register, size) in registers.iter().zip(sizes).rev() {
            match (l.kind(*register), l.constants.get(*register as usize)) {
                (Kind::Constant, Some(Fast::Enum(variant))) => base += u64::from(*variant) * stride,
                (Kind::Lanes, _) if varying.is_none() => varying = Some((*register, stride)),
                _ => simple = false,
            }
            stride = stride.saturating_mul(*size as u64);
        }
        match varying.filter(|_| simple) {
            Some((register, stride)) => Keys::of_values(l, lanes, register, |value| match value {
                Fast::Enum(variant) => Some(base + u64::from(variant) * stride),
                _ => None,
            }),
            _ => {
                let mut keys = Keys { of: [0; LANES], valid: 0 };
                for lane in Each(lanes) {
                    if let Some(row) = self.row(table, list, |key| l.get(key, lane)) {
                        *at_mut(&mut keys.of, lane) = u64::from(row);
                        keys.valid |= bit(lane);
                    }
                }
                keys
            }
        }
    }

    /// Reads a cell for the lanes given (relying on it if it is not
    /// established), or sets them aside if the table has none there.
    fn lane_cell(&self, l: &mut Lanes, dst: NodeId, lanes: Mask, cell: Option<&CompiledCell>) {
        match cell {
            Some(cell) => {
                self.lane_rely(l, lanes, cell.reliance);
                l.sure.weaken(lanes, cell.certainty);
                l.fill(dst, lanes, cell.value);
            }
            None => l.aside |= lanes,
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
        if first != 0 {
            l.reliances.push((id, first));
        }
    }

    /// Writes a number computed for node `dst` of a lane to its register:
    /// in the value if it fits, else in its place.
    #[inline]
    fn lane_number(&self, l: &mut Lanes, dst: NodeId, lane: usize, value: Decimal) {
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
    fn lane_compare(&self, l: &Lanes, round: &Round<'_>, lane: usize, left: Fast, right: Fast) -> Option<Ordering> {
        match (left, right) {
            (Fast::Enum(a), Fast::Enum(b)) => Some(a.cmp(&b)),
            (Fast::Number(a), Fast::Number(b)) => Some(number::compare_small(a, b)),
            _ => self.lane_compare_other(l, round, lane, left, right),
        }
    }

    #[inline(never)]
    fn lane_compare_other(
        &self,
        l: &Lanes,
        round: &Round<'_>,
        lane: usize,
        left: Fast,
        right: Fast,
    ) -> Option<Ordering> {
        self.compare_with(|place| l.decimal(place, lane), round.row(lane)?, left, right)
    }
}
