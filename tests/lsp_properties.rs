//! The server never stops on half-typed text: random edits of the shipped
//! policies (pieces of policy syntax, cut words, stray quotes and brackets,
//! accents, deletions across lines), each followed by every request at
//! random places. A panic fails the property; every published diagnostic
//! and every answered range must lie inside the document.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use avenant::lsp::Server;
use lsp_server::{Notification, Request, RequestId};
use proptest::prelude::*;
use serde_json::{Value, json};

const FILES: [&str; 2] = ["policies/avenant-7.policy", "policies/convention-2024.policy"];

/// Pieces an author types, whole or cut short.
const PIECES: [&str; 24] = [
    "",
    "\n",
    "rule ",
    "replace rule aid_year_1",
    "param x: euros = ",
    "percentiles[",
    "].p3",
    "\"",
    "« é »",
    "#",
    "{",
    "}",
    "|",
    " — ",
    "if then else",
    "match x { a -> 1 }",
    "amend table percentiles[medecine_generale].p30 = 800",
    "example e { profile { } expect { } }",
    "round(x, half_up",
    "1 000 €",
    "2024-13-45",
    "table t(k: option) -> euros { | option_1 | 1 € | }",
    "enum e { a \"b\" }",
    "\u{1F600}",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn uri(file: &str) -> String {
    format!("file://{}", root().join(file).display())
}

/// An edit: where (as fractions of the text, so it lands anywhere), how much to cut, what to type.
#[derive(Debug, Clone)]
struct Edit {
    file: usize,
    at: f64,
    cut: usize,
    piece: usize,
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        (0..FILES.len(), 0.0..1.0f64, 0usize..120, 0..PIECES.len()).prop_map(|(file, at, cut, piece)| Edit {
            file,
            at,
            cut,
            piece,
        }),
        1..6,
    )
}

/// The LSP position of a byte offset (UTF-16 columns).
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |at| at + 1);
    json!({ "line": line, "character": before[start..].encode_utf16().count() })
}

fn boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Every range in a JSON answer lies within its file: the file a `uri`
/// beside it names, else `file`; `lines` gives a file's number of lines.
fn ranges_inside(value: &Value, file: &str, lines: &dyn Fn(&str) -> usize) -> bool {
    match value {
        Value::Object(object) => {
            let file = object.get("uri").and_then(Value::as_str).unwrap_or(file);
            if let (Some(start), Some(end)) = (object.get("start"), object.get("end"))
                && let (Some(line), Some(end_line)) = (start["line"].as_u64(), end["line"].as_u64())
            {
                let last = lines(file) as u64;
                if line > last || end_line > last || end_line < line {
                    return false;
                }
            }
            object.values().all(|inner| ranges_inside(inner, file, lines))
        }
        Value::Array(items) => items.iter().all(|inner| ranges_inside(inner, file, lines)),
        _ => true,
    }
}

const REQUESTS: [&str; 9] = [
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/completion",
    "textDocument/prepareRename",
    "textDocument/documentSymbol",
    "textDocument/foldingRange",
    "textDocument/semanticTokens/full",
    "textDocument/codeLens",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn random_edits_never_stop_the_server(edits in edits(), places in prop::collection::vec(0.0..1.0f64, 3)) {
        let mut server = Server::default();
        let mut texts: Vec<String> = FILES.iter().map(|file| std::fs::read_to_string(root().join(file)).unwrap()).collect();
        for (file, text) in FILES.iter().zip(&texts) {
            server.notice(Notification::new(
                "textDocument/didOpen".to_owned(),
                json!({ "textDocument": { "uri": uri(file), "languageId": "avenant", "version": 1, "text": text } }),
            ));
        }
        let mut id = 0;
        for edit in &edits {
            let range = {
                let text = &mut texts[edit.file];
                let start = boundary(text, (edit.at * text.len() as f64) as usize);
                let end = boundary(text, start + edit.cut);
                let range = json!({ "start": position(text, start), "end": position(text, end) });
                text.replace_range(start..end, PIECES[edit.piece]);
                range
            };
            let published = server.notice(Notification::new(
                "textDocument/didChange".to_owned(),
                json!({
                    "textDocument": { "uri": uri(FILES[edit.file]), "version": 2 },
                    "contentChanges": [{ "range": range, "text": PIECES[edit.piece] }],
                }),
            ));
            let lines = |address: &str| {
                let text = FILES.iter().position(|file| uri(file) == address).map_or_else(
                    || std::fs::read_to_string(address.trim_start_matches("file://")).unwrap_or_default(),
                    |at| texts[at].clone(),
                );
                text.split('\n').count()
            };
            for notification in published {
                prop_assert!(ranges_inside(&notification.params, "", &lines), "{}", notification.params);
            }
            let text = &texts[edit.file];
            for place in &places {
                let offset = boundary(text, (place * text.len() as f64) as usize);
                for method in REQUESTS {
                    id += 1;
                    let params = json!({
                        "textDocument": { "uri": uri(FILES[edit.file]) },
                        "position": position(text, offset),
                        "context": { "includeDeclaration": true },
                    });
                    let response = server.answer(Request { id: RequestId::from(id), method: method.to_owned(), params });
                    if let Some(result) = &response.result {
                        prop_assert!(ranges_inside(result, &uri(FILES[edit.file]), &lines), "{method}: {result}");
                    }
                }
            }
        }
    }
}
