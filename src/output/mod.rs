//! Output: outcomes → JSON for programs and tables for people.
//!
//! Decimals are written in one fixed textual form, so that snapshots are
//! byte-stable: euros with two decimals (more only where the exact value has
//! more), whole counts as integers, rates and numbers exactly, without
//! trailing zeros. Nothing here rounds.

pub mod csv;
pub mod json;
pub mod table;

use rust_decimal::Decimal;

use crate::check::types::Type;

/// A decimal in the fixed form of its type.
pub fn decimal_text(value: Decimal, ty: Type) -> String {
    let mut text = String::new();
    let _ = write_decimal(&mut text, value, ty);
    text
}

/// Writes a decimal in the fixed form of its type, without allocating: the
/// one definition of that form, for JSON, tables and CSV alike.
pub fn write_decimal(out: &mut impl std::fmt::Write, value: Decimal, ty: Type) -> std::fmt::Result {
    match ty {
        Type::Euros if value.scale() <= 2 => {
            let mut value = value;
            value.rescale(2);
            write!(out, "{value}")
        }
        _ => write!(out, "{}", value.normalize()),
    }
}

/// Where an outcome came from: the profile and the policy, as the user named them.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    pub profile_file: &'a str,
    pub profile_name: Option<&'a str>,
    pub policy_file: &'a str,
}
