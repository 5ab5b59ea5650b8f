//! Expressions in their canonical layout: one space around operators, only
//! the parentheses precedence needs, plus those around an `and` inside an
//! `or` and around an operation under `not` (which a reader should not have
//! to work out); a `match` gives one
//! line per arm. Literals are printed as written.

use super::Line;
use super::items::Printer;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, UnaryOp};

/// How tightly an expression binds, loosest first, as `src/syntax`'s Pratt
/// parser reads them.
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const COMPARE: u8 = 4;
const SUM: u8 = 5;
const PRODUCT: u8 = 6;
const NEGATE: u8 = 7;
const POSTFIX: u8 = 8;
const PRIMARY: u8 = 9;

fn binding(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => OR,
        BinaryOp::And => AND,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::In => {
            COMPARE
        }
        BinaryOp::Add | BinaryOp::Sub => SUM,
        BinaryOp::Mul | BinaryOp::Div => PRODUCT,
    }
}

fn own_binding(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Binary { op, .. } => binding(*op),
        ExprKind::Unary { op: UnaryOp::Not, .. } => NOT,
        ExprKind::Unary { op: UnaryOp::Neg, .. } => NEGATE,
        ExprKind::Field { .. } | ExprKind::Keys { .. } => POSTFIX,
        // `if … else x` would swallow what follows it: it is a primary only in parentheses.
        ExprKind::If { .. } => 0,
        _ => PRIMARY,
    }
}

/// Lines of an expression: the first continues the line it is written on;
/// the others are new lines, indented relative to that line.
pub(super) type Lines = Vec<Line>;

/// Appends `right` to `left`: its first line continues `left`'s last.
pub(super) fn join(mut left: Lines, separator: &str, right: Lines) -> Lines {
    let mut right = right.into_iter();
    if let Some(first) = right.next() {
        match left.last_mut() {
            Some(last) => {
                last.text.push_str(separator);
                last.text.push_str(&first.text);
            }
            None => left.push(first),
        }
    }
    left.extend(right);
    left
}

pub(super) fn text(text: impl Into<String>) -> Lines {
    vec![Line::new(0, text, None)]
}

impl Printer<'_> {
    /// An expression, in parentheses if it binds looser than `context` needs.
    pub(super) fn expr(&self, expr: &Expr, context: u8) -> Lines {
        let inner = self.bare(expr);
        if own_binding(expr) < context { join(join(text("("), "", inner), "", text(")")) } else { inner }
    }

    fn bare(&self, expr: &Expr) -> Lines {
        match &expr.kind {
            ExprKind::Literal(_) => text(self.literal_text(expr.span)),
            ExprKind::Name(name) => text(name.clone()),
            ExprKind::Base => text("base"),
            ExprKind::Unary { op: UnaryOp::Not, operand } => {
                // `not (a > b)`, not `not a > b`: what `not` covers is written out.
                let clarify = matches!(operand.kind, ExprKind::Binary { .. });
                join(text("not"), " ", self.expr(operand, if clarify { PRIMARY } else { NOT }))
            }
            ExprKind::Unary { op: UnaryOp::Neg, operand } => join(text("-"), "", self.expr(operand, NEGATE)),
            ExprKind::Binary { op, left, right, .. } => {
                let own = binding(*op);
                let side = |side: &Expr, context: u8| {
                    // An `and` inside an `or` is always written in parentheses, for the reader.
                    let clarify =
                        *op == BinaryOp::Or && matches!(side.kind, ExprKind::Binary { op: BinaryOp::And, .. });
                    self.expr(side, if clarify { PRIMARY } else { context })
                };
                let left = side(left, own);
                join(join(left, " ", text(op.symbol())), " ", side(right, own + 1))
            }
            ExprKind::Field { target, field } => join(self.expr(target, POSTFIX), ".", text(field.name.clone())),
            ExprKind::Keys { target, keys } => {
                join(join(self.expr(target, POSTFIX), "[", self.list(keys)), "", text("]"))
            }
            ExprKind::Call { function, args } => {
                join(join(text(function.name.clone()), "(", self.list(args)), "", text(")"))
            }
            ExprKind::List(items) => join(join(text("["), "", self.list(items)), "", text("]")),
            ExprKind::If { condition, then, otherwise } => {
                let lines = join(text("if"), " ", self.expr(condition, 0));
                let lines = join(join(lines, " ", text("then")), " ", self.expr(then, 0));
                join(join(lines, " ", text("else")), " ", self.expr(otherwise, 0))
            }
            ExprKind::Match { scrutinee, arms } => {
                let mut lines = join(join(text("match"), " ", self.expr(scrutinee, 0)), " ", text("{"));
                for arm in arms {
                    let pattern = if arm.patterns.is_empty() {
                        "else".to_owned()
                    } else {
                        arm.patterns.iter().map(|pattern| pattern.name.as_str()).collect::<Vec<_>>().join(" | ")
                    };
                    let mut arm_lines = join(text(pattern), " => ", self.expr(&arm.body, 0));
                    for line in &mut arm_lines {
                        line.indent += 2;
                    }
                    if let Some(first) = arm_lines.first_mut() {
                        first.origin = Some(arm.span.start);
                    }
                    lines.extend(arm_lines);
                }
                // The match's own closing brace, so that a comment after it stays there.
                lines.push(Line::new(0, "}", Some(expr.span.end.saturating_sub(1))));
                lines
            }
        }
    }

    fn list(&self, items: &[Expr]) -> Lines {
        let mut lines = Lines::new();
        for (position, item) in items.iter().enumerate() {
            let separator = if position == 0 { "" } else { ", " };
            lines = join(lines, separator, self.expr(item, 0));
        }
        if lines.is_empty() {
            lines.push(Line::new(0, "", None));
        }
        lines
    }
}
