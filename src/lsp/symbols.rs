//! The names each text declares, found in its syntax tree: what a name is
//! (its kind), where it is written, whether it replaces or amends an earlier
//! text's definition, and the extent of each declaration in the text.

use crate::source::Span;
use crate::syntax::ast::{self, Item};

/// A name a text declares or changes.
#[derive(Clone, Debug)]
pub struct Declaration<'a> {
    pub name: &'a str,
    /// `param`, `rule`, …; `value` for an enumeration's, `field`, `column`,
    /// `band`, `condition`, `index` for the parts of a declaration.
    pub kind: &'static str,
    pub span: Span,
    /// Written as a change to an earlier text's declaration (`replace`,
    /// `amend`, `remove`): the name was defined before.
    pub changes: bool,
    /// The declaration (item) it is part of.
    pub item: &'a Item,
    /// The enclosing declaration's name, for a part (`specialty` for its values).
    pub parent: Option<&'a str>,
}

/// Every name `text` declares or changes, in order.
pub fn declarations(text: &ast::PolicyFile) -> Vec<Declaration<'_>> {
    text.items.iter().flat_map(declarations_of).collect()
}

/// The names one item declares or changes.
pub fn declarations_of(item: &Item) -> Vec<Declaration<'_>> {
    let mut found = Vec::new();
    declare(item, item, false, &mut found);
    found
}

fn declare<'a>(item: &'a Item, top: &'a Item, changes: bool, found: &mut Vec<Declaration<'a>>) {
    let mut push = |name: &'a ast::Ident, kind: &'static str, changes: bool, parent: Option<&'a str>| {
        found.push(Declaration { name: &name.name, kind, span: name.span, changes, item: top, parent });
    };
    match item {
        Item::Replace(inner) => declare(inner, top, true, found),
        Item::Enum(decl) | Item::AmendEnum(decl) => {
            push(&decl.name, "enum", changes || matches!(item, Item::AmendEnum(_)), None);
            for variant in &decl.variants {
                push(&variant.name, "value", false, Some(&decl.name.name));
            }
        }
        Item::Profile(profile) | Item::AmendProfile(profile) => {
            for field in &profile.fields {
                push(&field.name, "field", false, None);
            }
        }
        Item::Param(decl) => push(&decl.name, "param", changes, None),
        Item::Table(decl) | Item::AmendTable(decl) => {
            push(&decl.name, "table", changes || matches!(item, Item::AmendTable(_)), None);
            if let Item::Table(_) = item {
                for column in &decl.keys {
                    push(&column.name, "index", false, Some(&decl.name.name));
                }
                if let ast::TableValues::Record(columns) = &decl.values {
                    for column in columns {
                        push(&column.name, "column", false, Some(&decl.name.name));
                    }
                }
            }
        }
        Item::AmendCell(cell) => push(&cell.table, "table", true, None),
        Item::Bands(decl) => {
            push(&decl.name, "bands", changes, None);
            for band in &decl.bands {
                push(&band.name, "band", false, Some(&decl.name.name));
            }
        }
        Item::Rule(decl) => {
            push(&decl.name, "rule", changes, None);
            if let Some(index) = &decl.index {
                push(&index.name, "index", false, Some(&decl.name.name));
            }
        }
        Item::Conditions(decl) => {
            push(&decl.name, "conditions", changes, None);
            if let Some(index) = &decl.index {
                push(&index.name, "index", false, Some(&decl.name.name));
            }
            for condition in &decl.conditions {
                push(&condition.name, "condition", false, Some(&decl.name.name));
            }
        }
        Item::AmendConditions(decl) => {
            push(&decl.name, "conditions", true, None);
            for change in &decl.changes {
                match change {
                    ast::ConditionChange::Remove(name) => push(name, "condition", true, Some(&decl.name.name)),
                    ast::ConditionChange::Replace(condition) => {
                        push(&condition.name, "condition", true, Some(&decl.name.name));
                    }
                    ast::ConditionChange::Add(condition) => {
                        push(&condition.name, "condition", false, Some(&decl.name.name));
                    }
                }
            }
        }
        Item::Output(decl) => {
            push(&decl.name, "output", changes, None);
            if let Some(index) = &decl.index {
                push(&index.name, "index", false, Some(&decl.name.name));
            }
        }
        Item::Example(decl) => push(&decl.name, "example", changes, None),
        Item::Remove(removal) => push(&removal.name, removal.kind, true, None),
    }
}

/// Where a declaration is written in its text: from the start of the line of
/// its first word to the end of its last line before the next declaration
/// (comments and blank lines between them left out).
#[derive(Clone, Copy, Debug)]
pub struct Extent {
    pub start: usize,
    pub end: usize,
}

/// The extent of each item of `parsed`, in order.
pub fn extents(text: &str, parsed: &ast::PolicyFile) -> Vec<Extent> {
    let starts: Vec<usize> = parsed.items.iter().map(|item| line_start(text, anchor(item).start as usize)).collect();
    starts
        .iter()
        .enumerate()
        .map(|(index, &start)| {
            let next = starts.get(index + 1).copied().unwrap_or(text.len());
            Extent { start, end: start.max(last_code_end(text, start, next)) }
        })
        .collect()
}

/// The first place an item names: its name, or a profile's first field.
fn anchor(item: &Item) -> Span {
    match item {
        Item::Profile(profile) | Item::AmendProfile(profile) => profile.span,
        Item::Replace(inner) => anchor(inner),
        other => other.name().map_or(ast_span_none(), |name| name.span),
    }
}

fn ast_span_none() -> Span {
    Span::new(crate::source::FileId(0), 0, 0)
}

fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset).and_then(|before| before.rfind('\n')).map_or(0, |newline| newline + 1)
}

/// The end of the last line between `start` and `next` that holds code, not
/// only a comment or white space.
fn last_code_end(text: &str, start: usize, next: usize) -> usize {
    let slice = text.get(start..next).unwrap_or("");
    let mut end = start;
    let mut offset = start;
    for line in slice.split_inclusive('\n') {
        let code = line.trim();
        if !code.is_empty() && !code.starts_with('#') {
            end = offset + line.trim_end().len();
        }
        offset += line.len();
    }
    end
}
