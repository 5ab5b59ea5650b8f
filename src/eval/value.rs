//! What an evaluation gives back: output values, how sure each is, and the
//! assumptions they rest on.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::check::model::{Assumption, CheckedPolicy, FailedCondition, Value};
use crate::check::types::Type;
use crate::syntax::ast::Certainty;

/// The outcome of one profile under one policy.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Each declared output in order: its name, value, and the weakest
    /// certainty of what it was computed from.
    pub outputs: Vec<(String, OutputValue, Certainty)>,
    /// Every value read that is not established, in the order first read.
    pub assumptions: Vec<Assumption>,
}

impl Outcome {
    /// An output by its path: `options.option_1.aid.year_1`.
    pub fn get(&self, path: &str) -> Option<&OutputValue> {
        let mut parts = path.split('.');
        let first = parts.next()?;
        let mut value = self.outputs.iter().find(|(name, _, _)| name == first).map(|(_, value, _)| value)?;
        for part in parts {
            value = match value {
                OutputValue::Record(entries) => {
                    entries.iter().find(|(name, _)| name == part).map(|(_, value)| value)?
                }
                _ => return None,
            };
        }
        Some(value)
    }
}

/// An output's value, with enough of its type to print it well.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputValue {
    /// Guarded by a `when` that did not hold.
    Null,
    Bool(bool),
    Number {
        value: Decimal,
        ty: Type,
    },
    Date(jiff::civil::Date),
    Text(Arc<str>),
    Enum {
        name: String,
        label: Option<String>,
    },
    Failures(Arc<[FailedCondition]>),
    Record(Vec<(String, OutputValue)>),
}

/// A value the policy computes with, as an output shows it.
pub fn to_output(policy: &CheckedPolicy, value: Value, ty: Type) -> OutputValue {
    match (value, ty) {
        (Value::Bool(value), _) => OutputValue::Bool(value),
        (Value::Decimal(value), ty) => OutputValue::Number { value, ty },
        (Value::Date(date), _) => OutputValue::Date(date),
        (Value::Text(text), _) => OutputValue::Text(text),
        (Value::Enum(variant), Type::Enum(id)) => {
            let enumeration = policy.enum_def(id);
            let label = enumeration.variants.get(variant as usize).and_then(|variant| variant.label.clone());
            OutputValue::Enum { name: enumeration.variant_name(variant).to_owned(), label }
        }
        (Value::Failures(failures), _) => OutputValue::Failures(failures),
        (Value::Enum(_) | Value::Row { .. }, _) => OutputValue::Null,
    }
}
