//! Output: outcomes → JSON for programs and tables for people.
//!
//! Decimals are written in one fixed textual form, so that snapshots are
//! byte-stable: euros with two decimals (more only where the exact value has
//! more), whole counts as integers, rates and numbers exactly, without
//! trailing zeros. Nothing here rounds.

pub mod examples;
pub mod explain;
pub mod json;
pub mod table;

use rust_decimal::Decimal;

use crate::check::types::Type;

/// A decimal in the fixed form of its type.
pub fn decimal_text(value: Decimal, ty: Type) -> String {
    match ty {
        Type::Euros if value.scale() <= 2 => {
            let mut value = value;
            value.rescale(2);
            value.to_string()
        }
        _ => value.normalize().to_string(),
    }
}

/// Where an outcome came from: the profile and the policy, as the user named them.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    pub profile_file: &'a str,
    pub profile_name: Option<&'a str>,
    pub policy_file: &'a str,
    /// The texts applied, the base first.
    pub chain: &'a [String],
    /// The date of the evaluation.
    pub on: jiff::civil::Date,
}
