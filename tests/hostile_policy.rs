//! Hostile policies and the diagnostics drawn over them: lines longer than a
//! terminal could show, tables larger than their text, chains of texts as
//! long as the limits allow, and paths that leave the policy's directory.
//! Nothing here may crash, hang or quote a file it was not given.

mod common;

use common::{avenant, relative, scratch};

const HEADER: &str = "policy hostile {\n  title \"hostile\"\n}\n\nprofile {\n  a: number\n}\n";

/// Past column 65 535 miette cannot pad a label to its place: such a line is drawn as a window.
const FAR: usize = 70_000;

#[test]
fn a_minified_profile_with_an_error_far_along_its_line_is_located_and_the_next_profile_evaluated() {
    let profile = format!(r#"{{"description": "{}", "a": 1,}}"#, "x".repeat(FAR));
    let broken = relative(&scratch("hostile_policy/minified.json", &profile));
    let policy = relative(&scratch("hostile_policy/profile.policy", &format!("{HEADER}output o = a + 1\n")));
    let good = relative(&scratch("hostile_policy/good.json", r#"{"a": 1}"#));
    let run = avenant(&["eval", &policy, &broken, &good, "--on", "2024-01-01"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stdout.contains("good.json under hostile"), "the profile after the broken one is evaluated: {}", run.transcript());
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn policy_errors_far_along_a_line_are_drawn_as_a_window_at_their_line_and_column() {
    let padding = " ".repeat(FAR);
    let check = format!("{HEADER}output o ={padding}b +{padding}c\n");
    let policy = relative(&scratch("hostile_policy/long-line.policy", &check));
    let run = avenant(&["check", &policy]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!("check", run.stderr);
    let syntax = format!("{HEADER}output o ={padding}a + + 1\n");
    let policy = relative(&scratch("hostile_policy/long-syntax.policy", &syntax));
    let run = avenant(&["check", &policy]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!("syntax", run.stderr);
}

#[test]
fn a_long_token_is_quoted_short_and_multibyte_text_is_cut_between_characters() {
    let text = format!("{HEADER}output o = {}b\n", "é".repeat(FAR / 2));
    let policy = relative(&scratch("hostile_policy/long-token.policy", &text));
    let run = avenant(&["check", &policy]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn long_lines_around_an_error_are_left_out_of_its_context() {
    let text = format!("{HEADER}# {}\noutput o = b\n# {}\n", "x".repeat(FAR), "y".repeat(FAR));
    let policy = relative(&scratch("hostile_policy/long-context.policy", &text));
    let run = avenant(&["check", &policy]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.stderr);
}
