//! TOML profiles, read from the parser's own tree: numbers keep their digits
//! as written (TOML's `f64` would round them), a date is a date's text only
//! where it was written as one, and `inf` or `nan` is refused where it is
//! written. Never types a field: that is `value`'s work.

use ::toml::de::{DeTable, DeValue};
use serde_json::Value as Json;

use super::{Entries, Refused, json_number, line_column, not_a_number, too_deep};

/// The top-level fields of a TOML profile, in the order written.
pub(super) fn read(text: &str) -> Result<Entries, Refused> {
    let table = DeTable::parse(text).map_err(|error| {
        let place = error.span().map(|span| line_column(text, span.start));
        // The parser's own bound on nesting, beyond the profile's.
        let refused = match error.message() {
            message if message.contains("recursion") => too_deep((0, 0)),
            message => Refused::new(format!("not valid TOML: {message}")),
        };
        Refused { place, ..refused }
    })?;
    let mut fields: Vec<_> = table.into_inner().into_iter().collect();
    // The parser keeps its keys sorted: put them back in the order written.
    fields.sort_by_key(|(key, _)| key.span().start);
    fields
        .into_iter()
        .map(|(key, value)| {
            let place = line_column(text, value.span().start);
            let name = key.into_inner().into_owned();
            let value = json(value.into_inner(), &name).map_err(|refused| refused.at_place(place))?;
            Ok((name, value))
        })
        .collect()
}

/// A TOML value as a JSON value.
fn json(value: DeValue<'_>, field: &str) -> Result<Json, Refused> {
    Ok(match value {
        DeValue::String(text) => Json::String(text.into_owned()),
        DeValue::Boolean(value) => Json::Bool(value),
        DeValue::Integer(integer) => {
            let digits = match integer.radix() {
                10 => Some(integer.as_str().to_owned()),
                radix => u128::from_str_radix(integer.as_str(), radix).ok().map(|value| value.to_string()),
            };
            digits
                .as_deref()
                .and_then(json_number)
                .ok_or_else(|| not_a_number(&integer.to_string(), Some(field.to_owned())))?
        }
        DeValue::Float(float) => {
            json_number(float.as_str()).ok_or_else(|| not_a_number(float.as_str(), Some(field.to_owned())))?
        }
        // A date, a date-time or a time, as written: the field's type decides what it may be.
        DeValue::Datetime(datetime) => Json::String(datetime.to_string()),
        DeValue::Array(items) => {
            Json::Array(items.into_iter().map(|item| json(item.into_inner(), field)).collect::<Result<_, _>>()?)
        }
        DeValue::Table(table) => Json::Object(
            table
                .into_iter()
                .map(|(key, value)| Ok((key.into_inner().into_owned(), json(value.into_inner(), field)?)))
                .collect::<Result<_, Refused>>()?,
        ),
    })
}
