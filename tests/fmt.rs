//! `avenant fmt`: every policy and fixture is in the canonical layout; a
//! messy policy formats to it in one pass, keeps its comments, and means
//! exactly what it meant (its examples evaluate identically).

mod common;

use common::{avenant, files, read, root, scratch};

/// Every valid policy of the project: the policies and the fixtures that parse.
fn formatted_policies() -> Vec<String> {
    let mut policies: Vec<String> = files("policies").into_iter().filter(|path| path.ends_with(".policy")).collect();
    policies.extend(files("tests/fixtures/examples"));
    policies.extend(files("tests/fixtures/check"));
    policies.extend(files("tests/fixtures/language"));
    // Amendment fixtures are folders of texts; a code raised in several
    // places has a folder of cases, each a text or a folder of texts.
    for folder in common::entries("tests/fixtures/check").into_iter().filter(|path| path.is_dir()) {
        policies.extend(files(&common::relative(&folder)));
        for case in common::entries(&common::relative(&folder)).into_iter().filter(|path| path.is_dir()) {
            policies.extend(files(&common::relative(&case)));
        }
    }
    policies
}

#[test]
fn every_policy_and_fixture_formats_to_itself() {
    for policy in formatted_policies() {
        let run = avenant(&["fmt", "--check", &policy]);
        assert_eq!(run.code, 0, "{policy} is not in the canonical layout:\n{}", run.transcript());
    }
}

/// The width `avenant fmt` wraps at.
const WIDTH: usize = 100;

#[test]
fn no_line_is_wider_than_the_width_where_a_break_is_possible() {
    let mut policies = formatted_policies();
    // The fixtures of `fmt`, once formatted: an `if / else if / else` and
    // chains of conditions written on one line each.
    for fixture in files("tests/fixtures/fmt") {
        let name = fixture.rsplit('/').next().unwrap_or(&fixture).to_owned();
        let path = scratch(&format!("width/{name}"), &read(&root().join(&fixture)));
        let run = avenant(&["fmt", &path.to_string_lossy()]);
        assert_eq!(run.code, 0, "{fixture}: {}", run.transcript());
        policies.push(path.to_string_lossy().into_owned());
    }
    for policy in policies {
        let text = read(&root().join(&policy));
        for (number, line) in text.lines().enumerate() {
            // A text in quotes, a table row and a comment (a trailing one too) do not break.
            let unbreakable = line.contains(['"', '#']) || line.trim_start().starts_with('|');
            assert!(
                line.chars().count() <= WIDTH || unbreakable,
                "{policy}:{}: {} columns, more than {WIDTH}:\n{line}",
                number + 1,
                line.chars().count()
            );
        }
    }
}

#[test]
fn a_policy_laid_out_anyhow_formats_back_and_evaluates_the_same() {
    for policy in formatted_policies() {
        let canonical = read(&root().join(&policy));
        // Indentation dropped and spaces added at line ends: layout only.
        let messy: String = canonical.lines().map(|line| format!("{}   \n", line.trim_start())).collect();
        // Each copy beside the copies of the texts it may amend, as in its own folder.
        let folder = policy.rsplit_once('/').map_or("", |(folder, _)| folder);
        let name = policy.rsplit('/').next().unwrap_or(&policy);
        let path = scratch(&format!("fmt/{folder}/{name}"), &messy);
        let path_text = path.display().to_string();
        let check = avenant(&["fmt", "--check", &path_text]);
        assert_eq!(check.code, 1, "{policy}: a messy copy is reported\n{}", check.transcript());
        // What the policy means, where it means anything: a fixture the
        // checker refuses evaluates nothing, and is compared as text alone.
        let checks = avenant(&["check", &path_text]).code == 0;
        let profiles: Vec<String> = if checks { files("examples") } else { Vec::new() };
        let before: Vec<String> = profiles.iter().map(|profile| eval(&path_text, profile)).collect();
        let run = avenant(&["fmt", &path_text]);
        assert_eq!(run.code, 0, "{policy}: {}", run.transcript());
        assert_eq!(read(&path), canonical, "{policy}: formatting a messy copy gives the canonical layout back");
        let after: Vec<String> = profiles.iter().map(|profile| eval(&path_text, profile)).collect();
        assert_eq!(before, after, "{policy}: the same outcomes before and after formatting");
    }
}

/// `eval --format json` without the places in the policy (which layout
/// moves): what a policy means for one profile.
fn eval(policy: &str, profile: &str) -> String {
    let run = avenant(&["eval", policy, profile, "--on", "2024-10-01", "--format", "json"]);
    let Ok(mut json) = serde_json::from_str::<serde_json::Value>(&run.stdout) else {
        return format!("exit code {}", run.code);
    };
    fn forget_places(json: &mut serde_json::Value) {
        match json {
            serde_json::Value::Object(object) => {
                object.remove("at");
                object.remove("file");
                object.values_mut().for_each(forget_places);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(forget_places),
            _ => {}
        }
    }
    forget_places(&mut json);
    format!("exit code {}: {json}", run.code)
}

#[test]
fn messy_policies_get_the_canonical_layout_with_every_comment() {
    for fixture in files("tests/fixtures/fmt") {
        let messy = read(&root().join(&fixture));
        let name = fixture.rsplit('/').next().unwrap_or(&fixture).to_owned();
        let path = scratch(&name, &messy);
        let path_text = path.display().to_string();
        let run = avenant(&["fmt", &path_text]);
        assert_eq!(run.code, 0, "{fixture}: {}", run.transcript());
        let formatted = read(&path);
        insta::with_settings!({ snapshot_suffix => name, omit_expression => true }, {
            insta::assert_snapshot!("formatted", formatted);
        });
        assert_eq!(comments(&messy), comments(&formatted), "{fixture}: every comment kept, in order");
        let again = avenant(&["fmt", &path_text]);
        assert_eq!(again.stdout, "", "{fixture}: formatting twice changes nothing");
        assert_eq!(read(&path), formatted);
        let test = avenant(&["test", &path_text]);
        assert_eq!(test.code, 0, "{fixture}: its examples still pass\n{}", test.transcript());
    }
}

/// The comments of a policy, in order: from a `#` outside quoted text to the
/// end of its line.
fn comments(text: &str) -> Vec<String> {
    let mut comments = Vec::new();
    let (mut in_string, mut escaped, mut comment_end) = (false, false, 0);
    for (offset, c) in text.char_indices() {
        if offset < comment_end {
            continue;
        }
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => {
                let line = text[offset..].lines().next().unwrap_or("");
                comment_end = offset + line.len();
                comments.push(line.trim_end().to_owned());
            }
            _ => {}
        }
    }
    comments
}

#[test]
fn fmt_check_shows_the_lines_that_would_change() {
    let run = avenant(&["fmt", "--check", "tests/fixtures/fmt/messy.policy"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn a_policy_that_does_not_parse_is_not_touched() {
    let run = avenant(&["fmt", "--check", "tests/fixtures/syntax/missing-operand.policy"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("avenant::syntax::invalid"), "{}", run.stderr);
}
