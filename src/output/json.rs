//! The JSON form of an outcome: one object per profile, outputs under their
//! declared names, then how sure each output is and the assumptions read.

use serde_json::{Map, Value as Json, json};

use super::{Subject, decimal_text};
use crate::check::CheckedPolicy;
use crate::check::types::Type;
use crate::eval::{Outcome, OutputValue};
use crate::source::SourceMap;

pub fn outcome(policy: &CheckedPolicy, subject: &Subject<'_>, outcome: &Outcome) -> Json {
    let mut object = Map::new();
    object.insert("profile".to_owned(), json!({ "file": subject.profile_file, "name": subject.profile_name }));
    object.insert(
        "policy".to_owned(),
        json!({ "name": policy.header.name, "file": subject.policy_file, "texts": subject.chain, "on": subject.on.to_string() }),
    );
    for (name, value, _) in &outcome.outputs {
        object.insert(name.clone(), output_value(value));
    }
    let certainty: Map<String, Json> =
        outcome.outputs.iter().map(|(name, _, certainty)| (name.clone(), Json::from(certainty.word()))).collect();
    object.insert("certainty".to_owned(), Json::Object(certainty));
    let assumptions: Vec<Json> = outcome
        .assumptions
        .iter()
        .map(|assumption| {
            json!({
                "value": assumption.what,
                "certainty": assumption.certainty.word(),
                "reason": assumption.reason,
                "at": location(policy.sources(), assumption.span),
            })
        })
        .collect();
    object.insert("assumptions".to_owned(), Json::Array(assumptions));
    Json::Object(object)
}

fn location(sources: &SourceMap, span: crate::source::Span) -> String {
    sources.location(span)
}

pub fn output_value(value: &OutputValue) -> Json {
    match value {
        OutputValue::Null => Json::Null,
        OutputValue::Bool(value) => Json::Bool(*value),
        OutputValue::Number { value, ty: Type::Patients { whole: true } } => {
            // Whole counts are JSON integers; a count too large for one stays exact as text.
            i64::try_from(*value).map_or_else(|_| Json::String(value.to_string()), Json::from)
        }
        OutputValue::Number { value, ty } => Json::String(decimal_text(*value, *ty)),
        OutputValue::Date(date) => Json::String(date.to_string()),
        OutputValue::Text(text) => Json::String(text.to_string()),
        OutputValue::Enum { name, .. } => Json::String(name.clone()),
        OutputValue::Failures(failures) => Json::Array(
            failures
                .iter()
                .map(|failure| json!({ "name": failure.name, "message": failure.message, "source": failure.source }))
                .collect(),
        ),
        OutputValue::Record(entries) => {
            Json::Object(entries.iter().map(|(name, value)| (name.clone(), output_value(value))).collect())
        }
    }
}
