//! Declarations in their canonical layout: one declaration after another,
//! separated by a blank line (one-line declarations of the same kind stay
//! together); metadata one clause a line under what it qualifies; tables
//! with aligned columns.

use super::Line;
use super::expr::{Lines, WIDTH, fits, join, text};
use crate::source::Span;
use crate::syntax::ast::*;

pub(crate) struct Printer<'a> {
    /// The text of the file being printed, where comments are put back.
    pub text: &'a str,
    /// Every file a span may point into (a merged chain of texts has several).
    pub sources: &'a crate::source::SourceMap,
}

impl Printer<'_> {
    /// The source text of a span, in whichever file it points into.
    fn snippet(&self, span: Span) -> &str {
        self.sources.snippet(span)
    }

    /// A literal as written, its runs of spaces (thousands, unit) made single spaces.
    pub(super) fn literal_text(&self, span: Span) -> String {
        // An expression's span runs on over the white space and comments after it.
        let code = crate::source::without_comments(self.snippet(span));
        let mut written = code.trim();
        // A parenthesised literal's span takes in its parentheses: they are
        // layout, printed where precedence needs them, not part of the literal.
        while let Some(inner) = written.strip_prefix('(').and_then(|rest| rest.strip_suffix(')')) {
            written = inner.trim();
        }
        if written.starts_with('"') {
            return written.to_owned();
        }
        let mut out = String::with_capacity(written.len());
        let mut in_gap = false;
        for c in written.chars() {
            if matches!(c, ' ' | '\t' | '\u{A0}' | '\u{202F}') {
                in_gap = true;
                continue;
            }
            if in_gap {
                out.push(' ');
                in_gap = false;
            }
            out.push(c);
        }
        out
    }

    /// The offset of the next `}` after `offset`, past white space, strings and comments.
    fn closing_brace(&self, offset: u32) -> Option<u32> {
        let rest = self.text.get(offset as usize..)?;
        let mut in_string = false;
        let mut in_comment = false;
        let mut escaped = false;
        for (position, c) in rest.char_indices() {
            match (in_string, in_comment, c) {
                (_, true, '\n') => in_comment = false,
                (_, true, _) => {}
                (true, _, _) if escaped => escaped = false,
                (true, _, '\\') => escaped = true,
                (true, _, '"') => in_string = false,
                (true, _, _) => {}
                (false, _, '"') => in_string = true,
                (false, _, '#') => in_comment = true,
                (false, _, '}') => return u32::try_from(position).ok().map(|position| position + offset),
                _ => {}
            }
        }
        None
    }

    fn closing(&self, indent: usize, after: u32) -> Line {
        Line::new(indent, "}", self.closing_brace(after))
    }

    pub(super) fn file(&self, file: &PolicyFile) -> Vec<Line> {
        let mut lines = self.header(&file.header);
        let mut previous: Option<(std::mem::Discriminant<Item>, bool)> = None;
        for item in &file.items {
            let item_lines = self.item(item);
            let kind = std::mem::discriminant(item);
            let one_line = item_lines.len() == 1;
            if previous != Some((kind, true)) || !one_line {
                lines.push(Line::blank());
            }
            previous = Some((kind, one_line));
            lines.extend(item_lines);
        }
        lines
    }

    fn header(&self, header: &Header) -> Vec<Line> {
        let mut lines = vec![Line::new(0, format!("policy {} {{", header.name.name), Some(header.span.start))];
        for field in &header.fields {
            let value = self.literal_text(field.value.span);
            lines.push(Line::new(2, format!("{} {value}", field.key.name), Some(field.key.span.start)));
        }
        lines.push(Line::new(0, "}", Some(header.span.end.saturating_sub(1))));
        lines
    }

    /// One declaration's lines, for a printer that lays out declarations itself.
    pub(super) fn item_lines(&self, item: &Item) -> Vec<Line> {
        self.item(item)
    }

    fn item(&self, item: &Item) -> Vec<Line> {
        match item {
            Item::Enum(decl) => self.enum_decl(decl),
            Item::Profile(decl) => self.profile(decl),
            Item::Param(decl) => self.param(decl),
            Item::Table(decl) => self.table(decl),
            Item::Bands(decl) => self.bands(decl),
            Item::Rule(decl) => self.rule(decl),
            Item::Conditions(decl) => self.conditions(decl),
            Item::Output(decl) => self.output(decl),
            Item::Example(decl) => self.example(decl),
            Item::Replace(inner) => {
                let mut lines = self.item(inner);
                if let Some(first) = lines.first_mut() {
                    first.text = format!("replace {}", first.text);
                }
                lines
            }
            Item::Remove(removal) => {
                vec![Line::new(0, format!("remove {} {}", removal.kind, removal.name.name), Some(removal.span.start))]
            }
            Item::AmendConditions(amend) => self.amend_conditions(amend),
            Item::AmendTable(decl) => self.table_with(format!("amend table {}", decl.name.name), decl),
            Item::AmendCell(cell) => self.amend_cell(cell),
            Item::AmendEnum(decl) => self.enum_with(format!("amend enum {}", decl.name.name), decl),
            Item::AmendProfile(decl) => self.profile_with("amend profile {", decl),
        }
    }

    fn amend_conditions(&self, amend: &AmendConditions) -> Vec<Line> {
        let mut lines = vec![Line::new(0, format!("amend conditions {} {{", amend.name.name), Some(amend.span.start))];
        let mut last = amend.name.span.end;
        for (position, change) in amend.changes.iter().enumerate() {
            if position > 0 {
                lines.push(Line::blank());
            }
            match change {
                ConditionChange::Remove(name) => {
                    lines.push(Line::new(2, format!("remove {}", name.name), Some(name.span.start)));
                    last = name.span.end;
                }
                ConditionChange::Replace(condition) | ConditionChange::Add(condition) => {
                    let prefix = if matches!(change, ConditionChange::Replace(_)) { "replace " } else { "" };
                    lines.extend(self.condition(condition, prefix));
                    last = condition.message.span.end.max(meta_end(&condition.meta));
                }
            }
        }
        lines.push(self.closing(0, last));
        lines
    }

    /// `amend table name[key, …].column = value`, then its metadata a line each.
    fn amend_cell(&self, cell: &AmendCell) -> Vec<Line> {
        let keys: Vec<&str> = cell.keys.iter().map(|key| key.name.as_str()).collect();
        let column = cell.column.as_ref().map(|column| format!(".{}", column.name)).unwrap_or_default();
        let value = match &cell.value {
            CellValue::Hole => "—".to_owned(),
            CellValue::Literal(literal) => self.literal_text(literal.span),
        };
        let first = format!("amend table {}[{}]{column} = {value}", cell.table.name, keys.join(", "));
        let mut lines = vec![Line::new(0, first, Some(cell.span.start))];
        lines.extend(self.meta(&cell.meta, 2));
        lines
    }

    /// ` "label"`, or nothing.
    fn label(&self, label: Option<&Text>) -> String {
        label.map(|label| format!(" {}", self.snippet(label.span))).unwrap_or_default()
    }

    fn certainty(&self, clause: &CertaintyClause) -> String {
        let reason = clause.reason.as_ref().map(|reason| format!(" {}", self.snippet(reason.span))).unwrap_or_default();
        format!("{}{reason}", clause.kind.word())
    }

    /// Metadata clauses, one a line, in the order written.
    fn meta(&self, meta: &Meta, indent: usize) -> Vec<Line> {
        let mut clauses: Vec<(u32, String)> = Vec::new();
        for source in &meta.sources {
            clauses.push((source.span.start, format!("source {}", self.snippet(source.span))));
        }
        for note in &meta.notes {
            clauses.push((note.span.start, format!("note {}", self.snippet(note.span))));
        }
        if let Some(certainty) = &meta.certainty {
            clauses.push((certainty.span.start, self.certainty(certainty)));
        }
        // In the order written; clauses a merged chain gathered from several
        // files keep the order the merge gave them.
        let files = meta.sources.iter().chain(&meta.notes).map(|text| text.span.file);
        if files
            .chain(meta.certainty.iter().map(|certainty| certainty.span.file))
            .collect::<std::collections::HashSet<_>>()
            .len()
            <= 1
        {
            clauses.sort_by_key(|(start, _)| *start);
        }
        clauses.into_iter().map(|(start, clause)| Line::new(indent, clause, Some(start))).collect()
    }

    /// A declaration's first line, its metadata, and the `{` that opens its body.
    fn opening(&self, first: String, origin: u32, meta: &Meta) -> Vec<Line> {
        let meta = self.meta(meta, 2);
        if meta.is_empty() {
            return vec![Line::new(0, format!("{first} {{"), Some(origin))];
        }
        let mut lines = vec![Line::new(0, first, Some(origin))];
        lines.extend(meta);
        lines.push(Line::new(0, "{", None));
        lines
    }

    fn enum_decl(&self, decl: &EnumDecl) -> Vec<Line> {
        self.enum_with(format!("enum {}{}", decl.name.name, self.label(decl.label.as_ref())), decl)
    }

    fn enum_with(&self, first: String, decl: &EnumDecl) -> Vec<Line> {
        let mut lines = self.opening(first, decl.name.span.start, &decl.meta);
        let mut last = decl.name.span.end;
        for variant in &decl.variants {
            let label = self.label(variant.label.as_ref());
            lines.push(Line::new(2, format!("{}{label}", variant.name.name), Some(variant.name.span.start)));
            last = variant.label.as_ref().map_or(variant.name.span.end, |label| label.span.end);
        }
        lines.push(self.closing(0, last));
        lines
    }

    fn profile(&self, decl: &ProfileDecl) -> Vec<Line> {
        self.profile_with("profile {", decl)
    }

    fn profile_with(&self, first: &str, decl: &ProfileDecl) -> Vec<Line> {
        let mut lines = vec![Line::new(0, first, Some(decl.span.start))];
        for field in &decl.fields {
            let optional = if field.optional { "?" } else { "" };
            let default =
                field.default.as_ref().map(|value| format!(" = {}", self.literal_text(value.span))).unwrap_or_default();
            let label = self.label(field.label.as_ref());
            let line = format!("{}: {}{optional}{default}{label}", field.name.name, field.ty.name);
            lines.push(Line::new(2, line, Some(field.name.span.start)));
        }
        lines.push(Line::new(0, "}", Some(decl.span.end.saturating_sub(1))));
        lines
    }

    fn param(&self, decl: &ParamDecl) -> Vec<Line> {
        let value = self.literal_text(decl.value.span);
        let first = format!("param {}: {} = {value}", decl.name.name, decl.ty.name);
        let mut lines = vec![Line::new(0, first, Some(decl.name.span.start))];
        lines.extend(self.meta(&decl.meta, 2));
        lines
    }

    fn columns(columns: &[Column]) -> String {
        columns.iter().map(|column| format!("{}: {}", column.name.name, column.ty.name)).collect::<Vec<_>>().join(", ")
    }

    fn table(&self, decl: &TableDecl) -> Vec<Line> {
        let values = match &decl.values {
            TableValues::Single(ty) => ty.name.clone(),
            TableValues::Record(columns) => format!("({})", Self::columns(columns)),
        };
        let keys = format!("table {}({}) ->", decl.name.name, Self::columns(&decl.keys));
        let head = format!("{keys} {values}");
        let mut lines = self.table_with(head.clone(), decl);
        // Too wide: the value columns one a line.
        let TableValues::Record(columns) = &decl.values else { return lines };
        let Some(first) = lines.first_mut().filter(|_| head.chars().count() > WIDTH) else { return lines };
        let after = first.text.strip_prefix(&head).unwrap_or_default().to_owned();
        first.text = format!("{keys} (");
        let mut below: Vec<Line> = columns
            .iter()
            .map(|column| Line::new(2, format!("{}: {},", column.name.name, column.ty.name), None))
            .collect();
        below.push(Line::new(0, format!("){after}"), None));
        lines.splice(1..1, below);
        lines
    }

    fn table_with(&self, first: String, decl: &TableDecl) -> Vec<Line> {
        let mut lines = self.opening(first, decl.name.span.start, &decl.meta);
        // Each row's cells as text, with the place each row prints.
        let mut grid: Vec<(Option<u32>, Vec<CellText>)> = Vec::new();
        if let Some(header) = &decl.grid_header {
            let mut cells = vec![CellText::word(String::new())];
            cells.extend(header.iter().map(|name| CellText::word(name.name.clone())));
            grid.push((header.first().map(|name| name.span.start), cells));
        }
        for row in &decl.rows {
            let cells = row.cells.iter().map(|cell| self.cell(cell)).collect();
            grid.push((Some(row.span.start), cells));
        }
        let columns = grid.iter().map(|(_, cells)| cells.len()).max().unwrap_or(0);
        // A cell that gives its reason in words does not widen its column: it overflows.
        let widths: Vec<usize> = (0..columns)
            .map(|column| {
                grid.iter()
                    .filter_map(|(_, cells)| cells.get(column))
                    .filter(|cell| !cell.explained)
                    .map(|cell| cell.text.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        // Numbers align right in a column of plain numbers (and holes) only.
        let numeric: Vec<bool> = (0..columns)
            .map(|column| {
                let cells = || {
                    grid.iter().skip(usize::from(decl.grid_header.is_some())).filter_map(|(_, cells)| cells.get(column))
                };
                cells().any(|cell| cell.number) && cells().all(|cell| cell.number || cell.text == "—")
            })
            .collect();
        let mut last = decl.name.span.end;
        for (origin, cells) in &grid {
            let mut line = String::from("|");
            for ((CellText { text, .. }, width), number) in cells.iter().zip(&widths).zip(&numeric) {
                let pad = width.saturating_sub(text.chars().count());
                if *number {
                    line.push_str(&format!(" {:pad$}{text} |", ""));
                } else {
                    line.push_str(&format!(" {text}{:pad$} |", ""));
                }
            }
            lines.push(Line::new(2, line, *origin));
        }
        if let Some(row) = decl.rows.last() {
            last = row.span.end;
        }
        lines.push(self.closing(0, last));
        lines
    }

    fn cell(&self, cell: &Cell) -> CellText {
        let value = match &cell.value {
            CellValue::Hole => "—".to_owned(),
            CellValue::Literal(literal) => self.literal_text(literal.span),
        };
        let number = matches!(&cell.value, CellValue::Literal(Literal { kind: LiteralKind::Number { .. }, .. }))
            && cell.certainty.is_none();
        let explained = cell.certainty.as_ref().is_some_and(|certainty| certainty.reason.is_some());
        let text = match &cell.certainty {
            Some(certainty) => format!("{value} {}", self.certainty(certainty)),
            None => value,
        };
        CellText { text, number, explained }
    }

    fn one_line(lines: &Lines) -> Option<&str> {
        match lines.as_slice() {
            [line] => Some(&line.text),
            _ => None,
        }
    }

    fn bands(&self, decl: &BandsDecl) -> Vec<Line> {
        let over = self.expr(&decl.over, 0);
        let first = join(text(format!("bands {}{} over", decl.name.name, self.label(decl.label.as_ref()))), " ", over);
        let first = Self::one_line(&first).map(str::to_owned).unwrap_or_else(|| format!("bands {}", decl.name.name));
        let mut lines = self.opening(first, decl.name.span.start, &decl.meta);
        let mut last = decl.name.span.end;
        for band in &decl.bands {
            let mut bound_lines = text(format!("{}{}:", band.name.name, self.label(band.label.as_ref())));
            if let Some(lower) = &band.lower {
                let word = if lower.inclusive { "from" } else { "above" };
                bound_lines = join(join(bound_lines, " ", text(word)), " ", self.expr(&lower.value, 0));
            }
            if let Some(upper) = &band.upper {
                let word = if upper.inclusive { "up to" } else { "below" };
                bound_lines = join(join(bound_lines, " ", text(word)), " ", self.expr(&upper.value, 0));
            }
            lines.extend(place(bound_lines, 2, band.span.start));
            lines.extend(self.meta(&band.meta, 4));
            last = band.span.end;
        }
        lines.push(self.closing(0, last));
        lines
    }

    fn index(index: Option<&IndexDecl>) -> String {
        index.map(|index| format!("[{}: {}]", index.name.name, index.ty.name)).unwrap_or_default()
    }

    fn rule(&self, decl: &RuleDecl) -> Vec<Line> {
        let ty = decl.ty.as_ref().map(|ty| format!(": {}", ty.name)).unwrap_or_default();
        let head = format!("rule {}{}{ty} =", decl.name.name, Self::index(decl.index.as_ref()));
        let body = self.expr(&decl.body, 0);
        // On the line of its name where it fits there whole; else on lines of its own.
        let mut lines = match Self::one_line(&body) {
            Some(single) if head.chars().count() + 1 + single.chars().count() <= WIDTH => {
                place(join(text(head), " ", body), 0, decl.name.span.start)
            }
            // A `match` opens on the line of the rule's name.
            None if fits(&body, head.chars().count() + 1, 0) => {
                place(join(text(head), " ", body), 0, decl.name.span.start)
            }
            _ => {
                let mut lines = vec![Line::new(0, head, Some(decl.name.span.start))];
                lines.extend(place(self.fitted(&decl.body, 0, 2, 2), 2, decl.body.span.start));
                lines
            }
        };
        lines.extend(self.meta(&decl.meta, 2));
        lines
    }

    fn conditions(&self, decl: &ConditionsDecl) -> Vec<Line> {
        let first = format!(
            "conditions {}{}{}",
            decl.name.name,
            Self::index(decl.index.as_ref()),
            self.label(decl.label.as_ref())
        );
        let mut lines = self.opening(first, decl.name.span.start, &decl.meta);
        let mut last = decl.name.span.end;
        for (position, condition) in decl.conditions.iter().enumerate() {
            if position > 0 {
                lines.push(Line::blank());
            }
            lines.extend(self.condition(condition, ""));
            last = condition.message.span.end.max(meta_end(&condition.meta));
        }
        lines.push(self.closing(0, last));
        lines
    }

    /// `condition name [when guard]`, then `requires`, `message` and metadata a line each.
    fn condition(&self, condition: &Condition, prefix: &str) -> Vec<Line> {
        let mut head = text(format!("{prefix}condition {}", condition.name.name));
        if let Some(guard) = &condition.guard {
            let start = 2 + head.iter().map(|line| line.text.chars().count()).sum::<usize>() + " when ".len();
            // Its lines go deeper than `requires`, which is not part of it.
            head = join(join(head, " ", text("when")), " ", self.fitted(guard, 0, start, 4));
        }
        let mut lines = place(head, 2, condition.name.span.start);
        let requires = join(text("requires"), " ", self.fitted(&condition.requires, 0, 4 + "requires ".len(), 4));
        lines.extend(place(requires, 4, condition.requires.span.start));
        let message = format!("message {}", self.snippet(condition.message.span));
        lines.push(Line::new(4, message, Some(condition.message.span.start)));
        lines.extend(self.meta(&condition.meta, 4));
        lines
    }

    fn output(&self, decl: &OutputDecl) -> Vec<Line> {
        let head = format!("output {}{}", decl.name.name, Self::index(decl.index.as_ref()));
        let mut lines = match &decl.body {
            OutputNode::Value { expr, guard } => {
                place(self.valued(text(head), expr, guard.as_ref(), 0), 0, decl.name.span.start)
            }
            OutputNode::Group { items, .. } => {
                let mut lines = vec![Line::new(0, format!("{head} {{"), Some(decl.name.span.start))];
                let last = self.output_items(items, 2, &mut lines);
                lines.push(self.closing(0, last.unwrap_or(decl.name.span.end)));
                lines
            }
        };
        lines.extend(self.meta(&decl.meta, 2));
        lines
    }

    /// `head = expr`, then ` when guard` if any, for a line at `indent`.
    fn valued(&self, head: Lines, expr: &Expr, guard: Option<&Expr>, indent: usize) -> Lines {
        let head = join(head, " ", text("="));
        let lines = join(head.clone(), " ", self.fitted(expr, 0, end_column(&head, indent) + 1, indent));
        match guard {
            Some(guard) => {
                let lines = join(lines, " ", text("when"));
                let start = end_column(&lines, indent) + 1;
                join(lines, " ", self.fitted(guard, 0, start, indent))
            }
            None => lines,
        }
    }

    /// Output items at `indent`; the offset where the last one ends.
    fn output_items(&self, items: &[OutputItem], indent: usize, lines: &mut Vec<Line>) -> Option<u32> {
        let mut last = None;
        for item in items {
            match item {
                OutputItem::Named { name, node: OutputNode::Value { expr, guard } } => {
                    let valued = self.valued(text(name.name.clone()), expr, guard.as_ref(), indent);
                    lines.extend(place(valued, indent, name.span.start));
                    last = Some(guard.as_ref().map_or(expr.span.end, |guard| guard.span.end));
                }
                OutputItem::Named { name, node: OutputNode::Group { items, guard } } => {
                    let mut head = text(name.name.clone());
                    if let Some(guard) = guard {
                        head = join(join(head, " ", text("when")), " ", self.expr(guard, 0));
                    }
                    lines.extend(place(join(head, " ", text("{")), indent, name.span.start));
                    let inner_last = self.output_items(items, indent + 2, lines);
                    let closing = self.closing(indent, inner_last.unwrap_or(name.span.end));
                    last = closing.origin.map(|origin| origin + 1);
                    lines.push(closing);
                }
                OutputItem::When { guard, items } => {
                    let head = join(join(text("when"), " ", self.expr(guard, 0)), " ", text("{"));
                    lines.extend(place(head, indent, guard.span.start));
                    let inner_last = self.output_items(items, indent + 2, lines);
                    let closing = self.closing(indent, inner_last.unwrap_or(guard.span.end));
                    last = closing.origin.map(|origin| origin + 1);
                    lines.push(closing);
                }
            }
        }
        last
    }

    fn example(&self, decl: &ExampleDecl) -> Vec<Line> {
        let on = decl.on.as_ref().map(|on| format!(" on {}", self.literal_text(on.span))).unwrap_or_default();
        let first = format!("example {}{}{on} {{", decl.name.name, self.label(decl.label.as_ref()));
        let mut lines = vec![Line::new(0, first, Some(decl.span.start))];
        for (word, entries) in [("profile", &decl.profile), ("expect", &decl.expect)] {
            let origin = self.text.get(decl.span.start as usize..decl.span.end as usize).and_then(|body| {
                let found = body.find(&format!("{word} {{")).or_else(|| body.find(word))?;
                u32::try_from(found).ok().map(|found| found + decl.span.start)
            });
            lines.push(Line::new(2, format!("{word} {{"), origin));
            let width = entries.iter().map(|entry| entry.dotted_path().chars().count()).max().unwrap_or(0);
            let mut last = origin.unwrap_or(decl.span.start);
            for entry in entries {
                let path = entry.dotted_path();
                let value = match &entry.value {
                    ExampleValue::Literal(literal) => self.literal_text(literal.span),
                    ExampleValue::Nothing(_) => "—".to_owned(),
                    ExampleValue::Conditions { names, .. } => {
                        let names: Vec<&str> = names.iter().map(|name| name.name.as_str()).collect();
                        format!("[{}]", names.join(", "))
                    }
                };
                lines.push(Line::new(4, format!("{path:width$} = {value}"), Some(entry.span.start)));
                last = entry.span.end;
            }
            lines.push(self.closing(2, last));
        }
        lines.push(Line::new(0, "}", Some(decl.span.end.saturating_sub(1))));
        lines
    }
}

/// A table cell as printed.
struct CellText {
    text: String,
    /// A plain number, aligned right in a column of numbers.
    number: bool,
    /// It gives its certainty's reason in words, and so does not widen its column.
    explained: bool,
}

impl CellText {
    fn word(text: String) -> CellText {
        CellText { text, number: false, explained: false }
    }
}

/// Lines of a construct placed at `indent`, the first printing `origin`.
fn place(lines: Lines, indent: usize, origin: u32) -> Vec<Line> {
    let mut lines = lines;
    for line in &mut lines {
        line.indent += indent;
    }
    if let Some(first) = lines.first_mut() {
        first.origin = Some(origin);
    }
    lines
}

/// The column where the last of `lines` ends, the first of them starting at `indent`.
fn end_column(lines: &Lines, indent: usize) -> usize {
    lines.last().map_or(indent, |last| indent + last.indent + last.text.chars().count())
}

fn meta_end(meta: &Meta) -> u32 {
    let ends = meta.sources.iter().chain(&meta.notes).map(|text| text.span.end);
    let certainty = meta.certainty.as_ref().map(|certainty| certainty.span.end);
    ends.chain(certainty).max().unwrap_or(0)
}
