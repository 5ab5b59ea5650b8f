//! Proofs and warnings that need the whole checked policy: band bounds in
//! order for every table row they are read from, definitions nobody uses,
//! and conditions that can never be true or never false.

use std::collections::BTreeSet;

use super::diagnostic::Diagnostic;
use super::fold::{self, Folder};
use super::model::*;
use super::types::Type;
use super::{Checker, RuleState};
use crate::code::Code;
use crate::source::Span;

/// At most this many assignments of enumeration fields are tried per band set.
const MAX_ASSIGNMENTS: usize = 4096;

/// What an expression reads, followed through rules that are not given per value.
#[derive(Default)]
struct Reads {
    fields: BTreeSet<FieldId>,
    params: BTreeSet<ParamId>,
    tables: BTreeSet<TableId>,
    rules: BTreeSet<RuleId>,
    bands: BTreeSet<BandsId>,
    sets: BTreeSet<SetId>,
}

impl Reads {
    fn collect(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Field(id) => {
                self.fields.insert(*id);
            }
            ExprKind::Param(id) => {
                self.params.insert(*id);
            }
            ExprKind::TableRow { table, .. } => {
                self.tables.insert(*table);
            }
            ExprKind::Rule { rule, .. } => {
                self.rules.insert(*rule);
            }
            ExprKind::Band(id) => {
                self.bands.insert(*id);
            }
            ExprKind::Conditions { set, .. } | ExprKind::Failures { set, .. } => {
                self.sets.insert(*set);
            }
            _ => {}
        }
        expr.for_each_child(|child| self.collect(child));
    }
}

impl Checker {
    fn rule_defs(&self) -> Vec<Option<&RuleDef>> {
        self.rules
            .iter()
            .map(|slot| match slot.state {
                RuleState::Done(Some(_)) => slot.def.as_ref(),
                _ => None,
            })
            .collect()
    }

    /// Every expression of the policy, with nothing left out.
    fn all_expressions(&self) -> Vec<&Expr> {
        let mut all: Vec<&Expr> = Vec::new();
        for rule in self.rule_defs().into_iter().flatten() {
            all.push(&rule.body);
        }
        for bands in self.bands.iter().flatten() {
            all.push(&bands.over);
            for band in &bands.bands {
                all.extend(band.lower.iter().chain(&band.upper).map(|bound| &bound.value));
            }
        }
        for set in self.sets.iter().flatten() {
            for condition in &set.conditions {
                all.push(&condition.requires);
                all.extend(&condition.guard);
            }
        }
        fn output_expressions<'a>(node: &'a OutputNode, all: &mut Vec<&'a Expr>) {
            match node {
                OutputNode::Value { expr, guard } => {
                    all.push(expr);
                    all.extend(guard);
                }
                OutputNode::Group { fields, guard } => {
                    all.extend(guard);
                    for (_, field) in fields {
                        output_expressions(field, all);
                    }
                }
            }
        }
        for output in &self.outputs {
            output_expressions(&output.node, &mut all);
        }
        all
    }

    /// Warns of parameters, tables, rules, band sets and condition sets that nothing reads.
    pub(super) fn warn_unused(&mut self) {
        let mut reads = Reads::default();
        for expr in self.all_expressions() {
            reads.collect(expr);
        }
        let mut unused: Vec<(Span, String)> = Vec::new();
        for (index, param) in self.params.iter().enumerate() {
            if !reads.params.contains(&ParamId(id_from(index))) {
                unused.push((param.origin.span, format!("the parameter `{}`", param.name)));
            }
        }
        for (index, table) in self.tables.iter().enumerate() {
            if !reads.tables.contains(&TableId(id_from(index))) {
                unused.push((table.origin.span, format!("the table `{}`", table.name)));
            }
        }
        for (index, rule) in self.rule_defs().into_iter().enumerate() {
            if let Some(rule) = rule.filter(|_| !reads.rules.contains(&RuleId(id_from(index)))) {
                unused.push((rule.origin.span, format!("the rule `{}`", rule.name)));
            }
        }
        for (index, bands) in self.bands.iter().enumerate() {
            if let Some(bands) = bands.as_ref().filter(|_| !reads.bands.contains(&BandsId(id_from(index)))) {
                unused.push((bands.origin.span, format!("the band set `{}`", bands.name)));
            }
        }
        for (index, set) in self.sets.iter().enumerate() {
            if let Some(set) = set.as_ref().filter(|_| !reads.sets.contains(&SetId(id_from(index)))) {
                unused.push((set.origin.span, format!("the condition set `{}`", set.name)));
            }
        }
        for (span, what) in unused {
            self.report(
                Diagnostic::new(Code::Unused, span, format!("{what} is never used"), "not read by any rule or output")
                    .with_help("remove it, or read it where the text applies it"),
            );
        }
    }

    /// Warns of conditions whose outcome follows from constants alone.
    pub(super) fn warn_constant_conditions(&mut self) {
        let rules = self.rule_defs();
        let assignment = vec![None; self.fields.len()];
        let folder = Folder { params: &self.params, tables: &self.tables, rules: &rules, assignment: &assignment };
        let mut found = Vec::new();
        for set in self.sets.iter().flatten() {
            for condition in &set.conditions {
                if let Some(fold::Folded { value: Value::Bool(holds), .. }) = folder.fold(&condition.requires) {
                    found.push((condition.requires.span, set.name.clone(), condition.name.clone(), holds));
                }
            }
        }
        for (span, set, condition, holds) in found {
            let (always, effect) = if holds { ("true", "it never fails") } else { ("false", "nobody can meet it") };
            self.report(
                Diagnostic::new(
                    Code::ConstantCondition,
                    span,
                    format!("the condition `{set}.{condition}` is always {always}"),
                    format!("always {always}"),
                )
                .with_help(format!("it depends on no profile field, so {effect}; check what it compares")),
            );
        }
    }

    /// Proves, for every value of the enumeration fields a band set's bounds
    /// depend on (the specialty, say), that the bounds are in order, so that
    /// the symbolic proof of `bands.rs` holds for every physician.
    pub(super) fn prove_bounds_in_order(&mut self) {
        let rules = self.rule_defs();
        let mut problems = Vec::new();
        for bands in self.bands.iter().flatten() {
            let mut reads = Reads::default();
            for band in &bands.bands {
                if let Some(upper) = &band.upper {
                    reads.collect(&upper.value);
                }
            }
            let mut pending: Vec<RuleId> = reads.rules.iter().copied().collect();
            let mut seen = BTreeSet::new();
            while let Some(rule) = pending.pop() {
                if !seen.insert(rule) {
                    continue;
                }
                if let Some(Some(def)) = rules.get(rule.index()) {
                    let mut inner = Reads::default();
                    inner.collect(&def.body);
                    reads.fields.extend(inner.fields);
                    pending.extend(inner.rules);
                }
            }
            let fields: Vec<(FieldId, usize)> = reads
                .fields
                .iter()
                .filter_map(|id| match self.fields.get(id.index())?.ty {
                    Type::Enum(enumeration) => Some((*id, self.enums.get(enumeration.index())?.variants.len())),
                    _ => None,
                })
                .collect();
            let combinations = fields.iter().try_fold(1usize, |product, (_, size)| product.checked_mul(*size));
            if fields.len() != reads.fields.len() || combinations.is_none_or(|count| count > MAX_ASSIGNMENTS) {
                // Bounds read numbers from the profile, or too many cases: nothing to enumerate.
                continue;
            }
            let mut assignment: Vec<Option<u16>> = vec![None; self.fields.len()];
            for case in 0..combinations.unwrap_or(0) {
                let mut rest = case;
                for (field, size) in &fields {
                    if let Some(slot) = assignment.get_mut(field.index()) {
                        *slot = u16::try_from(rest % size).ok();
                    }
                    rest /= size.max(&1);
                }
                let folder =
                    Folder { params: &self.params, tables: &self.tables, rules: &rules, assignment: &assignment };
                let bounds: Vec<Option<fold::Folded>> = bands
                    .bands
                    .iter()
                    .map(|band| band.upper.as_ref().and_then(|upper| folder.fold(&upper.value)))
                    .collect();
                for position in 0..bounds.len().saturating_sub(1) {
                    let (Some(Some(lower)), Some(Some(upper))) = (bounds.get(position), bounds.get(position + 1))
                    else {
                        continue;
                    };
                    let (Some(low), Some(high)) = (fold::decimal(lower), fold::decimal(upper)) else { continue };
                    if low <= high {
                        continue;
                    }
                    let case_text: Vec<String> = fields
                        .iter()
                        .filter_map(|(field, _)| {
                            let definition = self.fields.get(field.index())?;
                            let Type::Enum(enumeration) = definition.ty else { return None };
                            let variant = (*assignment.get(field.index())?)?;
                            Some(format!(
                                "`{}` is `{}`",
                                definition.name,
                                self.enums.get(enumeration.index())?.variant_name(variant)
                            ))
                        })
                        .collect();
                    let names = |index: usize| bands.bands.get(index).map_or("?", |band| band.name.as_str()).to_owned();
                    problems.push(BoundProblem {
                        bands_span: bands.origin.span,
                        case: case_text.join(" and "),
                        low: high,
                        high: low,
                        first: names(position),
                        empty: names(position + 1),
                        last: names(position + 2),
                        cells: [lower.cell, upper.cell],
                    });
                }
            }
        }
        for problem in problems {
            let mut diagnostic = Diagnostic::new(
                Code::BandOverlap,
                problem.bands_span,
                format!(
                    "when {}, values above {} up to {} fall in both `{}` and `{}`",
                    problem.case, problem.low, problem.high, problem.first, problem.last
                ),
                "bounds out of order",
            )
            .with_help(format!(
                "`{}` ends at {} but `{}` ends at {}, below it: the bounds read for this case are out of order, so `{}` is empty",
                problem.first, problem.high, problem.empty, problem.low, problem.empty
            ));
            for (cell, text) in problem.cells.iter().zip([problem.high, problem.low]) {
                if let Some(cell) = cell {
                    diagnostic = diagnostic.with_label(*cell, format!("{text} read here"));
                }
            }
            self.report(diagnostic);
        }
    }
}

struct BoundProblem {
    bands_span: Span,
    case: String,
    low: rust_decimal::Decimal,
    high: rust_decimal::Decimal,
    first: String,
    empty: String,
    last: String,
    cells: [Option<Span>; 2],
}
