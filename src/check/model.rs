//! The checked model: a policy whose names are resolved, types and units
//! known, tables dense and bands proven. Only the checker builds it; the
//! evaluator takes nothing else.

use std::sync::Arc;

use rust_decimal::Decimal;

pub use super::examples::{ExampleDef, Expectation, Expected};
use super::types::Type;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::Certainty;
pub use crate::syntax::operators::{ArithOp, CompareOp};

macro_rules! ids {
    ($($name:ident),*) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}
ids!(EnumId, FieldId, ParamId, TableId, BandsId, RuleId, SetId);

pub(crate) fn id_from(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// A policy that passed every check. Built only by [`crate::check::check`].
#[derive(Debug)]
pub struct CheckedPolicy {
    pub(crate) sources: Arc<SourceMap>,
    pub(crate) header: PolicyHeader,
    pub(crate) enums: Vec<EnumDef>,
    pub(crate) fields: Vec<FieldDef>,
    pub(crate) params: Vec<ParamDef>,
    pub(crate) tables: Vec<TableDef>,
    pub(crate) bands: Vec<BandsDef>,
    pub(crate) rules: Vec<RuleDef>,
    pub(crate) condition_sets: Vec<ConditionSetDef>,
    pub(crate) outputs: Vec<OutputDef>,
    /// The examples the policy states, checked against its fields and outputs.
    pub(crate) examples: Vec<ExampleDef>,
}

/// Read-only views for the binary, tests and embedders: only the checker
/// builds or changes a checked policy.
impl CheckedPolicy {
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// The policy's name, title and the other fields of its header.
    pub fn header(&self) -> &PolicyHeader {
        &self.header
    }

    /// The enumerations, in the order declared.
    pub fn enums(&self) -> &[EnumDef] {
        &self.enums
    }

    /// The profile's fields, in the order declared.
    pub fn fields(&self) -> &[FieldDef] {
        &self.fields
    }

    /// The outputs, in the order declared.
    pub fn outputs(&self) -> &[OutputDef] {
        &self.outputs
    }

    /// The examples the policy states, checked against its fields and outputs.
    pub fn examples(&self) -> &[ExampleDef] {
        &self.examples
    }
}

/// A definition by its id: `policy.table_def(id)`. Ids are issued by the
/// checker for the policy it builds and lead nowhere else, so each is in
/// range of its own list; a miss would be a checker's bug, not an input's.
macro_rules! by_id {
    ($($accessor:ident($id:ident) -> $def:ident in $list:ident;)*) => {
        impl CheckedPolicy {$(
            #[expect(clippy::indexing_slicing, reason = "an id is issued by the checker for this policy's own list")]
            pub fn $accessor(&self, id: $id) -> &$def {
                &self.$list[id.index()]
            }
        )*}
    };
}
by_id! {
    enum_def(EnumId) -> EnumDef in enums;
    field_def(FieldId) -> FieldDef in fields;
    param_def(ParamId) -> ParamDef in params;
    table_def(TableId) -> TableDef in tables;
    bands_def(BandsId) -> BandsDef in bands;
    rule_def(RuleId) -> RuleDef in rules;
    set_def(SetId) -> ConditionSetDef in condition_sets;
}

impl CheckedPolicy {
    /// `percentiles[medecine_generale].p50`: a cell as a reader finds it.
    pub fn describe_cell(&self, table: &TableDef, row: u32, column: usize) -> String {
        // Evaluation names every cell it relies on: one string, written once.
        let mut text = self.describe_row(table, row);
        if !table.single_value {
            text.push('.');
            text.push_str(table.columns.get(column).map_or("?", |column| column.name.as_str()));
        }
        text
    }

    /// `percentiles[medecine_generale]`: a row as a reader finds it.
    pub fn describe_row(&self, table: &TableDef, row: u32) -> String {
        let mut text = format!("{}[", table.name);
        for (position, (variant, key)) in table.row_keys(row).iter().zip(&table.keys).enumerate() {
            if position > 0 {
                text.push_str(", ");
            }
            text.push_str(self.enum_def(key.enumeration).variant_name(*variant));
        }
        text.push(']');
        text
    }

    /// Every value the policy states without the legal text behind it
    /// (secondary or assumed), in the order written.
    pub fn unestablished(&self) -> Vec<Assumption> {
        let mut found = Vec::new();
        let mut add = |what: String, origin: &Origin| {
            if origin.certainty != Certainty::Established {
                found.push(Assumption {
                    what,
                    certainty: origin.certainty,
                    reason: origin.certainty_reason.clone(),
                    span: origin.span,
                });
            }
        };
        for param in &self.params {
            add(format!("parameter `{}`", param.name), &param.origin);
        }
        for rule in &self.rules {
            add(format!("rule `{}`", rule.name), &rule.origin);
        }
        for bands in &self.bands {
            for band in &bands.bands {
                add(format!("band `{}.{}`", bands.name, band.name), &band.origin);
            }
        }
        for set in &self.condition_sets {
            for condition in &set.conditions {
                add(format!("condition `{}.{}`", set.name, condition.name), &condition.origin);
            }
        }
        for table in &self.tables {
            for (index, cell) in table.cells.iter().enumerate() {
                let Some(cell) = cell.as_ref().filter(|cell| cell.certainty != Certainty::Established) else {
                    continue;
                };
                let columns = table.columns.len().max(1);
                let row = u32::try_from(index / columns).unwrap_or(u32::MAX);
                let what = self.describe_cell(table, row, index % columns);
                found.push(Assumption {
                    what,
                    certainty: cell.certainty,
                    reason: cell.reason.clone(),
                    span: cell.span,
                });
            }
        }
        found.sort_by_key(|assumption| (assumption.span.file, assumption.span.start));
        found
    }

    pub fn field(&self, name: &str) -> Option<(FieldId, &FieldDef)> {
        self.fields
            .iter()
            .enumerate()
            .find(|(_, field)| field.name == name)
            .map(|(index, field)| (FieldId(id_from(index)), field))
    }
}

#[derive(Debug, Clone)]
pub struct PolicyHeader {
    pub name: String,
    pub title: Option<String>,
    pub text: Option<String>,
    pub effective: Option<jiff::civil::Date>,
    pub sources: Vec<String>,
    pub span: Span,
}

/// Where a definition stands in the policy and what backs it.
#[derive(Debug, Clone)]
pub struct Origin {
    pub span: Span,
    pub sources: Vec<String>,
    pub notes: Vec<String>,
    pub certainty: Certainty,
    pub certainty_reason: Option<String>,
}

#[derive(Debug)]
pub struct EnumDef {
    pub name: String,
    pub label: Option<String>,
    pub variants: Vec<VariantDef>,
    pub origin: Origin,
}

impl EnumDef {
    pub fn variant_index(&self, name: &str) -> Option<u16> {
        self.variants.iter().position(|variant| variant.name == name).and_then(|index| u16::try_from(index).ok())
    }

    pub fn variant_name(&self, index: u16) -> &str {
        self.variants.get(index as usize).map_or("?", |variant| variant.name.as_str())
    }
}

#[derive(Debug)]
pub struct VariantDef {
    pub name: String,
    pub label: Option<String>,
    pub span: Span,
}

#[derive(Debug)]
pub struct FieldDef {
    pub name: String,
    pub ty: Type,
    pub optional: bool,
    pub default: Option<Value>,
    pub label: Option<String>,
    pub span: Span,
}

#[derive(Debug)]
pub struct ParamDef {
    pub name: String,
    pub ty: Type,
    pub value: Value,
    pub origin: Origin,
}

/// A table, stored densely: one slot per combination of keys, in the order
/// of the keys' enumerations (the last key varies fastest).
#[derive(Debug)]
pub struct TableDef {
    pub name: String,
    pub keys: Vec<KeyColumn>,
    pub columns: Vec<ValueColumn>,
    /// `-> rate` rather than `-> (rate: rate)`: a lookup gives the value itself.
    pub single_value: bool,
    /// `rows × columns` cells; `None` where the table says `—`.
    pub cells: Vec<Option<CellDef>>,
    /// The span of each row as written, by dense row index.
    pub row_spans: Vec<Span>,
    pub origin: Origin,
}

impl TableDef {
    pub fn row_count(&self) -> usize {
        self.row_spans.len()
    }

    pub fn cell(&self, row: u32, column: usize) -> Option<&CellDef> {
        self.cells.get(row as usize * self.columns.len() + column).and_then(Option::as_ref)
    }

    /// The key values of a dense row index, first key first.
    pub fn row_keys(&self, row: u32) -> Vec<u16> {
        let mut rest = row as usize;
        let mut keys = vec![0; self.keys.len()];
        for (slot, key) in keys.iter_mut().zip(&self.keys).rev() {
            let size = key.size.max(1);
            *slot = u16::try_from(rest % size).unwrap_or(0);
            rest /= size;
        }
        keys
    }
}

#[derive(Debug)]
pub struct KeyColumn {
    pub name: String,
    pub enumeration: EnumId,
    pub size: usize,
}

#[derive(Debug)]
pub struct ValueColumn {
    pub name: String,
    pub ty: Type,
}

#[derive(Debug)]
pub struct CellDef {
    pub value: Value,
    pub certainty: Certainty,
    pub reason: Option<String>,
    pub span: Span,
}

#[derive(Debug)]
pub struct BandsDef {
    pub name: String,
    /// The enumeration whose values are the bands' names.
    pub enumeration: EnumId,
    pub over: Expr,
    pub bands: Vec<BandDef>,
    pub origin: Origin,
}

#[derive(Debug)]
pub struct BandDef {
    pub name: String,
    pub lower: Option<BoundDef>,
    pub upper: Option<BoundDef>,
    pub origin: Origin,
}

#[derive(Debug)]
pub struct BoundDef {
    pub value: Expr,
    pub inclusive: bool,
}

#[derive(Debug)]
pub struct RuleDef {
    pub name: String,
    pub index: Option<EnumId>,
    pub ty: Type,
    pub body: Expr,
    pub origin: Origin,
}

#[derive(Debug)]
pub struct ConditionSetDef {
    pub name: String,
    pub label: Option<String>,
    pub index: Option<EnumId>,
    pub conditions: Vec<ConditionDef>,
    pub origin: Origin,
}

#[derive(Debug)]
pub struct ConditionDef {
    pub name: String,
    /// The condition is checked only where this holds; elsewhere it holds.
    pub guard: Option<Expr>,
    pub requires: Expr,
    pub message: String,
    pub origin: Origin,
}

#[derive(Debug)]
pub struct OutputDef {
    pub name: String,
    pub index: Option<EnumId>,
    pub node: OutputNode,
    pub origin: Origin,
}

#[derive(Debug)]
pub enum OutputNode {
    Value { expr: Expr, guard: Option<Expr> },
    Group { fields: Vec<(String, OutputNode)>, guard: Option<Expr> },
}

/// A value a policy computes with.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    /// Every number: counts, euros, rates. Its unit is in its type.
    Decimal(Decimal),
    Date(jiff::civil::Date),
    /// A value of an enumeration, by index; the enumeration is in its type.
    Enum(u16),
    Text(Arc<str>),
    /// A row of a table, for `row.column`.
    Row {
        table: TableId,
        row: u32,
    },
    /// The conditions of a set that did not hold.
    Failures(Arc<[FailedCondition]>),
}

impl Value {
    /// How two values of the same kind order; `None` across kinds.
    pub fn compare(&self, other: &Value) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Value::Decimal(a), Value::Decimal(b)) => Some(a.cmp(b)),
            (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
            (Value::Enum(a), Value::Enum(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// `date` moved by `years` whole years; an anniversary of 29 February falls on
/// 1 March in a year without one. `None` beyond the range of dates.
pub fn add_years(date: jiff::civil::Date, years: i64) -> Option<jiff::civil::Date> {
    let year = i16::try_from(i64::from(date.year()).checked_add(years)?).ok()?;
    jiff::civil::Date::new(year, date.month(), date.day()).or_else(|_| jiff::civil::Date::new(year, 3, 1)).ok()
}

/// Whole years from `from` to `to`: the anniversaries passed (negative when
/// `to` comes first), consistent with [`add_years`].
pub fn years_between(from: jiff::civil::Date, to: jiff::civil::Date) -> i64 {
    let mut years = i64::from(to.year()) - i64::from(from.year());
    let anniversary = add_years(from, years);
    if anniversary.is_some_and(|anniversary| anniversary > to) && to >= from {
        years -= 1;
    } else if anniversary.is_some_and(|anniversary| anniversary < to) && to < from {
        years += 1;
    }
    years
}

/// A value an outcome rests on that is not established by the legal text.
#[derive(Debug, Clone)]
pub struct Assumption {
    /// `percentiles[medecine_generale].p50`, ``parameter `x` ``, …
    pub what: String,
    pub certainty: Certainty,
    pub reason: Option<String>,
    pub span: Span,
}

/// A condition that did not hold, as reported to the physician.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedCondition {
    pub name: String,
    pub message: String,
    pub source: Option<String>,
}

/// A checked expression: its type is known and every name resolved.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Const(Value),
    Field(FieldId),
    /// Whether the profile gives an optional field.
    Given(FieldId),
    /// The date the evaluation is made as of (`--on`).
    EvaluationDate,
    /// A date moved by a whole number of years; 29 February lands on 1 March.
    AddYears {
        date: Box<Expr>,
        years: Box<Expr>,
    },
    /// Whole years from the first date to the second (anniversaries passed).
    YearsBetween {
        from: Box<Expr>,
        to: Box<Expr>,
    },
    Param(ParamId),
    /// The index of the enclosing indexed rule, condition set or output.
    Index,
    Rule {
        rule: RuleId,
        index: Option<Box<Expr>>,
    },
    Band(BandsId),
    Conditions {
        set: SetId,
        index: Option<Box<Expr>>,
    },
    Failures {
        set: SetId,
        index: Option<Box<Expr>>,
    },
    TableRow {
        table: TableId,
        keys: Vec<Expr>,
    },
    RowField {
        row: Box<Expr>,
        column: usize,
    },
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Arith {
        op: ArithOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Compare {
        op: CompareOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    In {
        value: Box<Expr>,
        set: Vec<Expr>,
    },
    If {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// `arm_of[variant]` is the index in `arms` of the arm for that variant.
    Match {
        scrutinee: Box<Expr>,
        arm_of: Vec<u16>,
        arms: Vec<Expr>,
    },
    Round {
        value: Box<Expr>,
        mode: RoundingMode,
        places: u32,
    },
    Min(Vec<Expr>),
    Max(Vec<Expr>),
}

/// How `round` breaks a value: every mode is named in the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundingMode {
    /// To the nearest; a half goes away from zero.
    HalfUp,
    /// To the nearest; a half goes toward zero.
    HalfDown,
    /// To the nearest; a half goes to the even neighbour.
    HalfEven,
    /// Away from zero.
    Up,
    /// Toward zero.
    Down,
    /// Toward minus infinity.
    Floor,
    /// Toward plus infinity.
    Ceiling,
}

impl RoundingMode {
    pub const ALL: [(&'static str, RoundingMode); 7] = [
        ("half_up", RoundingMode::HalfUp),
        ("half_down", RoundingMode::HalfDown),
        ("half_even", RoundingMode::HalfEven),
        ("up", RoundingMode::Up),
        ("down", RoundingMode::Down),
        ("floor", RoundingMode::Floor),
        ("ceiling", RoundingMode::Ceiling),
    ];

    pub fn strategy(self) -> rust_decimal::RoundingStrategy {
        use rust_decimal::RoundingStrategy as Strategy;
        match self {
            RoundingMode::HalfUp => Strategy::MidpointAwayFromZero,
            RoundingMode::HalfDown => Strategy::MidpointTowardZero,
            RoundingMode::HalfEven => Strategy::MidpointNearestEven,
            RoundingMode::Up => Strategy::AwayFromZero,
            RoundingMode::Down => Strategy::ToZero,
            RoundingMode::Floor => Strategy::ToNegativeInfinity,
            RoundingMode::Ceiling => Strategy::ToPositiveInfinity,
        }
    }
}

impl Expr {
    /// Calls `visit` on each direct sub-expression.
    pub fn for_each_child(&self, mut visit: impl FnMut(&Expr)) {
        match &self.kind {
            ExprKind::Const(_)
            | ExprKind::Field(_)
            | ExprKind::Given(_)
            | ExprKind::EvaluationDate
            | ExprKind::Param(_)
            | ExprKind::Index
            | ExprKind::Band(_) => {}
            ExprKind::AddYears { date: first, years: second } | ExprKind::YearsBetween { from: first, to: second } => {
                visit(first);
                visit(second);
            }
            ExprKind::Rule { index, .. } | ExprKind::Conditions { index, .. } | ExprKind::Failures { index, .. } => {
                if let Some(index) = index {
                    visit(index);
                }
            }
            ExprKind::TableRow { keys, .. } => keys.iter().for_each(visit),
            ExprKind::RowField { row: inner, .. }
            | ExprKind::Not(inner)
            | ExprKind::Neg(inner)
            | ExprKind::Round { value: inner, .. } => visit(inner),
            ExprKind::Arith { left, right, .. }
            | ExprKind::Compare { left, right, .. }
            | ExprKind::And(left, right)
            | ExprKind::Or(left, right) => {
                visit(left);
                visit(right);
            }
            ExprKind::In { value, set } => {
                visit(value);
                set.iter().for_each(visit);
            }
            ExprKind::If { condition, then, otherwise } => {
                visit(condition);
                visit(then);
                visit(otherwise);
            }
            ExprKind::Match { scrutinee, arms, .. } => {
                visit(scrutinee);
                arms.iter().for_each(visit);
            }
            ExprKind::Min(values) | ExprKind::Max(values) => values.iter().for_each(visit),
        }
    }
}
