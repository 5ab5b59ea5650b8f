//! Examples: each `example` is checked against the policy it sits in: its
//! profile gives every required field, with values of the fields' types, and
//! each expected output names an output that exists, with a value of its type.
//!
//! Nothing here evaluates the example (that is `avenant test`, through `eval`).

use std::collections::HashMap;

use super::diagnostic::{self, Diagnostic, suggest};
use super::model::*;
use super::types::Type;
use super::{Checker, list_names};
use crate::code::Code;
use crate::source::Span;
use crate::syntax::ast;

const EXAMPLE: Code = Code::Example;
const UNKNOWN_NAME: Code = Code::UnknownName;
const TYPE_MISMATCH: Code = Code::TypeMismatch;

/// A checked example: a profile the evaluator can take, and what it must give.
#[derive(Debug, Clone)]
pub struct ExampleDef {
    pub name: String,
    pub label: Option<String>,
    /// The fields the example gives; a field left out takes its default, or
    /// no value where it is optional.
    pub profile: Vec<(FieldId, Option<Value>)>,
    pub expectations: Vec<Expectation>,
    /// The date it is evaluated on: its own (`on …`), or its text's.
    pub on: Option<jiff::civil::Date>,
    pub span: Span,
}

/// One expected output: `options.option_1.aid.year_1 = 12 000 €`.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub path: String,
    pub expected: Expected,
    /// The output's type, to print the expected value in its unit.
    pub ty: Type,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// `—`: the output has no value (its `when` does not hold).
    Nothing,
    Value(Value),
    /// `[a, b]`: exactly these conditions fail, in any order.
    Conditions(Vec<String>),
}

/// Where an expected path leads in the declared outputs.
struct Leaf<'a> {
    expr: &'a Expr,
    /// Whether a `when` guards the output or a group around it, so that `—` can be right.
    guarded: bool,
}

impl Checker {
    /// The date an example runs on: its own, which must not come before its
    /// text takes effect (the text would not be in force then), or its text's.
    fn example_date(&mut self, decl: &ast::ExampleDecl, file: &ast::PolicyFile) -> Option<Option<jiff::civil::Date>> {
        let effective = file.header.effective();
        let Some(on) = &decl.on else { return Some(effective.map(|(date, _)| date)) };
        let ast::LiteralKind::Date(date) = on.kind else { return None };
        match effective {
            Some((effective, span)) if date < effective => {
                self.report(
                    Diagnostic::new(
                        Code::Example,
                        on.span,
                        format!(
                            "the example `{}` runs on {date}, before its text takes effect ({effective})",
                            decl.name.name
                        ),
                        "before the text",
                    )
                    .with_label(span, "the text takes effect here")
                    .with_help("an example runs under its own text: date it on or after the text's `effective` date"),
                );
                None
            }
            _ => Some(Some(date)),
        }
    }

    /// Checks every example of the file; the ones with errors are left out.
    pub(super) fn define_examples(&mut self, file: &ast::PolicyFile) -> Vec<ExampleDef> {
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut examples = Vec::new();
        for item in &file.items {
            let ast::Item::Example(decl) = item else { continue };
            if let Some(first) = seen.insert(decl.name.name.clone(), decl.name.span) {
                self.report(diagnostic::duplicate(&format!("the example `{}`", decl.name.name), decl.name.span, first));
            }
            let profile = self.example_profile(decl);
            let expectations = self.expectations(decl);
            let on = self.example_date(decl, file);
            if let (Some(profile), Some(expectations), Some(on)) = (profile, expectations, on) {
                examples.push(ExampleDef {
                    name: decl.name.name.clone(),
                    label: decl.label.as_ref().map(|label| label.value.clone()),
                    profile,
                    expectations,
                    on,
                    span: decl.span,
                });
            }
        }
        examples
    }

    fn example_profile(&mut self, decl: &ast::ExampleDecl) -> Option<Vec<(FieldId, Option<Value>)>> {
        let mut given: HashMap<String, Span> = HashMap::new();
        let mut profile = Vec::new();
        let mut failed = false;
        for entry in &decl.profile {
            let name = entry.dotted_path();
            if let Some(first) = given.insert(name.clone(), entry.path_span()) {
                self.report(diagnostic::duplicate(&format!("the field `{name}`"), entry.path_span(), first));
                failed = true;
                continue;
            }
            let Some((id, ty, optional)) = self.example_field(entry) else {
                failed = true;
                continue;
            };
            let value = match &entry.value {
                ast::ExampleValue::Literal(literal) => self.literal_value(literal, ty).map(Some),
                ast::ExampleValue::Nothing(_) if optional => Some(None),
                ast::ExampleValue::Nothing(span) => {
                    self.report(
                        Diagnostic::new(
                            EXAMPLE,
                            *span,
                            format!("the field `{name}` cannot be left without a value"),
                            "no value",
                        )
                        .with_help("only a field declared with `?` may be left out; give its value"),
                    );
                    None
                }
                ast::ExampleValue::Conditions { span, .. } => {
                    let wanted = self.type_name(ty);
                    self.report(Diagnostic::new(
                        TYPE_MISMATCH,
                        *span,
                        format!("`{name}` must be {wanted}, not a list"),
                        "a list",
                    ));
                    None
                }
            };
            match value {
                Some(value) => profile.push((id, value)),
                None => failed = true,
            }
        }
        for field in &self.fields {
            if field.optional || field.default.is_some() || given.contains_key(&field.name) {
                continue;
            }
            let label = field.label.as_ref().map(|label| format!(" ({label})")).unwrap_or_default();
            self.diagnostics.push(
                Diagnostic::new(
                    EXAMPLE,
                    decl.name.span,
                    format!("the example `{}` does not give the field `{}`", decl.name.name, field.name),
                    "in this example",
                )
                .with_help(format!("add `{} = …` to its profile{label}", field.name)),
            );
            failed = true;
        }
        (!failed).then_some(profile)
    }

    /// The profile field an example entry names, with its type and whether it may be left out.
    fn example_field(&mut self, entry: &ast::ExampleEntry) -> Option<(FieldId, Type, bool)> {
        let name = entry.dotted_path();
        if let Some((index, field)) = self.fields.iter().enumerate().find(|(_, field)| field.name == name) {
            return Some((FieldId(id_from(index)), field.ty, field.optional || field.default.is_some()));
        }
        // A field whose declaration failed is already reported.
        if self.failed_names.contains(&name) {
            return None;
        }
        let names = self.fields.iter().map(|field| field.name.as_str());
        let help =
            suggest(&name, names.clone()).unwrap_or_else(|| format!("the profile's fields are {}", list_names(names)));
        self.report(
            Diagnostic::new(UNKNOWN_NAME, entry.path_span(), format!("unknown profile field `{name}`"), "not a field")
                .with_help(help),
        );
        None
    }

    fn expectations(&mut self, decl: &ast::ExampleDecl) -> Option<Vec<Expectation>> {
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut expectations = Vec::new();
        let mut failed = false;
        for entry in &decl.expect {
            let path = entry.dotted_path();
            if let Some(first) = seen.insert(path.clone(), entry.path_span()) {
                self.report(diagnostic::duplicate(&format!("the expected output `{path}`"), entry.path_span(), first));
                failed = true;
                continue;
            }
            match self.expectation(entry, &path) {
                Some(expectation) => expectations.push(expectation),
                None => failed = true,
            }
        }
        (!failed).then_some(expectations)
    }

    fn expectation(&mut self, entry: &ast::ExampleEntry, path: &str) -> Option<Expectation> {
        let leaf = match self.output_leaf(&entry.path, entry.span) {
            Ok(leaf) => leaf,
            Err(diagnostic) => {
                // An output whose own error is reported is not reported again here.
                let steps: Vec<&str> = entry.path.iter().map(|step| step.name.as_str()).collect();
                if !self.in_failed_output(&steps) {
                    self.report(*diagnostic);
                }
                return None;
            }
        };
        let (ty, guarded) = (leaf.expr.ty, leaf.guarded);
        let failures_set = match &leaf.expr.kind {
            ExprKind::Failures { set, .. } => Some(*set),
            _ => None,
        };
        let expected = match &entry.value {
            ast::ExampleValue::Nothing(span) => {
                if !guarded {
                    self.report(
                        Diagnostic::new(EXAMPLE, *span, format!("`{path}` always has a value"), "expects no value")
                            .with_help("`—` expects no value, which only an output under a `when` can have"),
                    );
                    return None;
                }
                Expected::Nothing
            }
            ast::ExampleValue::Conditions { names, span } => {
                if ty != Type::Failures {
                    let wanted = self.type_name(ty);
                    self.report(Diagnostic::new(
                        TYPE_MISMATCH,
                        *span,
                        format!("`{path}` is {wanted}, not a list of conditions"),
                        "a list",
                    ));
                    return None;
                }
                Expected::Conditions(self.condition_names(names, failures_set)?)
            }
            ast::ExampleValue::Literal(literal) => {
                if ty == Type::Failures {
                    self.report(
                        Diagnostic::new(
                            TYPE_MISMATCH,
                            literal.span,
                            format!("`{path}` is a list of failed conditions"),
                            "not a list",
                        )
                        .with_help("write the conditions that fail, e.g. `[activity_threshold]`, or `[]` for none"),
                    );
                    return None;
                }
                Expected::Value(self.literal_value(literal, ty)?)
            }
        };
        Some(Expectation { path: path.to_owned(), expected, ty, span: entry.span })
    }

    /// The names of a `[a, b]` list, each a condition of the set the output reports.
    fn condition_names(&mut self, names: &[ast::Ident], set: Option<SetId>) -> Option<Vec<String>> {
        let conditions: Vec<String> = set
            .and_then(|set| self.sets.get(set.index()))
            .and_then(Option::as_ref)
            .map(|set| set.conditions.iter().map(|condition| condition.name.clone()).collect())
            .unwrap_or_default();
        let mut failed = false;
        for name in names {
            if conditions.is_empty() || conditions.contains(&name.name) {
                continue;
            }
            let candidates = conditions.iter().map(String::as_str);
            let help = suggest(&name.name, candidates.clone())
                .unwrap_or_else(|| format!("the conditions are {}", list_names(candidates)));
            self.report(
                Diagnostic::new(
                    UNKNOWN_NAME,
                    name.span,
                    format!("unknown condition `{}`", name.name),
                    "not a condition of this set",
                )
                .with_help(help),
            );
            failed = true;
        }
        (!failed).then(|| names.iter().map(|name| name.name.clone()).collect())
    }

    /// Follows a dotted path through the declared outputs to one value.
    fn output_leaf(&self, path: &[ast::Ident], whole: Span) -> Result<Leaf<'_>, Box<Diagnostic>> {
        let unknown = |step: &ast::Ident, what: &str, candidates: Vec<&str>| {
            let help = suggest(&step.name, candidates.iter().copied())
                .unwrap_or_else(|| format!("{what} are {}", list_names(candidates.iter().copied())));
            Box::new(
                Diagnostic::new(UNKNOWN_NAME, step.span, format!("no output `{}` here", step.name), "unknown output")
                    .with_help(help),
            )
        };
        let mut steps = path.iter();
        let Some(first) = steps.next() else {
            return Err(Box::new(Diagnostic::new(EXAMPLE, whole, "an empty output path", "here")));
        };
        let Some(output) = self.outputs.iter().find(|output| output.name == first.name) else {
            let names = self.outputs.iter().map(|output| output.name.as_str()).collect();
            return Err(unknown(first, "the outputs", names));
        };
        let mut reached = first.span;
        // An output's index was declared before it, so the enumeration is there.
        if let Some(enumeration) = output.index.and_then(|index| self.enums.get(index.index())) {
            let Some(step) = steps.next() else {
                return Err(group_error(reached, &first.name, enumeration.variants.first().map(|v| v.name.as_str())));
            };
            if enumeration.variant_index(&step.name).is_none() {
                let names = enumeration.variants.iter().map(|variant| variant.name.as_str()).collect();
                return Err(unknown(step, &format!("the values of `{}`", enumeration.name), names));
            }
            reached = reached.to(step.span);
        }
        let mut node = &output.node;
        let mut guarded = false;
        loop {
            match node {
                OutputNode::Value { expr, guard } => {
                    guarded |= guard.is_some();
                    if let Some(extra) = steps.next() {
                        return Err(Box::new(Diagnostic::new(
                            EXAMPLE,
                            extra.span,
                            format!("`{}` is a value, it has no field `{}`", dotted(path, reached), extra.name),
                            "no such field",
                        )));
                    }
                    return Ok(Leaf { expr, guarded });
                }
                OutputNode::Group { fields, guard } => {
                    guarded |= guard.is_some();
                    let Some(step) = steps.next() else {
                        let first_field = fields.first().map(|(name, _)| name.as_str());
                        return Err(group_error(reached, &dotted(path, reached), first_field));
                    };
                    let Some((_, field)) = fields.iter().find(|(name, _)| *name == step.name) else {
                        let names = fields.iter().map(|(name, _)| name.as_str()).collect();
                        return Err(unknown(step, &format!("the fields of `{}`", dotted(path, reached)), names));
                    };
                    reached = reached.to(step.span);
                    node = field;
                }
            }
        }
    }
}

/// The steps of `path` up to the end of `reached`, dotted.
fn dotted(path: &[ast::Ident], reached: Span) -> String {
    path.iter()
        .take_while(|step| step.span.end <= reached.end)
        .map(|step| step.name.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

fn group_error(span: Span, path: &str, first_field: Option<&str>) -> Box<Diagnostic> {
    let example = first_field.map(|field| format!(", e.g. `{path}.{field}`")).unwrap_or_default();
    Box::new(
        Diagnostic::new(EXAMPLE, span, format!("`{path}` is a group of outputs"), "a group")
            .with_help(format!("expect its values one by one{example}")),
    )
}
