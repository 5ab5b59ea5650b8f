//! Syntax errors: pest's error turned into a diagnostic of our own, with human
//! names for what was expected.

use miette::Diagnostic;

use super::Rule;
use super::mistakes;
use crate::source::{FileId, Span};

/// The first syntax error in a policy file.
#[derive(Clone, Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(avenant::syntax::invalid))]
pub struct SyntaxError {
    pub message: String,
    #[label("{label}")]
    pub at: miette::SourceSpan,
    pub label: String,
    #[help]
    pub help: Option<String>,
    /// The file and place, kept as a span so callers can attach the source.
    #[source_code]
    pub source_code: Option<crate::source::Named>,
    pub span: Span,
}

impl SyntaxError {
    pub(crate) fn new(span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        SyntaxError {
            message: message.into(),
            at: span.source_span(),
            label: label.into(),
            help: None,
            source_code: None,
            span,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn empty(file: FileId) -> Self {
        SyntaxError::new(Span::new(file, 0, 0), "the policy file is empty", "expected `policy`")
    }

    pub(crate) fn from_pest(file: FileId, text: &str, error: &pest::error::Error<Rule>) -> Self {
        let (start, end) = match error.location {
            pest::error::InputLocation::Pos(position) => (position, position),
            pest::error::InputLocation::Span((start, end)) => (start, end),
        };
        // Point at the whole offending token rather than an empty place.
        let end = if end == start { token_end(text, start) } else { end };
        let span = Span::new(file, start, end);
        let found = describe_found(text, start);
        match &error.variant {
            pest::error::ErrorVariant::ParsingError { positives, .. } => {
                if let Some(explained) = mistakes::explain(file, positives, text, start) {
                    return explained;
                }
                let expected = expected_list(positives);
                let message = match &expected {
                    Some(expected) => format!("expected {expected}, found {found}"),
                    None => format!("unexpected {found}"),
                };
                let error = SyntaxError::new(span, message, "not understood here");
                match help_for(positives, text, start) {
                    Some(help) => error.with_help(help),
                    None => error,
                }
            }
            pest::error::ErrorVariant::CustomError { message } => SyntaxError::new(span, message.clone(), "here"),
        }
    }
}

/// The end of the token starting at `start`: a word, or one character.
fn token_end(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or("");
    let word: usize = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').map(char::len_utf8).sum();
    if word > 0 { start + word } else { start + rest.chars().next().map_or(0, char::len_utf8) }
}

/// A token is quoted in a message up to this many characters, then cut with `…`.
const LONGEST_QUOTE: usize = 40;

fn describe_found(text: &str, start: usize) -> String {
    let end = token_end(text, start);
    match text.get(start..end) {
        None | Some("") => "the end of the file".to_owned(),
        Some("\n") | Some("\r") => "the end of the line".to_owned(),
        Some(token) if token.chars().nth(LONGEST_QUOTE).is_some() => {
            format!("`{}…`", token.chars().take(LONGEST_QUOTE).collect::<String>())
        }
        Some(token) => format!("`{token}`"),
    }
}

/// Pest's expected rules as a sentence, without duplicates, in a stable order.
fn expected_list(positives: &[Rule]) -> Option<String> {
    let mut names: Vec<&str> = positives.iter().filter_map(|rule| human_names(*rule)).flatten().copied().collect();
    // Where any expression may stand, naming each kind of literal is noise.
    if names.contains(&"an expression") {
        names.retain(|name| !LITERAL_NAMES.contains(name));
    }
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [] => None,
        [one] => Some((*one).to_owned()),
        [init @ .., last] => Some(format!("{} or {last}", init.join(", "))),
    }
}

const LITERAL_NAMES: [&str; 5] = ["`true` or `false`", "a date `YYYY-MM-DD`", "a name", "a number", "a quoted text"];

fn help_for(positives: &[Rule], text: &str, start: usize) -> Option<String> {
    let rest = text.get(start..).unwrap_or("");
    let before = text.get(..start).unwrap_or("");
    let digit_before = before.chars().next_back().is_some_and(|c| c.is_ascii_digit());
    let digit_after = rest.chars().nth(1).is_some_and(|c| c.is_ascii_digit());
    if rest.starts_with('"') && !rest.get(1..).unwrap_or("").contains('"') {
        return Some("this text is never closed: end it with `\"`".to_owned());
    }
    if positives.contains(&Rule::header) {
        return Some(
            "a policy file starts with its header: `policy name { title \"…\" effective 2019-08-21 }`".to_owned(),
        );
    }
    if rest.starts_with(',') && digit_before && digit_after {
        return Some("decimals are written with a point: `7.5 %`, not `7,5 %`".to_owned());
    }
    if positives.contains(&Rule::ident) && rest.chars().next().is_some_and(|c| c.is_alphabetic() && !c.is_ascii()) {
        return Some("names use unaccented letters, digits and `_`: `pediatrie`, not `pédiatrie`".to_owned());
    }
    None
}

/// The names a policy author knows a grammar rule by, each a word or phrase
/// of its own so that a word two rules share is listed once; `None` for
/// rules that are only ever reached through another named one.
fn human_names(rule: Rule) -> Option<&'static [&'static str]> {
    Some(match rule {
        Rule::EOI => &["the end of the file"],
        Rule::header => &["the policy header `policy name { … }`"],
        Rule::header_field | Rule::header_key => {
            &["a header field (`title`, `text`, `effective`, `amends`, `status`, `source`, `note`)"]
        }
        Rule::enum_decl
        | Rule::profile_decl
        | Rule::param_decl
        | Rule::table_decl
        | Rule::bands_decl
        | Rule::rule_decl
        | Rule::conditions_decl
        | Rule::output_decl
        | Rule::example_decl => {
            &["a declaration (`enum`, `profile`, `param`, `table`, `bands`, `rule`, `conditions`, `output`, `example`)"]
        }
        Rule::example_profile => &["the example's `profile { … }`"],
        Rule::example_date => &["the example's date `on YYYY-MM-DD`"],
        Rule::example_expect => &["the example's `expect { … }`"],
        Rule::example_entry | Rule::example_path => &["`name = value`"],
        Rule::example_list => &["a list of conditions `[name, …]`"],
        Rule::example_value => &["a value"],
        Rule::meta | Rule::source_clause | Rule::note_clause | Rule::certainty | Rule::certainty_kind => {
            &["`source`", "`note`", "a certainty (`established`, `secondary`, `assumed`)"]
        }
        Rule::variant => &["a value name"],
        Rule::replace_decl | Rule::remove_decl | Rule::removable => &["`replace`", "`remove`", "`amend`"],
        Rule::amend_conditions | Rule::amend_table | Rule::amend_cell | Rule::amend_enum | Rule::amend_profile => {
            &["`amend`"]
        }
        Rule::remove_condition | Rule::replace_condition => &["a `condition`", "`replace condition`", "`remove`"],
        Rule::label | Rule::string | Rule::message_text | Rule::message_chars => &["a quoted text"],
        Rule::quote => &["a quoted value `{name}`"],
        Rule::quote_end => &["`}` closing the quoted value (a brace itself is written `\\{`)"],
        Rule::field_decl => &["a profile field `name: type`"],
        Rule::optional_mark => &["`?`"],
        Rule::type_name => &["a type"],
        Rule::table_values => &["the table's value type"],
        Rule::columns | Rule::column => &["a column `name: type`"],
        Rule::grid_header | Rule::row => &["a table row `| … |`"],
        Rule::cell | Rule::hole => &["a cell value"],
        Rule::cell_keys => &["the row's keys `[key, …]`"],
        Rule::cell_column => &["`.column`"],
        Rule::band => &["a band `name: above … up to …`"],
        Rule::lower_bound | Rule::lower_kind => &["`above`", "`from`"],
        Rule::upper_bound | Rule::upper_kind => &["`up to`", "`below`"],
        Rule::index_decl => &["an index `[name: enum]`"],
        Rule::condition => &["a `condition`"],
        Rule::output_block | Rule::output_field | Rule::output_group | Rule::when_block => &["an output field"],
        Rule::guard => &["`when`"],
        Rule::expr | Rule::if_expr | Rule::match_expr | Rule::call | Rule::list | Rule::base_ref => &["an expression"],
        Rule::op_or
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_in
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div => &["an operator"],
        Rule::op_not | Rule::op_neg => &["an expression"],
        Rule::field_access | Rule::key_access => &["`.` or `[`"],
        Rule::match_arm | Rule::pattern | Rule::else_pattern => &["a match arm `value => expression`"],
        Rule::quantity | Rule::number | Rule::minus => &["a number"],
        Rule::unit => &["a unit (`€`, `%`, `patients`)"],
        Rule::date => &["a date `YYYY-MM-DD`"],
        Rule::boolean => &["`true` or `false`"],
        Rule::ident => &["a name"],
        Rule::policy_file
        | Rule::item
        | Rule::amendment
        | Rule::condition_change
        | Rule::meta_item
        | Rule::output_item
        | Rule::infix
        | Rule::prefix
        | Rule::postfix
        | Rule::primary
        | Rule::literal
        | Rule::unit_gap
        | Rule::thousands_gap
        | Rule::ident_char
        | Rule::up_to
        | Rule::string_inner
        | Rule::keyword
        | Rule::WHITESPACE
        | Rule::COMMENT => return None,
    })
}
