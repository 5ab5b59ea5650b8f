//! Bands: intervals over a number, proven to cover it without gap or overlap.
//!
//! The proof is exact and symbolic: bands are read in the order written, and
//! each band must start where the previous one ends, at the same bound
//! (compared as written, or as exact decimals when both are constants), with
//! exactly one of the two including the bound itself. The first band is open
//! below and the last open above.

use super::diagnostic::Diagnostic;
use super::expr::Scope;
use super::model::*;
use super::types::Type;
use super::{Checker, origin, unrounded};
use crate::code::Code;
use crate::syntax::ast;

impl Checker {
    pub(super) fn define_bands(&mut self, decl: &ast::BandsDecl, _id: BandsId) -> Option<BandsDef> {
        let scope = Scope { index: None };
        let enumeration = self.type_names.get(&decl.name.name).map(|(id, _)| *id)?;
        let over = self.expr(&decl.over, &scope, None)?;
        if let Type::Patients { whole: false } = over.ty {
            self.report(unrounded(over.span, "a band set"));
            return None;
        }
        if !over.ty.is_numeric() && over.ty != Type::Date {
            let found = self.type_name(over.ty);
            self.report(Diagnostic::new(
                Code::TypeMismatch,
                over.span,
                format!("bands divide a number or a date, but this is {found}"),
                format!("this is {found}"),
            ));
            return None;
        }
        let mut bands = Vec::new();
        let mut failed = false;
        for band in &decl.bands {
            let lower = self.bound(band.lower.as_ref(), over.ty, &scope);
            let upper = self.bound(band.upper.as_ref(), over.ty, &scope);
            match (lower, upper) {
                (Some(lower), Some(upper)) => bands.push(BandDef {
                    name: band.name.name.clone(),
                    lower,
                    upper,
                    origin: origin(band.name.span, &band.meta),
                }),
                _ => failed = true,
            }
        }
        if failed {
            return None;
        }
        self.prove_coverage(decl);
        Some(BandsDef {
            name: decl.name.name.clone(),
            enumeration,
            over,
            bands,
            origin: origin(decl.name.span, &decl.meta),
        })
    }

    /// `None` on error; `Some(None)` where the band is open on that side.
    fn bound(&mut self, bound: Option<&ast::Bound>, over: Type, scope: &Scope) -> Option<Option<BoundDef>> {
        let Some(bound) = bound else { return Some(None) };
        let expected = over.family();
        let value = self.expect_type(&bound.value, scope, expected, "a band's bound")?;
        Some(Some(BoundDef { value, inclusive: bound.inclusive }))
    }

    fn prove_coverage(&mut self, decl: &ast::BandsDecl) {
        let (Some(first), Some(last)) = (decl.bands.first(), decl.bands.last()) else {
            self.report(Diagnostic::new(
                Code::BandGap,
                decl.name.span,
                format!("the band set `{}` has no band", decl.name.name),
                "empty",
            ));
            return;
        };
        if let Some(lower) = &first.lower
            && (!is_zero(&lower.value) || !lower.inclusive)
        {
            let below = if lower.inclusive { "below" } else { "up to" };
            self.report(
                Diagnostic::new(
                    Code::BandGap,
                    lower.span,
                    format!("values {below} `{}` fall in no band of `{}`", snippet(&lower.value), decl.name.name),
                    "the first band starts here",
                )
                .with_help(format!("open the first band below: `{}: up to …`, or start it `from 0`", first.name.name)),
            );
        }
        if let Some(upper) = &last.upper {
            let above = if upper.inclusive { "above" } else { "from" };
            self.report(
                Diagnostic::new(
                    Code::BandGap,
                    upper.span,
                    format!("values {above} `{}` fall in no band of `{}`", snippet(&upper.value), decl.name.name),
                    "the last band ends here",
                )
                .with_help(format!("open the last band above: `{}: above …`", last.name.name)),
            );
        }
        for pair in decl.bands.windows(2) {
            let [before, after] = pair else { continue };
            let (Some(end), Some(start)) = (&before.upper, &after.lower) else {
                let (band, side) = if before.upper.is_none() { (before, "above") } else { (after, "below") };
                self.report(
                    Diagnostic::new(
                        Code::BandOverlap,
                        band.span,
                        format!("the band `{}` is open {side}, so it overlaps `{}`", band.name.name, if side == "above" { &after.name.name } else { &before.name.name }),
                        format!("open {side}"),
                    )
                    .with_help("only the first band is open below and only the last open above; write bands from lowest to highest"),
                );
                continue;
            };
            self.meet(decl, before, end, after, start);
        }
    }

    /// Proves that `before` ends exactly where `after` starts.
    fn meet(
        &mut self,
        decl: &ast::BandsDecl,
        before: &ast::Band,
        end: &ast::Bound,
        after: &ast::Band,
        start: &ast::Bound,
    ) {
        let same_bound = end.value == start.value
            || matches!((constant(&end.value), constant(&start.value)), (Some(a), Some(b)) if a == b);
        let (first, second) = (&before.name.name, &after.name.name);
        if same_bound {
            let bound = snippet(&end.value);
            match (end.inclusive, start.inclusive) {
                (true, true) => self.report(
                    Diagnostic::new(
                        Code::BandOverlap,
                        start.span,
                        format!("the value `{bound}` itself falls in both `{first}` and `{second}`"),
                        "includes the bound",
                    )
                    .with_label(end.span, "includes it too")
                    .with_help(format!("write `above {bound}` to start `{second}` just after `{first}` ends")),
                ),
                (false, false) => self.report(
                    Diagnostic::new(
                        Code::BandGap,
                        start.span,
                        format!("the value `{bound}` itself falls in neither `{first}` nor `{second}`"),
                        "excludes the bound",
                    )
                    .with_label(end.span, "excludes it too")
                    .with_help(format!("write `from {bound}` to start `{second}` where `{first}` ends")),
                ),
                _ => {}
            }
            return;
        }
        match (constant(&end.value), constant(&start.value)) {
            (Some(end_value), Some(start_value)) if end_value < start_value => self.report(
                Diagnostic::new(
                    Code::BandGap,
                    start.span,
                    format!("values between {end_value} and {start_value} fall in no band of `{}`", decl.name.name),
                    "starts too high",
                )
                .with_label(end.span, format!("`{first}` ends here"))
                .with_help(format!("start `{second}` where `{first}` ends")),
            ),
            (Some(end_value), Some(start_value)) => self.report(
                Diagnostic::new(
                    Code::BandOverlap,
                    start.span,
                    format!("values between {start_value} and {end_value} fall in both `{first}` and `{second}`"),
                    "starts too low",
                )
                .with_label(end.span, format!("`{first}` ends here"))
                .with_help(format!("start `{second}` where `{first}` ends")),
            ),
            _ => self.report(
                Diagnostic::new(
                    Code::BandGap,
                    start.span,
                    format!(
                        "`{second}` starts at `{}` but `{first}` ends at `{}`: nothing proves they meet",
                        snippet(&start.value),
                        snippet(&end.value)
                    ),
                    "may leave a gap or overlap",
                )
                .with_label(end.span, format!("`{first}` ends here"))
                .with_help("start each band at the very bound where the previous one ends"),
            ),
        }
    }
}

fn constant(expr: &ast::Expr) -> Option<rust_decimal::Decimal> {
    match &expr.kind {
        ast::ExprKind::Literal(ast::LiteralKind::Number { value, .. }) => Some(*value),
        _ => None,
    }
}

fn is_zero(expr: &ast::Expr) -> bool {
    constant(expr).is_some_and(|value| value.is_zero())
}

/// A bound as the author wrote it, for messages.
fn snippet(expr: &ast::Expr) -> String {
    match &expr.kind {
        ast::ExprKind::Name(name) => name.clone(),
        ast::ExprKind::Field { target, field } => format!("{}.{}", snippet(target), field.name),
        ast::ExprKind::Literal(ast::LiteralKind::Number { value, .. }) => value.to_string(),
        _ => "…".to_owned(),
    }
}
