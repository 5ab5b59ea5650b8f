//! Check: AST → [`CheckedPolicy`], collecting every error before failing.
//!
//! Names are resolved, types and units inferred and checked, tables made
//! dense and complete, bands proven to neither overlap nor leave a gap, and
//! cycles between definitions rejected. Nothing here evaluates a profile.

mod bands;
mod cycles;
pub mod diagnostic;
mod examples;
pub(crate) mod expr;
mod fold;
mod guards;
mod lints;
mod messages;
pub(crate) mod model;
mod rates;
mod tables;
pub(crate) mod types;

use std::collections::HashMap;
use std::sync::Arc;

pub use diagnostic::{Diagnostic, Severity};
pub use model::{CheckedPolicy, Value};

use crate::code::Code;
use crate::source::{SourceMap, Span};
use crate::syntax::ast;
use model::*;
use types::Type;

/// Checks a parsed policy. On success, the policy and its warnings; on
/// failure, every diagnostic found (errors and warnings).
pub fn check(
    sources: Arc<SourceMap>,
    file: &ast::PolicyFile,
) -> Result<(CheckedPolicy, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut checker = Checker::default();
    checker.declare(file);
    checker.define(file);
    cycles::check(&mut checker);
    if !checker.diagnostics.iter().any(Diagnostic::is_error) {
        checker.prove_bounds_in_order();
        checker.warn_unused();
        checker.warn_constant_conditions();
        checker.warn_unguarded_optional_reads();
    }
    let examples = checker.define_examples(file);
    let diagnostics = std::mem::take(&mut checker.diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let policy = CheckedPolicy {
        sources,
        header: checker.header(file),
        enums: checker.enums,
        fields: checker.fields,
        params: checker.params,
        tables: checker.tables,
        bands: checker.bands.into_iter().flatten().collect(),
        rules: checker.rules.into_iter().map(|rule| rule.def).collect::<Option<_>>().unwrap_or_default(),
        condition_sets: checker.sets.into_iter().flatten().collect(),
        outputs: checker.outputs,
        examples,
    };
    Ok((policy, diagnostics))
}

/// What a name in an expression stands for.
#[derive(Clone, Copy, Debug)]
enum Symbol {
    Field(FieldId),
    Param(ParamId),
    Table(TableId),
    Bands(BandsId),
    Rule(RuleId),
    Conditions(SetId),
}

/// A rule is checked on first use, so its type is known wherever it is read.
#[derive(Debug)]
struct RuleSlot {
    decl_index: usize,
    state: RuleState,
    def: Option<RuleDef>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum RuleState {
    Unchecked,
    InProgress,
    Done(Option<Type>),
}

/// Output names that the JSON and CSV forms use for themselves.
const RESERVED_OUTPUTS: [&str; 4] = ["profile", "policy", "certainty", "assumptions"];

#[derive(Default)]
struct Checker {
    diagnostics: Vec<Diagnostic>,
    enums: Vec<EnumDef>,
    type_names: HashMap<String, (EnumId, Span)>,
    values: HashMap<String, (Symbol, Span)>,
    fields: Vec<FieldDef>,
    params: Vec<ParamDef>,
    tables: Vec<TableDef>,
    /// Filled in order; `None` until defined (or when its definition failed).
    bands: Vec<Option<BandsDef>>,
    /// The enumeration of each band set's names, known from the first pass.
    band_enums: Vec<Option<EnumId>>,
    /// The index of each condition set, known from the first pass.
    set_indices: Vec<Option<EnumId>>,
    /// Rules being checked, innermost last, to name a cycle when one closes.
    rule_stack: Vec<RuleId>,
    rules: Vec<RuleSlot>,
    rule_decls: Vec<ast::RuleDecl>,
    sets: Vec<Option<ConditionSetDef>>,
    outputs: Vec<OutputDef>,
    /// Names whose declaration failed: already reported, so reading them is
    /// not reported again as an unknown name.
    failed_names: std::collections::HashSet<String>,
    /// Outputs whose checking failed, as their names from the output down
    /// (without the index): already reported, so an example that expects
    /// them is not reported again as naming an unknown output.
    failed_outputs: Vec<Vec<String>>,
    /// The names of the output being checked, outermost first.
    output_path: Vec<String>,
    /// Slots of the definitions given per value of an enumeration so far:
    /// each is evaluated, and compiled, once per value.
    indexed_slots: usize,
}

/// Definitions given per value of an enumeration may have at most this many
/// slots together (a rule `r[o: option]` over three options has three): each
/// slot is a copy of its definition when compiled, so a few lines over a
/// large enumeration would otherwise cost memory out of proportion to the text.
const MAX_INDEXED_SLOTS: usize = 50_000;

impl Checker {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn header(&self, file: &ast::PolicyFile) -> PolicyHeader {
        let mut header = PolicyHeader {
            name: file.header.name.name.clone(),
            title: None,
            text: None,
            effective: None,
            sources: Vec::new(),
            span: file.header.span,
        };
        for field in &file.header.fields {
            match (field.key.name.as_str(), &field.value.kind) {
                ("effective", ast::LiteralKind::Date(date)) => header.effective = Some(*date),
                ("title", ast::LiteralKind::Text(text)) => header.title = Some(text.clone()),
                ("text", ast::LiteralKind::Text(text)) => header.text = Some(text.clone()),
                ("source", ast::LiteralKind::Text(text)) => header.sources.push(text.clone()),
                _ => {}
            }
        }
        header
    }

    fn check_header(&mut self, file: &ast::PolicyFile) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for field in &file.header.fields {
            let key = field.key.name.as_str();
            let (fits, expected) = match (key, &field.value.kind) {
                ("effective", kind) => (matches!(kind, ast::LiteralKind::Date(_)), "a date `YYYY-MM-DD`"),
                ("amends", kind) => (matches!(kind, ast::LiteralKind::Name(_)), "the name of a policy"),
                ("status", kind) => (
                    matches!(kind, ast::LiteralKind::Name(status) if status == ast::PROPOSAL),
                    "`proposal` (a text in force gives no status)",
                ),
                (_, kind) => (matches!(kind, ast::LiteralKind::Text(_)), "a quoted text"),
            };
            if !fits {
                let mut diagnostic = Diagnostic::new(
                    Code::Header,
                    field.value.span,
                    format!("`{key}` takes {expected}"),
                    "wrong kind of value",
                );
                if let ("amends", ast::LiteralKind::Text(text)) = (key, &field.value.kind) {
                    diagnostic = amends_text(diagnostic, text);
                }
                self.report(diagnostic);
            }
            if key != "source"
                && key != "note"
                && let Some(first) = seen.insert(key, field.key.span)
            {
                self.report(
                    Diagnostic::new(
                        Code::Header,
                        field.key.span,
                        format!("`{key}` is given twice"),
                        "given again here",
                    )
                    .with_label(first, "first given here"),
                );
            }
        }
    }

    /// The first pass: every name is registered, so that definitions may refer
    /// to each other in any order.
    fn declare(&mut self, file: &ast::PolicyFile) {
        self.check_header(file);
        for item in &file.items {
            match item {
                ast::Item::Enum(decl) => {
                    let variants =
                        decl.variants.iter().map(|variant| (variant.name.clone(), variant.label.clone())).collect();
                    self.declare_enum(&decl.name, decl.label.as_ref(), variants, &decl.meta);
                }
                ast::Item::Bands(decl) => {
                    let variants = decl.bands.iter().map(|band| (band.name.clone(), band.label.clone())).collect();
                    self.declare_enum(&decl.name, decl.label.as_ref(), variants, &decl.meta);
                    let id = BandsId(id_from(self.bands.len()));
                    self.bands.push(None);
                    self.band_enums.push(self.type_names.get(&decl.name.name).map(|(id, _)| *id));
                    self.declare_value(&decl.name, Symbol::Bands(id));
                }
                ast::Item::Rule(decl) => {
                    let id = RuleId(id_from(self.rules.len()));
                    self.rules.push(RuleSlot {
                        decl_index: self.rule_decls.len(),
                        state: RuleState::Unchecked,
                        def: None,
                    });
                    self.rule_decls.push(decl.clone());
                    self.declare_value(&decl.name, Symbol::Rule(id));
                }
                ast::Item::Conditions(decl) => {
                    let id = SetId(id_from(self.sets.len()));
                    self.sets.push(None);
                    self.set_indices.push(None);
                    self.declare_value(&decl.name, Symbol::Conditions(id));
                }
                ast::Item::Profile(_)
                | ast::Item::Param(_)
                | ast::Item::Table(_)
                | ast::Item::Output(_)
                | ast::Item::Example(_) => {}
                // Amendments are merged into the texts they amend before checking.
                ast::Item::Replace(_)
                | ast::Item::Remove(_)
                | ast::Item::AmendConditions(_)
                | ast::Item::AmendTable(_)
                | ast::Item::AmendCell(_)
                | ast::Item::AmendEnum(_)
                | ast::Item::AmendProfile(_) => {}
            }
        }
        // Fields, parameters and tables need the enumerations for their types.
        let mut profile_seen: Option<Span> = None;
        let mut set_index = 0;
        for item in &file.items {
            match item {
                ast::Item::Conditions(decl) => {
                    let index = decl.index.as_ref().and_then(|index| self.index_enum(index));
                    if let Some(slot) = self.set_indices.get_mut(set_index) {
                        *slot = index;
                    }
                    set_index += 1;
                }
                ast::Item::Profile(decl) => {
                    if let Some(first) = profile_seen {
                        self.report(
                            diagnostic::duplicate("the profile", decl.span, first)
                                .with_help("declare every field in one `profile { … }` block"),
                        );
                    }
                    profile_seen = Some(decl.span);
                    for field in &decl.fields {
                        self.declare_field(field);
                    }
                }
                ast::Item::Param(decl) => self.declare_param(decl),
                ast::Item::Table(decl) => self.declare_table(decl),
                _ => {}
            }
        }
    }

    fn declare_enum(
        &mut self,
        name: &ast::Ident,
        label: Option<&ast::Text>,
        variants: Vec<(ast::Ident, Option<ast::Text>)>,
        meta: &ast::Meta,
    ) {
        if types::builtin(&name.name).is_some() {
            self.report(Diagnostic::new(
                Code::DuplicateDefinition,
                name.span,
                format!("`{}` is a built-in type", name.name),
                "cannot be redefined",
            ));
            return;
        }
        let id = EnumId(id_from(self.enums.len()));
        if let Some((_, first)) = self.type_names.get(&name.name) {
            let first = *first;
            self.report(diagnostic::duplicate(&format!("the type `{}`", name.name), name.span, first));
            return;
        }
        self.type_names.insert(name.name.clone(), (id, name.span));
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for (variant, _) in &variants {
            if let Some(first) = seen.insert(&variant.name, variant.span) {
                self.diagnostics.push(diagnostic::duplicate(
                    &format!("the value `{}` of `{}`", variant.name, name.name),
                    variant.span,
                    first,
                ));
            }
        }
        // A value given twice is reported once, and counted once: tables keyed
        // by the enumeration are not asked for its rows twice.
        let mut kept = std::collections::HashSet::new();
        let variants = variants
            .into_iter()
            .filter(|(variant, _)| kept.insert(variant.name.clone()))
            .map(|(variant, label)| VariantDef {
                name: variant.name,
                label: label.map(|label| label.value),
                span: variant.span,
            })
            .collect();
        self.enums.push(EnumDef {
            name: name.name.clone(),
            label: label.map(|label| label.value.clone()),
            variants,
            origin: origin(name.span, meta),
        });
    }

    fn declare_value(&mut self, name: &ast::Ident, symbol: Symbol) {
        if name.name == expr::EVALUATION_DATE {
            self.report(
                Diagnostic::new(
                    Code::ReservedName,
                    name.span,
                    format!("`{}` is the date of the evaluation, and cannot be redefined", name.name),
                    "reserved",
                )
                .with_help("choose another name"),
            );
            return;
        }
        if let Some((_, first)) = self.values.get(&name.name) {
            let first = *first;
            self.report(
                diagnostic::duplicate(&format!("`{}`", name.name), name.span, first)
                    .with_help("every field, parameter, table, band set, rule and condition set needs its own name"),
            );
            return;
        }
        self.values.insert(name.name.clone(), (symbol, name.span));
    }

    /// A type written in the policy: a built-in, or a declared enumeration or band set.
    fn resolve_type(&mut self, name: &ast::Ident) -> Option<Type> {
        if let Some(ty) = types::builtin(&name.name) {
            return Some(ty);
        }
        if let Some((id, _)) = self.type_names.get(&name.name) {
            return Some(Type::Enum(*id));
        }
        let candidates: Vec<&str> =
            types::BUILTIN_NAMES.iter().copied().chain(self.type_names.keys().map(String::as_str)).collect();
        let mut diagnostic =
            Diagnostic::new(Code::UnknownType, name.span, format!("unknown type `{}`", name.name), "not a type");
        diagnostic.help = Some(diagnostic::suggest(&name.name, candidates.iter().copied()).unwrap_or_else(|| {
            format!(
                "the types are {}, and the enumerations and band sets the policy declares",
                types::BUILTIN_NAMES.join(", ")
            )
        }));
        self.report(diagnostic);
        None
    }

    fn declare_field(&mut self, decl: &ast::FieldDecl) {
        let Some(ty) = self.resolve_type(&decl.ty) else {
            self.failed_names.insert(decl.name.name.clone());
            return;
        };
        let default = decl.default.as_ref().and_then(|literal| self.literal_value(literal, ty));
        let id = FieldId(id_from(self.fields.len()));
        self.fields.push(FieldDef {
            name: decl.name.name.clone(),
            ty,
            optional: decl.optional,
            default,
            label: decl.label.as_ref().map(|label| label.value.clone()),
            span: decl.name.span,
        });
        self.declare_value(&decl.name, Symbol::Field(id));
    }

    fn declare_param(&mut self, decl: &ast::ParamDecl) {
        let value = self.resolve_type(&decl.ty).and_then(|ty| Some((ty, self.literal_value(&decl.value, ty)?)));
        let Some((ty, value)) = value else {
            self.failed_names.insert(decl.name.name.clone());
            return;
        };
        let id = ParamId(id_from(self.params.len()));
        self.params.push(ParamDef {
            name: decl.name.name.clone(),
            ty,
            value,
            origin: origin(decl.name.span, &decl.meta),
        });
        self.declare_value(&decl.name, Symbol::Param(id));
    }

    /// The second pass: bodies are checked now that every name is known.
    fn define(&mut self, file: &ast::PolicyFile) {
        let mut band_index = 0;
        let mut set_index = 0;
        for item in &file.items {
            match item {
                ast::Item::Bands(decl) => {
                    let id = BandsId(id_from(band_index));
                    band_index += 1;
                    let defined = self.define_bands(decl, id);
                    if let Some(slot) = self.bands.get_mut(id.index()) {
                        *slot = defined;
                    }
                }
                ast::Item::Conditions(decl) => {
                    let id = SetId(id_from(set_index));
                    set_index += 1;
                    let defined = self.define_conditions(decl, id);
                    if let Some(slot) = self.sets.get_mut(id.index()) {
                        *slot = defined;
                    }
                }
                _ => {}
            }
        }
        for index in 0..self.rules.len() {
            self.rule_type(RuleId(id_from(index)));
        }
        for item in &file.items {
            if let ast::Item::Output(decl) = item {
                self.define_output(decl);
            }
        }
    }

    fn define_conditions(&mut self, decl: &ast::ConditionsDecl, id: SetId) -> Option<ConditionSetDef> {
        let index = self.set_indices.get(id.index()).copied().flatten();
        if decl.index.is_some() && index.is_none() {
            return None;
        }
        let scope =
            expr::Scope { index: decl.index.as_ref().zip(index).map(|(index, id)| (index.name.name.clone(), id)) };
        let mut conditions = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut failed = false;
        for condition in &decl.conditions {
            if let Some(first) = seen.insert(&condition.name.name, condition.name.span) {
                self.report(diagnostic::duplicate(
                    &format!("the condition `{}`", condition.name.name),
                    condition.name.span,
                    first,
                ));
            }
            let guard = match &condition.guard {
                Some(guard) => match self.expect_type(guard, &scope, Type::Bool, "a condition's `when`") {
                    Some(guard) => Some(guard),
                    None => {
                        failed = true;
                        continue;
                    }
                },
                None => None,
            };
            let Some(requires) = self.expect_type(&condition.requires, &scope, Type::Bool, "a condition") else {
                failed = true;
                continue;
            };
            let Some(message) = self.message(condition, &scope) else {
                failed = true;
                continue;
            };
            conditions.push(ConditionDef {
                name: condition.name.name.clone(),
                guard,
                requires,
                message,
                origin: origin(condition.name.span, &condition.meta),
            });
        }
        (!failed).then(|| ConditionSetDef {
            name: decl.name.name.clone(),
            label: decl.label.as_ref().map(|label| label.value.clone()),
            index,
            conditions,
            origin: origin(decl.name.span, &decl.meta),
        })
    }

    fn index_enum(&mut self, index: &ast::IndexDecl) -> Option<EnumId> {
        match self.resolve_type(&index.ty)? {
            Type::Enum(id) => {
                let values = self.enums.get(id.index())?.variants.len();
                let before = self.indexed_slots;
                self.indexed_slots = before.saturating_add(values);
                if self.indexed_slots > MAX_INDEXED_SLOTS {
                    // Said once, at the definition that crosses the limit.
                    if before <= MAX_INDEXED_SLOTS {
                        self.report(
                            Diagnostic::new(
                                Code::TooManySlots,
                                index.ty.span,
                                format!(
                                    "definitions given per value of an enumeration have {} values together here, more than the {MAX_INDEXED_SLOTS} a policy may have",
                                    self.indexed_slots
                                ),
                                format!("`{}` has {values} values", index.ty.name),
                            )
                            .with_help("give fewer definitions per value, or index them by a smaller enumeration"),
                        );
                    }
                    return None;
                }
                Some(id)
            }
            _ => {
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        index.ty.span,
                        format!("`{}` cannot index a definition", index.ty.name),
                        "not an enumeration",
                    )
                    .with_help("a definition may be given per value of an enumeration or band set, e.g. `[o: option]`"),
                );
                None
            }
        }
    }

    /// The type of a rule, checking its body on first use.
    fn rule_type(&mut self, id: RuleId) -> Option<Type> {
        let slot = self.rules.get(id.index())?;
        match slot.state {
            RuleState::Done(ty) => return ty,
            RuleState::InProgress => {
                self.report_rule_cycle(id);
                return None;
            }
            RuleState::Unchecked => {}
        }
        let decl = self.rule_decls.get(slot.decl_index)?.clone();
        if let Some(slot) = self.rules.get_mut(id.index()) {
            slot.state = RuleState::InProgress;
        }
        self.rule_stack.push(id);
        let def = self.define_rule(&decl);
        self.rule_stack.pop();
        let ty = def.as_ref().map(|def| def.ty);
        if let Some(slot) = self.rules.get_mut(id.index()) {
            slot.state = RuleState::Done(ty);
            slot.def = def;
        }
        ty
    }

    fn define_rule(&mut self, decl: &ast::RuleDecl) -> Option<RuleDef> {
        let index = match &decl.index {
            Some(index) => Some(self.index_enum(index)?),
            None => None,
        };
        let scope =
            expr::Scope { index: decl.index.as_ref().zip(index).map(|(index, id)| (index.name.name.clone(), id)) };
        let declared = match &decl.ty {
            Some(ty) => Some(self.resolve_type(ty)?),
            None => None,
        };
        let body = match declared {
            Some(ty) => self.expect_type(&decl.body, &scope, ty, &format!("the rule `{}`", decl.name.name))?,
            None => self.expr(&decl.body, &scope, None)?,
        };
        let ty = declared.unwrap_or(body.ty);
        Some(RuleDef { name: decl.name.name.clone(), index, ty, body, origin: origin(decl.name.span, &decl.meta) })
    }

    fn define_output(&mut self, decl: &ast::OutputDecl) {
        if RESERVED_OUTPUTS.contains(&decl.name.name.as_str()) {
            self.report(
                Diagnostic::new(
                    Code::ReservedName,
                    decl.name.span,
                    format!("`{}` is reserved for the evaluation's own fields", decl.name.name),
                    "reserved",
                )
                .with_help(format!(
                    "rename the output; {} are taken",
                    RESERVED_OUTPUTS.map(|name| format!("`{name}`")).join(", ")
                )),
            );
        }
        if let Some(first) = self.outputs.iter().find(|output| output.name == decl.name.name) {
            let first = first.origin.span;
            self.report(diagnostic::duplicate(&format!("the output `{}`", decl.name.name), decl.name.span, first));
        }
        let index = match &decl.index {
            Some(index) => match self.index_enum(index) {
                Some(id) => Some(id),
                None => {
                    self.failed_outputs.push(vec![decl.name.name.clone()]);
                    return;
                }
            },
            None => None,
        };
        let scope =
            expr::Scope { index: decl.index.as_ref().zip(index).map(|(index, id)| (index.name.name.clone(), id)) };
        self.output_path = vec![decl.name.name.clone()];
        let node = self.output_node(&decl.body, &scope, None);
        let Some(node) = node else {
            self.failed_outputs.push(std::mem::take(&mut self.output_path));
            return;
        };
        self.outputs.push(OutputDef {
            name: decl.name.name.clone(),
            index,
            node,
            origin: origin(decl.name.span, &decl.meta),
        });
    }

    fn output_node(
        &mut self,
        node: &ast::OutputNode,
        scope: &expr::Scope,
        outer_guard: Option<&Expr>,
    ) -> Option<OutputNode> {
        match node {
            ast::OutputNode::Value { expr, guard } => {
                let guard = self.guard(guard.as_ref(), scope, outer_guard);
                let expr = self.expr(expr, scope, None)?;
                if let Type::Patients { whole: false } = expr.ty {
                    self.report(unrounded(expr.span, "an output"));
                    return None;
                }
                if let Type::Row(_) = expr.ty {
                    self.report(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            expr.span,
                            "a whole table row cannot be an output",
                            "a row",
                        )
                        .with_help("output its columns one by one, e.g. `year_1 = aid[level, o].year_1`"),
                    );
                    return None;
                }
                Some(OutputNode::Value { expr, guard: guard? })
            }
            ast::OutputNode::Group { items, guard } => {
                let guard = self.guard(guard.as_ref(), scope, outer_guard)?;
                let mut fields = Vec::new();
                self.output_items(items, scope, None, &mut fields, &mut HashMap::new());
                Some(OutputNode::Group { fields, guard })
            }
        }
    }

    fn output_items(
        &mut self,
        items: &[ast::OutputItem],
        scope: &expr::Scope,
        when: Option<&Expr>,
        fields: &mut Vec<(String, OutputNode)>,
        seen: &mut HashMap<String, Span>,
    ) {
        for item in items {
            match item {
                ast::OutputItem::Named { name, node } => {
                    if let Some(first) = seen.get(&name.name) {
                        self.report(diagnostic::duplicate(
                            &format!("the output field `{}`", name.name),
                            name.span,
                            *first,
                        ));
                        continue;
                    }
                    seen.insert(name.name.clone(), name.span);
                    self.output_path.push(name.name.clone());
                    match self.output_node(node, scope, when) {
                        Some(node) => fields.push((name.name.clone(), node)),
                        None => self.failed_outputs.push(self.output_path.clone()),
                    }
                    self.output_path.pop();
                }
                ast::OutputItem::When { guard, items } => {
                    let Some(guard) = self.guard(Some(guard), scope, when).flatten() else {
                        self.fail_outputs(items);
                        continue;
                    };
                    self.output_items(items, scope, Some(&guard), fields, seen);
                }
            }
        }
    }

    /// Records every output under a `when` block whose guard failed.
    fn fail_outputs(&mut self, items: &[ast::OutputItem]) {
        for item in items {
            match item {
                ast::OutputItem::Named { name, .. } => {
                    let mut path = self.output_path.clone();
                    path.push(name.name.clone());
                    self.failed_outputs.push(path);
                }
                ast::OutputItem::When { items, .. } => self.fail_outputs(items),
            }
        }
    }

    /// Whether an expected output's path leads into an output whose checking
    /// failed; its index, if any, is the second step, and is skipped.
    fn in_failed_output(&self, path: &[&str]) -> bool {
        self.failed_outputs.iter().any(|failed| {
            let (Some(first), Some(rest)) = (failed.first(), failed.get(1..)) else { return false };
            let leads = |steps: &[&str]| steps.len() >= rest.len() && steps.iter().zip(rest).all(|(a, b)| a == b);
            path.first() == Some(&first.as_str())
                && (leads(path.get(1..).unwrap_or_default()) || leads(path.get(2..).unwrap_or_default()))
        })
    }

    /// A `when` guard, joined to the guard of an enclosing `when` block.
    /// `None` on error; `Some(None)` where nothing guards.
    fn guard(&mut self, guard: Option<&ast::Expr>, scope: &expr::Scope, outer: Option<&Expr>) -> Option<Option<Expr>> {
        let own = match guard {
            Some(guard) => Some(self.expect_type(guard, scope, Type::Bool, "a `when` guard")?),
            None => None,
        };
        Some(match (outer.cloned(), own) {
            (None, own) => own,
            (Some(outer), None) => Some(outer),
            (Some(outer), Some(own)) => {
                let span = own.span;
                Some(Expr { kind: ExprKind::And(Box::new(outer), Box::new(own)), ty: Type::Bool, span })
            }
        })
    }

    /// A literal as a value of the expected type, or a reported error.
    fn literal_value(&mut self, literal: &ast::Literal, ty: Type) -> Option<Value> {
        let value = expr::literal(&literal.kind);
        let found = match (&literal.kind, ty) {
            (ast::LiteralKind::Name(name), Type::Enum(id)) => {
                let enumeration = self.enums.get(id.index())?;
                match enumeration.variant_index(name) {
                    Some(index) => return Some(Value::Enum(index)),
                    None => {
                        let help =
                            diagnostic::suggest(name, enumeration.variants.iter().map(|variant| variant.name.as_str()))
                                .unwrap_or_else(|| {
                                    format!(
                                        "the values of `{}` are {}",
                                        enumeration.name,
                                        list_names(enumeration.variants.iter().map(|variant| variant.name.as_str()))
                                    )
                                });
                        let message = format!("`{name}` is not a value of `{}`", enumeration.name);
                        self.report(
                            Diagnostic::new(Code::UnknownName, literal.span, message, "unknown value").with_help(help),
                        );
                        return None;
                    }
                }
            }
            (kind, _) => expr::literal_type(kind),
        };
        if let (Some(Type::Number), Type::Rate, Some(Value::Decimal(value))) = (found, ty, &value) {
            self.report(rates::bare_rate(*value, literal.span, "a rate is expected"));
            return None;
        }
        if let (Some(Type::Rate), Type::Rate, Some(Value::Decimal(rate))) = (found, ty, &value) {
            self.warn_rate_out_of_range(*rate, literal.span);
        }
        match (found, value) {
            (Some(found), Some(value)) if found.fits(ty) => {
                if ty == Type::PATIENTS
                    && let Value::Decimal(count) = &value
                    && !count.fract().is_zero()
                {
                    self.report(
                        Diagnostic::new(
                            Code::UnroundedCount,
                            literal.span,
                            format!("`{count}` is not a whole number of patients"),
                            "a fraction of a patient",
                        )
                        .with_help("a count of patients is a whole number"),
                    );
                    return None;
                }
                Some(value)
            }
            (found, _) => {
                let found = found.map_or_else(|| "a name".to_owned(), |found| self.type_name(found));
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        literal.span,
                        format!("expected {}, found {found}", self.type_name(ty)),
                        "wrong type",
                    )
                    .with_help(literal_help(ty)),
                );
                None
            }
        }
    }

    fn type_name(&self, ty: Type) -> String {
        let enum_name = |id: EnumId| {
            self.enums.get(id.index()).map_or_else(|| "?".to_owned(), |enumeration| format!("`{}`", enumeration.name))
        };
        let table_name =
            |id: TableId| self.tables.get(id.index()).map_or_else(|| "?".to_owned(), |table| table.name.clone());
        types::TypeName { ty, enum_name: &enum_name, table_name: &table_name }.to_string()
    }
}

fn literal_help(ty: Type) -> String {
    match ty {
        Type::Euros => "write an amount in euros, e.g. `12 000 €`".to_owned(),
        Type::Rate => "write a rate as a percentage, e.g. `7.5 %`".to_owned(),
        Type::Patients { .. } => "write a whole number of patients, e.g. `640`".to_owned(),
        Type::Date => "write a date as `YYYY-MM-DD`".to_owned(),
        Type::Bool => "write `true` or `false`".to_owned(),
        Type::Text => "write a quoted text".to_owned(),
        Type::Number => "write a number".to_owned(),
        _ => "write a value of the column's type".to_owned(),
    }
}

/// `amends "convention-2024.policy"`: the amended text is named as in its
/// header, unquoted, not by its file.
fn amends_text(diagnostic: Diagnostic, text: &str) -> Diagnostic {
    let stem = text.rsplit(['/', '\\']).next().unwrap_or(text);
    let stem = stem.strip_suffix(".policy").unwrap_or(stem);
    // A name is short; a longer text is cut rather than repeated whole.
    let name: String = stem.chars().take(60).map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    Diagnostic {
        message: "`amends` takes the name of the text it amends, unquoted, not its file name".to_owned(),
        ..diagnostic
    }
    .with_help(format!("write `amends {name}`, the name after `policy` in that text's header"))
}

fn unrounded(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnroundedCount,
        span,
        format!("{what} needs a whole number of patients, but this share of a count is not rounded to one"),
        "not a whole number of patients",
    )
    .with_help("round it to whole patients, without decimal places, e.g. `round(file_active * 20 %, half_up)`")
}

fn list_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

fn origin(span: Span, meta: &ast::Meta) -> Origin {
    Origin {
        span,
        sources: meta.sources.iter().map(|source| source.value.clone()).collect(),
        notes: meta.notes.iter().map(|note| note.value.clone()).collect(),
        certainty: meta.certainty.as_ref().map_or(ast::Certainty::Established, |certainty| certainty.kind),
        certainty_reason: meta
            .certainty
            .as_ref()
            .and_then(|certainty| certainty.reason.as_ref())
            .map(|reason| reason.value.clone()),
    }
}
