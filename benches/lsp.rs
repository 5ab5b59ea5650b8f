//! Speed and memory of the language server on the shipped chain of texts.
//!
//! - `change → diagnostics`: a change notification to the 2019 text (a name
//!   misspelt, then corrected, in turn, so that every change publishes new
//!   diagnostics) until the server hands back the diagnostics to publish:
//!   the edit applied, the whole directory parsed, each of its four chains
//!   merged and checked, every diagnostic placed.
//! - the baseline, in the same run: `avenant::load_text` of the longest
//!   chain (the 2026 draft and the three texts it amends), what `avenant
//!   check` does for one text.
//! - memory: the resident size of the real `avenant lsp` process, idle and
//!   with the four texts open.
//!
//! `cargo bench --bench lsp` (add `-- --quick` for a shorter run).

// A benchmark fails loudly: a number measured on a broken run must not be printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

#[path = "shared/timing.rs"]
mod timing;
use timing::median;

use avenant::lsp::Server;
use criterion::Criterion;
use lsp_server::Notification;
use serde_json::json;

const TEXTS: [&str; 4] = [
    "policies/avenant-7.policy",
    "policies/reglement-arbitral-2023.policy",
    "policies/convention-2024.policy",
    "policies/proposition-2026.policy",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn uri(file: &str) -> String {
    format!("file://{}", root().join(file).display())
}

fn opened() -> Server {
    let mut server = Server::default();
    for file in TEXTS {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        server.notice(Notification::new(
            "textDocument/didOpen".to_owned(),
            json!({ "textDocument": { "uri": uri(file), "languageId": "avenant", "version": 1, "text": text } }),
        ));
    }
    server
}

/// Where the 2019 text reads `percentiles` (`rule thresholds`), as a line and a column.
fn place_of_the_name(text: &str) -> (usize, usize) {
    let at = text.find("rule thresholds = percentiles").unwrap() + "rule thresholds = ".len();
    let line = text[..at].matches('\n').count();
    (line, at - text[..at].rfind('\n').map_or(0, |newline| newline + 1))
}

/// The change that misspells `percentiles` there, or undoes it.
fn change((line, character): (usize, usize), misspell: bool) -> Notification {
    let (old, new) = if misspell { ("percentiles", "percentile") } else { ("percentile", "percentiles") };
    let range = json!({
        "start": { "line": line, "character": character },
        "end": { "line": line, "character": character + old.len() },
    });
    Notification::new(
        "textDocument/didChange".to_owned(),
        json!({ "textDocument": { "uri": uri(TEXTS[0]), "version": 2 }, "contentChanges": [{ "range": range, "text": new }] }),
    )
}

fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The real server's resident memory, idle and with the chain open: the
/// diagnostics of all four texts received first, so the analysis is done.
fn memory() -> (u64, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_avenant"))
        .arg("lsp")
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut send = |message: serde_json::Value| {
        let body = message.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    let mut receive = || {
        let mut length = 0;
        loop {
            let mut line = String::new();
            assert!(stdout.read_line(&mut line).unwrap() > 0, "the server stopped");
            if let Some(value) = line.trim_end().strip_prefix("Content-Length: ") {
                length = value.parse().unwrap();
            }
            if line.trim_end().is_empty() {
                break;
            }
        }
        let mut body = vec![0; length];
        stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()
    };
    send(json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} } }));
    receive();
    send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
    let idle = resident_kib(child.id());
    for file in TEXTS {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        send(
            json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": { "uri": uri(file), "languageId": "avenant", "version": 1, "text": text } } }),
        );
    }
    // Each opening publishes what changed; a hover answered after them all means they are done.
    send(
        json!({ "jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": { "textDocument": { "uri": uri(TEXTS[0]) }, "position": { "line": 0, "character": 0 } } }),
    );
    while receive()["id"] != json!(2) {}
    let open = resident_kib(child.id());
    send(json!({ "jsonrpc": "2.0", "id": 3, "method": "shutdown" }));
    while receive()["id"] != json!(3) {}
    send(json!({ "jsonrpc": "2.0", "method": "exit" }));
    child.wait().unwrap();
    (idle, open)
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let base = std::fs::read_to_string(root().join(TEXTS[0])).unwrap();
    let place = place_of_the_name(&base);
    let mut server = opened();
    let mut misspell = true;
    // Every change turns the 2023 and 2026 amendments' diagnostics on or off: something is published each time.
    let mut keystroke = || {
        let published = server.notice(change(place, misspell));
        misspell = !misspell;
        assert!(!published.is_empty(), "nothing published");
        black_box(published);
    };
    let longest = root().join(TEXTS[3]);
    let baseline = || drop(black_box(avenant::load_text(Path::new(&longest)).unwrap()));
    let mut group = criterion.benchmark_group("lsp");
    group.sample_size(30).measurement_time(Duration::from_secs(10)).warm_up_time(Duration::from_secs(2));
    group.bench_function("change_to_diagnostics", |bencher| bencher.iter(&mut keystroke));
    group.bench_function("baseline_load_text_of_the_longest_chain", |bencher| bencher.iter(baseline));
    group.finish();

    let (change_time, baseline_time) = (median(51, &mut keystroke), median(51, baseline));
    let (idle, open) = memory();
    println!("\nsummary (medians of 51 runs, this process)");
    println!(
        "  change → diagnostics: {:.2} ms, {:.2} × load_text of the longest chain ({:.2} ms)",
        change_time.as_secs_f64() * 1e3,
        change_time.as_secs_f64() / baseline_time.as_secs_f64(),
        baseline_time.as_secs_f64() * 1e3
    );
    println!(
        "  avenant lsp resident memory: {idle} KiB idle, {open} KiB with the chain open (+{} KiB)",
        open.saturating_sub(idle)
    );
}
