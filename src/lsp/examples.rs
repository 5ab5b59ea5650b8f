//! Examples live in the editor: a code lens on each `example` says whether
//! it passes and, where it fails, what the policy gave instead; a command
//! evaluates a profile file against the text being edited.

use std::path::Path;

use lsp_types::{CodeLens, Command};
use serde_json::Value as Json;

use super::world::{Analysis, TextFile};
use crate::eval::{Coverage, ExampleResult, OutputValue};
use crate::syntax::ast::Item;

/// The command that evaluates a profile file: arguments, the policy text's
/// address, the profile file's path or address, and optionally the date.
pub const EVALUATE: &str = "avenant.evaluate";

fn value(value: &OutputValue) -> String {
    crate::output::table::cell(value)
}

fn title(result: &ExampleResult) -> String {
    if result.passed() {
        return format!("✓ passes ({} output(s))", result.checked);
    }
    if let Some(error) = &result.error {
        return format!("✗ cannot evaluate: {}", error.message());
    }
    let got: Vec<String> = result
        .mismatches
        .iter()
        .map(|mismatch| {
            format!("{} = {} (expected {})", mismatch.path, value(&mismatch.got), value(&mismatch.expected))
        })
        .collect();
    format!("✗ fails: {}", got.join("; "))
}

/// A lens over each example of the text: run with the text's whole chain.
pub fn code_lenses(analysis: &Analysis, file: &TextFile) -> Vec<CodeLens> {
    let Some((_, parsed)) = file.parsed.and_then(|index| analysis.parsed(index)) else { return Vec::new() };
    let examples: Vec<&crate::syntax::ast::Ident> = parsed
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Example(example) => Some(&example.name),
            _ => None,
        })
        .collect();
    if examples.is_empty() {
        return Vec::new();
    }
    let results = analysis.policy(file).map(|loaded| {
        let mut coverage = Coverage::default();
        crate::eval::run_examples(&loaded.policy, &mut coverage)
    });
    examples
        .into_iter()
        .map(|name| {
            let title = match &results {
                None => "not run: the texts have errors".to_owned(),
                Some(results) => results
                    .iter()
                    .find(|result| result.span.file == file.file && result.name == name.name)
                    .map_or_else(|| "not run".to_owned(), title),
            };
            CodeLens {
                range: file.range(name.span.start as usize, name.span.end as usize),
                command: Some(Command { title, command: String::new(), arguments: None }),
                data: None,
            }
        })
        .collect()
}

/// The outcome of a profile file under the text `file` and the texts it
/// amends, as `avenant eval --format json` gives it; on `on`, or else on the
/// day the text takes effect.
pub fn evaluate(
    analysis: &Analysis,
    file: &TextFile,
    profile: &Path,
    on: Option<jiff::civil::Date>,
) -> Result<Json, String> {
    let loaded = analysis.policy(file).ok_or("the policy has errors: correct them first")?;
    let on = on.or(loaded.policy.header.effective).ok_or("give a date: the text says not when it takes effect")?;
    let text =
        std::fs::read_to_string(profile).map_err(|error| format!("cannot read `{}`: {error}", profile.display()))?;
    let input = crate::ProfileInput::parse(profile, &text).map_err(|error| error.to_string())?;
    let profile_value = crate::Profile::validate_with(&loaded.policy, &input, &loaded.family_fields)
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))?;
    let outcome = crate::evaluate(&loaded.policy, &profile_value, on).map_err(|error| error.message().to_owned())?;
    let profile_file = profile.display().to_string();
    let policy_file = file.path.display().to_string();
    let subject = crate::output::Subject {
        profile_file: &profile_file,
        profile_name: profile_value.name.as_deref(),
        policy_file: &policy_file,
        chain: &loaded.chain,
        on,
    };
    Ok(crate::output::json::outcome(&loaded.policy, &subject, &outcome))
}
