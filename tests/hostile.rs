//! Hostile input: what no fixture file should hold (generated sizes, deep
//! chains) and what must mean the same whatever the bytes (CRLF, BOM).
//! Nothing here may crash; everything refused is refused with a place.

mod common;

use std::path::Path;

use common::{avenant, eval_json, scratch};

use common::{HOSTILE_HEADER as HEADER, rule_chain};

#[test]
fn an_expression_too_long_is_refused_with_its_place() {
    let text = format!("{HEADER}output o = a{}\n", " + a".repeat(50_000));
    let path = scratch("hostile/long-expression.policy", &text);
    let run = avenant(&["check", &path.to_string_lossy()]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("more than the 2048 allowed"), "{}", run.stderr);
}

#[test]
fn a_policy_too_large_is_refused_unread() {
    let text = format!("{HEADER}# {}\n", "x".repeat(5 << 20));
    let path = scratch("hostile/too-large.policy", &text);
    let run = avenant(&["check", &path.to_string_lossy()]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("more than the 4194304 a policy may have"), "{}", run.stderr);
}

#[test]
fn a_chain_of_five_thousand_rules_evaluates() {
    let path = scratch("hostile/rule-chain.policy", &rule_chain(5_000));
    let profile = scratch("hostile/a.json", r#"{"a": 1}"#);
    let outcome = eval_json(&path.to_string_lossy(), &profile.to_string_lossy(), "2024-01-01");
    assert_eq!(outcome["o"], "5000");
}

#[test]
fn deep_rules_check_and_evaluate_on_a_worker_sized_stack() {
    // Batch evaluation runs on threads with small stacks: recursion over a
    // deep policy must continue on the heap rather than overflow.
    let text = rule_chain(3_000);
    let worker = std::thread::Builder::new().stack_size(2 << 20).spawn(move || {
        let policy = avenant::compile(Path::new("rule-chain.policy"), &text).map_err(|error| error.to_string())?;
        let input =
            avenant::ProfileInput::parse(Path::new("a.json"), r#"{"a": 1}"#).map_err(|error| error.to_string())?;
        let profile = avenant::Profile::validate(&policy, &input).map_err(|errors| format!("{errors:?}"))?;
        let on = jiff::civil::date(2024, 1, 1);
        let outcome = avenant::evaluate(&policy, &profile, on).map_err(|error| error.to_string())?;
        // The compiled evaluator calls each rule of the chain on a stack of its own.
        let compiled = avenant::eval::compiled::CompiledPolicy::new(&policy);
        let mut scratch = compiled.scratch();
        compiled.evaluate(profile.values(), on, &mut scratch).map_err(|error| error.to_string())?;
        let fast = compiled.outcome(&scratch, profile.values()).map_err(|error| error.to_string())?;
        // Many at a time, the lanes recurse on the machine's stack: a chain
        // this deep is handed to the one-profile loop, and comes out the same.
        let rows = vec![profile.values(); 70];
        let (mut lanes, mut many) = (compiled.lanes(), compiled.scratch());
        let mut outcomes = Vec::new();
        let set_aside = compiled.evaluate_each(&rows, on, &mut lanes, &mut many, |_, outcome| {
            let outcome = outcome.and_then(|outcome| compiled.outcome(outcome, profile.values()));
            outcomes.push(outcome.map(|outcome| format!("{:?}", outcome.get("o"))));
        });
        let many: Vec<String> = outcomes.into_iter().collect::<Result<_, _>>().map_err(|error| error.to_string())?;
        Ok::<_, String>((format!("{:?}", outcome.get("o")), format!("{:?}", fast.get("o")), many, set_aside))
    });
    let result =
        worker.unwrap_or_else(|error| panic!("{error}")).join().unwrap_or_else(|_| panic!("the worker crashed"));
    assert!(result.is_ok_and(|(reference, fast, many, set_aside)| reference.contains("3000")
        && fast == reference
        && many.len() == 70
        && many.iter().all(|outcome| *outcome == reference)
        && set_aside == 70));
}

#[test]
fn overflow_and_division_by_zero_are_located_errors() {
    let text = format!("{HEADER}output product = a * a * a\noutput ratio = 1 / (a - a)\n");
    let policy = scratch("hostile/arithmetic.policy", &text);
    let huge = scratch("hostile/huge.json", r#"{"a": 100000000000000000000}"#);
    let run = avenant(&["eval", &policy.to_string_lossy(), &huge.to_string_lossy(), "--on", "2024-01-01"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("avenant::eval::overflow"), "{}", run.stderr);
    assert!(run.stderr.contains("arithmetic.policy:8:18"), "the place is given: {}", run.stderr);
    let text = format!("{HEADER}output ratio = 1 / (a - a)\n");
    let policy = scratch("hostile/division.policy", &text);
    let one = scratch("hostile/one.json", r#"{"a": 1}"#);
    let run = avenant(&["eval", &policy.to_string_lossy(), &one.to_string_lossy(), "--on", "2024-01-01"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("avenant::eval::division_by_zero"), "{}", run.stderr);
}

#[test]
fn crlf_line_endings_and_a_byte_order_mark_change_nothing() {
    let odd = "tests/fixtures/odd/crlf-bom.policy";
    for profile in ["examples/dr-a.toml", "examples/dr-b.json", "examples/gp-solo-outside-zone.toml"] {
        let original = eval_json("policies/avenant-7.policy", profile, "2020-01-01");
        let crlf = eval_json(odd, profile, "2020-01-01");
        for output in ["eligible", "failed_conditions", "band", "options", "certainty"] {
            assert_eq!(original[output], crlf[output], "{profile}: {output}");
        }
    }
}
