//! Names across the chain of texts: which declaration a name under the
//! cursor stands for (the one in force in the text being read, or, from a
//! `replace`, the one it replaces), every place that reads it, and renaming
//! it where that changes nothing but the name.

use std::collections::HashMap;
use std::path::PathBuf;

use lsp_types::{Location, Position, TextEdit, Url, WorkspaceEdit};

use super::diagnostics::location;
use super::lex::{self, Token};
use super::symbols::{self, Declaration};
use super::world::{Analysis, TextFile, World};
use crate::syntax::ast::Item;

/// A name under the cursor and the declarations of it the text can see.
pub struct Resolved<'a> {
    pub name: &'a str,
    /// Declarations of the name, base text first, each with its text's place
    /// in [`crate::chain::InMemory::parsed`].
    pub declarations: Vec<(usize, Declaration<'a>)>,
    /// An index (`o` in `rule r[o: option]`): a name of one declaration only.
    pub local: Option<symbols::Extent>,
    /// The word itself.
    pub token: Token,
}

impl Resolved<'_> {
    /// The declaration in force: the last text's full definition (a
    /// declaration or a `replace`, not a partial `amend`).
    pub fn current(&self) -> Option<&(usize, Declaration<'_>)> {
        let full = |declaration: &Declaration<'_>| !declaration.changes || matches!(declaration.item, Item::Replace(_));
        self.declarations.iter().rev().find(|(_, declaration)| full(declaration)).or(self.declarations.last())
    }

    /// The declaration written at the cursor, if the cursor is on one.
    pub fn at_cursor(&self, file: &TextFile) -> Option<&(usize, Declaration<'_>)> {
        self.declarations.iter().find(|(index, declaration)| {
            Some(*index) == file.parsed && declaration.span.start as usize == self.token.start
        })
    }
}

/// What the word at `position` of `file` names.
pub fn resolve<'a>(analysis: &'a Analysis, file: &'a TextFile, position: Position) -> Option<Resolved<'a>> {
    let (token, name) = file.word_at(position)?;
    if lex::is_keyword(name) {
        return None;
    }
    let offset = token.start;
    // An index declared by the declaration around the cursor hides any other name.
    if let Some(index) = file.parsed
        && let Some((_, parsed)) = analysis.parsed(index)
    {
        let extents = symbols::extents(&file.text, parsed);
        for (item, extent) in parsed.items.iter().zip(extents) {
            if extent.start <= offset && offset <= extent.end {
                let mut found = Vec::new();
                for declaration in symbols::declarations_of(item) {
                    if declaration.kind == "index" && declaration.name == name {
                        found.push((index, declaration));
                    }
                }
                if !found.is_empty() {
                    return Some(Resolved { name, declarations: found, local: Some(extent), token });
                }
            }
        }
    }
    let mut declarations = Vec::new();
    for index in analysis.scope(file) {
        let Some((_, parsed)) = analysis.parsed(index) else { continue };
        for declaration in symbols::declarations(parsed) {
            if declaration.name == name && declaration.kind != "index" {
                declarations.push((index, declaration));
            }
        }
    }
    Some(Resolved { name, declarations, local: None, token })
}

/// Where the name at the cursor is defined: from a `replace` or `amend`, the
/// definition it changes in an earlier text; from a use, the definition in force.
pub fn definition(analysis: &Analysis, file: &TextFile, position: Position) -> Vec<Location> {
    let Some(resolved) = resolve(analysis, file, position) else { return Vec::new() };
    let target = match resolved.at_cursor(file) {
        Some((index, declaration)) if declaration.changes => {
            let earlier: Vec<&(usize, Declaration<'_>)> = resolved
                .declarations
                .iter()
                .take_while(|(other, _)| other != index)
                .filter(|(_, other)| other.kind == declaration.kind)
                .collect();
            let full = earlier.iter().rev().find(|(_, other)| !other.changes || matches!(other.item, Item::Replace(_)));
            full.or(earlier.last()).copied()
        }
        Some(here) => Some(here),
        None => resolved.current(),
    };
    target.and_then(|(_, declaration)| location(analysis, declaration.span)).into_iter().collect()
}

/// Every place that names what the cursor names, in every text that can read it.
pub fn references(analysis: &Analysis, file: &TextFile, position: Position, with_declaration: bool) -> Vec<Location> {
    let Some(resolved) = resolve(analysis, file, position) else { return Vec::new() };
    places(analysis, file, &resolved)
        .into_iter()
        .filter(|(place_file, token)| {
            with_declaration
                || !resolved.declarations.iter().any(|(index, declaration)| {
                    Some(*index) == place_file.parsed && declaration.span.start as usize == token.start
                })
        })
        .filter_map(|(place_file, token)| {
            let uri = Url::from_file_path(&place_file.path).ok()?;
            Some(Location { uri, range: place_file.range(token.start, token.end) })
        })
        .collect()
}

/// The words that name the resolved declaration: within its declaration
/// for an index; else in every text whose chain holds a text declaring it.
fn places<'a>(analysis: &'a Analysis, file: &'a TextFile, resolved: &Resolved<'_>) -> Vec<(&'a TextFile, Token)> {
    let named = |place: &&TextFile, token: &Token| token.text(&place.text) == resolved.name;
    if let Some(extent) = resolved.local {
        return file
            .name_tokens()
            .into_iter()
            .filter(|token| extent.start <= token.start && token.end <= extent.end && named(&file, token))
            .map(|token| (file, token))
            .collect();
    }
    let mut texts: Vec<usize> = resolved.declarations.iter().flat_map(|(index, _)| analysis.family(*index)).collect();
    texts.sort_unstable();
    texts.dedup();
    analysis
        .files
        .iter()
        .filter(|place| place.parsed.is_some_and(|index| texts.contains(&index)))
        .flat_map(|place| {
            place.name_tokens().into_iter().filter(move |token| named(&place, token)).map(move |token| (place, token))
        })
        .collect()
}

/// Why a name of this kind keeps its name: something outside the policy reads it.
fn fixed_name(kind: &str) -> Option<&'static str> {
    match kind {
        "field" => Some("profile files give fields by name"),
        "output" => Some("the outcome (JSON, CSV) gives outputs by name"),
        "value" | "band" | "enum" => Some("profile files and outcomes give values of an enumeration by name"),
        "condition" => Some("an outcome lists the conditions that fail by name"),
        "example" => Some("`avenant test` and `avenant explain` name examples"),
        _ => None,
    }
}

/// The edits that rename what the cursor names to `new_name`, or why not:
/// a name that profile files or outcomes read, a name already taken, a
/// name two kinds of declaration share, or any change in what the texts
/// mean (a new problem found, an example that gives something else).
pub fn rename(
    world: &World,
    analysis: &Analysis,
    file: &TextFile,
    position: Position,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    let resolved = resolve(analysis, file, position).ok_or("there is no name here to rename")?;
    let name = resolved.name;
    let (_, current) = resolved.current().ok_or_else(|| format!("`{name}` is not declared in these texts"))?;
    if let Some(why) = fixed_name(current.kind) {
        return Err(format!("`{name}` is a {} and keeps its name: {why}", current.kind));
    }
    if let Some((_, other)) = resolved.declarations.iter().find(|(_, other)| other.kind != current.kind) {
        return Err(format!(
            "`{name}` names both a {} and a {}: renaming one would rename the other",
            current.kind, other.kind
        ));
    }
    let is_name = new_name.chars().next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && new_name.chars().all(|character| character.is_ascii_alphanumeric() || character == '_');
    if !is_name || lex::is_keyword(new_name) || crate::check::types::builtin(new_name).is_some() {
        return Err(format!("`{new_name}` cannot be a name: letters, digits and `_`, not a keyword or a type"));
    }
    let family = resolved.declarations.iter().flat_map(|(index, _)| analysis.family(*index));
    for index in family.chain(analysis.scope(file)) {
        let Some((_, parsed)) = analysis.parsed(index) else { continue };
        if let Some(taken) = symbols::declarations(parsed).into_iter().find(|declaration| declaration.name == new_name)
        {
            return Err(format!("`{new_name}` already names a {} in `{}`", taken.kind, parsed.header.name.name));
        }
    }
    let mut edits: HashMap<PathBuf, Vec<(Token, &TextFile)>> = HashMap::new();
    for (place, token) in places(analysis, file, &resolved) {
        edits.entry(place.path.clone()).or_default().push((token, place));
    }
    let mut renamed: HashMap<PathBuf, String> = HashMap::new();
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for (path, tokens) in &edits {
        let Some((_, place)) = tokens.first() else { continue };
        let mut text = place.text.to_string();
        let mut sorted: Vec<Token> = tokens.iter().map(|(token, _)| *token).collect();
        sorted.sort_by_key(|token| std::cmp::Reverse(token.start));
        for token in &sorted {
            text.replace_range(token.start..token.end, new_name);
        }
        renamed.insert(path.clone(), text);
        let uri = Url::from_file_path(path).map_err(|()| format!("`{}` has no address", path.display()))?;
        let text_edits = sorted
            .iter()
            .rev()
            .map(|token| TextEdit { range: place.range(token.start, token.end), new_text: new_name.to_owned() });
        changes.insert(uri, text_edits.collect());
    }
    let directory = file.path.parent().map(PathBuf::from).unwrap_or_default();
    let after = world.analyze_with(&directory, &renamed);
    if let Some(problem) = meaning_changed(analysis, &after) {
        return Err(format!("renaming `{name}` to `{new_name}` would change what the texts mean: {problem}"));
    }
    Ok(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() })
}

/// The first difference in meaning between two analyses of the same texts:
/// a text that checked and no longer does, or an example that gives another result.
fn meaning_changed(before: &Analysis, after: &Analysis) -> Option<String> {
    for (index, (was, now)) in before.loaded.iter().zip(&after.loaded).enumerate() {
        let text = before.parsed(index).map_or("?", |(_, text)| text.header.name.name.as_str());
        match (was, now) {
            (Ok(was), Ok(now)) => {
                let results = |loaded: &crate::Loaded| {
                    let mut coverage = crate::eval::Coverage::default();
                    crate::eval::run_examples(&loaded.policy, &mut coverage)
                        .iter()
                        .map(|result| (result.passed(), result.mismatches.len()))
                        .collect::<Vec<_>>()
                };
                if results(was) != results(now) {
                    return Some(format!("an example of `{text}` gives another result"));
                }
            }
            (Ok(_), Err(error)) => return Some(format!("`{text}` would no longer check ({error})")),
            (Err(_), _) => {}
        }
    }
    if before.loaded.len() != after.loaded.len() {
        return Some("a text would no longer parse".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis(threshold: &str) -> Analysis {
        let text = format!(
            "policy example {{ title \"An example\" }}\n\
             profile {{ patientele_mt: patients }}\n\
             param threshold: patients = {threshold} source \"avenant 7\" established\n\
             output eligible = patientele_mt > threshold\n\
             example dr_a {{\n  profile {{\n    patientele_mt = 700\n  }}\n  expect {{\n    eligible = true\n  }}\n}}\n"
        );
        Analysis::new(vec![(PathBuf::from("example.policy"), text)])
    }

    #[test]
    fn a_change_of_meaning_is_found_and_the_same_texts_are_not() {
        let before = analysis("640");
        assert!(before.loaded.iter().all(Result::is_ok), "the example policy checks");
        assert_eq!(meaning_changed(&before, &analysis("640")), None);
        assert_eq!(
            meaning_changed(&before, &analysis("800")),
            Some("an example of `example` gives another result".to_owned())
        );
        let broken = meaning_changed(&before, &analysis("640 €"));
        assert!(broken.is_some_and(|why| why.starts_with("`example` would no longer check")));
    }
}
