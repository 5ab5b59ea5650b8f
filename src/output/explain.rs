//! The explanation of an outcome, for an auditor (text) and for programs
//! (JSON): every output with the definitions it read, each with its value,
//! its legal sources, how sure it is and its place in the policy file.
//!
//! A definition read from several places is shown in full the first time and
//! referred to afterwards. Nothing here computes or rounds: every figure is
//! one the evaluator recorded.

use std::collections::HashSet;
use std::fmt::Write as _;

use serde_json::{Map, Value as Json, json};

use super::Subject as Heading;
use super::json::output_value;
use super::table::cell as human;
use crate::check::CheckedPolicy;
use crate::check::expr::{STACK_GROWTH, STACK_RED_ZONE};
use crate::check::model::{Origin, Value};
use crate::check::types::Type;
use crate::eval::{BoundCheck, Explanation, Node, NodeId, Outcome, OutputValue, Shown, Subject, to_output};
use crate::source::Span;
use crate::syntax::ast::Certainty;

/// What a reader needs to know of one node, for either form.
struct Described {
    /// Stable for programs: `rule:target_rate[option_1]`.
    id: String,
    kind: &'static str,
    /// `target_rate[option_1]`, `options.option_1.aid.year_1`.
    name: String,
    label: Option<String>,
    value: OutputValue,
    /// The weakest certainty of what the value was computed from.
    certainty: Certainty,
    /// The definition's own certainty and its reason, where it says one.
    own: Option<(Certainty, Option<String>)>,
    sources: Vec<String>,
    notes: Vec<String>,
    /// The expression, as written in the policy.
    expression: Option<String>,
    /// `with o = option_1`, for a definition given per value of an enumeration.
    index: Option<String>,
    at: Option<Span>,
}

/// The text form: an auditor's note, one output after another; with the
/// `outcome` (when every output is explained), the assumed values it rests on.
pub fn text(
    policy: &CheckedPolicy,
    heading: &Heading<'_>,
    explanation: &Explanation,
    roots: &[NodeId],
    outcome: Option<&Outcome>,
) -> String {
    let mut out = String::new();
    let name = heading.profile_name.map(|name| format!("{name} · ")).unwrap_or_default();
    let title = policy.header.title.as_deref().map(|title| format!(" ({title})")).unwrap_or_default();
    let _ = writeln!(out, "{name}{} under {}{title}", heading.profile_file, policy.header.name);
    let _ =
        writeln!(out, "Each figure is followed by what it was computed from; a definition read again is not repeated.");
    let mut writer = TextWriter { policy, explanation, shown: HashSet::new(), tables_shown: HashSet::new(), out };
    for root in roots {
        let _ = writeln!(writer.out);
        writer.node(*root, 0);
    }
    if let Some(outcome) = outcome {
        let mut summary = String::new();
        super::table::assumptions(&mut summary, policy, outcome);
        if !summary.is_empty() {
            let _ = write!(writer.out, "\n{summary}");
        }
    }
    writer.out
}

/// Lines deeper than this many levels are indented no further.
const DEEPEST_INDENT: usize = 40;

struct TextWriter<'a> {
    policy: &'a CheckedPolicy,
    explanation: &'a Explanation,
    shown: HashSet<NodeId>,
    tables_shown: HashSet<usize>,
    out: String,
}

impl TextWriter<'_> {
    /// A line indented by its depth; past [`DEEPEST_INDENT`] levels the
    /// indentation stops growing and the line says its depth instead, so a
    /// chain of thousands of rules is not written in gigabytes of spaces.
    fn line(&mut self, depth: usize, text: &str) {
        if depth > DEEPEST_INDENT {
            let _ = writeln!(self.out, "{:indent$}[depth {depth}] {text}", "", indent = DEEPEST_INDENT * 2);
        } else {
            let _ = writeln!(self.out, "{:indent$}{text}", "", indent = depth * 2);
        }
    }

    /// A derivation is as deep as the chain of rules it follows (up to the
    /// 10 000 declarations a policy may have): past the machine's stack, the
    /// recursion goes on on the heap.
    fn node(&mut self, id: NodeId, depth: usize) {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.node_unguarded(id, depth));
    }

    fn node_unguarded(&mut self, id: NodeId, depth: usize) {
        let Some(node) = self.explanation.node(id) else { return };
        let described = describe(self.policy, node);
        // A cell says its own certainty in words; the flag is for what rests on others.
        let flag = match (described.certainty, &node.subject) {
            (Certainty::Established, _) | (_, Subject::Cell { .. }) => String::new(),
            (weakest, _) => format!("  [{}]", weakest.word()),
        };
        let label = described.label.as_deref().map(|label| format!(" ({label})")).unwrap_or_default();
        let value = match (&node.subject, &node.result) {
            (Subject::Output { .. }, Some(Shown::Output(OutputValue::Record(_)))) => String::new(),
            (Subject::Conditions { .. }, Some(Shown::Failures(failures))) if failures.is_empty() => {
                " : every condition holds".to_owned()
            }
            (Subject::Conditions { .. }, Some(Shown::Failures(failures))) => {
                let names: Vec<&str> = failures.iter().map(|failure| failure.name.as_str()).collect();
                format!(" : fails ({})", names.join(", "))
            }
            (Subject::Condition { .. }, Some(Shown::Holds(holds))) => {
                if *holds {
                    " : holds".to_owned()
                } else {
                    " : fails".to_owned()
                }
            }
            (_, Some(Shown::Value(Value::Row { table, row }))) => {
                format!(" = the row {}", row_name(self.policy, *table, *row))
            }
            (Subject::Field(_) | Subject::Param(_) | Subject::Cell { .. }, _) => {
                format!(" = {}", human(&described.value))
            }
            (_, None) => " = (not reached)".to_owned(),
            (Subject::Bands(_), _) => match &described.value {
                OutputValue::Enum { name, label: Some(label) } => format!(" = {name} ({label})"),
                value => format!(" = {}", human(value)),
            },
            _ => format!(" = {}", human(&described.value)),
        };
        let at = match (&node.subject, described.at) {
            (Subject::Field(_), _) => "  (profile)".to_owned(),
            // Cells share their row's line: the column says which one.
            (Subject::Cell { .. }, Some(span)) => format!("  ({})", self.policy.sources().location(span)),
            (_, Some(span)) => format!("  ({})", place(self.policy, span)),
            (_, None) => String::new(),
        };
        let own = match (&node.subject, &described.own) {
            (Subject::Cell { .. }, Some((certainty, reason))) => {
                format!("  {}{}", certainty.word(), reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())
            }
            _ => String::new(),
        };
        let title = if matches!(node.subject, Subject::Output { .. }) {
            described.name.clone()
        } else {
            format!("{} {}", described.kind, described.name)
        };
        if node.subject.is_shared() && !self.shown.insert(id) {
            self.line(depth, &format!("{title}{value}{flag}  (see above)"));
            return;
        }
        self.line(depth, &format!("{title}{label}{value}{own}{flag}{at}"));
        let inner = depth + 2;
        if let Some(expression) = &described.expression {
            let index = described.index.as_deref().map(|index| format!("  with {index}")).unwrap_or_default();
            self.line(inner, &format!("= {expression}{index}"));
        }
        self.guard(node, inner);
        self.bands(node, inner);
        if let Subject::Condition { set, position, .. } = &node.subject
            && matches!(node.result, Some(Shown::Holds(false)))
            && let Some(condition) = self.policy.set_def(*set).conditions.get(*position)
        {
            let message = condition.message.clone();
            self.line(inner, &format!("message: « {message} »"));
        }
        let first_of_table = match &node.subject {
            Subject::Cell { table, .. } => self.tables_shown.insert(table.index()),
            _ => true,
        };
        if first_of_table {
            for source in &described.sources {
                self.line(inner, &format!("source: {source}"));
            }
            for note in &described.notes {
                self.line(inner, &format!("note: {note}"));
            }
        }
        if let (false, Some((certainty, reason))) = (matches!(node.subject, Subject::Cell { .. }), &described.own) {
            let reason = reason.as_deref().map(|reason| format!(": {reason}")).unwrap_or_default();
            self.line(inner, &format!("certainty: {}{reason}", certainty.word()));
        }
        for read in &node.reads {
            self.node(*read, depth + 1);
        }
    }

    fn guard(&mut self, node: &Node, depth: usize) {
        let (Subject::Output { guard, .. }, Some(holds)) = (&node.subject, node.guard) else { return };
        let condition = guard_text(self.policy, guard);
        let verdict = if holds { "holds" } else { "does not hold, so there is no value" };
        self.line(depth, &format!("when {condition}: {verdict}"));
    }

    fn bands(&mut self, node: &Node, depth: usize) {
        let Subject::Bands(id) = &node.subject else { return };
        let bands = self.policy.bands_def(*id);
        let over_ty = bands.over.ty;
        let over = node.over.clone().map(|value| show(self.policy, value, over_ty)).unwrap_or_default();
        self.line(depth, &format!("{} = {over}", snippet(self.policy, bands.over.span)));
        for (position, band) in bands.bands.iter().enumerate() {
            let checks: Vec<&BoundCheck> = node.bounds.iter().filter(|check| check.band == position).collect();
            if checks.is_empty() {
                break;
            }
            let inside = checks.iter().all(|check| check.holds);
            let parts: Vec<String> = checks
                .iter()
                .map(|check| {
                    let bound = if check.lower { band.lower.as_ref() } else { band.upper.as_ref() };
                    let (words, symbol) = match (check.lower, bound.is_some_and(|bound| bound.inclusive)) {
                        (true, true) => ("from", "≥"),
                        (true, false) => ("above", ">"),
                        (false, true) => ("up to", "≤"),
                        (false, false) => ("below", "<"),
                    };
                    let written = bound.map(|bound| snippet(self.policy, bound.value.span)).unwrap_or_default();
                    let limit = show(self.policy, check.limit.clone(), over_ty);
                    let verdict = if check.holds { "yes" } else { "no" };
                    format!("{words} {written} = {limit}: {over} {symbol} {limit}? {verdict}")
                })
                .collect();
            let mark = if inside { "✓" } else { "✗" };
            self.line(depth, &format!("{mark} {}: {}", band.name, parts.join("; ")));
        }
    }
}

/// The JSON form: the outputs as nested nodes; a definition read again is
/// `{ "see": id }`.
/// The JSON form as text, pretty-printed.
///
/// serde_json writes and drops a value by recursion, one level of the tree at
/// a time: a tree as deep as a policy is long is written on a stack of its
/// own, `JSON_STACK` bytes, enough for the 10 000 declarations a policy may have.
pub fn json_text(policy: &CheckedPolicy, heading: &Heading<'_>, explanation: &Explanation, roots: &[NodeId]) -> String {
    stacker::grow(JSON_STACK, || {
        let json = json(policy, heading, explanation, roots);
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, ShallowPretty::default());
        match serde::Serialize::serialize(&json, &mut serializer) {
            Ok(()) => String::from_utf8(out).unwrap_or_default(),
            Err(_) => String::new(),
        }
    })
}

/// serde_json's pretty layout, two spaces a level, with the indentation
/// capped at [`DEEPEST_INDENT`] levels of the tree (an object and its
/// `reads` array make two levels of JSON each): a chain of 9 990 rules
/// otherwise takes 2.2 GB of spaces.
#[derive(Default)]
struct ShallowPretty {
    level: usize,
    has_value: bool,
}

impl ShallowPretty {
    fn indent<W: ?Sized + std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all("  ".repeat(self.level.min(2 * DEEPEST_INDENT)).as_bytes())
    }

    fn begin<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn end<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level = self.level.saturating_sub(1);
        if self.has_value {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(bracket)
    }

    fn item<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(writer)
    }
}

impl serde_json::ser::Formatter for ShallowPretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.begin(writer, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.end(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        self.item(writer, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.begin(writer, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.end(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        self.item(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The stack on which the JSON form is built, written and dropped.
const JSON_STACK: usize = 256 << 20;

pub fn json(policy: &CheckedPolicy, heading: &Heading<'_>, explanation: &Explanation, roots: &[NodeId]) -> Json {
    let mut shown = HashSet::new();
    let outputs: Vec<Json> = roots.iter().map(|root| json_node(policy, explanation, *root, &mut shown)).collect();
    json!({
        "profile": { "file": heading.profile_file, "name": heading.profile_name },
        "policy": { "name": policy.header.name, "file": heading.policy_file },
        "outputs": outputs,
    })
}

fn json_node(policy: &CheckedPolicy, explanation: &Explanation, id: NodeId, shown: &mut HashSet<NodeId>) -> Json {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || json_node_unguarded(policy, explanation, id, shown))
}

fn json_node_unguarded(
    policy: &CheckedPolicy,
    explanation: &Explanation,
    id: NodeId,
    shown: &mut HashSet<NodeId>,
) -> Json {
    let Some(node) = explanation.node(id) else { return Json::Null };
    let described = describe(policy, node);
    if node.subject.is_shared() && !shown.insert(id) {
        return json!({ "see": described.id });
    }
    let mut object = Map::new();
    object.insert("id".to_owned(), Json::from(described.id));
    object.insert("kind".to_owned(), Json::from(described.kind));
    object.insert("name".to_owned(), Json::from(described.name));
    if let Some(label) = described.label {
        object.insert("label".to_owned(), Json::from(label));
    }
    let value = match &node.result {
        Some(Shown::Value(Value::Row { table, row })) => Json::from(row_name(policy, *table, *row)),
        Some(Shown::Holds(holds)) => Json::from(*holds),
        _ => output_value(&described.value),
    };
    object.insert("value".to_owned(), value);
    object.insert("certainty".to_owned(), Json::from(described.certainty.word()));
    if let Some((certainty, reason)) = described.own {
        object.insert("own_certainty".to_owned(), json!({ "certainty": certainty.word(), "reason": reason }));
    }
    if !described.sources.is_empty() {
        object.insert("sources".to_owned(), Json::from(described.sources));
    }
    if !described.notes.is_empty() {
        object.insert("notes".to_owned(), Json::from(described.notes));
    }
    if let Some(expression) = described.expression {
        object.insert("expression".to_owned(), Json::from(expression));
    }
    if let Some(index) = described.index {
        object.insert("index".to_owned(), Json::from(index));
    }
    if let Some(span) = described.at {
        object.insert("at".to_owned(), Json::from(place(policy, span)));
    }
    if let (Subject::Output { guard, .. }, Some(holds)) = (&node.subject, node.guard) {
        object.insert("when".to_owned(), json!({ "condition": guard_text(policy, guard), "holds": holds }));
    }
    if let (Subject::Bands(bands), Some(over)) = (&node.subject, &node.over) {
        let definition = policy.bands_def(*bands);
        let ty = definition.over.ty;
        object.insert("over".to_owned(), output_value(&to_output(policy, over.clone(), ty)));
        let bounds: Vec<Json> = node
            .bounds
            .iter()
            .map(|check| {
                let band = definition.bands.get(check.band);
                json!({
                    "band": band.map(|band| band.name.as_str()),
                    "bound": if check.lower { "lower" } else { "upper" },
                    "value": output_value(&to_output(policy, check.limit.clone(), ty)),
                    "holds": check.holds,
                })
            })
            .collect();
        object.insert("bounds".to_owned(), Json::Array(bounds));
    }
    let reads: Vec<Json> = node.reads.iter().map(|read| json_node(policy, explanation, *read, shown)).collect();
    if !reads.is_empty() {
        object.insert("reads".to_owned(), Json::Array(reads));
    }
    Json::Object(object)
}

fn describe(policy: &CheckedPolicy, node: &Node) -> Described {
    let value = |ty: Type| match &node.result {
        Some(Shown::Value(value)) => to_output(policy, value.clone(), ty),
        Some(Shown::Output(value)) => value.clone(),
        Some(Shown::Holds(holds)) => OutputValue::Bool(*holds),
        Some(Shown::Failures(failures)) => OutputValue::Failures(failures.clone()),
        Some(Shown::Band(band)) => to_output(policy, Value::Enum(*band), ty),
        None => OutputValue::Null,
    };
    let mut described = Described {
        id: String::new(),
        kind: "",
        name: String::new(),
        label: None,
        value: OutputValue::Null,
        certainty: node.certainty,
        own: None,
        sources: Vec::new(),
        notes: Vec::new(),
        expression: None,
        index: None,
        at: None,
    };
    let index_of = |enumeration: Option<crate::check::model::EnumId>, index: Option<u16>| {
        enumeration.zip(index).map(|(id, index)| policy.enum_def(id).variant_name(index).to_owned())
    };
    match &node.subject {
        Subject::Output { path, expr, .. } => {
            described.kind = "output";
            described.name = path.clone();
            described.value = value(Type::Number);
            described.expression = expr.map(|span| snippet(policy, span));
            let top = path.split('.').next().unwrap_or(path);
            if let Some(output) = policy.outputs.iter().find(|output| output.name == top) {
                described.at = expr.or(Some(output.origin.span));
                if !path.contains('.') {
                    with_origin(&mut described, &output.origin);
                }
            }
        }
        Subject::Field(id) => {
            let field = policy.field_def(*id);
            described.kind = "field";
            described.name = field.name.clone();
            described.value = value(field.ty);
            described.certainty = Certainty::Established;
        }
        Subject::Param(id) => {
            let param = policy.param_def(*id);
            described.kind = "param";
            described.name = param.name.clone();
            described.value = to_output(policy, param.value.clone(), param.ty);
            described.certainty = param.origin.certainty;
            with_origin(&mut described, &param.origin);
        }
        Subject::Cell { table, row, column } => {
            let definition = policy.table_def(*table);
            described.kind = "cell";
            described.name = policy.describe_cell(definition, *row, *column);
            if let Some(cell) = definition.cell(*row, *column) {
                let ty = definition.columns.get(*column).map_or(Type::Number, |column| column.ty);
                described.value = to_output(policy, cell.value.clone(), ty);
                described.certainty = cell.certainty;
                described.own = Some((cell.certainty, cell.reason.clone()));
                described.at = Some(cell.span);
            }
            described.sources = definition.origin.sources.clone();
        }
        Subject::Rule { rule, index } => {
            let definition = policy.rule_def(*rule);
            described.kind = "rule";
            let variant = index_of(definition.index, *index);
            described.name = match &variant {
                Some(variant) => format!("{}[{variant}]", definition.name),
                None => definition.name.clone(),
            };
            described.value = value(definition.ty);
            described.expression = Some(snippet(policy, definition.body.span));
            described.index =
                variant.map(|variant| format!("{} = {variant}", index_name(policy, definition.origin.span)));
            with_origin(&mut described, &definition.origin);
        }
        Subject::Bands(id) => {
            let bands = policy.bands_def(*id);
            described.kind = "bands";
            described.name = bands.name.clone();
            described.label = policy.enum_def(bands.enumeration).label.clone();
            described.value = value(Type::Enum(bands.enumeration));
            if let Some(Shown::Band(band)) = &node.result
                && let Some(band) = bands.bands.get(*band as usize)
            {
                with_origin(&mut described, &band.origin);
            }
            with_origin(&mut described, &bands.origin);
        }
        Subject::Conditions { set, index } => {
            let definition = policy.set_def(*set);
            described.kind = "conditions";
            let variant = index_of(definition.index, *index);
            described.name = match &variant {
                Some(variant) => format!("{}[{variant}]", definition.name),
                None => definition.name.clone(),
            };
            described.label = definition.label.clone();
            described.value = value(Type::Failures);
            with_origin(&mut described, &definition.origin);
        }
        Subject::Condition { set, index, position } => {
            let definition = policy.set_def(*set);
            described.kind = "condition";
            if let Some(condition) = definition.conditions.get(*position) {
                described.name = condition.name.clone();
                described.expression = Some(snippet(policy, condition.requires.span));
                with_origin(&mut described, &condition.origin);
            }
            described.value = value(Type::Bool);
            let variant = index_of(definition.index, *index);
            described.index =
                variant.map(|variant| format!("{} = {variant}", index_name(policy, definition.origin.span)));
        }
    }
    described.id = format!("{}:{}", described.kind, described.name);
    if let Subject::Condition { set, index, .. } = &node.subject {
        let definition = policy.set_def(*set);
        let variant = index_of(definition.index, *index).map(|variant| format!("[{variant}]")).unwrap_or_default();
        described.id = format!("condition:{}{variant}.{}", definition.name, described.name);
    }
    described
}

/// Adds a definition's sources, notes, own certainty and place (a band adds
/// to its band set's).
fn with_origin(described: &mut Described, origin: &Origin) {
    described.sources.extend(origin.sources.iter().cloned());
    described.notes.extend(origin.notes.iter().cloned());
    if described.own.is_none() && (origin.certainty != Certainty::Established || origin.certainty_reason.is_some()) {
        described.own = Some((origin.certainty, origin.certainty_reason.clone()));
    }
    if described.at.is_none() {
        described.at = Some(origin.span);
    }
}

/// The name of the index a definition is given by (`o` in `rule r[o: option]`),
/// read just after the definition's name.
fn index_name(policy: &CheckedPolicy, name: Span) -> String {
    let file = policy.sources().file(name.file);
    let after = file.text.get(name.end as usize..).unwrap_or("");
    after
        .trim_start()
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(':'))
        .map_or_else(|| "index".to_owned(), |(index, _)| index.trim().to_owned())
}

/// A `when` as written, its parts joined by `and`.
fn guard_text(policy: &CheckedPolicy, parts: &[Span]) -> String {
    parts.iter().map(|span| snippet(policy, *span)).collect::<Vec<_>>().join(" and ")
}

/// A policy's text at a span, on one line.
fn snippet(policy: &CheckedPolicy, span: Span) -> String {
    policy.sources().code(span).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `file:line`, as an auditor looks a place up.
fn place(policy: &CheckedPolicy, span: Span) -> String {
    let file = policy.sources().file(span.file);
    let (line, _) = file.line_column(span.start);
    format!("{}:{line}", file.path.display())
}

fn show(policy: &CheckedPolicy, value: Value, ty: Type) -> String {
    human(&to_output(policy, value, ty))
}

/// `percentiles[medecine_generale]`.
fn row_name(policy: &CheckedPolicy, table: crate::check::model::TableId, row: u32) -> String {
    policy.describe_row(policy.table_def(table), row)
}
