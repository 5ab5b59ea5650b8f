//! The JSON API over the directory's texts: list them, describe the
//! profile's fields, evaluate one profile or a batch, explain one. A
//! request's JSON is read strictly (an unknown key is refused, not
//! ignored), its profile validated as a profile file is, and its work done
//! on the blocking pool under the time limit.

use std::path::Path;
use std::sync::Arc;

use axum::Json as JsonBody;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::{Map, Value as Json, json};

use super::site::Text;
use super::{ApiError, Shared};
use crate::output::{self, Subject};

/// What outcomes name as their profile's file: a profile sent in a request has none.
pub const REQUEST: &str = "request";

/// A request's body as `T`: JSON, within the body limit, with no key `T` does not know.
pub fn read<T: serde::de::DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let bytes = body.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large("too_large", "the request's body is larger than the server takes")
        } else {
            ApiError::bad_request("invalid_request", rejection.body_text())
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|error| {
        let place = format!("line {}, column {}", error.line(), error.column());
        match error.classify() {
            serde_json::error::Category::Data if error.to_string().starts_with("unknown field") => {
                ApiError::bad_request("unknown_field", format!("{error}"))
            }
            serde_json::error::Category::Data => ApiError::bad_request("invalid_request", format!("{error}")),
            _ => ApiError::bad_request("bad_json", format!("the body is not JSON ({place}): {error}")),
        }
    })
}

/// Runs `work` on the blocking pool; past the time limit the request is
/// answered `timeout` (the work, bounded, ends on its own).
pub async fn blocking<T: Send + 'static>(
    state: &Shared,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let limit = state.limits.time;
    // A slot, or 503 at once; held by the work itself, so that work past
    // its time still counts until it ends.
    let Ok(slot) = Arc::clone(&state.slots).try_acquire_owned() else { return Err(ApiError::overloaded()) };
    let work = move || {
        let result = work();
        drop(slot);
        result
    };
    match tokio::time::timeout(limit, tokio::task::spawn_blocking(work)).await {
        Err(_) => Err(ApiError::timeout(limit.as_secs().max(1))),
        Ok(Err(_)) => Err(ApiError::internal()),
        Ok(Ok(result)) => result,
    }
}

/// A date as requests write it, `YYYY-MM-DD`; none is today (UTC), as for `eval`.
pub fn date(on: Option<&str>) -> Result<Date, ApiError> {
    match on {
        None => Ok(jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date()),
        Some(text) => text
            .parse()
            .map_err(|_| ApiError::bad_request("bad_date", format!("`{text}` is not a date; write it YYYY-MM-DD"))),
    }
}

/// The text to evaluate against: the one named, or the one in force on `on`.
pub fn chosen<'a>(state: &'a Shared, on: Date, name: Option<&str>) -> Result<&'a Text, ApiError> {
    let site = &state.site;
    let Some(name) = name else {
        return site.in_force(on).ok_or_else(|| {
            ApiError::unprocessable("no_text_in_force", format!("no text of the directory is in force on {on}"))
        });
    };
    let text = site.named(name).ok_or_else(|| {
        let help = crate::check::diagnostic::suggest(name, site.names())
            .unwrap_or_else(|| format!("the texts there are: {}", site.names().collect::<Vec<_>>().join(", ")));
        ApiError::unprocessable("unknown_text", format!("no text named `{name}`; {help}"))
    })?;
    match text.effective {
        Some(effective) if effective > on => {
            Err(ApiError::unprocessable("not_in_force", format!("`{name}` takes effect on {effective}, after {on}")))
        }
        _ => Ok(text),
    }
}

/// A profile sent as a JSON object, validated against `text`'s policy as a
/// profile file would be; its problems are the error's `problems`.
pub fn profile(text: &Text, document: &Map<String, Json>) -> Result<crate::Profile, ApiError> {
    validated(&text.loaded.policy, document, &text.loaded.family_fields)
}

/// A profile validated against `policy`, `tolerated` naming fields of its family it may carry.
pub fn validated(
    policy: &crate::CheckedPolicy,
    document: &Map<String, Json>,
    tolerated: &[String],
) -> Result<crate::Profile, ApiError> {
    let source = serde_json::to_string_pretty(document).map_err(|_| ApiError::internal())?;
    let path = Path::new("profile.json");
    crate::ProfileInput::parse(path, &source)
        .map_err(|error| vec![*error])
        .and_then(|input| crate::Profile::validate_with(policy, &input, tolerated))
        .map_err(|errors| {
            let problems: Vec<Json> = errors
                .iter()
                .map(|error| json!({ "code": error.code, "field": error.field, "message": error.message, "help": error.help }))
                .collect();
            let first = errors.first().map_or_else(String::new, |error| error.message.clone());
            ApiError::unprocessable("invalid_profile", format!("the profile is not valid: {first}"))
                .with("problems", Json::Array(problems))
        })
}

/// The outcome JSON of `avenant eval --format json` for one profile.
pub fn outcome(state: &Shared, text: &Text, profile: &crate::Profile, on: Date) -> Result<Json, ApiError> {
    let policy = &text.loaded.policy;
    let outcome = crate::evaluate(policy, profile, on)
        .map_err(|error| ApiError::unprocessable("cannot_evaluate", error.to_string()))?;
    let subject = Subject {
        profile_file: REQUEST,
        profile_name: profile.name.as_deref(),
        policy_file: &state.site.directory,
        chain: &text.loaded.chain,
        on,
    };
    Ok(output::json::outcome(policy, &subject, &outcome))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    /// The physician's fields, as in a JSON profile file.
    profile: Map<String, Json>,
    /// `YYYY-MM-DD`; default today.
    #[serde(default)]
    on: Option<String>,
    /// A text of the directory to use instead of the one in force (a proposal).
    #[serde(default)]
    text: Option<String>,
}

pub async fn evaluate(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request: EvaluateRequest = read(body)?;
    let on = date(request.on.as_deref())?;
    let shared = Arc::clone(&state);
    blocking(&state, move || {
        let text = chosen(&shared, on, request.text.as_deref())?;
        let profile = profile(text, &request.profile)?;
        outcome(&shared, text, &profile, on)
    })
    .await
    .map(JsonBody)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    profiles: Vec<Map<String, Json>>,
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

/// Each profile's outcome, or its error, in the order sent.
pub async fn batch(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request: BatchRequest = read(body)?;
    let limit = state.limits.batch;
    if request.profiles.len() > limit {
        return Err(ApiError::too_large(
            "batch_too_large",
            format!("a batch holds at most {limit} profiles; this one holds {}", request.profiles.len()),
        ));
    }
    let on = date(request.on.as_deref())?;
    let shared = Arc::clone(&state);
    blocking(&state, move || {
        let text = chosen(&shared, on, request.text.as_deref())?;
        let outcomes: Vec<Json> = request
            .profiles
            .iter()
            .map(|document| {
                profile(text, document)
                    .and_then(|profile| outcome(&shared, text, &profile, on))
                    .unwrap_or_else(|error| error.body())
            })
            .collect();
        Ok(json!({ "outcomes": outcomes }))
    })
    .await
    .map(JsonBody)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplainRequest {
    profile: Map<String, Json>,
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    text: Option<String>,
    /// Outputs to explain by their dotted path (`options.option_1.aid`); default all.
    #[serde(default)]
    outputs: Vec<String>,
}

/// The JSON of `avenant explain --format json`.
pub async fn explain(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let request: ExplainRequest = read(body)?;
    let on = date(request.on.as_deref())?;
    let shared = Arc::clone(&state);
    blocking(&state, move || {
        let text = chosen(&shared, on, request.text.as_deref())?;
        let profile = profile(text, &request.profile)?;
        let policy = &text.loaded.policy;
        let (_, explanation) = crate::eval::explain(policy, &profile, on)
            .map_err(|error| ApiError::unprocessable("cannot_evaluate", error.to_string()))?;
        let mut roots = Vec::new();
        for path in &request.outputs {
            roots.push(explanation.find_output(path).ok_or_else(|| {
                ApiError::unprocessable("unknown_output", format!("the policy has no output `{path}`"))
            })?);
        }
        if roots.is_empty() {
            roots = explanation.outputs.clone();
        }
        let subject = Subject {
            profile_file: REQUEST,
            profile_name: profile.name.as_deref(),
            policy_file: &shared.site.directory,
            chain: &text.loaded.chain,
            on,
        };
        Ok(output::explain::json(policy, &subject, &explanation, &roots))
    })
    .await
    .map(JsonBody)
}

/// The texts of the directory, their dates and chains, and which is in force when.
pub async fn texts(State(state): State<Shared>) -> JsonBody<Json> {
    let texts: Vec<Json> = state
        .site
        .texts
        .iter()
        .map(|text| {
            let header = &text.loaded.policy.header;
            json!({
                "name": header.name,
                "title": header.title,
                "text": header.text,
                "effective": text.effective.map(|date| date.to_string()),
                "proposal": text.proposal,
                "amends": text.amends,
                "chain": text.loaded.chain,
                "sources": header.sources,
                "examples": text.loaded.policy.examples.len(),
            })
        })
        .collect();
    let today = date(None).ok();
    let in_force = today.and_then(|today| state.site.in_force(today)).map(Text::name);
    JsonBody(json!({ "directory": state.site.directory, "texts": texts, "in_force_today": in_force }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldsQuery {
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

/// The profile's fields of the text in force on `on`, for a form.
pub async fn fields(
    State(state): State<Shared>,
    query: Result<Query<FieldsQuery>, QueryRejection>,
) -> Result<JsonBody<Json>, ApiError> {
    let Query(query) = query.map_err(|rejection| {
        let message = rejection.body_text();
        let code = if message.contains("unknown field") { "unknown_field" } else { "invalid_request" };
        ApiError::bad_request(code, message)
    })?;
    let on = date(query.on.as_deref())?;
    let text = chosen(&state, on, query.text.as_deref())?;
    let header = &text.loaded.policy.header;
    let mut described = super::fields::describe(&text.loaded.policy);
    if let Some(object) = described.as_object_mut() {
        object.insert(
            "policy".to_owned(),
            json!({ "name": header.name, "title": header.title, "texts": text.loaded.chain, "on": on.to_string() }),
        );
    }
    Ok(JsonBody(described))
}
