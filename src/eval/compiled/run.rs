//! Running the compiled form on one profile, step for step as the reference
//! evaluator does (same order of reads, same memoisation, same errors), but
//! on `Copy` values and in buffers reset, not reallocated, between profiles.

use std::cmp::Ordering;

use super::*;
use crate::check::model::{BandsId, FieldId, TableId};
use crate::eval::error::Fault;
use crate::eval::{EvalError, arithmetic, bound_holds};

const SURE: Certainty = Certainty::Established;

type Sure<T> = (T, Certainty);

/// One worker's buffers: memo slots, failed conditions, reliances and
/// output values. Made once per worker by [`CompiledPolicy::scratch`].
#[derive(Debug, Clone)]
pub struct Scratch {
    rule_memo: Vec<Option<Sure<Fast>>>,
    band_memo: Vec<Option<Sure<u16>>>,
    /// Per slot: how sure, and whether every condition held.
    set_memo: Vec<Option<(Certainty, bool)>>,
    pub(super) failure_bits: Vec<u64>,
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
        let mut run = Run { compiled: self, values, scratch, raised: std::cell::Cell::new(None), error: None };
        for (position, output) in self.outputs.iter().enumerate() {
            let mut certainty = SURE;
            for (index, node) in &output.instances {
                run.scratch.index = index.as_ref().map(|(variant, _)| *variant);
                match run.node(node) {
                    Ok(sure) => certainty = certainty.min(sure),
                    Err(Stop) => return Err(run.stopped()),
                }
            }
            run.scratch.index = None;
            if let Some(slot) = run.scratch.certainties.get_mut(position) {
                *slot = certainty;
            }
        }
        Ok(())
    }

    fn reset(&self, scratch: &mut Scratch) {
        scratch.rule_memo.fill(None);
        scratch.band_memo.fill(None);
        scratch.set_memo.fill(None);
        scratch.failure_bits.fill(0);
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

    fn node(&mut self, plan: &PlanNode) -> Result<Certainty, Stop> {
        let guard = match plan {
            PlanNode::Value { guard, .. } | PlanNode::Group { guard, .. } => guard,
        };
        let mut certainty = SURE;
        if let Some(guard) = guard {
            let (holds, sure) = self.eval(*guard)?;
            certainty = sure;
            if holds != Fast::Bool(true) {
                return Ok(certainty);
            }
        }
        match plan {
            PlanNode::Value { expr, leaf, .. } => {
                let (value, sure) = self.eval(*expr)?;
                if let Some(slot) = self.scratch.leaves.get_mut(*leaf as usize) {
                    *slot = Some(value);
                }
                Ok(certainty.min(sure))
            }
            PlanNode::Group { fields, group, .. } => {
                if let Some(present) = self.scratch.groups.get_mut(*group as usize) {
                    *present = true;
                }
                for (_, field) in fields {
                    certainty = certainty.min(self.node(field)?);
                }
                Ok(certainty)
            }
        }
    }

    /// Evaluates a node; an error raised below is located at the innermost
    /// node that raised it, here and only here.
    ///
    /// The commonest nodes (constants, fields, rules already computed) are
    /// answered here, inlined into the caller; the others take a call.
    #[inline]
    fn eval(&mut self, id: NodeId) -> Result<Sure<Fast>, Stop> {
        let compiled = self.compiled;
        let Some(node) = compiled.nodes.get(id as usize) else {
            return Err(self.fail(Fault::Internal("no such node"), compiled.policy.header.span));
        };
        match node.op {
            Op::Const(value) => Ok((value, SURE)),
            Op::Field(field) => match self.values.get(field as usize) {
                Some(Some(value)) => Ok((field_value(value, field), SURE)),
                _ => Err(self.fail(Fault::MissingField(FieldId(field)), node.span)),
            },
            Op::RuleAt { rule, index } => {
                let memo = compiled.rules.get(rule as usize).and_then(|definition| {
                    self.scratch.rule_memo.get(definition.memo_offset + index.unwrap_or(0) as usize).copied().flatten()
                });
                match memo {
                    Some(memo) => Ok(memo),
                    None => self.eval_node(node),
                }
            }
            _ => self.eval_node(node),
        }
    }

    #[inline(never)]
    fn eval_node(&mut self, node: &Node) -> Result<Sure<Fast>, Stop> {
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

    fn eval_op(&mut self, op: &Op) -> Result<Sure<Fast>, Stop> {
        Ok(match *op {
            Op::Const(value) => (value, SURE),
            Op::Field(field) => match self.values.get(field as usize) {
                Some(Some(value)) => (field_value(value, field), SURE),
                _ => return Err(self.raise(Fault::MissingField(FieldId(field)))),
            },
            Op::Param { value, certainty, reliance } => {
                self.rely(reliance);
                (value, certainty)
            }
            Op::Index => (Fast::Enum(self.scratch.index.unwrap_or(0)), SURE),
            Op::Given(field) => (Fast::Bool(self.values.get(field as usize).is_some_and(Option::is_some)), SURE),
            Op::EvaluationDate => (Fast::Date(self.scratch.on), SURE),
            Op::AddYears { date, years } => {
                let (date, date_sure) = self.eval_date(date)?;
                let (years, years_sure) = self.eval_decimal(years)?;
                let whole = i64::try_from(years).ok().filter(|_| years.fract().is_zero());
                let whole = whole.ok_or_else(|| self.raise(Fault::NotWholeYears(years)))?;
                let moved = crate::check::model::add_years(date, whole).ok_or_else(|| self.raise(Fault::Overflow))?;
                (Fast::Date(moved), date_sure.min(years_sure))
            }
            Op::YearsBetween { from, to } => {
                let (from, from_sure) = self.eval_date(from)?;
                let (to, to_sure) = self.eval_date(to)?;
                let years = crate::check::model::years_between(from, to);
                (Fast::Decimal(Decimal::from(years)), from_sure.min(to_sure))
            }
            Op::Rule { rule, index } => {
                let (index, index_sure) = self.index_value(index)?;
                let (value, sure) = self.rule(rule, index)?;
                (value, sure.min(index_sure))
            }
            Op::RuleAt { rule, index } => self.rule(rule, index)?,
            Op::ConditionsAt { set, index } => {
                let ((_, all_hold), sure) = self.conditions(set, index)?;
                (Fast::Bool(all_hold), sure)
            }
            Op::FailuresAt { set, index } => {
                let ((slot, _), sure) = self.conditions(set, index)?;
                (Fast::Failures(slot), sure)
            }
            Op::Cell { table, keys, column } => {
                let (row, sure) = self.row(table, keys)?;
                self.cell(table, row, column, sure)?
            }
            Op::CellConst { value, certainty, reliance } => {
                self.rely(reliance);
                (value, certainty)
            }
            Op::Band(id) => {
                let (band, sure) = self.band(id)?;
                (Fast::Enum(band), sure)
            }
            Op::Conditions { set, index } => {
                let (index, index_sure) = self.index_value(index)?;
                let ((_, all_hold), sure) = self.conditions(set, index)?;
                (Fast::Bool(all_hold), sure.min(index_sure))
            }
            Op::Failures { set, index } => {
                let (index, index_sure) = self.index_value(index)?;
                let ((slot, _), sure) = self.conditions(set, index)?;
                (Fast::Failures(slot), sure.min(index_sure))
            }
            Op::TableRow { table, keys } => {
                let (row, sure) = self.row(table, keys)?;
                (Fast::Row { table, row }, sure)
            }
            Op::RowField { row, column } => {
                let (row, sure) = self.eval(row)?;
                let Fast::Row { table, row } = row else {
                    return Err(self.raise(Fault::Internal("a row was expected")));
                };
                self.cell(table, row, column, sure)?
            }
            Op::Not(operand) => {
                let (value, sure) = self.eval_bool(operand)?;
                (Fast::Bool(!value), sure)
            }
            Op::Neg(operand) => {
                let (value, sure) = self.eval_decimal(operand)?;
                (Fast::Decimal(-value), sure)
            }
            Op::Arith { op, left, right } => {
                let (left, left_sure) = self.eval_decimal(left)?;
                let (right, right_sure) = self.eval_decimal(right)?;
                (
                    Fast::Decimal(arithmetic(op, left, right).map_err(|fault| self.raise(fault))?),
                    left_sure.min(right_sure),
                )
            }
            Op::Compare { op, left, right } => {
                let (left, left_sure) = self.eval(left)?;
                let (right, right_sure) = self.eval(right)?;
                let ordering = self
                    .compare(left, right)
                    .ok_or_else(|| self.raise(Fault::Internal("values of different kinds compared")))?;
                let holds = op.holds(ordering);
                (Fast::Bool(holds), left_sure.min(right_sure))
            }
            Op::And(left, right) => {
                let (left, left_sure) = self.eval_bool(left)?;
                if !left {
                    return Ok((Fast::Bool(false), left_sure));
                }
                let (right, right_sure) = self.eval_bool(right)?;
                (Fast::Bool(right), left_sure.min(right_sure))
            }
            Op::Or(left, right) => {
                let (left, left_sure) = self.eval_bool(left)?;
                if left {
                    return Ok((Fast::Bool(true), left_sure));
                }
                let (right, right_sure) = self.eval_bool(right)?;
                (Fast::Bool(right), left_sure.min(right_sure))
            }
            Op::In { value, set } => {
                let (value, mut sure) = self.eval(value)?;
                let mut found = false;
                let compiled = self.compiled;
                for item in compiled.operands(set) {
                    let (item, item_sure) = self.eval(*item)?;
                    sure = sure.min(item_sure);
                    if self.compare(value, item).is_some_and(Ordering::is_eq) {
                        found = true;
                        break;
                    }
                }
                (Fast::Bool(found), sure)
            }
            Op::If { condition, then, otherwise } => {
                let (condition, sure) = self.eval_bool(condition)?;
                let (value, branch_sure) = self.eval(if condition { then } else { otherwise })?;
                (value, sure.min(branch_sure))
            }
            Op::Match { scrutinee, arm_by_variant } => {
                let (variant, sure) = self.eval(scrutinee)?;
                let Fast::Enum(variant) = variant else {
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
                let (value, arm_sure) = self.eval(arm)?;
                (value, sure.min(arm_sure))
            }
            Op::Round { value, strategy, places } => {
                let (value, sure) = self.eval_decimal(value)?;
                (Fast::Decimal(value.round_dp_with_strategy(places, strategy)), sure)
            }
            Op::Min(values) | Op::Max(values) => {
                let want_min = matches!(op, Op::Min(_));
                let mut best: Option<Sure<Fast>> = None;
                let compiled = self.compiled;
                for item in compiled.operands(values) {
                    let (item, item_sure) = self.eval(*item)?;
                    best = Some(match best {
                        None => (item, item_sure),
                        Some((current, current_sure)) => {
                            let ordering = self
                                .compare(item, current)
                                .ok_or_else(|| self.raise(Fault::Internal("values of different kinds compared")))?;
                            let better = if want_min { ordering.is_lt() } else { ordering.is_gt() };
                            (if better { item } else { current }, current_sure.min(item_sure))
                        }
                    });
                }
                best.ok_or_else(|| self.raise(Fault::Internal("`min` or `max` of nothing")))?
            }
        })
    }

    /// The dense row of a table its keys select (the last key varies fastest).
    fn row(&mut self, table: u32, keys: List) -> Result<Sure<u32>, Stop> {
        let compiled = self.compiled;
        let definition =
            compiled.tables.get(table as usize).ok_or_else(|| self.raise(Fault::Internal("no such table")))?;
        let mut row = 0usize;
        let mut sure = SURE;
        for (key, size) in compiled.operands(keys).iter().zip(&definition.key_sizes) {
            let (variant, key_sure) = self.enum_value(*key)?;
            row = row * size + variant as usize;
            sure = sure.min(key_sure);
        }
        Ok((u32::try_from(row).unwrap_or(u32::MAX), sure))
    }

    /// Reads a cell of a table, relying on it if it is not established.
    fn cell(&mut self, table: u32, row: u32, column: u32, sure: Certainty) -> Result<Sure<Fast>, Stop> {
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
        Ok((cell.value, sure.min(cell.certainty)))
    }

    fn eval_bool(&mut self, id: NodeId) -> Result<Sure<bool>, Stop> {
        match self.eval(id)? {
            (Fast::Bool(value), sure) => Ok((value, sure)),
            _ => Err(self.raise(Fault::Internal("a boolean was expected"))),
        }
    }

    fn eval_date(&mut self, id: NodeId) -> Result<Sure<jiff::civil::Date>, Stop> {
        match self.eval(id)? {
            (Fast::Date(date), sure) => Ok((date, sure)),
            _ => Err(self.raise(Fault::Internal("a date was expected"))),
        }
    }

    fn eval_decimal(&mut self, id: NodeId) -> Result<Sure<Decimal>, Stop> {
        match self.eval(id)? {
            (Fast::Decimal(value), sure) => Ok((value, sure)),
            _ => Err(self.raise(Fault::Internal("a number was expected"))),
        }
    }

    fn enum_value(&mut self, id: NodeId) -> Result<Sure<u16>, Stop> {
        match self.eval(id)? {
            (Fast::Enum(variant), sure) => Ok((variant, sure)),
            _ => Err(self.raise(Fault::Internal("a value of an enumeration was expected"))),
        }
    }

    fn index_value(&mut self, index: Option<NodeId>) -> Result<Sure<Option<u16>>, Stop> {
        match index {
            Some(index) => self.enum_value(index).map(|(variant, sure)| (Some(variant), sure)),
            None => Ok((None, SURE)),
        }
    }

    fn rule(&mut self, id: u32, index: Option<u16>) -> Result<Sure<Fast>, Stop> {
        let compiled = self.compiled;
        let rule = compiled.rules.get(id as usize).ok_or_else(|| self.raise(Fault::Internal("no such rule")))?;
        let slot = rule.memo_offset + index.unwrap_or(0) as usize;
        if let Some(Some(memo)) = self.scratch.rule_memo.get(slot) {
            return Ok(*memo);
        }
        let body = rule.bodies.get(index.unwrap_or(0) as usize).or(rule.bodies.first()).copied().unwrap_or(u32::MAX);
        let outer = std::mem::replace(&mut self.scratch.index, index);
        let result = self.eval(body);
        self.scratch.index = outer;
        let (value, sure) = result?;
        self.rely(rule.reliance);
        let result = (value, sure.min(rule.certainty));
        if let Some(memo) = self.scratch.rule_memo.get_mut(slot) {
            *memo = Some(result);
        }
        Ok(result)
    }

    /// The first band whose bounds hold, as the reference finds it.
    fn band(&mut self, id: u32) -> Result<Sure<u16>, Stop> {
        if let Some(Some(memo)) = self.scratch.band_memo.get(id as usize) {
            return Ok(*memo);
        }
        let compiled = self.compiled;
        let bands = compiled.bands.get(id as usize).ok_or_else(|| self.raise(Fault::Internal("no such bands")))?;
        let (value, mut sure) = self.eval(bands.over)?;
        for (position, band) in bands.bands.iter().enumerate() {
            let mut inside = true;
            for (bound, is_lower) in
                band.lower.iter().map(|bound| (bound, true)).chain(band.upper.iter().map(|bound| (bound, false)))
            {
                let (limit, limit_sure) = self.eval(bound.0)?;
                sure = sure.min(limit_sure);
                let ordering = self
                    .compare(value, limit)
                    .ok_or_else(|| self.raise(Fault::Internal("a band bound of another kind")))?;
                let holds = bound_holds(is_lower, bound.1, ordering);
                if !holds {
                    inside = false;
                    break;
                }
            }
            if inside {
                self.rely(band.reliance);
                let result = (u16::try_from(position).unwrap_or(u16::MAX), sure.min(band.certainty));
                if let Some(memo) = self.scratch.band_memo.get_mut(id as usize) {
                    *memo = Some(result);
                }
                return Ok(result);
            }
        }
        Err(self.raise(Fault::NoBand { bands: BandsId(id), value: self.value(value) }))
    }

    /// Evaluates every condition of a set (all the reasons are given at
    /// once); its slot, whose bits are the conditions that failed, and
    /// whether they all held.
    fn conditions(&mut self, id: u32, index: Option<u16>) -> Result<Sure<(u32, bool)>, Stop> {
        let compiled = self.compiled;
        let set = compiled.sets.get(id as usize).ok_or_else(|| self.raise(Fault::Internal("no such condition set")))?;
        let slot = set.memo_offset + index.unwrap_or(0) as usize;
        let slot_id = u32::try_from(slot).unwrap_or(u32::MAX);
        if let Some(Some((sure, all_hold))) = self.scratch.set_memo.get(slot) {
            return Ok(((slot_id, *all_hold), *sure));
        }
        let first_word = set.words_offset + index.unwrap_or(0) as usize * set.words_per_slot;
        let outer = std::mem::replace(&mut self.scratch.index, index);
        let mut sure = SURE;
        let mut all_hold = true;
        for (position, condition) in set.conditions.iter().enumerate() {
            if let Some(guards) = &condition.guard {
                let guard = guards.get(index.unwrap_or(0) as usize).or(guards.first()).copied().unwrap_or(u32::MAX);
                match self.eval(guard) {
                    Ok((Fast::Bool(true), _)) => {}
                    // Where the condition does not apply, it holds, as surely as the guard says so.
                    Ok((_, guard_sure)) => {
                        sure = sure.min(guard_sure);
                        continue;
                    }
                    Err(error) => {
                        self.scratch.index = outer;
                        return Err(error);
                    }
                }
            }
            let requires = condition
                .requires
                .get(index.unwrap_or(0) as usize)
                .or(condition.requires.first())
                .copied()
                .unwrap_or(u32::MAX);
            let (holds, condition_sure) = match self.eval(requires) {
                Ok((Fast::Bool(holds), condition_sure)) => (holds, condition_sure),
                Ok(_) => (false, SURE),
                Err(error) => {
                    self.scratch.index = outer;
                    return Err(error);
                }
            };
            self.rely(condition.reliance);
            sure = sure.min(condition_sure).min(condition.certainty);
            all_hold &= holds;
            if !holds && let Some(word) = self.scratch.failure_bits.get_mut(first_word + position / 64) {
                *word |= 1 << (position % 64);
            }
        }
        self.scratch.index = outer;
        if let Some(memo) = self.scratch.set_memo.get_mut(slot) {
            *memo = Some((sure, all_hold));
        }
        Ok(((slot_id, all_hold), sure))
    }

    /// Records a reliance the first time its place is read.
    fn rely(&mut self, reliance: Option<u32>) {
        let Some(id) = reliance else { return };
        let Some(definition) = self.compiled.reliances.get(id as usize) else { return };
        if let Some(seen) = self.scratch.reliance_seen.get_mut(definition.key as usize)
            && !*seen
        {
            *seen = true;
            self.scratch.reliances.push(id);
        }
    }

    fn compare(&self, left: Fast, right: Fast) -> Option<Ordering> {
        match (left, right) {
            (Fast::Decimal(a), Fast::Decimal(b)) => Some(a.cmp(&b)),
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
            Fast::Decimal(value) => Value::Decimal(value),
            Fast::Date(date) => Value::Date(date),
            Fast::Enum(variant) => Value::Enum(variant),
            Fast::Text(text) => Value::Text(self.compiled.text(text, self.values).into()),
            Fast::Row { table, row } => Value::Row { table: TableId(table), row },
            Fast::Failures(_) => Value::Bool(false),
        }
    }
}

/// A profile's value as a compiled value: a copy, except a text, which is
/// read where it lies.
fn field_value(value: &Value, field: u32) -> Fast {
    match value {
        Value::Bool(value) => Fast::Bool(*value),
        Value::Decimal(value) => Fast::Decimal(*value),
        Value::Date(date) => Fast::Date(*date),
        Value::Enum(variant) => Fast::Enum(*variant),
        Value::Text(_) => Fast::Text(TextRef::Field(field)),
        Value::Row { table, row } => Fast::Row { table: table.0, row: *row },
        Value::Failures(_) => Fast::Failures(u32::MAX),
    }
}
