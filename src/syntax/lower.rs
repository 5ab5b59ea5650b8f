//! Lowering: pest pairs → AST nodes, each with the span of its pair.
//!
//! The grammar guarantees the shape of every pair, so a pair of an unexpected
//! kind is a bug in this file; it still becomes a located error, never a panic.

use std::str::FromStr;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;
use strum::VariantArray;

use super::Rule;
use super::ast::*;
use super::error::SyntaxError;
use super::operators::Binding;
use crate::source::{FileId, Span};

mod example;

type Result<T> = std::result::Result<T, Box<SyntaxError>>;

pub(super) struct Lowerer {
    pub file: FileId,
}

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: std::sync::OnceLock<PrattParser<Rule>> = std::sync::OnceLock::new();
    PRATT.get_or_init(|| {
        // One level of the parser per level of the operator table, loosest
        // first, so that the formatter's parentheses and the parser's reading
        // come from the same `Binding`.
        Binding::VARIANTS.iter().fold(PrattParser::new(), |parser, level| {
            let infix = BinaryOp::VARIANTS
                .iter()
                .filter(|op| op.binding() == *level)
                .map(|op| Op::infix(binary_rule(*op), Assoc::Left));
            let prefix =
                UnaryOp::VARIANTS.iter().filter(|op| op.binding() == *level).map(|op| Op::prefix(unary_rule(*op)));
            let postfix = [Rule::field_access, Rule::key_access]
                .into_iter()
                .filter(|_| *level == Binding::Postfix)
                .map(Op::postfix);
            match infix.chain(prefix).chain(postfix).reduce(|ops, op| ops | op) {
                Some(ops) => parser.op(ops),
                None => parser,
            }
        })
    })
}

/// The grammar rule of each infix operator.
fn binary_rule(op: BinaryOp) -> Rule {
    match op {
        BinaryOp::Or => Rule::op_or,
        BinaryOp::And => Rule::op_and,
        BinaryOp::Eq => Rule::op_eq,
        BinaryOp::Ne => Rule::op_ne,
        BinaryOp::Lt => Rule::op_lt,
        BinaryOp::Le => Rule::op_le,
        BinaryOp::Gt => Rule::op_gt,
        BinaryOp::Ge => Rule::op_ge,
        BinaryOp::In => Rule::op_in,
        BinaryOp::Add => Rule::op_add,
        BinaryOp::Sub => Rule::op_sub,
        BinaryOp::Mul => Rule::op_mul,
        BinaryOp::Div => Rule::op_div,
    }
}

/// The grammar rule of each prefix operator.
fn unary_rule(op: UnaryOp) -> Rule {
    match op {
        UnaryOp::Not => Rule::op_not,
        UnaryOp::Neg => Rule::op_neg,
    }
}

impl Lowerer {
    /// The span of a pair, without the white space and comments pest lets a
    /// rule swallow after its last token (before an optional part that did
    /// not match), so labels end where the construct does.
    ///
    /// Read from the end, a line at a time, so that a construct costs the
    /// length of what trails it rather than its own.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        let text = span.as_str();
        let mut end = text.len();
        loop {
            // A byte-order mark is white space to the grammar, so to spans too.
            end = text[..end]
                .trim_end_matches(|character: char| character.is_whitespace() || character == '\u{feff}')
                .len();
            let line = text[..end].rfind('\n').map_or(0, |newline| newline + 1);
            // The first `#` of the last line outside a token starts a comment.
            let comment = text[line..end]
                .char_indices()
                .find(|(offset, character)| *character == '#' && !inside_token(pair, span.start() + line + offset));
            match comment {
                Some((offset, _)) => end = line + offset,
                None => break,
            }
        }
        Span::new(self.file, span.start(), span.start() + end)
    }

    fn unexpected(&self, pair: &Pair<'_, Rule>) -> Box<SyntaxError> {
        Box::new(SyntaxError::new(
            self.span(pair),
            format!("internal: unexpected `{:?}` in the syntax tree", pair.as_rule()),
            "here",
        ))
    }

    fn missing(&self, span: Span, what: &str) -> Box<SyntaxError> {
        Box::new(SyntaxError::new(span, format!("internal: missing {what} in the syntax tree"), "here"))
    }

    fn next<'a>(&self, pairs: &mut Pairs<'a, Rule>, span: Span, what: &str) -> Result<Pair<'a, Rule>> {
        pairs.next().ok_or_else(|| self.missing(span, what))
    }

    pub fn policy_file(&self, root: Pair<'_, Rule>) -> Result<PolicyFile> {
        let span = self.span(&root);
        let mut inner = root.into_inner();
        let header = self.header(self.next(&mut inner, span, "header")?)?;
        let mut items = Vec::new();
        for pair in inner {
            match pair.as_rule() {
                Rule::EOI => {}
                _ => items.push(self.item(pair)?),
            }
        }
        Ok(PolicyFile { header, items })
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Result<Item> {
        let span = self.span(&pair);
        Ok(match pair.as_rule() {
            Rule::enum_decl => Item::Enum(self.enum_decl(pair)?),
            Rule::profile_decl => Item::Profile(self.profile_decl(pair)?),
            Rule::param_decl => Item::Param(self.param_decl(pair)?),
            Rule::table_decl => Item::Table(self.table_decl(pair)?),
            Rule::bands_decl => Item::Bands(self.bands_decl(pair)?),
            Rule::rule_decl => Item::Rule(self.rule_decl(pair)?),
            Rule::conditions_decl => Item::Conditions(self.conditions_decl(pair)?),
            Rule::output_decl => Item::Output(self.output_decl(pair)?),
            Rule::example_decl => Item::Example(self.example_decl(pair)?),
            Rule::replace_decl => {
                Item::Replace(Box::new(self.item(self.next(&mut pair.into_inner(), span, "declaration")?)?))
            }
            Rule::remove_decl => {
                let mut inner = pair.into_inner();
                let kind = match self.next(&mut inner, span, "kind")?.as_str() {
                    "param" => "param",
                    "rule" => "rule",
                    "table" => "table",
                    "bands" => "bands",
                    "conditions" => "conditions",
                    _ => "output",
                };
                let name = self.ident(self.next(&mut inner, span, "name")?);
                Item::Remove(Removal { kind, name, span })
            }
            Rule::amend_conditions => {
                let mut inner = pair.into_inner();
                let name = self.ident(self.next(&mut inner, span, "condition set")?);
                let changes = inner
                    .map(|change| {
                        let change_span = self.span(&change);
                        Ok(match change.as_rule() {
                            Rule::remove_condition => ConditionChange::Remove(self.ident(self.next(
                                &mut change.into_inner(),
                                change_span,
                                "name",
                            )?)),
                            Rule::replace_condition => ConditionChange::Replace(self.condition(self.next(
                                &mut change.into_inner(),
                                change_span,
                                "condition",
                            )?)?),
                            _ => ConditionChange::Add(self.condition(change)?),
                        })
                    })
                    .collect::<Result<_>>()?;
                Item::AmendConditions(AmendConditions { name, changes, span })
            }
            Rule::amend_table => {
                let mut inner = pair.into_inner();
                let name = self.ident(self.next(&mut inner, span, "table name")?);
                let meta = self.meta(self.next(&mut inner, span, "metadata")?)?;
                let (mut rows, mut grid_header) = (Vec::new(), None);
                for part in inner {
                    match part.as_rule() {
                        Rule::grid_header => {
                            grid_header = Some(part.into_inner().map(|name| self.ident(name)).collect())
                        }
                        _ => rows.push(self.row(part)?),
                    }
                }
                let values = TableValues::Record(Vec::new());
                Item::AmendTable(TableDecl { name, keys: Vec::new(), values, meta, rows, grid_header })
            }
            Rule::amend_cell => {
                let mut inner = pair.into_inner();
                let table = self.ident(self.next(&mut inner, span, "table name")?);
                let (mut keys, mut column, mut value, mut meta) = (Vec::new(), None, None, Meta::default());
                for part in inner {
                    match part.as_rule() {
                        Rule::cell_keys => keys = part.into_inner().map(|key| self.ident(key)).collect(),
                        Rule::cell_column => {
                            column = Some(self.ident(self.next(&mut part.into_inner(), span, "column")?));
                        }
                        Rule::hole => value = Some(CellValue::Hole),
                        Rule::meta => meta = self.meta(part)?,
                        _ => value = Some(CellValue::Literal(self.literal(part)?)),
                    }
                }
                let value = value.ok_or_else(|| self.missing(span, "cell value"))?;
                Item::AmendCell(AmendCell { table, keys, column, value, meta, span })
            }
            Rule::amend_enum => {
                let mut inner = pair.into_inner();
                let name = self.ident(self.next(&mut inner, span, "enum name")?);
                let variants = inner.map(|variant| self.variant(variant)).collect::<Result<_>>()?;
                Item::AmendEnum(EnumDecl { name, label: None, meta: Meta::default(), variants })
            }
            Rule::amend_profile => Item::AmendProfile(self.profile_decl(pair)?),
            _ => return Err(self.unexpected(&pair)),
        })
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident { name: pair.as_str().to_owned(), span: self.span(&pair) }
    }

    fn text(&self, pair: Pair<'_, Rule>) -> Result<Text> {
        // `label` wraps a `string`, which wraps its inside.
        let span = self.span(&pair);
        let mut pair = pair;
        while pair.as_rule() != Rule::string_inner {
            pair = self.next(&mut pair.into_inner(), span, "text")?;
        }
        Ok(Text { value: unescape(pair.as_str()), span })
    }

    fn header(&self, pair: Pair<'_, Rule>) -> Result<Header> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(self.next(&mut inner, span, "policy name")?);
        let mut fields = Vec::new();
        for field in inner {
            let field_span = self.span(&field);
            let mut parts = field.into_inner();
            let key = self.ident(self.next(&mut parts, field_span, "header key")?);
            let value = self.literal(self.next(&mut parts, field_span, "header value")?)?;
            fields.push(HeaderField { key, value });
        }
        Ok(Header { name, fields, span })
    }

    fn meta(&self, pair: Pair<'_, Rule>) -> Result<Meta> {
        let mut meta = Meta::default();
        for clause in pair.into_inner() {
            match clause.as_rule() {
                Rule::source_clause => {
                    let span = self.span(&clause);
                    meta.sources.push(self.text(self.next(&mut clause.into_inner(), span, "source")?)?);
                }
                Rule::note_clause => {
                    let span = self.span(&clause);
                    meta.notes.push(self.text(self.next(&mut clause.into_inner(), span, "note")?)?);
                }
                Rule::certainty => meta.certainty = Some(self.certainty(clause)?),
                _ => return Err(self.unexpected(&clause)),
            }
        }
        Ok(meta)
    }

    fn certainty(&self, pair: Pair<'_, Rule>) -> Result<CertaintyClause> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let kind = match self.next(&mut inner, span, "certainty")?.as_str() {
            "established" => Certainty::Established,
            "secondary" => Certainty::Secondary,
            _ => Certainty::Assumed,
        };
        let reason = inner.next().map(|reason| self.text(reason)).transpose()?;
        Ok(CertaintyClause { kind, reason, span })
    }

    fn enum_decl(&self, pair: Pair<'_, Rule>) -> Result<EnumDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(self.next(&mut inner, span, "enum name")?);
        let (mut label, mut meta, mut variants) = (None, Meta::default(), Vec::new());
        for part in inner {
            match part.as_rule() {
                Rule::label => label = Some(self.text(part)?),
                Rule::meta => meta = self.meta(part)?,
                Rule::variant => variants.push(self.variant(part)?),
                _ => return Err(self.unexpected(&part)),
            }
        }
        Ok(EnumDecl { name, label, meta, variants })
    }

    fn variant(&self, pair: Pair<'_, Rule>) -> Result<Variant> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let name = self.ident(self.next(&mut parts, span, "value name")?);
        let label = parts.next().map(|label| self.text(label)).transpose()?;
        Ok(Variant { name, label })
    }

    fn profile_decl(&self, pair: Pair<'_, Rule>) -> Result<ProfileDecl> {
        let span = self.span(&pair);
        let mut fields = Vec::new();
        for field in pair.into_inner() {
            let field_span = self.span(&field);
            let mut parts = field.into_inner();
            let name = self.ident(self.next(&mut parts, field_span, "field name")?);
            let ty = self.ident(self.next(&mut parts, field_span, "field type")?);
            let (mut default, mut label, mut optional) = (None, None, false);
            for part in parts {
                match part.as_rule() {
                    Rule::label => label = Some(self.text(part)?),
                    Rule::optional_mark => optional = true,
                    _ => default = Some(self.literal(part)?),
                }
            }
            fields.push(FieldDecl { name, ty, optional, default, label });
        }
        Ok(ProfileDecl { fields, span })
    }

    fn param_decl(&self, pair: Pair<'_, Rule>) -> Result<ParamDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(self.next(&mut inner, span, "parameter name")?);
        let ty = self.ident(self.next(&mut inner, span, "parameter type")?);
        let value = self.literal(self.next(&mut inner, span, "parameter value")?)?;
        let meta = self.meta(self.next(&mut inner, span, "metadata")?)?;
        Ok(ParamDecl { name, ty, value, meta })
    }

    fn columns(&self, pair: Pair<'_, Rule>) -> Result<Vec<Column>> {
        pair.into_inner()
            .map(|column| {
                let span = self.span(&column);
                let mut parts = column.into_inner();
                let name = self.ident(self.next(&mut parts, span, "column name")?);
                let ty = self.ident(self.next(&mut parts, span, "column type")?);
                Ok(Column { name, ty })
            })
            .collect()
    }

    fn table_decl(&self, pair: Pair<'_, Rule>) -> Result<TableDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(self.next(&mut inner, span, "table name")?);
        let keys = self.columns(self.next(&mut inner, span, "key columns")?)?;
        let values_pair = self.next(&mut inner, span, "value columns")?;
        let values_span = self.span(&values_pair);
        let value = self.next(&mut values_pair.into_inner(), values_span, "value type")?;
        let values = match value.as_rule() {
            Rule::columns => TableValues::Record(self.columns(value)?),
            _ => TableValues::Single(self.ident(value)),
        };
        let meta = self.meta(self.next(&mut inner, span, "metadata")?)?;
        let (mut rows, mut grid_header) = (Vec::new(), None);
        for part in inner {
            match part.as_rule() {
                Rule::grid_header => grid_header = Some(part.into_inner().map(|name| self.ident(name)).collect()),
                Rule::row => rows.push(self.row(part)?),
                _ => return Err(self.unexpected(&part)),
            }
        }
        Ok(TableDecl { name, keys, values, meta, rows, grid_header })
    }

    fn row(&self, pair: Pair<'_, Rule>) -> Result<Row> {
        let span = self.span(&pair);
        let cells = pair
            .into_inner()
            .map(|cell| {
                let cell_span = self.span(&cell);
                let mut parts = cell.into_inner();
                let first = self.next(&mut parts, cell_span, "cell value")?;
                let value = match first.as_rule() {
                    Rule::hole => CellValue::Hole,
                    _ => CellValue::Literal(self.literal(first)?),
                };
                let certainty = parts.next().map(|certainty| self.certainty(certainty)).transpose()?;
                Ok(Cell { value, certainty, span: cell_span })
            })
            .collect::<Result<_>>()?;
        Ok(Row { cells, span })
    }

    fn bands_decl(&self, pair: Pair<'_, Rule>) -> Result<BandsDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(self.next(&mut inner, span, "bands name")?);
        let (mut label, mut over, mut meta, mut bands) = (None, None, Meta::default(), Vec::new());
        for part in inner {
            match part.as_rule() {
                Rule::label => label = Some(self.text(part)?),
                Rule::expr => over = Some(self.expr(part)?),
                Rule::meta => meta = self.meta(part)?,
                Rule::band => bands.push(self.band(part)?),
                _ => return Err(self.unexpected(&part)),
            }
        }
        let over = over.ok_or_else(|| self.missing(span, "`over` expression"))?;
        Ok(BandsDecl { name, label, over, meta, bands })
    }

    fn band(&self, pair: Pair<'_, Rule>) -> Result<Band> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(self.next(&mut inner, span, "band name")?);
        let mut band = Band { name, label: None, lower: None, upper: None, meta: Meta::default(), span };
        for part in inner {
            match part.as_rule() {
                Rule::label => band.label = Some(self.text(part)?),
                Rule::lower_bound => {
                    let (kind, value, bound_span) = self.bound(part)?;
                    band.lower = Some(Bound { value, inclusive: kind == "from", span: bound_span });
                }
                Rule::upper_bound => {
                    let (kind, value, bound_span) = self.bound(part)?;
                    band.upper = Some(Bound { value, inclusive: kind != "below", span: bound_span });
                }
                Rule::meta => band.meta = self.meta(part)?,
                _ => return Err(self.unexpected(&part)),
            }
        }
        Ok(band)
    }

    fn bound<'a>(&self, pair: Pair<'a, Rule>) -> Result<(&'a str, Expr, Span)> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let kind = self.next(&mut inner, span, "bound kind")?.as_str();
        let value = self.expr(self.next(&mut inner, span, "bound value")?)?;
        Ok((kind, value, span))
    }

    fn index_decl(&self, pair: Pair<'_, Rule>) -> Result<IndexDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(self.next(&mut inner, span, "index name")?);
        let ty = self.ident(self.next(&mut inner, span, "index type")?);
        Ok(IndexDecl { name, ty })
    }

    fn rule_decl(&self, pair: Pair<'_, Rule>) -> Result<RuleDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(self.next(&mut inner, span, "rule name")?);
        let (mut index, mut ty, mut body, mut meta) = (None, None, None, Meta::default());
        for part in inner {
            match part.as_rule() {
                Rule::index_decl => index = Some(self.index_decl(part)?),
                Rule::type_name => ty = Some(self.ident(part)),
                Rule::expr => body = Some(self.expr(part)?),
                Rule::meta => meta = self.meta(part)?,
                _ => return Err(self.unexpected(&part)),
            }
        }
        let body = body.ok_or_else(|| self.missing(span, "rule body"))?;
        Ok(RuleDecl { name, index, ty, body, meta })
    }

    fn conditions_decl(&self, pair: Pair<'_, Rule>) -> Result<ConditionsDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(self.next(&mut inner, span, "conditions name")?);
        let mut decl = ConditionsDecl { name, index: None, label: None, meta: Meta::default(), conditions: Vec::new() };
        for part in inner {
            match part.as_rule() {
                Rule::index_decl => decl.index = Some(self.index_decl(part)?),
                Rule::label => decl.label = Some(self.text(part)?),
                Rule::meta => decl.meta = self.meta(part)?,
                Rule::condition => decl.conditions.push(self.condition(part)?),
                _ => return Err(self.unexpected(&part)),
            }
        }
        Ok(decl)
    }

    fn condition(&self, pair: Pair<'_, Rule>) -> Result<Condition> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let name = self.ident(self.next(&mut parts, span, "condition name")?);
        let mut next = self.next(&mut parts, span, "condition")?;
        let mut guard = None;
        if next.as_rule() == Rule::guard {
            guard = Some(self.guard(next)?);
            next = self.next(&mut parts, span, "condition")?;
        }
        let requires = self.expr(next)?;
        let (message, message_parts) = self.message(self.next(&mut parts, span, "message")?)?;
        let meta = self.meta(self.next(&mut parts, span, "metadata")?)?;
        Ok(Condition { name, guard, requires, message, message_parts, meta })
    }

    /// A message as written, and in parts: its text and the values it quotes.
    fn message(&self, pair: Pair<'_, Rule>) -> Result<(Text, Vec<MessagePart>)> {
        let span = self.span(&pair);
        let written = pair.as_str();
        let inside = written.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')).unwrap_or(written);
        let mut parts = Vec::new();
        for part in pair.into_inner() {
            parts.push(match part.as_rule() {
                Rule::quote => {
                    MessagePart::Quote(self.expr(self.next(&mut part.into_inner(), span, "quoted value")?)?)
                }
                _ => MessagePart::Text(unescape(part.as_str())),
            });
        }
        Ok((Text { value: unescape(inside), span }, parts))
    }

    fn output_decl(&self, pair: Pair<'_, Rule>) -> Result<OutputDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(self.next(&mut inner, span, "output name")?);
        let (mut index, mut body, mut guard, mut meta) = (None, None, None, Meta::default());
        for part in inner {
            match part.as_rule() {
                Rule::index_decl => index = Some(self.index_decl(part)?),
                Rule::output_block => body = Some(OutputNode::Group { items: self.output_items(part)?, guard: None }),
                Rule::expr => body = Some(OutputNode::Value { expr: self.expr(part)?, guard: None }),
                Rule::guard => guard = Some(self.guard(part)?),
                Rule::meta => meta = self.meta(part)?,
                _ => return Err(self.unexpected(&part)),
            }
        }
        let body = match body.ok_or_else(|| self.missing(span, "output body"))? {
            OutputNode::Value { expr, .. } => OutputNode::Value { expr, guard },
            group => group,
        };
        Ok(OutputDecl { name, index, body, meta })
    }

    fn guard(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = self.span(&pair);
        self.expr(self.next(&mut pair.into_inner(), span, "guard")?)
    }

    fn output_items(&self, block: Pair<'_, Rule>) -> Result<Vec<OutputItem>> {
        block
            .into_inner()
            .map(|item| {
                let span = self.span(&item);
                let rule = item.as_rule();
                let mut parts = item.into_inner();
                match rule {
                    Rule::output_field => {
                        let name = self.ident(self.next(&mut parts, span, "field name")?);
                        let expr = self.expr(self.next(&mut parts, span, "field value")?)?;
                        let guard = parts.next().map(|guard| self.guard(guard)).transpose()?;
                        Ok(OutputItem::Named { name, node: OutputNode::Value { expr, guard } })
                    }
                    Rule::output_group => {
                        let name = self.ident(self.next(&mut parts, span, "group name")?);
                        let mut next = self.next(&mut parts, span, "group body")?;
                        let mut guard = None;
                        if next.as_rule() == Rule::guard {
                            guard = Some(self.guard(next)?);
                            next = self.next(&mut parts, span, "group body")?;
                        }
                        let items = self.output_items(next)?;
                        Ok(OutputItem::Named { name, node: OutputNode::Group { items, guard } })
                    }
                    Rule::when_block => {
                        let guard = self.expr(self.next(&mut parts, span, "guard")?)?;
                        let items = self.output_items(self.next(&mut parts, span, "block")?)?;
                        Ok(OutputItem::When { guard, items })
                    }
                    _ => Err(Box::new(SyntaxError::new(span, "internal: unexpected output item", "here"))),
                }
            })
            .collect()
    }

    pub fn expr(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = self.span(&pair);
        // The checker and evaluator recurse over the expression: its size is
        // bounded before it is built.
        let tokens = pair.clone().into_inner().flatten().count();
        if tokens > super::MAX_EXPRESSION_TOKENS {
            let message =
                format!("this expression has {tokens} parts, more than the {} allowed", super::MAX_EXPRESSION_TOKENS);
            return Err(Box::new(SyntaxError::new(span, message, "too long").with_help("split it into named `rule`s")));
        }
        let file = self.file;
        pratt()
            .map_primary(|primary| self.primary(primary))
            .map_prefix(|op, operand| {
                let operand = operand?;
                let op_span = self.span(&op);
                let rule = op.as_rule();
                let Some(op) = UnaryOp::VARIANTS.iter().copied().find(|op| unary_rule(*op) == rule) else {
                    return Err(self.missing(op_span, "prefix operator"));
                };
                Ok(Expr { span: op_span.to(operand.span), kind: ExprKind::Unary { op, operand: Box::new(operand) } })
            })
            .map_postfix(|target, op| {
                let target = target?;
                let op_span = self.span(&op);
                let span = target.span.to(op_span);
                let kind = match op.as_rule() {
                    Rule::field_access => {
                        let field = self.ident(self.next(&mut op.into_inner(), op_span, "field")?);
                        ExprKind::Field { target: Box::new(target), field }
                    }
                    Rule::key_access => {
                        let keys = op.into_inner().map(|key| self.expr(key)).collect::<Result<_>>()?;
                        ExprKind::Keys { target: Box::new(target), keys }
                    }
                    _ => return Err(self.missing(op_span, "field or key access")),
                };
                Ok(Expr { kind, span })
            })
            .map_infix(|left, op, right| {
                let (left, right) = (left?, right?);
                let operator = self.span(&op);
                let rule = op.as_rule();
                let Some(op) = BinaryOp::VARIANTS.iter().copied().find(|op| binary_rule(*op) == rule) else {
                    return Err(self.missing(operator, "infix operator"));
                };
                let span = left.span.to(right.span);
                Ok(Expr { kind: ExprKind::Binary { op, operator, left: Box::new(left), right: Box::new(right) }, span })
            })
            .parse(pair.into_inner())
            .map(|mut expr: Expr| {
                // Parenthesised expressions keep the span of what they enclose;
                // the outermost expression takes the span as written.
                if expr.span.file == file && expr.span.start >= span.start && expr.span.end <= span.end {
                    expr.span = span;
                }
                expr
            })
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::expr => return self.expr(pair),
            Rule::ident => ExprKind::Name(pair.as_str().to_owned()),
            Rule::base_ref => ExprKind::Base,
            Rule::if_expr => {
                let mut inner = pair.into_inner();
                let condition = self.expr(self.next(&mut inner, span, "condition")?)?;
                let then = self.expr(self.next(&mut inner, span, "then branch")?)?;
                let otherwise = self.expr(self.next(&mut inner, span, "else branch")?)?;
                ExprKind::If { condition: Box::new(condition), then: Box::new(then), otherwise: Box::new(otherwise) }
            }
            Rule::match_expr => {
                let mut inner = pair.into_inner();
                let scrutinee = self.expr(self.next(&mut inner, span, "matched expression")?)?;
                let arms = inner.map(|arm| self.match_arm(arm)).collect::<Result<_>>()?;
                ExprKind::Match { scrutinee: Box::new(scrutinee), arms }
            }
            Rule::call => {
                let mut inner = pair.into_inner();
                let function = self.ident(self.next(&mut inner, span, "function name")?);
                let args = inner.map(|arg| self.expr(arg)).collect::<Result<_>>()?;
                ExprKind::Call { function, args }
            }
            Rule::list => ExprKind::List(pair.into_inner().map(|item| self.expr(item)).collect::<Result<_>>()?),
            _ => match self.literal(pair)?.kind {
                LiteralKind::Name(name) => ExprKind::Name(name),
                literal => ExprKind::Literal(literal),
            },
        };
        Ok(Expr { kind, span })
    }

    fn match_arm(&self, pair: Pair<'_, Rule>) -> Result<MatchArm> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let pattern = self.next(&mut inner, span, "pattern")?;
        let patterns = match pattern.as_rule() {
            Rule::else_pattern => Vec::new(),
            _ => pattern.into_inner().map(|name| self.ident(name)).collect(),
        };
        let body = self.expr(self.next(&mut inner, span, "arm body")?)?;
        Ok(MatchArm { patterns, body, span })
    }

    pub fn literal(&self, pair: Pair<'_, Rule>) -> Result<Literal> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::quantity => {
                let mut inner = pair.into_inner();
                let mut number = self.next(&mut inner, span, "number")?;
                let negative = number.as_rule() == Rule::minus;
                if negative {
                    number = self.next(&mut inner, span, "number")?;
                }
                let digits: String = number.as_str().chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
                let mut value = Decimal::from_str(&digits).map_err(|_| {
                    SyntaxError::new(span, format!("the number `{}` is too large", number.as_str()), "out of range")
                        .with_help("numbers are exact decimals of at most 28 digits")
                })?;
                if negative {
                    value = -value;
                }
                let unit = match inner.next().map(|unit| unit.as_str()) {
                    None => None,
                    Some("€") => Some(Unit::Euros),
                    Some("%") => {
                        // Dividing by 100 only shrinks a value; precision beyond 28 digits is rounded.
                        value = value.checked_div(Decimal::ONE_HUNDRED).unwrap_or(value);
                        Some(Unit::Percent)
                    }
                    Some(_) => Some(Unit::Patients),
                };
                LiteralKind::Number { value, unit }
            }
            Rule::date => {
                let date = jiff::civil::Date::from_str(pair.as_str()).map_err(|error| {
                    SyntaxError::new(span, format!("`{}` is not a date", pair.as_str()), "invalid date")
                        .with_help(format!("dates are written YYYY-MM-DD ({error})"))
                })?;
                LiteralKind::Date(date)
            }
            Rule::string => LiteralKind::Text(self.text(pair)?.value),
            Rule::boolean => LiteralKind::Bool(pair.as_str() == "true"),
            Rule::ident => LiteralKind::Name(pair.as_str().to_owned()),
            _ => return Err(self.unexpected(&pair)),
        };
        Ok(Literal { kind, span })
    }
}

/// Whether a byte offset lies inside one of the pair's atomic tokens (a
/// string, say), where `#` is text rather than a comment.
fn inside_token(pair: &Pair<'_, Rule>, offset: usize) -> bool {
    pair.clone().into_inner().flatten().any(|inner| {
        matches!(inner.as_rule(), Rule::string | Rule::string_inner)
            && inner.as_span().start() <= offset
            && offset < inner.as_span().end()
    })
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}
