//! Running the compiled form on one profile, step for step as the reference
//! evaluator does (same order of reads, same memoisation, same errors), but
//! on `Copy` values and in buffers reset, not reallocated, between profiles.
//!
//! How sure a value is never travels with it: the reference's certainty of
//! an expression is the weakest certainty of everything read while it was
//! evaluated (short-circuited operands are not read, memoised definitions
//! count with the certainty they were stored with), so one running minimum,
//! saved and restored around each memoised definition, gives the same answer
//! while every call returns only an 8-byte value.

mod definitions;

use std::cmp::Ordering;

use super::*;
use crate::check::model::{FieldId, TableId};
use crate::eval::error::Fault;
use crate::eval::{EvalError, arithmetic};

const SURE: Certainty = Certainty::Established;

type Sure<T> = (T, Certainty);

/// One worker's buffers: memo slots, failed conditions, reliances, the
/// profile's numbers and output values. Made once per worker by
/// [`CompiledPolicy::scratch`].
#[derive(Debug, Clone)]
pub struct Scratch {
    rule_memo: Vec<Option<Sure<Fast>>>,
    band_memo: Vec<Option<Sure<u16>>>,
    /// Per slot: how sure, and whether every condition held.
    set_memo: Vec<Option<(Certainty, bool)>>,
    pub(super) failure_bits: Vec<u64>,
    /// The numbers read or computed for the profile, by place (after the constants).
    pub(super) decimals: Vec<Decimal>,
    reliance_seen: Vec<bool>,
    pub(super) reliances: Vec<u32>,
    pub(super) leaves: Vec<Option<Fast>>,
    pub(super) groups: Vec<bool>,
    pub(super) certainties: Vec<Certainty>,
    index: Option<u16>,
    /// The date of the evaluation, what `evaluation_date` reads.
    on: jiff::civil::Date,
}

impl Scratch {
    pub(super) fn new(compiled: &CompiledPolicy<'_>) -> Self {
        Scratch {
            rule_memo: vec![None; compiled.rule_slots],
            band_memo: vec![None; compiled.bands.len()],
            set_memo: vec![None; compiled.slot_sets.len()],
            failure_bits: vec![0; compiled.failure_words],
            decimals: Vec::with_capacity(64),
            reliance_seen: vec![false; compiled.reliance_keys],
            reliances: Vec::with_capacity(compiled.reliances.len()),
            leaves: vec![None; compiled.leaves.len()],
            groups: vec![false; compiled.groups as usize],
            certainties: vec![SURE; compiled.outputs.len()],
            index: None,
            on: jiff::civil::Date::ZERO,
        }
    }
}

impl CompiledPolicy<'_> {
    /// Evaluates every declared output for one profile's values (in field
    /// order, as [`crate::Profile::values`] gives them), as of the date `on`,
    /// into `scratch`.
    pub fn evaluate(
        &self,
        values: &[Option<Value>],
        on: jiff::civil::Date,
        scratch: &mut Scratch,
    ) -> Result<(), EvalError> {
        self.reset(scratch);
        scratch.on = on;
        let mut run =
            Run { compiled: self, values, scratch, sure: SURE, raised: std::cell::Cell::new(None), error: None };
        for (position, output) in self.outputs.iter().enumerate() {
            run.sure = SURE;
            for (index, node) in &output.instances {
                run.scratch.index = index.as_ref().map(|(variant, _)| *variant);
                if run.node(node).is_err() {
                    return Err(run.stopped());
                }
            }
            run.scratch.index = None;
            if let Some(slot) = run.scratch.certainties.get_mut(position) {
                *slot = run.sure;
            }
        }
        Ok(())
    }

    fn reset(&self, scratch: &mut Scratch) {
        scratch.rule_memo.fill(None);
        scratch.band_memo.fill(None);
        scratch.set_memo.fill(None);
        scratch.failure_bits.fill(0);
        scratch.decimals.clear();
        for id in scratch.reliances.drain(..) {
            if let Some(seen) = self
                .reliances
                .get(id as usize)
                .and_then(|reliance| scratch.reliance_seen.get_mut(reliance.key as usize))
            {
                *seen = false;
            }
        }
        scratch.leaves.fill(None);
        scratch.groups.fill(false);
        scratch.certainties.fill(SURE);
        scratch.index = None;
    }
}

struct Run<'r, 'p> {
    compiled: &'r CompiledPolicy<'p>,
    values: &'r [Option<Value>],
    scratch: &'r mut Scratch,
    /// The weakest certainty read since the enclosing definition began.
    sure: Certainty,
    /// A fault raised by the node being evaluated, not yet located.
    raised: std::cell::Cell<Option<Fault>>,
    /// The error that stopped the evaluation, located.
    error: Option<EvalError>,
}

/// The evaluation stopped; the error is in [`Run::error`]. Carrying nothing,
/// it keeps every result on the hot path as small as its value.
struct Stop;

impl Run<'_, '_> {
    /// The error that stopped the evaluation.
    fn stopped(&mut self) -> EvalError {
        match (self.error.take(), self.raised.take()) {
            (Some(error), _) => error,
            (None, fault) => fault
                .unwrap_or(Fault::Internal("stopped without an error"))
                .locate(self.compiled.policy.header.span, self.compiled.policy),
        }
    }

    /// Reads a value of the given certainty.
    #[inline]
    fn read(&mut self, certainty: Certainty) {
        self.sure = self.sure.min(certainty);
    }

    /// Evaluates `work` as a definition of its own: the certainty it returns
    /// is what it read, and the enclosing evaluation reads it in turn.
    #[inline]
    fn definition<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Stop>) -> Result<(T, Certainty), Stop> {
        let outer = std::mem::replace(&mut self.sure, SURE);
        let result = work(self);
        let inner = std::mem::replace(&mut self.sure, outer);
        Ok((result?, inner))
    }

    fn node(&mut self, plan: &PlanNode) -> Result<(), Stop> {
        let guard = match plan {
            PlanNode::Value { guard, .. } | PlanNode::Group { guard, .. } => guard,
        };
        if let Some(guard) = guard
            && self.eval(*guard)? != Fast::Bool(true)
        {
            return Ok(());
        }
        match plan {
            PlanNode::Value { expr, leaf, .. } => {
                let value = self.eval(*expr)?;
                if let Some(slot) = self.scratch.leaves.get_mut(*leaf as usize) {
                    *slot = Some(value);
                }
            }
            PlanNode::Group { fields, group, .. } => {
                if let Some(present) = self.scratch.groups.get_mut(*group as usize) {
                    *present = true;
                }
                for (_, field) in fields {
                    self.node(field)?;
                }
            }
        }
        Ok(())
    }

    /// Evaluates a node; an error raised below is located at the innermost
    /// node that raised it, here and only here.
    ///
    /// The commonest nodes (constants, fields, rules already computed) are
    /// answered here, inlined into the caller; the others take a call.
    #[inline(always)]
    fn eval(&mut self, id: NodeId) -> Result<Fast, Stop> {
        let compiled = self.compiled;
        let Some(node) = compiled.nodes.get(id as usize) else {
            return Err(self.fail(Fault::Internal("no such node"), compiled.policy.header.span));
        };
        match node.op {
            Op::Const(value) => Ok(value),
            Op::Field(field) => match self.values.get(field as usize) {
                Some(Some(value)) => Ok(self.field(value, field)),
                _ => Err(self.fail(Fault::MissingField(FieldId(field)), node.span)),
            },
            Op::RuleAt { rule, index } => {
                let memo = compiled.rules.get(rule as usize).and_then(|definition| {
                    self.scratch.rule_memo.get(definition.memo_offset + index.unwrap_or(0) as usize).copied().flatten()
                });
                match memo {
                    Some((value, certainty)) => {
                        self.read(certainty);
                        Ok(value)
                    }
                    None => self.eval_node(node),
                }
            }
            _ => self.eval_node(node),
        }
    }

    #[inline(never)]
    fn eval_node(&mut self, node: &Node) -> Result<Fast, Stop> {
        let result = self.eval_op(&node.op);
        // A fault raised by this node's own operation is located here; one
        // raised below was located by the node that raised it.
        if result.is_err()
            && let Some(fault) = self.raised.take()
        {
            return Err(self.fail(fault, node.span));
        }
        result
    }

    /// Stops the evaluation with an error located at `span`.
    #[cold]
    #[inline(never)]
    fn fail(&mut self, fault: Fault, span: Span) -> Stop {
        self.error = Some(fault.locate(span, self.compiled.policy));
        Stop
    }

    /// Stops the evaluation with a fault of the node being evaluated, which
    /// [`Run::eval_node`] then locates.
    #[cold]
    #[inline(never)]
    fn raise(&self, fault: Fault) -> Stop {
        self.raised.set(Some(fault));
        Stop
    }

    fn eval_op(&mut self, op: &Op) -> Result<Fast, Stop> {
        Ok(match *op {
            Op::Const(value) => value,
            Op::Field(field) => match self.values.get(field as usize) {
                Some(Some(value)) => self.field(value, field),
                _ => return Err(self.raise(Fault::MissingField(FieldId(field)))),
            },
            Op::Param { value, certainty, reliance } | Op::CellConst { value, certainty, reliance } => {
                self.rely(reliance);
                self.read(certainty);
                value
            }
            Op::Index => Fast::Enum(self.scratch.index.unwrap_or(0)),
            Op::Given(field) => Fast::Bool(self.values.get(field as usize).is_some_and(Option::is_some)),
            Op::EvaluationDate => Fast::Date(self.scratch.on),
            Op::AddYears { date, years } => {
                let date = self.eval_date(date)?;
                let years = self.eval_decimal(years)?;
                let whole = i64::try_from(years).ok().filter(|_| years.fract().is_zero());
                let whole = whole.ok_or_else(|| self.raise(Fault::NotWholeYears(years)))?;
                Fast::Date(crate::check::model::add_years(date, whole).ok_or_else(|| self.raise(Fault::Overflow))?)
            }
            Op::YearsBetween { from, to } => {
                let from = self.eval_date(from)?;
                let to = self.eval_date(to)?;
                self.number(Decimal::from(crate::check::model::years_between(from, to)))
            }
            Op::Rule { rule, index } => {
                let index = self.index_value(index)?;
                self.rule(rule, index)?
            }
            Op::RuleAt { rule, index } => self.rule(rule, index)?,
            Op::ConditionsAt { set, index } => Fast::Bool(self.conditions(set, index)?.1),
            Op::FailuresAt { set, index } => Fast::Failures(self.conditions(set, index)?.0),
            Op::Conditions { set, index } => {
                let index = self.index_value(index)?;
                Fast::Bool(self.conditions(set, index)?.1)
            }
            Op::Failures { set, index } => {
                let index = self.index_value(index)?;
                Fast::Failures(self.conditions(set, index)?.0)
            }
            Op::Cell { table, keys, column } => {
                let row = self.row(table, keys)?;
                self.cell(table, row, column)?
            }
            Op::Band(id) => Fast::Enum(self.band(id)?),
            Op::TableRow { table, keys } => {
                Fast::Row { table: u16::try_from(table).unwrap_or(u16::MAX), row: self.row(table, keys)? }
            }
            Op::RowField { row, column } => {
                let Fast::Row { table, row } = self.eval(row)? else {
                    return Err(self.raise(Fault::Internal("a row was expected")));
                };
                self.cell(u32::from(table), row, column)?
            }
            Op::Not(operand) => Fast::Bool(!self.eval_bool(operand)?),
            Op::Neg(operand) => {
                let value = self.eval_decimal(operand)?;
                self.number(-value)
            }
            Op::Arith { op, left, right } => {
                let left = self.eval_decimal(left)?;
                let right = self.eval_decimal(right)?;
                let result = arithmetic(op, left, right).map_err(|fault| self.raise(fault))?;
                self.number(result)
            }
            Op::Compare { op, left, right } => {
                let left = self.eval(left)?;
                let right = self.eval(right)?;
                let ordering = self
                    .compare(left, right)
                    .ok_or_else(|| self.raise(Fault::Internal("values of different kinds compared")))?;
                Fast::Bool(op.holds(ordering))
            }
            // Short-circuited: the right operand is not read, nor its certainty.
            Op::And(left, right) => Fast::Bool(self.eval_bool(left)? && self.eval_bool(right)?),
            Op::Or(left, right) => Fast::Bool(self.eval_bool(left)? || self.eval_bool(right)?),
            Op::In { value, set } => {
                let value = self.eval(value)?;
                let mut found = false;
                let compiled = self.compiled;
                for item in compiled.operands(set) {
                    let item = self.eval(*item)?;
                    if self.compare(value, item).is_some_and(Ordering::is_eq) {
                        found = true;
                        break;
                    }
                }
                Fast::Bool(found)
            }
            Op::If { condition, then, otherwise } => {
                let condition = self.eval_bool(condition)?;
                self.eval(if condition { then } else { otherwise })?
            }
            Op::Match { scrutinee, arm_by_variant } => {
                let Fast::Enum(variant) = self.eval(scrutinee)? else {
                    return Err(self.raise(Fault::Internal("a value of an enumeration was expected")));
                };
                let arm = self
                    .compiled
                    .operands(arm_by_variant)
                    .get(variant as usize)
                    .copied()
                    .ok_or_else(|| self.raise(Fault::Internal("no arm")))?;
                if arm as usize >= self.compiled.nodes.len() {
                    return Err(self.raise(Fault::Internal("no arm")));
                }
                self.eval(arm)?
            }
            Op::Round { value, strategy, places } => {
                let value = self.eval_decimal(value)?;
                self.number(value.round_dp_with_strategy(places, strategy))
            }
            Op::Min(values) | Op::Max(values) => {
                let want_min = matches!(op, Op::Min(_));
                let mut best: Option<Fast> = None;
                let compiled = self.compiled;
                for item in compiled.operands(values) {
                    let item = self.eval(*item)?;
                    best = Some(match best {
                        None => item,
                        Some(current) => {
                            let ordering = self
                                .compare(item, current)
                                .ok_or_else(|| self.raise(Fault::Internal("values of different kinds compared")))?;
                            let better = if want_min { ordering.is_lt() } else { ordering.is_gt() };
                            if better { item } else { current }
                        }
                    });
                }
                best.ok_or_else(|| self.raise(Fault::Internal("`min` or `max` of nothing")))?
            }
        })
    }

    /// The dense row of a table its keys select (the last key varies fastest).
    fn row(&mut self, table: u32, keys: List) -> Result<u32, Stop> {
        let compiled = self.compiled;
        let definition =
            compiled.tables.get(table as usize).ok_or_else(|| self.raise(Fault::Internal("no such table")))?;
        let mut row = 0usize;
        for (key, size) in compiled.operands(keys).iter().zip(&definition.key_sizes) {
            row = row * size + self.enum_value(*key)? as usize;
        }
        Ok(u32::try_from(row).unwrap_or(u32::MAX))
    }

    /// Reads a cell of a table, relying on it if it is not established.
    fn cell(&mut self, table: u32, row: u32, column: u32) -> Result<Fast, Stop> {
        let compiled = self.compiled;
        let definition =
            compiled.tables.get(table as usize).ok_or_else(|| self.raise(Fault::Internal("no such table")))?;
        let cell =
            definition
                .cells
                .get(row as usize * definition.columns + column as usize)
                .and_then(Option::as_ref)
                .ok_or_else(|| self.raise(Fault::EmptyCell { table: TableId(table), row, column: column as usize }))?;
        self.rely(cell.reliance);
        self.read(cell.certainty);
        Ok(cell.value)
    }

    fn eval_bool(&mut self, id: NodeId) -> Result<bool, Stop> {
        match self.eval(id)? {
            Fast::Bool(value) => Ok(value),
            _ => Err(self.raise(Fault::Internal("a boolean was expected"))),
        }
    }

    fn eval_date(&mut self, id: NodeId) -> Result<jiff::civil::Date, Stop> {
        match self.eval(id)? {
            Fast::Date(date) => Ok(date),
            _ => Err(self.raise(Fault::Internal("a date was expected"))),
        }
    }

    fn eval_decimal(&mut self, id: NodeId) -> Result<Decimal, Stop> {
        match self.eval(id)? {
            Fast::Decimal(place) => Ok(self.decimal(place)),
            _ => Err(self.raise(Fault::Internal("a number was expected"))),
        }
    }

    fn enum_value(&mut self, id: NodeId) -> Result<u16, Stop> {
        match self.eval(id)? {
            Fast::Enum(variant) => Ok(variant),
            _ => Err(self.raise(Fault::Internal("a value of an enumeration was expected"))),
        }
    }

    fn index_value(&mut self, index: Option<NodeId>) -> Result<Option<u16>, Stop> {
        index.map(|index| self.enum_value(index)).transpose()
    }

    /// A number of the profile, given its place.
    #[inline]
    fn number(&mut self, value: Decimal) -> Fast {
        self.scratch.decimals.push(value);
        let place = self.compiled.constants.len() + self.scratch.decimals.len() - 1;
        Fast::Decimal(u32::try_from(place).unwrap_or(u32::MAX))
    }

    #[inline]
    fn decimal(&self, place: u32) -> Decimal {
        self.compiled.decimal(self.scratch, place)
    }

    /// A field's value as a compiled value: a copy, a number put in its
    /// place, a text read where it lies.
    #[inline]
    fn field(&mut self, value: &Value, field: u32) -> Fast {
        match value {
            Value::Bool(value) => Fast::Bool(*value),
            Value::Decimal(number) => self.number(*number),
            Value::Date(date) => Fast::Date(*date),
            Value::Enum(variant) => Fast::Enum(*variant),
            Value::Text(_) => Fast::Text(TEXT_FIELD | field),
            Value::Row { table, row } => Fast::Row { table: u16::try_from(table.0).unwrap_or(u16::MAX), row: *row },
            Value::Failures(_) => Fast::Failures(u32::MAX),
        }
    }

    fn compare(&self, left: Fast, right: Fast) -> Option<Ordering> {
        match (left, right) {
            (Fast::Decimal(a), Fast::Decimal(b)) => Some(self.decimal(a).cmp(&self.decimal(b))),
            (Fast::Date(a), Fast::Date(b)) => Some(a.cmp(&b)),
            (Fast::Bool(a), Fast::Bool(b)) => Some(a.cmp(&b)),
            (Fast::Text(a), Fast::Text(b)) => {
                Some(self.compiled.text(a, self.values).cmp(self.compiled.text(b, self.values)))
            }
            (Fast::Enum(a), Fast::Enum(b)) => Some(a.cmp(&b)),
            _ => None,
        }
    }

    /// A value as the reference holds it, for an error message.
    fn value(&self, value: Fast) -> Value {
        match value {
            Fast::Bool(value) => Value::Bool(value),
            Fast::Decimal(place) => Value::Decimal(self.decimal(place)),
            Fast::Date(date) => Value::Date(date),
            Fast::Enum(variant) => Value::Enum(variant),
            Fast::Text(text) => Value::Text(self.compiled.text(text, self.values).into()),
            Fast::Row { table, row } => Value::Row { table: TableId(u32::from(table)), row },
            Fast::Failures(_) => Value::Bool(false),
        }
    }
}
