//! Expressions: names resolved, types and units inferred and checked.

use rust_decimal::Decimal;

use super::diagnostic::{Diagnostic, suggest};
use super::model::*;
use super::types::{self, Type};
use super::{Checker, Symbol, list_names, unrounded};
use crate::code::Code;
use crate::source::Span;
use crate::syntax::ast::{self, BinaryOp, ExprKind as Ast, LiteralKind, UnaryOp, Unit};
use crate::syntax::operators::Operation;

/// What names mean where an expression stands: the index of an indexed definition.
pub(super) struct Scope {
    pub index: Option<(String, EnumId)>,
}

pub(super) fn literal(kind: &LiteralKind) -> Option<Value> {
    Some(match kind {
        LiteralKind::Number { value, .. } => Value::Decimal(*value),
        LiteralKind::Date(date) => Value::Date(*date),
        LiteralKind::Text(text) => Value::Text(text.as_str().into()),
        LiteralKind::Bool(value) => Value::Bool(*value),
        LiteralKind::Name(_) => return None,
    })
}

pub(super) fn literal_type(kind: &LiteralKind) -> Option<Type> {
    Some(match kind {
        LiteralKind::Number { unit: Some(Unit::Euros), .. } => Type::Euros,
        LiteralKind::Number { unit: Some(Unit::Percent), .. } => Type::Rate,
        LiteralKind::Number { unit: Some(Unit::Patients), value } => Type::Patients { whole: value.fract().is_zero() },
        LiteralKind::Number { unit: None, .. } => Type::Number,
        LiteralKind::Date(_) => Type::Date,
        LiteralKind::Text(_) => Type::Text,
        LiteralKind::Bool(_) => Type::Bool,
        LiteralKind::Name(_) => return None,
    })
}

/// Below this much stack left, a recursive walk continues on a new segment.
pub(crate) const STACK_RED_ZONE: usize = 64 * 1024;
/// The size of each new stack segment.
pub(crate) const STACK_GROWTH: usize = 2 * 1024 * 1024;

/// The functions a policy may call, each with how it is called (the
/// editor's completion shows it).
pub(crate) const FUNCTIONS: [(&str, &str); 7] = [
    ("round", "round(value, mode) or round(value, mode, places)"),
    ("min", "min(a, b, …)"),
    ("max", "max(a, b, …)"),
    ("failures", "failures(conditions): the conditions that do not hold"),
    ("given", "given(field): whether an optional field is given"),
    ("add_years", "add_years(date, years)"),
    ("years_between", "years_between(from, to)"),
];

/// The date an evaluation is made as of, readable by every rule.
pub(super) const EVALUATION_DATE: &str = "evaluation_date";

/// `01/07/2026` as the checker sees it, `1 / 7 / 2026` (as `fmt` writes it
/// back): the date it stands for, `2026-07-01`, when it is one and its year
/// is written with four digits.
fn french_date(expr: &Expr) -> Option<String> {
    let whole = |expr: &Expr| match &expr.kind {
        ExprKind::Const(Value::Decimal(value)) if value.scale() == 0 => i16::try_from(value.mantissa()).ok(),
        _ => None,
    };
    let ExprKind::Arith { op: ArithOp::Div, left: day_month, right: year } = &expr.kind else { return None };
    let ExprKind::Arith { op: ArithOp::Div, left: day, right: month } = &day_month.kind else { return None };
    let (day_number, month_number, year_number) = (whole(day)?, whole(month)?, whole(year)?);
    let date =
        jiff::civil::Date::new(year_number, i8::try_from(month_number).ok()?, i8::try_from(day_number).ok()?).ok()?;
    (year.span.len() == 4).then(|| date.strftime("%Y-%m-%d").to_string())
}

fn typed(kind: ExprKind, ty: Type, span: Span) -> Expr {
    Expr { kind, ty, span }
}

impl Checker {
    /// Whether an expression is a whole number known before any profile is
    /// read: a literal, or a parameter, and nothing else.
    fn is_whole_constant(&self, expr: &Expr) -> bool {
        let value = match &expr.kind {
            ExprKind::Const(value) => Some(value),
            ExprKind::Param(id) => self.params.get(id.index()).map(|param| &param.value),
            _ => None,
        };
        matches!(value, Some(Value::Decimal(value)) if value.fract().is_zero())
    }
}

impl Checker {
    /// Checks an expression that must have type `expected`.
    pub(super) fn expect_type(&mut self, expr: &ast::Expr, scope: &Scope, expected: Type, what: &str) -> Option<Expr> {
        let checked = self.expr(expr, scope, Some(expected))?;
        // The number is reported, and the rest of the expression checked as
        // the rate it was meant to be.
        self.refuse_bare_rate(&checked, expected == Type::Rate, &format!("{what} must be a rate"));
        if checked.ty.fits(expected) {
            return Some(Expr { ty: if checked.ty == Type::Number { expected } else { checked.ty }, ..checked });
        }
        if matches!((checked.ty, expected), (Type::Patients { whole: false }, Type::Patients { whole: true })) {
            self.report(unrounded(checked.span, what));
            return None;
        }
        let (found, wanted) = (self.type_name(checked.ty), self.type_name(expected));
        self.report(Diagnostic::new(
            Code::TypeMismatch,
            checked.span,
            format!("{what} must be {wanted}, but this is {found}"),
            format!("this is {found}"),
        ));
        None
    }

    /// Checks an expression; `hint` is the type the context expects, used to
    /// resolve bare enumeration values.
    pub(super) fn expr(&mut self, expr: &ast::Expr, scope: &Scope, hint: Option<Type>) -> Option<Expr> {
        // Rules read rules: the recursion follows the policy's own depth,
        // which the stack must not bound.
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.expr_unguarded(expr, scope, hint))
    }

    fn expr_unguarded(&mut self, expr: &ast::Expr, scope: &Scope, hint: Option<Type>) -> Option<Expr> {
        let span = expr.span;
        match &expr.kind {
            Ast::Literal(kind) => {
                let ty = literal_type(kind)?;
                let value = literal(kind)?;
                if let (Type::Rate, Value::Decimal(rate)) = (ty, &value) {
                    self.warn_rate_out_of_range(*rate, span);
                }
                Some(typed(ExprKind::Const(value), ty, span))
            }
            Ast::Name(name) => self.name(name, span, scope, hint),
            Ast::Base => {
                self.report(
                    Diagnostic::new(
                        Code::UnknownName,
                        span,
                        "`base` stands only in a `replace rule` of an amendment",
                        "nothing is replaced here",
                    )
                    .with_help("`base` is the value of the rule a `replace rule` replaces; elsewhere, name the rule"),
                );
                None
            }
            Ast::Unary { op, operand } => {
                let operand = self.expr(operand, scope, hint)?;
                match op {
                    UnaryOp::Not => {
                        self.require(&operand, Type::Bool, "`not`")?;
                        Some(typed(ExprKind::Not(Box::new(operand)), Type::Bool, span))
                    }
                    UnaryOp::Neg => {
                        if !operand.ty.is_numeric() {
                            return self.mismatch(&operand, "a minus sign applies to numbers");
                        }
                        if let (Type::Rate, ExprKind::Const(Value::Decimal(rate))) = (operand.ty, &operand.kind)
                            && *rate <= Decimal::ONE
                        {
                            self.warn_rate_out_of_range(-*rate, span);
                        }
                        let ty = operand.ty;
                        Some(typed(ExprKind::Neg(Box::new(operand)), ty, span))
                    }
                }
            }
            Ast::Binary { op, operator, left, right } => self.binary(*op, *operator, left, right, span, scope),
            Ast::Field { target, field } => {
                let target = self.expr(target, scope, None)?;
                let Type::Row(table_id) = target.ty else {
                    let found = self.type_name(target.ty);
                    self.report(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            field.span,
                            format!("`.{}` reads a table column, but this is {found}", field.name),
                            "not a table row",
                        )
                        .with_label(target.span, format!("this is {found}")),
                    );
                    return None;
                };
                let table = self.tables.get(table_id.index())?;
                let Some(column) = table.columns.iter().position(|column| column.name == field.name) else {
                    let names: Vec<&str> = table.columns.iter().map(|column| column.name.as_str()).collect();
                    let help = suggest(&field.name, names.iter().copied())
                        .unwrap_or_else(|| format!("its columns are {}", list_names(names.iter().copied())));
                    let message = format!("the table `{}` has no column `{}`", table.name, field.name);
                    self.report(
                        Diagnostic::new(Code::UnknownName, field.span, message, "unknown column").with_help(help),
                    );
                    return None;
                };
                let ty = table.columns.get(column)?.ty;
                Some(typed(ExprKind::RowField { row: Box::new(target), column }, ty, span))
            }
            Ast::Keys { target, keys } => self.keys(target, keys, span, scope),
            Ast::Call { function, args } => self.call(function, args, span, scope, hint),
            Ast::List(_) => {
                self.report(
                    Diagnostic::new(Code::TypeMismatch, span, "a list stands only after `in`", "a list")
                        .with_help("write `specialty in [radiologie, radiotherapie]`"),
                );
                None
            }
            Ast::If { condition, then, otherwise } => {
                let condition = self.expect_type(condition, scope, Type::Bool, "the condition of `if`");
                let then = self.expr(then, scope, hint);
                let otherwise = self.expr(otherwise, scope, hint.or(then.as_ref().map(|then| then.ty)));
                let (condition, then, otherwise) = (condition?, then?, otherwise?);
                let ty = self.join(&[&then, &otherwise], "the branches of `if`")?;
                Some(typed(
                    ExprKind::If {
                        condition: Box::new(condition),
                        then: Box::new(then),
                        otherwise: Box::new(otherwise),
                    },
                    ty,
                    span,
                ))
            }
            Ast::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, span, scope, hint),
        }
    }

    fn mismatch<T>(&mut self, expr: &Expr, message: &str) -> Option<T> {
        let found = self.type_name(expr.ty);
        self.report(Diagnostic::new(Code::TypeMismatch, expr.span, message.to_owned(), format!("this is {found}")));
        None
    }

    fn require(&mut self, expr: &Expr, ty: Type, what: &str) -> Option<()> {
        if expr.ty.fits(ty) {
            return Some(());
        }
        let wanted = self.type_name(ty);
        self.mismatch(expr, &format!("{what} needs {wanted}"))
    }

    /// The common type of several branches, if they have one.
    fn join(&mut self, branches: &[&Expr], what: &str) -> Option<Type> {
        let mut joined = branches.first()?.ty;
        for branch in branches.iter().skip(1) {
            joined = match (joined, branch.ty) {
                (a, b) if a == b => a,
                (Type::Patients { whole: a }, Type::Patients { whole: b }) => Type::Patients { whole: a && b },
                (Type::Number, other) | (other, Type::Number) if other.is_numeric() => other,
                (a, b) => {
                    let (a, b) = (self.type_name(a), self.type_name(b));
                    let first = branches.first().map_or(branch.span, |first| first.span);
                    self.report(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            branch.span,
                            format!("{what} must agree, but one is {a} and another {b}"),
                            format!("this is {b}"),
                        )
                        .with_label(first, format!("this is {a}")),
                    );
                    return None;
                }
            };
        }
        if joined == Type::Rate {
            for branch in branches {
                self.refuse_bare_rate(branch, true, &format!("{what} are rates"));
            }
        }
        Some(joined)
    }

    fn name(&mut self, name: &str, span: Span, scope: &Scope, hint: Option<Type>) -> Option<Expr> {
        if let Some((index_name, id)) = &scope.index
            && index_name == name
        {
            return Some(typed(ExprKind::Index, Type::Enum(*id), span));
        }
        if let Some((symbol, _)) = self.values.get(name).copied() {
            return self.symbol(symbol, name, span);
        }
        if name == EVALUATION_DATE {
            return Some(typed(ExprKind::EvaluationDate, Type::Date, span));
        }
        if self.failed_names.contains(name) {
            return None;
        }
        // Not a definition: a value of an enumeration, resolved by the type
        // the context expects, or else by being the only one of its name.
        if let Some(Type::Enum(id)) = hint
            && let Some(variant) = self.enums.get(id.index()).and_then(|enumeration| enumeration.variant_index(name))
        {
            return Some(typed(ExprKind::Const(Value::Enum(variant)), Type::Enum(id), span));
        }
        let owners: Vec<(EnumId, u16)> = self
            .enums
            .iter()
            .enumerate()
            .filter_map(|(index, enumeration)| {
                enumeration.variant_index(name).map(|variant| (EnumId(id_from(index)), variant))
            })
            .collect();
        match owners.as_slice() {
            [(id, variant)] => Some(typed(ExprKind::Const(Value::Enum(*variant)), Type::Enum(*id), span)),
            [] => {
                let mut candidates: Vec<&str> = self.values.keys().map(String::as_str).collect();
                candidates.extend(
                    self.enums
                        .iter()
                        .flat_map(|enumeration| enumeration.variants.iter().map(|variant| variant.name.as_str())),
                );
                if let Some((index_name, _)) = &scope.index {
                    candidates.push(index_name);
                }
                let mut diagnostic =
                    Diagnostic::new(Code::UnknownName, span, format!("unknown name `{name}`"), "not defined");
                diagnostic.help = Some(suggest(name, candidates).unwrap_or_else(|| {
                    "a name is a profile field, parameter, rule, band set, condition set, or a value of an enumeration".to_owned()
                }));
                self.report(diagnostic);
                None
            }
            several => {
                let enums = list_names(
                    several
                        .iter()
                        .filter_map(|(id, _)| self.enums.get(id.index()).map(|enumeration| enumeration.name.as_str())),
                );
                self.report(
                    Diagnostic::new(
                        Code::AmbiguousName,
                        span,
                        format!("`{name}` is a value of several enumerations: {enums}"),
                        "ambiguous",
                    )
                    .with_help(
                        "compare it with a value of the enumeration you mean, e.g. `zone == zip`, so its type decides",
                    ),
                );
                None
            }
        }
    }

    fn symbol(&mut self, symbol: Symbol, name: &str, span: Span) -> Option<Expr> {
        match symbol {
            Symbol::Field(id) => {
                let ty = self.fields.get(id.index())?.ty;
                Some(typed(ExprKind::Field(id), ty, span))
            }
            Symbol::Param(id) => {
                let ty = self.params.get(id.index())?.ty;
                Some(typed(ExprKind::Param(id), ty, span))
            }
            Symbol::Bands(id) => {
                let ty = self.band_type(id)?;
                Some(typed(ExprKind::Band(id), ty, span))
            }
            Symbol::Rule(id) => {
                if self.rule_index(id).is_some() {
                    self.report(self.needs_index(name, span, "rule"));
                    return None;
                }
                let ty = self.rule_type(id)?;
                Some(typed(ExprKind::Rule { rule: id, index: None }, ty, span))
            }
            Symbol::Conditions(id) => {
                if self.set_index(id).is_some() {
                    self.report(self.needs_index(name, span, "condition set"));
                    return None;
                }
                Some(typed(ExprKind::Conditions { set: id, index: None }, Type::Bool, span))
            }
            Symbol::Table(id) => {
                let table = self.tables.get(id.index())?;
                let keys = table.keys.iter().map(|key| key.name.as_str()).collect::<Vec<_>>().join(", ");
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        span,
                        format!("the table `{name}` is read with its keys"),
                        "keys missing",
                    )
                    .with_help(format!("write `{name}[{keys}]`")),
                );
                None
            }
        }
    }

    fn needs_index(&self, name: &str, span: Span, what: &str) -> Diagnostic {
        Diagnostic::new(
            Code::MissingIndex,
            span,
            format!("the {what} `{name}` is given per value of an enumeration"),
            "index missing",
        )
        .with_help(format!("say which one, e.g. `{name}[o]`"))
    }

    fn band_type(&self, id: BandsId) -> Option<Type> {
        self.band_enums.get(id.index()).copied().flatten().map(Type::Enum)
    }

    fn rule_index(&self, id: RuleId) -> Option<&ast::IndexDecl> {
        let slot = self.rules.get(id.index())?;
        self.rule_decls.get(slot.decl_index)?.index.as_ref()
    }

    fn set_index(&self, id: SetId) -> Option<EnumId> {
        self.set_indices.get(id.index()).copied().flatten()
    }

    fn keys(&mut self, target: &ast::Expr, keys: &[ast::Expr], span: Span, scope: &Scope) -> Option<Expr> {
        let Ast::Name(name) = &target.kind else {
            self.report(Diagnostic::new(
                Code::TypeMismatch,
                target.span,
                "only a table, or a rule or condition set given per value, is read with `[…]`",
                "cannot be indexed",
            ));
            return None;
        };
        let symbol = self.values.get(name).map(|(symbol, _)| *symbol);
        match symbol {
            Some(Symbol::Table(id)) => {
                let table = self.tables.get(id.index())?;
                let key_types: Vec<(String, EnumId)> =
                    table.keys.iter().map(|key| (key.name.clone(), key.enumeration)).collect();
                let (single, value_ty) = (table.single_value, table.columns.first().map(|column| column.ty));
                if keys.len() != key_types.len() {
                    let names = key_types.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(", ");
                    self.report(
                        Diagnostic::new(
                            Code::WrongArity,
                            span,
                            format!("the table `{name}` has {} key(s), given {}", key_types.len(), keys.len()),
                            "wrong number of keys",
                        )
                        .with_help(format!("write `{name}[{names}]`")),
                    );
                    return None;
                }
                let mut checked = Vec::new();
                for (key, (key_name, enumeration)) in keys.iter().zip(&key_types) {
                    let what = format!("the key `{key_name}` of `{name}`");
                    checked.push(self.expect_type(key, scope, Type::Enum(*enumeration), &what));
                }
                let keys: Vec<Expr> = checked.into_iter().collect::<Option<_>>()?;
                let row = typed(ExprKind::TableRow { table: id, keys }, Type::Row(id), span);
                match (single, value_ty) {
                    (true, Some(ty)) => Some(typed(ExprKind::RowField { row: Box::new(row), column: 0 }, ty, span)),
                    _ => Some(row),
                }
            }
            Some(Symbol::Rule(id)) => {
                let index_type = self.rule_index(id).map(|index| index.ty.clone());
                let Some(index_type) = index_type else {
                    self.report(Diagnostic::new(
                        Code::WrongArity,
                        span,
                        format!("the rule `{name}` is not given per value, so takes no `[…]`"),
                        "no index",
                    ));
                    return None;
                };
                let enumeration = self.resolve_type(&index_type)?;
                let index = self.single_key(keys, span, name, scope, enumeration)?;
                let ty = self.rule_type(id)?;
                Some(typed(ExprKind::Rule { rule: id, index: Some(Box::new(index)) }, ty, span))
            }
            Some(Symbol::Conditions(id)) => {
                let Some(enumeration) = self.set_index(id) else {
                    self.report(Diagnostic::new(
                        Code::WrongArity,
                        span,
                        format!("the condition set `{name}` is not given per value, so takes no `[…]`"),
                        "no index",
                    ));
                    return None;
                };
                let index = self.single_key(keys, span, name, scope, Type::Enum(enumeration))?;
                Some(typed(ExprKind::Conditions { set: id, index: Some(Box::new(index)) }, Type::Bool, span))
            }
            _ => {
                self.expr(target, scope, None)?;
                self.report(Diagnostic::new(
                    Code::TypeMismatch,
                    target.span,
                    format!("`{name}` cannot be read with `[…]`"),
                    "not a table, nor given per value",
                ));
                None
            }
        }
    }

    fn single_key(&mut self, keys: &[ast::Expr], span: Span, name: &str, scope: &Scope, ty: Type) -> Option<Expr> {
        let [key] = keys else {
            self.report(Diagnostic::new(
                Code::WrongArity,
                span,
                format!("`{name}` takes one index, given {}", keys.len()),
                "wrong number of indices",
            ));
            return None;
        };
        self.expect_type(key, scope, ty, &format!("the index of `{name}`"))
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        operator: Span,
        left: &ast::Expr,
        right: &ast::Expr,
        span: Span,
        scope: &Scope,
    ) -> Option<Expr> {
        match op.operation() {
            operation @ (Operation::And | Operation::Or) => {
                let left = self.expect_type(left, scope, Type::Bool, &format!("the left side of `{}`", op.symbol()));
                let right = self.expect_type(right, scope, Type::Bool, &format!("the right side of `{}`", op.symbol()));
                let (left, right) = (Box::new(left?), Box::new(right?));
                let kind =
                    if operation == Operation::And { ExprKind::And(left, right) } else { ExprKind::Or(left, right) };
                Some(typed(kind, Type::Bool, span))
            }
            Operation::In => {
                let value = self.expr(left, scope, None)?;
                let Ast::List(items) = &right.kind else {
                    self.report(
                        Diagnostic::new(Code::TypeMismatch, right.span, "`in` needs a list on its right", "not a list")
                            .with_help("write `specialty in [radiologie, radiotherapie]`"),
                    );
                    return None;
                };
                let mut set = Vec::new();
                for item in items {
                    let item = self.expr(item, scope, Some(value.ty))?;
                    self.refuse_bare_rate_beside(&value, &item, "it is compared with a rate");
                    if types::comparable(value.ty, item.ty).is_none() {
                        let (a, b) = (self.type_name(value.ty), self.type_name(item.ty));
                        self.report(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                item.span,
                                format!("a list item is {b}, but the value tested is {a}"),
                                format!("this is {b}"),
                            )
                            .with_label(value.span, format!("this is {a}")),
                        );
                        return None;
                    }
                    set.push(item);
                }
                Some(typed(ExprKind::In { value: Box::new(value), set }, Type::Bool, span))
            }
            Operation::Compare(compare) => {
                let left_checked = self.expr(left, scope, None);
                let right_checked = self.expr(right, scope, left_checked.as_ref().map(|left| left.ty));
                let (left, right) = (left_checked?, right_checked?);
                self.refuse_bare_rate_beside(&left, &right, "it is compared with a rate");
                let ordered = compare.orders();
                match types::comparable(left.ty, right.ty) {
                    Some(allows_order) if allows_order || !ordered => {}
                    Some(_) => {
                        let found = self.type_name(left.ty);
                        self.report(Diagnostic::new(
                            Code::TypeMismatch,
                            operator,
                            format!("`{}` orders numbers and dates, not {found}", op.symbol()),
                            "cannot be ordered",
                        ));
                        return None;
                    }
                    None => {
                        let (a, b) = (self.type_name(left.ty), self.type_name(right.ty));
                        let mut diagnostic = Diagnostic::new(
                            Code::UnitMismatch,
                            operator,
                            format!("cannot compare {a} with {b}"),
                            "incompatible sides",
                        )
                        .with_label(left.span, format!("this is {a}"))
                        .with_label(right.span, format!("this is {b}"));
                        // `01/07/2026` beside a date is a date written the French way, read as divisions.
                        let date_side = if left.ty == Type::Date { &right } else { &left };
                        if (left.ty == Type::Date || right.ty == Type::Date)
                            && let Some(date) = french_date(date_side)
                        {
                            diagnostic = diagnostic.with_help(format!(
                                    "dates are written `YYYY-MM-DD`: write `{date}`, not day/month/year, which reads as divisions"
                                ));
                        }
                        self.report(diagnostic);
                        return None;
                    }
                }
                Some(typed(
                    ExprKind::Compare { op: compare, left: Box::new(left), right: Box::new(right) },
                    Type::Bool,
                    span,
                ))
            }
            Operation::Arith(arith) => {
                let left = self.expr(left, scope, None);
                let right = self.expr(right, scope, None);
                let (left, right) = (left?, right?);
                // In a product or a quotient a bare number is a factor
                // (`2 * rate` is twice the rate); in a sum it becomes a rate.
                if arith.is_additive() {
                    self.refuse_bare_rate_beside(&left, &right, "it is added to a rate");
                }
                let ty = match arith {
                    ArithOp::Add | ArithOp::Sub => types::additive(
                        left.ty,
                        right.ty,
                        self.is_whole_constant(&left) || self.is_whole_constant(&right),
                    ),
                    ArithOp::Mul => types::product(
                        left.ty,
                        right.ty,
                        self.is_whole_constant(&left) || self.is_whole_constant(&right),
                    ),
                    ArithOp::Div => types::quotient(left.ty, right.ty),
                };
                let Some(ty) = ty else {
                    let (a, b) = (self.type_name(left.ty), self.type_name(right.ty));
                    let help = match arith {
                        ArithOp::Add | ArithOp::Sub => {
                            "only amounts of the same unit add up: euros with euros, patients with patients, rates with rates"
                        }
                        ArithOp::Mul => {
                            "a count or an amount may be multiplied by a rate or a number, not by another count or amount"
                        }
                        ArithOp::Div => {
                            "divide by a number or a rate, or divide two amounts of the same unit to get a rate"
                        }
                    };
                    self.report(
                        Diagnostic::new(
                            Code::UnitMismatch,
                            operator,
                            format!("cannot apply `{}` to {a} and {b}", op.symbol()),
                            "units do not agree",
                        )
                        .with_label(left.span, format!("this is {a}"))
                        .with_label(right.span, format!("this is {b}"))
                        .with_help(help),
                    );
                    return None;
                };
                Some(typed(ExprKind::Arith { op: arith, left: Box::new(left), right: Box::new(right) }, ty, span))
            }
        }
    }

    fn call(
        &mut self,
        function: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
        scope: &Scope,
        hint: Option<Type>,
    ) -> Option<Expr> {
        match function.name.as_str() {
            "round" => self.round(args, span, scope),
            "min" | "max" => {
                if args.len() < 2 {
                    self.report(Diagnostic::new(
                        Code::WrongArity,
                        span,
                        format!("`{}` needs at least two values", function.name),
                        "too few values",
                    ));
                    return None;
                }
                let checked: Vec<Option<Expr>> = args.iter().map(|arg| self.expr(arg, scope, hint)).collect();
                let checked: Vec<Expr> = checked.into_iter().collect::<Option<_>>()?;
                if let Some(bad) = checked.iter().find(|arg| !arg.ty.is_numeric() && arg.ty != Type::Date) {
                    let bad = bad.clone();
                    return self.mismatch(&bad, &format!("`{}` compares numbers or dates", function.name));
                }
                let ty =
                    self.join(&checked.iter().collect::<Vec<_>>(), &format!("the values of `{}`", function.name))?;
                let kind = if function.name == "min" { ExprKind::Min(checked) } else { ExprKind::Max(checked) };
                Some(typed(kind, ty, span))
            }
            "given" => {
                let field = match args {
                    [ast::Expr { kind: Ast::Name(name), .. }] => match self.values.get(name) {
                        Some((Symbol::Field(id), _)) => Some(*id),
                        _ => None,
                    },
                    _ => None,
                };
                let Some(field) = field else {
                    self.report(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            span,
                            "`given` tells whether the profile gives a field",
                            "not a field",
                        )
                        .with_help("write `given(contract_signed)`, with the name of a profile field marked `?`"),
                    );
                    return None;
                };
                Some(typed(ExprKind::Given(field), Type::Bool, span))
            }
            "add_years" | "years_between" => {
                let [first, second] = args else {
                    self.report(Diagnostic::new(
                        Code::WrongArity,
                        span,
                        format!("`{}` takes two values", function.name),
                        "wrong number of arguments",
                    ));
                    return None;
                };
                let first =
                    self.expect_type(first, scope, Type::Date, &format!("the first value of `{}`", function.name));
                let second_type = if function.name == "add_years" { Type::Number } else { Type::Date };
                let second =
                    self.expect_type(second, scope, second_type, &format!("the second value of `{}`", function.name));
                let (first, second) = (Box::new(first?), Box::new(second?));
                Some(if function.name == "add_years" {
                    typed(ExprKind::AddYears { date: first, years: second }, Type::Date, span)
                } else {
                    typed(ExprKind::YearsBetween { from: first, to: second }, Type::Number, span)
                })
            }
            "failures" => {
                let [set] = args else {
                    self.report(Diagnostic::new(
                        Code::WrongArity,
                        span,
                        "`failures` takes one condition set",
                        "wrong number of arguments",
                    ));
                    return None;
                };
                let checked = self.expr(set, scope, None)?;
                match checked.kind {
                    ExprKind::Conditions { set, index } => {
                        Some(typed(ExprKind::Failures { set, index }, Type::Failures, span))
                    }
                    _ => self.mismatch(&checked, "`failures` lists the failed conditions of a condition set"),
                }
            }
            other => {
                let names = FUNCTIONS.map(|(name, _)| name);
                let help = suggest(other, names)
                    .unwrap_or_else(|| format!("the functions are {}", list_names(names.into_iter())));
                self.report(
                    Diagnostic::new(
                        Code::UnknownName,
                        function.span,
                        format!("unknown function `{other}`"),
                        "not a function",
                    )
                    .with_help(help),
                );
                None
            }
        }
    }

    /// `round(value, mode)` or `round(value, mode, places)`: the mode is always
    /// written, so no rounding is ever implied.
    fn round(&mut self, args: &[ast::Expr], span: Span, scope: &Scope) -> Option<Expr> {
        let modes = || RoundingMode::ALL.iter().map(|(name, _)| *name);
        let (value, mode, places) = match args {
            [value, mode] => (value, mode, None),
            [value, mode, places] => (value, mode, Some(places)),
            _ => {
                self.report(
                    Diagnostic::new(
                        Code::WrongArity,
                        span,
                        "`round` takes a value, a rounding mode, and optionally a number of decimal places",
                        "wrong number of arguments",
                    )
                    .with_help(format!(
                        "e.g. `round(file_active * 20 %, half_up)`; the modes are {}",
                        list_names(modes())
                    )),
                );
                return None;
            }
        };
        let value = self.expr(value, scope, None)?;
        if !value.ty.is_numeric() {
            return self.mismatch(&value, "`round` rounds numbers");
        }
        let mode_name = match &mode.kind {
            Ast::Name(name) => Some(name.as_str()),
            _ => None,
        };
        let Some(mode) =
            mode_name.and_then(|name| RoundingMode::ALL.iter().find(|(mode, _)| *mode == name).map(|(_, mode)| *mode))
        else {
            let help = mode_name
                .and_then(|name| suggest(name, modes()))
                .unwrap_or_else(|| format!("the modes are {}", list_names(modes())));
            self.report(
                Diagnostic::new(Code::UnknownName, mode.span, "unknown rounding mode", "not a rounding mode")
                    .with_help(help),
            );
            return None;
        };
        let places = match places {
            None => 0,
            Some(places) => match &places.kind {
                Ast::Literal(LiteralKind::Number { value: places, unit: None })
                    if places.fract().is_zero() && *places <= Decimal::from(28) =>
                {
                    u32::try_from(places.mantissa()).unwrap_or(0)
                }
                _ => {
                    self.report(Diagnostic::new(
                        Code::TypeMismatch,
                        places.span,
                        "decimal places are a whole number from 0 to 28",
                        "not a number of places",
                    ));
                    return None;
                }
            },
        };
        let ty = match value.ty {
            Type::Patients { .. } if places == 0 => Type::PATIENTS,
            other => other,
        };
        Some(typed(ExprKind::Round { value: Box::new(value), mode, places }, ty, span))
    }

    fn match_expr(
        &mut self,
        scrutinee: &ast::Expr,
        arms: &[ast::MatchArm],
        span: Span,
        scope: &Scope,
        hint: Option<Type>,
    ) -> Option<Expr> {
        let scrutinee = self.expr(scrutinee, scope, None)?;
        let Type::Enum(enum_id) = scrutinee.ty else {
            return self.mismatch(&scrutinee, "`match` chooses by the value of an enumeration or band set");
        };
        let variant_count = self.enums.get(enum_id.index())?.variants.len();
        let mut arm_of: Vec<Option<(u16, Span)>> = vec![None; variant_count];
        let mut bodies = Vec::new();
        let mut else_arm: Option<u16> = None;
        let mut failed = false;
        let mut body_hint = hint;
        for (arm_index, arm) in arms.iter().enumerate() {
            let arm_index = u16::try_from(arm_index).unwrap_or(u16::MAX);
            if arm.patterns.is_empty() {
                else_arm = Some(arm_index);
            }
            for pattern in &arm.patterns {
                let enumeration = self.enums.get(enum_id.index())?;
                match enumeration.variant_index(&pattern.name) {
                    Some(variant) => {
                        if let Some(Some((_, first))) = arm_of.get(variant as usize) {
                            let first = *first;
                            self.report(
                                Diagnostic::new(
                                    Code::DuplicateCase,
                                    pattern.span,
                                    format!("`{}` is matched twice", pattern.name),
                                    "matched again here",
                                )
                                .with_label(first, "first matched here"),
                            );
                            failed = true;
                        } else if let Some(slot) = arm_of.get_mut(variant as usize) {
                            *slot = Some((arm_index, pattern.span));
                        }
                    }
                    None => {
                        let names: Vec<&str> =
                            enumeration.variants.iter().map(|variant| variant.name.as_str()).collect();
                        let help = suggest(&pattern.name, names.iter().copied())
                            .unwrap_or_else(|| format!("its values are {}", list_names(names.iter().copied())));
                        let message = format!("`{}` is not a value of `{}`", pattern.name, enumeration.name);
                        self.report(
                            Diagnostic::new(Code::UnknownName, pattern.span, message, "unknown value").with_help(help),
                        );
                        failed = true;
                    }
                }
            }
            match self.expr(&arm.body, scope, body_hint) {
                Some(body) => {
                    body_hint = body_hint.or(Some(body.ty));
                    bodies.push(body);
                }
                None => failed = true,
            }
        }
        let enumeration = self.enums.get(enum_id.index())?;
        let missing: Vec<&str> = arm_of
            .iter()
            .zip(&enumeration.variants)
            .filter(|(arm, _)| arm.is_none())
            .map(|(_, variant)| variant.name.as_str())
            .collect();
        if else_arm.is_none() && !missing.is_empty() {
            let message = format!("this `match` does not handle {}", list_names(missing.iter().copied()));
            self.report(
                Diagnostic::new(Code::MatchNotExhaustive, span, message, "cases missing")
                    .with_help("add an arm for each, or an `else =>` arm"),
            );
            return None;
        }
        if failed {
            return None;
        }
        let ty = self.join(&bodies.iter().collect::<Vec<_>>(), "the arms of `match`")?;
        let arm_of = arm_of.into_iter().map(|arm| arm.map_or(else_arm.unwrap_or(0), |(index, _)| index)).collect();
        Some(typed(ExprKind::Match { scrutinee: Box::new(scrutinee), arm_of, arms: bodies }, ty, span))
    }
}
