//! Running a policy's examples: each example's profile is evaluated and its
//! expected outputs compared with what the policy gives; a [`Coverage`]
//! tracer records which rules, bands, table rows and conditions the examples
//! exercised. Nothing here prints.

use std::collections::HashSet;

use super::trace::{Frame, Traced, Tracer};
use super::{EvalError, OutputValue, Profile, evaluate_traced, to_output};
use crate::check::model::*;
use crate::source::Span;

impl Profile {
    /// The profile an example states, with defaults for the fields it leaves out.
    pub fn from_example(policy: &CheckedPolicy, example: &ExampleDef) -> Profile {
        let values = policy
            .fields
            .iter()
            .enumerate()
            .map(|(index, field)| {
                example
                    .profile
                    .iter()
                    .find(|(id, _)| id.index() == index)
                    .map_or_else(|| field.default.clone(), |(_, value)| value.clone())
            })
            .collect();
        Profile { values, name: Some(example.label.clone().unwrap_or_else(|| example.name.clone())), description: None }
    }
}

/// What one example gave.
#[derive(Debug)]
pub struct ExampleResult {
    pub name: String,
    pub label: Option<String>,
    pub span: Span,
    /// How many outputs the example expects.
    pub checked: usize,
    pub mismatches: Vec<Mismatch>,
    /// Set when the profile could not be evaluated at all.
    pub error: Option<EvalError>,
}

impl ExampleResult {
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty() && self.error.is_none()
    }
}

/// An expected output that the policy does not give.
#[derive(Debug)]
pub struct Mismatch {
    pub path: String,
    pub expected: OutputValue,
    pub got: OutputValue,
    /// The expectation's place in the policy.
    pub span: Span,
}

/// Runs every example of a policy, recording coverage into `coverage`.
pub fn run_examples(policy: &CheckedPolicy, coverage: &mut Coverage) -> Vec<ExampleResult> {
    policy.examples.iter().map(|example| run_example(policy, example, coverage)).collect()
}

fn run_example(policy: &CheckedPolicy, example: &ExampleDef, coverage: &mut Coverage) -> ExampleResult {
    let mut result = ExampleResult {
        name: example.name.clone(),
        label: example.label.clone(),
        span: example.span,
        checked: example.expectations.len(),
        mismatches: Vec::new(),
        error: None,
    };
    let profile = Profile::from_example(policy, example);
    // An example is evaluated as of the day its text takes effect.
    let on = example.on.unwrap_or(jiff::civil::date(2000, 1, 1));
    let outcome = match evaluate_traced(policy, &profile, on, coverage) {
        Ok(outcome) => outcome,
        Err(error) => {
            coverage.open.clear();
            result.error = Some(error);
            return result;
        }
    };
    for expectation in &example.expectations {
        let got = outcome.get(&expectation.path).cloned().unwrap_or(OutputValue::Null);
        if !matches(&expectation.expected, &got, expectation, policy) {
            let expected = expected_value(policy, expectation);
            result.mismatches.push(Mismatch { path: expectation.path.clone(), expected, got, span: expectation.span });
        }
    }
    result
}

fn matches(expected: &Expected, got: &OutputValue, expectation: &Expectation, policy: &CheckedPolicy) -> bool {
    match (expected, got) {
        (Expected::Nothing, OutputValue::Null) => true,
        (Expected::Conditions(names), OutputValue::Failures(failures)) => {
            let wanted: HashSet<&str> = names.iter().map(String::as_str).collect();
            let found: HashSet<&str> = failures.iter().map(|failure| failure.name.as_str()).collect();
            wanted == found && names.len() == failures.len()
        }
        // Numbers compare by value, whatever their scale: `12 000 €` is `12000.00`.
        (Expected::Value(Value::Decimal(wanted)), OutputValue::Number { value, .. }) => wanted == value,
        (Expected::Value(value), got) => to_output(policy, value.clone(), expectation.ty) == *got,
        _ => false,
    }
}

/// An expected value as an output would show it.
fn expected_value(policy: &CheckedPolicy, expectation: &Expectation) -> OutputValue {
    match &expectation.expected {
        Expected::Nothing => OutputValue::Null,
        Expected::Value(value) => to_output(policy, value.clone(), expectation.ty),
        Expected::Conditions(names) => OutputValue::Failures(
            names
                .iter()
                .map(|name| FailedCondition { name: name.clone(), message: String::new(), source: None })
                .collect(),
        ),
    }
}

/// Which parts of a policy evaluations went through.
#[derive(Debug, Default)]
pub struct Coverage {
    rules: HashSet<RuleId>,
    bands: HashSet<(BandsId, u16)>,
    rows: HashSet<(TableId, u32)>,
    held: HashSet<(SetId, usize)>,
    failed: HashSet<(SetId, usize)>,
    /// Frames being evaluated, innermost last.
    open: Vec<Frame>,
}

/// What no evaluation exercised, in the policy's words.
#[derive(Debug, Default)]
pub struct CoverageGaps {
    pub rules: Vec<String>,
    pub bands: Vec<String>,
    /// Per table, the rows never read; rows that give no value (`—`) are not counted.
    pub rows: Vec<(String, Vec<String>)>,
    pub never_fail: Vec<String>,
    pub never_hold: Vec<String>,
}

impl CoverageGaps {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
            && self.bands.is_empty()
            && self.rows.is_empty()
            && self.never_fail.is_empty()
            && self.never_hold.is_empty()
    }
}

impl Coverage {
    /// What the evaluations seen so far did not exercise.
    pub fn gaps(&self, policy: &CheckedPolicy) -> CoverageGaps {
        let mut gaps = CoverageGaps::default();
        for (index, rule) in policy.rules.iter().enumerate() {
            if !self.rules.contains(&RuleId(id_from(index))) {
                gaps.rules.push(rule.name.clone());
            }
        }
        for (index, bands) in policy.bands.iter().enumerate() {
            let id = BandsId(id_from(index));
            for (position, band) in bands.bands.iter().enumerate() {
                let position = u16::try_from(position).unwrap_or(u16::MAX);
                if !self.bands.contains(&(id, position)) {
                    gaps.bands.push(format!("{}.{}", bands.name, band.name));
                }
            }
        }
        for (index, table) in policy.tables.iter().enumerate() {
            let id = TableId(id_from(index));
            let unread: Vec<String> = (0..table.row_count())
                .filter_map(|row| u32::try_from(row).ok())
                .filter(|row| (0..table.columns.len()).any(|column| table.cell(*row, column).is_some()))
                .filter(|row| !self.rows.contains(&(id, *row)))
                .map(|row| policy.describe_row(table, row))
                .collect();
            if !unread.is_empty() {
                gaps.rows.push((table.name.clone(), unread));
            }
        }
        for (index, set) in policy.condition_sets.iter().enumerate() {
            let id = SetId(id_from(index));
            for (position, condition) in set.conditions.iter().enumerate() {
                let name = format!("{}.{}", set.name, condition.name);
                if !self.failed.contains(&(id, position)) {
                    gaps.never_fail.push(name.clone());
                }
                if !self.held.contains(&(id, position)) {
                    gaps.never_hold.push(name);
                }
            }
        }
        gaps
    }
}

impl Tracer for Coverage {
    fn enter(&mut self, frame: Frame) {
        if let Frame::Rule { rule, .. } = frame {
            self.rules.insert(rule);
        }
        self.open.push(frame);
    }

    fn leave(&mut self, result: Traced<'_>, _certainty: crate::syntax::ast::Certainty) {
        match (self.open.pop(), result) {
            (Some(Frame::Bands(bands)), Traced::Band(band)) => {
                self.bands.insert((bands, band));
            }
            (Some(Frame::Condition { set, position, .. }), Traced::Holds(holds)) => {
                if holds {
                    self.held.insert((set, position));
                } else {
                    self.failed.insert((set, position));
                }
            }
            _ => {}
        }
    }

    fn cell(&mut self, table: TableId, row: u32, _column: usize) {
        self.rows.insert((table, row));
    }
}
