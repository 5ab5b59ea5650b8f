//! A policy's profile as a client needs it to build a form: each field's
//! name, type, label, whether it may be left out and its default, the values
//! and labels of each enumeration, and the policy's outputs. Everything
//! comes from the policy's own declarations, so a field an amendment adds
//! reaches the form without a change of code.

use serde_json::{Value as Json, json};

use crate::check::CheckedPolicy;
use crate::check::model::OutputNode;
use crate::check::types::Type;

/// The type of a field in the words a form needs: `bool`, `patients`,
/// `euros`, `rate`, `number`, `date`, `text`, or `enum`.
fn kind(ty: Type) -> &'static str {
    match ty {
        Type::Bool => "bool",
        Type::Patients { .. } => "patients",
        Type::Euros => "euros",
        Type::Rate => "rate",
        Type::Number => "number",
        Type::Date => "date",
        Type::Enum(_) => "enum",
        Type::Text | Type::Row(_) | Type::Failures => "text",
    }
}

/// The profile's fields, the enumerations and the outputs of `policy`.
pub fn describe(policy: &CheckedPolicy) -> Json {
    let fields: Vec<Json> = policy
        .fields
        .iter()
        .map(|field| {
            let default = field
                .default
                .clone()
                .map(|value| crate::output::json::output_value(&crate::eval::to_output(policy, value, field.ty)));
            let enumeration = match field.ty {
                Type::Enum(id) => Json::from(policy.enum_def(id).name.as_str()),
                _ => Json::Null,
            };
            json!({
                "name": field.name,
                "type": kind(field.ty),
                "enum": enumeration,
                "label": field.label,
                "optional": field.optional,
                "default": default,
            })
        })
        .collect();
    let enums: Vec<Json> = policy
        .enums
        .iter()
        .map(|definition| {
            let values: Vec<Json> = definition
                .variants
                .iter()
                .map(|variant| json!({ "name": variant.name, "label": variant.label }))
                .collect();
            json!({ "name": definition.name, "label": definition.label, "values": values })
        })
        .collect();
    let outputs: Vec<Json> = policy
        .outputs
        .iter()
        .map(|output| {
            let index = output.index.map(|id| policy.enum_def(id).name.clone());
            // The enumeration an output's value is of (a band's, say), whose labels a page shows.
            let enumeration = match &output.node {
                OutputNode::Value { expr, .. } => match expr.ty {
                    Type::Enum(id) => Json::from(policy.enum_def(id).name.as_str()),
                    _ => Json::Null,
                },
                OutputNode::Group { .. } => Json::Null,
            };
            json!({ "name": output.name, "by": index, "enum": enumeration })
        })
        .collect();
    json!({ "fields": fields, "enums": enums, "outputs": outputs })
}
