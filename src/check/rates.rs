//! Rates as written: a rate literal carries `%`, and lies within 0–100 %.
//!
//! `45` where a rate is expected is 4 500 %, never what an author meant, so a
//! bare number that would become a rate is refused with its `%` form as the
//! fix. A rate outside 0–100 % is only warned of: the language cannot tell a
//! share (of fees, of a count) from a growth target or a change, which may
//! exceed 100 % or be negative. Nothing here evaluates a profile.

use rust_decimal::Decimal;

use super::Checker;
use super::diagnostic::Diagnostic;
use super::model::{Expr, ExprKind, Value};
use super::types::Type;
use crate::code::Code;
use crate::source::Span;

const BARE_RATE: Code = Code::RateWithoutPercent;
const OUT_OF_RANGE: Code = Code::RateOutOfRange;

/// A bare number as its rate, written with `%`: `45` → `45 %`, and a
/// fraction below one as the percentage it stands for today, `0.45` → `45 %`.
fn with_percent(value: Decimal) -> String {
    let percent = if value.abs() < Decimal::ONE { value.checked_mul(Decimal::ONE_HUNDRED) } else { Some(value) };
    format!("{} %", percent.unwrap_or(value).normalize())
}

/// The diagnostic for a number written without `%` where a rate is wanted.
pub(super) fn bare_rate(value: Decimal, span: Span, wanted: &str) -> Diagnostic {
    let fixed = with_percent(value);
    let meaning = if value.abs() < Decimal::ONE {
        format!("a rate is written with `%`: `{fixed}` is the rate `{value}` stands for")
    } else {
        format!(
            "a rate is written with `%`: as it stands, `{value}` would be {} %",
            value.saturating_mul(Decimal::ONE_HUNDRED).normalize()
        )
    };
    Diagnostic::new(BARE_RATE, span, format!("`{value}` is a number without `%` where {wanted}"), "no `%`")
        .with_help(format!("write `{fixed}`; {meaning}"))
}

/// A rate outside 0–100 %, written at `span`.
pub(super) fn out_of_range(rate: Decimal, span: Span) -> Option<Diagnostic> {
    if rate >= Decimal::ZERO && rate <= Decimal::ONE {
        return None;
    }
    let shown = rate.saturating_mul(Decimal::ONE_HUNDRED).normalize();
    let side = if rate < Decimal::ZERO { "below 0 %" } else { "above 100 %" };
    Some(Diagnostic::new(OUT_OF_RANGE, span, format!("the rate `{shown} %` is {side}"), "outside 0–100 %").with_help(
        "a share lies within 0–100 %; if this rate is a growth or a change that may exceed it, leave it as it is",
    ))
}

/// A number written as a literal, with no unit: what a rate must not be.
fn bare_number(expr: &Expr) -> Option<Decimal> {
    match &expr.kind {
        ExprKind::Const(Value::Decimal(value)) if expr.ty == Type::Number => Some(*value),
        ExprKind::Neg(inner) => bare_number(inner).map(|value| -value),
        _ => None,
    }
}

impl Checker {
    /// Refuses `expr` if it is a bare number that stands where a rate is
    /// wanted (`wanted` says where, for the message); true when refused.
    pub(super) fn refuse_bare_rate(&mut self, expr: &Expr, rate_wanted: bool, wanted: &str) -> bool {
        let Some(value) = bare_number(expr).filter(|_| rate_wanted) else { return false };
        self.report(bare_rate(value, expr.span, wanted));
        true
    }

    /// Warns of a rate written outside 0–100 %.
    pub(super) fn warn_rate_out_of_range(&mut self, rate: Decimal, span: Span) {
        if let Some(warning) = out_of_range(rate, span) {
            self.report(warning);
        }
    }

    /// Refuses whichever of two operands is a bare number beside a rate.
    pub(super) fn refuse_bare_rate_beside(&mut self, left: &Expr, right: &Expr, wanted: &str) {
        self.refuse_bare_rate(left, right.ty == Type::Rate, wanted);
        self.refuse_bare_rate(right, left.ty == Type::Rate, wanted);
    }
}
