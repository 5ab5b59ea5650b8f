//! Errors as the API answers them: a status and a JSON body
//! `{"error": {"code", "message", ...}}` whose `code` is stable. Never a
//! stack trace, never a path of the server's machine.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};

/// An answer other than success.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable: `bad_json`, `invalid_request`, `unknown_field`, `bad_date`,
    /// `too_large`, `batch_too_large`, `text_too_large`, `invalid_profile`,
    /// `no_text_in_force`, `unknown_text`, `not_in_force`, `cannot_evaluate`,
    /// `invalid_policy`, `unknown_output`, `timeout`, `request_timeout`, `overloaded`,
    /// `not_found`, `method_not_allowed`, `internal`.
    pub code: &'static str,
    pub message: String,
    /// More about the error: a profile's problems, a policy's diagnostics.
    pub details: Option<Box<(&'static str, Json)>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), details: None }
    }

    pub fn with(mut self, key: &'static str, details: Json) -> Self {
        self.details = Some(Box::new((key, details)));
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn too_large(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, code, message)
    }

    pub fn overloaded() -> Self {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "the server is busy; try again in a moment")
    }

    pub fn timeout(seconds: u64) -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!("the request took more than the {seconds} s a request may take"),
        )
    }

    pub fn request_timeout(seconds: u64) -> Self {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!("the request did not arrive whole within the {seconds} s the server waits for it"),
        )
    }

    pub fn not_found() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such page or endpoint; the API is described at /api/openapi.json",
        )
    }

    pub fn method_not_allowed() -> Self {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this endpoint does not take that method; see /api/openapi.json",
        )
    }

    pub fn internal() -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server failed to answer this request")
    }

    pub fn body(&self) -> Json {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let (Some(details), Some(object)) = (&self.details, error.as_object_mut()) {
            let (key, details) = details.as_ref();
            object.insert((*key).to_owned(), details.clone());
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}
