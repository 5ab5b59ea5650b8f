//! A diff's summary for people (a table whose totals add up) and for
//! programs (JSON, and CSV rows by band, zone, specialty and contract).
//!
//! The one place output rounds: a sum over a population is shown to the
//! euro in the table, and to the cent in CSV and JSON (whose serializer, in
//! `diff/summary.rs`, calls [`to_the_cent`]), half to even.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::check::types::Type;
use crate::diff::{Breakdown, Money, Summary};

/// A sum as shown: to `places` decimals, half to even. The only rounding
/// of `output`, for display.
fn shown(value: Decimal, places: u32) -> Decimal {
    value.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointNearestEven)
}

/// A sum of euros to the cent, as CSV and JSON write it.
pub(crate) fn to_the_cent(value: Decimal) -> String {
    super::decimal_text(shown(value, 2), Type::Euros)
}

/// The summary as JSON, amounts to the cent.
pub fn json(summary: &Summary) -> serde_json::Value {
    serde_json::to_value(summary).unwrap_or_default()
}

fn euros(value: Decimal) -> String {
    let text = super::decimal_text(shown(value, 0), Type::Euros);
    let whole = text.trim_end_matches(".00");
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |digits| ("-", digits));
    let mut grouped = String::new();
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped} €")
}

fn signed(value: Decimal) -> String {
    if shown(value, 0) > Decimal::ZERO { format!("+{}", euros(value)) } else { euros(value) }
}

/// What one side has and the other lacks, in words; empty when nothing.
fn structure(summary: &Summary) -> Vec<String> {
    let mut lines = Vec::new();
    for (side, only) in [("old", &summary.only_old), ("new", &summary.only_new)] {
        let kinds = [
            ("options", &only.options, "the other text does not offer them"),
            ("outputs", &only.outputs, "compared against no value"),
            ("conditions", &only.conditions, "the other text does not require them"),
        ];
        for (kind, names, meaning) in kinds {
            if !names.is_empty() {
                let names = names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
                lines.push(format!("{kind} only in the {side} text ({meaning}): {names}"));
            }
        }
    }
    lines
}

/// The summary for people: every table ends with its total, which adds up.
pub fn table(summary: &Summary, population: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} → {}, over {population}", summary.old, summary.new);
    let _ = writeln!(
        out,
        "  rows: {} read, {} compared, {} rejected; {} profile(s) with an outcome that changes",
        summary.rows_in, summary.compared, summary.rejected, summary.changed
    );
    let _ = writeln!(
        out,
        "  contracts: {} running (they keep their option, in the contract year in progress), {} new (they sign at the take-up below, in year 1)",
        summary.contracts.running, summary.contracts.new
    );
    for line in structure(summary) {
        let _ = writeln!(out, "  {line}");
    }
    for assumed in &summary.assumed {
        let _ = writeln!(out, "  assumed for every row: {assumed}");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "  {:<30} {:>8} {:>8} {:>8}", "", "gained", "lost", "kept");
    let moves = summary.eligibility;
    let _ = writeln!(out, "  {:<30} {:>8} {:>8} {:>8}", "eligibility", moves.gained, moves.lost, moves.kept);
    for (option, detail) in &summary.options {
        let label = match detail.offered {
            "both" => format!("{option} open"),
            offered => format!("{option} open ({offered})"),
        };
        let _ =
            writeln!(out, "  {label:<30} {:>8} {:>8} {:>8}", detail.open.gained, detail.open.lost, detail.open.kept);
    }
    let mut deciders: Vec<(String, crate::diff::Decided)> =
        summary.eligibility_by_condition.iter().map(|(name, moves)| (format!("eligibility: {name}"), *moves)).collect();
    for (option, detail) in &summary.options {
        deciders.extend(detail.by_condition.iter().map(|(name, moves)| (format!("{option}: {name}"), *moves)));
    }
    if !deciders.is_empty() {
        let _ = writeln!(out);
        let _ =
            writeln!(out, "  gains and losses by the condition that decided them (a profile may count under several)");
        let _ = writeln!(out, "  {:<48} {:>8} {:>8}", "condition", "gained", "lost");
        for (name, moves) in deciders {
            let _ = writeln!(out, "  {name:<48} {:>8} {:>8}", moves.gained, moves.lost);
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "  budget per year: running contracts on their option, plus new contracts at the take-up");
    let _ = writeln!(
        out,
        "  {:<12} {:>8} {:>16} {:>16} {:>16} {:>16} {:>16}",
        "option", "take-up", "running old", "running new", "budget old", "budget new", "change"
    );
    for (option, detail) in &summary.options {
        let _ = writeln!(
            out,
            "  {option:<12} {:>8} {:>16} {:>16} {:>16} {:>16} {:>16}",
            detail.take_up.rate,
            euros(detail.running.old),
            euros(detail.running.new),
            euros(detail.budget.old),
            euros(detail.budget.new),
            signed(detail.budget.change())
        );
    }
    let budget = summary.budget;
    let _ = writeln!(
        out,
        "  {:<12} {:>8} {:>16} {:>16} {:>16} {:>16} {:>16}",
        "total",
        "",
        euros(budget.running.old),
        euros(budget.running.new),
        euros(budget.total.old),
        euros(budget.total.new),
        signed(budget.total.change())
    );
    let _ = writeln!(out, "  take-up assumed:");
    for (option, detail) in &summary.options {
        let open = detail.open_to_new;
        let _ = writeln!(
            out,
            "    {option}: {} ({}); open to {} new contract(s) under the old text, {} under the new; if all signed, {} → {}",
            detail.take_up.rate,
            detail.take_up.source,
            open.old,
            open.new,
            euros(detail.if_all_sign.old),
            euros(detail.if_all_sign.new)
        );
    }
    let options: Vec<&String> = summary.options.keys().collect();
    for (title, breakdown) in [
        ("band", &summary.by_band),
        ("zone", &summary.by_zone),
        ("specialty", &summary.by_specialty),
        ("contract", &summary.by_contract),
    ] {
        let _ = writeln!(out);
        let _ = write!(out, "  {:<24} {:>8} {:>8} {:>8}", format!("by {title}"), "profiles", "gained", "lost");
        for option in &options {
            let _ = write!(out, " {:>16}", format!("Δ {option}"));
        }
        let _ = writeln!(out, " {:>16}", "Δ budget");
        for (key, row) in breakdown {
            breakdown_line(&mut out, key, row, &options);
        }
        match Breakdown::sum(breakdown.values()) {
            Some(total) => breakdown_line(&mut out, "total", &total, &options),
            None => {
                let _ = writeln!(out, "  {:<24} beyond the range of exact decimals", "total");
            }
        }
    }
    out
}

fn breakdown_line(out: &mut String, key: &str, row: &Breakdown, options: &[&String]) {
    let _ = write!(out, "  {key:<24} {:>8} {:>8} {:>8}", row.profiles, row.eligibility.gained, row.eligibility.lost);
    for option in options {
        let change = row.budget.get(*option).map_or(Decimal::ZERO, Money::change);
        let _ = write!(out, " {:>16}", signed(change));
    }
    let _ = writeln!(out, " {:>16}", signed(row.total.change()));
}

/// One CSV row per band, zone, specialty and contract, with stable columns.
pub fn csv(summary: &Summary) -> String {
    let options: Vec<&String> = summary.options.keys().collect();
    let mut out = String::from("dimension,key,profiles,eligibility.gained,eligibility.lost,eligibility.kept");
    for option in &options {
        let _ = write!(out, ",budget.{option}.old,budget.{option}.new");
    }
    out.push_str(",budget.total.old,budget.total.new\n");
    for (dimension, breakdown) in [
        ("band", &summary.by_band),
        ("zone", &summary.by_zone),
        ("specialty", &summary.by_specialty),
        ("contract", &summary.by_contract),
    ] {
        for (key, row) in breakdown {
            let moves = row.eligibility;
            let _ = write!(out, "{dimension},{key},{},{},{},{}", row.profiles, moves.gained, moves.lost, moves.kept);
            for option in &options {
                let money = row.budget.get(*option).copied().unwrap_or_default();
                let _ = write!(out, ",{},{}", to_the_cent(money.old), to_the_cent(money.new));
            }
            let _ = writeln!(out, ",{},{}", to_the_cent(row.total.old), to_the_cent(row.total.new));
        }
    }
    out
}
