//! The checker's rate and guard lints over policies written for the purpose:
//! each line that must be reported carries a `# code` comment naming what,
//! and exactly those lines are reported; then the same lints over hostile
//! sizes, where they must stay linear and never crash.

// Test helpers fail loudly, as tests/common's do: a test that cannot run must not pass.
#![allow(clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::time::Instant;

use common::{avenant, root, scratch};

/// The lines (from 1) each comment `# name` marks, with the name.
fn marked(text: &str) -> BTreeSet<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let (_, mark) = line.rsplit_once("# ")?;
            let mark = mark.trim();
            mark.chars().all(|c| c.is_ascii_lowercase() || c == '_').then(|| (index + 1, mark.to_owned()))
        })
        .collect()
}

/// The lines (from 1) of `file` the diagnostics point at, with their codes
/// shortened to the name after `avenant::check::`.
fn reported(stderr: &str, file: &str, text: &str) -> BTreeSet<(usize, String)> {
    stderr
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .filter(|diagnostic| diagnostic["filename"].as_str().is_some_and(|name| name.ends_with(file)))
        .map(|diagnostic| {
            let offset = diagnostic["labels"][0]["span"]["offset"].as_u64().unwrap_or(u64::MAX) as usize;
            let line = text.get(..offset).unwrap_or_else(|| panic!("offset {offset} beyond the file")).lines().count();
            let line = if text.get(..offset).is_some_and(|before| before.ends_with('\n') || before.is_empty()) {
                line + 1
            } else {
                line
            };
            let code = diagnostic["code"].as_str().unwrap_or("").trim_start_matches("avenant::check::").to_owned();
            (line, code)
        })
        .collect()
}

/// Checks `text` as `name` and compares what is reported with what is marked.
fn check_marks(name: &str, text: &str, expected_code: i32) {
    let path = scratch(&format!("lints/{name}"), text);
    let run = avenant(&["--error-format", "json", "check", &path.to_string_lossy()]);
    assert_eq!(run.code, expected_code, "{}", run.transcript());
    assert_eq!(reported(&run.stderr, name, text), marked(text), "{}", run.stderr);
}

const RATES: &str = r#"policy rates {
  title "Every place a rate is expected"
}

enum option { option_1 option_2 }

profile {
  file_active: patients
  share: rate = 0.5 "part" # rate_without_percent
  growth: rate? "croissance"
}

param floor: rate = 45 # rate_without_percent
param ceiling: rate = 150 % # rate_out_of_range
param fine: rate = 80 %

table growth_rate(option: option) -> rate {
  | option_1 | 20 % |
  | option_2 | 45   | # rate_without_percent
}

rule target[o: option]: patients = round(file_active * growth_rate[o], half_up)
rule bonus: rate = if file_active > 1 000 then 10 else 5 % # rate_without_percent
rule raised: rate = fine + 0.05 # rate_without_percent
rule rate_rule: rate = 12 # rate_without_percent
rule twice: rate = 2 * fine
rule half: rate = fine / 2
rule lowered: rate = fine + -5 % # rate_out_of_range
rule capped: rate = min(fine, 1) # rate_without_percent

conditions eligibility {
  condition enough
    requires share >= 80 # rate_without_percent
    message "au moins 80 %"
  condition listed
    requires share in [50 %, 0.6] # rate_without_percent
    message "50 % ou 60 %"
}

output eligible = eligibility
output targets[o: option] = target[o]
output bonus = bonus
output raised = raised
output rate_rule = rate_rule
output twice = twice
output half = half
output lowered = lowered
output capped = capped
output floor = floor
output ceiling = ceiling

example someone "a profile" {
  profile {
    file_active = 1 000
    share = 85 # rate_without_percent
  }
  expect {
    raised = 85 %
  }
}
"#;

#[test]
fn a_bare_number_is_refused_wherever_it_would_become_a_rate() {
    check_marks("rates.policy", RATES, 1);
}

#[test]
fn the_fix_of_a_bare_rate_is_its_percent_form() {
    let path = scratch("lints/fix.policy", RATES);
    let run = avenant(&["--error-format", "json", "check", &path.to_string_lossy()]);
    for help in ["write `45 %`; a rate is written with `%`: as it stands, `45` would be 4500 %", "write `60 %`"] {
        assert!(run.stderr.contains(help), "no help {help:?}:\n{}", run.stderr);
    }
}

/// The issue's case: `45` in an amendment's table of rates, which gave a
/// target of 67 500 patients, is refused in the amendment, with the fix.
#[test]
fn a_bare_rate_in_an_amended_table_is_refused_in_the_amendment() {
    for name in ["avenant-7.policy", "reglement-arbitral-2023.policy"] {
        let text =
            std::fs::read_to_string(root().join("policies").join(name)).unwrap_or_else(|error| panic!("{error}"));
        scratch(&format!("lints/chain/{name}"), &text);
    }
    let text = std::fs::read_to_string(root().join("policies/convention-2024.policy"))
        .unwrap_or_else(|error| panic!("{error}"))
        .replacen("| p30_p50   |     20 % |", "| p30_p50   |       45 |", 1);
    assert!(text.contains("|       45 |"), "the 2024 text no longer has its table of rates");
    let path = scratch("lints/chain/convention-2024.policy", &text);
    let run = avenant(&["--error-format", "plain", "check", &path.to_string_lossy()]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("avenant::check::rate_without_percent"), "{}", run.stderr);
    assert!(run.stderr.contains("convention-2024.policy:"), "{}", run.stderr);
    assert!(run.stderr.contains("help: write `45 %`"), "{}", run.stderr);
}

const GUARDS: &str = r#"policy guards {
  title "Optional fields read with and without a guard"
}

enum specialty { medecine_generale chirurgie }

profile {
  specialty: specialty
  file_active: patients
  patientele_mt: patients?
  clinical_fee_share: rate?
  contract_signed: date?
  optam: bool? = false
}

rule reference: patients = if specialty == medecine_generale then patientele_mt else file_active
rule target_mt: patients = round(patientele_mt * 10 %, half_up)
rule start: date = if given(contract_signed) then contract_signed else evaluation_date
rule bare_share: rate = clinical_fee_share # unguarded_optional

conditions eligibility {
  condition activity
    requires reference > 640
    message "too few patients"
  condition clinical when specialty == chirurgie
    requires clinical_fee_share >= 80 %
    message "80 % of clinical fees"
  condition recent
    requires given(contract_signed) and contract_signed >= 2024-06-22
    message "a recent contract"
  condition unguarded
    requires clinical_fee_share < 50 % # unguarded_optional
    message "no guard"
  condition guard_reads_it when patientele_mt > 100 # unguarded_optional
    requires optam
    message "the guard itself reads a field that may be absent"
}

output eligible = eligibility
output start = start
output target_mt = target_mt when specialty == medecine_generale
output share = bare_share
output by_specialty = match specialty {
  medecine_generale => patientele_mt
  else => file_active
}
output unguarded_mt = patientele_mt + 1 # unguarded_optional
"#;

#[test]
fn an_optional_field_read_without_a_guard_is_a_warning_and_only_then() {
    check_marks("guards.policy", GUARDS, 0);
}

#[test]
fn the_warning_names_the_guard_to_add() {
    let path = scratch("lints/guards-help.policy", GUARDS);
    let run = avenant(&["--error-format", "json", "check", &path.to_string_lossy()]);
    assert!(
        run.stderr.contains("guard the condition: `condition unguarded when given(clinical_fee_share)`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("guard the output: `output unguarded_mt = … when given(patientele_mt)`"),
        "{}",
        run.stderr
    );
    // A reading inside a rule names the output that reaches it.
    assert!(run.stderr.contains("the output `share` reads it whatever the profile"), "{}", run.stderr);
}

/// A chain of rules as long as a policy may have declarations, read by many
/// conditions: the guard walk follows each rule once and keeps to the stack.
#[test]
fn the_guard_walk_is_linear_and_deep_chains_do_not_overflow() {
    let mut text = String::from("policy hostile {\n  title \"hostile\"\n}\n\nprofile {\n  a: number?\n}\n\n");
    let rules = 5_000;
    for index in 0..rules - 1 {
        text.push_str(&format!("rule r{index} = r{} + a\n", index + 1));
    }
    text.push_str(&format!("rule r{} = a\n", rules - 1));
    text.push_str("conditions many {\n");
    for index in 0..2_000 {
        text.push_str(&format!("  condition c{index} requires r0 > {index} message \"m\"\n"));
    }
    text.push_str("}\noutput o = many\n");
    let path = scratch("lints/deep-guards.policy", &text);
    let started = Instant::now();
    let run = avenant(&["--error-format", "json", "check", &path.to_string_lossy()]);
    let took = started.elapsed();
    assert_eq!(run.code, 0, "{}", run.transcript());
    // One warning, at the first reading, for the first condition that reaches
    // the chain: none repeated per rule or per condition.
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("(and 4999 more times on the way)"), "{}", run.stderr);
    assert!(took.as_secs() < 20, "checking took {took:?}");
}

/// The syntax errors said in words look only around the error, and repeat
/// at most 60 characters of what was written, however large.
#[test]
fn explained_syntax_errors_stay_short_on_hostile_input() {
    let long_name = format!("policy x {{\n  amends a-{}\n}}\n", "b".repeat(2_000_000));
    let slashes = format!("policy x {{\n  title \"t\"\n  effective {}2026\n}}\n", "1/".repeat(1_000_000));
    let at_the_end = "policy x {\n  title \"t\"\n}\nprofile { a: bool }\nconditions e {\n  condition c requires a";
    for (name, text, said) in [
        ("long-name.policy", long_name.as_str(), "not its file name `a-bbbb"),
        ("slashes.policy", slashes.as_str(), "expected a date `YYYY-MM-DD`"),
        ("at-the-end.policy", at_the_end, "this condition has no `message`, found the end of the file"),
    ] {
        let path = scratch(&format!("lints/{name}"), text);
        let run = avenant(&["--error-format", "json", "check", &path.to_string_lossy()]);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(run.stderr.contains(said), "{name}: {}", run.stderr.chars().take(2_000).collect::<String>());
        assert!(run.stderr.len() < 2_000, "{name}: {} bytes of diagnostic", run.stderr.len());
    }
}
