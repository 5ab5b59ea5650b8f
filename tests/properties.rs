//! Properties over generated input, in seconds: formatting never changes what
//! a policy says, and no profile, however odd, makes validation or evaluation
//! panic. (The fuzz targets in `fuzz/` search the same space for longer.)

use std::path::Path;
use std::sync::OnceLock;

use avenant::eval::differential;
use proptest::prelude::*;

/// A fixed seed: CI runs the same cases every time, and a failure is
/// reproducible. To explore further, change the seed and run again.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x2019_2023_2024),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A policy with a slot for one generated rule over its fields.
fn policy_with(body: &str) -> String {
    format!(
        "policy generated {{\n  title \"generated\"\n}}\n\nenum zone {{ zip zac other }}\n\nprofile {{\n  \
         a: patients\n  b: patients\n  r: rate\n  e: euros\n  z: zone\n  flag: bool\n}}\n\n\
         rule generated = {body}\n\noutput value = generated\n"
    )
}

/// Expressions over the policy's fields, of any type and shape, well typed or not.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("r".to_owned()),
        Just("e".to_owned()),
        Just("z".to_owned()),
        Just("flag".to_owned()),
        Just("zip".to_owned()),
        (0u32..100_000).prop_map(|n| n.to_string()),
        (0u32..1000).prop_map(|n| format!("{n} %")),
        (0u32..100_000).prop_map(|n| format!("{n} €")),
        Just("-3".to_owned()),
        Just("true".to_owned()),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/", "==", "<", ">=", "and", "or"]),
                inner.clone()
            )
                .prop_map(|(left, op, right)| format!("{left} {op} {right}")),
            inner.clone().prop_map(|inner| format!("({inner})")),
            inner.clone().prop_map(|inner| format!("not {inner}")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, t, e)| format!("if {c} then {t} else {e}")),
            (inner.clone(), prop::sample::select(vec!["half_up", "down", "half_even"]))
                .prop_map(|(value, mode)| format!("round({value}, {mode})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("min({a}, {b})")),
            inner.clone().prop_map(|inner| format!("match z {{ zip => {inner} else => {inner} }}")),
            inner.prop_map(|inner| format!("{inner} in [zip, zac]")),
        ]
    })
}

proptest! {
    // About a quarter of generated expressions check (the others are
    // ill-typed): 1 024 cases compare the two evaluators some 270 times.
    #![proptest_config(config(1024))]

    /// Formatting a policy gives one that parses to the same syntax tree, and
    /// formatting that again changes nothing.
    #[test]
    fn formatting_keeps_meaning_and_is_idempotent(body in expression()) {
        let text = policy_with(&body);
        let path = Path::new("generated.policy");
        match avenant::format::format(path, &text) {
            Ok(formatted) => {
                let again = avenant::format::format(path, &formatted);
                prop_assert_eq!(again.ok(), Some(formatted));
            }
            // The formatter refused its own output: a bug it caught.
            Err(error @ avenant::format::FormatError::Changed { .. }) => prop_assert!(false, "{error}\n{text}"),
            Err(avenant::format::FormatError::Syntax(_)) => {}
        }
    }

    /// Checking any generated policy answers, and where it checks, evaluating
    /// it on odd profiles answers too, with an outcome or a located error, the
    /// same from both evaluators.
    #[test]
    fn checking_and_evaluating_never_panic(body in expression(), a in any::<i64>(), b in 0u64..u64::MAX, e in any::<i32>()) {
        let text = policy_with(&body);
        let Ok(policy) = avenant::compile(Path::new("generated.policy"), &text) else { return Ok(()) };
        let profile = format!(
            r#"{{"a": {}, "b": {b}, "r": "{}.{} %", "e": {e}, "z": "zip", "flag": {}}}"#,
            a.unsigned_abs(), a % 1000, b % 100, a % 2 == 0
        );
        let Ok(input) = avenant::ProfileInput::parse(Path::new("p.json"), &profile) else { return Ok(()) };
        if let Ok(profile) = avenant::Profile::validate(&policy, &input) {
            // Whatever the expression, the compiled evaluator (which folds
            // what it can when compiling) gives what the reference gives.
            let on = jiff::civil::date(2024, 1, 1);
            let compiled = avenant::eval::compiled::CompiledPolicy::new(&policy);
            if let Err(disagreement) = differential::compare(&policy, &compiled, std::slice::from_ref(&profile), on, 1) {
                prop_assert!(false, "{}: {}", body, disagreement);
            }
        }
    }
}

fn real_policies() -> &'static Vec<avenant::CheckedPolicy> {
    static POLICIES: OnceLock<Vec<avenant::CheckedPolicy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        ["avenant-7", "reglement-arbitral-2023", "convention-2024"]
            .iter()
            .filter_map(|name| avenant::load_text(Path::new(&format!("policies/{name}.policy"))).ok())
            .map(|loaded| loaded.policy)
            .collect()
    })
}

fn compiled_policies() -> &'static Vec<avenant::eval::compiled::CompiledPolicy<'static>> {
    static COMPILED: OnceLock<Vec<avenant::eval::compiled::CompiledPolicy<'static>>> = OnceLock::new();
    COMPILED.get_or_init(|| real_policies().iter().map(avenant::eval::compiled::CompiledPolicy::new).collect())
}

/// A profile field's value: usually a valid one, sometimes anything at all.
fn field_value(valid: impl Strategy<Value = String> + 'static) -> impl Strategy<Value = String> {
    let odd = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        "[a-z_]{0,12}".prop_map(|s| format!("\"{s}\"")),
        Just("null".to_owned()),
        Just("[]".to_owned()),
        Just("1e400".to_owned()),
        Just("99999999999999999999999999999999".to_owned()),
        Just("-1".to_owned()),
        Just("0.5".to_owned()),
    ];
    prop_oneof![9 => valid.boxed(), 1 => odd.boxed()]
}

fn one_of(values: &[&str]) -> impl Strategy<Value = String> + 'static {
    let quoted: Vec<String> = values.iter().map(|value| format!("\"{value}\"")).collect();
    prop::sample::select(quoted)
}

proptest! {
    #![proptest_config(config(1024))]

    /// Every text of policies/ takes any profile without panicking, on any
    /// date, and the compiled evaluator gives exactly what the reference
    /// gives: mostly valid profiles, so that evaluation runs, with odd values
    /// mixed in.
    #[test]
    fn the_real_policies_take_any_profile(
        specialty in field_value(one_of(&["medecine_generale", "cardiologie", "pediatrie", "ophtalmologie", "chirurgie", "radiologie", "orl"])),
        sector in field_value(one_of(&["secteur_1", "secteur_2"])),
        zone in field_value(one_of(&["zip", "zac", "hors_zone"])),
        flags in prop::collection::vec(field_value(prop::bool::ANY.prop_map(|flag| flag.to_string())), 3),
        counts in prop::collection::vec(field_value((0u64..1_000_000).prop_map(|n| n.to_string())), 2),
        signed in field_value((1990i16..2100, 1u8..13, 1u8..29).prop_map(|(y, m, d)| format!("\"{y:04}-{m:02}-{d:02}\""))),
        option in field_value(one_of(&["option_1", "option_2", "option_3"])),
        clinical in field_value((0u32..=100).prop_map(|n| format!("\"{n} %\""))),
        year in 1900i16..2200,
    ) {
        let fields = [
            ("specialty", &specialty), ("sector", &sector), ("zone", &zone), ("optam", &flags[0]),
            ("grouped_practice", &flags[1]), ("coordinated_practice", &flags[2]), ("patientele_mt", &counts[0]),
            ("file_active", &counts[1]), ("contract_signed", &signed), ("contract_option", &option),
            ("clinical_fee_share", &clinical),
        ];
        let body: Vec<String> = fields.iter().map(|(field, value)| format!("\"{field}\": {value}")).collect();
        let text = format!("{{{}}}", body.join(", "));
        let Ok(input) = avenant::ProfileInput::parse(Path::new("p.json"), &text) else { return Ok(()) };
        let on = jiff::civil::date(year, 6, 15);
        for (policy, compiled) in real_policies().iter().zip(compiled_policies()) {
            if let Ok(profile) = avenant::Profile::validate_with(policy, &input, &["clinical_fee_share".to_owned()]) {
                // The compiled evaluator agrees with the reference: the same outcome, or the same error.
                if let Err(disagreement) = differential::compare(policy, compiled, std::slice::from_ref(&profile), on, 2) {
                    prop_assert!(false, "{}: {}", text, disagreement);
                }
            }
        }
    }
}

/// The formatted text of a policy, after checking that it formats at all
/// and that formatting it again changes nothing.
fn formatted_once_and_for_all(text: &str) -> String {
    let path = Path::new("fuzzed.policy");
    let once = avenant::format::format(path, text).ok();
    let twice = once.as_deref().and_then(|once| avenant::format::format(path, once).ok());
    assert!(once.is_some(), "does not format:\n{text}");
    assert_eq!(once, twice, "formatting twice changes it:\n{text}");
    once.unwrap_or_default()
}

/// Found by `formatting_keeps_meaning_and_is_idempotent` on another seed:
/// parentheses around a literal were printed as part of it, and peeled off
/// one layer at a time.
#[test]
fn nested_parentheses_format_once_and_for_all() {
    let once = formatted_once_and_for_all(&policy_with("((true)) in [zip, zac]"));
    assert!(once.contains("rule generated = true in [zip, zac]"), "{once}");
}

/// Found by the `format_roundtrip` fuzz target: a byte-order mark before a
/// comment, at the end of a file, after a rule written over several lines.
#[test]
fn a_byte_order_mark_before_a_comment_formats_once_and_for_all() {
    let text =
        "policy e { title \"x\" }\n\nrule r: number = # inside a rule\n  1\n  source \"a\"\n\u{feff}# end, no newline";
    formatted_once_and_for_all(text);
}

/// Found by the `format_roundtrip` fuzz target: a comment after a group's
/// brace written on a line of its own belongs to the group's inside.
#[test]
fn a_comment_after_a_brace_on_its_own_line_stays_inside_the_block() {
    let text =
        "policy p { title \"x\" }\nprofile { a: number }\noutput o {\n  g\n  { # after brace\n    x = a\n  }\n}\n";
    let once = formatted_once_and_for_all(text);
    assert!(once.contains("  g {\n    # after brace\n"), "{once}");
}

/// Found by the `format_roundtrip` fuzz target: a comment after a text that
/// spans lines, followed by a last comment: whether a block ends the file is
/// decided by the code after it, not by comments already placed.
#[test]
fn comments_ending_the_file_after_a_text_over_several_lines_format_once() {
    let text = "policy p { title \"x\" }\noutput o = 1\n  source \"a\n}\nb\" # after source\n  # the end";
    formatted_once_and_for_all(text);
}

/// Found by the `format_roundtrip` fuzz target: a comment written right after
/// a match's closing brace stays on that brace's line.
#[test]
fn a_comment_after_a_match_stays_on_its_closing_brace() {
    let text = "policy p { title \"x\" }\nenum kind { a b }\nprofile { k: kind }\n\
                rule m: number = match k {\n  a => 1\n  b => 2\n}# after the match\nprofile { n: patients }\n";
    let once = formatted_once_and_for_all(text);
    assert!(once.contains("  b => 2\n} # after the match\n"), "{once}");
}

/// Found by the `format_roundtrip` fuzz target: a comment after the `=` of a
/// rule, whose expression and source follow on lines of their own. Put on a
/// line of its own right above more code, it goes with that code at once.
#[test]
fn a_comment_after_a_rules_equals_sign_formats_once_and_for_all() {
    let once = formatted_once_and_for_all("policy e{}rule r\n =# after the sign\n1source\"\"");
    assert!(once.contains("rule r = 1\n  # after the sign\n  source \"\""), "{once}");
}

/// Found by the `format_roundtrip` fuzz target: a line of a text over several
/// lines that begins with `#` is not a comment, so the comment after it
/// follows code and stays there.
#[test]
fn a_comment_after_a_text_whose_line_begins_with_a_hash_stays_after_it() {
    let once = formatted_once_and_for_all("#\npolicy g {}\nrule r = \"\n#\" # after the text");
    assert!(once.ends_with("rule r = \"\n#\"\n# after the text\n"), "{once}");
}

/// Found by the `format_roundtrip` fuzz target: a comment that hangs below a
/// rule's first line, a blank line before the rest of the rule; the blank
/// line goes, so the comment is printed as the rest's.
#[test]
fn a_comment_hanging_inside_a_rule_is_indented_as_the_rest_of_it() {
    let once = formatted_once_and_for_all("policy e{}rule b=a\n# hangs\n\nassumed");
    assert!(once.contains("rule b = a\n  # hangs\n  assumed"), "{once}");
}

/// Found by the `format_roundtrip` fuzz target: a byte-order mark after the
/// last expression is white space, not part of the expression's text.
#[test]
fn a_byte_order_mark_after_an_expression_is_not_part_of_it() {
    let once = formatted_once_and_for_all("policy g{}rule e=# after the sign\n1\n\u{feff}");
    assert!(once.ends_with("rule e = 1 # after the sign\n"), "{once}");
}
