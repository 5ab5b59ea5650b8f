//! `avenant serve` under more requests than it takes at once: every request
//! gets an answer (counted), those over the limit a JSON 503 `overloaded`,
//! and the server is still up and right afterwards. Bounded: 32 clients of
//! 8 requests each, with a deadline.

// A test helper fails loudly, with what it was doing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod serve_support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};
use serve_support::{Server, profile_json};

const CLIENTS: usize = 32;
const REQUESTS: usize = 8;

#[test]
fn under_overload_every_request_is_answered_and_the_server_stays_up() {
    let server = Arc::new(Server::start_with(Path::new("policies/"), &["--concurrent", "2"]));
    let dr_a = Json::Object(profile_json(Path::new("examples/dr-a.toml")));
    // A full batch keeps a slot busy long enough for the others to find none free.
    let body = Arc::new(json!({ "profiles": vec![dr_a.clone(); 100], "on": "2020-10-01" }).to_string());
    let deadline = Instant::now() + Duration::from_secs(240);
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (server, body) = (Arc::clone(&server), Arc::clone(&body));
            std::thread::spawn(move || {
                let mut answers = Vec::new();
                for _ in 0..REQUESTS {
                    if Instant::now() > deadline {
                        break;
                    }
                    let (status, answer) = server.post_raw("/api/evaluate/batch", body.as_bytes());
                    let code = answer["error"]["code"].as_str().map(str::to_owned);
                    let complete = answer["outcomes"].as_array().is_some_and(|outcomes| outcomes.len() == 100);
                    answers.push((status, code, complete));
                }
                answers
            })
        })
        .collect();
    let answers: Vec<(u16, Option<String>, bool)> = clients
        .into_iter()
        .flat_map(|client| client.join().expect("a client died: a request went unanswered"))
        .collect();
    assert_eq!(answers.len(), CLIENTS * REQUESTS, "the deadline passed before every request was sent");
    let served = answers.iter().filter(|(status, _, complete)| *status == 200 && *complete).count();
    let shed =
        answers.iter().filter(|(status, code, _)| *status == 503 && code.as_deref() == Some("overloaded")).count();
    assert_eq!(served + shed, answers.len(), "answers neither served nor shed: {answers:?}");
    assert!(served > 0, "nothing was served");
    assert!(shed > 0, "{CLIENTS} clients at once against 2 slots, and none was shed");
    eprintln!("{} requests: {served} served, {shed} shed with 503", answers.len());

    // Still up, and still right.
    let (status, outcome) = server.post("/api/evaluate", &json!({ "profile": dr_a, "on": "2020-10-01" }));
    assert_eq!(status, 200);
    assert_eq!(outcome["options"]["option_1"]["aid"]["year_1"], json!("12000.00"));
}
