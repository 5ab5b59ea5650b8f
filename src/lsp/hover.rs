//! Hover: what a name is (its declaration's line, its type where the text
//! leaves it to be inferred), how sure and from which source, which text of
//! the chain defines it now and what it replaced; for a table cell, its
//! value, certainty and source, and the cells it replaces or is replaced by.

use std::fmt::Write as _;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::navigate;
use super::symbols::Declaration;
use super::world::{Analysis, TextFile};
use crate::check::types::TypeName;
use crate::source::Span;
use crate::syntax::ast::{self, Item};

pub fn hover(analysis: &Analysis, file: &TextFile, position: Position) -> Option<Hover> {
    let offset = file.offset(position);
    let markdown = cell_hover(analysis, file, offset).or_else(|| name_hover(analysis, file, position))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: markdown }),
        range: None,
    })
}

/// The line a span starts on, trimmed: a declaration's head as written.
fn line_of(analysis: &Analysis, span: Span) -> String {
    let Some(file) = analysis.file_by_id(span.file) else { return String::new() };
    let start = span.start as usize;
    let line_start = file.text.get(..start).and_then(|before| before.rfind('\n')).map_or(0, |at| at + 1);
    let line_end = file.text.get(start..).and_then(|after| after.find('\n')).map_or(file.text.len(), |at| start + at);
    let line = file.text.get(line_start..line_end).unwrap_or("");
    crate::source::without_comments(line).trim().to_owned()
}

/// `convention_2024` (policies/convention-2024.policy:25)
fn place(analysis: &Analysis, span: Span) -> String {
    let text = analysis.text_name(span.file).unwrap_or("?");
    let Some(file) = analysis.file_by_id(span.file) else { return format!("`{text}`") };
    let line = file.lines.position(&file.text, span.start as usize).line + 1;
    // The texts of a chain share their directory: the file's name says where.
    let name = file
        .path
        .file_name()
        .map_or_else(|| file.path.display().to_string(), |name| name.to_string_lossy().into_owned());
    format!("`{text}` ({name}:{line})")
}

fn meta(item: &Item) -> Option<&ast::Meta> {
    match item {
        Item::Enum(decl) | Item::AmendEnum(decl) => Some(&decl.meta),
        Item::Param(decl) => Some(&decl.meta),
        Item::Table(decl) | Item::AmendTable(decl) => Some(&decl.meta),
        Item::AmendCell(cell) => Some(&cell.meta),
        Item::Bands(decl) => Some(&decl.meta),
        Item::Rule(decl) => Some(&decl.meta),
        Item::Conditions(decl) => Some(&decl.meta),
        Item::Output(decl) => Some(&decl.meta),
        Item::Replace(inner) => meta(inner),
        Item::Profile(_) | Item::AmendProfile(_) | Item::Example(_) | Item::Remove(_) | Item::AmendConditions(_) => {
            None
        }
    }
}

/// `assumed: why`, `secondary`, `established`.
fn certainty(clause: &ast::CertaintyClause) -> String {
    match &clause.reason {
        Some(reason) => format!("{}: {}", clause.kind.word(), reason.value),
        None => clause.kind.word().to_owned(),
    }
}

fn write_meta(out: &mut String, meta: &ast::Meta) {
    if let Some(clause) = &meta.certainty {
        let _ = writeln!(out, "\n**{}**", certainty(clause));
    }
    for source in &meta.sources {
        let _ = writeln!(out, "\nsource: {}", source.value);
    }
    for note in &meta.notes {
        let _ = writeln!(out, "\nnote: {}", note.value);
    }
}

fn name_hover(analysis: &Analysis, file: &TextFile, position: Position) -> Option<String> {
    let resolved = navigate::resolve(analysis, file, position)?;
    let (_, current) = resolved.at_cursor(file).or_else(|| resolved.current())?;
    let mut out =
        format!("{} `{}`\n\n```avenant\n{}\n```\n", current.kind, current.name, line_of(analysis, current.span));
    if let Some(parent) = current.parent {
        let _ = writeln!(out, "\nof `{parent}`");
    }
    if let Some(label) = label(current) {
        let _ = writeln!(out, "\n« {label} »");
    }
    if let (Item::Rule(_), Some(loaded)) = (unreplaced(current.item), analysis.policy(file))
        && current.kind == "rule"
        && let Some(rule) = loaded.policy.rules.iter().find(|rule| rule.name == current.name)
    {
        let _ = writeln!(out, "\ntype: {}", type_name(&loaded.policy, rule.ty));
    }
    if current.parent.is_none()
        && let Some(meta) = meta(current.item)
    {
        write_meta(&mut out, meta);
    }
    if resolved.local.is_none() {
        let _ = writeln!(out, "\ndefined in {}", place(analysis, current.span));
        let same =
            |other: &Declaration<'_>| other.span.file == current.span.file && other.span.start == current.span.start;
        let at = resolved.declarations.iter().position(|(_, other)| same(other)).unwrap_or(0);
        for (position, (_, other)) in resolved.declarations.iter().enumerate().filter(|(position, _)| *position != at) {
            let verb = if position < at { "replaces the definition in" } else { "amended in" };
            let _ = writeln!(out, "\n{verb} {}", place(analysis, other.span));
        }
        // Later texts built on this one that change it.
        if let Some(here) = file.parsed {
            for index in analysis.family(here).into_iter().filter(|index| !analysis.scope(file).contains(index)) {
                let Some((_, text)) = analysis.parsed(index) else { continue };
                for later in super::symbols::declarations(text) {
                    if later.name == current.name && later.kind == current.kind && later.changes {
                        let _ = writeln!(out, "\nchanged later in {}", place(analysis, later.span));
                    }
                }
            }
        }
    }
    Some(out)
}

fn unreplaced(item: &Item) -> &Item {
    match item {
        Item::Replace(inner) => unreplaced(inner),
        other => other,
    }
}

/// The label a declaration gives its name (`"médecine générale"`).
pub(super) fn label<'a>(declaration: &Declaration<'a>) -> Option<&'a str> {
    let name = declaration.name;
    let text = match unreplaced(declaration.item) {
        Item::Enum(decl) | Item::AmendEnum(decl) => match declaration.kind {
            "value" => decl.variants.iter().find(|variant| variant.name.name == name)?.label.as_ref(),
            _ => decl.label.as_ref(),
        },
        Item::Profile(profile) | Item::AmendProfile(profile) => {
            profile.fields.iter().find(|field| field.name.name == name)?.label.as_ref()
        }
        Item::Bands(decl) => match declaration.kind {
            "band" => decl.bands.iter().find(|band| band.name.name == name)?.label.as_ref(),
            _ => decl.label.as_ref(),
        },
        Item::Conditions(decl) => match declaration.kind {
            "condition" => Some(&decl.conditions.iter().find(|condition| condition.name.name == name)?.message),
            _ => decl.label.as_ref(),
        },
        _ => None,
    };
    text.map(|text| text.value.as_str())
}

fn type_name(policy: &crate::CheckedPolicy, ty: crate::check::types::Type) -> String {
    let enum_name = |id| policy.enum_def(id).name.clone();
    let table_name = |id| policy.table_def(id).name.clone();
    TypeName { ty, enum_name: &enum_name, table_name: &table_name }.to_string()
}

/// A value cell of a table, found by its table, its row's keys and its column.
#[derive(Clone)]
struct CellAt<'a> {
    table: &'a str,
    keys: Vec<&'a str>,
    column: Option<&'a str>,
    value: &'a ast::CellValue,
    certainty: Option<&'a ast::CertaintyClause>,
    span: Span,
}

/// Every value cell a text writes: in its tables, its amended rows, its
/// amended cells. Amended rows do not restate their table's keys and
/// columns: `declared` finds the table as declared in the chain.
fn cells<'a>(text: &'a ast::PolicyFile, declared: &dyn Fn(&str) -> Option<&'a ast::TableDecl>) -> Vec<CellAt<'a>> {
    let mut found = Vec::new();
    for item in &text.items {
        match unreplaced(item) {
            Item::Table(written) | Item::AmendTable(written) => {
                let Some(table) =
                    (if let Item::AmendTable(_) = item { declared(&written.name.name) } else { Some(written) })
                else {
                    continue;
                };
                let key_count = table.keys.len();
                let columns: Vec<Option<&str>> = match &table.values {
                    ast::TableValues::Single(_) => vec![None],
                    ast::TableValues::Record(columns) => {
                        columns.iter().map(|column| Some(column.name.name.as_str())).collect()
                    }
                };
                for row in &written.rows {
                    let keys: Vec<&str> = row.cells.iter().take(key_count).map(cell_word).collect();
                    for (cell, column) in row.cells.iter().skip(key_count).zip(&columns) {
                        found.push(CellAt {
                            table: &written.name.name,
                            keys: keys.clone(),
                            column: *column,
                            value: &cell.value,
                            certainty: cell.certainty.as_ref(),
                            span: cell.span,
                        });
                    }
                }
            }
            Item::AmendCell(cell) => found.push(CellAt {
                table: &cell.table.name,
                keys: cell.keys.iter().map(|key| key.name.as_str()).collect(),
                column: cell.column.as_ref().map(|column| column.name.as_str()),
                value: &cell.value,
                certainty: cell.meta.certainty.as_ref(),
                span: cell.span,
            }),
            _ => {}
        }
    }
    found
}

fn cell_word(cell: &ast::Cell) -> &str {
    match &cell.value {
        ast::CellValue::Literal(ast::Literal { kind: ast::LiteralKind::Name(name), .. }) => name,
        _ => "?",
    }
}

/// The table a text declares (or replaces) by that name.
fn table_decl<'a>(text: &'a ast::PolicyFile, name: &str) -> Option<&'a ast::TableDecl> {
    text.items.iter().find_map(|item| match unreplaced(item) {
        Item::Table(table) if table.name.name == name => Some(table),
        _ => None,
    })
}

fn cell_text(analysis: &Analysis, cell: &CellAt<'_>) -> String {
    let value = match cell.value {
        ast::CellValue::Hole => "— (the text gives no value)".to_owned(),
        ast::CellValue::Literal(literal) => analysis.file_by_id(literal.span.file).map_or_else(String::new, |file| {
            let code = file.text.get(literal.span.start as usize..literal.span.end as usize).unwrap_or("");
            crate::source::without_comments(code).trim().to_owned()
        }),
    };
    match cell.certainty {
        Some(clause) => format!("{value} ({})", certainty(clause)),
        None => value,
    }
}

fn cell_hover(analysis: &Analysis, file: &TextFile, offset: usize) -> Option<String> {
    let (_, parsed) = analysis.parsed(file.parsed?)?;
    let scope = analysis.scope(file);
    let texts: Vec<&ast::PolicyFile> =
        scope.iter().filter_map(|index| analysis.parsed(*index).map(|(_, text)| text)).collect();
    let declared = |name: &str| texts.iter().rev().find_map(|text| table_decl(text, name));
    let all = cells(parsed, &declared);
    let cell = all.iter().find(|cell| cell.span.start as usize <= offset && offset < cell.span.end as usize)?;
    let table = declared(cell.table);
    let column = cell.column.map(|column| format!(".{column}")).unwrap_or_default();
    let unit = table.and_then(|table| match &table.values {
        ast::TableValues::Single(ty) => Some(ty.name.as_str()),
        ast::TableValues::Record(columns) => columns
            .iter()
            .find(|candidate| Some(candidate.name.name.as_str()) == cell.column)
            .map(|column| column.ty.name.as_str()),
    });
    let mut out = format!("table cell `{}[{}]{column}`: {}\n", cell.table, cell.keys.join(", "), unit.unwrap_or("?"));
    let value = CellAt { certainty: None, ..cell.clone() };
    let _ = writeln!(out, "\n```avenant\n{}\n```", cell_text(analysis, &value));
    match cell.certainty {
        Some(clause) => {
            let _ = writeln!(out, "\n**{}**", certainty(clause));
        }
        None => {
            if let Some(clause) = table.and_then(|table| table.meta.certainty.as_ref()) {
                let _ = writeln!(out, "\n**{}** (the table's)", certainty(clause));
            }
        }
    }
    if let Some(table) = table {
        for source in &table.meta.sources {
            let _ = writeln!(out, "\nsource: {}", source.value);
        }
    }
    let _ = writeln!(out, "\nwritten in {}", place(analysis, cell.span));
    // The same cell in the other texts of its family: what it replaces, and what replaces it.
    let same = |other: &CellAt<'_>| other.table == cell.table && other.keys == cell.keys && other.column == cell.column;
    let here = file.parsed?;
    let mut family = scope.clone();
    family.extend(analysis.family(here));
    family.sort_unstable();
    family.dedup();
    for index in family.into_iter().filter(|index| *index != here) {
        let Some((_, text)) = analysis.parsed(index) else { continue };
        for other in cells(text, &declared).iter().filter(|other| same(other)) {
            let verb = if scope.contains(&index) { "replaces" } else { "replaced by" };
            let _ = writeln!(out, "\n{verb} {} in {}", cell_text(analysis, other), place(analysis, other.span));
        }
    }
    Some(out)
}
