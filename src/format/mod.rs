//! Format: one canonical layout for policy files, as `avenant fmt` writes it.
//!
//! The layout is printed from the syntax tree, with the literals and texts
//! exactly as written, and every comment put back (see `comments.rs`).
//! Formatting never changes meaning: the result is parsed again and must
//! give the same syntax tree, or nothing is returned but an error. It is
//! idempotent: a formatted file formats to itself. This module judges no
//! meaning and never reads or writes files.

mod comments;
mod expr;
mod items;

use std::path::Path;

use crate::source::SourceMap;
use crate::syntax::{self, SyntaxError};

/// Why a file could not be formatted.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("{0}")]
    Syntax(Box<SyntaxError>),
    /// A bug in the formatter, caught before it could change a policy.
    #[error("internal: formatting `{path}` would change its meaning ({why}); the file is left as it is")]
    Changed { path: String, why: String },
}

/// The canonical layout of a policy file's text.
pub fn format(path: &Path, text: &str) -> Result<String, FormatError> {
    let parse = |text: &str| {
        let mut sources = SourceMap::default();
        let file = sources.add(path, text);
        let tree = syntax::parse(file, text).map_err(|mut error| {
            error.source_code = Some(sources.file(file).named_source());
            FormatError::Syntax(error)
        })?;
        Ok((tree, sources))
    };
    let (tree, sources) = parse(text)?;
    let printer = items::Printer { text, sources: &sources };
    let lines = comments::attach(printer.file(&tree), &comments::scan(text));
    let formatted = render(&lines);
    let changed = |why: &str| FormatError::Changed { path: path.display().to_string(), why: why.to_owned() };
    // Spans take no part in equality, so equal trees differ only in layout.
    match parse(&formatted) {
        Ok((again, _)) if again == tree => {}
        Ok(_) => return Err(changed("the syntax tree differs")),
        Err(_) => return Err(changed("the result does not parse")),
    }
    let kept = comments::scan(&formatted).into_iter().map(|comment| comment.text).collect::<Vec<_>>();
    if kept != comments::scan(text).into_iter().map(|comment| comment.text).collect::<Vec<_>>() {
        return Err(changed("a comment would be lost or moved out of order"));
    }
    Ok(formatted)
}

/// One line of output: its indentation in spaces, its text, the source
/// offset it prints (to put comments back next to it), and comments that
/// end it.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub indent: usize,
    pub text: String,
    pub origin: Option<u32>,
    pub trailing: Vec<String>,
}

impl Line {
    pub fn new(indent: usize, text: impl Into<String>, origin: Option<u32>) -> Line {
        Line { indent, text: text.into(), origin, trailing: Vec::new() }
    }

    pub fn blank() -> Line {
        Line::new(0, "", None)
    }
}

/// A policy put together from several files (a merged chain of texts), in
/// the canonical layout, each declaration under a comment naming the texts
/// it comes from. The files' own comments are not kept.
pub fn print_merged(merged: &crate::amend::Merged, sources: &SourceMap) -> String {
    let printer = items::Printer { text: "", sources };
    // The chain printed whole amends nothing: it is a policy of its own.
    let mut header = merged.file.header.clone();
    header.fields.retain(|field| field.key.name != "amends");
    let header = crate::syntax::ast::PolicyFile { header, items: Vec::new() };
    let mut lines = printer.file(&header);
    for (item, provenance) in merged.file.items.iter().zip(&merged.provenance) {
        lines.push(Line::blank());
        lines.push(Line::new(0, format!("# {provenance}"), None));
        lines.extend(printer.item_lines(item));
    }
    render(&lines)
}

fn render(lines: &[Line]) -> String {
    let mut out = String::new();
    let mut previous_blank = true;
    for line in lines {
        let blank = line.text.is_empty() && line.trailing.is_empty();
        // Never two blank lines in a row, and none at the start.
        if blank && previous_blank {
            continue;
        }
        previous_blank = blank;
        if !blank {
            out.push_str(&" ".repeat(line.indent));
            out.push_str(&line.text);
            for comment in &line.trailing {
                if !line.text.is_empty() {
                    out.push(' ');
                }
                out.push_str(comment);
            }
        }
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
