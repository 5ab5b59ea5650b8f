//! The real server for tests: `avenant serve` started on a free loopback
//! port (it prints the address it took), stopped when dropped.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::BufRead as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value as Json;

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    agent: ureq::Agent,
}

impl Server {
    /// Serves `policies/` of the crate.
    pub fn start() -> Server {
        Server::start_with(Path::new("policies/"), &[])
    }

    /// Serves `directory` with more arguments (`--concurrent 2`, say).
    pub fn start_with(directory: &Path, arguments: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_avenant"))
            .arg("serve")
            .arg(directory)
            .args(["--addr", "127.0.0.1:0"])
            .args(arguments)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start avenant serve: {error}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).unwrap_or_else(|error| panic!("{error}"));
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("the server did not say where it listens: {line:?}"))
            .to_owned();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Server { child, base: format!("http://{address}"), agent }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET: the status and the body as text.
    pub fn get_text(&self, path: &str) -> (u16, String) {
        let mut response = self.agent.get(self.url(path)).call().unwrap_or_else(|error| panic!("GET {path}: {error}"));
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap_or_else(|error| panic!("GET {path}: {error}")))
    }

    /// GET: the status and the body as JSON.
    pub fn get(&self, path: &str) -> (u16, Json) {
        let (status, text) = self.get_text(path);
        (status, json(&text, path))
    }

    /// POST a body as it is: the status and the body as JSON.
    pub fn post_raw(&self, path: &str, body: impl AsRef<[u8]>) -> (u16, Json) {
        let mut response = self
            .agent
            .post(self.url(path))
            .header("Content-Type", "application/json")
            .send(body.as_ref())
            .unwrap_or_else(|error| panic!("POST {path}: {error}"));
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_else(|error| panic!("POST {path}: {error}"));
        (status, json(&text, path))
    }

    pub fn post(&self, path: &str, body: &Json) -> (u16, Json) {
        self.post_raw(path, body.to_string())
    }
}

fn json(text: &str, path: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("{path} did not answer JSON ({error}): {text}"))
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A profile file of `examples/` as the JSON object the API takes, read as avenant reads it.
pub fn profile_json(path: &Path) -> serde_json::Map<String, Json> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    avenant::ProfileInput::parse(path, &text).unwrap_or_else(|error| panic!("{}: {error}", path.display())).document
}

/// `avenant ARGS` run from the crate root: its exit code and standard output.
pub fn avenant(arguments: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_avenant"))
        .args(arguments)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|error| panic!("cannot run avenant: {error}"));
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The policies of the crate copied into a temporary directory, with `extra` texts added.
pub fn policies_with(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let directory = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, directory.path().join(path.file_name().unwrap())).unwrap();
    }
    for (name, text) in extra {
        std::fs::write(directory.path().join(name), text).unwrap();
    }
    directory
}
