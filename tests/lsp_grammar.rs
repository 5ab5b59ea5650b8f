//! The TextMate grammar (`editors/vscode/syntaxes/avenant.tmLanguage.json`),
//! tested with the established tool `vscode-tmgrammar-test` (installed by
//! `.ci/setup-editors` into `editors/vscode/node_modules`): its assertions
//! on lines of the shipped policies, then every shipped policy tokenized
//! whole, where no text may be left unscoped and no keyword read as a name.
//! Without the tool the test fails under CI (`CI=true`).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn extension() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("editors/vscode")
}

/// The tool's command, if installed; under CI its absence is a failure.
fn tool(name: &str) -> Option<PathBuf> {
    let path = extension().join("node_modules/.bin").join(name);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("{} is missing: run .ci/setup-editors", path.display());
    }
    eprintln!("{name} is missing: the grammar test did not run (run .ci/setup-editors)");
    None
}

fn run(command: &Path, args: &[&str]) -> String {
    let output = Command::new(command).args(args).current_dir(extension()).output().expect("node runs the tool");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{} failed:\n{text}", command.display());
    text
}

#[test]
fn the_grammar_passes_its_assertions_on_lines_of_the_shipped_policies() {
    let Some(test) = tool("vscode-tmgrammar-test") else { return };
    let report = run(&test, &["-g", "syntaxes/avenant.tmLanguage.json", "tests/*.test.policy"]);
    assert!(report.contains("shipped.test.policy run successfuly"), "{report}");
}

/// One tokenized line: its text, and the scopes of each of its characters.
fn scoped_lines(snapshot: &str) -> Vec<(Vec<char>, Vec<String>)> {
    let mut lines: Vec<(Vec<char>, Vec<String>)> = Vec::new();
    for line in snapshot.lines() {
        if let Some(source) = line.strip_prefix('>') {
            let characters: Vec<char> = source.chars().collect();
            let scopes = vec![String::new(); characters.len()];
            lines.push((characters, scopes));
        } else if let Some(assertion) = line.strip_prefix('#')
            && let Some((_, scopes)) = lines.last_mut()
        {
            let start = assertion.find('^').unwrap_or(0);
            let length = assertion[start..].chars().take_while(|character| *character == '^').count();
            let scope = assertion[start + length..].trim().to_owned();
            // Columns count the `#` that opens the assertion line.
            for column in start + 1..start + 1 + length {
                if let Some(slot) = scopes.get_mut(column - 1) {
                    slot.clone_from(&scope);
                }
            }
        }
    }
    lines
}

#[test]
fn every_shipped_policy_is_scoped_whole() {
    let Some(snap) = tool("vscode-tmgrammar-snap") else { return };
    let copies = tempfile::tempdir().unwrap();
    let policies = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut count = 0;
    for entry in std::fs::read_dir(&policies).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|extension| extension == "policy") {
            std::fs::copy(&path, copies.path().join(path.file_name().unwrap())).unwrap();
            count += 1;
        }
    }
    assert!(count >= 4, "the shipped policies: {count}");
    let pattern = format!("{}/*.policy", copies.path().display());
    run(&snap, &["-s", "source.avenant", "-g", "syntaxes/avenant.tmLanguage.json", "--updateSnapshot", &pattern]);
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(copies.path()).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".policy.snap") {
            continue;
        }
        let snapshot = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for (number, (characters, scopes)) in scoped_lines(&snapshot).iter().enumerate() {
            let line: String = characters.iter().collect();
            for (character, scope) in characters.iter().zip(scopes) {
                if !character.is_whitespace() && scope == "source.avenant" && !"{}()[],:.".contains(*character) {
                    problems.push(format!("{name}:{}: `{character}` has no scope in `{line}`", number + 1));
                }
            }
            if line.trim_start().starts_with('#')
                && !scopes
                    .iter()
                    .zip(characters)
                    .any(|(scope, character)| *character == '#' && scope.contains("comment"))
            {
                problems.push(format!("{name}:{}: a comment not scoped as one", number + 1));
            }
            let mut column = 0;
            for word in line.split(|character: char| !(character.is_ascii_alphanumeric() || character == '_')) {
                let at = line[column..].find(word).map_or(column, |offset| column + offset);
                let character_index = line[..at].chars().count();
                column = at + word.len();
                if avenant::lsp::lex::is_keyword(word)
                    && scopes.get(character_index).is_some_and(|scope| scope.contains("variable.other"))
                {
                    problems.push(format!("{name}:{}: the keyword `{word}` is scoped as a name", number + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
