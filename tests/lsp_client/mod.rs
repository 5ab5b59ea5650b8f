//! A language-server client for tests: starts the real `avenant lsp` and
//! speaks JSON-RPC to it over pipes, as an editor does (rust-analyzer's own
//! server tests work the same way). Diagnostics the server publishes are
//! kept per file as they arrive.

// A test that cannot talk to the server must fail loudly.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// The last diagnostics published for each file's address.
    pub diagnostics: HashMap<String, Vec<Value>>,
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The address of a file of the project.
pub fn uri(relative: &str) -> String {
    format!("file://{}", root().join(relative).display())
}

/// A file's address as a path relative to the project, for snapshots.
pub fn relative(uri: &str) -> String {
    let prefix = format!("file://{}/", root().display());
    uri.strip_prefix(&prefix).unwrap_or(uri).to_owned()
}

const WAIT: Duration = Duration::from_secs(20);

impl Client {
    /// Starts `avenant lsp` and initializes it.
    pub fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_avenant"))
            .arg("lsp")
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cannot start avenant lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = value.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let message: Value = serde_json::from_slice(&body).expect("a JSON message");
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        let mut client = Client { child, stdin, messages, next_id: 0, diagnostics: HashMap::new() };
        let capabilities =
            client.request("initialize", json!({ "processId": null, "rootUri": uri("policies"), "capabilities": {} }));
        assert!(capabilities["capabilities"]["hoverProvider"].as_bool().unwrap_or(false), "{capabilities}");
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("the server reads");
        self.stdin.flush().expect("the server reads");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its answer: the result, or the error object as `Err`.
    pub fn try_request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + WAIT;
        loop {
            let message = self.receive(deadline).unwrap_or_else(|| panic!("no answer to `{method}`"));
            if message["id"] == json!(id) {
                return match message.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(message["result"].clone()),
                };
            }
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.try_request(method, params).unwrap_or_else(|error| panic!("`{method}` failed: {error}"))
    }

    /// The next message, keeping published diagnostics on the way.
    fn receive(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(left) {
            Ok(message) => {
                if message["method"] == "textDocument/publishDiagnostics" {
                    let uri = message["params"]["uri"].as_str().unwrap_or("").to_owned();
                    let list = message["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
                    self.diagnostics.insert(uri, list);
                }
                Some(message)
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Waits until the diagnostics of `file` satisfy `test`; fails after a while.
    pub fn wait_diagnostics(&mut self, file: &str, test: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let address = uri(file);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(list) = self.diagnostics.get(&address)
                && test(list)
            {
                return list.clone();
            }
            if self.receive(deadline).is_none() {
                panic!("the diagnostics of {file} never came as expected; last: {:?}", self.diagnostics.get(&address));
            }
        }
    }

    pub fn open(&mut self, file: &str) -> String {
        let text = std::fs::read_to_string(root().join(file)).expect("a shipped policy");
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri(file), "languageId": "avenant", "version": 1, "text": text } }),
        );
        text
    }

    /// Replaces the first occurrence of `old` after `after` in the open `text` of `file` by `new`, as one edit.
    pub fn edit(&mut self, file: &str, text: &mut String, after: &str, old: &str, new: &str) {
        let from = text.find(after).unwrap_or_else(|| panic!("`{after}` not in {file}"));
        let start = from + text[from..].find(old).unwrap_or_else(|| panic!("`{old}` not after `{after}`"));
        let (start_position, end_position) = (position(text, start), position(text, start + old.len()));
        text.replace_range(start..start + old.len(), new);
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri(file), "version": 2 },
                "contentChanges": [{ "range": { "start": start_position, "end": end_position }, "text": new }],
            }),
        );
    }

    pub fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("the server ends");
        assert!(status.success(), "avenant lsp exited with {status}");
    }
}

/// The LSP position (line, UTF-16 column) of a byte offset.
pub fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let character: usize = before[line_start..].encode_utf16().count();
    json!({ "line": line, "character": character })
}

/// The position of the `nth` character of the first `needle` after `after` in `text`.
pub fn find(text: &str, after: &str, needle: &str) -> Value {
    let from = text.find(after).unwrap_or_else(|| panic!("`{after}` not found"));
    let at = from + text[from..].find(needle).unwrap_or_else(|| panic!("`{needle}` not after `{after}`"));
    position(text, at + 1)
}

/// `file:line:column` (1-based) of a location, for snapshots.
pub fn place(location: &Value) -> String {
    let uri = location["uri"].as_str().unwrap_or("?");
    let start = &location["range"]["start"];
    format!(
        "{}:{}:{}",
        relative(uri),
        start["line"].as_u64().unwrap_or(0) + 1,
        start["character"].as_u64().unwrap_or(0) + 1
    )
}

/// Diagnostics as a person reads them: place, severity, code, message.
pub fn describe_diagnostics(file: &str, list: &[Value]) -> String {
    list.iter()
        .map(|diagnostic| {
            let start = &diagnostic["range"]["start"];
            let severity = match diagnostic["severity"].as_u64() {
                Some(1) => "error",
                Some(2) => "warning",
                _ => "other",
            };
            let related: Vec<String> = diagnostic["relatedInformation"]
                .as_array()
                .map(|related| {
                    related
                        .iter()
                        .map(|info| {
                            format!(
                                "\n    related: {} {}",
                                place(&info["location"]),
                                info["message"].as_str().unwrap_or("")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "{file}:{}:{} {severity} [{}] {}{}",
                start["line"].as_u64().unwrap_or(0) + 1,
                start["character"].as_u64().unwrap_or(0) + 1,
                diagnostic["code"].as_str().unwrap_or(""),
                diagnostic["message"].as_str().unwrap_or(""),
                related.concat()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn policy_path(file: &str) -> PathBuf {
    Path::new("policies").join(file)
}
