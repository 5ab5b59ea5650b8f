//! The typed syntax tree of a policy file, as written: names are not yet
//! resolved and types not yet known. Every node carries its span.
//!
//! Nothing here knows pest; nothing here judges meaning (that is `check`).

use rust_decimal::Decimal;

use crate::source::Span;

mod example;
pub use example::*;

/// A name as written, with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PolicyFile {
    pub header: Header,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub name: Ident,
    pub fields: Vec<HeaderField>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HeaderField {
    pub key: Ident,
    pub value: Literal,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Enum(EnumDecl),
    Profile(ProfileDecl),
    Param(ParamDecl),
    Table(TableDecl),
    Bands(BandsDecl),
    Rule(RuleDecl),
    Conditions(ConditionsDecl),
    Output(OutputDecl),
    Example(ExampleDecl),
}

/// Where a definition comes from and how sure we are of it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    pub sources: Vec<Text>,
    pub notes: Vec<Text>,
    pub certainty: Option<CertaintyClause>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CertaintyClause {
    pub kind: Certainty,
    pub reason: Option<Text>,
    pub span: Span,
}

/// How sure a value is, weakest last. Ordered so that `min` is the weakest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Certainty {
    /// Nothing but our own guess stands behind the value.
    Assumed,
    /// A union, the medical press or a practitioner says so; no official text was read.
    Secondary,
    /// The legal text or the Assurance Maladie says so.
    Established,
}

impl Certainty {
    pub fn word(self) -> &'static str {
        match self {
            Certainty::Assumed => "assumed",
            Certainty::Secondary => "secondary",
            Certainty::Established => "established",
        }
    }
}

/// A string literal with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub label: Option<Text>,
    pub meta: Meta,
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: Ident,
    pub label: Option<Text>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProfileDecl {
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: Ident,
    /// Marked `?`: the profile may leave it out.
    pub optional: bool,
    pub default: Option<Literal>,
    pub label: Option<Text>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParamDecl {
    pub name: Ident,
    pub ty: Ident,
    pub value: Literal,
    pub meta: Meta,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: Ident,
    pub ty: Ident,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableDecl {
    pub name: Ident,
    pub keys: Vec<Column>,
    pub values: TableValues,
    pub meta: Meta,
    /// Rows as written, each with its key cells first, then its value cells.
    pub rows: Vec<Row>,
    /// Where the table was written as a grid, the grid's header row.
    pub grid_header: Option<Vec<Ident>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TableValues {
    /// `-> rate`: one unnamed value per row.
    Single(Ident),
    /// `-> (p30: patients, p50: patients)`: a record per row.
    Record(Vec<Column>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CellValue {
    /// `—`: the text gives no value here.
    Hole,
    Literal(Literal),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub value: CellValue,
    pub certainty: Option<CertaintyClause>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BandsDecl {
    pub name: Ident,
    pub label: Option<Text>,
    pub over: Expr,
    pub meta: Meta,
    pub bands: Vec<Band>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub name: Ident,
    pub label: Option<Text>,
    pub lower: Option<Bound>,
    pub upper: Option<Bound>,
    pub meta: Meta,
    pub span: Span,
}

/// One end of a band: its value, and whether the value itself is inside.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub value: Expr,
    /// `from x` and `up to y` include their value; `above x` and `below y` do not.
    pub inclusive: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IndexDecl {
    pub name: Ident,
    pub ty: Ident,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    pub name: Ident,
    pub index: Option<IndexDecl>,
    pub ty: Option<Ident>,
    pub body: Expr,
    pub meta: Meta,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConditionsDecl {
    pub name: Ident,
    pub index: Option<IndexDecl>,
    pub label: Option<Text>,
    pub meta: Meta,
    pub conditions: Vec<Condition>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub name: Ident,
    pub requires: Expr,
    pub message: Text,
    pub meta: Meta,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutputDecl {
    pub name: Ident,
    pub index: Option<IndexDecl>,
    pub body: OutputNode,
    pub meta: Meta,
}

/// An output's shape: a value, or a group of named outputs.
#[derive(Clone, Debug, PartialEq)]
pub enum OutputNode {
    Value { expr: Expr, guard: Option<Expr> },
    Group { items: Vec<OutputItem>, guard: Option<Expr> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum OutputItem {
    /// `name = expr` or `name { … }`.
    Named { name: Ident, node: OutputNode },
    /// `when cond { … }`: the items inside are null unless `cond` holds.
    When { guard: Expr, items: Vec<OutputItem> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    pub kind: LiteralKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LiteralKind {
    Number {
        value: Decimal,
        unit: Option<Unit>,
    },
    Date(jiff::civil::Date),
    Text(String),
    Bool(bool),
    /// A bare name: an enumeration's value, or (in an expression) any name.
    Name(String),
}

/// A unit written after a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Euros,
    /// `%`: the literal's value is already divided by 100.
    Percent,
    Patients,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(LiteralKind),
    Name(String),
    Unary { op: UnaryOp, operand: Box<Expr> },
    Binary { op: BinaryOp, left: Box<Expr>, right: Box<Expr> },
    Field { target: Box<Expr>, field: Ident },
    Keys { target: Box<Expr>, keys: Vec<Expr> },
    Call { function: Ident, args: Vec<Expr> },
    List(Vec<Expr>),
    If { condition: Box<Expr>, then: Box<Expr>, otherwise: Box<Expr> },
    Match { scrutinee: Box<Expr>, arms: Vec<MatchArm> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    /// Empty for the `else` arm.
    pub patterns: Vec<Ident>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}
