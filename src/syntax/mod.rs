//! Syntax: policy text → typed AST ([`ast::PolicyFile`]), every node spanned.
//!
//! This is the only module that knows pest's `Rule` and `Pair`; it stops at
//! the first syntax error. It judges no meaning: names, types and units are
//! the checker's.

pub mod ast;
mod error;
mod lower;
mod mistakes;
pub mod operators;

pub use error::SyntaxError;

use pest::Parser as _;

use crate::source::FileId;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/policy.pest"]
struct PolicyParser;

/// A policy file is written by hand: anything larger is refused unread.
pub const MAX_POLICY_BYTES: usize = 4 << 20;
/// Brackets, parentheses and braces nest at most this deep.
pub const MAX_NESTING: usize = 64;
/// An expression has at most this many tokens (operators, names, literals).
pub const MAX_EXPRESSION_TOKENS: usize = 2_048;
/// A policy has at most this many declarations.
pub const MAX_DECLARATIONS: usize = 10_000;

/// Parses one policy file.
pub fn parse(file: FileId, text: &str) -> Result<ast::PolicyFile, Box<SyntaxError>> {
    if text.len() > MAX_POLICY_BYTES {
        let span = crate::source::Span::new(file, 0, 0);
        let message =
            format!("the policy file is {} bytes, more than the {MAX_POLICY_BYTES} a policy may have", text.len());
        return Err(Box::new(SyntaxError::new(span, message, "too large")));
    }
    check_nesting(file, text)?;
    let mut pairs = PolicyParser::parse(Rule::policy_file, text)
        .map_err(|error| Box::new(SyntaxError::from_pest(file, text, &error)))?;
    let Some(root) = pairs.next() else {
        return Err(Box::new(SyntaxError::empty(file)));
    };
    let policy = lower::Lowerer { file }.policy_file(root)?;
    if policy.items.len() > MAX_DECLARATIONS {
        let message = format!(
            "the policy has {} declarations, more than the {MAX_DECLARATIONS} a policy may have",
            policy.items.len()
        );
        return Err(Box::new(SyntaxError::new(policy.header.name.span, message, "too many declarations")));
    }
    Ok(policy)
}

/// Refuses brackets nested beyond [`MAX_NESTING`] before the parser, whose
/// recursion follows the nesting, sees them.
fn check_nesting(file: FileId, text: &str) -> Result<(), Box<SyntaxError>> {
    let (mut depth, mut in_string, mut in_comment, mut escaped) = (0usize, false, false, false);
    for (offset, character) in text.char_indices() {
        match character {
            _ if in_comment => in_comment = character != '\n',
            _ if in_string => {
                in_string = escaped || character != '"';
                escaped = !escaped && character == '\\';
            }
            '"' => in_string = true,
            '#' => in_comment = true,
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    let span = crate::source::Span::new(file, offset, offset + 1);
                    let message = format!("brackets are nested more than {MAX_NESTING} deep");
                    return Err(Box::new(
                        SyntaxError::new(span, message, "too deep").with_help("name the inner parts with `rule`s"),
                    ));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
