//! A real editor as the client: Neovim, headless, with its built-in LSP
//! client (`tests/lsp_editor.lua`), opens a copy of the shipped chain whose
//! 2024 text misspells a name, and reports the diagnostics and a hover it
//! got from `avenant lsp`. `.ci/setup-editors` installs Neovim; without it
//! the test fails under CI (`CI=true`) and says it did not run elsewhere.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `nvim` runs; under CI its absence is a failure, not a skip.
fn neovim_present() -> bool {
    let found =
        Command::new("nvim").arg("--version").stdout(Stdio::null()).status().is_ok_and(|status| status.success());
    if !found && std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("nvim is missing: run .ci/setup-editors");
    }
    if !found {
        eprintln!("nvim is missing: the editor test did not run (run .ci/setup-editors)");
    }
    found
}

fn copy_policies(to: &Path) {
    for entry in std::fs::read_dir(root().join("policies")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

#[test]
fn neovim_shows_the_diagnostics_and_a_hover_of_avenant_lsp() {
    if !neovim_present() {
        return;
    }
    let directory = tempfile::tempdir().unwrap();
    copy_policies(directory.path());
    let file = directory.path().join("convention-2024.policy");
    let text = std::fs::read_to_string(&file).unwrap();
    let mistake = text.find("  if contract_start >= revaluation_date").unwrap() + "  if contract_start >= ".len();
    let text = format!("{}revalution_date{}", &text[..mistake], &text[mistake + "revaluation_date".len()..]);
    std::fs::write(&file, &text).unwrap();
    // Hover the parameter's declaration: `param revaluation_date`.
    let declaration = text.find("param revaluation_date").unwrap() + "param ".len();
    let line = text[..declaration].matches('\n').count();
    let character = declaration - text[..declaration].rfind('\n').map_or(0, |at| at + 1);
    let out = directory.path().join("out.json");

    let mut nvim = Command::new("nvim")
        .args(["--headless", "--clean", "-u"])
        .arg(root().join("tests/lsp_editor.lua"))
        .env("AVENANT_BIN", env!("CARGO_BIN_EXE_avenant"))
        .env("AVENANT_FILE", &file)
        .env("AVENANT_OUT", &out)
        .env("AVENANT_HOVER_LINE", line.to_string())
        .env("AVENANT_HOVER_CHARACTER", character.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("nvim starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    while nvim.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            nvim.kill().ok();
            panic!("nvim did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("nvim wrote its report")).unwrap();
    assert!(report.get("error").is_none(), "{report}");
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let misspelt = diagnostics
        .iter()
        .find(|diagnostic| diagnostic["code"] == "avenant::check::unknown_name")
        .unwrap_or_else(|| panic!("no unknown-name diagnostic: {report}"));
    assert_eq!(misspelt["line"], text[..mistake].matches('\n').count() + 1, "{misspelt}");
    assert!(misspelt["message"].as_str().unwrap().contains("did you mean `revaluation_date`?"), "{misspelt}");
    let hover = report["hover"].as_str().unwrap_or_else(|| panic!("no hover: {report}"));
    assert!(hover.contains("param `revaluation_date`") && hover.contains("**established**"), "{hover}");
}
