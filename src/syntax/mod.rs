//! Syntax: policy text → typed AST ([`ast::PolicyFile`]), every node spanned.
//!
//! This is the only module that knows pest's `Rule` and `Pair`; it stops at
//! the first syntax error. It judges no meaning: names, types and units are
//! the checker's.

pub mod ast;
mod error;
mod lower;

pub use error::SyntaxError;

use pest::Parser as _;

use crate::source::FileId;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/policy.pest"]
struct PolicyParser;

/// Parses one policy file.
pub fn parse(file: FileId, text: &str) -> Result<ast::PolicyFile, Box<SyntaxError>> {
    let mut pairs = PolicyParser::parse(Rule::policy_file, text)
        .map_err(|error| Box::new(SyntaxError::from_pest(file, text, &error)))?;
    let Some(root) = pairs.next() else {
        return Err(Box::new(SyntaxError::empty(file)));
    };
    lower::Lowerer { file }.policy_file(root)
}
