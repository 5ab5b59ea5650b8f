//! Expressions in their canonical layout: one space around operators, only
//! the parentheses precedence needs, plus those around an `and` inside an
//! `or` and around an operation under `not` (which a reader should not have
//! to work out); a `match` gives one
//! line per arm. Literals are printed as written.
//!
//! An expression that does not fit in [`WIDTH`] columns is broken, outermost
//! first, as rustfmt and prettier do: `else` and `else if` start lines, a
//! chain of operators breaks before each operator, arguments go one a line.
//! What cannot break (a name, a literal, a text) overflows. The layout
//! depends on the syntax tree alone, so formatting is idempotent.

use super::Line;
use super::items::Printer;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use crate::syntax::operators::Binding;

/// The levels of the operator table, as the formatter compares them: a side
/// in parentheses when it binds looser than its context.
const NOT: u8 = Binding::Not as u8;
const NEGATE: u8 = Binding::Negate as u8;
const POSTFIX: u8 = Binding::Postfix as u8;
const PRIMARY: u8 = Binding::Primary as u8;

fn binding(op: BinaryOp) -> u8 {
    op.binding() as u8
}

fn own_binding(expr: &Expr) -> u8 {
    let binding = match &expr.kind {
        ExprKind::Binary { op, .. } => op.binding(),
        ExprKind::Unary { op, .. } => op.binding(),
        ExprKind::Field { .. } | ExprKind::Keys { .. } => Binding::Postfix,
        ExprKind::If { .. } => Binding::Conditional,
        ExprKind::Literal(_)
        | ExprKind::Name(_)
        | ExprKind::Base
        | ExprKind::Call { .. }
        | ExprKind::List(_)
        | ExprKind::Match { .. } => Binding::Primary,
    };
    binding as u8
}

/// The widest a line may be where the expression can break.
pub(super) const WIDTH: usize = 100;

/// Whether lines fit: the first starting at column `first`, the others at
/// `base` plus their own indent.
pub(super) fn fits(lines: &Lines, first: usize, base: usize) -> bool {
    lines.iter().enumerate().all(|(position, line)| {
        let start = if position == 0 { first } else { base + line.indent };
        start
            + line.text.chars().count()
            + line.trailing.iter().map(|comment| comment.chars().count() + 1).sum::<usize>()
            <= WIDTH
    })
}

/// `a | b`, or `else`: what a `match` arm handles.
fn arm_pattern(arm: &crate::syntax::ast::MatchArm) -> String {
    if arm.patterns.is_empty() {
        return "else".to_owned();
    }
    arm.patterns.iter().map(|pattern| pattern.name.as_str()).collect::<Vec<_>>().join(" | ")
}

/// Lines moved right by `by` columns.
fn indented(mut lines: Lines, by: usize) -> Lines {
    for line in &mut lines {
        line.indent += by;
    }
    lines
}

/// `right` on a line of its own, at the indent of the construct.
fn below(mut left: Lines, right: Lines) -> Lines {
    left.extend(right);
    left
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
                    let mut arm_lines = join(text(arm_pattern(arm)), " => ", self.expr(&arm.body, 0));
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

    /// An expression laid out within [`WIDTH`]: it starts at column `first`;
    /// the lines it breaks into are indented from column `base`, the indent
    /// of the construct it belongs to.
    pub(super) fn fitted(&self, expr: &Expr, context: u8, first: usize, base: usize) -> Lines {
        let flat = self.expr(expr, context);
        if fits(&flat, first, base) {
            return flat;
        }
        if own_binding(expr) < context {
            let inner = self.broken(expr, first + 1, base);
            return join(join(text("("), "", inner), "", text(")"));
        }
        self.broken(expr, first, base)
    }

    /// An expression too wide for one line, broken at its outermost node.
    fn broken(&self, expr: &Expr, first: usize, base: usize) -> Lines {
        match &expr.kind {
            ExprKind::If { .. } => self.if_chain(expr, first, base),
            // `left op [a, b, …]` or `left op f(…)`: the operator stays, the right side breaks.
            ExprKind::Binary { op, left, right, .. }
                if matches!(right.kind, ExprKind::List(_) | ExprKind::Call { .. })
                    && fits(&self.expr(left, binding(*op)), first, base)
                    && !matches!(left.kind, ExprKind::Binary { .. }) =>
            {
                let head = join(join(self.expr(left, binding(*op)), " ", text(op.symbol())), " ", text(""));
                let start = first + head.iter().map(|line| line.text.chars().count()).sum::<usize>();
                join(head, "", self.fitted(right, binding(*op) + 1, start, base))
            }
            ExprKind::Binary { op, .. } => {
                let own = binding(*op);
                let mut operands = Vec::new();
                let mut operators = Vec::new();
                let mut rest = expr;
                // `a + b + c` is `(a + b) + c`: walk down the left while the operator binds alike.
                while let ExprKind::Binary { op: inner_op, left, right, .. } = &rest.kind {
                    if binding(*inner_op) != own {
                        break;
                    }
                    operands.push(right.as_ref());
                    operators.push(*inner_op);
                    rest = left;
                }
                // An `and` inside an `or` is always written in parentheses, for the reader.
                let context = |side: &Expr, context: u8| {
                    let clarify =
                        *op == BinaryOp::Or && matches!(side.kind, ExprKind::Binary { op: BinaryOp::And, .. });
                    if clarify { PRIMARY } else { context }
                };
                let mut lines = self.fitted(rest, context(rest, own), first, base);
                for (operand, operator) in operands.iter().rev().zip(operators.iter().rev()) {
                    let symbol = operator.symbol();
                    let start = base + 2 + symbol.len() + 1;
                    let right = self.fitted(operand, context(operand, own + 1), start, base + 2);
                    lines = below(lines, indented(join(text(symbol), " ", right), 2));
                }
                lines
            }
            ExprKind::Call { function, args } => {
                let open = join(text(function.name.clone()), "", text("("));
                join(self.one_a_line(open, args, base), "", text(")"))
            }
            ExprKind::List(items) => join(self.packed(text("["), items, base), "", text("]")),
            ExprKind::Keys { target, keys } => {
                let open = join(self.fitted(target, POSTFIX, first, base), "", text("["));
                join(self.one_a_line(open, keys, base), "", text("]"))
            }
            ExprKind::Field { target, field } => {
                join(self.fitted(target, POSTFIX, first, base), ".", text(field.name.clone()))
            }
            ExprKind::Unary { op: UnaryOp::Not, operand } => {
                let clarify = matches!(operand.kind, ExprKind::Binary { .. });
                join(text("not"), " ", self.fitted(operand, if clarify { PRIMARY } else { NOT }, first + 4, base))
            }
            ExprKind::Match { scrutinee, arms } => {
                let mut lines =
                    join(join(text("match"), " ", self.fitted(scrutinee, 0, first + 6, base)), " ", text("{"));
                for arm in arms {
                    let pattern = arm_pattern(arm);
                    let start = base + 2 + pattern.chars().count() + 4;
                    let body = self.fitted(&arm.body, 0, start, base + 2);
                    let mut arm_lines = indented(join(text(pattern), " => ", body), 2);
                    if let Some(first_line) = arm_lines.first_mut() {
                        first_line.origin = Some(arm.span.start);
                    }
                    lines.extend(arm_lines);
                }
                lines.push(Line::new(0, "}", Some(expr.span.end.saturating_sub(1))));
                lines
            }
            // Nothing to break: a name, a literal, a minus sign before one.
            ExprKind::Literal(_) | ExprKind::Name(_) | ExprKind::Base | ExprKind::Unary { .. } => self.bare(expr),
        }
    }

    /// `open`, then each item on a line of its own, two columns in, each but
    /// the last followed by a comma; the closing bracket is the caller's, on
    /// a line of its own.
    fn one_a_line(&self, open: Lines, items: &[Expr], base: usize) -> Lines {
        let mut lines = open;
        for (position, item) in items.iter().enumerate() {
            let mut item_lines = indented(self.fitted(item, 0, base + 2, base + 2), 2);
            if position + 1 < items.len()
                && let Some(last) = item_lines.last_mut()
            {
                last.text.push(',');
            }
            lines.extend(item_lines);
        }
        lines.push(Line::new(0, "", None));
        lines
    }

    /// `open`, then the items as many a line as fit, two columns in; the
    /// closing bracket is the caller's, on a line of its own.
    fn packed(&self, open: Lines, items: &[Expr], base: usize) -> Lines {
        let mut lines = open;
        let mut current: Option<Lines> = None;
        for (position, item) in items.iter().enumerate() {
            let comma = if position + 1 < items.len() { "," } else { "" };
            let flat = join(self.expr(item, 0), "", text(comma));
            current = match current {
                Some(line) if fits(&join(line.clone(), " ", flat.clone()), base + 2, base + 2) => {
                    Some(join(line, " ", flat))
                }
                Some(line) => {
                    lines.extend(indented(line, 2));
                    Some(join(self.fitted(item, 0, base + 2, base + 2), "", text(comma)))
                }
                None => Some(join(self.fitted(item, 0, base + 2, base + 2), "", text(comma))),
            };
        }
        lines.extend(current.map(|line| indented(line, 2)).unwrap_or_default());
        lines.push(Line::new(0, "", None));
        lines
    }

    /// `if … then …`, `else if … then …`, `else …`, a line each; a branch
    /// that does not fit goes on a line of its own, two columns in.
    fn if_chain(&self, expr: &Expr, first: usize, base: usize) -> Lines {
        let mut lines = Lines::new();
        let mut rest = expr;
        let mut word = "if";
        while let ExprKind::If { condition, then, otherwise } = &rest.kind {
            let start = if lines.is_empty() { first } else { base };
            let head = join(text(word), " ", self.fitted(condition, 0, start + word.len() + 1, base));
            let head = join(head, " ", text("then"));
            let flat_then = self.expr(then, 0);
            let head_end = head.last().map_or(0, |line| line.text.chars().count());
            let head_start = if head.len() == 1 { start } else { base };
            let arm = if fits(&flat_then, head_start + head_end + 1, base + 2) {
                join(head, " ", flat_then)
            } else {
                below(head, indented(self.fitted(then, 0, base + 2, base + 2), 2))
            };
            lines = if lines.is_empty() { arm } else { below(lines, arm) };
            word = "else if";
            rest = otherwise;
        }
        let flat_else = self.expr(rest, 0);
        let last = if fits(&flat_else, base + 5, base) {
            join(text("else"), " ", flat_else)
        } else {
            below(text("else"), indented(self.fitted(rest, 0, base + 2, base + 2), 2))
        };
        below(lines, last)
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

#[cfg(test)]
mod tests {
    //! The formatter and the parser read precedence from one table; these
    //! tests hold them to each other for every pair of operators.

    use std::path::Path;

    use strum::VariantArray;

    use crate::source::SourceMap;
    use crate::syntax::ast::{BinaryOp, Expr, Item, UnaryOp};

    /// The body of `rule r = …` as parsed, or why it does not parse.
    fn parsed(body: &str) -> Result<Expr, String> {
        let text = format!("policy t {{ title \"t\" }}\nrule r = {body}\n");
        let mut sources = SourceMap::default();
        let file = sources.add(Path::new("t.policy"), text.as_str());
        let tree = crate::syntax::parse(file, &text).map_err(|error| error.to_string())?;
        match tree.items.into_iter().next() {
            Some(Item::Rule(rule)) => Ok(rule.body),
            _ => Err(format!("`{body}` is not a rule")),
        }
    }

    /// The body of `rule r = …` as `avenant fmt` writes it.
    fn formatted(body: &str) -> Result<String, String> {
        let text = format!("policy t {{ title \"t\" }}\nrule r = {body}\n");
        let formatted = super::super::format(Path::new("t.policy"), &text).map_err(|error| error.to_string())?;
        let line = formatted.lines().find_map(|line| line.strip_prefix("rule r = "));
        line.map(str::to_owned).ok_or_else(|| format!("no rule in:\n{formatted}"))
    }

    /// Every expression of two operators, nested each way: `(a x b) y c`,
    /// `a x (b y c)`, and each prefix operator over and under each infix one.
    fn nestings() -> Vec<String> {
        let mut bodies = Vec::new();
        for outer in BinaryOp::VARIANTS {
            for inner in BinaryOp::VARIANTS {
                let (outer, inner) = (outer.symbol(), inner.symbol());
                bodies.push(format!("(a {inner} b) {outer} c"));
                bodies.push(format!("a {outer} (b {inner} c)"));
            }
            for prefix in UnaryOp::VARIANTS {
                let (infix, prefix) = (outer.symbol(), prefix.symbol());
                let prefix = if prefix == "-" { "-".to_owned() } else { format!("{prefix} ") };
                bodies.push(format!("{prefix}(a {infix} b)"));
                bodies.push(format!("({prefix}a) {infix} b"));
                bodies.push(format!("a {infix} ({prefix}b)"));
            }
        }
        bodies
    }

    /// Parentheses a reader is given although precedence does not need
    /// them: around an `and` inside an `or`, around what `not` covers, and
    /// around a `not` on the right of a tighter operator (`a == (not b)`,
    /// which the parser would also read bare).
    fn clarified(body: &str) -> bool {
        body.contains("(a and b) or")
            || body.contains("or (b and c)")
            || body.starts_with("not (")
            || body.contains(" (not b)")
    }

    #[test]
    fn the_formatter_writes_what_the_parser_reads_for_every_pair_of_operators() -> Result<(), String> {
        for body in nestings() {
            let tree = parsed(&body)?;
            let written = formatted(&body)?;
            // `format` itself refuses a layout that parses differently; this
            // states it for each pair, with the text that would differ.
            assert_eq!(parsed(&written)?, tree, "`{body}` formats as `{written}`, which reads otherwise");
            // And only the parentheses precedence needs, or the two a reader is given.
            let bare = written.replace(['(', ')'], "");
            let needed = parsed(&bare).map_or(true, |bare_tree| bare_tree != tree);
            assert_eq!(
                written.contains('('),
                needed || clarified(&written),
                "`{body}` formats as `{written}`; without parentheses it reads {}",
                if needed { "otherwise" } else { "the same" }
            );
        }
        Ok(())
    }

    #[test]
    fn precedence_is_the_conventional_one() -> Result<(), String> {
        // The table itself, stated once as a reader expects it: tighter on the right.
        let cases = [
            ("a or b and c", "a or (b and c)"),
            ("not a and b", "(not a) and b"),
            ("not a == b", "not (a == b)"),
            ("a == b + c", "a == (b + c)"),
            ("a in [b] == c", "(a in [b]) == c"),
            ("a + b * c", "a + (b * c)"),
            ("a - b - c", "(a - b) - c"),
            ("a / b / c", "(a / b) / c"),
            ("-a * b", "(-a) * b"),
            ("-a.b", "-(a.b)"),
            ("-a[b]", "-(a[b])"),
        ];
        for (bare, explicit) in cases {
            assert_eq!(parsed(bare)?, parsed(explicit)?, "`{bare}` should read as `{explicit}`");
        }
        Ok(())
    }
}
