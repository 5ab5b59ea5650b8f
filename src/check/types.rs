//! Types and units: what a value is, and which operations keep units honest.
//!
//! Euros never meet patients; a rate times a count is a fractional count
//! that must be rounded before it is used as a count of patients.

use std::fmt;

use super::model::{EnumId, TableId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    /// A count of patients. `whole: false` is a share of a count not yet rounded.
    Patients {
        whole: bool,
    },
    Euros,
    /// A rate or percentage: `20 %` is 0.20.
    Rate,
    /// A number without unit (a bare literal, a ratio of scalars).
    Number,
    Date,
    Text,
    Enum(EnumId),
    /// A row of a table, whose columns are read with `.name`.
    Row(TableId),
    /// The failed conditions of a condition set.
    Failures,
}

impl Type {
    pub const PATIENTS: Type = Type::Patients { whole: true };

    pub fn is_numeric(self) -> bool {
        matches!(self, Type::Patients { .. } | Type::Euros | Type::Rate | Type::Number)
    }

    /// The unit family, ignoring whether a count is whole.
    pub fn family(self) -> Type {
        match self {
            Type::Patients { .. } => Type::PATIENTS,
            other => other,
        }
    }

    /// Whether a value of type `self` may stand where `expected` is wanted.
    pub fn fits(self, expected: Type) -> bool {
        match (self, expected) {
            (Type::Patients { whole }, Type::Patients { whole: wanted }) => whole || !wanted,
            (Type::Number, expected) if expected.is_numeric() => true,
            (found, expected) => found == expected,
        }
    }
}

/// Type names for people: the policy's words, not Rust's.
pub struct TypeName<'a> {
    pub ty: Type,
    pub enum_name: &'a dyn Fn(EnumId) -> String,
    pub table_name: &'a dyn Fn(TableId) -> String,
}

impl fmt::Display for TypeName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ty {
            Type::Bool => f.write_str("bool"),
            Type::Patients { whole: true } => f.write_str("patients"),
            Type::Patients { whole: false } => f.write_str("patients (not rounded)"),
            Type::Euros => f.write_str("euros"),
            Type::Rate => f.write_str("rate"),
            Type::Number => f.write_str("number"),
            Type::Date => f.write_str("date"),
            Type::Text => f.write_str("text"),
            Type::Enum(id) => write!(f, "{}", (self.enum_name)(id)),
            Type::Row(id) => write!(f, "row of `{}`", (self.table_name)(id)),
            Type::Failures => f.write_str("failed conditions"),
        }
    }
}

/// The built-in type names a policy may write.
pub fn builtin(name: &str) -> Option<Type> {
    Some(match name {
        "bool" => Type::Bool,
        "patients" => Type::PATIENTS,
        "euros" => Type::Euros,
        "rate" => Type::Rate,
        "number" => Type::Number,
        "date" => Type::Date,
        "text" => Type::Text,
        _ => return None,
    })
}

pub const BUILTIN_NAMES: [&str; 7] = ["bool", "patients", "euros", "rate", "number", "date", "text"];

/// The type of `left + right` or `left - right`, if the units agree;
/// `whole_scalar` says that a bare number among them is a whole constant.
pub fn additive(left: Type, right: Type, whole_scalar: bool) -> Option<Type> {
    match (left, right) {
        (Type::Patients { whole: a }, Type::Patients { whole: b }) => Some(Type::Patients { whole: a && b }),
        (Type::Number, other) | (other, Type::Number) if other.is_numeric() => Some(match other {
            // A count plus a whole number of patients is whole; plus a fraction, not.
            Type::Patients { whole } => Type::Patients { whole: whole && whole_scalar },
            other => other,
        }),
        (a, b) if a == b && matches!(a, Type::Euros | Type::Rate) => Some(a),
        _ => None,
    }
}

/// The type of `left * right`, if the product has a meaning.
pub fn product(left: Type, right: Type, whole_scalar: bool) -> Option<Type> {
    use Type::*;
    match (left, right) {
        (Rate, Rate) => Some(Rate),
        (Number, Number) => Some(Number),
        (Rate, Number) | (Number, Rate) => Some(Rate),
        (Patients { whole }, Number) | (Number, Patients { whole }) => Some(Patients { whole: whole && whole_scalar }),
        (Patients { .. }, Rate) | (Rate, Patients { .. }) => Some(Patients { whole: false }),
        (Euros, Rate | Number) | (Rate | Number, Euros) => Some(Euros),
        _ => None,
    }
}

/// The type of `left / right`, if the quotient has a meaning.
pub fn quotient(left: Type, right: Type) -> Option<Type> {
    use Type::*;
    match (left.family(), right.family()) {
        (a, b) if a == b && a.is_numeric() && a != Number && a != Rate => Some(Rate),
        (Rate, Rate) => Some(Rate),
        (Number, Number) => Some(Number),
        (Patients { .. }, Number | Rate) => Some(Patients { whole: false }),
        (Euros, Number | Rate) => Some(Euros),
        (Rate, Number) => Some(Rate),
        _ => None,
    }
}

/// Whether two values may be compared, and with which operators.
pub fn comparable(left: Type, right: Type) -> Option<bool> {
    // Some(true): ordered comparisons allowed; Some(false): only == and !=.
    match (left.family(), right.family()) {
        (a, b) if a.is_numeric() && b.is_numeric() => {
            (a == b || a == Type::Number || b == Type::Number).then_some(true)
        }
        (Type::Date, Type::Date) => Some(true),
        (Type::Bool, Type::Bool) | (Type::Text, Type::Text) => Some(false),
        (Type::Enum(a), Type::Enum(b)) if a == b => Some(false),
        _ => None,
    }
}
