//! Tracing: what the evaluator tells an observer as it goes, for `explain`
//! (the derivation as a tree) and `test` (which rules, bands, rows and
//! conditions the examples exercise).
//!
//! The evaluator is generic over a [`Tracer`]; plain evaluation uses
//! [`NoTrace`], whose methods are empty, so the normal path is compiled
//! without any tracing at all. A tracer only observes: it never changes a
//! value, and this module never prints.

use crate::check::model::{BandsId, FailedCondition, FieldId, OutputNode, ParamId, RuleId, SetId, TableId, Value};
use crate::eval::OutputValue;
use crate::syntax::ast::Certainty;

/// A definition whose evaluation the tracer sees begin and end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Frame {
    /// A rule, for one value of its index if it has one.
    Rule { rule: RuleId, index: Option<u16> },
    /// Finding the band a profile falls in.
    Bands(BandsId),
    /// A set of conditions, for one value of its index if it has one.
    Conditions { set: SetId, index: Option<u16> },
    /// One condition of a set (the set's frame is open around it).
    Condition { set: SetId, index: Option<u16>, position: usize },
}

/// What a frame came to.
#[derive(Clone, Copy, Debug)]
pub enum Traced<'a> {
    /// A rule's value.
    Value(&'a Value),
    /// The position of the band a profile falls in.
    Band(u16),
    /// Whether one condition holds.
    Holds(bool),
    /// The conditions of a set that fail (none: the set holds).
    Failures(&'a [FailedCondition]),
}

/// An observer of one or more evaluations. Every method does nothing unless
/// a tracer says otherwise.
pub trait Tracer {
    /// An output (or a step of its path: an index value, a field of a group)
    /// begins; `node` is what it evaluates.
    fn enter_output(&mut self, _step: &str, _node: &OutputNode) {}
    fn leave_output(&mut self, _value: &OutputValue, _certainty: Certainty) {}
    /// The `when` of the output being evaluated held or not.
    fn guard(&mut self, _holds: bool) {}
    fn enter(&mut self, _frame: Frame) {}
    fn leave(&mut self, _result: Traced<'_>, _certainty: Certainty) {}
    /// A definition already evaluated for this profile is read again (memoised).
    fn reuse(&mut self, _frame: Frame) {}
    fn field(&mut self, _field: FieldId, _value: &Value) {}
    fn param(&mut self, _param: ParamId) {}
    /// A table cell is read; `row` is the dense row index.
    fn cell(&mut self, _table: TableId, _row: u32, _column: usize) {}
    /// The value a set of bands divides (inside a [`Frame::Bands`]).
    fn band_value(&mut self, _value: &Value) {}
    /// One bound of a band compared: the band's position, which end, the
    /// bound's value, and whether the value is on the right side of it.
    fn bound(&mut self, _band: usize, _lower: bool, _limit: &Value, _holds: bool) {}
}

/// The tracer of plain evaluation: it observes nothing and costs nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTrace;

impl Tracer for NoTrace {}
