//! Cycles between definitions: a rule, band set or condition set that
//! depends on itself would never finish evaluating, so it is an error.

use super::diagnostic::Diagnostic;
use super::model::*;
use super::{Checker, RuleState};
use crate::code::Code;
use crate::source::Span;

/// A definition that others may depend on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Node {
    Rule(RuleId),
    Bands(BandsId),
    Set(SetId),
}

impl Checker {
    /// Reports the cycle that closes on `id`, from the stack of rules in progress.
    pub(super) fn report_rule_cycle(&mut self, id: RuleId) {
        let start = self.rule_stack.iter().position(|rule| *rule == id).unwrap_or(0);
        let chain: Vec<RuleId> = self.rule_stack.get(start..).map(<[RuleId]>::to_vec).unwrap_or_default();
        let names: Vec<String> = chain.iter().filter_map(|rule| self.rule_name(*rule)).collect();
        let spans: Vec<Span> = chain.iter().filter_map(|rule| self.rule_span(*rule)).collect();
        self.report_cycle(&names, &spans);
    }

    fn rule_name(&self, id: RuleId) -> Option<String> {
        let slot = self.rules.get(id.index())?;
        Some(self.rule_decls.get(slot.decl_index)?.name.name.clone())
    }

    fn rule_span(&self, id: RuleId) -> Option<Span> {
        let slot = self.rules.get(id.index())?;
        Some(self.rule_decls.get(slot.decl_index)?.name.span)
    }

    fn report_cycle(&mut self, names: &[String], spans: &[Span]) {
        let Some((first_span, rest)) = spans.split_first() else { return };
        let first_name = names.first().cloned().unwrap_or_default();
        let mut chain: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
        chain.push(format!("`{first_name}`"));
        let mut diagnostic = Diagnostic::new(
            Code::Cycle,
            *first_span,
            format!("`{first_name}` depends on itself: {}", chain.join(" → ")),
            "defined in terms of itself",
        )
        .with_help("a definition cannot depend on itself, even through others; break the chain with a parameter or a profile field");
        for (span, name) in rest.iter().zip(names.iter().skip(1)) {
            diagnostic = diagnostic.with_label(*span, format!("`{name}` is part of the cycle"));
        }
        self.report(diagnostic);
    }
}

/// Finds cycles that pass through band sets or condition sets (cycles among
/// rules alone are found while rules are checked).
pub(super) fn check(checker: &mut Checker) {
    let mut nodes = Vec::new();
    for index in 0..checker.rules.len() {
        nodes.push(Node::Rule(RuleId(id_from(index))));
    }
    for index in 0..checker.bands.len() {
        nodes.push(Node::Bands(BandsId(id_from(index))));
    }
    for index in 0..checker.sets.len() {
        nodes.push(Node::Set(SetId(id_from(index))));
    }
    let edges: Vec<Vec<usize>> = nodes
        .iter()
        .map(|node| {
            dependencies(checker, *node)
                .into_iter()
                .filter_map(|target| nodes.iter().position(|other| *other == target))
                .collect()
        })
        .collect();
    // Iterative depth-first search, so that a long chain of definitions
    // cannot exhaust the stack.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Unvisited,
        OnPath,
        Done,
    }
    let mut marks = vec![Mark::Unvisited; nodes.len()];
    for root in 0..nodes.len() {
        if marks.get(root) != Some(&Mark::Unvisited) {
            continue;
        }
        // Each entry: a node on the current path, and how many of its edges were followed.
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        set_mark(&mut marks, root, Mark::OnPath);
        while let Some(&mut (node, ref mut followed)) = path.last_mut() {
            let Some(&target) = edges.get(node).and_then(|edges| edges.get(*followed)) else {
                set_mark(&mut marks, node, Mark::Done);
                path.pop();
                continue;
            };
            *followed += 1;
            match marks.get(target) {
                Some(Mark::Unvisited) => {
                    set_mark(&mut marks, target, Mark::OnPath);
                    path.push((target, 0));
                }
                Some(Mark::OnPath) => {
                    let start = path.iter().position(|(node, _)| *node == target).unwrap_or(0);
                    let cycle: Vec<Node> = path
                        .get(start..)
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(|(node, _)| nodes.get(*node).copied())
                        .collect();
                    // Cycles of rules alone were reported while checking them.
                    if cycle.iter().any(|node| !matches!(node, Node::Rule(_))) {
                        let names: Vec<String> = cycle.iter().map(|node| node_name(checker, *node)).collect();
                        let spans: Vec<Span> = cycle.iter().filter_map(|node| node_span(checker, *node)).collect();
                        checker.report_cycle(&names, &spans);
                    }
                }
                _ => {}
            }
        }
    }
}

fn set_mark<T: Copy>(marks: &mut [T], index: usize, mark: T) {
    if let Some(slot) = marks.get_mut(index) {
        *slot = mark;
    }
}

fn dependencies(checker: &Checker, node: Node) -> Vec<Node> {
    let mut found = Vec::new();
    let mut visit = |expr: &Expr| collect(expr, &mut found);
    match node {
        Node::Rule(id) => {
            if let Some(RuleState::Done(Some(_))) = checker.rules.get(id.index()).map(|slot| slot.state)
                && let Some(def) = checker.rules.get(id.index()).and_then(|slot| slot.def.as_ref())
            {
                visit(&def.body);
            }
        }
        Node::Bands(id) => {
            if let Some(Some(bands)) = checker.bands.get(id.index()) {
                visit(&bands.over);
                for band in &bands.bands {
                    for bound in band.lower.iter().chain(&band.upper) {
                        visit(&bound.value);
                    }
                }
            }
        }
        Node::Set(id) => {
            if let Some(Some(set)) = checker.sets.get(id.index()) {
                // A guard is read before the condition: a cycle through it
                // would never end either.
                for condition in &set.conditions {
                    condition.guard.iter().for_each(&mut visit);
                    visit(&condition.requires);
                }
            }
        }
    }
    found
}

fn collect(expr: &Expr, found: &mut Vec<Node>) {
    match &expr.kind {
        ExprKind::Rule { rule, .. } => found.push(Node::Rule(*rule)),
        ExprKind::Band(id) => found.push(Node::Bands(*id)),
        ExprKind::Conditions { set, .. } | ExprKind::Failures { set, .. } => found.push(Node::Set(*set)),
        _ => {}
    }
    expr.for_each_child(|child| collect(child, found));
}

fn node_name(checker: &Checker, node: Node) -> String {
    match node {
        Node::Rule(id) => checker.rule_name(id).unwrap_or_default(),
        Node::Bands(id) => {
            checker.bands.get(id.index()).and_then(Option::as_ref).map(|bands| bands.name.clone()).unwrap_or_default()
        }
        Node::Set(id) => {
            checker.sets.get(id.index()).and_then(Option::as_ref).map(|set| set.name.clone()).unwrap_or_default()
        }
    }
}

fn node_span(checker: &Checker, node: Node) -> Option<Span> {
    match node {
        Node::Rule(id) => checker.rule_span(id),
        Node::Bands(id) => checker.bands.get(id.index()).and_then(Option::as_ref).map(|bands| bands.origin.span),
        Node::Set(id) => checker.sets.get(id.index()).and_then(Option::as_ref).map(|set| set.origin.span),
    }
}
