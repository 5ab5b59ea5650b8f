//! YAML profiles, read event by event: numbers keep their digits as written
//! (a YAML library's `f64` would round them), and nesting and the count of
//! values are bounded while reading, so that no file holds the reader for
//! long. Never types a field: that is `value`'s work.

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use serde_json::Value as Json;

use super::{Entries, MAX_NESTING, MAX_VALUES, Refused, json_number, not_a_number, too_deep, too_many};

/// A list or a table being read, with the key whose value comes next.
enum Open {
    List(Vec<Json>),
    Table { entries: Entries, key: Option<String> },
}

/// The top-level fields of a YAML profile, in the order written.
pub(super) fn read(text: &str) -> Result<Entries, Refused> {
    let mut open: Vec<Open> = Vec::new();
    let mut fields: Option<Entries> = None;
    let mut documents = 0_usize;
    let mut values = 0_usize;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|error| {
            let place = (error.marker().line(), error.marker().col() + 1);
            match error.info() {
                // The scanner's own bound on flow nesting, beyond the profile's.
                "recursion limit exceeded" => too_deep(place),
                info => Refused::at(format!("not valid YAML: {info}"), place),
            }
        })?;
        let place = (span.start.line(), span.start.col() + 1);
        let value = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => continue,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(Refused::at("a profile is one YAML document, this file holds several", place)
                        .with_help("keep one physician's fields per file, without a second `---`"));
                }
                continue;
            }
            Event::Alias(_) => {
                return Err(Refused::at("a profile cannot repeat a value by alias (`*name`)", place)
                    .with_field(field(&open))
                    .with_help("write the value itself"));
            }
            Event::SequenceStart(_, tag) | Event::MappingStart(_, tag) if tag.is_some() => {
                return Err(unknown_tag(tag.as_deref(), place).with_field(field(&open)));
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                // The profile's own table is not one of its values.
                values += usize::from(!open.is_empty());
                if values > MAX_VALUES {
                    return Err(too_many(place));
                }
                if open.len() >= MAX_NESTING {
                    return Err(too_deep(place).with_field(field(&open)));
                }
                if matches!(open.last(), Some(Open::Table { key: None, .. })) {
                    return Err(Refused::at("a key must be a name, not a list or a table", place));
                }
                open.push(match event {
                    Event::SequenceStart(..) => Open::List(Vec::new()),
                    _ => Open::Table { entries: Vec::new(), key: None },
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match open.pop() {
                Some(Open::List(items)) => Json::Array(items),
                Some(Open::Table { entries, .. }) if open.is_empty() => {
                    fields = Some(entries);
                    continue;
                }
                Some(Open::Table { entries, .. }) => Json::Object(entries.into_iter().collect()),
                None => continue,
            },
            Event::Scalar(text, style, _, tag) => {
                // A key is not a value: counted as a JSON or TOML reader counts.
                if let Some(Open::Table { key: key @ None, .. }) = open.last_mut() {
                    *key = Some(text.into_owned());
                    continue;
                }
                values += 1;
                if values > MAX_VALUES {
                    return Err(too_many(place));
                }
                scalar(&text, style, tag.as_deref(), field(&open)).map_err(|refused| refused.at_place(place))?
            }
        };
        match open.last_mut() {
            Some(Open::List(items)) => items.push(value),
            Some(Open::Table { entries, key }) => {
                let key = key.take().unwrap_or_default();
                entries.push((key, value));
            }
            None => {
                return Err(Refused::at("a profile is a set of fields, `name: value`", place)
                    .with_help("write one field per line, e.g. `patientele_mt: 700`"));
            }
        }
    }
    // An empty file is a profile with no fields, as an empty TOML file is.
    Ok(fields.unwrap_or_default())
}

/// The field being read, for a message: the top-level key whose value this is.
fn field(open: &[Open]) -> Option<String> {
    match open.first() {
        Some(Open::Table { key, .. }) => key.clone(),
        _ => None,
    }
}

/// A scalar's value: quoted, a text; plain, what YAML 1.2's core schema makes
/// of it (nothing, a boolean, a number, else a text).
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>, field: Option<String>) -> Result<Json, Refused> {
    let core = match tag {
        None => None,
        Some(tag) if tag.is_yaml_core_schema() => Some(tag.suffix.as_str()),
        Some(tag) => return Err(unknown_tag(Some(tag), (0, 0)).with_field(field)),
    };
    let plain = style == ScalarStyle::Plain;
    match core {
        Some("str") => return Ok(Json::String(text.to_owned())),
        None if !plain => return Ok(Json::String(text.to_owned())),
        Some("null") | None if matches!(text, "" | "~" | "null" | "Null" | "NULL") => return Ok(Json::Null),
        Some("bool") | None if matches!(text, "true" | "True" | "TRUE") => return Ok(Json::Bool(true)),
        Some("bool") | None if matches!(text, "false" | "False" | "FALSE") => return Ok(Json::Bool(false)),
        _ => {}
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN") {
        return Err(not_a_number(text, field));
    }
    let number = if let Some(hexadecimal) = text.strip_prefix("0x") {
        u128::from_str_radix(hexadecimal, 16).ok().map(|value| value.to_string())
    } else if let Some(octal) = text.strip_prefix("0o") {
        u128::from_str_radix(octal, 8).ok().map(|value| value.to_string())
    } else {
        Some(text.to_owned())
    };
    match (number.and_then(|number| json_number(&number)), core) {
        (Some(number), None | Some("int" | "float")) => Ok(number),
        (None, None) => Ok(Json::String(text.to_owned())),
        (_, Some(kind)) => Err(Refused::new(format!("`{text}` is not a value of YAML's `!!{kind}`"))
            .with_field(field)
            .with_help("write the value without a tag")),
    }
}

fn unknown_tag(tag: Option<&Tag>, place: (usize, usize)) -> Refused {
    let written = tag.map(|tag| format!("{}{}", tag.handle, tag.suffix)).unwrap_or_default();
    Refused::at(format!("a profile's values carry no tag, found `{written}`"), place)
        .with_help("write the value without its tag")
}
