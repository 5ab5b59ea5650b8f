//! Optional profile fields read without a guard: a warning naming the guard
//! to add, so that a profile without the field is not met only at `test` or
//! `eval` time by "the profile has no …". Nothing here evaluates a profile.
//!
//! A reading is guarded where it is evaluated only under some condition: in a
//! branch of `if` or an arm of `match`, on the right of `and` or `or`, in a
//! condition with a `when`, in an output with a `when`. Any condition counts,
//! not only `given(field)`: the 2019 text reads `patientele_mt` only for GPs
//! (`if specialty == medecine_generale then patientele_mt …`), who give it.
//! A rule or band set is followed from where it is read, so a rule that reads
//! a field bare is fine when every reading of the rule is guarded. Roots are
//! the conditions (a condition set is evaluated whenever it is read) and the
//! outputs.

use std::collections::HashSet;

use super::Checker;
use super::diagnostic::Diagnostic;
use super::expr::{STACK_GROWTH, STACK_RED_ZONE};
use super::model::*;
use crate::code::Code;
use crate::source::{FileId, Span};

const CODE: Code = Code::UnguardedOptional;

/// A reading of an optional field that nothing guards.
#[derive(Clone, Copy)]
struct Reading {
    field: FieldId,
    span: Span,
}

/// Where a chain of readings starts: a condition or an output.
struct Root<'a> {
    what: String,
    span: Span,
    /// How to write the guard, given the field's name.
    guard: fn(&str, &str) -> String,
    /// The condition's or output's name.
    name: String,
    expr: &'a Expr,
}

/// Walks what roots evaluate whatever the profile; each rule and band set is
/// walked once, for the first root that reaches it, so the walk is linear in
/// the size of the policy however many roots share a rule.
struct Walk<'a> {
    checker: &'a Checker,
    rules: HashSet<RuleId>,
    bands: HashSet<BandsId>,
}

impl Walk<'_> {
    fn collect(&mut self, expr: &Expr, out: &mut Vec<Reading>) {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.collect_unguarded(expr, out));
    }

    fn collect_unguarded(&mut self, expr: &Expr, out: &mut Vec<Reading>) {
        match &expr.kind {
            ExprKind::Field(id) => {
                let may_be_absent =
                    self.checker.fields.get(id.index()).is_some_and(|field| field.optional && field.default.is_none());
                if may_be_absent {
                    out.push(Reading { field: *id, span: expr.span });
                }
            }
            // Only what decides is read whatever the profile; the branches are guarded.
            ExprKind::If { condition, .. } => self.collect(condition, out),
            ExprKind::Match { scrutinee, .. } => self.collect(scrutinee, out),
            ExprKind::And(left, _) | ExprKind::Or(left, _) => self.collect(left, out),
            ExprKind::Rule { rule, index } => {
                if let Some(index) = index {
                    self.collect(index, out);
                }
                let body = self.checker.rules.get(rule.index()).and_then(|slot| slot.def.as_ref());
                if let Some(body) = body.filter(|_| self.rules.insert(*rule)) {
                    self.collect(&body.body, out);
                }
            }
            ExprKind::Band(id) => {
                let bands = self.checker.bands.get(id.index()).and_then(Option::as_ref);
                if let Some(bands) = bands.filter(|_| self.bands.insert(*id)) {
                    self.collect(&bands.over, out);
                    for band in &bands.bands {
                        for bound in band.lower.iter().chain(&band.upper) {
                            self.collect(&bound.value, out);
                        }
                    }
                }
            }
            // Condition sets are roots of their own, walked once.
            ExprKind::Conditions { index, .. } | ExprKind::Failures { index, .. } => {
                if let Some(index) = index {
                    self.collect(index, out);
                }
            }
            _ => expr.for_each_child(|child| self.collect(child, out)),
        }
    }
}

fn condition_guard(condition: &str, field: &str) -> String {
    format!("guard the condition: `condition {condition} when given({field})`")
}

fn output_guard(output: &str, field: &str) -> String {
    format!("guard the output: `output {output} = … when given({field})`")
}

impl Checker {
    /// Every expression evaluated whatever the profile, with where it starts.
    fn unguarded_roots(&self) -> Vec<Root<'_>> {
        let mut roots = Vec::new();
        for set in self.sets.iter().flatten() {
            for condition in &set.conditions {
                let what = format!("the condition `{}`", condition.name);
                let (name, span) = (condition.name.clone(), condition.origin.span);
                let expr = condition.guard.as_ref().unwrap_or(&condition.requires);
                roots.push(Root { what, span, guard: condition_guard, name, expr });
            }
        }
        fn output_roots<'a>(output: &OutputDef, node: &'a OutputNode, roots: &mut Vec<Root<'a>>) {
            let what = format!("the output `{}`", output.name);
            let (name, span) = (output.name.clone(), output.origin.span);
            match node {
                OutputNode::Value { expr, guard: None } => {
                    roots.push(Root { what, span, guard: output_guard, name, expr })
                }
                OutputNode::Value { guard: Some(guard), .. } => {
                    roots.push(Root { what, span, guard: output_guard, name, expr: guard })
                }
                OutputNode::Group { fields, guard } => {
                    if let Some(guard) = guard {
                        roots.push(Root { what, span, guard: output_guard, name, expr: guard });
                    }
                    for (_, field) in fields {
                        output_roots(output, field, roots);
                    }
                }
            }
        }
        for output in &self.outputs {
            output_roots(output, &output.node, &mut roots);
        }
        roots
    }

    /// Warns of each reading of an optional field (one without a default)
    /// that some condition or output reaches with no guard on the way.
    pub(super) fn warn_unguarded_optional_reads(&mut self) {
        let mut walk = Walk { checker: self, rules: HashSet::new(), bands: HashSet::new() };
        let mut reported: HashSet<(FileId, u32, u32)> = HashSet::new();
        let mut warnings = Vec::new();
        for root in self.unguarded_roots() {
            let mut readings = Vec::new();
            walk.collect(root.expr, &mut readings);
            readings.retain(|reading| reported.insert((reading.span.file, reading.span.start, reading.span.end)));
            // One warning per field and root, at its first reading: a guard
            // added there covers every reading on the way.
            let mut fields: Vec<FieldId> = readings.iter().map(|reading| reading.field).collect();
            fields.sort_unstable();
            fields.dedup();
            for field_id in fields {
                let mut of_field = readings.iter().filter(|reading| reading.field == field_id);
                let (Some(first), others) = (of_field.next(), of_field.count()) else { continue };
                let Some(field) = self.fields.get(field_id.index()) else { continue };
                warnings.push(unguarded(&root, first.span, &field.name, others));
            }
        }
        for warning in warnings {
            self.report(warning);
        }
    }
}

/// The warning for `field`, read at `span` (and `others` more times) by `root`.
fn unguarded(root: &Root<'_>, span: Span, name: &str, others: usize) -> Diagnostic {
    let elsewhere = match others {
        0 => String::new(),
        1 => " (and once more on the way)".to_owned(),
        more => format!(" (and {more} more times on the way)"),
    };
    let mut warning = Diagnostic::new(
        CODE,
        span,
        format!("`{name}` may be absent from a profile, and {} reads it with no guard{elsewhere}", root.what),
        "read even where the profile does not give it",
    )
    .with_help(format!(
        "{}, or read it as `if given({name}) then {name} else …`; \
         a profile without `{name}` otherwise cannot be evaluated",
        (root.guard)(&root.name, name)
    ));
    let within = |outer: Span| outer.file == span.file && outer.start <= span.start && span.end <= outer.end;
    // A reading inside a rule or band set is shown with what reaches it.
    if !within(root.expr.span) {
        warning = warning.with_label(root.span, format!("{} reads it whatever the profile", root.what));
    }
    warning
}
