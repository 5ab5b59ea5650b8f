//! A text's shape for the editor: its outline (document symbols), the
//! declarations that fold, and the colour of each word (semantic tokens).

use lsp_types::{
    DocumentSymbol, FoldingRange, FoldingRangeKind, SemanticToken, SemanticTokenModifier, SemanticTokenType,
    SemanticTokensLegend, SymbolKind,
};

use super::lex::{self, TokenKind};
use super::symbols;
use super::world::{Analysis, TextFile};
use crate::syntax::ast::Item;

fn symbol_kind(kind: &str) -> SymbolKind {
    match kind {
        "enum" => SymbolKind::ENUM,
        "value" | "band" => SymbolKind::ENUM_MEMBER,
        "field" | "column" => SymbolKind::FIELD,
        "param" => SymbolKind::CONSTANT,
        "table" => SymbolKind::STRUCT,
        "bands" => SymbolKind::CLASS,
        "rule" => SymbolKind::FUNCTION,
        "conditions" => SymbolKind::INTERFACE,
        "condition" => SymbolKind::BOOLEAN,
        "output" => SymbolKind::PROPERTY,
        "example" => SymbolKind::EVENT,
        "index" => SymbolKind::TYPE_PARAMETER,
        _ => SymbolKind::KEY,
    }
}

/// The outline: each declaration, with its values, bands or conditions inside.
pub fn document_symbols(analysis: &Analysis, file: &TextFile) -> Vec<DocumentSymbol> {
    let Some((_, parsed)) = file.parsed.and_then(|index| analysis.parsed(index)) else { return Vec::new() };
    let extents = symbols::extents(&file.text, parsed);
    let mut outline = Vec::new();
    for (item, extent) in parsed.items.iter().zip(extents) {
        let range = file.range(extent.start, extent.end);
        let declarations = symbols::declarations_of(item);
        let (head, parts) = match item {
            // A profile names no declaration of its own: its fields are the outline's entries.
            Item::Profile(_) | Item::AmendProfile(_) => (None, declarations.as_slice()),
            _ => match declarations.split_first() {
                Some((head, parts)) => (Some(head), parts),
                None => (None, &[][..]),
            },
        };
        let children: Vec<DocumentSymbol> = parts
            .iter()
            .filter(|part| part.kind != "index")
            .map(|part| {
                let selection = file.range(part.span.start as usize, part.span.end as usize);
                symbol(part.name, part.kind, selection, selection, None)
            })
            .collect();
        match head {
            Some(head) => {
                let selection = file.range(head.span.start as usize, head.span.end as usize);
                let kind = if head.changes { format!("{} (amends)", item.kind()) } else { item.kind().to_owned() };
                outline.push(symbol(head.name, &kind, range, selection, Some(children)));
            }
            None => {
                let selection = file.range(extent.start, extent.start);
                outline.push(symbol("profile", "profile", range, selection, Some(children)));
            }
        }
    }
    outline
}

#[expect(deprecated, reason = "`deprecated` is a required field of the protocol's type, superseded by `tags`")]
fn symbol(
    name: &str,
    detail: &str,
    range: lsp_types::Range,
    selection: lsp_types::Range,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    let kind = symbol_kind(detail.split(' ').next().unwrap_or(detail));
    DocumentSymbol {
        name: name.to_owned(),
        detail: Some(detail.to_owned()),
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: children.filter(|children| !children.is_empty()),
    }
}

/// Each declaration of more than one line folds, and so does each block of comment lines.
pub fn folding_ranges(analysis: &Analysis, file: &TextFile) -> Vec<FoldingRange> {
    let mut ranges = Vec::new();
    if let Some((_, parsed)) = file.parsed.and_then(|index| analysis.parsed(index)) {
        for extent in symbols::extents(&file.text, parsed) {
            let range = file.range(extent.start, extent.end);
            if range.end.line > range.start.line {
                ranges.push(FoldingRange {
                    start_line: range.start.line,
                    end_line: range.end.line,
                    kind: Some(FoldingRangeKind::Region),
                    ..FoldingRange::default()
                });
            }
        }
    }
    let comment_lines: Vec<u32> = file
        .tokens
        .iter()
        .filter(|token| token.kind == TokenKind::Comment)
        .map(|token| file.range(token.start, token.end).start.line)
        .collect();
    let mut at = 0;
    while let Some(&first) = comment_lines.get(at) {
        let mut last = first;
        while comment_lines.get(at + 1) == Some(&(last + 1)) {
            at += 1;
            last += 1;
        }
        if last > first {
            ranges.push(FoldingRange {
                start_line: first,
                end_line: last,
                kind: Some(FoldingRangeKind::Comment),
                ..FoldingRange::default()
            });
        }
        at += 1;
    }
    ranges
}

/// The token types the server sends, in the order of their numbers.
const TOKEN_TYPES: [SemanticTokenType; 13] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::TYPE,
    SemanticTokenType::ENUM,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::COMMENT,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::STRUCT,
    SemanticTokenType::EVENT,
];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TOKEN_TYPES.to_vec(),
        token_modifiers: vec![SemanticTokenModifier::DECLARATION, SemanticTokenModifier::READONLY],
    }
}

fn type_number(token_type: &SemanticTokenType) -> u32 {
    TOKEN_TYPES.iter().position(|known| known == token_type).map_or(0, |at| u32::try_from(at).unwrap_or(0))
}

/// The token type of a name by what declares it.
fn name_type(kind: &str) -> SemanticTokenType {
    match kind {
        "param" | "output" => SemanticTokenType::VARIABLE,
        "rule" | "conditions" | "condition" => SemanticTokenType::FUNCTION,
        "enum" | "bands" => SemanticTokenType::ENUM,
        "value" | "band" => SemanticTokenType::ENUM_MEMBER,
        "field" | "column" => SemanticTokenType::PROPERTY,
        "table" => SemanticTokenType::STRUCT,
        "index" => SemanticTokenType::PARAMETER,
        "example" => SemanticTokenType::EVENT,
        _ => SemanticTokenType::VARIABLE,
    }
}

/// Every keyword, declared name, number, quoted text and comment, coloured
/// by what it is; names by the kind of their declaration in the chain.
pub fn semantic_tokens(analysis: &Analysis, file: &TextFile) -> Vec<SemanticToken> {
    let mut kinds: std::collections::HashMap<&str, (&'static str, bool)> = std::collections::HashMap::new();
    for index in analysis.scope(file) {
        let Some((_, parsed)) = analysis.parsed(index) else { continue };
        for declaration in symbols::declarations(parsed) {
            kinds.insert(declaration.name, (declaration.kind, declaration.kind == "param"));
        }
    }
    let mut declared_here = std::collections::HashSet::new();
    if let Some((_, parsed)) = file.parsed.and_then(|index| analysis.parsed(index)) {
        declared_here.extend(symbols::declarations(parsed).iter().map(|declaration| declaration.span.start as usize));
    }
    let mut tokens = Vec::new();
    let (mut previous_line, mut previous_start) = (0, 0);
    for token in &file.tokens {
        let word = token.text(&file.text);
        let (token_type, readonly) = match token.kind {
            TokenKind::Word if lex::is_keyword(word) => (SemanticTokenType::KEYWORD, false),
            TokenKind::Word if crate::check::types::builtin(word).is_some() => (SemanticTokenType::TYPE, false),
            TokenKind::Word => match kinds.get(word) {
                Some((kind, readonly)) => (name_type(kind), *readonly),
                None => continue,
            },
            TokenKind::Number => (SemanticTokenType::NUMBER, false),
            TokenKind::Text => (SemanticTokenType::STRING, false),
            TokenKind::Comment => (SemanticTokenType::COMMENT, false),
            TokenKind::Punct => continue,
        };
        let modifiers = u32::from(declared_here.contains(&token.start)) | (u32::from(readonly) << 1);
        // A token may not run over a line: a quoted text over several is sent line by line.
        let mut start = token.start;
        for piece in file.text.get(token.start..token.end).unwrap_or("").split_inclusive('\n') {
            let end = start + piece.trim_end_matches('\n').len();
            let range = file.range(start, end);
            if range.end.character > range.start.character {
                let delta_line = range.start.line - previous_line;
                let delta_start =
                    if delta_line == 0 { range.start.character - previous_start } else { range.start.character };
                tokens.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length: range.end.character - range.start.character,
                    token_type: type_number(&token_type),
                    token_modifiers_bitset: modifiers,
                });
                (previous_line, previous_start) = (range.start.line, range.start.character);
            }
            start += piece.len();
        }
    }
    tokens
}
