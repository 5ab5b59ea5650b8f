//! The compiled evaluator: a checked policy lowered once into a form built
//! for populations (names resolved to slots, tables and assumptions indexed,
//! values `Copy`, what constants decide folded), then laid out as a flat
//! program of register instructions (`code.rs`) that one loop runs on one
//! profile (`run.rs`) or on [`LANES`] profiles at once (`lanes.rs`), with
//! buffers a worker reuses from one profile to the next. It must give
//! exactly what the reference evaluator ([`crate::eval::evaluate`]) gives:
//! same values, same certainty, same assumptions in the same order, same
//! errors. It never allocates on the path of a profile that evaluates,
//! never reads files and never prints.
//!
//! ```
//! use std::path::Path;
//! use avenant::eval::compiled::{CompiledPolicy, Leaf};
//!
//! let loaded = avenant::load_text(Path::new("policies/avenant-7.policy"))?;
//! let compiled = CompiledPolicy::new(&loaded.policy);
//! let mut profiles = Vec::new();
//! for patients in [600, 700, 1_200] {
//!     let text = format!(
//!         r#"{{"specialty": "medecine_generale", "sector": "secteur_1", "zone": "zip",
//!             "grouped_practice": true, "coordinated_practice": true,
//!             "patientele_mt": {patients}, "file_active": 1300}}"#
//!     );
//!     let input = avenant::ProfileInput::parse(Path::new("dr.json"), &text)?;
//!     profiles.push(avenant::Profile::validate(&loaded.policy, &input).map_err(|errors| errors[0].clone())?);
//! }
//! let rows: Vec<_> = profiles.iter().map(avenant::Profile::values).collect();
//! // One set of buffers per thread, reused for every population it evaluates.
//! let (mut lanes, mut scratch) = (compiled.lanes(), compiled.scratch());
//! let eligible = compiled.leaf_paths().position(|path| path == "eligible").unwrap_or_default();
//! let mut answers = Vec::new();
//! compiled.evaluate_each(&rows, jiff::civil::date(2022, 6, 1), &mut lanes, &mut scratch, |position, outcome| {
//!     // Read in place, where the evaluation left it: nothing is copied.
//!     if let Ok(outcome) = outcome {
//!         answers.push(matches!(compiled.leaf(outcome, rows[position], eligible), Ok(Leaf::Bool(true))));
//!     }
//! });
//! assert_eq!(answers, [false, true, true]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Nothing here may panic on a policy the checker passed, nor on a broken
//! one: what the loops index is checked once ([`invariants`]), an index
//! proven in range says why where it is taken (`#[expect(clippy::indexing_slicing, reason = …)]`),
//! and whatever else is missing sets a lane aside or fails with an internal error.

mod code;
mod invariants;
mod lanes;
mod lower;
mod number;
mod run;

use std::sync::Arc;

use rust_decimal::{Decimal, RoundingStrategy};

use number::Small;

use super::EvalError;
use super::error::Fault;
use super::value::{Outcome, OutputValue};
use crate::check::model::{ArithOp, Assumption, CheckedPolicy, CompareOp, FailedCondition, Value};
use crate::check::types::Type;
use crate::source::Span;
use crate::syntax::ast::Certainty;

pub use lanes::{LANES, LaneRun, Lanes, Run};
pub use run::Scratch;

/// A checked policy, compiled for evaluating many profiles.
#[derive(Debug)]
pub struct CompiledPolicy<'p> {
    policy: &'p CheckedPolicy,
    nodes: Vec<Node>,
    /// The checker's type of each node's value: the lanes keep booleans as bits.
    types: Vec<Type>,
    /// Operands of nodes that take several (`min`, `in`, table keys, match arms).
    lists: Vec<NodeId>,
    texts: Vec<Arc<str>>,
    /// The policy's decimal constants, referred to by place.
    constants: Vec<Decimal>,
    rules: Vec<CompiledRule>,
    rule_slots: usize,
    bands: Vec<CompiledBands>,
    sets: Vec<CompiledSet>,
    /// The condition set of each slot.
    slot_sets: Vec<u32>,
    failure_words: usize,
    tables: Vec<CompiledTable>,
    assumptions: Vec<AssumptionDef>,
    /// Distinct places an assumption may point at (the reference keeps one assumption per place).
    assumption_keys: usize,
    outputs: Vec<CompiledOutput>,
    leaves: Vec<LeafDef>,
    groups: u32,
    /// What runs per profile: the nodes above laid out as flat instructions.
    program: code::Program,
    /// Which compiled policy this is: buffers made for another are made anew.
    id: u64,
}

pub(crate) type NodeId = u32;

/// A value during compiled evaluation: `Copy` and 8 bytes, so that a call
/// gives it back in a register, never through memory. A number whose
/// mantissa fits in 32 bits is held in the value itself ([`Small`]); any
/// other decimal (16 bytes) is passed by its place: below the policy's
/// constants' count, a constant; from there on, a number of the profile
/// being evaluated ([`Scratch`]'s numbers). A number is always a `Number`
/// when it fits one, so that two equal constants are equal values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Fast {
    Bool(bool),
    Number(Small),
    Decimal(u32),
    Date(jiff::civil::Date),
    Enum(u16),
    /// A text: a constant of the policy, or with [`TEXT_FIELD`] set, a field of the profile.
    Text(u32),
    Row {
        table: u16,
        row: u32,
    },
    /// The failed conditions of the condition-set slot given.
    Failures(u32),
}

const _: () = assert!(size_of::<Fast>() == 8);

impl Fast {
    /// A number as a compiled value: in the value if it fits, else by the
    /// place `place` puts it in.
    #[inline]
    fn number(value: Decimal, place: impl FnOnce(Decimal) -> Fast) -> Fast {
        match Small::of(value) {
            Some(small) => Fast::Number(small),
            None => place(value),
        }
    }

    /// `self op other` for two numbers carried in their values, if the
    /// result is one too (see [`number::multiply_small`] and
    /// [`number::add_small`]); anything else is left to rust_decimal.
    #[inline]
    fn small_arithmetic(self, op: ArithOp, other: Fast) -> Option<Fast> {
        let (Fast::Number(a), Fast::Number(b)) = (self, other) else { return None };
        match op {
            ArithOp::Mul => number::multiply_small(a, b),
            ArithOp::Add => number::add_small(a, b, false),
            ArithOp::Sub => number::add_small(a, b, true),
            ArithOp::Div => None,
        }
        .map(Fast::Number)
    }

    /// A number carried in its value, rounded, if the result is one too (see [`number::round_small`]).
    #[inline]
    fn small_rounded(self, places: u32, strategy: RoundingStrategy) -> Option<Fast> {
        match self {
            Fast::Number(small) => number::round_small(small, places, strategy).map(Fast::Number),
            _ => None,
        }
    }

    /// The number this value is, reading one by its place with `decimal`.
    #[inline]
    fn decimal(self, decimal: impl FnOnce(u32) -> Option<Decimal>) -> Option<Decimal> {
        match self {
            Fast::Number(small) => Some(small.decimal()),
            Fast::Decimal(place) => decimal(place),
            _ => None,
        }
    }
}

/// Marks a text that is a field of the profile rather than a constant.
pub(crate) const TEXT_FIELD: u32 = 1 << 31;

#[derive(Debug, Clone, Copy)]
pub(crate) struct List {
    start: u32,
    len: u32,
}

impl List {
    /// The items of `all` this list holds; none if it is not in `all`.
    #[inline]
    fn of<T>(self, all: &[T]) -> Option<&[T]> {
        let start = self.start as usize;
        all.get(start..start.checked_add(self.len as usize)?)
    }
}

#[derive(Debug)]
struct Node {
    op: Op,
    span: Span,
}

#[derive(Debug)]
enum Op {
    Const(Fast),
    Field(u32),
    /// Whether the profile gives this optional field.
    Given(u32),
    EvaluationDate,
    AddYears {
        date: NodeId,
        years: NodeId,
    },
    YearsBetween {
        from: NodeId,
        to: NodeId,
    },
    Param {
        value: Fast,
        certainty: Certainty,
        assumption: Option<u32>,
    },
    Rule {
        rule: u32,
        index: Option<NodeId>,
    },
    /// A rule whose index is known when compiling (or that takes none).
    RuleAt {
        rule: u32,
        index: Option<u16>,
    },
    ConditionsAt {
        set: u32,
        index: Option<u16>,
    },
    FailuresAt {
        set: u32,
        index: Option<u16>,
    },
    /// `table[keys].column` in one step: a row field read straight from its keys.
    Cell {
        table: u32,
        keys: List,
        column: u32,
    },
    /// A cell known when compiling that is not established: read, it is relied on.
    CellConst {
        value: Fast,
        certainty: Certainty,
        assumption: Option<u32>,
    },
    Band(u32),
    Conditions {
        set: u32,
        index: Option<NodeId>,
    },
    Failures {
        set: u32,
        index: Option<NodeId>,
    },
    TableRow {
        table: u32,
        keys: List,
    },
    RowField {
        row: NodeId,
        column: u32,
    },
    Not(NodeId),
    Neg(NodeId),
    Arith {
        op: ArithOp,
        left: NodeId,
        right: NodeId,
    },
    Compare {
        op: CompareOp,
        left: NodeId,
        right: NodeId,
    },
    And(NodeId, NodeId),
    Or(NodeId, NodeId),
    In {
        value: NodeId,
        set: List,
    },
    If {
        condition: NodeId,
        then: NodeId,
        otherwise: NodeId,
    },
    /// `arm_by_variant[variant]` is the arm for that value of the scrutinee.
    Match {
        scrutinee: NodeId,
        arm_by_variant: List,
    },
    Round {
        value: NodeId,
        strategy: RoundingStrategy,
        places: u32,
    },
    Min(List),
    Max(List),
}

#[derive(Debug)]
struct CompiledRule {
    /// One body per slot: the index is substituted, and what it decides folded, when compiling.
    bodies: Vec<NodeId>,
    certainty: Certainty,
    assumption: Option<u32>,
    memo_offset: usize,
}

#[derive(Debug)]
struct CompiledBands {
    over: NodeId,
    bands: Vec<CompiledBand>,
}

#[derive(Debug)]
struct CompiledBand {
    lower: Option<(NodeId, bool)>,
    upper: Option<(NodeId, bool)>,
    certainty: Certainty,
    assumption: Option<u32>,
}

#[derive(Debug)]
struct CompiledSet {
    conditions: Vec<CompiledCondition>,
    memo_offset: usize,
    /// Failures are bits, one word per 64 conditions, from this word for slot 0.
    words_offset: usize,
    words_per_slot: usize,
}

impl CompiledSet {
    /// Where the failure bits of slot `slot` (numbered among all sets' slots) lie.
    fn words(&self, slot: u32) -> std::ops::Range<usize> {
        let first = self.words_offset + (slot as usize).saturating_sub(self.memo_offset) * self.words_per_slot;
        first..first + self.words_per_slot
    }

    /// The failure bits of slot `slot`'s conditions, numbered word × 64 + bit.
    fn bits(&self, slot: u32) -> std::ops::Range<usize> {
        let first = self.words(slot).start * 64;
        first..first + self.conditions.len()
    }
}

#[derive(Debug)]
struct CompiledCondition {
    /// Where the condition applies, one expression per slot; `None`: everywhere.
    guard: Option<Vec<NodeId>>,
    /// One expression per slot of the set, as for rule bodies.
    requires: Vec<NodeId>,
    certainty: Certainty,
    assumption: Option<u32>,
    failure: FailedCondition,
}

#[derive(Debug)]
struct CompiledTable {
    key_sizes: Vec<usize>,
    columns: usize,
    cells: Vec<Option<CompiledCell>>,
}

#[derive(Debug)]
struct CompiledCell {
    value: Fast,
    certainty: Certainty,
    assumption: Option<u32>,
}

/// A value read that is not established, as the reference describes it.
#[derive(Debug)]
struct AssumptionDef {
    what: String,
    certainty: Certainty,
    reason: Option<String>,
    span: Span,
    key: u32,
}

#[derive(Debug)]
struct CompiledOutput {
    name: String,
    /// One entry per value of the index (the options), or one with no index.
    instances: Vec<(Option<(u16, String)>, PlanNode)>,
}

#[derive(Debug)]
enum PlanNode {
    Value { expr: NodeId, guard: Option<NodeId>, leaf: u32 },
    Group { fields: Vec<(String, PlanNode)>, guard: Option<NodeId>, group: u32 },
}

/// One column of a flat outcome: an output value, by its dotted path.
#[derive(Debug)]
struct LeafDef {
    path: String,
    ty: Type,
}

/// One output value of a compiled outcome, borrowed from the evaluator's buffers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Leaf<'a> {
    /// Guarded by a `when` that did not hold.
    Null,
    Bool(bool),
    Number(Decimal, Type),
    Date(jiff::civil::Date),
    Text(&'a str),
    Enum(&'a str),
    /// The names of the conditions that failed, in the order of the policy.
    Failures(FailedNames<'a>),
}

/// The names of the failed conditions of one slot.
#[derive(Debug, Clone, Copy)]
pub struct FailedNames<'a> {
    set: &'a CompiledSet,
    evaluated: Evaluated<'a>,
    /// The number of the slot's first condition among the failure bits.
    first: usize,
}

impl<'a> FailedNames<'a> {
    pub fn iter(&self) -> impl Iterator<Item = &'a FailedCondition> + 'a {
        let conditions = &self.set.conditions;
        self.positions().filter_map(|position| conditions.get(position)).map(|condition| &condition.failure)
    }

    /// The positions in the set of the conditions that failed.
    fn positions(&self) -> impl Iterator<Item = usize> + 'a {
        let (evaluated, first) = (self.evaluated, self.first);
        (0..self.set.conditions.len()).filter(move |position| evaluated.failed(first + position))
    }
}

impl PartialEq for FailedNames<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.set == other.set && self.positions().eq(other.positions())
    }
}

/// One profile's outcome where its evaluation left it, read in place with
/// [`CompiledPolicy::leaf`], [`CompiledPolicy::certainty`] and
/// [`CompiledPolicy::outcome`]: a [`Scratch`] after
/// [`CompiledPolicy::evaluate`] (a `&Scratch` converts into one), or a lane
/// of [`Lanes`] as [`CompiledPolicy::evaluate_each`] hands it over.
#[derive(Debug, Clone, Copy)]
pub struct Evaluated<'a>(At<'a>);

#[derive(Debug, Clone, Copy)]
enum At<'a> {
    Scratch(&'a Scratch),
    Lane(&'a Lanes, usize),
}

impl<'a> From<&'a Scratch> for Evaluated<'a> {
    fn from(scratch: &'a Scratch) -> Self {
        Evaluated(At::Scratch(scratch))
    }
}

impl<'a> Evaluated<'a> {
    /// Whether this outcome was computed alone by the one-profile loop
    /// (after [`CompiledPolicy::evaluate`], or for a profile the lanes set
    /// aside) rather than in the lanes. The lanes set aside only what they
    /// cannot compute: a profile that evaluates is never set aside.
    pub fn alone(self) -> bool {
        matches!(self.0, At::Scratch(_))
    }

    /// The value of output value `index`; none where a `when` left it out.
    fn leaf(self, index: usize) -> Option<Fast> {
        match self.0 {
            At::Scratch(scratch) => scratch.leaves.get(index).copied().flatten(),
            At::Lane(lanes, lane) => lanes.leaf(index, lane),
        }
    }

    /// A number by its place: one of the policy's, or one the evaluation computed.
    fn decimal(self, place: u32) -> Option<Decimal> {
        match self.0 {
            At::Scratch(scratch) => scratch.decimals.get(place as usize).copied(),
            At::Lane(lanes, lane) => lanes.decimal(place, lane),
        }
    }

    /// Whether condition `index` (numbered as failure bits are: word × 64 + bit) failed.
    fn failed(self, index: usize) -> bool {
        match self.0 {
            At::Scratch(scratch) => {
                scratch.failure_bits.get(index / 64).is_some_and(|word| word >> (index % 64) & 1 == 1)
            }
            At::Lane(lanes, lane) => lanes.failed(index, lane),
        }
    }

    fn certainty(self, output: usize) -> Option<Certainty> {
        match self.0 {
            At::Scratch(scratch) => scratch.certainties.get(output).copied(),
            At::Lane(lanes, lane) => lanes.certainty(output, lane),
        }
    }

    fn group(self, group: usize) -> bool {
        match self.0 {
            // A group the evaluation did not mark is absent (its `when` did not hold, or no such group).
            At::Scratch(scratch) => scratch.groups.get(group).copied().unwrap_or(false),
            At::Lane(lanes, lane) => lanes.group(group, lane),
        }
    }

    /// The assumptions recorded, in the order they were read.
    fn assumptions(self) -> Vec<u32> {
        match self.0 {
            At::Scratch(scratch) => scratch.assumptions.clone(),
            At::Lane(lanes, lane) => lanes.assumptions(lane).collect(),
        }
    }
}

impl PartialEq for CompiledSet {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl<'p> CompiledPolicy<'p> {
    /// Compiles a checked policy; cheap next to a population, done once.
    pub fn new(policy: &'p CheckedPolicy) -> Self {
        let mut compiled = lower::compile(policy);
        compiled.program = code::generate(&compiled);
        if let Err(broken) = invariants::check(&compiled) {
            compiled.program.broken = Some(broken);
        }
        compiled
    }

    pub fn policy(&self) -> &'p CheckedPolicy {
        self.policy
    }

    /// The dotted path of every output value, in output order:
    /// `eligible`, …, `options.option_1.aid.year_1`, ….
    pub fn leaf_paths(&self) -> impl Iterator<Item = &str> {
        self.leaves.iter().map(|leaf| leaf.path.as_str())
    }

    /// The checker's type of every output value, in the order of [`CompiledPolicy::leaf_paths`].
    pub fn leaf_types(&self) -> impl Iterator<Item = Type> + '_ {
        self.leaves.iter().map(|leaf| leaf.ty)
    }

    /// The names of the declared outputs, each of which has a certainty.
    pub fn output_names(&self) -> impl Iterator<Item = &str> {
        self.outputs.iter().map(|output| output.name.as_str())
    }

    /// A buffer set for one worker; reuse it for every profile it evaluates.
    pub fn scratch(&self) -> Scratch {
        Scratch::new(self)
    }

    /// The value of leaf `index` of a profile's outcome (a `&Scratch` the
    /// profile was last evaluated with, or what [`CompiledPolicy::evaluate_each`] hands over):
    /// [`Leaf::Null`] only where its `when` did not hold. What the invariants
    /// rule out (a number the evaluation did not write, a leaf of another
    /// kind) is the row's internal error, never an empty value.
    pub fn leaf<'a>(
        &'a self,
        outcome: impl Into<Evaluated<'a>>,
        values: &'a [Option<Value>],
        index: usize,
    ) -> Result<Leaf<'a>, EvalError> {
        let outcome = outcome.into();
        let definition = self.leaves.get(index).ok_or_else(|| self.broken("no such output value"))?;
        // The buffers of an outcome have one place per leaf (`Lanes::new`, `Scratch::new`).
        match outcome.leaf(index) {
            Some(value) => self.leaf_value(definition.ty, value, outcome, values),
            None => Ok(Leaf::Null),
        }
    }

    /// Output value `index` of each profile of a run, in order, as
    /// [`CompiledPolicy::leaf`] reads it in each, or none where that gives
    /// an error; `values` gives a profile's values by its position.
    pub fn leaf_run<'a>(
        &'a self,
        run: &LaneRun<'a>,
        index: usize,
        values: impl Fn(usize) -> &'a [Option<Value>],
    ) -> impl Iterator<Item = Option<Leaf<'a>>> {
        let definition = self.leaves.get(index);
        run.leaves(index).map(move |(position, outcome, value)| match (definition, value) {
            (Some(definition), Some(value)) => self.leaf_value(definition.ty, value, outcome, values(position)).ok(),
            (Some(_), None) => Some(Leaf::Null),
            (None, _) => None,
        })
    }

    /// How sure output `index` is for each profile of a run, in order, as
    /// [`CompiledPolicy::certainty`] gives it for each.
    pub fn certainty_run(&self, run: &LaneRun<'_>, index: usize) -> impl Iterator<Item = Certainty> {
        run.certainties(index).map(|sure| sure.unwrap_or(Certainty::Assumed))
    }

    /// An output value of type `ty`, as the evaluation left it, read.
    #[inline(always)]
    fn leaf_value<'a>(
        &'a self,
        ty: Type,
        value: Fast,
        outcome: Evaluated<'a>,
        values: &'a [Option<Value>],
    ) -> Result<Leaf<'a>, EvalError> {
        Ok(match (value, ty) {
            (Fast::Bool(value), _) => Leaf::Bool(value),
            (Fast::Number(small), ty) => Leaf::Number(small.decimal(), ty),
            (Fast::Decimal(place), ty) => {
                let value =
                    outcome.decimal(place).ok_or_else(|| self.broken("a number the evaluation did not write"))?;
                Leaf::Number(value, ty)
            }
            (Fast::Date(date), _) => Leaf::Date(date),
            (Fast::Text(text), _) => Leaf::Text(self.text(text, values)),
            (Fast::Enum(variant), Type::Enum(id)) => Leaf::Enum(self.policy.enum_def(id).variant_name(variant)),
            (Fast::Failures(slot), _) => {
                Leaf::Failures(self.failures(outcome, slot).ok_or_else(|| self.broken("no such condition set"))?)
            }
            (Fast::Enum(_) | Fast::Row { .. }, _) => return Err(self.broken("an output value of another kind")),
        })
    }

    /// What a checked program cannot reach, as an internal error.
    pub(crate) fn broken(&self, what: &'static str) -> EvalError {
        Fault::Internal(what).locate(self.policy.header.span, self.policy)
    }

    /// How sure output `index` of a profile's outcome is; for an index
    /// that is no output, the weakest certainty, never "established".
    pub fn certainty<'a>(&self, outcome: impl Into<Evaluated<'a>>, index: usize) -> Certainty {
        outcome.into().certainty(index).unwrap_or(Certainty::Assumed)
    }

    /// The nodes of a list of operands; none if it is not in the policy.
    fn operands(&self, list: List) -> Option<&[NodeId]> {
        list.of(&self.lists)
    }

    /// A decimal by its place: one of the policy's constants, or a number of the profile.
    #[inline]
    fn decimal(&self, scratch: &Scratch, place: u32) -> Option<Decimal> {
        scratch.decimals.get(place as usize).copied()
    }

    fn text<'a>(&'a self, text: u32, values: &'a [Option<Value>]) -> &'a str {
        match text & TEXT_FIELD {
            0 => self.texts.get(text as usize).map_or("", |text| text),
            _ => match values.get((text & !TEXT_FIELD) as usize) {
                Some(Some(Value::Text(text))) => text,
                _ => "",
            },
        }
    }

    fn failures<'a>(&'a self, evaluated: Evaluated<'a>, slot: u32) -> Option<FailedNames<'a>> {
        let set = self.slot_set(slot)?;
        Some(FailedNames { set, evaluated, first: set.bits(slot).start })
    }

    /// The condition set a slot (numbered among all sets' slots) belongs to.
    fn slot_set(&self, slot: u32) -> Option<&CompiledSet> {
        self.sets.get(*self.slot_sets.get(slot as usize)? as usize)
    }

    /// A profile's outcome (see [`Evaluated`]) in the reference's form
    /// (allocates: for JSON output and for comparing with the reference).
    pub fn outcome<'a>(
        &'a self,
        outcome: impl Into<Evaluated<'a>>,
        values: &'a [Option<Value>],
    ) -> Result<Outcome, EvalError> {
        let evaluated = outcome.into();
        let outputs = self
            .outputs
            .iter()
            .enumerate()
            .map(|(position, output)| {
                let value = match output.instances.as_slice() {
                    [(None, node)] => self.node_value(node, evaluated, values)?,
                    instances => OutputValue::Record(
                        instances
                            .iter()
                            .map(|(index, node)| {
                                // Every instance of an indexed output has its name; only a
                                // lone instance has none, and it is matched above.
                                let name = index.as_ref().map(|(_, name)| name.clone()).unwrap_or_default();
                                Ok((name, self.node_value(node, evaluated, values)?))
                            })
                            .collect::<Result<_, EvalError>>()?,
                    ),
                };
                Ok((output.name.clone(), value, self.certainty(evaluated, position)))
            })
            .collect::<Result<_, EvalError>>()?;
        // An assumption dropped would make the outcome look surer than it is.
        let assumptions = evaluated
            .assumptions()
            .into_iter()
            .map(|id| {
                let assumption = self.assumptions.get(id as usize).ok_or_else(|| self.broken("no such assumption"))?;
                Ok(Assumption {
                    what: assumption.what.clone(),
                    certainty: assumption.certainty,
                    reason: assumption.reason.clone(),
                    span: assumption.span,
                })
            })
            .collect::<Result<_, EvalError>>()?;
        Ok(Outcome { outputs, assumptions })
    }

    fn node_value<'a>(
        &'a self,
        node: &PlanNode,
        evaluated: Evaluated<'a>,
        values: &'a [Option<Value>],
    ) -> Result<OutputValue, EvalError> {
        Ok(match node {
            PlanNode::Value { leaf, .. } => match self.leaf(evaluated, values, *leaf as usize)? {
                Leaf::Null => OutputValue::Null,
                Leaf::Bool(value) => OutputValue::Bool(value),
                Leaf::Number(value, ty) => OutputValue::Number { value, ty },
                Leaf::Date(date) => OutputValue::Date(date),
                Leaf::Text(text) => OutputValue::Text(text.into()),
                Leaf::Enum(name) => {
                    let label = match self.leaves.get(*leaf as usize).map(|leaf| leaf.ty) {
                        Some(Type::Enum(id)) => self
                            .policy
                            .enum_def(id)
                            .variants
                            .iter()
                            .find(|variant| variant.name == name)
                            .and_then(|variant| variant.label.clone()),
                        _ => None,
                    };
                    OutputValue::Enum { name: name.to_owned(), label }
                }
                Leaf::Failures(names) => OutputValue::Failures(names.iter().cloned().collect()),
            },
            PlanNode::Group { fields, group, .. } => {
                if !evaluated.group(*group as usize) {
                    return Ok(OutputValue::Null);
                }
                OutputValue::Record(
                    fields
                        .iter()
                        .map(|(name, field)| Ok((name.clone(), self.node_value(field, evaluated, values)?)))
                        .collect::<Result<_, EvalError>>()?,
                )
            }
        })
    }
}
