//! Running the program of a compiled policy on many profiles at once: up to
//! [`LANES`] profiles, one per lane, each instruction run once for every
//! lane that reaches it. Dispatching an instruction is then paid once per
//! group of profiles rather than once per profile, and what remains per
//! profile is the instruction's own work, in short loops over the lanes.
//!
//! Which lanes run an instruction is a mask. A jump moves the lanes it
//! takes to the mask waiting at its target; since every jump of the
//! program goes forward (checked when the program is generated and when the
//! buffers are made), running the instructions in order reaches every lane
//! at every instruction of its own path, in its own order. A definition is
//! called, as in the one-profile loop, for the lanes that have not computed
//! it yet, and memoised per lane; how sure a value is, the assumptions
//! recorded and the failed conditions are kept per lane, so each lane ends
//! with exactly what the one-profile loop ([`CompiledPolicy::evaluate`])
//! gives for its profile.
//!
//! What is a yes or a no for each lane is kept as a mask too, one bit per
//! lane, so that most instructions are a few operations on words whatever
//! the number of lanes: a boolean register (`and`, `or`, `not`, guards,
//! conditions), how sure each lane is so far ([`masks::Certainties`]), which conditions
//! failed, which outputs a `when` kept. Only values of other kinds
//! (numbers, dates, values of enumerations) are read and written lane by
//! lane.
//!
//! A profile's outcome is read where its evaluation left it ([`Evaluated`]),
//! after the whole batch: an output's value is in the register that
//! computed it, which nothing writes again for that lane, since each node
//! runs at most once per profile (a definition's body once, then memoised).
//!
//! A lane that meets anything out of the ordinary (a fault, a call nested
//! deeper than [`MAX_DEPTH`], a value where the program's invariants say
//! none can be) is set aside and evaluated again by the one-profile loop,
//! which gives the outcome or the located error. Nothing is lost and nothing
//! differs; only the common path is made fast.
//!
//! # The files
//!
//! | file | what it holds |
//! |---|---|
//! | `mod.rs` | the buffers ([`Lanes`]), made and reset; [`CompiledPolicy::evaluate_each`] |
//! | `masks.rs` | sets of lanes as words, how sure each lane is, keys that split lanes into groups |
//! | `registers.rs` | reading and writing registers lane by lane or a mask at a time |
//! | `dispatch.rs` | the loop over instructions: one arm, one call per instruction |
//! | `values.rs` | the instructions that compute a value: fields, dates, arithmetic, comparisons, rounding |
//! | `flow.rs` | the instructions that move lanes: `and`, `or`, `in`, `if`, `match`, guards, bands' bounds |
//! | `tables.rs` | tables' cells and rows |
//! | `calls.rs` | definitions called and memoised (rules, bands, condition sets), assumptions, outputs |
//!
//! # Adding an instruction
//!
//! 1. `code.rs`: add the variant to [`Ins`] with its destination register
//!    `dst` and the registers it reads; list them in `Ins::registers` (the
//!    compiler says where: the match has no catch-all), and its jump target
//!    in `Ins::target_mut` if it jumps. Emit it in `Generator::expr` for its
//!    [`Op`] (lowered in `lower.rs` from the checker's expression; fold it
//!    there if constants decide it).
//! 2. `invariants.rs`: if it names a definition, table, slot or output, add
//!    its range to `instruction`; if it orders values, to `comparisons`.
//! 3. `run.rs`: its arm in `CompiledPolicy::run`, failing with the
//!    reference's fault (located at `dst`) where the reference fails.
//! 4. `lanes/`: a function in the file of its family, which computes every
//!    lane of `active` it can (in words where the values are masks, with
//!    `Lanes::map_pair`/`map_one` where they are values) and sets aside
//!    (`l.aside |= …`) every lane it cannot, never writing a default in
//!    its place; then its one-line arm in `dispatch.rs`.
//! 5. Tests: give the construct to the policy generator
//!    (`tests/common/policies.rs`) so that `tests/differential.rs` runs it
//!    through the reference, the one-profile loop and the lanes on
//!    shuffled batches of more than [`LANES`] profiles and compares every
//!    value, certainty, assumption and error; if it has a fast path and a
//!    slow one (small numbers and wide ones), make the generator reach both.
//!    A lane set aside is always answered right (by the one-profile loop),
//!    so the harness also fails a profile the lanes set aside though it
//!    evaluates: a mutant that sets everything aside is caught, not slow.
//!    Then check that the net holds: `cargo mutants` over the lanes and
//!    `run.rs` with the fast tests (below; `--cargo-arg` limits the build to
//!    the fast test targets, the filters to their fast tests, 24 generated
//!    policies instead of 256; `--in-place` in a worktree of its own reuses
//!    its build; `--timeout 40`, as the tests take seconds and a mutant
//!    that loops would otherwise hold minutes) must report no missed mutant
//!    of the new function, or say why the survivor is equivalent. About 30 s
//!    a mutant on a shared machine; the instruction files (`values`,
//!    `masks`, `flow`, `dispatch`) are 180 mutants, the whole set about 570:
//!    take a shard (`--shard 1/4`) when time is short.
//!
//!    The survivors of the instruction files (26 November: 179 mutants, 137
//!    caught, 10 timeouts, 9 unviable, 23 missed, of which 4 are now caught
//!    and these 19 are equivalent):
//!    - `|` written `^` where the two masks never share a lane: `boolean`'s
//!      and `not`'s `yes | no`, `merge`, the fold of `groups`;
//!    - a second guard behind a first, setting aside what the invariants
//!      (or `Lanes::new`) already refuse: in `dispatch.rs`, a lane that jumps
//!      past the end or runs past the last instruction; in `flow.rs`,
//!      `switch`'s list of arms missing and its guard on an unset arm (the
//!      jump sets the lane aside all the same); in `values.rs`, `field`'s
//!      list of fields read missing, and an operand of another kind in
//!      `years_between`, `neg`, `round` and `min_max` (its list too);
//!    - speed only: `field`'s record of fields read per lane written wrong
//!      (a lane reads a field again, which gives the same value), `arith`'s
//!      division sent to the small path (which declines it), and
//!      `lane_compare`'s two fast arms (the general comparison orders those
//!      values the same).
//!
//!    `tests/compiled.rs` is in the fast set: it alone caught `groups`
//!    setting aside lanes outside its mask. And a corpus case that must
//!    catch a lane dropped unanswered outputs the value itself, not a
//!    comparison of it: a comparison meeting a register never written
//!    (values of another kind) sets the lane aside and hides the drop
//!    (`tests/corpus/dates-years.policy`).
//!
//!    The runs (`evaluate_runs`, `LaneRun`, `leaf_run`, `certainty_run`;
//!    `--re 'LaneRun|evaluate_runs|leaf_run|certainty_run|leaf_value'` over
//!    this file, `compiled/mod.rs` and `run.rs`), 26 November: 58 mutants, 29 caught,
//!    20 unviable, 4 timeouts (a position that never moves on), 5 missed,
//!    all in `LaneRun::leaves`, now caught: the test policy had no output a
//!    `when` leaves out in some lanes of a run (`large_twice`) and none that
//!    gives back a profile's own text, read at the profile's position (`echo`).
//!
//! ```text
//! CI=true AVENANT_DIFFERENTIAL_CASES=24 cargo mutants --in-place --timeout 40 \
//!     -f 'src/eval/compiled/lanes/**' -f src/eval/compiled/run.rs \
//!     --cargo-arg=--test=differential --cargo-arg=--test=corpus \
//!     --cargo-arg=--test=compiled --cargo-arg=--lib \
//!     -- -- invariants lanes::tests agree each_file table_keys change_nothing missing_field
//! ```

mod calls;
mod dispatch;
mod flow;
mod masks;
mod registers;
mod tables;
mod values;

use super::code::{self, Ins};
use super::run::Scratch;
use super::*;
use crate::check::types::Type;
use crate::eval::EvalError;
use calls::{certainty, mark};
use dispatch::{Batch, Walk};
use flow::{and_or_left, boolean, if_not};
use masks::{Certainties, Each, Mask, bit};
use registers::Kind;
use values::{add_years, given, not};

/// How many profiles run together: one bit each in a mask, a `u64`.
pub const LANES: usize = 64;

/// How far apart two registers' values for the same lane are: a little
/// more than [`LANES`], so that the registers an instruction reads do not
/// fall in the same few sets of the processor's cache, as a power of two would.
const STRIDE: usize = LANES + 4;

/// Calls nested deeper than this are left to the one-profile loop, whose
/// stack is explicit: the lanes recurse on the machine's stack.
const MAX_DEPTH: usize = 64;

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
    sure: Certainties,
    /// Lanes left to the one-profile loop in this batch.
    aside: Mask,
    rule_done: Vec<Mask>,
    rule_sure: Vec<Certainties>,
    band_done: Vec<Mask>,
    band_sure: Vec<Certainties>,
    /// Per set of bands, [`STRIDE`] wide: the band each lane is in.
    band_memo: Vec<u16>,
    set_done: Vec<Mask>,
    set_sure: Vec<Certainties>,
    /// Per condition-set slot: the lanes where every condition held.
    set_hold: Vec<Mask>,
    /// Per condition, numbered as the one-profile loop's failure bits are
    /// (word × 64 + bit): the lanes where it failed.
    failed: Vec<Mask>,
    assumption_seen: Vec<Mask>,
    /// The assumptions recorded this batch, in the order they were read:
    /// each with the lanes that read it first there (a lane's own list is
    /// read back only when asked for, by [`Lanes::assumptions`]).
    assumptions: Vec<(u32, Mask)>,
    /// Per output value: the lanes that reached it (a `when` left it out of
    /// the others), and the register it is read from when handed over.
    leaves: Vec<Mask>,
    leaf_sources: Vec<NodeId>,
    groups: Vec<Mask>,
    certainties: Vec<Certainties>,
    /// Per field of the profile: the lanes that have read it into its register this batch.
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
                _ => Kind::PerLane,
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
            sure: Certainties::default(),
            aside: 0,
            rule_done: vec![0; compiled.rule_slots],
            rule_sure: vec![Certainties::default(); compiled.rule_slots],
            band_done: vec![0; compiled.bands.len()],
            band_sure: vec![Certainties::default(); compiled.bands.len()],
            band_memo: vec![0; compiled.bands.len() * STRIDE],
            set_done: vec![0; compiled.slot_sets.len()],
            set_sure: vec![Certainties::default(); compiled.slot_sets.len()],
            set_hold: vec![0; compiled.slot_sets.len()],
            failed: vec![0; compiled.failure_words * 64],
            assumption_seen: vec![0; compiled.assumption_keys],
            assumptions: Vec::new(),
            leaves: vec![0; compiled.leaves.len()],
            leaf_sources,
            groups: vec![0; compiled.groups as usize],
            certainties: vec![Certainties::default(); compiled.outputs.len()],
            fields_read: vec![0; compiled.policy.fields.len()],
            pending: vec![0; code.len()],
            owner: compiled.id,
        }
    }

    fn reset(&mut self) {
        self.sure = Certainties::default();
        self.aside = 0;
        self.rule_done.fill(0);
        self.band_done.fill(0);
        self.set_done.fill(0);
        self.failed.fill(0);
        self.assumption_seen.fill(0);
        self.assumptions.clear();
        self.leaves.fill(0);
        self.groups.fill(0);
        self.fields_read.fill(0);
        self.pending.fill(0);
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

/// What [`CompiledPolicy::evaluate_runs`] hands over.
pub enum Run<'a> {
    /// Profiles the lanes computed, one after another.
    Lanes(LaneRun<'a>),
    /// A profile the lanes set aside, by its position, evaluated alone.
    Alone(usize, Result<Evaluated<'a>, EvalError>),
}

/// Profiles computed in the lanes one after another: their outcomes, in place.
#[derive(Clone)]
pub struct LaneRun<'a> {
    lanes: &'a Lanes,
    /// The position of the run's first profile among those evaluated.
    first: usize,
    range: std::ops::Range<usize>,
}

impl<'a> LaneRun<'a> {
    /// The positions of the run's profiles.
    pub fn positions(&self) -> std::ops::Range<usize> {
        self.first..self.first + self.range.len()
    }

    /// Each profile of the run, by its position, with its outcome.
    pub fn outcomes(&self) -> impl Iterator<Item = (usize, Evaluated<'a>)> + use<'a> {
        let (lanes, first, start) = (self.lanes, self.first, self.range.start);
        self.range.clone().map(move |lane| (first + lane - start, Evaluated(At::Lane(lanes, lane))))
    }

    /// Output value `index` of each profile of the run, in order, with its
    /// position and outcome: none where a `when` left it out. Where the
    /// value is kept is found once for the run, not once a profile.
    pub(in crate::eval::compiled) fn leaves(
        &self,
        index: usize,
    ) -> impl Iterator<Item = (usize, Evaluated<'a>, Option<Fast>)> + use<'a> {
        let lanes = self.lanes;
        let set = lanes.leaves.get(index).copied().unwrap_or(0);
        // Every output value has its source register, a node (checked by `Lanes::new`).
        let source = lanes.leaf_sources.get(index).copied();
        let row = source.and_then(|source| lanes.row(source));
        let (first, start) = (self.first, self.range.start);
        self.range.clone().map(move |lane| {
            let value = match (row, source) {
                _ if set & bit(lane) == 0 => None,
                (Some(row), _) => Some(masks::at(row, lane)),
                (None, Some(source)) => Some(lanes.get(source, lane)),
                (None, None) => None,
            };
            (first + lane - start, Evaluated(At::Lane(lanes, lane)), value)
        })
    }

    /// How sure output `index` is in each lane of the run, in order.
    pub(in crate::eval::compiled) fn certainties(
        &self,
        index: usize,
    ) -> impl Iterator<Item = Option<Certainty>> + use<'a> {
        let sure = self.lanes.certainties.get(index).copied();
        self.range.clone().map(move |lane| sure.map(|sure| sure.of(lane)))
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
        self.evaluate_runs(rows, on, lanes, scratch, |run| match run {
            Run::Lanes(run) => run.outcomes().for_each(|(position, outcome)| each(position, Ok(outcome))),
            Run::Alone(position, outcome) => each(position, outcome),
        })
    }

    /// [`CompiledPolicy::evaluate_each`], the outcomes handed over a run at
    /// a time: the profiles the lanes computed one after another, read a
    /// value at a time across the run ([`CompiledPolicy::leaf_run`]), and
    /// between them each profile set aside, evaluated alone.
    pub fn evaluate_runs(
        &self,
        rows: &[&[Option<Value>]],
        on: jiff::civil::Date,
        lanes: &mut Lanes,
        scratch: &mut Scratch,
        mut each: impl FnMut(Run<'_>),
    ) -> usize {
        let mut set_aside = 0;
        for (group, rows) in rows.chunks(LANES).enumerate() {
            let aside = self.run_lanes(&Batch { rows, on }, lanes);
            set_aside += aside.count_ones() as usize;
            let mut lane = 0;
            while let Some(row) = rows.get(lane) {
                let position = group * LANES + lane;
                if aside & bit(lane) != 0 {
                    match self.evaluate(row, on, scratch) {
                        Ok(()) => each(Run::Alone(position, Ok(Evaluated::from(&*scratch)))),
                        Err(error) => each(Run::Alone(position, Err(error))),
                    }
                    lane += 1;
                } else {
                    // Up to the next lane set aside, or the group's end.
                    let end = (lane + (aside >> lane).trailing_zeros() as usize).min(rows.len());
                    each(Run::Lanes(LaneRun { lanes, first: position, range: lane..end }));
                    lane = end;
                }
            }
        }
        set_aside
    }

    /// Runs the program for every lane of a batch; the lanes set aside.
    fn run_lanes(&self, batch: &Batch<'_>, lanes: &mut Lanes) -> Mask {
        let count = batch.rows.len().min(LANES);
        let all = if count == LANES { Mask::MAX } else { (1 << count) - 1 };
        if lanes.owner != self.id {
            *lanes = self.lanes();
        }
        if !lanes.runnable {
            return all;
        }
        lanes.reset();
        self.body(lanes, batch, 0, all, 0);
        lanes.aside & all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::differential;

    /// A band over an optional field, a rule read in several outputs, a
    /// text compared: a policy small enough to say what each lane must do.
    const POLICY: &str = r#"
policy lanes_cases { title "What the lanes must set aside, and what they must not" }
profile { label: text  patients: patients?  kind: text }
rule counted: patients = patients + 0
bands size "size" over counted {
  small "small": up to 500
  large "large": above 500
}
output band = size
output named = label == "dr-3" or kind != label
output twice = counted * 2
output large_twice = counted * 2 when counted > 500
output echo = label
"#;

    fn profiles(policy: &crate::CheckedPolicy) -> Result<Vec<crate::Profile>, Box<dyn std::error::Error>> {
        (0..70)
            .map(|doctor| {
                // Every fifth profile lacks `patients`, which the band's `over` reads inside its call.
                let patients =
                    if doctor % 5 == 2 { String::new() } else { format!(r#", "patients": {}"#, doctor * 13) };
                let text = format!(r#"{{"label": "dr-{doctor}", "kind": "dr-{}"{patients}}}"#, doctor % 7);
                let input = crate::ProfileInput::parse(std::path::Path::new("dr.json"), &text)?;
                crate::Profile::validate(policy, &input).map_err(|errors| format!("{errors:?}").into())
            })
            .collect()
    }

    /// The runs hand over every profile once, in order: those set aside
    /// alone, the others in runs of the lanes between them; and a run read
    /// a value at a time across it gives, profile by profile, what each
    /// profile's outcome gives read alone (values and certainties).
    #[test]
    fn runs_read_across_give_each_profile_what_it_gives_alone() -> Result<(), Box<dyn std::error::Error>> {
        let policy = crate::compile(std::path::Path::new("lanes-cases.policy"), POLICY)?;
        let compiled = CompiledPolicy::new(&policy);
        let profiles = profiles(&policy)?;
        let rows: Vec<_> = profiles.iter().map(crate::Profile::values).collect();
        let (mut lanes, mut scratch) = (compiled.lanes(), compiled.scratch());
        let on = jiff::civil::date(2024, 1, 1);
        let (mut next, mut alone, mut runs, mut compared) = (0, Vec::new(), 0, 0);
        compiled.evaluate_runs(&rows, on, &mut lanes, &mut scratch, |run| match run {
            Run::Alone(position, _) => {
                assert_eq!(position, next, "in order");
                alone.push(position);
                next += 1;
            }
            Run::Lanes(run) => {
                assert_eq!(run.positions().start, next, "in order");
                assert!(!run.positions().is_empty());
                next = run.positions().end;
                runs += 1;
                let values = |position: usize| rows.get(position).copied().unwrap_or(&[]);
                for index in 0..compiled.leaf_paths().count() {
                    let across: Vec<_> = compiled.leaf_run(&run, index, values).collect();
                    let each: Vec<_> = run
                        .outcomes()
                        .map(|(position, outcome)| compiled.leaf(outcome, values(position), index).ok())
                        .collect();
                    assert_eq!(across, each, "output value {index}");
                    compared += across.len();
                }
                for index in 0..compiled.output_names().count() {
                    let across: Vec<_> = compiled.certainty_run(&run, index).collect();
                    let each: Vec<_> = run.outcomes().map(|(_, outcome)| compiled.certainty(outcome, index)).collect();
                    assert_eq!(across, each, "output {index}");
                }
            }
        });
        assert_eq!(next, rows.len(), "every profile handed over");
        let without_patients: Vec<_> = (0..rows.len()).filter(|doctor| doctor % 5 == 2).collect();
        assert_eq!(alone, without_patients, "alone: the profiles the lanes set aside, and only they");
        assert!(runs >= without_patients.len(), "a run between two profiles set aside: {runs}");
        assert!(compared > 100);
        Ok(())
    }

    /// A lane that fails inside a definition's call (here, a field missing
    /// in the bands' `over`) stays set aside once the call returns: it is
    /// reported with the one-profile loop's error, never read from the lanes.
    /// And a lane that evaluates is never set aside (the harness checks both).
    #[test]
    fn a_lane_that_fails_inside_a_call_stays_aside_and_no_other_is() -> Result<(), Box<dyn std::error::Error>> {
        let policy = crate::compile(std::path::Path::new("lanes-cases.policy"), POLICY)?;
        let compiled = CompiledPolicy::new(&policy);
        assert_eq!(compiled.program.broken, None);
        let profiles = profiles(&policy)?;
        let on = jiff::civil::date(2024, 1, 1);
        let compared =
            differential::compare(&policy, &compiled, &profiles, on, 21).map_err(|found| found.to_string())?;
        assert!(compared > profiles.len());
        let rows: Vec<_> = profiles.iter().map(crate::Profile::values).collect();
        let (mut lanes, mut scratch) = (compiled.lanes(), compiled.scratch());
        let mut failed = 0;
        let set_aside = compiled.evaluate_each(&rows, on, &mut lanes, &mut scratch, |_, outcome| {
            failed += usize::from(outcome.is_err());
        });
        assert_eq!((failed, set_aside), (14, 14), "the fourteen profiles without `patients`, and only they");
        Ok(())
    }

    /// Texts compare (`==`, `!=`) as the reference compares them, by their characters.
    #[test]
    fn texts_compare_by_their_characters() -> Result<(), Box<dyn std::error::Error>> {
        let policy = crate::compile(std::path::Path::new("lanes-cases.policy"), POLICY)?;
        let compiled = CompiledPolicy::new(&policy);
        let values = [Some(Value::Text("dr-1".into())), None, Some(Value::Text("dr-10".into()))];
        let text = |field: u32| Fast::Text(TEXT_FIELD | field);
        let order = compiled.compare_with(|_| None, &values, text(0), text(2));
        assert_eq!(order, Some(std::cmp::Ordering::Less));
        assert_eq!(compiled.compare_with(|_| None, &values, text(2), text(2)), Some(std::cmp::Ordering::Equal));
        Ok(())
    }
}
