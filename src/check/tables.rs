//! Tables: typed, dense, and complete. Every combination of keys has exactly
//! one row; a cell the text leaves empty is written `—`, never left out.

use super::diagnostic::{Diagnostic, suggest};
use super::model::*;
use super::types::Type;
use super::{Checker, Symbol, list_names, origin};
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
            self.report(Diagnostic::error(
                "avenant::check::table_too_large",
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
            row_spans: vec![decl.name.span; row_count],
            origin: table_origin,
        };
        table.cells.resize_with(row_count * table.columns.len(), || None);
        let filled = self.fill_rows(decl, &mut table);
        self.report_missing_rows(decl, &table, &filled);
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
                        Diagnostic::error("avenant::check::type_mismatch", key.ty.span, format!("the key `{}` must be an enumeration or a band set", key.name.name), "not an enumeration")
                            .with_help("a table is read by the values of enumerations; to read by a number, declare `bands` over it"),
                    );
                    return None;
                }
            }
        }
        Some(keys)
    }

    /// Places each written row in the dense table; returns, for each dense
    /// row, the span of the row that filled it.
    fn fill_rows(&mut self, decl: &ast::TableDecl, table: &mut TableDef) -> Vec<Option<Span>> {
        let mut filled: Vec<Option<Span>> = vec![None; table.row_count()];
        for (keys, values, row_span) in self.split_rows(decl, table) {
            let Some(row) = self.row_index(table, &keys) else { continue };
            if let Some(Some(first)) = filled.get(row) {
                let first = *first;
                self.report(
                    Diagnostic::error(
                        "avenant::check::table_duplicate_row",
                        row_span,
                        format!("this row of `{}` is given twice", decl.name.name),
                        "given again here",
                    )
                    .with_label(first, "first given here")
                    .with_help("each combination of keys has exactly one row"),
                );
                continue;
            }
            if let Some(slot) = filled.get_mut(row) {
                *slot = Some(row_span);
            }
            if let Some(slot) = table.row_spans.get_mut(row) {
                *slot = row_span;
            }
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
                if let Some(slot) = table.cells.get_mut(row * table.columns.len() + column) {
                    *slot = cell_def;
                }
            }
        }
        filled
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
                    Diagnostic::error(
                        "avenant::check::table_shape",
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
                        Diagnostic::error(
                            "avenant::check::table_shape",
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
                    Diagnostic::error(
                        "avenant::check::table_shape",
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
                            Diagnostic::error("avenant::check::unknown_name", cell.span, message, "unknown key")
                                .with_help(help),
                        );
                    }
                    found
                }
                None => {
                    let message = format!("the key `{}` takes a value of `{}`", key.name, enumeration.name);
                    self.report(Diagnostic::error("avenant::check::type_mismatch", cell.span, message, "not a key"));
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

    fn report_missing_rows(&mut self, decl: &ast::TableDecl, table: &TableDef, filled: &[Option<Span>]) {
        // Rows missing for a value an `amend enum` added are the amendment's
        // to give, and said apart from rows the table itself leaves out.
        let mut missing: Vec<String> = Vec::new();
        let mut missing_for_added: Vec<String> = Vec::new();
        let mut added_here: Vec<(Span, String, String)> = Vec::new();
        for (row, _) in filled.iter().enumerate().filter(|(_, span)| span.is_none()) {
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
            let row = format!("`{}`", names.join(", "));
            if added { missing_for_added.push(row) } else { missing.push(row) }
        }
        let name = &decl.name.name;
        if !missing.is_empty() {
            self.report(
                Diagnostic::error(
                    "avenant::check::table_missing_row",
                    decl.name.span,
                    format!("the table `{name}` has no {} for {}", rows_noun(&missing), shown_rows(&missing)),
                    "incomplete table",
                )
                .with_help("give every combination of keys a row; write `—` in a cell the text leaves empty"),
            );
        }
        if !missing_for_added.is_empty() {
            let values = list_names(added_here.iter().map(|(_, value, _)| value.as_str()));
            let mut diagnostic = Diagnostic::error(
                "avenant::check::amend_enum_missing_row",
                decl.name.span,
                format!(
                    "the table `{name}` has no {} for {}, which `amend enum` adds",
                    rows_noun(&missing_for_added),
                    shown_rows(&missing_for_added)
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

fn rows_noun(rows: &[String]) -> &'static str {
    if rows.len() == 1 { "row" } else { "rows" }
}

/// The first rows of a list, and how many more.
fn shown_rows(rows: &[String]) -> String {
    let shown: Vec<&str> = rows.iter().take(MISSING_SHOWN).map(String::as_str).collect();
    let more = rows.len().saturating_sub(MISSING_SHOWN);
    if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") }
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
