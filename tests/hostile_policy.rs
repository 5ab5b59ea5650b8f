//! Hostile policies and the diagnostics drawn over them: lines longer than a
//! terminal could show, tables larger than their text, chains of texts as
//! long as the limits allow, and paths that leave the policy's directory.
//! Nothing here may crash, hang or quote a file it was not given.

// A test that cannot set up its files fails loudly.
#![allow(clippy::panic)]

mod common;

use common::{avenant, relative, scratch};

use common::{HOSTILE_HEADER as HEADER, rule_chain};

/// Past column 65 535 miette cannot pad a label to its place: such a line is drawn as a window.
const FAR: usize = 70_000;

/// A profile holds at most 64 KiB, so its errors stop short of column
/// 65 536; a minified one is still drawn as a window around the place.
#[test]
fn a_minified_profile_with_an_error_far_along_its_line_is_located_and_the_next_profile_evaluated() {
    let profile = format!(r#"{{"description": "{}", "a": 1,}}"#, "x".repeat(60_000));
    let broken = relative(&scratch("hostile_policy/minified.json", &profile));
    let policy = relative(&scratch("hostile_policy/profile.policy", &format!("{HEADER}output o = a + 1\n")));
    let good = relative(&scratch("hostile_policy/good.json", r#"{"a": 1}"#));
    let run = avenant(&["eval", &policy, &broken, &good, "--on", "2024-01-01"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("good.json under hostile"),
        "the profile after the broken one is evaluated: {}",
        run.transcript()
    );
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

/// `avenant ARGS…` with its address space capped at `megabytes`: what must
/// run in memory proportional to its input fails loudly when it does not.
fn avenant_within(megabytes: u64, args: &[&str]) -> common::Run {
    let binary = env!("CARGO_BIN_EXE_avenant");
    let script = format!("ulimit -v {}; exec \"$0\" \"$@\"", megabytes * 1024);
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(binary)
        .args(args)
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|error| panic!("cannot run avenant: {error}"));
    common::Run::from(output)
}

#[test]
fn a_table_of_many_keys_and_columns_but_few_rows_is_checked_in_memory_of_its_text() {
    // 316 × 316 combinations of keys and 300 columns, one row written: the
    // dense table would be 30 million cells (1.9 GB) for 7.5 KB of text.
    let variants: String = (0..316).map(|index| format!(" v{index}")).collect();
    let columns: Vec<String> = (0..300).map(|index| format!("c{index}: number")).collect();
    let text = format!(
        "policy wide {{\n  title \"wide\"\n}}\n\nenum k {{{variants} }}\n\nprofile {{\n  a: k\n}}\n\n\
         table t(x: k, y: k) -> ({}) {{\n  | v0 | v0 |{}\n}}\n\noutput o = t[a, a].c0\n",
        columns.join(", "),
        " 1 |".repeat(300)
    );
    let policy = relative(&scratch("hostile_policy/wide-table.policy", &text));
    let run = avenant_within(512, &["check", &policy]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("avenant::check::table_missing_row"), "{}", run.stderr);
    assert!(run.stderr.contains("`v0, v8` and 99847 more"), "the missing rows are counted: {}", run.stderr);
}

#[test]
fn fmt_check_compares_thirty_thousand_lines_in_memory_of_their_text() {
    // A table of lines × lines would take 7 GB here; one blank line is missing.
    let text = format!("{HEADER}{}output o = a\n", "#\n".repeat(30_000));
    let policy = relative(&scratch("hostile_policy/comments.policy", &text));
    let run = avenant_within(512, &["fmt", "--check", &policy]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn fmt_check_shows_each_run_of_changes_under_its_first_line() {
    let text = format!("{HEADER}output  o = a\n#   a comment\noutput p = a\n\n\n\noutput q  = a\n");
    let policy = relative(&scratch("hostile_policy/runs.policy", &text));
    let run = avenant(&["fmt", "--check", &policy]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn explain_follows_a_chain_of_rules_as_long_as_eval_does_in_both_forms() {
    // 9 990 rules and an output: the 10 000 declarations a policy may have, less the header's.
    let policy = relative(&scratch("hostile_policy/rule-chain.policy", &rule_chain(9_990)));
    let profile = relative(&scratch("hostile_policy/one.json", r#"{"a": 1}"#));
    let text = avenant(&["explain", &policy, &profile, "--on", "2024-01-01"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("o = 9990"), "{}", &text.stdout[..text.stdout.len().min(2000)]);
    // Past 40 levels the indentation stops growing and each line says its depth.
    assert!(text.stdout.contains(&format!("{}[depth 9990] rule r9989 = 1", " ".repeat(80))));
    let json = avenant(&["explain", &policy, &profile, "--on", "2024-01-01", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert!(json.stdout.contains(r#""name": "r9989""#));
    assert!(json.stdout.len() < 64 << 20, "the JSON form takes {} bytes", json.stdout.len());
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_policy_directory_is_never_read_nor_quoted() {
    let secret = scratch("hostile_policy/elsewhere/secret", "password = hunter2\n");
    let amendment = "policy a {\n  title \"a\"\n  effective 2024-01-01\n  amends b\n}\n\nreplace param p: number = 2\n";
    let policy = scratch("hostile_policy/linked/a.policy", amendment);
    let link = policy.with_file_name("b.policy");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&secret, &link).unwrap_or_else(|error| panic!("cannot link: {error}"));
    // The amendment misses its text (1); the folder holds a link out of it (2).
    for (target, code) in [(relative(&policy), 1), (relative(policy.parent().unwrap_or(&policy)), 2)] {
        let run = avenant(&["check", &target]);
        assert_eq!(run.code, code, "{}", run.transcript());
        assert!(!run.stderr.contains("hunter2"), "a file outside the directory is quoted:\n{}", run.stderr);
    }
    let run = avenant(&["check", &relative(&policy)]);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn amends_with_a_path_is_reported_at_the_amends_line() {
    let amendment =
        "policy a {\n  title \"a\"\n  effective 2024-01-01\n  amends \"../x\"\n}\n\nreplace param p: number = 2\n";
    let policy = relative(&scratch("hostile_policy/path/a.policy", amendment));
    let run = avenant(&["check", &policy]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn check_on_a_folder_of_a_long_chain_checks_every_text_of_it() {
    // Each text is checked with the texts it amends, from one reading of the
    // folder (1 000 texts: 25 s before, when each read the folder again).
    let folder = common::root().join("target/tmp/scratch/hostile_policy/chain");
    let _ = std::fs::remove_dir_all(&folder);
    for index in 0..300 {
        let date = jiff::civil::date(2000, 1, 1).saturating_add(jiff::Span::new().days(index));
        let text = match index {
            0 => format!(
                "policy t0 {{\n  title \"t\"\n  effective {date}\n}}\n\nprofile {{\n  a: number\n}}\n\nparam p: number = 0\n\noutput o = a + p\n"
            ),
            _ => format!(
                "policy t{index} {{\n  title \"t\"\n  effective {date}\n  amends t{}\n}}\n\nreplace param p: number = {index}\n",
                index - 1
            ),
        };
        scratch(&format!("hostile_policy/chain/t{index:04}.policy"), &text);
    }
    let run = avenant(&["check", &relative(&folder)]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.stdout.lines().filter(|line| line.ends_with(": ok (0 warning(s))")).count(), 300, "{}", run.stdout);
    let profile = relative(&scratch("hostile_policy/chain-profile.json", r#"{"a": 1}"#));
    let run = avenant(&["eval", &relative(&folder), &profile, "--on", "2030-01-01", "--format", "json"]);
    assert!(run.stdout.contains(r#""o": "300""#), "{}", run.transcript());
}
