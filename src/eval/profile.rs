//! Profiles: a physician's facts, read from TOML, JSON or YAML and validated
//! against the profile the policy declares. Every problem names the file and
//! the field, and the line where the format gives one.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value as Json;

use crate::check::diagnostic::suggest;
use crate::check::model::{CheckedPolicy, FieldDef, Value};
use crate::check::types::Type;

const UNREADABLE: &str = "avenant::profile::unreadable";
const MISSING_FIELD: &str = "avenant::profile::missing_field";
const INVALID_VALUE: &str = "avenant::profile::invalid_value";
const UNKNOWN_FIELD: &str = "avenant::profile::unknown_field";

/// Keys a profile file may carry besides the policy's fields.
pub const PROFILE_META_KEYS: [&str; 2] = ["name", "description"];

/// A profile document as read, not yet validated.
#[derive(Debug, Clone)]
pub struct ProfileInput {
    pub path: PathBuf,
    pub text: String,
    pub document: serde_json::Map<String, Json>,
}

/// A validated profile: one value per declared field, by field order.
#[derive(Debug, Clone)]
pub struct Profile {
    pub(crate) values: Vec<Option<Value>>,
    pub name: Option<String>,
    pub description: Option<String>,
}

/// A problem with a profile, in the words of its author.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ProfileError {
    /// Stable: `avenant::profile::missing_field`, `unknown_field`, `invalid_value`, `unreadable`.
    pub code: &'static str,
    pub file: PathBuf,
    pub field: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl ProfileError {
    fn new(code: &'static str, file: &Path, field: Option<&str>, message: impl Into<String>) -> Self {
        ProfileError {
            code,
            file: file.to_owned(),
            field: field.map(str::to_owned),
            line: None,
            column: None,
            message: message.into(),
            help: None,
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:column` or `file`, for the start of a report line.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", self.file.display()),
            (Some(line), None) => format!("{}:{line}", self.file.display()),
            _ => self.file.display().to_string(),
        }
    }
}

/// The formats a profile may be written in, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileFormat {
    Toml,
    Json,
    Yaml,
}

impl ProfileFormat {
    pub fn of(path: &Path) -> Option<ProfileFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "toml" => Some(ProfileFormat::Toml),
            "json" => Some(ProfileFormat::Json),
            "yaml" | "yml" => Some(ProfileFormat::Yaml),
            _ => None,
        }
    }
}

impl ProfileInput {
    /// Parses a profile file's text; the format follows the extension.
    pub fn parse(path: &Path, text: &str) -> Result<ProfileInput, Box<ProfileError>> {
        let Some(format) = ProfileFormat::of(path) else {
            let error = unreadable(path, "unknown profile format".to_owned(), None);
            return Err(Box::new(error.with_help("name the file `.toml`, `.json`, `.yaml` or `.yml`")));
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let document: Fields = match format {
            ProfileFormat::Json => serde_json::from_str(text).map_err(|error| {
                let message = format!("not valid JSON: {}", strip_position(&error.to_string()));
                unreadable(path, message, Some((error.line(), error.column())))
            })?,
            ProfileFormat::Toml => toml::from_str(text).map_err(|error| {
                let place = error.span().map(|span| line_column(text, span.start));
                unreadable(path, format!("not valid TOML: {}", error.message()), place)
            })?,
            ProfileFormat::Yaml => serde_yaml_ng::from_str(text).map_err(|error| {
                let place = error.location().map(|location| (location.line(), location.column()));
                unreadable(path, format!("not valid YAML: {}", strip_position(&error.to_string())), place)
            })?,
        };
        let mut fields = serde_json::Map::new();
        for (key, value) in document.0 {
            if fields.contains_key(&key) {
                // JSON parsers keep the last of two equal keys: a value would be lost unseen.
                let mut error =
                    ProfileError::new(UNREADABLE, path, Some(&key), format!("the field `{key}` is given twice"));
                error.line = key_lines(text, &key).nth(1);
                return Err(Box::new(error.with_help("give each field once")));
            }
            fields.insert(key, value);
        }
        Ok(ProfileInput { path: path.to_owned(), text: text.to_owned(), document: fields })
    }
}

/// A profile's top-level fields in the order written, duplicates kept so
/// that they can be refused.
struct Fields(Vec<(String, Json)>);

impl<'de> serde::Deserialize<'de> for Fields {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Fields;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("a set of fields, `name = value`")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut fields = Vec::new();
                while let Some(entry) = map.next_entry::<String, Json>()? {
                    fields.push(entry);
                }
                Ok(Fields(fields))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// A file that is not a profile at all, with the place its parser gave.
fn unreadable(path: &Path, message: String, place: Option<(usize, usize)>) -> Box<ProfileError> {
    let mut error = ProfileError::new(UNREADABLE, path, None, message);
    error.line = place.map(|(line, _)| line);
    error.column = place.map(|(_, column)| column);
    Box::new(error)
}

impl Profile {
    /// Validates a profile against the policy's declared fields; every
    /// problem is reported, not only the first.
    pub fn validate(policy: &CheckedPolicy, input: &ProfileInput) -> Result<Profile, Vec<ProfileError>> {
        Profile::validate_with(policy, input, &[])
    }

    /// As [`Profile::validate`], where `tolerated` names fields other texts of
    /// the policy's family declare: a profile may carry them, and they are
    /// ignored here. Any other unknown field is an error (a misspelt optional
    /// field would otherwise be silently absent).
    pub fn validate_with(
        policy: &CheckedPolicy,
        input: &ProfileInput,
        tolerated: &[String],
    ) -> Result<Profile, Vec<ProfileError>> {
        let path = input.path.as_path();
        let mut errors = Vec::new();
        let mut values = Vec::with_capacity(policy.fields.len());
        for field in &policy.fields {
            match input.document.get(&field.name) {
                None | Some(Json::Null) => {
                    if let Some(default) = &field.default {
                        values.push(Some(default.clone()));
                    } else if field.optional {
                        values.push(None);
                    } else {
                        let help = format!(
                            "add `{}`{}",
                            field.name,
                            field.label.as_ref().map(|label| format!(": {label}")).unwrap_or_default()
                        );
                        errors.push(
                            ProfileError::new(
                                MISSING_FIELD,
                                path,
                                Some(&field.name),
                                format!("the field `{}` is missing", field.name),
                            )
                            .with_help(help),
                        );
                        values.push(None);
                    }
                }
                Some(json) => match convert(policy, field, json) {
                    Ok(value) => values.push(Some(value)),
                    Err((message, help)) => {
                        let mut error = ProfileError::new(INVALID_VALUE, path, Some(&field.name), message);
                        error.help = help;
                        error.line = key_lines(&input.text, &field.name).next();
                        errors.push(error);
                        values.push(None);
                    }
                },
            }
        }
        for key in input.document.keys() {
            let known = policy.fields.iter().any(|field| field.name == *key) || tolerated.contains(key);
            if PROFILE_META_KEYS.contains(&key.as_str()) || known {
                continue;
            }
            let names = policy.fields.iter().map(|field| field.name.as_str());
            let help = suggest(key, names)
                .unwrap_or_else(|| format!("the policy `{}` reads {}", policy.header.name, field_list(policy)));
            let mut error =
                ProfileError::new(UNKNOWN_FIELD, path, Some(key), format!("unknown field `{key}`")).with_help(help);
            error.line = key_lines(&input.text, key).next();
            errors.push(error);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let text = |key: &str| input.document.get(key).and_then(Json::as_str).map(str::to_owned);
        Ok(Profile { values, name: text("name"), description: text("description") })
    }
}

fn field_list(policy: &CheckedPolicy) -> String {
    policy.fields.iter().map(|field| format!("`{}`", field.name)).collect::<Vec<_>>().join(", ")
}

/// One field's value, or why it is not one.
fn convert(policy: &CheckedPolicy, field: &FieldDef, json: &Json) -> Result<Value, (String, Option<String>)> {
    let name = &field.name;
    let wrong = |expected: &str| (format!("`{name}` must be {expected}, found {}", describe(json)), None);
    match field.ty {
        Type::Bool => json.as_bool().map(Value::Bool).ok_or_else(|| wrong("`true` or `false`")),
        Type::Patients { .. } => {
            let count = decimal(json, false)
                .ok_or_else(|| too_large(json).unwrap_or_else(|| wrong("a whole number of patients")))?;
            if count.is_sign_negative() && !count.is_zero() {
                return Err((
                    format!("`{name}` cannot be negative, found {count}"),
                    Some("a count of patients is zero or more".to_owned()),
                ));
            }
            if !count.fract().is_zero() {
                return Err((format!("`{name}` must be a whole number of patients, found {count}"), None));
            }
            Ok(Value::Decimal(count.normalize()))
        }
        Type::Euros | Type::Number => {
            decimal(json, false).map(Value::Decimal).ok_or_else(|| too_large(json).unwrap_or_else(|| wrong("a number")))
        }
        Type::Rate => decimal(json, true).map(Value::Decimal).ok_or_else(|| wrong("a rate, e.g. `0.85` or `\"85 %\"`")),
        Type::Date => date(json).map(Value::Date).ok_or_else(|| wrong("a date `YYYY-MM-DD`")),
        Type::Text => json.as_str().map(|text| Value::Text(text.into())).ok_or_else(|| wrong("a text")),
        Type::Enum(id) => {
            let enumeration = policy.enum_def(id);
            let names = || enumeration.variants.iter().map(|variant| variant.name.as_str());
            let Some(text) = json.as_str() else {
                let list = names().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
                return Err((format!("`{name}` must be one of {list}, found {}", describe(json)), None));
            };
            enumeration.variant_index(text).map(Value::Enum).ok_or_else(|| {
                let help = suggest(text, names()).unwrap_or_else(|| {
                    format!("the values are {}", names().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", "))
                });
                (format!("`{text}` is not a value of `{}`", enumeration.name), Some(help))
            })
        }
        Type::Row(_) | Type::Failures => Err(wrong("a value")),
    }
}

/// Why a number that is a number is not one we can hold.
fn too_large(json: &Json) -> Option<(String, Option<String>)> {
    match json {
        Json::Number(number) => Some((
            format!("the number `{number}` is beyond the range of exact decimals"),
            Some("numbers are exact decimals of at most 28 digits".to_owned()),
        )),
        _ => None,
    }
}

/// A number written as a number, or as text (`"12.5"`, `"85 %"` for a rate).
fn decimal(json: &Json, percent_allowed: bool) -> Option<Decimal> {
    match json {
        Json::Number(number) => parse_decimal(&number.to_string()),
        Json::String(text) => {
            let text = text.trim();
            match text.strip_suffix('%') {
                Some(percent) if percent_allowed => {
                    parse_decimal(percent.trim()).and_then(|value| value.checked_div(Decimal::ONE_HUNDRED))
                }
                Some(_) => None,
                None => parse_decimal(text),
            }
        }
        _ => None,
    }
}

fn parse_decimal(text: &str) -> Option<Decimal> {
    Decimal::from_str(text).ok().or_else(|| Decimal::from_scientific(text).ok())
}

fn date(json: &Json) -> Option<jiff::civil::Date> {
    let text = match json {
        Json::String(text) => text.as_str(),
        // TOML dates arrive as a one-key table when read into JSON values.
        Json::Object(map) => map.values().next().and_then(Json::as_str)?,
        _ => return None,
    };
    jiff::civil::Date::from_str(text.trim()).ok()
}

fn describe(json: &Json) -> String {
    match json {
        Json::Null => "nothing".to_owned(),
        Json::Bool(value) => format!("`{value}`"),
        Json::Number(number) => format!("the number `{number}`"),
        Json::String(text) => format!("the text `\"{text}\"`"),
        Json::Array(_) => "a list".to_owned(),
        Json::Object(_) => "a table".to_owned(),
    }
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(position) => message[..position].to_owned(),
        None => message.to_owned(),
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |last| last.chars().count()) + 1;
    (line, column)
}

/// The lines where a top-level key is written, in any of the three formats.
fn key_lines<'a>(text: &'a str, key: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.lines()
        .enumerate()
        .filter(move |(_, line)| {
            let line = line.trim_start();
            let rest = line
                .strip_prefix('"')
                .and_then(|rest| rest.strip_prefix(key))
                .and_then(|rest| rest.strip_prefix('"'))
                .or_else(|| line.strip_prefix(key));
            rest.is_some_and(|rest| {
                let rest = rest.trim_start();
                rest.starts_with('=') || rest.starts_with(':')
            })
        })
        .map(|(index, _)| index + 1)
}
