//! `avenant serve`: the policies of a directory over HTTP. A JSON API
//! (evaluate, explain, describe the profile's fields, list the texts, check a
//! text sent in the body), a simulator page for physicians and a playground
//! page for authors, all from one process over texts read and checked once,
//! at start. Nothing from a request is ever written to disk, and a request
//! never names a file: the texts are the directory's, the playground's text
//! lives in memory for the time of its request.
//!
//! The limits that keep it up under hostile use are in [`Limits`]; every
//! error is JSON with a stable `code` ([`error::ApiError`]).

mod api;
mod error;
pub mod fields;
mod openapi;
mod pages;
mod playground;
mod site;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, get, post};

pub use error::ApiError;
pub use site::Site;

/// What one request may ask of the server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of a request's body.
    pub body_bytes: usize,
    /// Profiles of one batch.
    pub batch: usize,
    /// Bytes of a policy text sent to the playground.
    pub text_bytes: usize,
    /// Time to evaluate, explain or check one request's body.
    pub time: Duration,
    /// Requests served at once; one more is answered 503 at once, not queued.
    pub concurrent: usize,
    /// Time a client has to send a request's headers, on a new connection
    /// or one kept alive: past it, the connection is closed, so that idle
    /// or trickling clients cannot hold connections without end.
    pub headers: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 256 * 1024,
            batch: 100,
            text_bytes: 64 * 1024,
            time: Duration::from_secs(5),
            concurrent: 64,
            headers: Duration::from_secs(10),
        }
    }
}

/// What the handlers share: the texts and the limits.
pub(crate) struct State {
    pub site: Site,
    pub limits: Limits,
    /// The requests at work: one more is answered 503 at once, once its
    /// body is read (a request shed before its body is read has its
    /// connection reset under the client, which then sees no answer).
    pub slots: Arc<tokio::sync::Semaphore>,
}

impl State {
    pub(crate) fn new(site: Site, limits: Limits) -> State {
        let slots = Arc::new(tokio::sync::Semaphore::new(limits.concurrent.max(1)));
        State { site, limits, slots }
    }
}

type Shared = Arc<State>;

/// Every route of the server, with its methods: the router is built from
/// this list, and the OpenAPI document is checked against it.
fn routes() -> Vec<(&'static str, &'static str, MethodRouter<Shared>)> {
    vec![
        ("/", "get", get(pages::simulator)),
        ("/playground", "get", get(pages::playground)),
        ("/assets/{name}", "get", get(pages::asset)),
        ("/api/openapi.json", "get", get(openapi::document)),
        ("/api/texts", "get", get(api::texts)),
        ("/api/fields", "get", get(api::fields)),
        ("/api/evaluate", "post", post(api::evaluate)),
        ("/api/evaluate/batch", "post", post(api::batch)),
        ("/api/explain", "post", post(api::explain)),
        ("/api/check", "post", post(playground::check)),
        ("/api/playground/evaluate", "post", post(playground::evaluate)),
    ]
}

/// The application: routes, JSON errors for unknown routes and methods, the
/// body limit and the time a body may take to arrive. At most
/// `limits.concurrent` requests work at once ([`api::blocking`]); the next
/// is answered 503.
pub fn router(site: Site, limits: Limits) -> Router {
    let state = Arc::new(State::new(site, limits));
    let mut router = Router::new();
    for (path, _, methods) in routes() {
        router = router.route(path, methods);
    }
    router
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&state), in_time))
        .with_state(state)
}

/// A request answered within its headers' time and its work's, once its
/// headers are read: a body that trickles in slower is answered 408 rather
/// than holding its connection without end. Work past its own limit is
/// answered 503 `timeout` by [`api::blocking`] before this falls.
async fn in_time(
    axum::extract::State(state): axum::extract::State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let limit = state.limits.headers + state.limits.time;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::request_timeout(limit.as_secs()).into_response(),
    }
}

/// Why the server stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot start the server: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves `site` on `listener` until the process ends. Evaluations and
/// checks run on a pool of threads with stacks as large as the main
/// thread's, as deep policies need.
pub fn serve(site: Site, limits: Limits, listener: std::net::TcpListener) -> Result<(), ServeError> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 * 1024 * 1024)
        .max_blocking_threads(limits.concurrent.max(1))
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = router(site, limits);
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                // Out of file descriptors, or a connection reset before it was
                // taken: the server goes on, after a breath for the former.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let service = hyper_util::service::TowerToHyperService::new(app.clone());
            tokio::spawn(async move {
                let mut http = hyper::server::conn::http1::Builder::new();
                http.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(limits.headers);
                // A connection's end, however it ends, concerns that client only.
                let _ = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
            });
        }
    })
}

#[cfg(test)]
mod tests {
    /// Every route of the router is in the OpenAPI document with its method, and nothing else is.
    #[test]
    fn the_openapi_document_lists_every_route() {
        let document = super::openapi::spec();
        let mut documented = std::collections::BTreeSet::new();
        for (path, operations) in document["paths"].as_object().into_iter().flatten() {
            for method in operations.as_object().into_iter().flat_map(|operations| operations.keys()) {
                documented.insert((path.clone(), method.clone()));
            }
        }
        let routed: std::collections::BTreeSet<(String, String)> =
            super::routes().into_iter().map(|(path, method, _)| (path.to_owned(), method.to_owned())).collect();
        assert_eq!(documented, routed);
    }

    /// Work past the time limit is answered `timeout` (503) when the limit falls, not when the work ends.
    #[tokio::test]
    async fn work_past_the_time_limit_is_answered_timeout() {
        let site = super::Site::load(std::path::Path::new("policies/")).unwrap();
        let limits = super::Limits { time: std::time::Duration::from_millis(50), ..super::Limits::default() };
        let state = std::sync::Arc::new(super::State::new(site, limits));
        let started = std::time::Instant::now();
        let answer = super::api::blocking(&state, || {
            std::thread::sleep(std::time::Duration::from_millis(800));
            Ok(())
        })
        .await;
        let error = answer.err().unwrap();
        assert_eq!((error.status.as_u16(), error.code), (503, "timeout"));
        assert!(started.elapsed() < std::time::Duration::from_millis(600));
    }
}
