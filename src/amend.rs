//! Amendments: a chain of texts (the base first) → one policy, as if written
//! in one file. Every node keeps the span of the file it came from.
//!
//! An amendment states only what changes. Each change must target something
//! the texts before it define, of the same kind, and keep its type; a new
//! declaration must not shadow an existing one. Everything else (names,
//! types, tables, bands) is the checker's, on the merged policy. Nothing
//! here reads files.

use crate::check::diagnostic::{self, Diagnostic, suggest};
use crate::code::Code;
use crate::source::Span;
use crate::syntax::ast::*;

/// A chain of texts as one policy, and where each declaration comes from.
#[derive(Debug, Clone)]
pub struct Merged {
    pub file: PolicyFile,
    /// For each item of `file`, the texts that wrote and changed it:
    /// `from avenant_7; amended by reglement_arbitral_2023`.
    pub provenance: Vec<String>,
}

/// Applies each amendment of `chain` to the texts before it. `chain[0]` is
/// the base text; the merged policy takes the header of the last text.
pub fn merge(chain: &[&PolicyFile]) -> Result<Merged, Vec<Diagnostic>> {
    let Some((base, amendments)) = chain.split_first() else {
        return Err(Vec::new());
    };
    let from_base = format!("from {}", base.header.name.name);
    let mut merger = Merger {
        items: base.items.clone(),
        provenance: vec![from_base; base.items.len()],
        diagnostics: Vec::new(),
        origin: base.header.name.name.clone(),
        applying: base.header.name.name.clone(),
    };
    // `amends "../x"` means to amend, but names no text: said at the header,
    // rather than at each change as if the text amended none.
    let unnamed = base.header.fields.iter().find(|field| {
        field.key.name == "amends" && !matches!(field.value.kind, crate::syntax::ast::LiteralKind::Name(_))
    });
    if let Some(field) = unnamed {
        merger.diagnostics.push(
            Diagnostic::new(
                Code::Header,
                field.value.span,
                "`amends` takes the name of a text in the same directory, not a path or a quoted text",
                "not a name",
            )
            .with_help(
                "write the name from the header of the text amended: `amends avenant_7` for `policy avenant_7 { … }`",
            ),
        );
    }
    for item in base.items.iter().filter(|_| unnamed.is_none()) {
        if let Some(span) = amendment_span(item) {
            merger.diagnostics.push(
                Diagnostic::new(
                    Code::AmendNotAllowed,
                    span,
                    format!("`{}` changes a text, but `{}` amends none", change_word(item), base.header.name.name),
                    "not an amendment",
                )
                .with_help("name the text it amends in the header: `amends avenant_7`"),
            );
        }
    }
    for amendment in amendments {
        // Examples state what the text that writes them gives; a later text
        // states its own.
        while let Some(position) = merger.items.iter().position(|item| matches!(item, Item::Example(_))) {
            merger.remove(position);
        }
        merger.applying = amendment.header.name.name.clone();
        for item in &amendment.items {
            merger.apply(item);
        }
        merger.origin = amendment.header.name.name.clone();
    }
    if merger.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(merger.diagnostics);
    }
    let last = chain.last().map_or(&base.header, |text| &text.header);
    Ok(Merged { file: PolicyFile { header: last.clone(), items: merger.items }, provenance: merger.provenance })
}

fn amendment_span(item: &Item) -> Option<Span> {
    match item {
        Item::Replace(inner) => inner.name().map(|name| name.span),
        Item::Remove(removal) => Some(removal.span),
        Item::AmendConditions(amend) => Some(amend.span),
        Item::AmendTable(table) => Some(table.name.span),
        Item::AmendCell(cell) => Some(cell.table.span),
        Item::AmendEnum(decl) => Some(decl.name.span),
        Item::AmendProfile(profile) => Some(profile.span),
        _ => None,
    }
}

fn change_word(item: &Item) -> &'static str {
    match item {
        Item::Replace(_) => "replace",
        Item::Remove(_) => "remove",
        _ => "amend",
    }
}

struct Merger {
    items: Vec<Item>,
    /// Where each item comes from, kept in step with `items`.
    provenance: Vec<String>,
    /// The text whose changes are being applied.
    applying: String,
    diagnostics: Vec<Diagnostic>,
    /// The name of the text that last changed the items, for messages.
    origin: String,
}

impl Merger {
    fn push(&mut self, item: Item) {
        self.items.push(item);
        self.provenance.push(format!("from {}", self.applying));
    }

    fn remove(&mut self, position: usize) {
        self.items.remove(position);
        if position < self.provenance.len() {
            self.provenance.remove(position);
        }
    }

    /// Notes that the text being applied changed the item at `position`.
    fn amended(&mut self, position: usize, how: &str) {
        let applying = self.applying.clone();
        if let Some(provenance) = self.provenance.get_mut(position) {
            *provenance = match how {
                "replaced" => format!("from {applying}, replacing {}", provenance.trim_start_matches("from ")),
                _ => format!("{provenance}; amended by {applying}"),
            };
        }
    }

    fn position(&self, kind: &str, name: &str) -> Option<usize> {
        self.items.iter().position(|item| item.kind() == kind && item.name().is_some_and(|ident| ident.name == name))
    }

    /// The position of the declaration a change targets, or a reported error
    /// with the nearest name of that kind.
    fn target(&mut self, kind: &str, name: &Ident) -> Option<usize> {
        if let Some(position) = self.position(kind, &name.name) {
            return Some(position);
        }
        let names: Vec<String> = self
            .items
            .iter()
            .filter(|item| item.kind() == kind)
            .filter_map(|item| item.name().map(|ident| ident.name.clone()))
            .collect();
        let elsewhere =
            self.items.iter().find(|item| item.name().is_some_and(|ident| ident.name == name.name)).map(Item::kind);
        let help = match elsewhere {
            Some(other) => format!("`{}` is a `{other}`, not a `{kind}`", name.name),
            None => suggest(&name.name, names.iter().map(String::as_str))
                .unwrap_or_else(|| format!("an amendment changes what the texts before it define; to add a {kind}, declare it without `replace`")),
        };
        self.diagnostics.push(
            Diagnostic::new(
                Code::AmendUnknownTarget,
                name.span,
                format!("there is no {kind} `{}` to change in the texts this one amends", name.name),
                "nothing to change",
            )
            .with_help(help),
        );
        None
    }

    fn apply(&mut self, item: &Item) {
        match item {
            Item::Replace(replacement) => self.replace(replacement),
            Item::Remove(removal) => {
                if let Some(position) = self.target(removal.kind, &removal.name) {
                    self.remove(position);
                }
            }
            Item::AmendConditions(amend) => self.amend_conditions(amend),
            Item::AmendTable(rows) => self.amend_table(rows),
            Item::AmendCell(cell) => self.amend_cell(cell),
            Item::AmendEnum(decl) => {
                let Some(position) = self.target("enum", &decl.name) else { return };
                if let Some(Item::Enum(existing)) = self.items.get_mut(position) {
                    existing.variants.extend(decl.variants.iter().cloned());
                }
                self.amended(position, "amended");
            }
            Item::AmendProfile(fields) => match self.items.iter().position(|item| matches!(item, Item::Profile(_))) {
                Some(position) => {
                    if let Some(Item::Profile(profile)) = self.items.get_mut(position) {
                        profile.fields.extend(fields.fields.iter().cloned());
                    }
                    self.amended(position, "amended");
                }
                None => self.push(Item::Profile(fields.clone())),
            },
            Item::Profile(profile) if self.items.iter().any(|item| matches!(item, Item::Profile(_))) => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::AmendAlreadyDefined,
                        profile.span,
                        "the profile is already declared by the texts this one amends",
                        "declared again",
                    )
                    .with_help("add fields with `amend profile { … }`"),
                );
            }
            new => {
                if let Some(name) = new.name()
                    && let Some(existing) = self.position(new.kind(), &name.name)
                {
                    let first = self.items.get(existing).and_then(Item::name).map(|ident| ident.span);
                    let mut error = Diagnostic::new(
                        Code::AmendAlreadyDefined,
                        name.span,
                        format!("the {} `{}` is already defined by the texts this one amends", new.kind(), name.name),
                        "defined again",
                    )
                    .with_help(format!(
                        "to change it, write `replace {} {} …`",
                        new.kind(),
                        name.name
                    ));
                    if let Some(first) = first {
                        error = error.with_label(first, format!("defined here (as of `{}`)", self.origin));
                    }
                    self.diagnostics.push(error);
                    return;
                }
                self.push(new.clone());
            }
        }
    }

    fn replace(&mut self, replacement: &Item) {
        let Some(name) = replacement.name() else { return };
        let Some(mut position) = self.target(replacement.kind(), name) else { return };
        let Some(existing) = self.items.get(position) else { return };
        if let Some((found, wanted)) = signature_change(existing, replacement) {
            let first = existing.name().map(|ident| ident.span);
            let mut error = Diagnostic::new(
                Code::AmendTypeChanged,
                found.1,
                format!("the replacement of `{}` changes its {}", name.name, found.0),
                format!("was `{}`", wanted),
            )
            .with_help("a replacement keeps the type, index and columns of what it replaces; declare a new name for something new");
            if let Some(first) = first {
                error = error.with_label(first, "as declared here");
            }
            self.diagnostics.push(error);
            return;
        }
        let mut replacement = replacement.clone();
        if let Item::Rule(rule) = &mut replacement
            && let Some(base) = self.keep_base(position, rule)
        {
            self.items.insert(position, Item::Rule(base));
            let provenance = self.provenance.get(position).cloned().unwrap_or_default();
            let applying = &self.applying;
            self.provenance.insert(position, format!("{provenance}; the base of `{}` in {applying}", rule.name.name));
            position += 1;
        }
        if let Some(slot) = self.items.get_mut(position) {
            *slot = replacement;
        }
        self.amended(position, "replaced");
    }

    /// Where a replacement reads `base`, the rule it replaces is kept under a
    /// name of its own, `aid_year_2_before_proposition_2026`, and `base`
    /// reads it: the merged chain is then a policy like any other (checked,
    /// explained and printed as such), and the base follows every correction
    /// of the text that wrote it. The kept rule, or `None` where `base` is
    /// not read.
    fn keep_base(&mut self, position: usize, rule: &mut RuleDecl) -> Option<RuleDecl> {
        let Some(Item::Rule(existing)) = self.items.get(position) else { return None };
        let kept_name = format!("{}_before_{}", existing.name.name, self.applying);
        let index = rule.index.as_ref().map(|index| index.name.name.clone());
        if !name_the_base(&mut rule.body, &kept_name, index.as_deref()) {
            return None;
        }
        let mut kept = existing.clone();
        if self.items.iter().any(|item| item.name().is_some_and(|name| name.name == kept_name)) {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::AmendAlreadyDefined,
                    rule.name.span,
                    format!("the base of `{}` would be named `{kept_name}`, a name already defined", rule.name.name),
                    "its base",
                )
                .with_help(format!("rename the definition `{kept_name}`")),
            );
            return None;
        }
        kept.name.name = kept_name;
        Some(kept)
    }

    fn amend_conditions(&mut self, amend: &AmendConditions) {
        let Some(position) = self.target("conditions", &amend.name) else { return };
        self.amended(position, "amended");
        let Some(Item::Conditions(set)) = self.items.get_mut(position) else { return };
        let mut errors = Vec::new();
        for change in &amend.changes {
            let (name, present) = match change {
                ConditionChange::Remove(name) => (name, true),
                ConditionChange::Replace(condition) => (&condition.name, true),
                ConditionChange::Add(condition) => (&condition.name, false),
            };
            let index = set.conditions.iter().position(|condition| condition.name.name == name.name);
            match (index, present, change) {
                (Some(index), true, ConditionChange::Remove(_)) => {
                    set.conditions.remove(index);
                }
                (Some(index), true, ConditionChange::Replace(condition)) => {
                    if let Some(slot) = set.conditions.get_mut(index) {
                        *slot = condition.clone();
                    }
                }
                (None, false, ConditionChange::Add(condition)) => set.conditions.push(condition.clone()),
                (Some(index), false, _) => {
                    let first = set.conditions.get(index).map(|condition| condition.name.span);
                    let mut error = diagnostic::duplicate(
                        &format!("the condition `{}.{}`", set.name.name, name.name),
                        name.span,
                        first.unwrap_or(name.span),
                    )
                    .with_help(format!("to change it, write `replace condition {} …`", name.name));
                    error.code = Code::AmendAlreadyDefined;
                    errors.push(error);
                }
                _ => {
                    let names = set.conditions.iter().map(|condition| condition.name.name.as_str());
                    let help = suggest(&name.name, names)
                        .unwrap_or_else(|| "to add a condition, write it without `replace`".to_owned());
                    errors.push(
                        Diagnostic::new(
                            Code::AmendUnknownTarget,
                            name.span,
                            format!("the condition set `{}` has no condition `{}`", set.name.name, name.name),
                            "nothing to change",
                        )
                        .with_help(help),
                    );
                }
            }
        }
        self.diagnostics.extend(errors);
    }

    /// Rows of an amended table replace the rows with the same keys; rows
    /// with new keys are added.
    fn amend_table(&mut self, amend: &TableDecl) {
        let Some(position) = self.target("table", &amend.name) else { return };
        self.amended(position, "amended");
        let Some(Item::Table(table)) = self.items.get_mut(position) else { return };
        let key_count = table.keys.len();
        let mut base_rows = rows_by_keys(table, key_count, None);
        let certainty = amend.meta.certainty.clone();
        for row in rows_by_keys(amend, key_count, Some(table)) {
            let row = stamp(row, key_count, certainty.as_ref());
            match base_rows.iter().position(|existing| same_keys(existing, &row, key_count)) {
                Some(index) => {
                    if let Some(slot) = base_rows.get_mut(index) {
                        *slot = row;
                    }
                }
                None => base_rows.push(row),
            }
        }
        table.rows = base_rows;
        table.grid_header = None;
        table.meta.sources.extend(amend.meta.sources.iter().cloned());
        table.meta.notes.extend(amend.meta.notes.iter().cloned());
    }
}

/// Makes every `base` in `expr` read the rule named `kept`: `base[keys]` as
/// written, a bare `base` at the replacement's own `index`. Whether there was one.
fn name_the_base(expr: &mut Expr, kept: &str, index: Option<&str>) -> bool {
    // An expression nests as deep as its operators chain: the walk must not be
    // bounded by the stack.
    use crate::check::expr::{STACK_GROWTH, STACK_RED_ZONE};
    stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
        let span = expr.span;
        let named = |name: &str| Box::new(Expr { kind: ExprKind::Name(name.to_owned()), span });
        match &mut expr.kind {
            ExprKind::Base => {
                expr.kind = match index {
                    Some(index) => ExprKind::Keys { target: named(kept), keys: vec![*named(index)] },
                    None => ExprKind::Name(kept.to_owned()),
                };
                true
            }
            ExprKind::Keys { target, keys } if matches!(target.kind, ExprKind::Base) => {
                target.kind = ExprKind::Name(kept.to_owned());
                for key in keys.iter_mut() {
                    name_the_base(key, kept, index);
                }
                true
            }
            ExprKind::Literal(_) | ExprKind::Name(_) => false,
            ExprKind::Unary { operand, .. } => name_the_base(operand, kept, index),
            ExprKind::Binary { left, right, .. } => {
                name_the_base(left, kept, index) | name_the_base(right, kept, index)
            }
            ExprKind::Field { target, .. } => name_the_base(target, kept, index),
            ExprKind::Keys { target, keys } => keys
                .iter_mut()
                .fold(name_the_base(target, kept, index), |found, key| name_the_base(key, kept, index) | found),
            ExprKind::Call { args: items, .. } | ExprKind::List(items) => {
                items.iter_mut().fold(false, |found, item| name_the_base(item, kept, index) | found)
            }
            ExprKind::If { condition, then, otherwise } => {
                name_the_base(condition, kept, index)
                    | name_the_base(then, kept, index)
                    | name_the_base(otherwise, kept, index)
            }
            ExprKind::Match { scrutinee, arms } => {
                arms.iter_mut().fold(name_the_base(scrutinee, kept, index), |found, arm| {
                    name_the_base(&mut arm.body, kept, index) | found
                })
            }
        }
    })
}

impl Merger {
    /// One cell replaced alone: the checker's proof that it exists is here,
    /// where the table amended is known, since a cell that matches no row
    /// would otherwise be a silent no-op.
    fn amend_cell(&mut self, amend: &AmendCell) {
        let Some(position) = self.target("table", &amend.table) else { return };
        let Some(Item::Table(table)) = self.items.get(position) else { return };
        let key_count = table.keys.len();
        let rows = rows_by_keys(table, key_count, None);
        let column = match cell_column(table, amend) {
            Ok(column) => column,
            Err(error) => {
                self.diagnostics.push(*error);
                return;
            }
        };
        let wanted: Vec<Option<&str>> = amend.keys.iter().map(|key| Some(key.name.as_str())).collect();
        let Some(row) = rows.iter().position(|row| key_names(row, key_count) == wanted) else {
            self.diagnostics.push(missing_row(table, &rows, amend));
            return;
        };
        let value_span = match &amend.value {
            CellValue::Literal(literal) => literal.span,
            CellValue::Hole => amend.span,
        };
        let certainty = amend.meta.certainty.clone().filter(|_| amend.value != CellValue::Hole);
        let cell = Cell { value: amend.value.clone(), certainty, span: value_span };
        let mut rows = rows;
        match rows.get_mut(row).and_then(|row| row.cells.get_mut(key_count + column)) {
            Some(slot) => *slot = cell,
            // A row shorter than the table's columns: the checker reports its shape.
            None => return,
        }
        self.amended(position, "amended");
        let Some(Item::Table(table)) = self.items.get_mut(position) else { return };
        table.rows = rows;
        table.grid_header = None;
        table.meta.sources.extend(amend.meta.sources.iter().cloned());
        table.meta.notes.extend(amend.meta.notes.iter().cloned());
    }
}

/// The position of an amended cell among its row's values, or why there is none.
fn cell_column(table: &TableDecl, amend: &AmendCell) -> Result<usize, Box<Diagnostic>> {
    let unknown = |span: Span, message: String, help: String| {
        Box::new(Diagnostic::new(Code::AmendUnknownTarget, span, message, "no such cell").with_help(help))
    };
    let name = &table.name.name;
    if amend.keys.len() != table.keys.len() {
        let keys: Vec<&str> = table.keys.iter().map(|key| key.name.name.as_str()).collect();
        return Err(unknown(
            amend.keys.iter().map(|key| key.span).fold(amend.table.span, Span::to),
            format!("the table `{name}` has {} key(s), but this cell gives {}", table.keys.len(), amend.keys.len()),
            format!("give one value for each key: `{name}[{}]`", keys.join(", ")),
        ));
    }
    match (&table.values, &amend.column) {
        (TableValues::Single(_), None) => Ok(0),
        (TableValues::Single(_), Some(column)) => Err(unknown(
            column.span,
            format!("the table `{name}` gives one value a row, not a column `{}`", column.name),
            format!("write the cell without `.{}`", column.name),
        )),
        (TableValues::Record(columns), None) => {
            let names: Vec<&str> = columns.iter().map(|column| column.name.name.as_str()).collect();
            Err(unknown(
                amend.span,
                format!("the table `{name}` gives several values a row: which column does this cell change?"),
                format!(
                    "name the column after the keys: `.{}` (its columns: {})",
                    names.first().unwrap_or(&"…"),
                    names.join(", ")
                ),
            ))
        }
        (TableValues::Record(columns), Some(column)) => {
            columns.iter().position(|known| known.name.name == column.name).ok_or_else(|| {
                let names = columns.iter().map(|known| known.name.name.as_str());
                let help = suggest(&column.name, names.clone())
                    .unwrap_or_else(|| format!("its columns: {}", names.collect::<Vec<_>>().join(", ")));
                unknown(column.span, format!("the table `{name}` has no column `{}`", column.name), help)
            })
        }
    }
}

/// A cell amended in a row the table does not have: the nearest key, or how to add the row.
fn missing_row(table: &TableDecl, rows: &[Row], amend: &AmendCell) -> Diagnostic {
    let key_count = table.keys.len();
    let written: Vec<&str> = amend.keys.iter().map(|key| key.name.as_str()).collect();
    // The first key no row has at its place, with the nearest that one has.
    let unknown = amend.keys.iter().enumerate().find_map(|(place, key)| {
        let known: Vec<&str> =
            rows.iter().filter_map(|row| key_names(row, key_count).get(place).copied().flatten()).collect();
        (!known.contains(&key.name.as_str())).then(|| (key, suggest(&key.name, known.iter().copied())))
    });
    let add_it = || format!("to add a row, write it whole in `amend table {} {{ … }}`", table.name.name);
    let keys_span = amend.keys.iter().map(|key| key.span).reduce(Span::to).unwrap_or(amend.span);
    let (span, help) = match unknown {
        Some((key, suggestion)) => (key.span, suggestion.unwrap_or_else(add_it)),
        None => (keys_span, add_it()),
    };
    Diagnostic::new(
        Code::AmendUnknownTarget,
        span,
        format!("the table `{}` has no row `[{}]`", table.name.name, written.join(", ")),
        "no such row",
    )
    .with_help(help)
}

/// Where a replacement changes what it replaces: (what changed, its span), and what it was.
fn signature_change(existing: &Item, replacement: &Item) -> Option<((&'static str, Span), String)> {
    let differs = |a: &Ident, b: &Ident| a.name != b.name;
    match (existing, replacement) {
        (Item::Param(old), Item::Param(new)) if differs(&old.ty, &new.ty) => {
            Some((("type", new.ty.span), old.ty.name.clone()))
        }
        (Item::Rule(old), Item::Rule(new)) => {
            let index = |rule: &RuleDecl| rule.index.as_ref().map(|index| index.ty.name.clone());
            if index(old) != index(new) {
                let span = new.index.as_ref().map_or(new.name.span, |index| index.ty.span);
                return Some((("index", span), index(old).unwrap_or_else(|| "no index".to_owned())));
            }
            match (&old.ty, &new.ty) {
                (Some(old_ty), Some(new_ty)) if differs(old_ty, new_ty) => {
                    Some((("type", new_ty.span), old_ty.name.clone()))
                }
                _ => None,
            }
        }
        (Item::Table(old), Item::Table(new)) => {
            let columns = |table: &TableDecl| {
                let values = match &table.values {
                    TableValues::Single(ty) => vec![ty.name.clone()],
                    TableValues::Record(columns) => {
                        columns.iter().map(|column| format!("{}: {}", column.name.name, column.ty.name)).collect()
                    }
                };
                let keys: Vec<String> =
                    table.keys.iter().map(|key| format!("{}: {}", key.name.name, key.ty.name)).collect();
                format!("({}) -> ({})", keys.join(", "), values.join(", "))
            };
            (columns(old) != columns(new)).then(|| (("columns", new.name.span), columns(old)))
        }
        (Item::Conditions(old), Item::Conditions(new)) => {
            let index = |set: &ConditionsDecl| set.index.as_ref().map(|index| index.ty.name.clone());
            (index(old) != index(new))
                .then(|| (("index", new.name.span), index(old).unwrap_or_else(|| "no index".to_owned())))
        }
        _ => None,
    }
}

/// A table's rows in row form (a grid is expanded), ready to compare by keys.
/// `shape` is the base table, for an amendment block that declares no columns.
fn rows_by_keys(table: &TableDecl, key_count: usize, shape: Option<&TableDecl>) -> Vec<Row> {
    let grid = table
        .grid_header
        .as_ref()
        .filter(|_| key_count == 2 && shape.is_none_or(|base| matches!(base.values, TableValues::Single(_))));
    let Some(header) = grid else { return table.rows.clone() };
    let mut rows = Vec::new();
    for row in &table.rows {
        let Some((first, values)) = row.cells.split_first() else { continue };
        for (column, value) in header.iter().zip(values) {
            let key = Cell {
                value: CellValue::Literal(Literal { kind: LiteralKind::Name(column.name.clone()), span: column.span }),
                certainty: None,
                span: column.span,
            };
            rows.push(Row { cells: vec![first.clone(), key, value.clone()], span: row.span });
        }
    }
    rows
}

fn key_names(row: &Row, key_count: usize) -> Vec<Option<&str>> {
    row.cells
        .iter()
        .take(key_count)
        .map(|cell| match &cell.value {
            CellValue::Literal(Literal { kind: LiteralKind::Name(name), .. }) => Some(name.as_str()),
            _ => None,
        })
        .collect()
}

fn same_keys(a: &Row, b: &Row, key_count: usize) -> bool {
    let keys = key_names(a, key_count);
    keys.iter().all(Option::is_some) && keys == key_names(b, key_count)
}

/// Gives the cells of an amended row the amendment's certainty where they
/// state none. A `—` cell gives no value, so has no certainty to state (and a
/// policy cannot write one on it: the printed chain must parse).
fn stamp(mut row: Row, key_count: usize, certainty: Option<&CertaintyClause>) -> Row {
    if let Some(certainty) = certainty {
        for cell in row.cells.iter_mut().skip(key_count) {
            if cell.certainty.is_none() && cell.value != CellValue::Hole {
                cell.certainty = Some(certainty.clone());
            }
        }
    }
    row
}
