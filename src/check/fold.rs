//! Constant folding: the value of an expression that depends only on
//! parameters, tables and a few enumeration fields of the profile, under one
//! assignment of those fields. The checker uses it to prove band bounds in
//! order for every row of the tables they come from, and to find conditions
//! that can never be true or never false.
//!
//! It is not an evaluator: anything it cannot fold (another field, a band, a
//! condition set, an empty cell) gives `None`, and the checker then proves
//! nothing about that case rather than guessing.

use rust_decimal::Decimal;

use super::model::*;
use crate::source::Span;

/// The parts of a policy a fold reads.
pub(super) struct Folder<'a> {
    pub params: &'a [ParamDef],
    pub tables: &'a [TableDef],
    pub rules: &'a [Option<&'a RuleDef>],
    /// Values of enumeration fields, by field; `None` for fields not assigned.
    pub assignment: &'a [Option<u16>],
}

/// A folded value, and the table cell it was read from, if any.
pub(super) struct Folded {
    pub value: Value,
    pub cell: Option<Span>,
}

impl Folder<'_> {
    pub fn fold(&self, expr: &Expr) -> Option<Folded> {
        self.fold_depth(expr, 0)
    }

    fn fold_depth(&self, expr: &Expr, depth: usize) -> Option<Folded> {
        stacker::maybe_grow(super::expr::STACK_RED_ZONE, super::expr::STACK_GROWTH, || self.fold_unguarded(expr, depth))
    }

    fn fold_unguarded(&self, expr: &Expr, depth: usize) -> Option<Folded> {
        // Rules nest only as deep as the policy is long; the bound is a safeguard.
        if depth > 64 {
            return None;
        }
        let plain = |value: Value| Some(Folded { value, cell: None });
        match &expr.kind {
            ExprKind::Const(value) => plain(value.clone()),
            ExprKind::Param(id) => plain(self.params.get(id.index())?.value.clone()),
            ExprKind::Field(id) => plain(Value::Enum((*self.assignment.get(id.index())?)?)),
            ExprKind::Rule { rule, index: None } => {
                self.fold_depth(&self.rules.get(rule.index())?.as_ref()?.body, depth + 1)
            }
            ExprKind::TableRow { table, keys } => {
                let definition = self.tables.get(table.index())?;
                let mut row = 0usize;
                for (key, column) in keys.iter().zip(&definition.keys) {
                    let Value::Enum(variant) = self.fold_depth(key, depth + 1)?.value else { return None };
                    row = row * column.size + variant as usize;
                }
                plain(Value::Row { table: *table, row: u32::try_from(row).ok()? })
            }
            ExprKind::RowField { row, column } => {
                let Value::Row { table, row } = self.fold_depth(row, depth + 1)?.value else { return None };
                let cell = self.tables.get(table.index())?.cell(row, *column)?;
                Some(Folded { value: cell.value.clone(), cell: Some(cell.span) })
            }
            ExprKind::Not(operand) => match self.fold_depth(operand, depth + 1)?.value {
                Value::Bool(value) => plain(Value::Bool(!value)),
                _ => None,
            },
            ExprKind::Arith { op, left, right } => {
                let (Value::Decimal(left), Value::Decimal(right)) =
                    (self.fold_depth(left, depth + 1)?.value, self.fold_depth(right, depth + 1)?.value)
                else {
                    return None;
                };
                // What cannot be computed (a division by zero, an overflow)
                // proves nothing here; evaluation reports it at its place.
                plain(Value::Decimal(op.apply(left, right).ok()?))
            }
            ExprKind::Compare { op, left, right } => {
                let ordering =
                    self.fold_depth(left, depth + 1)?.value.compare(&self.fold_depth(right, depth + 1)?.value)?;
                plain(Value::Bool(op.holds(ordering)))
            }
            ExprKind::And(left, right) | ExprKind::Or(left, right) => {
                let is_and = matches!(expr.kind, ExprKind::And(..));
                let left = self.fold_depth(left, depth + 1).map(|folded| folded.value);
                let right = self.fold_depth(right, depth + 1).map(|folded| folded.value);
                // One side decides alone: `false and _`, `true or _`.
                let decisive = Value::Bool(!is_and);
                if left.as_ref() == Some(&decisive) || right.as_ref() == Some(&decisive) {
                    return plain(decisive);
                }
                match (left?, right?) {
                    (Value::Bool(a), Value::Bool(b)) => plain(Value::Bool(if is_and { a && b } else { a || b })),
                    _ => None,
                }
            }
            ExprKind::If { condition, then, otherwise } => match self.fold_depth(condition, depth + 1)?.value {
                Value::Bool(true) => self.fold_depth(then, depth + 1),
                Value::Bool(false) => self.fold_depth(otherwise, depth + 1),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The decimal of a folded value.
pub(super) fn decimal(folded: &Folded) -> Option<Decimal> {
    match folded.value {
        Value::Decimal(value) => Some(value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    //! Folding is evaluation: a constant the checker folds is the value the
    //! evaluator gives, and what cannot be computed folds to nothing.

    use std::path::Path;

    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::{Folder, decimal};
    use crate::check::model::OutputNode;
    use crate::eval::OutputValue;
    use crate::syntax::operators::{BinaryOp, Operation};

    /// `left op right` folded by the checker, and evaluated by the reference.
    fn folded_and_evaluated(
        left: Decimal,
        op: &str,
        right: Decimal,
    ) -> Result<(Option<Decimal>, Option<Decimal>), String> {
        let text = format!(
            "policy t {{ title \"t\" }}\nprofile {{ x: bool }}\n\
             param a: number = {left} source \"s\" established\n\
             param b: number = {right} source \"s\" established\n\
             output r = a {op} b\n"
        );
        let policy = crate::compile(Path::new("t.policy"), &text).map_err(|error| format!("{error:?}"))?;
        let Some(OutputNode::Value { expr, .. }) = policy.outputs.first().map(|output| &output.node) else {
            return Err("no output".to_owned());
        };
        let folder = Folder { params: &policy.params, tables: &policy.tables, rules: &[], assignment: &[] };
        let folded = folder.fold(expr).as_ref().and_then(decimal);
        let input =
            crate::ProfileInput::parse(Path::new("p.json"), r#"{"x": true}"#).map_err(|error| error.to_string())?;
        let profile = crate::Profile::validate(&policy, &input).map_err(|errors| format!("{errors:?}"))?;
        let evaluated = match crate::evaluate(&policy, &profile, jiff::civil::date(2025, 1, 1)) {
            Ok(outcome) => match outcome.get("r") {
                Some(OutputValue::Number { value, .. }) => Some(*value),
                other => return Err(format!("`r` is {other:?}")),
            },
            Err(_) => None,
        };
        Ok((folded, evaluated))
    }

    /// The symbol of every arithmetic operator, from the operator table.
    fn arithmetic_symbols() -> Vec<&'static str> {
        use strum::VariantArray as _;
        let arithmetic = |op: &&BinaryOp| matches!(op.operation(), Operation::Arith(_));
        BinaryOp::VARIANTS.iter().filter(arithmetic).map(|op| op.symbol()).collect()
    }

    fn decimal_strategy() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            (any::<i64>(), 0u32..8).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale)),
            (-1000i64..1000, 0u32..3).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale)),
            Just(Decimal::ZERO),
            Just(Decimal::MAX),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn folding_gives_what_evaluation_gives(
            left in decimal_strategy(),
            right in decimal_strategy(),
            op in prop::sample::select(arithmetic_symbols()),
        ) {
            let (folded, evaluated) = folded_and_evaluated(left, op, right).map_err(TestCaseError::fail)?;
            prop_assert_eq!(folded, evaluated, "{} {} {}", left, op, right);
        }
    }

    #[test]
    fn division_by_zero_and_overflow_fold_to_nothing() -> Result<(), String> {
        assert_eq!(folded_and_evaluated(Decimal::ONE, "/", Decimal::ZERO)?, (None, None));
        assert_eq!(folded_and_evaluated(Decimal::MAX, "+", Decimal::MAX)?, (None, None));
        assert_eq!(
            folded_and_evaluated(Decimal::TEN, "/", Decimal::new(4, 0))?,
            (Some(Decimal::new(25, 1)), Some(Decimal::new(25, 1)))
        );
        Ok(())
    }
}
