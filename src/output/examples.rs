//! The report of `avenant test`: each example passed or failed, a failure's
//! expected and actual values side by side with the place of the example,
//! then what no example exercises. Nothing here evaluates.

use std::fmt::Write as _;

use super::table::cell as human;
use crate::check::CheckedPolicy;
use crate::eval::{CoverageGaps, ExampleResult};

/// The report for one policy file.
pub fn report(policy: &CheckedPolicy, results: &[ExampleResult], gaps: &CoverageGaps) -> String {
    let sources = policy.sources();
    let place = |span: crate::source::Span| {
        let file = sources.file(span.file);
        format!("{}:{}", file.path.display(), file.line_column(span.start).0)
    };
    let mut out = String::new();
    let file = sources.file(policy.header.span.file).path.display().to_string();
    let _ = writeln!(out, "{file}: {} example(s)", results.len());
    let name_width = results.iter().map(|result| result.name.len()).max().unwrap_or(0);
    for result in results {
        let label = result.label.as_deref().map(|label| format!("  {label}")).unwrap_or_default();
        if result.passed() {
            let _ = writeln!(out, "  ok    {:name_width$}{label}  ({} output(s))", result.name, result.checked);
            continue;
        }
        let _ = writeln!(out, "  FAIL  {:name_width$}{label}  ({})", result.name, place(result.span));
        if let Some(error) = &result.error {
            let _ = writeln!(out, "        cannot evaluate: {} ({})", error.message(), place(error.span()));
            if let Some(help) = error.help() {
                let _ = writeln!(out, "        help: {help}");
            }
        }
        let rows: Vec<[String; 4]> = result
            .mismatches
            .iter()
            .map(|mismatch| {
                [mismatch.path.clone(), human(&mismatch.expected), human(&mismatch.got), place(mismatch.span)]
            })
            .collect();
        let header = ["output".to_owned(), "expected".to_owned(), "got".to_owned(), "at".to_owned()];
        let widths: Vec<usize> = (0..4)
            .map(|column| {
                rows.iter()
                    .chain(std::iter::once(&header))
                    .filter_map(|row| row.get(column))
                    .map(|cell| cell.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let table = if rows.is_empty() { Vec::new() } else { std::iter::once(&header).chain(&rows).collect() };
        for row in table {
            let mut line = String::from("        ");
            for (text, width) in row.iter().zip(&widths) {
                let _ = write!(line, "{text}{:pad$}  ", "", pad = width - text.chars().count());
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        if !rows.is_empty() {
            let _ = writeln!(out, "        how the policy reached them: avenant explain {file} {}", result.name);
        }
    }
    let failed = results.iter().filter(|result| !result.passed()).count();
    let _ = writeln!(out, "  {} passed, {failed} failed", results.len() - failed);
    coverage(&mut out, gaps);
    out
}

fn coverage(out: &mut String, gaps: &CoverageGaps) {
    if gaps.is_empty() {
        let _ = writeln!(out, "  coverage: the examples exercise every rule, band, table row and condition");
        return;
    }
    let _ = writeln!(out, "  coverage: no example exercises");
    let list = |out: &mut String, what: &str, names: &[String]| {
        if !names.is_empty() {
            let _ = writeln!(out, "    {what}: {}", names.join(", "));
        }
    };
    list(out, "rules", &gaps.rules);
    list(out, "bands", &gaps.bands);
    for (table, rows) in &gaps.rows {
        let rows: Vec<&str> = rows.iter().map(|row| row.strip_prefix(table.as_str()).unwrap_or(row)).collect();
        let _ = writeln!(out, "    rows of `{table}`: {}", rows.join(" "));
    }
    list(out, "conditions that never fail", &gaps.never_fail);
    list(out, "conditions that never hold", &gaps.never_hold);
}
