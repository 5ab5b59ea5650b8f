//! Tables: typed, dense, and complete. Every combination of keys has exactly
//! one row; a cell the text leaves empty is written `—`, never left out.

use std::collections::BTreeMap;

use super::diagnostic::{Diagnostic, suggest};
use super::model::*;
use super::types::Type;
use super::{Checker, Symbol, list_names, origin};
use crate::code::Code;
use crate::source::Span;
use crate::syntax::ast;

/// A table may not have more rows than this: a policy's tables are written by hand.
const MAX_ROWS: usize = 100_000;
/// At most this many missing rows are named in one diagnostic.
const MISSING_SHOWN: usize = 8;

impl Checker {
    pub(super) fn declare_table(&mut self, decl: &ast::TableDecl) {
        if self.define_table(decl).is_none() {
            self.failed_names.insert(decl.name.name.clone());
        }
    }

    fn define_table(&mut self, decl: &ast::TableDecl) -> Option<()> {
        let keys = self.key_columns(decl)?;
        let (columns, single_value) = match &decl.values {
            ast::TableValues::Single(ty) => {
                (vec![(ast::Ident { name: "value".to_owned(), span: ty.span }, ty.clone())], true)
            }
            ast::TableValues::Record(columns) => {
                (columns.iter().map(|column| (column.name.clone(), column.ty.clone())).collect(), false)
            }
        };
        let mut value_columns = Vec::new();
        for (name, ty) in &columns {
            let ty = self.resolve_type(ty)?;
            value_columns.push(ValueColumn { name: name.name.clone(), ty });
        }
        let row_count = keys.iter().try_fold(1usize, |product, key| product.checked_mul(key.size.max(1)));
        let Some(row_count) = row_count.filter(|count| *count <= MAX_ROWS) else {
            self.report(Diagnostic::new(
                Code::TableTooLarge,
                decl.name.span,
                format!("the table `{}` would have more than {MAX_ROWS} rows", decl.name.name),
                "too many key combinations",
            ));
            return None;
        };
        let table_origin = origin(decl.name.span, &decl.meta);
        let mut table = TableDef {
            name: decl.name.name.clone(),
            keys,
            columns: value_columns,
            single_value,
            cells: Vec::new(),
            row_spans: Vec::new(),
            origin: table_origin,
        };
        // Rows are gathered as written, and the table made dense only once
        // every row is there: a table is then no larger than its text, where
        // a few written rows of many keys and columns would otherwise ask for
        // all their combinations (a 7.5 KB policy took 1.9 GB).
        let written = self.fill_rows(decl, &table);
        if written.rows.len() == row_count {
            table.row_spans = written.rows.values().copied().collect();
            table.cells.resize_with(row_count * table.columns.len(), || None);
            for (position, cell) in written.cells {
                if let Some(slot) = table.cells.get_mut(position) {
                    *slot = Some(cell);
                }
            }
        } else {
            self.report_missing_rows(decl, &table, row_count, &written.rows);
        }
        let id = TableId(id_from(self.tables.len()));
        self.tables.push(table);
        self.declare_value(&decl.name, Symbol::Table(id));
        Some(())
    }

    fn key_columns(&mut self, decl: &ast::TableDecl) -> Option<Vec<KeyColumn>> {
        let mut keys = Vec::new();
        for key in &decl.keys {
            match self.resolve_type(&key.ty)? {
                Type::Enum(id) => {
                    let size = self.enums.get(id.index())?.variants.len();
                    keys.push(KeyColumn { name: key.name.name.clone(), enumeration: id, size });
                }
                _ => {
                    self.report(
                        Diagnostic::new(Code::TypeMismatch, key.ty.span, format!("the key `{}` must be an enumeration or a band set", key.name.name), "not an enumeration")
                            .with_help("a table is read by the values of enumerations; to read by a number, declare `bands` over it"),
                    );
                    return None;
                }
            }
        }
        Some(keys)
    }

    /// Reads each written row: the span that gave each dense row index, and
    /// the cells that are not `—` by their dense position.
    fn fill_rows(&mut self, decl: &ast::TableDecl, table: &TableDef) -> WrittenRows {
        let mut written = WrittenRows::default();
        for (keys, values, row_span) in self.split_rows(decl, table) {
            let Some(row) = self.row_index(table, &keys) else { continue };
            if let Some(first) = written.rows.get(&row) {
                let first = *first;
                self.report(
                    Diagnostic::new(
                        Code::TableDuplicateRow,
                        row_span,
                        format!("this row of `{}` is given twice", decl.name.name),
                        "given again here",
                    )
                    .with_label(first, "first given here")
                    .with_help("each combination of keys has exactly one row"),
                );
                continue;
            }
            written.rows.insert(row, row_span);
            for (column, cell) in values.into_iter().enumerate() {
                let Some(ty) = table.columns.get(column).map(|column| column.ty) else { continue };
                let value = match &cell.value {
                    ast::CellValue::Hole => None,
                    ast::CellValue::Literal(literal) => match self.literal_value(literal, ty) {
                        Some(value) => Some(value),
                        None => continue,
                    },
                };
                let certainty = cell.certainty.as_ref();
                let cell_def = value.map(|value| CellDef {
                    value,
                    certainty: certainty.map_or(table.origin.certainty, |certainty| certainty.kind),
                    reason: certainty
                        .and_then(|certainty| certainty.reason.as_ref())
                        .map(|reason| reason.value.clone()),
                    span: cell.span,
                });
                if let Some(cell) = cell_def {
                    written.cells.push((row * table.columns.len() + column, cell));
                }
            }
        }
        written
    }

    /// Each written row as (key cells, value cells, span), whether the table
    /// is written row by row or as a grid.
    fn split_rows<'a>(
        &mut self,
        decl: &'a ast::TableDecl,
        table: &TableDef,
    ) -> Vec<(Vec<KeyCell<'a>>, Vec<&'a ast::Cell>, Span)> {
        let key_count = table.keys.len();
        let value_count = table.columns.len();
        let mut rows = Vec::new();
        if let Some(header) = &decl.grid_header {
            if key_count != 2 || value_count != 1 {
                self.report(
                    Diagnostic::new(
                        Code::TableShape,
                        decl.name.span,
                        format!(
                            "the table `{}` is written as a grid, which needs two keys and one value",
                            decl.name.name
                        ),
                        "not a grid",
                    )
                    .with_help("write it row by row: `| key | … | value | … |`"),
                );
                return rows;
            }
            for row in &decl.rows {
                if row.cells.len() != header.len() + 1 {
                    self.report(
                        Diagnostic::new(
                            Code::TableShape,
                            row.span,
                            format!("this row has {} cells, the grid's header {}", row.cells.len(), header.len() + 1),
                            "wrong number of cells",
                        )
                        .with_help("a grid row gives its first key, then one value per column of the header"),
                    );
                    continue;
                }
                let Some((first, values)) = row.cells.split_first() else { continue };
                for (column, value) in header.iter().zip(values) {
                    // A grid header names values of the second key.
                    rows.push((
                        vec![key_cell(first), KeyCell { name: Some(&column.name), span: column.span }],
                        vec![value],
                        row.span,
                    ));
                }
            }
            return rows;
        }
        for row in &decl.rows {
            if row.cells.len() != key_count + value_count {
                let columns = table
                    .keys
                    .iter()
                    .map(|key| key.name.as_str())
                    .chain(table.columns.iter().map(|column| column.name.as_str()));
                self.report(
                    Diagnostic::new(
                        Code::TableShape,
                        row.span,
                        format!(
                            "this row has {} cells, but `{}` has {} columns",
                            row.cells.len(),
                            decl.name.name,
                            key_count + value_count
                        ),
                        "wrong number of cells",
                    )
                    .with_help(format!("the columns are {}", list_names(columns))),
                );
                continue;
            }
            let (keys, values) = row.cells.split_at(key_count);
            rows.push((keys.iter().map(key_cell).collect(), values.iter().collect(), row.span));
        }
        rows
    }

    fn row_index(&mut self, table: &TableDef, keys: &[KeyCell<'_>]) -> Option<usize> {
        let mut index = 0usize;
        let mut ok = true;
        for (cell, key) in keys.iter().zip(&table.keys) {
            let enumeration = self.enums.get(key.enumeration.index())?;
            let variant = match cell.name {
                Some(name) => {
                    let found = enumeration.variant_index(name);
                    if found.is_none() {
                        let names: Vec<&str> =
                            enumeration.variants.iter().map(|variant| variant.name.as_str()).collect();
                        let help = suggest(name, names.iter().copied()).unwrap_or_else(|| {
                            format!("the values of `{}` are {}", enumeration.name, list_names(names.iter().copied()))
                        });
                        let message = format!("`{name}` is not a value of `{}`", enumeration.name);
                        self.report(
                            Diagnostic::new(Code::UnknownName, cell.span, message, "unknown key").with_help(help),
                        );
                    }
                    found
                }
                None => {
                    let message = format!("the key `{}` takes a value of `{}`", key.name, enumeration.name);
                    self.report(Diagnostic::new(Code::TypeMismatch, cell.span, message, "not a key"));
                    None
                }
            };
            match variant {
                Some(variant) => index = index * key.size + variant as usize,
                None => ok = false,
            }
        }
        ok.then_some(index)
    }

    /// Names the rows missing, the first few of each kind and how many:
    /// rows missing for a value an `amend enum` added are the amendment's to
    /// give, and said apart from rows the table itself leaves out. Only the
    /// names shown are kept, so a table of many combinations and few rows
    /// written costs no more than its text.
    fn report_missing_rows(
        &mut self,
        decl: &ast::TableDecl,
        table: &TableDef,
        row_count: usize,
        written: &BTreeMap<usize, Span>,
    ) {
        let (mut missing, mut missing_for_added) = (Missing::default(), Missing::default());
        let mut added_here: Vec<(Span, String, String)> = Vec::new();
        for row in (0..row_count).filter(|row| !written.contains_key(row)) {
            let keys = table.row_keys(u32::try_from(row).unwrap_or(u32::MAX));
            let mut names: Vec<&str> = Vec::new();
            let mut added = false;
            for (variant, key) in keys.iter().zip(&table.keys) {
                let Some(enumeration) = self.enums.get(key.enumeration.index()) else { continue };
                names.push(enumeration.variant_name(*variant));
                let Some(value) = enumeration.variants.get(usize::from(*variant)) else { continue };
                if value.span.file != enumeration.origin.span.file {
                    added = true;
                    if !added_here.iter().any(|(_, name, _)| *name == value.name) {
                        added_here.push((value.span, value.name.clone(), enumeration.name.clone()));
                    }
                }
            }
            let kind = if added { &mut missing_for_added } else { &mut missing };
            kind.count += 1;
            if kind.shown.len() < MISSING_SHOWN {
                kind.shown.push(format!("`{}`", names.join(", ")));
            }
        }
        let name = &decl.name.name;
        if missing.count > 0 {
            self.report(
                Diagnostic::new(
                    Code::TableMissingRow,
                    decl.name.span,
                    format!("the table `{name}` has no {} for {}", missing.noun(), missing.list()),
                    "incomplete table",
                )
                .with_help("give every combination of keys a row; write `—` in a cell the text leaves empty"),
            );
        }
        if missing_for_added.count > 0 {
            let values = list_names(added_here.iter().map(|(_, value, _)| value.as_str()));
            let mut diagnostic = Diagnostic::new(
                Code::AmendEnumMissingRow,
                decl.name.span,
                format!(
                    "the table `{name}` has no {} for {}, which `amend enum` adds",
                    missing_for_added.noun(),
                    missing_for_added.list()
                ),
                format!("no row for {values}"),
            )
            .with_help(format!(
                "give the rows in the amendment that adds {values}: `amend table {name} {{ | … | }}` with a row for each, \
                 `—` in a cell the text leaves empty"
            ));
            for (span, value, enumeration) in &added_here {
                diagnostic = diagnostic.with_label(*span, format!("`amend enum {enumeration}` adds `{value}` here"));
            }
            self.report(diagnostic);
        }
    }
}

/// Missing rows of one kind: how many, and the first few named.
#[derive(Default)]
struct Missing {
    count: usize,
    shown: Vec<String>,
}

impl Missing {
    fn noun(&self) -> &'static str {
        if self.count == 1 { "row" } else { "rows" }
    }

    /// The first rows, and how many more.
    fn list(&self) -> String {
        let more = self.count.saturating_sub(self.shown.len());
        if more > 0 { format!("{} and {more} more", self.shown.join(", ")) } else { self.shown.join(", ") }
    }
}

/// A table's rows as written, before it is made dense.
#[derive(Default)]
struct WrittenRows {
    /// The span of the row written for each dense row index.
    rows: BTreeMap<usize, Span>,
    /// Each cell that holds a value, by its dense position (`row × columns + column`).
    cells: Vec<(usize, CellDef)>,
}

/// A key cell as written: the value's name, if the cell is a name at all.
struct KeyCell<'a> {
    name: Option<&'a str>,
    span: Span,
}

fn key_cell(cell: &ast::Cell) -> KeyCell<'_> {
    let name = match &cell.value {
        ast::CellValue::Literal(ast::Literal { kind: ast::LiteralKind::Name(name), .. }) => Some(name.as_str()),
        _ => None,
    };
    KeyCell { name, span: cell.span }
}
