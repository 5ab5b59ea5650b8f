//! The language server end to end: the real `avenant lsp` binary, spoken to
//! over pipes, on the shipped chain of texts in `policies/`.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod lsp_client;

use lsp_client::{Client, describe_diagnostics, find, place, position, relative, uri};
use serde_json::{Value, json};

const BASE: &str = "policies/avenant-7.policy";
const ARBITRAL: &str = "policies/reglement-arbitral-2023.policy";
const CONVENTION: &str = "policies/convention-2024.policy";
const PROPOSAL: &str = "policies/proposition-2026.policy";

fn at(file: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri(file) }, "position": position })
}

fn hover_text(client: &mut Client, file: &str, position: Value) -> String {
    let hover = client.request("textDocument/hover", at(file, position));
    hover["contents"]["value"].as_str().unwrap_or_else(|| panic!("no hover: {hover}")).to_owned()
}

fn places(locations: &Value) -> Vec<String> {
    locations.as_array().map(|list| list.iter().map(place).collect()).unwrap_or_default()
}

#[test]
fn the_shipped_chain_opens_clean() {
    let mut client = Client::start();
    for file in [BASE, ARBITRAL, CONVENTION, PROPOSAL] {
        client.open(file);
    }
    for file in [BASE, ARBITRAL, CONVENTION, PROPOSAL] {
        let errors = client.wait_diagnostics(file, |_| true);
        let errors: Vec<&Value> = errors.iter().filter(|diagnostic| diagnostic["severity"] == 1).collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
    }
    client.shutdown();
}

/// The acceptance test of the issue: a misspelt name in the 2024 text is an
/// error with its suggestion before the file is saved, and goes once corrected.
#[test]
fn a_misspelt_name_in_the_2024_text_is_an_error_with_a_suggestion_before_saving() {
    let mut client = Client::start();
    let mut text = client.open(CONVENTION);
    client.wait_diagnostics(CONVENTION, |list| list.iter().all(|diagnostic| diagnostic["severity"] != 1));
    client.edit(CONVENTION, &mut text, "replace rule aid_year_1", "revaluation_date", "revalution_date");
    let list = client.wait_diagnostics(CONVENTION, |list| !list.is_empty());
    insta::assert_snapshot!(describe_diagnostics(CONVENTION, &list));
    assert!(list[0]["message"].as_str().unwrap_or("").contains("did you mean `revaluation_date`"), "{list:?}");
    client.edit(CONVENTION, &mut text, "replace rule aid_year_1", "revalution_date", "revaluation_date");
    client.wait_diagnostics(CONVENTION, |list| list.iter().all(|diagnostic| diagnostic["severity"] != 1));
    client.shutdown();
}

/// A change to the base text is checked with the texts that amend it: the
/// amendment shows what the base broke, and is clean again once it is undone.
#[test]
fn editing_the_base_shows_and_clears_diagnostics_in_the_amendment() {
    let mut client = Client::start();
    let mut base = client.open(BASE);
    client.open(ARBITRAL);
    client.wait_diagnostics(ARBITRAL, |list| list.iter().all(|diagnostic| diagnostic["severity"] != 1));
    // The 2023 text amends the table of percentiles: renamed in the base, it amends nothing.
    client.edit(BASE, &mut base, "table percentiles", "percentiles", "percentile_table");
    let list = client.wait_diagnostics(ARBITRAL, |list| list.iter().any(|diagnostic| diagnostic["severity"] == 1));
    insta::assert_snapshot!(describe_diagnostics(ARBITRAL, &list));
    client.edit(BASE, &mut base, "table percentile_table", "percentile_table", "percentiles");
    client.wait_diagnostics(ARBITRAL, |list| list.iter().all(|diagnostic| diagnostic["severity"] != 1));
    client.wait_diagnostics(BASE, |list| list.iter().all(|diagnostic| diagnostic["severity"] != 1));
    client.shutdown();
}

/// The acceptance test: a percentile cell's value, source and assumption.
#[test]
fn hovering_a_percentile_cell_gives_its_value_source_and_assumption() {
    let mut client = Client::start();
    let text = client.open(BASE);
    let hover = hover_text(&mut client, BASE, find(&text, "| medecine_generale       | 640", "850 assumed"));
    assert!(hover.contains("850"), "{hover}");
    assert!(hover.contains("assumed: between Dr A's 700 and « 800 et quelques »"), "{hover}");
    assert!(hover.contains("source: avenant 7, annexe"), "{hover}");
    insta::assert_snapshot!(hover);
    client.shutdown();
}

#[test]
fn hovering_a_cell_an_amendment_changed_names_what_it_replaces() {
    let mut client = Client::start();
    let text = client.open(ARBITRAL);
    let hover = hover_text(&mut client, ARBITRAL, find(&text, "| medecine_generale | 775", "775"));
    insta::assert_snapshot!(hover);
    client.shutdown();
}

#[test]
fn hovering_names_gives_kind_type_certainty_and_the_text_that_defines_them() {
    let mut client = Client::start();
    let text = client.open(CONVENTION);
    let mut hovers = Vec::new();
    for (after, name) in [
        ("replace rule aid_year_1", "aid_year_1"),
        ("if contract_start >= ", "revaluation_date"),
        ("rule current_year_start", "contract_start"),
        ("aid_2024[physician_aid_level", "physician_aid_level"),
    ] {
        hovers.push(format!("## {name}\n{}", hover_text(&mut client, CONVENTION, find(&text, after, name))));
    }
    let base = client.open(BASE);
    hovers.push(format!(
        "## medecine_generale\n{}",
        hover_text(&mut client, BASE, find(&base, "medecine_generale \"", "medecine_generale"))
    ));
    insta::assert_snapshot!(hovers.join("\n"));
    client.shutdown();
}

/// The acceptance test: from a `replace` to the definition it replaces in the 2019 text, and back.
#[test]
fn definition_goes_from_a_replace_to_the_replaced_definition_and_references_come_back() {
    let mut client = Client::start();
    let text = client.open(CONVENTION);
    let replace = find(&text, "replace rule aid_year_1", "aid_year_1");
    let definition = client.request("textDocument/definition", at(CONVENTION, replace.clone()));
    let targets = places(&definition);
    assert_eq!(targets.len(), 1, "{definition}");
    assert!(targets[0].starts_with(BASE), "{targets:?}");
    let base = std::fs::read_to_string(lsp_client::root().join(BASE)).unwrap();
    let line = targets[0].split(':').nth(1).unwrap().parse::<usize>().unwrap();
    assert!(base.lines().nth(line - 1).unwrap().contains("rule aid_year_1"), "{}", base.lines().nth(line - 1).unwrap());

    // From a use, the definition in force: the 2024 one.
    let use_in_2024 = client
        .request("textDocument/definition", at(CONVENTION, find(&text, "  if contract_start >= ", "revaluation_date")));
    assert!(places(&use_in_2024)[0].starts_with(CONVENTION), "{use_in_2024}");

    // And back: the base's definition is read in the texts that replace it.
    let mut references = places(&client.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri(BASE) }, "position": find(&base, "rule aid_year_1", "aid_year_1"), "context": { "includeDeclaration": true } }),
    ));
    references.sort();
    assert!(references.iter().any(|place| place.starts_with(CONVENTION)), "{references:?}");
    insta::assert_snapshot!(references.join("\n"));
    client.shutdown();
}

#[test]
fn references_of_a_table_span_the_chain() {
    let mut client = Client::start();
    let base = client.open(BASE);
    let mut references = places(&client.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri(BASE) }, "position": find(&base, "table percentiles", "percentiles"), "context": { "includeDeclaration": false } }),
    ));
    references.sort();
    insta::assert_snapshot!(references.join("\n"));
    client.shutdown();
}

#[test]
fn rename_edits_every_text_that_reads_the_name_and_refuses_what_changes_meaning() {
    let mut client = Client::start();
    let base = client.open(BASE);
    let rename = |client: &mut Client, after: &str, name: &str, new_name: &str| {
        client.try_request(
            "textDocument/rename",
            json!({ "textDocument": { "uri": uri(BASE) }, "position": find(&base, after, name), "newName": new_name }),
        )
    };
    let edit = rename(&mut client, "table percentiles", "percentiles", "seuils_de_patientele").unwrap();
    let mut edits: Vec<String> = edit["changes"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(file, edits)| {
            edits.as_array().unwrap().iter().map(move |edit| {
                let start = &edit["range"]["start"];
                format!(
                    "{}:{}:{} → {}",
                    relative(file),
                    start["line"].as_u64().unwrap() + 1,
                    start["character"].as_u64().unwrap() + 1,
                    edit["newText"].as_str().unwrap()
                )
            })
        })
        .collect();
    edits.sort();
    insta::assert_snapshot!("rename_edits", edits.join("\n"));

    let mut refusals = Vec::new();
    for (after, name, new_name) in [
        ("profile {", "specialty", "specialite"),
        ("table percentiles", "percentiles", "aid"),
        ("table percentiles", "percentiles", "if"),
        ("table percentiles", "percentiles", "2x"),
    ] {
        let error = rename(&mut client, after, name, new_name).expect_err("refused");
        refusals.push(format!("{name} → {new_name}: {}", error["message"].as_str().unwrap()));
    }
    insta::assert_snapshot!("rename_refusals", refusals.join("\n"));
    client.shutdown();
}

#[test]
fn completion_offers_names_in_scope_with_labels_and_columns_after_a_dot() {
    let mut client = Client::start();
    let mut text = client.open(CONVENTION);
    let completions = client.request(
        "textDocument/completion",
        at(CONVENTION, find(&text, "rule current_year_start: date = ", "add_years")),
    );
    let items = completions.as_array().unwrap();
    let item = |label: &str| items.iter().find(|item| item["label"] == label).unwrap_or_else(|| panic!("no `{label}`"));
    assert_eq!(item("revaluation_date")["detail"], "param");
    assert_eq!(item("medecine_generale")["documentation"], "médecine générale");
    assert_eq!(item("half_up")["detail"], "rounding mode");
    assert_eq!(item("percentiles")["detail"], "table");
    assert_eq!(item("add_years")["kind"], 3);

    client.edit(CONVENTION, &mut text, "rule current_year_start: date = ", "add_years(", "thresholds.p add_years(");
    let dot = text.find("thresholds.p").unwrap() + "thresholds.p".len();
    let columns = client.request("textDocument/completion", at(CONVENTION, position(&text, dot)));
    let mut labels: Vec<String> = columns
        .as_array()
        .unwrap()
        .iter()
        .map(|item| format!("{} ({})", item["label"].as_str().unwrap(), item["detail"].as_str().unwrap()))
        .collect();
    labels.sort();
    insta::assert_snapshot!(labels.join("\n"));
    client.shutdown();
}

#[test]
fn formatting_gives_the_fmt_layout() {
    let mut client = Client::start();
    let mut text = client.open(CONVENTION);
    let none = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(CONVENTION) }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(none, json!([]), "the shipped policy is in the canonical layout");
    client.edit(
        CONVENTION,
        &mut text,
        "param revaluation_date",
        "param revaluation_date: date = 2024-06-22",
        "param   revaluation_date :date=2024-06-22",
    );
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(CONVENTION) }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let formatted = edits[0]["newText"].as_str().unwrap();
    let shipped = std::fs::read_to_string(lsp_client::root().join(CONVENTION)).unwrap();
    assert_eq!(formatted, shipped);
    client.shutdown();
}

#[test]
fn each_example_says_inline_whether_it_passes_and_what_it_got() {
    let mut client = Client::start();
    let mut text = client.open(CONVENTION);
    let lenses = |client: &mut Client| {
        let lenses = client.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri(CONVENTION) } }));
        lenses
            .as_array()
            .unwrap()
            .iter()
            .map(|lens| {
                format!(
                    "{}: {}",
                    lens["range"]["start"]["line"].as_u64().unwrap() + 1,
                    lens["command"]["title"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let passing = lenses(&mut client);
    assert!(!passing.contains('✗'), "{passing}");
    insta::assert_snapshot!("lenses_passing", passing);
    // An expectation changed: its example fails, and says what it got.
    client.edit(
        CONVENTION,
        &mut text,
        "example new_contract",
        "options.option_2.aid.year_1           = 19 000 €",
        "options.option_2.aid.year_1           = 19 500 €",
    );
    let failing = lenses(&mut client);
    assert!(failing.contains("✗ fails:"), "{failing}");
    insta::assert_snapshot!("lenses_one_failing", failing);
    client.shutdown();
}

#[test]
fn a_command_evaluates_a_profile_file_against_the_text_at_the_cursor() {
    let mut client = Client::start();
    client.open(CONVENTION);
    let outcome = client.request(
        "workspace/executeCommand",
        json!({ "command": "avenant.evaluate", "arguments": [uri(CONVENTION), "examples/dr-a.toml", "2024-10-01"] }),
    );
    let cli = lsp_client::root();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_avenant"))
        .args(["eval", CONVENTION, "examples/dr-a.toml", "--on", "2024-10-01", "--format", "json"])
        .current_dir(&cli)
        .output()
        .unwrap();
    let expected: Value = serde_json::from_slice(&output.stdout).unwrap();
    // The CLI names the policy files as given; the server, by their whole paths.
    let outcome = outcome.to_string().replace(&format!("{}/", cli.display()), "");
    assert_eq!(outcome, expected.to_string());
    client.shutdown();
}

#[test]
fn outline_folding_and_semantic_tokens_describe_the_text() {
    let mut client = Client::start();
    client.open(ARBITRAL);
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri(ARBITRAL) } }));
    let outline: Vec<String> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|symbol| {
            let children: Vec<&str> = symbol["children"]
                .as_array()
                .map(|children| children.iter().filter_map(|child| child["name"].as_str()).collect())
                .unwrap_or_default();
            format!(
                "{}-{} {} {} {}",
                symbol["range"]["start"]["line"].as_u64().unwrap() + 1,
                symbol["range"]["end"]["line"].as_u64().unwrap() + 1,
                symbol["detail"].as_str().unwrap(),
                symbol["name"].as_str().unwrap(),
                children.join(", ")
            )
        })
        .collect();
    insta::assert_snapshot!(outline.join("\n"));
    let folds = client.request("textDocument/foldingRange", json!({ "textDocument": { "uri": uri(ARBITRAL) } }));
    assert!(folds.as_array().unwrap().len() > 5, "{folds}");
    let tokens =
        client.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": uri(ARBITRAL) } }));
    let data = tokens["data"].as_array().unwrap();
    assert!(data.len() > 100 && data.len().is_multiple_of(5), "{}", data.len());
    client.shutdown();
}

#[test]
fn half_typed_text_never_stops_the_server() {
    let mut client = Client::start();
    let mut text = client.open(CONVENTION);
    client.edit(CONVENTION, &mut text, "replace rule aid_year_1", "euros =", "euros = if aid_2024[ «");
    let list = client.wait_diagnostics(CONVENTION, |list| {
        list.iter().any(|diagnostic| diagnostic["code"] == "avenant::syntax::invalid")
    });
    assert_eq!(list.len(), 1, "{list:?}");
    let here = find(&text, "aid_2024[ «", "2024");
    for method in ["textDocument/hover", "textDocument/definition", "textDocument/completion"] {
        client.request(method, at(CONVENTION, here.clone()));
    }
    client.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri(CONVENTION) } }));
    let refused = client.try_request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(CONVENTION) }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert!(refused.is_err(), "{refused:?}");
    client.shutdown();
}
