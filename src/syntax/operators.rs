//! The operators of the language, defined once: their symbols, how tightly
//! they bind, what each one does, and the exact arithmetic behind `+ - * /`.
//!
//! Everything else derives from these tables: the parser's precedence
//! (`lower.rs` builds its Pratt parser from [`Binding`]), the formatter's
//! parentheses, the checker's typing (through [`BinaryOp::operation`]) and
//! both evaluators' arithmetic (through [`ArithOp::apply`]). Every function
//! here matches every variant, so a new operator is a compile error in each
//! place that must handle it, never a silent fallback to another one.
//! This module must not know pest: the grammar rule of each operator is
//! `lower.rs`'s.

use rust_decimal::Decimal;
use strum::VariantArray;

/// How tightly an expression binds, loosest first. The parser reads
/// operators at these levels, and the formatter writes parentheses where a
/// side binds looser than its place needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, VariantArray)]
pub enum Binding {
    /// `if … then … else …`: it swallows what follows it, so it is a
    /// primary only in parentheses.
    Conditional,
    Or,
    And,
    Not,
    Compare,
    Sum,
    Product,
    Negate,
    /// `value.field` and `table[key]`.
    Postfix,
    /// Names, literals, calls, lists, `match`, parenthesised expressions.
    Primary,
}

impl Binding {
    /// The next tighter level: what the right side of a left-associative
    /// operator needs, so that `a - (b - c)` keeps its parentheses.
    pub fn tighter(self) -> Binding {
        Binding::VARIANTS.iter().copied().find(|level| *level > self).unwrap_or(Binding::Primary)
    }
}

/// A prefix operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, VariantArray)]
pub enum UnaryOp {
    Not,
    Neg,
}

impl UnaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Not => "not",
            UnaryOp::Neg => "-",
        }
    }

    pub fn binding(self) -> Binding {
        match self {
            UnaryOp::Not => Binding::Not,
            UnaryOp::Neg => Binding::Negate,
        }
    }
}

/// An infix operator, as written; all associate to the left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, VariantArray)]
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

/// What an infix operator does: the family the checker types it by, and
/// the operation the checked model keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Or,
    And,
    /// `value in [a, b]`.
    In,
    Compare(CompareOp),
    Arith(ArithOp),
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

    pub fn binding(self) -> Binding {
        match self.operation() {
            Operation::Or => Binding::Or,
            Operation::And => Binding::And,
            Operation::In | Operation::Compare(_) => Binding::Compare,
            Operation::Arith(arith) if arith.is_additive() => Binding::Sum,
            Operation::Arith(_) => Binding::Product,
        }
    }

    pub fn operation(self) -> Operation {
        match self {
            BinaryOp::Or => Operation::Or,
            BinaryOp::And => Operation::And,
            BinaryOp::Eq => Operation::Compare(CompareOp::Eq),
            BinaryOp::Ne => Operation::Compare(CompareOp::Ne),
            BinaryOp::Lt => Operation::Compare(CompareOp::Lt),
            BinaryOp::Le => Operation::Compare(CompareOp::Le),
            BinaryOp::Gt => Operation::Compare(CompareOp::Gt),
            BinaryOp::Ge => Operation::Compare(CompareOp::Ge),
            BinaryOp::In => Operation::In,
            BinaryOp::Add => Operation::Arith(ArithOp::Add),
            BinaryOp::Sub => Operation::Arith(ArithOp::Sub),
            BinaryOp::Mul => Operation::Arith(ArithOp::Mul),
            BinaryOp::Div => Operation::Arith(ArithOp::Div),
        }
    }
}

/// Arithmetic on exact decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// Why exact arithmetic has no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithFault {
    DivisionByZero,
    Overflow,
}

impl ArithOp {
    /// Whether the operation adds (`+`, `-`): it binds as a sum, and a bare
    /// number beside a rate in it becomes a rate, where in a product or a
    /// quotient it is a factor.
    pub fn is_additive(self) -> bool {
        match self {
            ArithOp::Add | ArithOp::Sub => true,
            ArithOp::Mul | ArithOp::Div => false,
        }
    }

    /// `left op right`, checked: overflow and division by zero are faults,
    /// never panics. The one arithmetic of the crate: the checker's folding
    /// and both evaluators compute through it, so a folded constant is the
    /// value evaluation would give.
    pub fn apply(self, left: Decimal, right: Decimal) -> Result<Decimal, ArithFault> {
        let result = match self {
            ArithOp::Add => left.checked_add(right),
            ArithOp::Sub => left.checked_sub(right),
            ArithOp::Mul => left.checked_mul(right),
            ArithOp::Div if right.is_zero() => return Err(ArithFault::DivisionByZero),
            ArithOp::Div => left.checked_div(right),
        };
        result.ok_or(ArithFault::Overflow)
    }
}

/// A comparison of two values of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    /// Whether the comparison holds for two values that order as `ordering`.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        match self {
            CompareOp::Eq => ordering.is_eq(),
            CompareOp::Ne => ordering.is_ne(),
            CompareOp::Lt => ordering.is_lt(),
            CompareOp::Le => ordering.is_le(),
            CompareOp::Gt => ordering.is_gt(),
            CompareOp::Ge => ordering.is_ge(),
        }
    }

    /// Whether the comparison orders its sides (`<`), rather than only
    /// telling them equal or not (`==`).
    pub fn orders(self) -> bool {
        match self {
            CompareOp::Eq | CompareOp::Ne => false,
            CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge => true,
        }
    }
}
