//! Profiles: a physician's facts, read from TOML, JSON or YAML and validated
//! against the profile the policy declares. Every problem names the file and
//! the field, and the line where the format gives one.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value as Json;

use crate::check::diagnostic::suggest;
use crate::check::model::{CheckedPolicy, EnumDef, FieldDef, Value};
use crate::check::types::Type;

pub(crate) const UNREADABLE: &str = "avenant::profile::unreadable";
pub(crate) const MISSING_FIELD: &str = "avenant::profile::missing_field";
pub(crate) const INVALID_VALUE: &str = "avenant::profile::invalid_value";
pub(crate) const UNKNOWN_FIELD: &str = "avenant::profile::unknown_field";

/// Keys a profile file may carry besides the policy's fields.
pub const PROFILE_META_KEYS: [&str; 3] = ["id", "name", "description"];

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
pub(crate) struct Fields(pub(crate) Vec<(String, Json)>);

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
        Profile::from_document(policy, &input.document, tolerated).map_err(|problems| {
            problems
                .into_iter()
                .map(|problem| {
                    // A missing field has no line to point at; the others are where their key is written.
                    let line = match problem.code {
                        MISSING_FIELD => None,
                        _ => key_lines(&input.text, &problem.field).next(),
                    };
                    let mut error = ProfileError::new(problem.code, path, Some(&problem.field), problem.message);
                    error.help = problem.help;
                    error.line = line;
                    error
                })
                .collect()
        })
    }

    /// Validates a document already read (a profile file, or one line of a
    /// JSON Lines population): the same rules wherever the document came from.
    pub(crate) fn from_document(
        policy: &CheckedPolicy,
        document: &serde_json::Map<String, Json>,
        tolerated: &[String],
    ) -> Result<Profile, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut values = Vec::with_capacity(policy.fields.len());
        for field in &policy.fields {
            let raw = document.get(&field.name).map(RawValue::Json);
            match field_value(policy, field, raw) {
                Ok(value) => values.push(value),
                Err(problem) => {
                    problems.push(problem);
                    values.push(None);
                }
            }
        }
        for key in document.keys() {
            if PROFILE_META_KEYS.contains(&key.as_str()) || policy.field(key).is_some() || tolerated.contains(key) {
                continue;
            }
            problems.push(unknown_field(policy, key));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let text = |key: &str| document.get(key).and_then(Json::as_str).map(str::to_owned);
        Ok(Profile { values, name: text("name"), description: text("description") })
    }

    /// The profile's value of each declared field, in field order; `None` where absent.
    pub fn values(&self) -> &[Option<Value>] {
        &self.values
    }
}

/// A field's value as its reader found it, before it is given its type.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RawValue<'a> {
    /// A value of a TOML, JSON or YAML document (read into JSON values).
    Json(&'a Json),
    /// A cell of a CSV file: text, whatever the field's type.
    Cell(&'a str),
}

impl<'a> RawValue<'a> {
    /// JSON `null` and an empty CSV cell both mean the field is not given.
    fn is_absent(self) -> bool {
        match self {
            RawValue::Json(json) => json.is_null(),
            RawValue::Cell(text) => text.is_empty(),
        }
    }

    fn as_text(self) -> Option<&'a str> {
        match self {
            RawValue::Json(json) => json.as_str(),
            RawValue::Cell(text) => Some(text),
        }
    }
}

/// A problem with one field, before its reader gives it a place (a file and
/// line, or a row of a population).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldProblem {
    pub code: &'static str,
    pub field: String,
    pub message: String,
    pub help: Option<String>,
}

/// The value of one declared field, from what its reader found (`None`: the
/// field is not there). The one place where a profile's values are typed and
/// validated, whatever the format they were written in.
pub(crate) fn field_value(
    policy: &CheckedPolicy,
    field: &FieldDef,
    raw: Option<RawValue<'_>>,
) -> Result<Option<Value>, FieldProblem> {
    match raw.filter(|raw| !raw.is_absent()) {
        None if field.default.is_some() => Ok(field.default.clone()),
        None if field.optional => Ok(None),
        None => {
            let label = field.label.as_ref().map(|label| format!(": {label}")).unwrap_or_default();
            Err(FieldProblem {
                code: MISSING_FIELD,
                field: field.name.clone(),
                message: format!("the field `{}` is missing", field.name),
                help: Some(format!("add `{}`{label}", field.name)),
            })
        }
        Some(raw) => convert(policy, field, raw).map(Some).map_err(|(message, help)| FieldProblem {
            code: INVALID_VALUE,
            field: field.name.clone(),
            message,
            help,
        }),
    }
}

/// A key or column that names no declared field.
pub(crate) fn unknown_field(policy: &CheckedPolicy, key: &str) -> FieldProblem {
    let names = policy.fields.iter().map(|field| field.name.as_str());
    let help = suggest(key, names)
        .unwrap_or_else(|| format!("the policy `{}` reads {}", policy.header.name, field_list(policy)));
    FieldProblem {
        code: UNKNOWN_FIELD,
        field: key.to_owned(),
        message: format!("unknown field `{key}`"),
        help: Some(help),
    }
}

fn field_list(policy: &CheckedPolicy) -> String {
    policy.fields.iter().map(|field| format!("`{}`", field.name)).collect::<Vec<_>>().join(", ")
}

type Invalid = (String, Option<String>);

/// One field's value, or why it is not one: one function per type of field.
fn convert(policy: &CheckedPolicy, field: &FieldDef, raw: RawValue<'_>) -> Result<Value, Invalid> {
    let name = &field.name;
    let wrong = |expected: &str| (format!("`{name}` must be {expected}, found {}", describe(raw)), None);
    match field.ty {
        Type::Bool => bool_value(raw).map(Value::Bool).ok_or_else(|| wrong("`true` or `false`")),
        Type::Patients { .. } => count_value(name, raw).map(Value::Decimal),
        Type::Euros | Type::Number => {
            decimal(raw, false).map(Value::Decimal).ok_or_else(|| too_large(raw).unwrap_or_else(|| wrong("a number")))
        }
        Type::Rate => decimal(raw, true).map(Value::Decimal).ok_or_else(|| wrong("a rate, e.g. `0.85` or `\"85 %\"`")),
        Type::Date => date(raw).map(Value::Date).ok_or_else(|| wrong("a date `YYYY-MM-DD`")),
        Type::Text => raw.as_text().map(|text| Value::Text(text.into())).ok_or_else(|| wrong("a text")),
        Type::Enum(id) => enum_value(policy.enum_def(id), name, raw).map(Value::Enum),
        Type::Row(_) | Type::Failures => Err(wrong("a value")),
    }
}

/// `true` or `false`: a JSON boolean, or those words in a CSV cell.
fn bool_value(raw: RawValue<'_>) -> Option<bool> {
    match raw {
        RawValue::Json(json) => json.as_bool(),
        RawValue::Cell("true") => Some(true),
        RawValue::Cell("false") => Some(false),
        RawValue::Cell(_) => None,
    }
}

/// Why a number that is written as a number is not one we can hold.
fn too_large(raw: RawValue<'_>) -> Option<Invalid> {
    let written = match raw {
        RawValue::Json(Json::Number(number)) => number.to_string(),
        RawValue::Cell(text) if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) => text.to_owned(),
        _ => return None,
    };
    Some((
        format!("the number `{written}` is beyond the range of exact decimals"),
        Some("numbers are exact decimals of at most 28 digits".to_owned()),
    ))
}

/// A count of patients: whole and not negative.
fn count_value(name: &str, raw: RawValue<'_>) -> Result<Decimal, Invalid> {
    let count = decimal(raw, false).ok_or_else(|| {
        too_large(raw)
            .unwrap_or_else(|| (format!("`{name}` must be a whole number of patients, found {}", describe(raw)), None))
    })?;
    if count.is_sign_negative() && !count.is_zero() {
        return Err((
            format!("`{name}` cannot be negative, found {count}"),
            Some("a count of patients is zero or more".to_owned()),
        ));
    }
    if !count.fract().is_zero() {
        return Err((format!("`{name}` must be a whole number of patients, found {count}"), None));
    }
    Ok(count.normalize())
}

/// A value of an enumeration, by name, with a suggestion for a near miss.
fn enum_value(enumeration: &EnumDef, name: &str, raw: RawValue<'_>) -> Result<u16, Invalid> {
    let names = || enumeration.variants.iter().map(|variant| variant.name.as_str());
    let Some(text) = raw.as_text() else {
        let list = names().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
        return Err((format!("`{name}` must be one of {list}, found {}", describe(raw)), None));
    };
    enumeration.variant_index(text).ok_or_else(|| {
        let help = suggest(text, names()).unwrap_or_else(|| {
            format!("the values are {}", names().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", "))
        });
        (format!("`{text}` is not a value of `{}`", enumeration.name), Some(help))
    })
}

/// A number written as a number, or as text (`"12.5"`, `"85 %"` for a rate).
fn decimal(raw: RawValue<'_>, percent_allowed: bool) -> Option<Decimal> {
    let text = match raw {
        RawValue::Json(Json::Number(number)) => return parse_decimal(number.as_str()),
        RawValue::Json(Json::String(text)) => text.trim(),
        RawValue::Cell(text) => text.trim(),
        RawValue::Json(_) => return None,
    };
    match text.strip_suffix('%') {
        Some(percent) if percent_allowed => {
            parse_decimal(percent.trim()).and_then(|value| value.checked_div(Decimal::ONE_HUNDRED))
        }
        Some(_) => None,
        None => parse_decimal(text),
    }
}

fn parse_decimal(text: &str) -> Option<Decimal> {
    // Counts are mostly plain digits: read them as an integer (the same
    // decimal, scale 0, as `from_str` gives), which a population does millions of times.
    if (1..=18).contains(&text.len()) && text.bytes().all(|byte| byte.is_ascii_digit()) {
        return text.parse::<u64>().ok().map(Decimal::from);
    }
    Decimal::from_str(text).ok().or_else(|| Decimal::from_scientific(text).ok())
}

fn date(raw: RawValue<'_>) -> Option<jiff::civil::Date> {
    let text = match raw {
        RawValue::Json(Json::String(text)) => text.as_str(),
        // TOML dates arrive as a one-key table when read into JSON values.
        RawValue::Json(Json::Object(map)) => map.values().next().and_then(Json::as_str)?,
        RawValue::Cell(text) => text,
        RawValue::Json(_) => return None,
    };
    jiff::civil::Date::from_str(text.trim()).ok()
}

fn describe(raw: RawValue<'_>) -> String {
    match raw {
        RawValue::Json(Json::Null) => "nothing".to_owned(),
        RawValue::Json(Json::Bool(value)) => format!("`{value}`"),
        RawValue::Json(Json::Number(number)) => format!("the number `{number}`"),
        RawValue::Json(Json::String(text)) => format!("the text `\"{text}\"`"),
        RawValue::Cell(text) => format!("the text `\"{text}\"`"),
        RawValue::Json(Json::Array(_)) => "a list".to_owned(),
        RawValue::Json(Json::Object(_)) => "a table".to_owned(),
    }
}

pub(crate) fn strip_position(message: &str) -> String {
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
