//! Syntax errors an author is known to make, each said in words with its fix,
//! where pest's list of expected tokens would leave them guessing: a date
//! written the French way, a file name after `amends`, a condition without
//! its `message`. Judges no meaning; only looks at the text around the error.

use pest::Parser as _;

use super::Rule;
use super::error::SyntaxError;
use crate::source::{FileId, Span};

/// The error at `start` said in words, if it is one of the known mistakes.
pub(super) fn explain(file: FileId, positives: &[Rule], text: &str, start: usize) -> Option<SyntaxError> {
    french_date(file, text, start)
        .or_else(|| reserved_word(file, positives, text, start))
        .or_else(|| amends_file_name(file, positives, text, start))
        .or_else(|| missing_message(file, positives, text, start))
}

/// `01/07/2026` for 1 July 2026: the whole token around `start`, with the
/// date it stands for written `YYYY-MM-DD` when it is one.
fn french_date(file: FileId, text: &str, start: usize) -> Option<SyntaxError> {
    let is_date_char = |c: char| c.is_ascii_digit() || c == '/';
    let before = text.get(..start)?;
    let from = before.len() - before.chars().rev().take_while(|c| is_date_char(*c)).count();
    let after = text.get(from..)?;
    let token = after.get(..after.chars().take_while(|c| is_date_char(*c)).count())?;
    let parts: Vec<&str> = token.split('/').collect();
    let [day, month, year] = parts.as_slice() else { return None };
    let shaped = (1..=2).contains(&day.len()) && (1..=2).contains(&month.len()) && year.len() == 4;
    if !shaped {
        return None;
    }
    let date = (|| {
        let date = jiff::civil::Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?).ok()?;
        Some(date.strftime("%Y-%m-%d").to_string())
    })();
    let help = match date {
        Some(date) => format!("write `{date}`: year, month, day, as in `effective 2024-06-22`"),
        None => format!("`{token}` is no date of the calendar; write the year, month and day as in `2024-06-22`"),
    };
    let span = Span::new(file, from, from + token.len());
    Some(
        SyntaxError::new(span, format!("dates are written `YYYY-MM-DD`, not `{token}`"), "a date day/month/year")
            .with_help(help),
    )
}

/// `rule base: euros = …` or `example below "…"`: a word of the language
/// (the grammar's `keyword`, asked of the grammar itself) where a name is
/// wanted. pest says only that a name was expected.
fn reserved_word(file: FileId, positives: &[Rule], text: &str, start: usize) -> Option<SyntaxError> {
    if !positives.contains(&Rule::ident) {
        return None;
    }
    let rest = text.get(start..)?;
    let word = rest.get(..rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').count())?;
    // One word: `up` alone is a name like any other (only `up to` is reserved).
    let reserved =
        !word.is_empty() && super::PolicyParser::parse(Rule::keyword, word).is_ok_and(|pairs| pairs.as_str() == word);
    if !reserved {
        return None;
    }
    let span = Span::new(file, start, start + word.len());
    Some(
        SyntaxError::new(span, format!("`{word}` is a word of the language and cannot be a name"), "a reserved word")
            .with_help(format!(
                "choose another name, such as `{word}_value` or a word of the text it encodes; the reserved words are \
                 listed in docs/language.md"
            )),
    )
}

/// `amends convention-2024` or `amends convention-2024.policy`: a file name
/// where the name of the amended text is wanted.
fn amends_file_name(file: FileId, positives: &[Rule], text: &str, start: usize) -> Option<SyntaxError> {
    if !positives.iter().any(|rule| matches!(rule, Rule::header_field | Rule::header_key)) {
        return None;
    }
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |newline| newline + 1);
    let line = text.get(line_start..)?;
    let line = line.get(..line.find('\n').unwrap_or(line.len()))?;
    let indent = line.len() - line.trim_start().len();
    let rest = line.trim_start().strip_prefix("amends")?;
    let gap = rest.len() - rest.trim_start().len();
    let written = rest.split_whitespace().next()?;
    let from = line_start + indent + "amends".len() + gap;
    if start <= from || start >= from + written.len() {
        return None;
    }
    let stem = written.strip_suffix(".policy").unwrap_or(written);
    let name: String =
        shown(stem).chars().map(|c| if c.is_ascii_alphanumeric() || c == '…' { c } else { '_' }).collect();
    let span = Span::new(file, from, from + written.len());
    Some(
        SyntaxError::new(
            span,
            format!("`amends` takes the name of the text it amends, not its file name `{}`", shown(written)),
            "a file name",
        )
        .with_help(format!(
            "write `amends {name}`, the name after `policy` in that text's header (letters, digits and `_`)"
        )),
    )
}

/// At most this many characters of what the author wrote are repeated in a message.
const SHOWN_CHARS: usize = 60;

/// `text`, cut after [`SHOWN_CHARS`] characters with `…`.
fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or(text)),
        None => text.to_owned(),
    }
}

/// A condition whose `requires` is followed by anything but `message`.
fn missing_message(file: FileId, positives: &[Rule], text: &str, start: usize) -> Option<SyntaxError> {
    // The expression after `requires` is complete: an operator could follow.
    let complete = positives.iter().any(|rule| matches!(rule, Rule::op_or | Rule::op_and | Rule::field_access));
    if !complete || last_keyword(text.get(..start)?) != Some("requires") {
        return None;
    }
    let rest = text.get(start..)?;
    let word: usize = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').map(char::len_utf8).sum();
    let end = start + if word > 0 { word } else { rest.chars().next().map_or(0, char::len_utf8) };
    let found = match text.get(start..end).filter(|token| !token.trim().is_empty()) {
        Some(token) => format!("`{token}`"),
        None => "the end of the file".to_owned(),
    };
    let span = Span::new(file, start, end);
    Some(
        SyntaxError::new(span, format!("this condition has no `message`, found {found}"), "`message \"…\"` goes before this")
            .with_help(
                "after `requires …`, write what a physician who fails the condition is told: \
                 `message \"la patientèle doit dépasser le 30e percentile\"`; `source`, `note` and the certainty follow it",
            ),
    )
}

/// The last of `condition`, `requires` and `message` written as a word
/// before the error, outside texts and comments.
fn last_keyword(before: &str) -> Option<&'static str> {
    let mut last = None;
    let mut word = String::new();
    let (mut in_text, mut in_comment) = (false, false);
    for c in before.chars().chain(std::iter::once(' ')) {
        match c {
            '\n' if in_comment => in_comment = false,
            _ if in_comment => {}
            '"' => in_text = !in_text,
            _ if in_text => {}
            '#' => in_comment = true,
            c if c.is_alphanumeric() || c == '_' => word.push(c),
            _ => {
                last = match word.as_str() {
                    "condition" => Some("condition"),
                    "requires" => Some("requires"),
                    "message" => Some("message"),
                    _ => last,
                };
                word.clear();
            }
        }
    }
    last
}
