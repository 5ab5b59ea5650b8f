//! Values given on the command line for fields a population lacks: one value
//! for every row (`--set FIELD=VALUE`), or one drawn for each row from a
//! stated distribution (`--draw FIELD=bernoulli(30%)`,
//! `--draw FIELD=choice(a:60%,b:40%)`), deterministic from a seed and the
//! row's number, whatever the threads or the chunk size. Each value is typed
//! and validated against the policy's field once, as a cell of that field
//! would be. Never reads a file and never prints.

use std::str::FromStr as _;

use rust_decimal::Decimal;

use crate::check::model::{CheckedPolicy, Value};
use crate::eval::profile::{FieldProblem, RawValue, field_value, unknown_field};

/// The most alternatives a `choice(...)` may list: enough for any enumeration.
pub const MAX_ALTERNATIVES: usize = 1_000;
/// The most fields given values on one command line.
pub const MAX_ASSIGNMENTS: usize = 1_000;

/// What the command line says of one field, before any policy reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub field: String,
    /// Each value as written, with its share (one value of share 100 % for `--set`).
    pub alternatives: Vec<(String, Decimal)>,
    /// As the user wrote it, for the output's record of assumptions.
    pub written: String,
    pub drawn: bool,
}

/// Every assignment of a run, and the seed of its draws.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignments {
    pub assignments: Vec<Assignment>,
    pub seed: u64,
}

/// An argument that is not a well-formed assignment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AssignError {
    pub message: String,
    pub help: Option<String>,
}

fn refuse(message: String, help: &str) -> AssignError {
    AssignError { message, help: Some(help.to_owned()) }
}

impl Assignment {
    /// `FIELD=VALUE`, as `--set` takes it.
    pub fn set(text: &str) -> Result<Assignment, AssignError> {
        let (field, value) = split_field(text, "--set", "FIELD=VALUE, e.g. `--set coordinated_practice=true`")?;
        Ok(Assignment {
            field: field.to_owned(),
            alternatives: vec![(value.to_owned(), Decimal::ONE)],
            written: format!("--set {text}"),
            drawn: false,
        })
    }

    /// `FIELD=bernoulli(P)` or `FIELD=choice(VALUE:P,...)`, as `--draw` takes it.
    pub fn draw(text: &str) -> Result<Assignment, AssignError> {
        const FORMS: &str = "write `FIELD=bernoulli(30%)` or `FIELD=choice(a:60%,b:40%)`";
        let (field, law) = split_field(text, "--draw", FORMS)?;
        let law = law.trim();
        let (name, inside) = law
            .strip_suffix(')')
            .and_then(|law| law.split_once('('))
            .ok_or_else(|| refuse(format!("`--draw {text}`: `{law}` is not a distribution"), FORMS))?;
        let alternatives = match name.trim() {
            "bernoulli" => {
                let share = share(inside, text)?;
                vec![("true".to_owned(), share), ("false".to_owned(), Decimal::ONE - share)]
            }
            "choice" => {
                let mut alternatives = Vec::new();
                for part in inside.split(',') {
                    let (value, part_share) = part.rsplit_once(':').ok_or_else(|| {
                        refuse(
                            format!("`--draw {text}`: `{}` has no share", part.trim()),
                            "write `VALUE:SHARE`, e.g. `zip:20%`",
                        )
                    })?;
                    let value = value.trim();
                    if alternatives.iter().any(|(known, _): &(String, Decimal)| known == value) {
                        return Err(refuse(
                            format!("`--draw {text}`: `{value}` is listed twice"),
                            "list each value once, with its whole share",
                        ));
                    }
                    alternatives.push((value.to_owned(), share(part_share, text)?));
                    if alternatives.len() > MAX_ALTERNATIVES {
                        return Err(refuse(
                            format!("`--draw {}`: more than {MAX_ALTERNATIVES} values", field),
                            "a choice lists at most 1 000 values",
                        ));
                    }
                }
                let total: Decimal = alternatives.iter().map(|(_, share)| *share).sum();
                if total != Decimal::ONE {
                    return Err(refuse(
                        format!("`--draw {text}`: the shares add up to {}, not 100 %", percent(total)),
                        "give shares that add up to 100 %",
                    ));
                }
                alternatives
            }
            other => {
                return Err(refuse(format!("`--draw {text}`: `{other}` is not a distribution avenant knows"), FORMS));
            }
        };
        Ok(Assignment { field: field.to_owned(), alternatives, written: format!("--draw {text}"), drawn: true })
    }
}

fn split_field<'t>(text: &'t str, flag: &str, form: &str) -> Result<(&'t str, &'t str), AssignError> {
    let (field, value) =
        text.split_once('=').ok_or_else(|| refuse(format!("`{flag} {text}` gives no value: `=` is missing"), form))?;
    let field = field.trim();
    if field.is_empty() {
        return Err(refuse(format!("`{flag} {text}` names no field"), form));
    }
    Ok((field, value.trim()))
}

/// A share: `30%`, `30 %` or `0.3`, between 0 and 100 % inclusive.
fn share(text: &str, whole: &str) -> Result<Decimal, AssignError> {
    let text = text.trim();
    let value = match text.strip_suffix('%') {
        Some(percent) => {
            Decimal::from_str(percent.trim()).ok().and_then(|value| value.checked_div(Decimal::ONE_HUNDRED))
        }
        None => Decimal::from_str(text).ok(),
    };
    match value {
        Some(value) if (Decimal::ZERO..=Decimal::ONE).contains(&value) => Ok(value),
        Some(_) => Err(refuse(
            format!("`--draw {whole}`: the share `{text}` is not between 0 and 100 %"),
            "a share is a rate from 0 % to 100 %",
        )),
        None => Err(refuse(format!("`--draw {whole}`: `{text}` is not a share"), "write a share as `30%` or `0.3`")),
    }
}

/// A share as people read it: `60 %`.
pub fn percent(share: Decimal) -> String {
    format!("{} %", (share * Decimal::ONE_HUNDRED).normalize())
}

impl Assignments {
    /// Every `--set` and `--draw`; a field given twice is refused.
    pub fn new(sets: &[String], draws: &[String], seed: u64) -> Result<Assignments, AssignError> {
        if sets.len() + draws.len() > MAX_ASSIGNMENTS {
            return Err(refuse(
                format!("{} fields given values: at most {MAX_ASSIGNMENTS}", sets.len() + draws.len()),
                "give fewer `--set` and `--draw`",
            ));
        }
        let mut assignments: Vec<Assignment> = Vec::new();
        let parsed =
            sets.iter().map(|text| Assignment::set(text)).chain(draws.iter().map(|text| Assignment::draw(text)));
        for assignment in parsed {
            let assignment = assignment?;
            if let Some(first) = assignments.iter().find(|known| known.field == assignment.field) {
                return Err(refuse(
                    format!(
                        "`{}` is given a value twice: `{}` and `{}`",
                        assignment.field, first.written, assignment.written
                    ),
                    "give each field one `--set` or one `--draw`",
                ));
            }
            assignments.push(assignment);
        }
        Ok(Assignments { assignments, seed })
    }

    pub fn is_empty(&self) -> bool {
        self.assignments.is_empty()
    }

    /// The record of what was assumed, one line each: `--set a=b`, `--draw c=… (seed 7)`.
    pub fn record(&self) -> Vec<String> {
        self.assignments
            .iter()
            .map(|assignment| match assignment.drawn {
                true => format!("{} (seed {})", assignment.written, self.seed),
                false => assignment.written.clone(),
            })
            .collect()
    }

    /// The assignments typed for one policy; those naming a field it does not
    /// declare are left out when `others` (the fields of the other texts
    /// compared) declares them, and refused otherwise.
    pub fn resolve(&self, policy: &CheckedPolicy, others: &[String]) -> Result<Resolved, AssignError> {
        let mut resolved = Resolved { fields: Vec::new(), seed: self.seed };
        for (ordinal, assignment) in self.assignments.iter().enumerate() {
            let Some((id, field)) = policy.field(&assignment.field) else {
                if others.contains(&assignment.field) {
                    continue;
                }
                let problem = unknown_field(policy, &assignment.field);
                return Err(AssignError {
                    message: format!("`{}`: {}", assignment.written, problem.message),
                    help: problem.help,
                });
            };
            let mut values = Vec::new();
            let mut bound = 0u128;
            for (text, share) in &assignment.alternatives {
                let value = match field_value(policy, field, Some(RawValue::Cell(text))) {
                    Ok(Some(value)) => Some(value),
                    // An empty value leaves the field absent, as an empty cell does.
                    Ok(None) => None,
                    Err(problem) => {
                        return Err(AssignError {
                            message: format!("`{}`: {}", assignment.written, problem.message),
                            help: problem.help,
                        });
                    }
                };
                bound = bound.saturating_add(threshold(*share));
                // The same value as a JSON Lines row would give it: a boolean as a boolean, the rest as text.
                let json = match &value {
                    None => serde_json::Value::Null,
                    Some(Value::Bool(flag)) => serde_json::Value::Bool(*flag),
                    Some(_) => serde_json::Value::from(text.as_str()),
                };
                values.push(Alternative { value, json, bound });
            }
            resolved.fields.push(Field {
                index: id.index(),
                name: assignment.field.clone(),
                ordinal: ordinal as u64,
                values,
            });
        }
        Ok(resolved)
    }
}

/// A share as a bound on a 64-bit draw: `share × 2⁶⁴`, exact.
fn threshold(share: Decimal) -> u128 {
    let scale = Decimal::from(u64::MAX) + Decimal::ONE;
    share.checked_mul(scale).map_or(0, |bound| u128::try_from(bound.trunc().mantissa()).unwrap_or(0))
}

/// The assignments of a run, typed for one policy.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    fields: Vec<Field>,
    seed: u64,
}

#[derive(Debug, Clone)]
struct Field {
    /// The field's place among the policy's fields.
    index: usize,
    name: String,
    /// The assignment's place on the command line: draws of two fields differ.
    ordinal: u64,
    values: Vec<Alternative>,
}

#[derive(Debug, Clone)]
struct Alternative {
    value: Option<Value>,
    json: serde_json::Value,
    /// The cumulative bound under which a draw picks this value.
    bound: u128,
}

impl Field {
    /// The value of this field for row `row`.
    fn pick(&self, seed: u64, row: u64) -> Option<&Alternative> {
        let draw = u128::from(mix(seed, self.ordinal, row));
        self.values.iter().find(|alternative| draw < alternative.bound).or(self.values.last())
    }
}

impl Resolved {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Whether a column of this name is given by an assignment (a population need not have it).
    pub fn gives(&self, name: &str) -> bool {
        self.fields.iter().any(|field| field.name == name)
    }

    /// Sets each assigned field of row `row` (numbered from 1), in place of
    /// what the row gave, and drops the problems the row had with it.
    pub(crate) fn apply(&self, row: u64, values: &mut [Option<Value>], problems: &mut Vec<FieldProblem>) {
        for field in &self.fields {
            if let (Some(slot), Some(picked)) = (values.get_mut(field.index), field.pick(self.seed, row)) {
                slot.clone_from(&picked.value);
            }
            problems.retain(|problem| problem.field != field.name);
        }
    }

    /// Sets each assigned field of a JSON Lines row's document, before it is read.
    pub fn apply_json(&self, row: u64, document: &mut serde_json::Map<String, serde_json::Value>) {
        for field in &self.fields {
            if let Some(picked) = field.pick(self.seed, row) {
                document.insert(field.name.clone(), picked.json.clone());
            }
        }
    }
}

/// A 64-bit draw from a seed, a field and a row: SplitMix64's finaliser
/// over the three, so each row's draw is its own whatever order rows are read in.
fn mix(seed: u64, ordinal: u64, row: u64) -> u64 {
    let mut value = seed
        .wrapping_add(ordinal.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(row.wrapping_mul(0xD1B5_4A32_D192_ED03));
    value = (value ^ (value >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    value = (value ^ (value >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    value ^ (value >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_that_are_refused_say_why() {
        let message = |text: &str| Assignment::draw(text).err().map(|error| error.message).unwrap_or_default();
        assert!(message("x=bernoulli(150%)").contains("not between 0 and 100 %"));
        assert!(message("x=choice(a:60%,b:30%)").contains("add up to 90 %"));
        assert!(message("x=choice(a:60%,a:40%)").contains("listed twice"));
        assert!(message("x=normal(1)").contains("`normal` is not a distribution"));
        assert!(message("x").contains("`=` is missing"));
        assert!(Assignment::set("=1").is_err());
    }

    #[test]
    fn a_draw_keeps_its_shares_over_many_rows() {
        let share = Decimal::new(3, 1);
        let bound = threshold(share);
        let drawn = (1..=100_000u64).filter(|row| u128::from(mix(7, 0, *row)) < bound).count();
        // 30 % of 100 000, within four standard deviations (145 rows each).
        assert!((29_420..=30_580).contains(&drawn), "{drawn}");
        assert_eq!(threshold(Decimal::ONE), 1u128 << 64);
        assert_eq!(threshold(Decimal::ZERO), 0);
    }
}
