//! Profiles: a physician's facts, read from TOML, JSON or YAML and validated
//! against the profile the policy declares. Every problem names the file and
//! the field, and the line where the format gives one.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde_json::Value as Json;

use crate::check::model::{CheckedPolicy, FieldDef, Value};
use crate::code::Code;

mod toml;
mod value;
mod yaml;

pub(crate) use value::RawValue;

pub(crate) const UNREADABLE: &str = Code::Unreadable.name();
pub(crate) const MISSING_FIELD: &str = Code::ProfileMissingField.name();
pub(crate) const INVALID_VALUE: &str = Code::InvalidValue.name();
pub(crate) const UNKNOWN_FIELD: &str = Code::UnknownField.name();

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
            let error = unreadable(path, Refused::new("unknown profile format"));
            return Err(Box::new(error.with_help("name the file `.toml`, `.json`, `.yaml` or `.yml`")));
        };
        if text.len() > MAX_PROFILE_BYTES {
            let refused =
                Refused::new(format!("the profile holds more than the {MAX_PROFILE_BYTES} bytes a profile may have"))
                    .with_help("a profile holds one physician's fields: is this the right file?");
            return Err(Box::new(unreadable(path, refused)));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let document = match format {
            ProfileFormat::Json => read_json(text),
            ProfileFormat::Toml => toml::read(text).and_then(bounded),
            ProfileFormat::Yaml => yaml::read(text),
        }
        .map_err(|refused| {
            // A problem the reader could not place is on the line of its field.
            let line = refused.field.as_deref().and_then(|field| key_lines(text, field).next());
            let mut error = unreadable(path, refused);
            error.line = error.line.or(line);
            Box::new(error)
        })?;
        let mut fields = serde_json::Map::new();
        for (key, value) in document {
            if fields.contains_key(&key) {
                // JSON parsers keep the last of two equal keys: a value would be lost unseen.
                let mut error = ProfileError::new(
                    UNREADABLE,
                    path,
                    Some(&key),
                    format!("the field `{}` is given twice", value::shortened(&key)),
                );
                error.line = key_lines(text, &key).nth(1);
                return Err(Box::new(error.with_help("give each field once")));
            }
            fields.insert(key, value);
        }
        Ok(ProfileInput { path: path.to_owned(), text: text.to_owned(), document: fields })
    }
}

/// The most bytes a profile file may hold: a physician's fields take a few
/// hundred; the bound keeps any file's reading to milliseconds.
pub const MAX_PROFILE_BYTES: usize = 64 << 10;

/// How deep lists and tables may nest in a profile (its fields take none).
pub const MAX_NESTING: usize = 32;

/// The most values (fields, items of lists, entries of tables) a profile holds.
pub const MAX_VALUES: usize = 10_000;

/// A profile's top-level fields, in the order written, a repeated key kept so
/// that it can be refused.
type Entries = Vec<(String, Json)>;

/// Why a file is not a profile, before it is given its file: the place the
/// reader found, and the field, where the reader knows them.
#[derive(Debug)]
struct Refused {
    message: String,
    help: Option<String>,
    place: Option<(usize, usize)>,
    field: Option<String>,
}

impl Refused {
    fn new(message: impl Into<String>) -> Refused {
        Refused { message: message.into(), help: None, place: None, field: None }
    }

    fn at(message: impl Into<String>, place: (usize, usize)) -> Refused {
        Refused { place: Some(place), ..Refused::new(message) }
    }

    fn at_place(self, place: (usize, usize)) -> Refused {
        Refused { place: Some(place), ..self }
    }

    fn with_help(self, help: impl Into<String>) -> Refused {
        Refused { help: Some(help.into()), ..self }
    }

    fn with_field(self, field: Option<String>) -> Refused {
        Refused { field: self.field.or(field), ..self }
    }
}

fn too_deep(place: (usize, usize)) -> Refused {
    Refused::at(format!("lists and tables nest more than {MAX_NESTING} levels deep"), place)
        .with_help("a profile's fields are single values: a number, a text, a date or `true`/`false`")
}

fn too_many(place: (usize, usize)) -> Refused {
    Refused::at(format!("the profile holds more than the {MAX_VALUES} values a profile may have"), place)
        .with_help("a profile holds one physician's fields: is this the right file?")
}

/// `inf`, `nan` or a number no decimal can be made of, where it is written.
fn not_a_number(written: &str, field: Option<String>) -> Refused {
    let written = value::shortened(written);
    let message = match &field {
        Some(field) => format!("`{field}` is `{written}`, not a number a policy accepts"),
        None => format!("`{written}` is not a number a policy accepts"),
    };
    Refused::new(message)
        .with_field(field)
        .with_help("numbers are exact decimals: write one, e.g. `0.85`, or leave the field out")
}

/// A number of a YAML or TOML file as a JSON number, its digits as written;
/// `None` for what JSON cannot write (`inf`, `nan`).
fn json_number(written: &str) -> Option<Json> {
    let unsigned = written.strip_prefix('+').unwrap_or(written);
    let (sign, digits) = unsigned.strip_prefix('-').map_or(("", unsigned), |digits| ("-", digits));
    // JSON wants a digit on each side of a point: YAML's `.5` and `5.` are `0.5` and `5.0`.
    let (mantissa, exponent) = digits.find(['e', 'E']).map_or((digits, ""), |at| digits.split_at(at));
    let mantissa = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            let whole = if whole.is_empty() { "0" } else { whole };
            let fraction = if fraction.is_empty() { "0" } else { fraction };
            format!("{whole}.{fraction}")
        }
        None => mantissa.to_owned(),
    };
    serde_json::Number::from_str(&format!("{sign}{mantissa}{exponent}")).ok().map(Json::Number)
}

/// A JSON profile's fields, repeated keys kept.
fn read_json(text: &str) -> Result<Entries, Refused> {
    let fields: Fields = serde_json::from_str(text).map_err(|error| {
        let place = (error.line(), error.column());
        match error.to_string() {
            // serde_json stops at 128 levels, beyond the profile's own bound.
            message if message.starts_with("recursion limit exceeded") => too_deep(place),
            message => Refused::at(format!("not valid JSON: {}", strip_position(&message)), place),
        }
    })?;
    bounded(fields.0)
}

/// A document read whole (JSON, TOML), held to the bounds a YAML file is held
/// to while it is read.
fn bounded(entries: Entries) -> Result<Entries, Refused> {
    fn measure(value: &Json, depth: usize, values: &mut usize) -> Result<(), Refused> {
        *values += 1;
        if *values > MAX_VALUES {
            return Err(too_many((0, 0)));
        }
        if depth > MAX_NESTING {
            return Err(too_deep((0, 0)));
        }
        match value {
            Json::Array(items) => items.iter().try_for_each(|item| measure(item, depth + 1, values)),
            Json::Object(table) => table.values().try_for_each(|item| measure(item, depth + 1, values)),
            Json::Null | Json::Bool(_) | Json::Number(_) | Json::String(_) => Ok(()),
        }
    }
    let mut values = 0;
    for (key, value) in &entries {
        measure(value, 1, &mut values)
            .map_err(|refused| Refused { place: None, ..refused.with_field(Some(key.clone())) })?;
    }
    Ok(entries)
}

/// A profile's top-level fields in the order written, duplicates kept so
/// that they can be refused.
pub(crate) struct Fields(pub(crate) Entries);

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

/// A file that is not a profile at all, with the place its reader gave.
fn unreadable(path: &Path, refused: Refused) -> ProfileError {
    let mut error = ProfileError::new(UNREADABLE, path, refused.field.as_deref(), refused.message);
    error.line = refused.place.map(|(line, _)| line);
    error.column = refused.place.map(|(_, column)| column);
    error.help = refused.help;
    error
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
        Some(raw) => value::convert(policy, field, raw).map(Some).map_err(|(message, help)| FieldProblem {
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
    let help = value::suggest_near(key, names)
        .unwrap_or_else(|| format!("the policy `{}` reads {}", policy.header.name, field_list(policy)));
    FieldProblem {
        code: UNKNOWN_FIELD,
        field: key.to_owned(),
        message: format!("unknown field `{}`", value::shortened(key)),
        help: Some(help),
    }
}

fn field_list(policy: &CheckedPolicy) -> String {
    policy.fields.iter().map(|field| format!("`{}`", field.name)).collect::<Vec<_>>().join(", ")
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

/// The lines where a top-level key is written, in any of the three formats:
/// at the start of a line, or quoted anywhere in it (a JSON object on one line).
fn key_lines<'a>(text: &'a str, key: &'a str) -> impl Iterator<Item = usize> + 'a {
    let quoted = format!("\"{key}\"");
    let followed_by_colon = |rest: &str| {
        let rest = rest.trim_start();
        rest.starts_with('=') || rest.starts_with(':')
    };
    text.lines()
        .enumerate()
        .filter(move |(_, line)| {
            let at_start = line.trim_start().strip_prefix(key).is_some_and(followed_by_colon);
            at_start
                || line
                    .match_indices(&quoted)
                    .any(|(at, _)| line.get(at + quoted.len()..).is_some_and(followed_by_colon))
        })
        .map(|(index, _)| index + 1)
}
