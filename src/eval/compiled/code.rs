//! The program a compiled policy runs: its expression nodes laid out as one
//! flat list of instructions, in the order the reference evaluator reads
//! them, with jumps where it skips (`and`, `or`, `if`, `match`, `in`,
//! guards) and a subroutine per memoised definition (each slot of a rule,
//! each slot of a condition set, each set of bands).
//!
//! Registers are node numbers: the value of node `n` is written to register
//! `n`, once per profile at most, since every node is read at most once per
//! profile (a definition's body is run once and memoised). Constants are
//! loaded into their registers when a worker's buffers are made, and no
//! instruction is emitted for them. An instruction that can fail is located
//! at the node of its destination register. Nothing here recurses across
//! definitions: a definition is called, so a chain of thousands of rules
//! runs on a small explicit stack of frames.

use super::{CompiledPolicy, Fast, List, NodeId, Op, PlanNode};
use crate::check::model::{ArithOp, CompareOp};
use rust_decimal::{Decimal, RoundingStrategy};

/// Where an instruction jumps, set once the target is laid out.
pub(super) const UNSET: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
pub(super) enum Ins {
    /// A field of the profile, read into the register that every reading
    /// of the field shares (`dst`, the first node to read it), so that a
    /// field is read once per profile however often the policy names it;
    /// fails at node `at` if the profile does not give it.
    Field {
        at: NodeId,
        dst: NodeId,
        field: u32,
    },
    Given {
        dst: NodeId,
        field: u32,
    },
    EvaluationDate {
        dst: NodeId,
    },
    AddYears {
        dst: NodeId,
        date: NodeId,
        years: NodeId,
    },
    YearsBetween {
        dst: NodeId,
        from: NodeId,
        to: NodeId,
    },
    /// A value that is not established is read (its register holds it already).
    Read {
        node: NodeId,
    },
    /// Makes sure slot `slot` of its rule is computed: reads its memo, or
    /// calls its body and comes back here to read it.
    Rule {
        slot: u32,
    },
    /// A rule at an index known only when evaluating: its value moved to `dst`.
    RuleAt {
        dst: NodeId,
        rule: u32,
        index: NodeId,
    },
    Band {
        dst: NodeId,
        bands: u32,
    },
    /// Whether every condition of a slot of a set holds, or which failed.
    Conditions {
        dst: NodeId,
        slot: u32,
        failures: bool,
    },
    ConditionsAt {
        dst: NodeId,
        set: u32,
        index: NodeId,
        failures: bool,
    },
    Cell {
        dst: NodeId,
        table: u32,
        keys: List,
        column: u32,
    },
    TableRow {
        dst: NodeId,
        table: u32,
        keys: List,
    },
    RowField {
        dst: NodeId,
        row: NodeId,
        column: u32,
    },
    Not {
        dst: NodeId,
        operand: NodeId,
    },
    Neg {
        dst: NodeId,
        operand: NodeId,
    },
    Arith {
        op: ArithOp,
        dst: NodeId,
        left: NodeId,
        right: NodeId,
    },
    Compare {
        op: CompareOp,
        dst: NodeId,
        left: NodeId,
        right: NodeId,
    },
    /// `and`'s left operand: false ends it false, true goes on to the right one.
    AndLeft {
        dst: NodeId,
        left: NodeId,
        to: u32,
    },
    OrLeft {
        dst: NodeId,
        left: NodeId,
        to: u32,
    },
    /// The right operand of `and` or `or` is the result; it must be a boolean.
    Bool {
        dst: NodeId,
        operand: NodeId,
    },
    /// One element of `in`'s list: equal to the value, the result is true and the rest is skipped.
    InItem {
        dst: NodeId,
        value: NodeId,
        item: NodeId,
        to: u32,
    },
    /// No element of `in`'s list was equal to the value.
    NotIn {
        dst: NodeId,
    },
    /// `if`: jumps to the `else` branch unless the condition holds.
    IfNot {
        dst: NodeId,
        condition: NodeId,
        to: u32,
    },
    /// `match`: jumps to the arm of the scrutinee's value (`arms` holds one target per value).
    Switch {
        dst: NodeId,
        scrutinee: NodeId,
        arms: List,
    },
    Round {
        dst: NodeId,
        value: NodeId,
        strategy: RoundingStrategy,
        places: u32,
    },
    MinMax {
        dst: NodeId,
        values: List,
        min: bool,
    },
    Move {
        dst: NodeId,
        src: NodeId,
    },
    Jump {
        to: u32,
    },
    /// Skips to `to` unless the guard is true (an output's `when`, a condition's `when`).
    Unless {
        guard: NodeId,
        to: u32,
    },
    /// The end of a rule slot's body: memoise it and return.
    EndRule {
        rule: u32,
        slot: u32,
    },
    /// A band's bound: on to the next band (`to`) unless it holds.
    Bound {
        over: NodeId,
        limit: NodeId,
        lower: bool,
        inclusive: bool,
        to: u32,
    },
    /// Every bound of band `band` held: memoise it and return.
    EndBand {
        bands: u32,
        band: u32,
    },
    /// No band holds the value: the evaluation fails at the caller's node.
    NoBand {
        bands: u32,
        over: NodeId,
    },
    /// One condition of a slot of a set, whose requirement is in `holds`.
    Condition {
        set: u32,
        slot: u32,
        position: u32,
        holds: NodeId,
    },
    EndConditions {
        slot: u32,
    },
    Leaf {
        leaf: u32,
        src: NodeId,
    },
    Group {
        group: u32,
    },
    /// The end of an output: how sure it is is what was read since the last one.
    Certainty {
        output: u32,
    },
    Halt,
}

impl Ins {
    /// The register the instruction writes, if any, after handing `read`
    /// each register it reads (lists included, or `None` for a list that
    /// is not in `program`). What [`super::invariants`] checks, and what
    /// the lanes rely on: an instruction never reads the register it writes.
    pub(super) fn registers(&self, program: &Program, read: &mut dyn FnMut(Option<NodeId>)) -> Option<NodeId> {
        let mut one = |register: NodeId| read(Some(register));
        match *self {
            Ins::Field { dst, .. } | Ins::Given { dst, .. } | Ins::EvaluationDate { dst } | Ins::NotIn { dst } => {
                Some(dst)
            }
            Ins::Band { dst, .. } | Ins::Conditions { dst, .. } => Some(dst),
            Ins::AddYears { dst, date: a, years: b }
            | Ins::YearsBetween { dst, from: a, to: b }
            | Ins::Arith { dst, left: a, right: b, .. }
            | Ins::Compare { dst, left: a, right: b, .. }
            | Ins::InItem { dst, value: a, item: b, .. } => {
                one(a);
                one(b);
                Some(dst)
            }
            Ins::RuleAt { dst, index: a, .. }
            | Ins::ConditionsAt { dst, index: a, .. }
            | Ins::RowField { dst, row: a, .. }
            | Ins::Not { dst, operand: a }
            | Ins::Neg { dst, operand: a }
            | Ins::AndLeft { dst, left: a, .. }
            | Ins::OrLeft { dst, left: a, .. }
            | Ins::Bool { dst, operand: a }
            | Ins::Switch { dst, scrutinee: a, .. }
            | Ins::Round { dst, value: a, .. }
            | Ins::Move { dst, src: a } => {
                one(a);
                Some(dst)
            }
            Ins::Cell { dst, keys, .. } | Ins::TableRow { dst, keys, .. } | Ins::MinMax { dst, values: keys, .. } => {
                match program.operands(keys) {
                    Some(registers) => registers.iter().for_each(|register| read(Some(*register))),
                    None => read(None),
                }
                Some(dst)
            }
            // `if` writes its register in each branch (`Move`); its own is where a fault is located.
            Ins::IfNot { condition, .. } => {
                one(condition);
                None
            }
            Ins::Unless { guard: a, .. }
            | Ins::NoBand { over: a, .. }
            | Ins::Condition { holds: a, .. }
            | Ins::Leaf { src: a, .. }
            | Ins::Read { node: a } => {
                one(a);
                None
            }
            Ins::Bound { over, limit, .. } => {
                one(over);
                one(limit);
                None
            }
            Ins::Rule { .. }
            | Ins::Jump { .. }
            | Ins::EndRule { .. }
            | Ins::EndBand { .. }
            | Ins::EndConditions { .. }
            | Ins::Group { .. }
            | Ins::Certainty { .. }
            | Ins::Halt => None,
        }
    }

    /// Where the instruction may jump, but for `match`, whose targets are a list.
    pub(super) fn target_mut(&mut self) -> Option<&mut u32> {
        match self {
            Ins::AndLeft { to, .. }
            | Ins::OrLeft { to, .. }
            | Ins::InItem { to, .. }
            | Ins::IfNot { to, .. }
            | Ins::Jump { to }
            | Ins::Unless { to, .. }
            | Ins::Bound { to, .. } => Some(to),
            _ => None,
        }
    }
}

/// The program and the tables its instructions refer to.
#[derive(Debug, Default)]
pub(super) struct Program {
    pub code: Vec<Ins>,
    /// Lists of registers (`in`, `min`, table keys) and of jump targets (`match`).
    pub operands: Vec<u32>,
    /// Per rule slot: where its body starts, and the register its value is in.
    pub rule_entries: Vec<u32>,
    pub rule_values: Vec<NodeId>,
    pub band_entries: Vec<u32>,
    /// Per condition-set slot: where its conditions start.
    pub set_entries: Vec<u32>,
    /// The first invariant the program breaks ([`super::invariants`]): then
    /// it never runs, and every evaluation fails with an internal error.
    pub broken: Option<&'static str>,
}

impl Program {
    /// A list's registers or jump targets; none if it is not in the program
    /// (never, once [`super::invariants`] passed).
    #[inline]
    pub(super) fn operands(&self, list: List) -> Option<&[u32]> {
        list.of(&self.operands)
    }
}

/// Lays out the program of a compiled policy (whose nodes, definitions and
/// outputs are lowered already).
pub(super) fn generate(compiled: &CompiledPolicy<'_>) -> Program {
    // Each field's readings share the register of the first node to read it.
    let mut field_registers = vec![NodeId::MAX; compiled.policy.fields.len()];
    for (id, node) in (0..).zip(&compiled.nodes) {
        if let Op::Field(field) = node.op
            && let Some(register) = field_registers.get_mut(field as usize)
            && *register == NodeId::MAX
        {
            *register = id;
        }
    }
    let mut generator = Generator { compiled, field_registers, program: Program::default() };
    generator.program.rule_values = compiled
        .rules
        .iter()
        .flat_map(|rule| rule.bodies.iter().copied())
        .map(|body| generator.value_register(body))
        .collect();
    for (position, output) in (0u32..).zip(&compiled.outputs) {
        for (_, plan) in &output.instances {
            generator.plan(plan);
        }
        generator.push(Ins::Certainty { output: position });
    }
    generator.push(Ins::Halt);
    for (rule_id, rule) in (0u32..).zip(&compiled.rules) {
        for (slot, body) in rule.bodies.iter().enumerate() {
            generator.program.rule_entries.push(generator.here());
            generator.expr(*body);
            let slot = rule.memo_offset + slot;
            generator.push(Ins::EndRule { rule: rule_id, slot: crate::check::model::id_from(slot) });
        }
    }
    for (id, definition) in (0u32..).zip(&compiled.bands) {
        generator.program.band_entries.push(generator.here());
        let over = generator.expr(definition.over);
        // The lanes that missed the band before, by its lower bound and by its upper bound.
        let (mut missed_lower, mut missed_upper) = (Vec::new(), Vec::new());
        let mut previous_upper = None;
        for (band, bounds) in (0u32..).zip(&definition.bands) {
            generator.land(&missed_lower);
            // `up to X` then `above X` (or `below X` then `from X`): a value
            // that missed the first holds the second, and reading `X` again
            // would find nothing new (same value, same certainty, assumption
            // recorded already), so it goes straight past it.
            let implied = match (previous_upper, bounds.lower) {
                (Some((before, inclusive_before)), Some((limit, inclusive))) => {
                    inclusive_before != inclusive && same_reading(compiled, before, limit, 0)
                }
                _ => false,
            };
            if !implied {
                generator.land(&missed_upper);
            }
            let bound = |generator: &mut Generator<'_, '_>, (limit, inclusive): (NodeId, bool), lower: bool| {
                let limit = generator.expr(limit);
                generator.push(Ins::Bound { over, limit, lower, inclusive, to: UNSET })
            };
            missed_lower = bounds.lower.map(|lower| bound(&mut generator, lower, true)).into_iter().collect();
            if implied {
                generator.land(&missed_upper);
            }
            missed_upper = bounds.upper.map(|upper| bound(&mut generator, upper, false)).into_iter().collect();
            previous_upper = bounds.upper;
            generator.push(Ins::EndBand { bands: id, band });
        }
        generator.land(&missed_lower);
        generator.land(&missed_upper);
        generator.push(Ins::NoBand { bands: id, over });
    }
    for (set_id, set) in (0u32..).zip(&compiled.sets) {
        let slots = compiled.slot_sets.iter().filter(|owner| **owner == set_id).count();
        for index in 0..slots {
            generator.program.set_entries.push(generator.here());
            let slot = crate::check::model::id_from(set.memo_offset + index);
            for (position, condition) in (0u32..).zip(&set.conditions) {
                let skip = condition.guard.as_ref().map(|guards| {
                    let guard = generator.expr(body(guards, index));
                    generator.push(Ins::Unless { guard, to: UNSET })
                });
                let holds = generator.expr(body(&condition.requires, index));
                generator.push(Ins::Condition { set: set_id, slot, position, holds });
                generator.land(skip.as_slice());
            }
            generator.push(Ins::EndConditions { slot });
        }
    }
    generator.program
}

/// Whether two nodes read the same thing, so that in a profile they give the
/// same value, as sure, relying on the same place: the same field, constant,
/// rule, table cell or column of the same row. Anything else is taken to differ.
fn same_reading(compiled: &CompiledPolicy<'_>, a: NodeId, b: NodeId, depth: usize) -> bool {
    if a == b {
        return true;
    }
    let (Some(a), Some(b)) = (compiled.nodes.get(a as usize), compiled.nodes.get(b as usize)) else { return false };
    let same = |a: NodeId, b: NodeId| depth < 16 && same_reading(compiled, a, b, depth + 1);
    let same_keys = |a: List, b: List| {
        let (Some(a), Some(b)) = (compiled.operands(a), compiled.operands(b)) else { return false };
        a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(*a, *b))
    };
    match (&a.op, &b.op) {
        (Op::Const(a), Op::Const(b)) => same_constant(compiled, *a, *b),
        (Op::Field(a), Op::Field(b)) => a == b,
        (Op::RuleAt { rule: a, index: i }, Op::RuleAt { rule: b, index: j }) => a == b && i == j,
        (Op::RowField { row: a, column: i }, Op::RowField { row: b, column: j }) => i == j && same(*a, *b),
        (Op::TableRow { table: a, keys: i }, Op::TableRow { table: b, keys: j }) => a == b && same_keys(*i, *j),
        (Op::Cell { table: a, keys: i, column: c }, Op::Cell { table: b, keys: j, column: d }) => {
            a == b && c == d && same_keys(*i, *j)
        }
        // A table's cell known when compiling: the same cell relies on the same place.
        (
            Op::CellConst { value: a, certainty: c, assumption: Some(r) },
            Op::CellConst { value: b, certainty: d, assumption: Some(s) },
        ) => c == d && r == s && same_constant(compiled, *a, *b),
        _ => false,
    }
}

/// Two constants with the same value, numbers compared with their scale.
fn same_constant(compiled: &CompiledPolicy<'_>, a: Fast, b: Fast) -> bool {
    match (a, b) {
        (Fast::Decimal(a), Fast::Decimal(b)) => {
            let number = |place: u32| compiled.constants.get(place as usize).map(Decimal::serialize);
            number(a).is_some() && number(a) == number(b)
        }
        (a, b) => a == b,
    }
}

/// The expression of slot `slot` of a definition lowered once per slot (a
/// definition with no index has one body, for every slot); `NodeId::MAX`,
/// no node, for a definition with no body at all, which
/// [`super::invariants`] refuses loudly as a register out of range.
fn body(bodies: &[NodeId], slot: usize) -> NodeId {
    bodies.get(slot).or(bodies.first()).copied().unwrap_or(NodeId::MAX)
}

struct Generator<'g, 'p> {
    compiled: &'g CompiledPolicy<'p>,
    /// Per field of the profile, the register its readings share.
    field_registers: Vec<NodeId>,
    program: Program,
}

impl Generator<'_, '_> {
    /// Records the first invariant the program will break; it is then never run.
    #[cold]
    fn broken(&mut self, what: &'static str) {
        self.program.broken.get_or_insert(what);
    }

    fn here(&self) -> u32 {
        crate::check::model::id_from(self.program.code.len())
    }

    fn push(&mut self, ins: Ins) -> usize {
        self.program.code.push(ins);
        self.program.code.len() - 1
    }

    /// Points the jumps of the instructions given at the next instruction.
    fn land(&mut self, jumps: &[usize]) {
        let here = self.here();
        for jump in jumps {
            if let Some(to) = self.program.code.get_mut(*jump).and_then(Ins::target_mut) {
                *to = here;
            }
        }
    }

    fn list(&mut self, values: impl IntoIterator<Item = u32>) -> List {
        let start = crate::check::model::id_from(self.program.operands.len());
        self.program.operands.extend(values);
        let len = crate::check::model::id_from(self.program.operands.len()) - start;
        List { start, len }
    }

    /// The register a node's value is in once its code has run: its own, or
    /// the one its field's readings share, or for a rule at a known slot,
    /// that slot's body's (followed without recursion).
    fn value_register(&self, node: NodeId) -> NodeId {
        let mut node = node;
        for _ in 0..=self.compiled.nodes.len() {
            let op = self.compiled.nodes.get(node as usize).map(|node| &node.op);
            if let Some(Op::Field(field)) = op {
                return self.field_register(*field, node);
            }
            let Some(Op::RuleAt { rule, index }) = op else { return node };
            let Some(rule) = self.compiled.rules.get(*rule as usize) else { return node };
            // A rule with no index has one slot.
            node = body(&rule.bodies, index.unwrap_or(0) as usize);
        }
        node
    }

    /// The register the readings of a field share: the first reader's
    /// (`node`'s own if it is that one, which the `unwrap_or` also gives, a
    /// true register, were the field not in the table).
    fn field_register(&self, field: u32, node: NodeId) -> NodeId {
        self.field_registers.get(field as usize).copied().filter(|register| *register != NodeId::MAX).unwrap_or(node)
    }

    fn plan(&mut self, plan: &PlanNode) {
        let guard = match plan {
            PlanNode::Value { guard, .. } | PlanNode::Group { guard, .. } => *guard,
        };
        let skip = guard.map(|guard| {
            let guard = self.expr(guard);
            self.push(Ins::Unless { guard, to: UNSET })
        });
        match plan {
            PlanNode::Value { expr, leaf, .. } => {
                let src = self.expr(*expr);
                self.push(Ins::Leaf { leaf: *leaf, src });
            }
            PlanNode::Group { fields, group, .. } => {
                self.push(Ins::Group { group: *group });
                for (_, field) in fields {
                    self.plan(field);
                }
            }
        }
        self.land(skip.as_slice());
    }

    /// Lays out the code of a node and everything below it; the register its value is in.
    fn expr(&mut self, id: NodeId) -> NodeId {
        let compiled = self.compiled;
        let Some(node) = compiled.nodes.get(id as usize) else {
            self.broken("an expression refers to no node");
            return id;
        };
        let dst = id;
        match node.op {
            Op::Const(_) => {}
            Op::Param { .. } | Op::CellConst { .. } => {
                self.push(Ins::Read { node: dst });
            }
            Op::Field(field) => {
                let register = self.field_register(field, dst);
                self.push(Ins::Field { at: dst, dst: register, field });
                return register;
            }
            Op::Given(field) => {
                self.push(Ins::Given { dst, field });
            }
            Op::EvaluationDate => {
                self.push(Ins::EvaluationDate { dst });
            }
            Op::AddYears { date, years } => {
                let (date, years) = (self.expr(date), self.expr(years));
                self.push(Ins::AddYears { dst, date, years });
            }
            Op::YearsBetween { from, to } => {
                let (from, to) = (self.expr(from), self.expr(to));
                self.push(Ins::YearsBetween { dst, from, to });
            }
            Op::RuleAt { rule, index } => {
                let Some(definition) = compiled.rules.get(rule as usize) else {
                    self.broken("a call of no rule");
                    return dst;
                };
                // A rule with no index has one slot.
                let slot = crate::check::model::id_from(definition.memo_offset + index.unwrap_or(0) as usize);
                self.push(Ins::Rule { slot });
                return self.value_register(dst);
            }
            // An index not known when compiling; with none, lowering makes a `RuleAt`.
            Op::Rule { rule, index } => {
                let Some(index) = index else {
                    self.broken("a rule called at no index");
                    return dst;
                };
                let index = self.expr(index);
                self.push(Ins::RuleAt { dst, rule, index });
            }
            Op::ConditionsAt { set, index } | Op::FailuresAt { set, index } => {
                let Some(definition) = compiled.sets.get(set as usize) else {
                    self.broken("a reading of no condition set");
                    return dst;
                };
                // A set with no index has one slot.
                let slot = crate::check::model::id_from(definition.memo_offset + index.unwrap_or(0) as usize);
                let failures = matches!(node.op, Op::FailuresAt { .. });
                self.push(Ins::Conditions { dst, slot, failures });
            }
            Op::Conditions { set, index } | Op::Failures { set, index } => {
                let Some(index) = index else {
                    self.broken("a condition set read at no index");
                    return dst;
                };
                let index = self.expr(index);
                let failures = matches!(node.op, Op::Failures { .. });
                self.push(Ins::ConditionsAt { dst, set, index, failures });
            }
            Op::Band(bands) => {
                self.push(Ins::Band { dst, bands });
            }
            Op::Cell { table, keys, column } => {
                let keys = self.operands(keys);
                self.push(Ins::Cell { dst, table, keys, column });
            }
            Op::TableRow { table, keys } => {
                let keys = self.operands(keys);
                self.push(Ins::TableRow { dst, table, keys });
            }
            Op::RowField { row, column } => {
                let row = self.expr(row);
                self.push(Ins::RowField { dst, row, column });
            }
            Op::Not(operand) => {
                let operand = self.expr(operand);
                self.push(Ins::Not { dst, operand });
            }
            Op::Neg(operand) => {
                let operand = self.expr(operand);
                self.push(Ins::Neg { dst, operand });
            }
            Op::Arith { op, left, right } => {
                let (left, right) = (self.expr(left), self.expr(right));
                self.push(Ins::Arith { op, dst, left, right });
            }
            Op::Compare { op, left, right } => {
                let (left, right) = (self.expr(left), self.expr(right));
                self.push(Ins::Compare { op, dst, left, right });
            }
            Op::And(left, right) | Op::Or(left, right) => {
                let left = self.expr(left);
                let skip = match node.op {
                    Op::And(..) => self.push(Ins::AndLeft { dst, left, to: UNSET }),
                    _ => self.push(Ins::OrLeft { dst, left, to: UNSET }),
                };
                let operand = self.expr(right);
                self.push(Ins::Bool { dst, operand });
                self.land(&[skip]);
            }
            Op::In { value, set } => {
                let value = self.expr(value);
                let mut found = Vec::new();
                let Some(items) = compiled.operands(set) else {
                    self.broken("an `in` list out of range");
                    return dst;
                };
                for item in items.iter().copied() {
                    let item = self.expr(item);
                    found.push(self.push(Ins::InItem { dst, value, item, to: UNSET }));
                }
                self.push(Ins::NotIn { dst });
                self.land(&found);
            }
            Op::If { condition, then, otherwise } => {
                let condition = self.expr(condition);
                let to_else = self.push(Ins::IfNot { dst, condition, to: UNSET });
                let src = self.expr(then);
                self.push(Ins::Move { dst, src });
                let to_end = self.push(Ins::Jump { to: UNSET });
                self.land(&[to_else]);
                let src = self.expr(otherwise);
                self.push(Ins::Move { dst, src });
                self.land(&[to_end]);
            }
            Op::Match { scrutinee, arm_by_variant } => {
                let scrutinee = self.expr(scrutinee);
                let Some(arm_of) = compiled.operands(arm_by_variant).map(<[NodeId]>::to_vec) else {
                    self.broken("a `match`'s arms out of range");
                    return dst;
                };
                // The targets are known once the arms are laid out; `UNSET` for a variant with no arm.
                let arms = self.list(arm_of.iter().map(|_| UNSET));
                self.push(Ins::Switch { dst, scrutinee, arms });
                let mut ends = Vec::new();
                let mut laid_out: Vec<(NodeId, u32)> = Vec::new();
                for arm in arm_of.iter().copied().filter(|arm| (*arm as usize) < compiled.nodes.len()) {
                    if laid_out.iter().any(|(done, _)| *done == arm) {
                        continue;
                    }
                    laid_out.push((arm, self.here()));
                    let src = self.expr(arm);
                    self.push(Ins::Move { dst, src });
                    ends.push(self.push(Ins::Jump { to: UNSET }));
                }
                self.land(&ends);
                for (position, arm) in arm_of.iter().enumerate() {
                    let target = laid_out.iter().find(|(done, _)| done == arm).map_or(UNSET, |(_, target)| *target);
                    if let Some(slot) = self.program.operands.get_mut(arms.start as usize + position) {
                        *slot = target;
                    }
                }
            }
            Op::Round { value, strategy, places } => {
                let value = self.expr(value);
                self.push(Ins::Round { dst, value, strategy, places });
            }
            Op::Min(values) | Op::Max(values) => {
                let values_list = self.operands(values);
                let min = matches!(node.op, Op::Min(_));
                self.push(Ins::MinMax { dst, values: values_list, min });
            }
        }
        dst
    }

    /// Lays out each operand of a list, in order; the list of their registers.
    fn operands(&mut self, list: List) -> List {
        let Some(operands) = self.compiled.operands(list) else {
            self.broken("a list of operands out of range");
            return List { start: 0, len: 0 };
        };
        let operands = operands.to_vec();
        let registers: Vec<NodeId> = operands.into_iter().map(|operand| self.expr(operand)).collect();
        self.list(registers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In the 2019 bands (`up to thresholds.p30`, then `above thresholds.p30
    /// up to thresholds.p50`, …) a value that misses a band's upper bound
    /// goes past the next band's lower bound, which it holds.
    #[test]
    fn a_band_missed_by_its_upper_bound_skips_the_next_lower_bound() -> Result<(), Box<dyn std::error::Error>> {
        let loaded = crate::load_text(std::path::Path::new("policies/avenant-7.policy"))?;
        let compiled = CompiledPolicy::new(&loaded.policy);
        let code = &compiled.program.code;
        let upper_misses: Vec<u32> = code
            .iter()
            .filter_map(|ins| match ins {
                Ins::Bound { lower: false, to, .. } => Some(*to),
                _ => None,
            })
            .collect();
        assert_eq!(upper_misses.len(), 5, "p30, p50, p70, p90 and p95 bound a band from above");
        let lands_past_lower_bound =
            |to: &u32| matches!(code.get((*to as usize).wrapping_sub(1)), Some(Ins::Bound { lower: true, .. }));
        assert!(upper_misses.iter().all(lands_past_lower_bound), "{upper_misses:?}");
        Ok(())
    }
}
