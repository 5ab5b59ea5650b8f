//! Completion: after a `.`, the columns of the chain's tables; elsewhere the
//! names the text can read (with their kind and label), its index names,
//! the keywords, the types, the functions and the rounding modes.

use lsp_types::{CompletionItem, CompletionItemKind, Documentation, Position};

use super::lex;
use super::symbols::{self, Declaration};
use super::world::{Analysis, TextFile};
use crate::check::expr::FUNCTIONS;

fn item_kind(kind: &str) -> CompletionItemKind {
    match kind {
        "enum" | "bands" => CompletionItemKind::ENUM,
        "value" | "band" => CompletionItemKind::ENUM_MEMBER,
        "field" | "column" => CompletionItemKind::FIELD,
        "param" => CompletionItemKind::CONSTANT,
        "table" => CompletionItemKind::STRUCT,
        "rule" | "conditions" => CompletionItemKind::FUNCTION,
        "index" => CompletionItemKind::TYPE_PARAMETER,
        _ => CompletionItemKind::VARIABLE,
    }
}

fn from_declaration(declaration: &Declaration<'_>, label: Option<&str>) -> CompletionItem {
    let detail = match declaration.parent {
        Some(parent) => format!("{} of {parent}", declaration.kind),
        None => declaration.kind.to_owned(),
    };
    CompletionItem {
        label: declaration.name.to_owned(),
        kind: Some(item_kind(declaration.kind)),
        detail: Some(detail),
        documentation: label.map(|label| Documentation::String(label.to_owned())),
        ..CompletionItem::default()
    }
}

pub fn complete(analysis: &Analysis, file: &TextFile, position: Position) -> Vec<CompletionItem> {
    let offset = file.offset(position);
    let before = file.text.get(..offset).unwrap_or("");
    let word_start = before.trim_end_matches(|character: char| character.is_ascii_alphanumeric() || character == '_');
    let after_dot = word_start.ends_with('.');
    let scope = analysis.scope(file);
    let mut declarations: Vec<Declaration<'_>> = scope
        .iter()
        .filter_map(|index| analysis.parsed(*index))
        .flat_map(|(_, parsed)| symbols::declarations(parsed))
        .collect();
    // A later text's declaration of a name speaks for it.
    declarations.reverse();
    let mut seen = std::collections::HashSet::new();
    declarations.retain(|declaration| seen.insert((declaration.name, declaration.kind)));
    declarations.reverse();
    if after_dot {
        return declarations
            .iter()
            .filter(|declaration| declaration.kind == "column")
            .map(|declaration| from_declaration(declaration, None))
            .collect();
    }
    let mut items: Vec<CompletionItem> = declarations
        .iter()
        .filter(|declaration| declaration.kind != "index" && declaration.kind != "example")
        .map(|declaration| from_declaration(declaration, super::hover::label(declaration)))
        .collect();
    // The index names of the declaration around the cursor.
    if let Some((_, parsed)) = file.parsed.and_then(|index| analysis.parsed(index)) {
        for (item, extent) in parsed.items.iter().zip(symbols::extents(&file.text, parsed)) {
            if extent.start <= offset && offset <= extent.end {
                items.extend(
                    symbols::declarations_of(item)
                        .iter()
                        .filter(|declaration| declaration.kind == "index")
                        .map(|declaration| from_declaration(declaration, None)),
                );
            }
        }
    }
    let fixed = |label: &str, kind, detail: &str| CompletionItem {
        label: label.to_owned(),
        kind: Some(kind),
        detail: Some(detail.to_owned()),
        ..CompletionItem::default()
    };
    items.extend(lex::KEYWORDS.iter().map(|keyword| fixed(keyword, CompletionItemKind::KEYWORD, "keyword")));
    items.extend(
        crate::check::types::BUILTIN_NAMES.iter().map(|name| fixed(name, CompletionItemKind::TYPE_PARAMETER, "type")),
    );
    items.extend(FUNCTIONS.iter().map(|(name, detail)| fixed(name, CompletionItemKind::FUNCTION, detail)));
    items.extend(
        crate::check::model::RoundingMode::ALL
            .iter()
            .map(|(name, _)| fixed(name, CompletionItemKind::ENUM_MEMBER, "rounding mode")),
    );
    items
}
