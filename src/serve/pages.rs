//! The pages, their style sheet and scripts, built into the binary: the
//! server needs no file beside it, and a page asks no other host for
//! anything (its Content-Security-Policy allows only the server itself).

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::ApiError;

/// Only this server's own scripts, styles and API; no frame, no form elsewhere.
const POLICY: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

fn page(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

pub async fn simulator() -> Response {
    page(include_str!("../../web/simulator.html"), "text/html; charset=utf-8")
}

pub async fn playground() -> Response {
    page(include_str!("../../web/playground.html"), "text/html; charset=utf-8")
}

pub async fn asset(Path(name): Path<String>) -> Response {
    let (body, content_type) = match name.as_str() {
        "style.css" => (include_str!("../../web/style.css"), "text/css; charset=utf-8"),
        "common.js" => (include_str!("../../web/common.js"), "text/javascript; charset=utf-8"),
        "simulator.js" => (include_str!("../../web/simulator.js"), "text/javascript; charset=utf-8"),
        "playground.js" => (include_str!("../../web/playground.js"), "text/javascript; charset=utf-8"),
        _ => return ApiError::not_found().into_response(),
    };
    page(body, content_type)
}
