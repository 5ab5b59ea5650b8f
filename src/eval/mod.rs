//! Eval: a checked policy and a validated profile → the declared outputs,
//! with how sure each one is and every assumption it rests on.
//!
//! Evaluation is pure and always ends: the checker rejected cycles, every
//! rule is computed at most once per profile (memoised), and arithmetic is
//! checked, so overflow is a located error, never a panic. This module never
//! reads files and never prints.

pub mod compiled;
pub mod differential;
pub(crate) mod error;
mod examples;
mod explain;
pub(crate) mod profile;
pub mod trace;
mod value;

use std::sync::Arc;

use rust_decimal::Decimal;

pub use crate::check::model::Assumption;
pub use error::EvalError;
pub use examples::{Coverage, CoverageGaps, ExampleResult, Mismatch, run_examples};
pub use explain::{BoundCheck, Explanation, Node, NodeId, Shown, Subject, explain};
pub use profile::{MAX_PROFILE_BYTES, Profile, ProfileError, ProfileInput};
pub use value::{Outcome, OutputValue, to_output};

use crate::check::expr::{STACK_GROWTH, STACK_RED_ZONE};
use crate::check::model::*;
use crate::syntax::ast::Certainty;
use crate::syntax::operators::ArithFault;
use error::Fault;
use trace::{Frame, NoTrace, Traced, Tracer};

/// Evaluates every declared output of `policy` for one profile, as of the
/// date `on` (what `evaluation_date` reads: contract years, anniversaries).
pub fn evaluate(policy: &CheckedPolicy, profile: &Profile, on: jiff::civil::Date) -> Result<Outcome, EvalError> {
    evaluate_traced(policy, profile, on, &mut NoTrace)
}

/// Evaluates as [`evaluate`] does, telling `tracer` every step.
pub fn evaluate_traced<T: Tracer>(
    policy: &CheckedPolicy,
    profile: &Profile,
    on: jiff::civil::Date,
    tracer: &mut T,
) -> Result<Outcome, EvalError> {
    let mut evaluator = Evaluator::new(policy, profile, on, tracer);
    let mut outputs = Vec::with_capacity(policy.outputs.len());
    for output in &policy.outputs {
        let (value, certainty) = evaluator.output(output)?;
        outputs.push((output.name.clone(), value, certainty));
    }
    Ok(Outcome { outputs, assumptions: evaluator.assumptions })
}

/// A value and the weakest certainty of what it was computed from.
type WithCertainty<T> = (T, Certainty);

const SURE: Certainty = Certainty::Established;

struct Evaluator<'p, 't, T: Tracer> {
    policy: &'p CheckedPolicy,
    profile: &'p Profile,
    on: jiff::civil::Date,
    tracer: &'t mut T,
    /// The value of the enclosing index (`o` in `rule r[o: option]`).
    index: Option<u16>,
    rule_offsets: Vec<usize>,
    rule_memo: Vec<Option<WithCertainty<Value>>>,
    band_memo: Vec<Option<WithCertainty<u16>>>,
    set_offsets: Vec<usize>,
    set_memo: Vec<Option<WithCertainty<Arc<[FailedCondition]>>>>,
    /// Definitions begun (rule slots, then band sets, then condition-set
    /// slots): one begun again before its memo is filled would be a cycle,
    /// which the checker refuses; should one slip past it, evaluation fails
    /// rather than recurse without end.
    begun: Vec<bool>,
    assumptions: Vec<Assumption>,
}

/// Slots for definitions given per value of an enumeration: one per value.
fn offsets(policy: &CheckedPolicy, indices: impl Iterator<Item = Option<EnumId>>) -> (Vec<usize>, usize) {
    let mut total = 0;
    let offsets = indices
        .map(|index| {
            let start = total;
            total += index.map_or(1, |id| policy.enum_def(id).variants.len());
            start
        })
        .collect();
    (offsets, total)
}

impl<'p, 't, T: Tracer> Evaluator<'p, 't, T> {
    fn new(policy: &'p CheckedPolicy, profile: &'p Profile, on: jiff::civil::Date, tracer: &'t mut T) -> Self {
        let (rule_offsets, rule_slots) = offsets(policy, policy.rules.iter().map(|rule| rule.index));
        let (set_offsets, set_slots) = offsets(policy, policy.condition_sets.iter().map(|set| set.index));
        Evaluator {
            policy,
            profile,
            on,
            tracer,
            index: None,
            rule_offsets,
            rule_memo: vec![None; rule_slots],
            band_memo: vec![None; policy.bands.len()],
            set_offsets,
            set_memo: vec![None; set_slots],
            begun: vec![false; rule_slots + policy.bands.len() + set_slots],
            assumptions: Vec::new(),
        }
    }

    /// Marks a definition begun; `Err` if it was already (a cycle).
    fn begin(&mut self, place: usize) -> Result<(), Fault> {
        match self.begun.get_mut(place) {
            Some(begun) if !*begun => {
                *begun = true;
                Ok(())
            }
            _ => Err(Fault::Internal("a definition was read while it was being computed (a cycle)")),
        }
    }

    fn output(&mut self, output: &OutputDef) -> Result<WithCertainty<OutputValue>, EvalError> {
        let Some(index_enum) = output.index else {
            return self.traced_output_node(&output.name, &output.node);
        };
        self.tracer.enter_output(&output.name, &output.node);
        let variants = &self.policy.enum_def(index_enum).variants;
        let mut entries = Vec::with_capacity(variants.len());
        let mut certainty = SURE;
        for (position, variant) in variants.iter().enumerate() {
            self.index = u16::try_from(position).ok();
            let (value, sure) = self.traced_output_node(&variant.name, &output.node)?;
            certainty = certainty.min(sure);
            entries.push((variant.name.clone(), value));
        }
        self.index = None;
        let value = OutputValue::Record(entries);
        self.tracer.leave_output(&value, certainty);
        Ok((value, certainty))
    }

    /// An output node, as one step of an output's path.
    fn traced_output_node(&mut self, step: &str, node: &OutputNode) -> Result<WithCertainty<OutputValue>, EvalError> {
        self.tracer.enter_output(step, node);
        let (value, certainty) = self.output_node(node)?;
        self.tracer.leave_output(&value, certainty);
        Ok((value, certainty))
    }

    fn output_node(&mut self, node: &OutputNode) -> Result<WithCertainty<OutputValue>, EvalError> {
        let guard = match node {
            OutputNode::Value { guard, .. } | OutputNode::Group { guard, .. } => guard,
        };
        let mut certainty = SURE;
        if let Some(guard) = guard {
            let (holds, sure) = self.eval(guard)?;
            certainty = sure;
            self.tracer.guard(holds == Value::Bool(true));
            if holds != Value::Bool(true) {
                return Ok((OutputValue::Null, certainty));
            }
        }
        match node {
            OutputNode::Value { expr, .. } => {
                let (value, sure) = self.eval(expr)?;
                Ok((value::to_output(self.policy, value, expr.ty), certainty.min(sure)))
            }
            OutputNode::Group { fields, .. } => {
                let mut entries = Vec::with_capacity(fields.len());
                for (name, field) in fields {
                    let (value, sure) = self.traced_output_node(name, field)?;
                    certainty = certainty.min(sure);
                    entries.push((name.clone(), value));
                }
                Ok((OutputValue::Record(entries), certainty))
            }
        }
    }

    /// Evaluates an expression; an error raised anywhere below is located at
    /// the innermost expression that raised it, here and only here.
    fn eval(&mut self, expr: &Expr) -> Result<WithCertainty<Value>, EvalError> {
        // Rules read rules as deep as the policy goes: never overflow the stack.
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.eval_kind(expr).map_err(|fault| fault.locate(expr.span, self.policy))
        })
    }

    fn eval_kind(&mut self, expr: &Expr) -> Result<WithCertainty<Value>, Fault> {
        Ok(match &expr.kind {
            ExprKind::Const(value) => (value.clone(), SURE),
            ExprKind::Field(id) => match self.profile.values.get(id.index()).cloned().flatten() {
                Some(value) => {
                    self.tracer.field(*id, &value);
                    (value, SURE)
                }
                None => return Err(Fault::MissingField(*id)),
            },
            ExprKind::Given(id) => {
                (Value::Bool(self.profile.values.get(id.index()).is_some_and(Option::is_some)), SURE)
            }
            ExprKind::EvaluationDate => (Value::Date(self.on), SURE),
            ExprKind::AddYears { date, years } => {
                let (date, date_sure) = self.eval_date(date)?;
                let (years, years_sure) = self.eval_decimal(years)?;
                let whole =
                    i64::try_from(years).ok().filter(|_| years.fract().is_zero()).ok_or(Fault::NotWholeYears(years))?;
                let moved = add_years(date, whole).ok_or(Fault::DateBeyondCalendar { date, years: whole })?;
                (Value::Date(moved), date_sure.min(years_sure))
            }
            ExprKind::YearsBetween { from, to } => {
                let (from, from_sure) = self.eval_date(from)?;
                let (to, to_sure) = self.eval_date(to)?;
                (Value::Decimal(Decimal::from(years_between(from, to))), from_sure.min(to_sure))
            }
            ExprKind::Param(id) => {
                self.tracer.param(*id);
                let param = self.policy.param_def(*id);
                self.assume(&param.origin, || format!("parameter `{}`", param.name));
                (param.value.clone(), param.origin.certainty)
            }
            ExprKind::Index => (Value::Enum(self.index.unwrap_or(0)), SURE),
            ExprKind::Rule { rule, index } => {
                let (index, index_sure) = self.index_value(index.as_deref())?;
                let (value, sure) = self.rule(*rule, index)?;
                (value, sure.min(index_sure))
            }
            ExprKind::Band(id) => {
                let (band, sure) = self.band(*id)?;
                (Value::Enum(band), sure)
            }
            ExprKind::Conditions { set, index } => {
                let (index, index_sure) = self.index_value(index.as_deref())?;
                let (failures, sure) = self.conditions(*set, index)?;
                (Value::Bool(failures.is_empty()), sure.min(index_sure))
            }
            ExprKind::Failures { set, index } => {
                let (index, index_sure) = self.index_value(index.as_deref())?;
                let (failures, sure) = self.conditions(*set, index)?;
                (Value::Failures(failures), sure.min(index_sure))
            }
            ExprKind::TableRow { table, keys } => {
                let definition = self.policy.table_def(*table);
                let mut row = 0usize;
                let mut sure = SURE;
                for (key, column) in keys.iter().zip(&definition.keys) {
                    let (variant, key_sure) = self.enum_value(key)?;
                    row = row * column.size + variant as usize;
                    sure = sure.min(key_sure);
                }
                (Value::Row { table: *table, row: u32::try_from(row).unwrap_or(u32::MAX) }, sure)
            }
            ExprKind::RowField { row, column } => {
                let (row, sure) = self.eval(row).map_err(Fault::Located)?;
                let Value::Row { table, row } = row else { return Err(Fault::Internal("a row was expected")) };
                let definition = self.policy.table_def(table);
                let Some(cell) = definition.cell(row, *column) else {
                    return Err(Fault::EmptyCell { table, row, column: *column });
                };
                self.tracer.cell(table, row, *column);
                let certainty = cell.certainty;
                if certainty != Certainty::Established {
                    let what = self.policy.describe_cell(definition, row, *column);
                    self.assumptions_push(Assumption { what, certainty, reason: cell.reason.clone(), span: cell.span });
                }
                (cell.value.clone(), sure.min(certainty))
            }
            ExprKind::Not(operand) => {
                let (value, sure) = self.eval_bool(operand)?;
                (Value::Bool(!value), sure)
            }
            ExprKind::Neg(operand) => {
                let (value, sure) = self.eval_decimal(operand)?;
                (Value::Decimal(-value), sure)
            }
            ExprKind::Arith { op, left, right } => {
                let (left, left_sure) = self.eval_decimal(left)?;
                let (right, right_sure) = self.eval_decimal(right)?;
                (Value::Decimal(arithmetic(*op, left, right)?), left_sure.min(right_sure))
            }
            ExprKind::Compare { op, left, right } => {
                let (left, left_sure) = self.eval(left).map_err(Fault::Located)?;
                let (right, right_sure) = self.eval(right).map_err(Fault::Located)?;
                let ordering = left.compare(&right).ok_or(Fault::Internal("values of different kinds compared"))?;
                let holds = op.holds(ordering);
                (Value::Bool(holds), left_sure.min(right_sure))
            }
            ExprKind::And(left, right) => {
                let (left, left_sure) = self.eval_bool(left)?;
                if !left {
                    return Ok((Value::Bool(false), left_sure));
                }
                let (right, right_sure) = self.eval_bool(right)?;
                (Value::Bool(right), left_sure.min(right_sure))
            }
            ExprKind::Or(left, right) => {
                let (left, left_sure) = self.eval_bool(left)?;
                if left {
                    return Ok((Value::Bool(true), left_sure));
                }
                let (right, right_sure) = self.eval_bool(right)?;
                (Value::Bool(right), left_sure.min(right_sure))
            }
            ExprKind::In { value, set } => {
                let (value, mut sure) = self.eval(value).map_err(Fault::Located)?;
                let mut found = false;
                for item in set {
                    let (item, item_sure) = self.eval(item).map_err(Fault::Located)?;
                    sure = sure.min(item_sure);
                    if value.compare(&item).is_some_and(|ordering| ordering.is_eq()) {
                        found = true;
                        break;
                    }
                }
                (Value::Bool(found), sure)
            }
            ExprKind::If { condition, then, otherwise } => {
                let (condition, sure) = self.eval_bool(condition)?;
                let (value, branch_sure) =
                    self.eval(if condition { then } else { otherwise }).map_err(Fault::Located)?;
                (value, sure.min(branch_sure))
            }
            ExprKind::Match { scrutinee, arm_of, arms } => {
                let (variant, sure) = self.eval(scrutinee).map_err(Fault::Located)?;
                let Value::Enum(variant) = variant else {
                    return Err(Fault::Internal("a value of an enumeration was expected"));
                };
                let arm = arm_of
                    .get(variant as usize)
                    .and_then(|arm| arms.get(*arm as usize))
                    .ok_or(Fault::Internal("no arm"))?;
                let (value, arm_sure) = self.eval(arm).map_err(Fault::Located)?;
                (value, sure.min(arm_sure))
            }
            ExprKind::Round { value, mode, places } => {
                let (value, sure) = self.eval_decimal(value)?;
                (Value::Decimal(value.round_dp_with_strategy(*places, mode.strategy())), sure)
            }
            ExprKind::Min(values) | ExprKind::Max(values) => {
                let want_min = matches!(expr.kind, ExprKind::Min(_));
                let mut best: Option<WithCertainty<Value>> = None;
                for item in values {
                    let (item, item_sure) = self.eval(item).map_err(Fault::Located)?;
                    best = Some(match best {
                        None => (item, item_sure),
                        Some((current, current_sure)) => {
                            let ordering =
                                item.compare(&current).ok_or(Fault::Internal("values of different kinds compared"))?;
                            let better = if want_min { ordering.is_lt() } else { ordering.is_gt() };
                            (if better { item } else { current }, current_sure.min(item_sure))
                        }
                    });
                }
                best.ok_or(Fault::Internal("`min` or `max` of nothing"))?
            }
        })
    }

    fn eval_bool(&mut self, expr: &Expr) -> Result<WithCertainty<bool>, Fault> {
        match self.eval(expr).map_err(Fault::Located)? {
            (Value::Bool(value), sure) => Ok((value, sure)),
            _ => Err(Fault::Internal("a boolean was expected")),
        }
    }

    fn eval_date(&mut self, expr: &Expr) -> Result<WithCertainty<jiff::civil::Date>, Fault> {
        match self.eval(expr).map_err(Fault::Located)? {
            (Value::Date(date), sure) => Ok((date, sure)),
            _ => Err(Fault::Internal("a date was expected")),
        }
    }

    fn eval_decimal(&mut self, expr: &Expr) -> Result<WithCertainty<Decimal>, Fault> {
        match self.eval(expr).map_err(Fault::Located)? {
            (Value::Decimal(value), sure) => Ok((value, sure)),
            _ => Err(Fault::Internal("a number was expected")),
        }
    }

    fn enum_value(&mut self, expr: &Expr) -> Result<WithCertainty<u16>, Fault> {
        match self.eval(expr).map_err(Fault::Located)? {
            (Value::Enum(variant), sure) => Ok((variant, sure)),
            _ => Err(Fault::Internal("a value of an enumeration was expected")),
        }
    }

    /// The index given to a rule or condition set, if it takes one.
    fn index_value(&mut self, index: Option<&Expr>) -> Result<WithCertainty<Option<u16>>, Fault> {
        match index {
            Some(index) => self.enum_value(index).map(|(variant, sure)| (Some(variant), sure)),
            None => Ok((None, SURE)),
        }
    }

    fn rule(&mut self, id: RuleId, index: Option<u16>) -> Result<WithCertainty<Value>, Fault> {
        let slot = self.rule_offsets.get(id.index()).ok_or(Fault::Internal("a rule without memo slots"))?
            + index.unwrap_or(0) as usize;
        let frame = Frame::Rule { rule: id, index };
        if let Some(Some(memo)) = self.rule_memo.get(slot) {
            self.tracer.reuse(frame);
            return Ok(memo.clone());
        }
        self.begin(slot)?;
        self.tracer.enter(frame);
        let rule = self.policy.rule_def(id);
        let outer = std::mem::replace(&mut self.index, index);
        let result = self.eval(&rule.body);
        self.index = outer;
        let (value, sure) = result.map_err(Fault::Located)?;
        self.assume(&rule.origin, || format!("rule `{}`", rule.name));
        let result = (value, sure.min(rule.origin.certainty));
        self.tracer.leave(Traced::Value(&result.0), result.1);
        if let Some(memo) = self.rule_memo.get_mut(slot) {
            *memo = Some(result.clone());
        }
        Ok(result)
    }

    /// The band a profile falls in: the first whose bounds hold (the checker
    /// proved that exactly one does when the bounds are ordered).
    fn band(&mut self, id: BandsId) -> Result<WithCertainty<u16>, Fault> {
        if let Some(Some(memo)) = self.band_memo.get(id.index()) {
            self.tracer.reuse(Frame::Bands(id));
            return Ok(*memo);
        }
        self.begin(self.rule_memo.len() + id.index())?;
        self.tracer.enter(Frame::Bands(id));
        let bands = self.policy.bands_def(id);
        let (value, mut sure) = self.eval(&bands.over).map_err(Fault::Located)?;
        self.tracer.band_value(&value);
        for (position, band) in bands.bands.iter().enumerate() {
            let mut inside = true;
            for (bound, is_lower) in
                band.lower.iter().map(|bound| (bound, true)).chain(band.upper.iter().map(|bound| (bound, false)))
            {
                let (limit, limit_sure) = self.eval(&bound.value).map_err(Fault::Located)?;
                sure = sure.min(limit_sure);
                let ordering = value.compare(&limit).ok_or(Fault::Internal("a band bound of another kind"))?;
                let holds = bound_holds(is_lower, bound.inclusive, ordering);
                self.tracer.bound(position, is_lower, &limit, holds);
                if !holds {
                    inside = false;
                    break;
                }
            }
            if inside {
                self.assume(&band.origin, || format!("band `{}`", band.name));
                let result = (u16::try_from(position).unwrap_or(u16::MAX), sure.min(band.origin.certainty));
                self.tracer.leave(Traced::Band(result.0), result.1);
                if let Some(memo) = self.band_memo.get_mut(id.index()) {
                    *memo = Some(result);
                }
                return Ok(result);
            }
        }
        Err(Fault::NoBand { bands: id, value })
    }

    /// The conditions of a set that fail; every condition is evaluated, so
    /// that all the reasons are given at once.
    fn conditions(&mut self, id: SetId, index: Option<u16>) -> Result<WithCertainty<Arc<[FailedCondition]>>, Fault> {
        let slot = self.set_offsets.get(id.index()).ok_or(Fault::Internal("a condition set without memo slots"))?
            + index.unwrap_or(0) as usize;
        if let Some(Some(memo)) = self.set_memo.get(slot) {
            self.tracer.reuse(Frame::Conditions { set: id, index });
            return Ok(memo.clone());
        }
        self.begin(self.rule_memo.len() + self.band_memo.len() + slot)?;
        self.tracer.enter(Frame::Conditions { set: id, index });
        let set = self.policy.set_def(id);
        let outer = std::mem::replace(&mut self.index, index);
        let mut failures = Vec::new();
        let mut sure = SURE;
        for (position, condition) in set.conditions.iter().enumerate() {
            self.tracer.enter(Frame::Condition { set: id, index, position });
            if let Some(guard) = &condition.guard {
                match self.eval(guard) {
                    // Whether the condition applies is part of its outcome:
                    // the outcome is as sure as the guard, either way.
                    Ok((Value::Bool(true), guard_sure)) => sure = sure.min(guard_sure),
                    // Where the condition does not apply, it holds.
                    Ok((_, guard_sure)) => {
                        sure = sure.min(guard_sure);
                        self.tracer.leave(Traced::Holds(true), guard_sure);
                        continue;
                    }
                    Err(error) => {
                        self.index = outer;
                        return Err(Fault::Located(error));
                    }
                }
            }
            let result = self.eval(&condition.requires);
            let (holds, condition_sure) = match result {
                Ok((Value::Bool(holds), condition_sure)) => (holds, condition_sure),
                Ok(_) => (false, SURE),
                Err(error) => {
                    self.index = outer;
                    return Err(Fault::Located(error));
                }
            };
            self.assume(&condition.origin, || format!("condition `{}.{}`", set.name, condition.name));
            self.tracer.leave(Traced::Holds(holds), condition_sure.min(condition.origin.certainty));
            sure = sure.min(condition_sure).min(condition.origin.certainty);
            if !holds {
                failures.push(FailedCondition {
                    name: condition.name.clone(),
                    message: condition.message.clone(),
                    source: (!condition.origin.sources.is_empty()).then(|| condition.origin.sources.join("; ")),
                });
            }
        }
        self.index = outer;
        let result: WithCertainty<Arc<[FailedCondition]>> = (failures.into(), sure);
        self.tracer.leave(Traced::Failures(&result.0), sure);
        if let Some(memo) = self.set_memo.get_mut(slot) {
            *memo = Some(result.clone());
        }
        Ok(result)
    }

    /// Records that the evaluation read a definition that is not established.
    fn assume(&mut self, origin: &Origin, what: impl FnOnce() -> String) {
        if origin.certainty != Certainty::Established {
            let assumption = Assumption {
                what: what(),
                certainty: origin.certainty,
                reason: origin.certainty_reason.clone(),
                span: origin.span,
            };
            self.assumptions_push(assumption);
        }
    }

    fn assumptions_push(&mut self, assumption: Assumption) {
        let known = self
            .assumptions
            .iter()
            .any(|known| known.span.file == assumption.span.file && known.span.start == assumption.span.start);
        if !known {
            self.assumptions.push(assumption);
        }
    }
}

/// `left op right` on exact decimals ([`ArithOp::apply`], the crate's one
/// arithmetic), its failure as an evaluation fault. Shared by both evaluators.
pub(crate) fn arithmetic(op: ArithOp, left: Decimal, right: Decimal) -> Result<Decimal, Fault> {
    op.apply(left, right).map_err(|fault| match fault {
        ArithFault::DivisionByZero => Fault::DivisionByZero,
        ArithFault::Overflow => Fault::Overflow,
    })
}

/// Whether a value on this side of a band's bound (`ordering`: the value
/// against the bound) is inside the band.
pub(crate) fn bound_holds(is_lower: bool, inclusive: bool, ordering: std::cmp::Ordering) -> bool {
    match (is_lower, inclusive) {
        (true, true) => ordering.is_ge(),
        (true, false) => ordering.is_gt(),
        (false, true) => ordering.is_le(),
        (false, false) => ordering.is_lt(),
    }
}
