//! Speed of `avenant serve` on loopback, in one process: the server runs on
//! a thread of this bench, clients on others.
//!
//! 1. criterion: one evaluation of Dr A over HTTP (POST /api/evaluate, one
//!    client, a kept-alive connection) against the baseline, the same
//!    evaluation and its JSON done in process with no HTTP;
//! 2. load: throughput and p50/p99 latency of single evaluations with 1, 4
//!    and 16 concurrent clients, bounded in count and time;
//! 3. overload: 64 clients against a server that takes 4 requests at once:
//!    every request answered, counted as served or shed (503).
//!
//! `cargo bench --bench serve` (add `-- --quick` for a shorter criterion run).

// A benchmark fails loudly: a number measured on a broken run must not be printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use avenant::serve::{Limits, Site};
use criterion::Criterion;
use serde_json::{Value as Json, json};

const ON: &str = "2020-10-01";

/// Starts a server on a free loopback port, on threads of this process; its base URL.
fn start(limits: Limits) -> String {
    let site = Site::load(Path::new("policies/")).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || avenant::serve::serve(site, limits, listener).unwrap());
    format!("http://{address}")
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn dr_a() -> serde_json::Map<String, Json> {
    let path = Path::new("examples/dr-a.toml");
    avenant::ProfileInput::parse(path, &std::fs::read_to_string(path).unwrap()).unwrap().document
}

/// POSTs `body`; the status.
fn post(agent: &ureq::Agent, url: &str, body: &str) -> u16 {
    let mut response = agent.post(url).header("Content-Type", "application/json").send(body).unwrap();
    let status = response.status().as_u16();
    response.body_mut().read_to_string().unwrap();
    status
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// `clients` threads each sending `each` evaluations, or fewer if `within` runs out.
fn load(
    url: &str,
    body: &str,
    clients: usize,
    each: usize,
    within: Duration,
) -> (usize, Duration, Vec<Duration>, usize) {
    let deadline = Instant::now() + within;
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (url, body) = (url.to_owned(), body.to_owned());
            std::thread::spawn(move || {
                let agent = agent();
                let mut latencies = Vec::with_capacity(each);
                let mut refused = 0;
                for _ in 0..each {
                    if Instant::now() > deadline {
                        break;
                    }
                    let sent = Instant::now();
                    let status = post(&agent, &url, &body);
                    latencies.push(sent.elapsed());
                    if status != 200 {
                        refused += 1;
                    }
                }
                (latencies, refused)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut refused = 0;
    for thread in threads {
        let (mine, theirs) = thread.join().unwrap();
        latencies.extend(mine);
        refused += theirs;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    (latencies.len(), elapsed, latencies, refused)
}

fn main() {
    let base = start(Limits::default());
    let url = format!("{base}/api/evaluate");
    let profile = dr_a();
    let body = json!({ "profile": profile, "on": ON }).to_string();
    let agent = agent();
    assert_eq!(post(&agent, &url, &body), 200);

    // The baseline: what a request does, without HTTP.
    let site = Site::load(Path::new("policies/")).unwrap();
    let on: jiff::civil::Date = ON.parse().unwrap();
    let text = site.in_force(on).unwrap();
    let policy = &text.loaded.policy;
    let in_process = || {
        let source = serde_json::to_string(&profile).unwrap();
        let input = avenant::ProfileInput::parse(Path::new("profile.json"), &source).unwrap();
        let profile = avenant::Profile::validate(policy, &input).unwrap();
        let outcome = avenant::evaluate(policy, &profile, on).unwrap();
        let subject = avenant::output::Subject {
            profile_file: "request",
            profile_name: None,
            policy_file: "policies/",
            chain: &text.loaded.chain,
            on,
        };
        serde_json::to_string(&avenant::output::json::outcome(policy, &subject, &outcome)).unwrap()
    };

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("serve");
    group.bench_function("baseline: evaluate + JSON in process", |bench| bench.iter(|| black_box(in_process())));
    group.bench_function("POST /api/evaluate, one client", |bench| bench.iter(|| black_box(post(&agent, &url, &body))));
    group.finish();

    // The same two, timed here for the ratio of the summary.
    let time = |mut run: Box<dyn FnMut()>| {
        let started = Instant::now();
        for _ in 0..2000 {
            run();
        }
        started.elapsed() / 2000
    };
    let baseline = time(Box::new(|| {
        black_box(in_process());
    }));
    let over_http = time(Box::new(|| {
        black_box(post(&agent, &url, &body));
    }));
    println!();
    println!(
        "one evaluation: {baseline:?} in process, {over_http:?} over HTTP ({:.1} × the baseline)",
        over_http.as_secs_f64() / baseline.as_secs_f64()
    );

    println!();
    println!("load: single evaluations of Dr A, 4 000 requests at most, 20 s at most per row");
    println!("{:>8} {:>9} {:>12} {:>10} {:>10} {:>8}", "clients", "requests", "requests/s", "p50", "p99", "refused");
    for clients in [1, 4, 16] {
        let (count, elapsed, latencies, refused) = load(&url, &body, clients, 4000 / clients, Duration::from_secs(20));
        println!(
            "{clients:>8} {count:>9} {:>12.0} {:>10.2?} {:>10.2?} {refused:>8}",
            count as f64 / elapsed.as_secs_f64(),
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99)
        );
    }

    println!();
    let small = start(Limits { concurrent: 4, ..Limits::default() });
    let batch = json!({ "profiles": vec![Json::Object(profile.clone()); 100], "on": ON }).to_string();
    let (count, elapsed, _, shed) =
        load(&format!("{small}/api/evaluate/batch"), &batch, 64, 20, Duration::from_secs(60));
    println!(
        "overload: 64 clients × 20 batches of 100 against 4 slots: {count} of {} answered in {elapsed:.1?}, {} served, {shed} shed (503)",
        64 * 20,
        count - shed
    );
    assert_eq!(count, 64 * 20, "every request must be answered");
}
