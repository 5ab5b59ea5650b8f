//! Lowering a checked policy into the compiled form: expressions into one
//! arena of nodes, definitions into slots, every assumption the reference could
//! record described once. Runs once per policy; never evaluates a profile.

use std::collections::HashMap;

use super::*;
use crate::check::model::{CheckedPolicy, Expr, ExprKind, Origin, OutputNode};

use crate::source::FileId;

pub(super) fn compile(policy: &CheckedPolicy) -> CompiledPolicy<'_> {
    let mut lowering = Lowering {
        policy,
        nodes: Vec::new(),
        types: Vec::new(),
        lists: Vec::new(),
        texts: Vec::new(),
        constants: Vec::new(),
        assumptions: Vec::new(),
        assumption_keys: HashMap::new(),
        leaves: Vec::new(),
        groups: 0,
        index: None,
        tables: Vec::new(),
    };
    // Tables first: folding reads their cells.
    let tables: Vec<CompiledTable> = policy.tables.iter().map(|table| lowering.table(table)).collect();
    lowering.tables = tables;
    let mut rules = Vec::with_capacity(policy.rules.len());
    let mut rule_slots = 0;
    for rule in &policy.rules {
        let slots = lowering.slots(rule.index);
        let bodies = lowering.per_slot(rule.index.is_some(), slots, |lowering| lowering.expr(&rule.body));
        let assumption = lowering.origin(&rule.origin, || format!("rule `{}`", rule.name));
        rules.push(CompiledRule { bodies, certainty: rule.origin.certainty, assumption, memo_offset: rule_slots });
        rule_slots += slots;
    }
    let bands = policy
        .bands
        .iter()
        .map(|definition| CompiledBands {
            over: lowering.expr(&definition.over),
            bands: definition
                .bands
                .iter()
                .map(|band| CompiledBand {
                    lower: band.lower.as_ref().map(|bound| (lowering.expr(&bound.value), bound.inclusive)),
                    upper: band.upper.as_ref().map(|bound| (lowering.expr(&bound.value), bound.inclusive)),
                    certainty: band.origin.certainty,
                    assumption: lowering.origin(&band.origin, || format!("band `{}`", band.name)),
                })
                .collect(),
        })
        .collect();
    let mut sets = Vec::with_capacity(policy.condition_sets.len());
    let mut slot_sets = Vec::new();
    let mut failure_words = 0;
    for (position, set) in policy.condition_sets.iter().enumerate() {
        let slots = lowering.slots(set.index);
        let conditions = set
            .conditions
            .iter()
            .map(|condition| CompiledCondition {
                guard: condition
                    .guard
                    .as_ref()
                    .map(|guard| lowering.per_slot(set.index.is_some(), slots, |lowering| lowering.expr(guard))),
                requires: lowering.per_slot(set.index.is_some(), slots, |lowering| lowering.expr(&condition.requires)),
                certainty: condition.origin.certainty,
                assumption: lowering
                    .origin(&condition.origin, || format!("condition `{}.{}`", set.name, condition.name)),
                failure: FailedCondition {
                    name: condition.name.clone(),
                    message: condition.message.clone(),
                    source: (!condition.origin.sources.is_empty()).then(|| condition.origin.sources.join("; ")),
                },
            })
            .collect::<Vec<_>>();
        let words_per_slot = conditions.len().div_ceil(64).max(1);
        sets.push(CompiledSet {
            conditions,
            memo_offset: slot_sets.len(),
            words_offset: failure_words,
            words_per_slot,
        });
        failure_words += slots * words_per_slot;
        slot_sets.extend(std::iter::repeat_n(crate::check::model::id_from(position), slots));
    }
    let mut outputs = Vec::with_capacity(policy.outputs.len());
    for output in &policy.outputs {
        let instances = match output.index {
            None => vec![(None, lowering.plan(&output.node, output.name.clone()))],
            Some(index) => (0u16..)
                .zip(&policy.enum_def(index).variants)
                .map(|(variant, definition)| {
                    let path = format!("{}.{}", output.name, definition.name);
                    lowering.index = Some(variant);
                    let plan = lowering.plan(&output.node, path);
                    lowering.index = None;
                    (Some((variant, definition.name.clone())), plan)
                })
                .collect(),
        };
        outputs.push(CompiledOutput { name: output.name.clone(), instances });
    }
    let assumption_keys = lowering.assumption_keys.len();
    CompiledPolicy {
        policy,
        nodes: lowering.nodes,
        types: lowering.types,
        lists: lowering.lists,
        texts: lowering.texts,
        constants: lowering.constants,
        rules,
        rule_slots,
        bands,
        sets,
        slot_sets,
        failure_words,
        tables: lowering.tables,
        assumptions: lowering.assumptions,
        assumption_keys,
        outputs,
        leaves: lowering.leaves,
        groups: lowering.groups,
        program: code::Program::default(),
        id: next_id(),
    }
}

/// A number no other compiled policy of this process has, for buffers to tell whose they are.
fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

struct Lowering<'p> {
    policy: &'p CheckedPolicy,
    nodes: Vec<Node>,
    types: Vec<Type>,
    lists: Vec<NodeId>,
    texts: Vec<Arc<str>>,
    constants: Vec<Decimal>,
    assumptions: Vec<AssumptionDef>,
    /// The reference keeps the first assumption recorded at a place: one key per place.
    assumption_keys: HashMap<(FileId, u32), u32>,
    leaves: Vec<LeafDef>,
    groups: u32,
    /// The value of the enclosing index while lowering one slot of an indexed
    /// definition: `Index` becomes a constant, and what it decides is folded.
    index: Option<u16>,
    tables: Vec<CompiledTable>,
}

/// What folding made of a node: a new operation, or one of its operands.
enum Folded {
    Op(Op),
    Node(NodeId),
}

impl<'p> Lowering<'p> {
    /// Slots for a definition given per value of an enumeration: one per value.
    fn slots(&self, index: Option<crate::check::model::EnumId>) -> usize {
        index.map_or(1, |id| self.policy.enum_def(id).variants.len())
    }

    /// Lowers one definition once per slot, the index set to the slot's value.
    fn per_slot(&mut self, indexed: bool, slots: usize, mut lower: impl FnMut(&mut Self) -> NodeId) -> Vec<NodeId> {
        if !indexed {
            return vec![lower(self)];
        }
        let bodies = (0..slots).map(|slot| {
            self.index = u16::try_from(slot).ok();
            lower(self)
        });
        let bodies = bodies.collect();
        self.index = None;
        bodies
    }

    fn assumption(&mut self, what: String, certainty: Certainty, reason: Option<String>, span: Span) -> u32 {
        let next_key = crate::check::model::id_from(self.assumption_keys.len());
        let key = *self.assumption_keys.entry((span.file, span.start)).or_insert(next_key);
        self.assumptions.push(AssumptionDef { what, certainty, reason, span, key });
        crate::check::model::id_from(self.assumptions.len() - 1)
    }

    /// The assumption reading a definition records, if it is not established.
    fn origin(&mut self, origin: &Origin, what: impl FnOnce() -> String) -> Option<u32> {
        (origin.certainty != Certainty::Established)
            .then(|| self.assumption(what(), origin.certainty, origin.certainty_reason.clone(), origin.span))
    }

    fn table(&mut self, table: &crate::check::model::TableDef) -> CompiledTable {
        let columns = table.columns.len().max(1);
        let cells = table
            .cells
            .iter()
            .enumerate()
            .map(|(position, cell)| {
                let cell = cell.as_ref()?;
                let row = crate::check::model::id_from(position / columns);
                let assumption = (cell.certainty != Certainty::Established).then(|| {
                    let what = self.policy.describe_cell(table, row, position % columns);
                    self.assumption(what, cell.certainty, cell.reason.clone(), cell.span)
                });
                Some(CompiledCell { value: self.constant(&cell.value), certainty: cell.certainty, assumption })
            })
            .collect();
        CompiledTable {
            key_sizes: table.keys.iter().map(|key| key.size).collect(),
            columns: table.columns.len(),
            cells,
        }
    }

    fn plan(&mut self, node: &OutputNode, path: String) -> PlanNode {
        match node {
            OutputNode::Value { expr, guard } => {
                let guard = guard.as_ref().map(|guard| self.expr(guard));
                let expr_id = self.expr(expr);
                let leaf = crate::check::model::id_from(self.leaves.len());
                self.leaves.push(LeafDef { path, ty: expr.ty });
                PlanNode::Value { expr: expr_id, guard, leaf }
            }
            OutputNode::Group { fields, guard } => {
                let guard = guard.as_ref().map(|guard| self.expr(guard));
                let group = self.groups;
                self.groups += 1;
                let fields = fields
                    .iter()
                    .map(|(name, field)| (name.clone(), self.plan(field, format!("{path}.{name}"))))
                    .collect();
                PlanNode::Group { fields, guard, group }
            }
        }
    }

    fn constant(&mut self, value: &Value) -> Fast {
        match value {
            Value::Bool(value) => Fast::Bool(*value),
            Value::Decimal(value) => Fast::number(*value, |value| {
                self.constants.push(value);
                Fast::Decimal(crate::check::model::id_from(self.constants.len() - 1))
            }),
            Value::Date(date) => Fast::Date(*date),
            Value::Enum(variant) => Fast::Enum(*variant),
            Value::Text(text) => {
                self.texts.push(Arc::clone(text));
                Fast::Text(crate::check::model::id_from(self.texts.len() - 1))
            }
            Value::Row { table, row } => Fast::Row { table: u16::try_from(table.0).unwrap_or(u16::MAX), row: *row },
            // A checked policy has no constant list of failures; if it had, it would read as nothing.
            Value::Failures(_) => Fast::Failures(u32::MAX),
        }
    }

    fn list(&mut self, exprs: &[Expr]) -> List {
        let ids: Vec<NodeId> = exprs.iter().map(|expr| self.expr(expr)).collect();
        let start = crate::check::model::id_from(self.lists.len());
        self.lists.extend(ids);
        List { start, len: crate::check::model::id_from(exprs.len()) }
    }

    fn boxed(&mut self, expr: &Expr) -> NodeId {
        self.expr(expr)
    }

    fn index(&mut self, index: &Option<Box<Expr>>) -> Option<NodeId> {
        index.as_deref().map(|index| self.expr(index))
    }

    /// Lowers an expression and everything below it; the node's id.
    fn expr(&mut self, expr: &Expr) -> NodeId {
        let op = match &expr.kind {
            ExprKind::Const(value) => Op::Const(self.constant(value)),
            ExprKind::Field(id) => Op::Field(id.0),
            ExprKind::Given(id) => Op::Given(id.0),
            ExprKind::EvaluationDate => Op::EvaluationDate,
            ExprKind::AddYears { date, years } => Op::AddYears { date: self.boxed(date), years: self.boxed(years) },
            ExprKind::YearsBetween { from, to } => Op::YearsBetween { from: self.boxed(from), to: self.boxed(to) },
            ExprKind::Param(id) => match self.policy.params.get(id.index()) {
                Some(param) => {
                    let value = self.constant(&param.value);
                    let assumption = self.origin(&param.origin, || format!("parameter `{}`", param.name));
                    Op::Param { value, certainty: param.origin.certainty, assumption }
                }
                None => Op::Const(Fast::Failures(u32::MAX)),
            },
            // The checker admits an index only inside a definition indexed by
            // it, each slot of which is lowered with the index set.
            ExprKind::Index => Op::Const(Fast::Enum(self.index.unwrap_or(0))),
            ExprKind::Rule { rule, index } => Op::Rule { rule: rule.0, index: self.index(index) },
            ExprKind::Band(id) => Op::Band(id.0),
            ExprKind::Conditions { set, index } => Op::Conditions { set: set.0, index: self.index(index) },
            ExprKind::Failures { set, index } => Op::Failures { set: set.0, index: self.index(index) },
            ExprKind::TableRow { table, keys } => Op::TableRow { table: table.0, keys: self.list(keys) },
            ExprKind::RowField { row, column } => {
                Op::RowField { row: self.boxed(row), column: crate::check::model::id_from(*column) }
            }
            ExprKind::Not(operand) => Op::Not(self.boxed(operand)),
            ExprKind::Neg(operand) => Op::Neg(self.boxed(operand)),
            ExprKind::Arith { op, left, right } => {
                Op::Arith { op: *op, left: self.boxed(left), right: self.boxed(right) }
            }
            ExprKind::Compare { op, left, right } => {
                Op::Compare { op: *op, left: self.boxed(left), right: self.boxed(right) }
            }
            ExprKind::And(left, right) => Op::And(self.boxed(left), self.boxed(right)),
            ExprKind::Or(left, right) => Op::Or(self.boxed(left), self.boxed(right)),
            ExprKind::In { value, set } => Op::In { value: self.boxed(value), set: self.list(set) },
            ExprKind::If { condition, then, otherwise } => {
                Op::If { condition: self.boxed(condition), then: self.boxed(then), otherwise: self.boxed(otherwise) }
            }
            ExprKind::Match { scrutinee, arm_of, arms } => {
                let scrutinee = self.boxed(scrutinee);
                let arms: Vec<NodeId> = arms.iter().map(|arm| self.expr(arm)).collect();
                let start = crate::check::model::id_from(self.lists.len());
                // An arm the checker did not give reads as no node, an internal error when reached.
                self.lists.extend(arm_of.iter().map(|arm| arms.get(*arm as usize).copied().unwrap_or(u32::MAX)));
                Op::Match { scrutinee, arm_by_variant: List { start, len: crate::check::model::id_from(arm_of.len()) } }
            }
            ExprKind::Round { value, mode, places } => {
                Op::Round { value: self.boxed(value), strategy: mode.strategy(), places: *places }
            }
            ExprKind::Min(values) => Op::Min(self.list(values)),
            ExprKind::Max(values) => Op::Max(self.list(values)),
        };
        let op = match self.fold(op) {
            Folded::Op(op) => op,
            Folded::Node(node) => return node,
        };
        self.nodes.push(Node { op, span: expr.span });
        self.types.push(expr.ty);
        crate::check::model::id_from(self.nodes.len() - 1)
    }

    fn constant_of(&self, id: NodeId) -> Option<Fast> {
        match self.nodes.get(id as usize)?.op {
            Op::Const(value) => Some(value),
            _ => None,
        }
    }

    /// Folds what is known when compiling. Only operands that are constants
    /// fold, and a constant is established and relies on nothing, so the
    /// value, its certainty and the assumptions recorded stay the reference's;
    /// anything that could fail is left to fail when evaluated, at its place.
    fn fold(&mut self, op: Op) -> Folded {
        let constant = |value| Folded::Op(Op::Const(value));
        match op {
            Op::Param { value, certainty: Certainty::Established, assumption: None } => constant(value),
            Op::Not(operand) => match self.constant_of(operand) {
                Some(Fast::Bool(value)) => constant(Fast::Bool(!value)),
                _ => Folded::Op(op),
            },
            Op::Compare { op: comparison, left, right } => {
                let ordering = match (self.constant_of(left), self.constant_of(right)) {
                    (Some(Fast::Enum(left)), Some(Fast::Enum(right))) => Some(left.cmp(&right)),
                    (Some(Fast::Bool(left)), Some(Fast::Bool(right))) => Some(left.cmp(&right)),
                    (Some(left), Some(right)) => {
                        let number = |value: Fast| value.decimal(|place| self.constants.get(place as usize).copied());
                        number(left).zip(number(right)).map(|(left, right)| left.cmp(&right))
                    }
                    _ => None,
                };
                match ordering {
                    Some(ordering) => constant(Fast::Bool(comparison.holds(ordering))),
                    None => Folded::Op(op),
                }
            }
            Op::And(left, right) => match self.constant_of(left) {
                Some(Fast::Bool(false)) => constant(Fast::Bool(false)),
                Some(Fast::Bool(true)) => Folded::Node(right),
                _ => Folded::Op(op),
            },
            Op::Or(left, right) => match self.constant_of(left) {
                Some(Fast::Bool(true)) => constant(Fast::Bool(true)),
                Some(Fast::Bool(false)) => Folded::Node(right),
                _ => Folded::Op(op),
            },
            Op::If { condition, then, otherwise } => match self.constant_of(condition) {
                Some(Fast::Bool(holds)) => Folded::Node(if holds { then } else { otherwise }),
                _ => Folded::Op(op),
            },
            Op::Rule { rule, index } => match index.map(|index| self.constant_of(index)) {
                None => Folded::Op(Op::RuleAt { rule, index: None }),
                Some(Some(Fast::Enum(variant))) => Folded::Op(Op::RuleAt { rule, index: Some(variant) }),
                Some(_) => Folded::Op(op),
            },
            Op::Conditions { set, index } => match index.map(|index| self.constant_of(index)) {
                None => Folded::Op(Op::ConditionsAt { set, index: None }),
                Some(Some(Fast::Enum(variant))) => Folded::Op(Op::ConditionsAt { set, index: Some(variant) }),
                Some(_) => Folded::Op(op),
            },
            Op::Failures { set, index } => match index.map(|index| self.constant_of(index)) {
                None => Folded::Op(Op::FailuresAt { set, index: None }),
                Some(Some(Fast::Enum(variant))) => Folded::Op(Op::FailuresAt { set, index: Some(variant) }),
                Some(_) => Folded::Op(op),
            },
            Op::RowField { row, column } => self.fold_row_field(row, column).unwrap_or(Folded::Op(op)),
            op => Folded::Op(op),
        }
    }

    /// `row.column`: a cell read straight from its keys; a constant where the
    /// keys are and the cell is established.
    fn fold_row_field(&self, row: NodeId, column: u32) -> Option<Folded> {
        let Op::TableRow { table, keys } = self.nodes.get(row as usize)?.op else { return None };
        let definition = self.tables.get(table as usize)?;
        let mut position = 0usize;
        for (key, size) in self.operands(keys)?.iter().zip(&definition.key_sizes) {
            let Some(Fast::Enum(variant)) = self.constant_of(*key) else {
                return Some(Folded::Op(Op::Cell { table, keys, column }));
            };
            position = position * size + variant as usize;
        }
        // An empty cell is left to fail when it is read, with the reference's message.
        let cell = definition.cells.get(position * definition.columns + column as usize)?.as_ref()?;
        Some(Folded::Op(match cell.assumption {
            None => Op::Const(cell.value),
            Some(_) => Op::CellConst { value: cell.value, certainty: cell.certainty, assumption: cell.assumption },
        }))
    }

    fn operands(&self, list: List) -> Option<&[NodeId]> {
        list.of(&self.lists)
    }
}
