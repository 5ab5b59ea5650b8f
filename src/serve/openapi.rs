//! The OpenAPI 3.1 description of the server, served at `/api/openapi.json`.
//! A unit test holds it to the router's routes, and the API tests send a
//! request to every operation it documents.

use axum::Json as JsonBody;
use serde_json::{Value as Json, json};

fn error_response(description: &str) -> Json {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn json_body(schema: &str) -> Json {
    json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn json_ok(description: &str) -> Json {
    json!({ "description": description, "content": { "application/json": { "schema": { "type": "object" } } } })
}

fn html_ok(description: &str) -> Json {
    json!({ "description": description, "content": { "text/html": { "schema": { "type": "string" } } } })
}

/// The errors every operation that reads a body may answer.
fn body_errors(ok: Json) -> Json {
    json!({
        "200": ok,
        "400": error_response("bad_json, invalid_request, unknown_field or bad_date"),
        "408": error_response("request_timeout (the body arrived slower than the server waits)"),
        "413": error_response("too_large (the body), batch_too_large, text_too_large"),
        "422": error_response("invalid_profile (with `problems`), no_text_in_force, unknown_text, not_in_force, cannot_evaluate, invalid_policy (with `diagnostics`), unknown_output"),
        "503": error_response("overloaded (too many requests at once) or timeout"),
    })
}

fn date_parameter(location: &str) -> Json {
    json!({ "name": "on", "in": location, "required": false, "schema": { "type": "string", "format": "date" },
            "description": "the date of the evaluation, YYYY-MM-DD; default today (UTC): it picks the text in force" })
}

/// The document.
pub fn spec() -> Json {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "avenant",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The medical-assistant aid of the Convention médicale: evaluate, explain and check policies.",
        },
        "paths": {
            "/": { "get": { "summary": "The simulator page, for physicians (French)", "responses": { "200": html_ok("the page") } } },
            "/playground": { "get": { "summary": "The playground page, for authors of policy texts", "responses": { "200": html_ok("the page") } } },
            "/assets/{name}": { "get": {
                "summary": "A style sheet or script of the pages",
                "parameters": [{ "name": "name", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": { "200": { "description": "the file" }, "404": error_response("not_found") },
            } },
            "/api/openapi.json": { "get": { "summary": "This document", "responses": { "200": json_ok("the OpenAPI document") } } },
            "/api/texts": { "get": {
                "summary": "The texts of the policy directory: names, titles, dates, chains, and the one in force today",
                "responses": { "200": json_ok("the texts") },
            } },
            "/api/fields": { "get": {
                "summary": "The profile's fields of the text in force on a date (name, type, label, enumeration, optional, default), its enumerations and outputs (each with the enumeration it is indexed `by` and the `enum` its value is of)",
                "parameters": [date_parameter("query"),
                    { "name": "text", "in": "query", "required": false, "schema": { "type": "string" }, "description": "a text of the directory to use instead (a proposal)" }],
                "responses": body_errors(json_ok("the fields")),
            } },
            "/api/evaluate": { "post": {
                "summary": "Evaluate one profile: the outcome JSON of `avenant eval --format json`",
                "requestBody": json_body("Evaluate"),
                "responses": body_errors(json_ok("the outcome")),
            } },
            "/api/evaluate/batch": { "post": {
                "summary": "Evaluate a batch of profiles on one date: each outcome, or its error, in order",
                "requestBody": json_body("Batch"),
                "responses": body_errors(json_ok("{\"outcomes\": [...]}")),
            } },
            "/api/explain": { "post": {
                "summary": "Explain one profile: the JSON of `avenant explain --format json`, with values, sources and places",
                "requestBody": json_body("Explain"),
                "responses": body_errors(json_ok("the explanation")),
            } },
            "/api/check": { "post": {
                "summary": "Check a policy text (alone, or an amendment over the directory's text it names): diagnostics, and its examples run",
                "requestBody": json_body("Check"),
                "responses": body_errors(json_ok("{\"ok\", \"policy\", \"texts\", \"diagnostics\", \"examples\"}")),
            } },
            "/api/playground/evaluate": { "post": {
                "summary": "Evaluate a profile against a policy text sent in the body",
                "requestBody": json_body("PlaygroundEvaluate"),
                "responses": body_errors(json_ok("the outcome")),
            } },
        },
        "components": { "schemas": {
            "Profile": { "type": "object", "description": "a physician's fields, as in a JSON profile file; see /api/fields" },
            "Evaluate": { "type": "object", "additionalProperties": false, "required": ["profile"], "properties": {
                "profile": { "$ref": "#/components/schemas/Profile" },
                "on": { "type": "string", "format": "date" },
                "text": { "type": "string", "description": "a text of the directory to use instead of the one in force" } } },
            "Batch": { "type": "object", "additionalProperties": false, "required": ["profiles"], "properties": {
                "profiles": { "type": "array", "items": { "$ref": "#/components/schemas/Profile" }, "maxItems": super::Limits::default().batch },
                "on": { "type": "string", "format": "date" },
                "text": { "type": "string" } } },
            "Explain": { "type": "object", "additionalProperties": false, "required": ["profile"], "properties": {
                "profile": { "$ref": "#/components/schemas/Profile" },
                "on": { "type": "string", "format": "date" },
                "text": { "type": "string" },
                "outputs": { "type": "array", "items": { "type": "string" }, "description": "dotted paths: options.option_1.aid" } } },
            "Check": { "type": "object", "additionalProperties": false, "required": ["text"], "properties": {
                "text": { "type": "string", "maxLength": super::Limits::default().text_bytes } } },
            "PlaygroundEvaluate": { "type": "object", "additionalProperties": false, "required": ["text", "profile"], "properties": {
                "text": { "type": "string" },
                "profile": { "$ref": "#/components/schemas/Profile" },
                "on": { "type": "string", "format": "date" } } },
            "Error": { "type": "object", "required": ["error"], "properties": { "error": {
                "type": "object", "required": ["code", "message"],
                "properties": { "code": { "type": "string" }, "message": { "type": "string" } } } } },
        } },
    })
}

pub async fn document() -> JsonBody<Json> {
    JsonBody(spec())
}
