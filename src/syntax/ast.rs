//! The typed syntax tree of a policy file, as written: names are not yet
//! resolved and types not yet known. Every node carries its span.
//!
//! Nothing here knows pest; nothing here judges meaning (that is `check`).

use rust_decimal::Decimal;

use crate::source::Span;

mod example;
pub use super::operators::{BinaryOp, UnaryOp};
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

impl Header {
    /// The text this one amends, if it is an amendment.
    pub fn amends(&self) -> Option<Ident> {
        self.fields.iter().find(|field| field.key.name == "amends").and_then(|field| match &field.value.kind {
            LiteralKind::Name(name) => Some(Ident { name: name.clone(), span: field.value.span }),
            _ => None,
        })
    }

    /// Whether the text is a draft under discussion (`status proposal`): it
    /// is never the text in force on a date unless asked for by name.
    pub fn is_proposal(&self) -> bool {
        self.fields.iter().any(|field| {
            field.key.name == "status" && matches!(&field.value.kind, LiteralKind::Name(status) if status == PROPOSAL)
        })
    }

    /// The date the text takes effect.
    pub fn effective(&self) -> Option<(jiff::civil::Date, Span)> {
        self.fields.iter().find(|field| field.key.name == "effective").and_then(|field| match &field.value.kind {
            LiteralKind::Date(date) => Some((*date, field.value.span)),
            _ => None,
        })
    }
}

/// The one status a header may give: the text is a draft, not in force.
pub const PROPOSAL: &str = "proposal";

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
    /// An example: a named profile and the outputs expected for it.
    Example(ExampleDecl),
    /// In an amendment, a whole new version of an existing declaration.
    Replace(Box<Item>),
    /// In an amendment, a declaration that no longer exists.
    Remove(Removal),
    /// In an amendment, conditions removed, replaced or added to a set.
    AmendConditions(AmendConditions),
    /// In an amendment, rows replaced in a table.
    AmendTable(TableDecl),
    /// In an amendment, one cell of a table replaced alone.
    AmendCell(AmendCell),
    /// In an amendment, values added to an enumeration.
    AmendEnum(EnumDecl),
    /// In an amendment, fields added to the profile.
    AmendProfile(ProfileDecl),
}

impl Item {
    /// The kind of declaration, as the policy names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Item::Enum(_) | Item::AmendEnum(_) => "enum",
            Item::Profile(_) | Item::AmendProfile(_) => "profile",
            Item::Param(_) => "param",
            Item::Table(_) | Item::AmendTable(_) | Item::AmendCell(_) => "table",
            Item::Bands(_) => "bands",
            Item::Rule(_) => "rule",
            Item::Conditions(_) | Item::AmendConditions(_) => "conditions",
            Item::Output(_) => "output",
            Item::Example(_) => "example",
            Item::Replace(item) => item.kind(),
            Item::Remove(removal) => removal.kind,
        }
    }

    /// The declared name, where the declaration has one.
    pub fn name(&self) -> Option<&Ident> {
        match self {
            Item::Enum(decl) | Item::AmendEnum(decl) => Some(&decl.name),
            Item::Profile(_) | Item::AmendProfile(_) => None,
            Item::Param(decl) => Some(&decl.name),
            Item::Table(decl) | Item::AmendTable(decl) => Some(&decl.name),
            Item::AmendCell(cell) => Some(&cell.table),
            Item::Bands(decl) => Some(&decl.name),
            Item::Rule(decl) => Some(&decl.name),
            Item::Conditions(decl) => Some(&decl.name),
            Item::AmendConditions(decl) => Some(&decl.name),
            Item::Output(decl) => Some(&decl.name),
            Item::Example(decl) => Some(&decl.name),
            Item::Replace(item) => item.name(),
            Item::Remove(removal) => Some(&removal.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Removal {
    /// `param`, `rule`, `table`, `bands`, `conditions` or `output`.
    pub kind: &'static str,
    pub name: Ident,
    pub span: Span,
}

/// `amend table percentiles[medecine_generale].p30 = 800 assumed "…"`: one
/// cell, found by its row's keys and (in a table of records) its column.
#[derive(Clone, Debug, PartialEq)]
pub struct AmendCell {
    pub table: Ident,
    pub keys: Vec<Ident>,
    /// `.p30`; none for a table of single values.
    pub column: Option<Ident>,
    pub value: CellValue,
    /// Sources and notes join the table's; the certainty is the cell's.
    pub meta: Meta,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AmendConditions {
    pub name: Ident,
    pub changes: Vec<ConditionChange>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConditionChange {
    Remove(Ident),
    Replace(Condition),
    Add(Condition),
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
    /// `when …`: the condition is checked only where this holds.
    pub guard: Option<Expr>,
    pub requires: Expr,
    /// The message as written, quotes `{…}` included.
    pub message: Text,
    /// The message in parts: text, and the values it quotes.
    pub message_parts: Vec<MessagePart>,
    pub meta: Meta,
}

/// A piece of a condition's message.
#[derive(Clone, Debug, PartialEq)]
pub enum MessagePart {
    Text(String),
    /// `{seuil}`: a value of the policy, written into the message.
    Quote(Expr),
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
    /// `base`, in an amendment's `replace rule`: the value of the rule it
    /// replaces. Merging the chain of texts names it (see `amend`), so the
    /// checker meets it only where nothing is replaced.
    Base,
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    /// `operator` is the span of the operator itself, for labels that must not
    /// overlap the operands'.
    Binary {
        op: BinaryOp,
        operator: Span,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Field {
        target: Box<Expr>,
        field: Ident,
    },
    Keys {
        target: Box<Expr>,
        keys: Vec<Expr>,
    },
    Call {
        function: Ident,
        args: Vec<Expr>,
    },
    List(Vec<Expr>),
    If {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    /// Empty for the `else` arm.
    pub patterns: Vec<Ident>,
    pub body: Expr,
    pub span: Span,
}
