//! The table form of an outcome, for people: scalar outputs as lines, outputs
//! given per value (the options) as a grid with one column per value, failed
//! conditions with their messages, and the assumptions the figures rest on.

use std::fmt::Write as _;

use super::{Subject, decimal_text};
use crate::check::CheckedPolicy;
use crate::check::model::FailedCondition;
use crate::check::types::Type;
use crate::eval::{Outcome, OutputValue};
use crate::syntax::ast::Certainty;

pub fn outcome(policy: &CheckedPolicy, subject: &Subject<'_>, outcome: &Outcome) -> String {
    let mut out = String::new();
    let name = subject.profile_name.map(|name| format!("{name} · ")).unwrap_or_default();
    let title = policy.header.title.as_deref().map(|title| format!(" ({title})")).unwrap_or_default();
    let _ = writeln!(out, "{name}{} under {}{title}, on {}", subject.profile_file, policy.header.name, subject.on);
    let width = outcome.outputs.iter().map(|(name, _, _)| name.len()).max().unwrap_or(0).max(8);
    let mut notes = Notes::default();
    for (name, value, certainty) in &outcome.outputs {
        let flag = flag(*certainty);
        match value {
            OutputValue::Record(entries)
                if !entries.is_empty()
                    && entries.iter().all(|(_, entry)| matches!(entry, OutputValue::Record(_) | OutputValue::Null)) =>
            {
                let _ = writeln!(out);
                grid(&mut out, name, entries, &flag, &mut notes);
                let _ = writeln!(out);
            }
            OutputValue::Record(_) => {
                for (path, leaf) in leaves(name, value) {
                    let _ = writeln!(out, "  {path:<width$}  {}{flag}", cell(leaf));
                }
            }
            OutputValue::Failures(failures) => {
                let _ = writeln!(out, "  {name:<width$}  {}{flag}", cell(value));
                for failure in failures.iter() {
                    notes.add(failure, None);
                }
            }
            _ => {
                let _ = writeln!(out, "  {name:<width$}  {}{flag}", cell(value));
            }
        }
    }
    if !notes.0.is_empty() {
        let _ = writeln!(out, "  why not:");
        for (failure, places) in &notes.0 {
            let places = if places.is_empty() { String::new() } else { format!(" ({})", places.join(", ")) };
            let _ = writeln!(out, "    ✗ {}{places}: {}", failure.name, failure.message);
        }
    }
    assumptions(&mut out, policy, outcome);
    out
}

/// `rests on 1 assumed value(s):` and each value, with its reason and place.
pub(crate) fn assumptions(out: &mut String, policy: &CheckedPolicy, outcome: &Outcome) {
    let assumed: Vec<_> =
        outcome.assumptions.iter().filter(|assumption| assumption.certainty == Certainty::Assumed).collect();
    if assumed.is_empty() {
        return;
    }
    let _ = writeln!(out, "  rests on {} assumed value(s):", assumed.len());
    for assumption in assumed {
        let reason = assumption.reason.as_deref().map(|reason| format!(": {reason}")).unwrap_or_default();
        let _ = writeln!(out, "    ? {}{reason} ({})", assumption.what, policy.sources().location(assumption.span));
    }
}

fn flag(certainty: Certainty) -> String {
    match certainty {
        Certainty::Established => String::new(),
        other => format!("  [{}]", other.word()),
    }
}

/// One row per leaf path, one column per entry (per option).
fn grid(out: &mut String, name: &str, entries: &[(String, OutputValue)], flag: &str, notes: &mut Notes) {
    let mut paths: Vec<String> = Vec::new();
    for (_, entry) in entries {
        for (path, _) in leaves("", entry) {
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
    // A group that is null for one entry (`aid` of a closed option) shows as
    // its fields' rows, not as a row of its own.
    let grouped: Vec<String> =
        paths.iter().filter(|path| paths.iter().any(|other| other.starts_with(&format!("{path}.")))).cloned().collect();
    paths.retain(|path| !grouped.contains(path));
    let columns: Vec<Vec<String>> = entries
        .iter()
        .map(|(entry_name, entry)| {
            let entry_leaves = leaves("", entry);
            for (_, leaf) in &entry_leaves {
                if let OutputValue::Failures(failures) = leaf {
                    for failure in failures.iter() {
                        notes.add(failure, Some(entry_name));
                    }
                }
            }
            paths
                .iter()
                .map(|path| {
                    entry_leaves
                        .iter()
                        .find(|(leaf_path, _)| leaf_path == path)
                        .map_or_else(|| "—".to_owned(), |(_, leaf)| cell(leaf))
                })
                .collect()
        })
        .collect();
    let label_width = paths.iter().map(String::len).max().unwrap_or(0).max(name.len());
    let widths: Vec<usize> = entries
        .iter()
        .zip(&columns)
        .map(|((entry_name, _), column)| {
            column.iter().map(|text| text.chars().count()).max().unwrap_or(0).max(entry_name.chars().count())
        })
        .collect();
    let _ = write!(out, "  {name:<label_width$}");
    for ((entry_name, _), width) in entries.iter().zip(&widths) {
        let _ = write!(out, "  {entry_name:>width$}");
    }
    let _ = writeln!(out, "{flag}");
    for (row, path) in paths.iter().enumerate() {
        let _ = write!(out, "  {path:<label_width$}");
        for (column, width) in columns.iter().zip(&widths) {
            let text = column.get(row).map_or("—", String::as_str);
            let _ = write!(out, "  {text:>width$}");
        }
        let _ = writeln!(out);
    }
}

/// Failed conditions, each once, with the entries (options) it closes.
#[derive(Default)]
struct Notes(Vec<(FailedCondition, Vec<String>)>);

impl Notes {
    fn add(&mut self, failure: &FailedCondition, place: Option<&str>) {
        let known = self.0.iter_mut().find(|(known, _)| known.name == failure.name && known.message == failure.message);
        let places = match known {
            Some((_, places)) => places,
            None => {
                self.0.push((failure.clone(), Vec::new()));
                match self.0.last_mut() {
                    Some((_, places)) => places,
                    None => return,
                }
            }
        };
        if let Some(place) = place {
            places.push(place.to_owned());
        }
    }
}

/// The leaves of an output value, with their dotted paths.
fn leaves<'a>(prefix: &str, value: &'a OutputValue) -> Vec<(String, &'a OutputValue)> {
    match value {
        OutputValue::Record(entries) => entries
            .iter()
            .flat_map(|(name, entry)| {
                let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
                leaves(&path, entry)
            })
            .collect(),
        leaf => vec![(prefix.to_owned(), leaf)],
    }
}

/// A value as a person reads it in a cell.
pub(crate) fn cell(value: &OutputValue) -> String {
    match value {
        OutputValue::Null => "—".to_owned(),
        OutputValue::Bool(true) => "yes".to_owned(),
        OutputValue::Bool(false) => "no".to_owned(),
        OutputValue::Number { value, ty: Type::Euros } => {
            format!("{} €", group_thousands(decimal_text(*value, Type::Euros).trim_end_matches(".00")))
        }
        OutputValue::Number { value, ty: Type::Rate } => {
            format!("{} %", (*value * rust_decimal::Decimal::ONE_HUNDRED).normalize())
        }
        OutputValue::Number { value, ty } => decimal_text(*value, *ty),
        OutputValue::Date(date) => date.to_string(),
        OutputValue::Text(text) => text.to_string(),
        OutputValue::Enum { name, .. } => name.clone(),
        OutputValue::Failures(failures) if failures.is_empty() => "none".to_owned(),
        OutputValue::Failures(failures) => {
            failures.iter().map(|failure| failure.name.as_str()).collect::<Vec<_>>().join(", ")
        }
        OutputValue::Record(_) => "…".to_owned(),
    }
}

/// `12000.50` → `12 000.50`.
fn group_thousands(number: &str) -> String {
    let (sign, unsigned) = number.strip_prefix('-').map_or(("", number), |rest| ("-", rest));
    let (whole, fraction) =
        unsigned.split_once('.').map_or((unsigned, None), |(whole, fraction)| (whole, Some(fraction)));
    let mut grouped = String::new();
    for (position, digit) in whole.chars().enumerate() {
        if position > 0 && (whole.len() - position) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}
