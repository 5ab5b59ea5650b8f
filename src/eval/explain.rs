//! The explanation of an outcome: a tracer that records the derivation of
//! every output as a tree of the definitions it read.
//!
//! Definitions (fields, parameters, cells, rules, bands, condition sets) are
//! recorded once per profile, as the evaluator computes them once; every
//! place that reads one points to the same node, so a renderer can show it
//! in full the first time and refer to it afterwards. Nothing here prints.

use std::collections::HashMap;
use std::sync::Arc;

use super::trace::{Frame, Traced, Tracer};
use super::{Outcome, OutputValue, Profile, evaluate_traced};
use crate::EvalError;
use crate::check::model::*;
use crate::source::Span;
use crate::syntax::ast::Certainty;

/// Evaluates a profile and records how every output was reached.
pub fn explain(
    policy: &CheckedPolicy,
    profile: &Profile,
    on: jiff::civil::Date,
) -> Result<(Outcome, Explanation), EvalError> {
    let mut recorder = Recorder::default();
    let outcome = evaluate_traced(policy, profile, on, &mut recorder)?;
    Ok((outcome, recorder.explanation))
}

/// Every node of the derivation; `outputs` are the roots, in declared order.
#[derive(Debug, Clone, Default)]
pub struct Explanation {
    pub nodes: Vec<Node>,
    pub outputs: Vec<NodeId>,
}

pub type NodeId = usize;

impl Explanation {
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// The output node at a dotted path (`options.option_1.aid`), if any.
    pub fn find_output(&self, path: &str) -> Option<NodeId> {
        let mut pending: Vec<NodeId> = self.outputs.clone();
        while let Some(id) = pending.pop() {
            let node = self.nodes.get(id)?;
            if let Subject::Output { path: own, .. } = &node.subject {
                if own == path {
                    return Some(id);
                }
                if path.starts_with(&format!("{own}.")) {
                    pending.extend(node.reads.iter().copied());
                }
            }
        }
        None
    }
}

/// One step of a derivation.
#[derive(Debug, Clone)]
pub struct Node {
    pub subject: Subject,
    /// `None` while evaluation is under way (or where it stopped).
    pub result: Option<Shown>,
    /// The weakest certainty of what the value was computed from.
    pub certainty: Certainty,
    /// What the node read, in the order first read: definitions, and for an
    /// output its parts.
    pub reads: Vec<NodeId>,
    /// For an output under a `when`: whether it held.
    pub guard: Option<bool>,
    /// For bands: the value divided, and each bound compared, in order.
    pub over: Option<Value>,
    pub bounds: Vec<BoundCheck>,
}

/// What a node stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// An output, or a step of one: `options`, `options.option_1`, `options.option_1.aid.year_1`.
    /// `guard` holds the parts of its `when`, an enclosing block's first.
    Output {
        path: String,
        expr: Option<Span>,
        guard: Vec<Span>,
    },
    Field(FieldId),
    Param(ParamId),
    Cell {
        table: TableId,
        row: u32,
        column: usize,
    },
    Rule {
        rule: RuleId,
        index: Option<u16>,
    },
    Bands(BandsId),
    Conditions {
        set: SetId,
        index: Option<u16>,
    },
    Condition {
        set: SetId,
        index: Option<u16>,
        position: usize,
    },
}

impl Subject {
    /// Whether the node is a definition read from several places (shown once, then referred to).
    pub fn is_shared(&self) -> bool {
        matches!(self, Subject::Rule { .. } | Subject::Bands(_) | Subject::Conditions { .. })
    }
}

/// A node's result.
#[derive(Debug, Clone)]
pub enum Shown {
    Value(Value),
    Output(OutputValue),
    Band(u16),
    Holds(bool),
    Failures(Arc<[FailedCondition]>),
}

/// One bound of a band compared with the value the bands divide.
#[derive(Debug, Clone)]
pub struct BoundCheck {
    pub band: usize,
    pub lower: bool,
    pub limit: Value,
    pub holds: bool,
}

/// The tracer behind [`explain`].
#[derive(Default)]
struct Recorder {
    explanation: Explanation,
    /// Nodes being evaluated, innermost last.
    open: Vec<NodeId>,
    /// Definitions already recorded, to point to them again.
    known: HashMap<Key, NodeId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Field(FieldId),
    Param(ParamId),
    Cell(TableId, u32, usize),
    Frame(Frame),
}

impl Recorder {
    fn add(&mut self, subject: Subject, result: Option<Shown>) -> NodeId {
        let id = self.explanation.nodes.len();
        self.explanation.nodes.push(Node {
            subject,
            result,
            certainty: Certainty::Established,
            reads: Vec::new(),
            guard: None,
            over: None,
            bounds: Vec::new(),
        });
        id
    }

    fn top(&mut self) -> Option<&mut Node> {
        let id = *self.open.last()?;
        self.explanation.nodes.get_mut(id)
    }

    /// Records that the node being evaluated read `id`.
    fn read(&mut self, id: NodeId) {
        match self.open.last().copied() {
            Some(parent) => {
                if let Some(parent) = self.explanation.nodes.get_mut(parent)
                    && !parent.reads.contains(&id)
                {
                    parent.reads.push(id);
                }
            }
            None => self.explanation.outputs.push(id),
        }
    }

    /// A definition node, made on first sight, read by the current node.
    fn definition(&mut self, key: Key, make: impl FnOnce() -> (Subject, Option<Shown>)) -> NodeId {
        let id = match self.known.get(&key) {
            Some(id) => *id,
            None => {
                let (subject, result) = make();
                let id = self.add(subject, result);
                self.known.insert(key, id);
                id
            }
        };
        self.read(id);
        id
    }

    fn finish(&mut self, result: Shown, certainty: Certainty) {
        if let Some(node) = self.top() {
            node.result = Some(result);
            node.certainty = certainty;
        }
        self.open.pop();
    }
}

impl Tracer for Recorder {
    fn enter_output(&mut self, step: &str, node: &OutputNode) {
        let parent_path = self.top().and_then(|parent| match &parent.subject {
            Subject::Output { path, .. } => Some(path.clone()),
            _ => None,
        });
        let path = parent_path.map_or_else(|| step.to_owned(), |parent| format!("{parent}.{step}"));
        let (expr, guard) = match node {
            OutputNode::Value { expr, guard } => (Some(expr.span), guard),
            OutputNode::Group { guard, .. } => (None, guard),
        };
        let mut parts = Vec::new();
        if let Some(guard) = guard {
            guard_parts(guard, &mut parts);
        }
        let guard = parts;
        let id = self.add(Subject::Output { path, expr, guard }, None);
        self.read(id);
        self.open.push(id);
    }

    fn leave_output(&mut self, value: &OutputValue, certainty: Certainty) {
        self.finish(Shown::Output(value.clone()), certainty);
    }

    fn guard(&mut self, holds: bool) {
        if let Some(node) = self.top() {
            node.guard = Some(holds);
        }
    }

    fn enter(&mut self, frame: Frame) {
        let subject = match frame {
            Frame::Rule { rule, index } => Subject::Rule { rule, index },
            Frame::Bands(bands) => Subject::Bands(bands),
            Frame::Conditions { set, index } => Subject::Conditions { set, index },
            Frame::Condition { set, index, position } => Subject::Condition { set, index, position },
        };
        let id = if subject.is_shared() {
            self.definition(Key::Frame(frame), || (subject, None))
        } else {
            let id = self.add(subject, None);
            self.read(id);
            id
        };
        self.open.push(id);
    }

    fn leave(&mut self, result: Traced<'_>, certainty: Certainty) {
        let result = match result {
            Traced::Value(value) => Shown::Value(value.clone()),
            Traced::Band(band) => Shown::Band(band),
            Traced::Holds(holds) => Shown::Holds(holds),
            Traced::Failures(failures) => Shown::Failures(failures.into()),
        };
        self.finish(result, certainty);
    }

    fn reuse(&mut self, frame: Frame) {
        if let Some(id) = self.known.get(&Key::Frame(frame)).copied() {
            self.read(id);
        }
    }

    fn field(&mut self, field: FieldId, value: &Value) {
        self.definition(Key::Field(field), || (Subject::Field(field), Some(Shown::Value(value.clone()))));
    }

    fn param(&mut self, param: ParamId) {
        self.definition(Key::Param(param), || (Subject::Param(param), None));
    }

    fn cell(&mut self, table: TableId, row: u32, column: usize) {
        self.definition(Key::Cell(table, row, column), || (Subject::Cell { table, row, column }, None));
    }

    fn band_value(&mut self, value: &Value) {
        if let Some(node) = self.top() {
            node.over = Some(value.clone());
        }
    }

    fn bound(&mut self, band: usize, lower: bool, limit: &Value, holds: bool) {
        if let Some(node) = self.top() {
            node.bounds.push(BoundCheck { band, lower, limit: limit.clone(), holds });
        }
    }
}

/// The parts of a `when` as written: the checker joins an enclosing block's
/// `when` to a field's own with an `and` that carries the field's span.
fn guard_parts(guard: &Expr, parts: &mut Vec<Span>) {
    match &guard.kind {
        ExprKind::And(outer, own) if own.span.start == guard.span.start && own.span.end == guard.span.end => {
            guard_parts(outer, parts);
            parts.push(own.span);
        }
        _ => parts.push(guard.span),
    }
}
