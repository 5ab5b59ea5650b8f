//! Examples as written: a named profile and the outputs expected for it.
//! Nothing here knows whether the fields or outputs exist (that is `check`).

use super::{Ident, Literal, Text};
use crate::source::Span;

/// `example dr_a "Dr A" { profile { … } expect { … } }`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleDecl {
    pub name: Ident,
    pub label: Option<Text>,
    /// `on 2028-09-01`: the date it is evaluated on, if not its text's.
    pub on: Option<Literal>,
    /// `field = value`, one per profile field given.
    pub profile: Vec<ExampleEntry>,
    /// `options.option_1.aid.year_1 = 12 000 €`, one per output checked.
    pub expect: Vec<ExampleEntry>,
    pub span: Span,
}

/// `path = value` in an example.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleEntry {
    /// The dotted path as written, one name per step.
    pub path: Vec<Ident>,
    pub value: ExampleValue,
    pub span: Span,
}

impl ExampleEntry {
    /// `options.option_1.aid.year_1`.
    pub fn dotted_path(&self) -> String {
        self.path.iter().map(|step| step.name.as_str()).collect::<Vec<_>>().join(".")
    }

    /// The span of the whole path.
    pub fn path_span(&self) -> Span {
        match (self.path.first(), self.path.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => self.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExampleValue {
    /// A value written as in the rest of the policy.
    Literal(Literal),
    /// `—`: no value, as an output whose `when` does not hold.
    Nothing(Span),
    /// `[sector_agreement, grouped_practice]`: the conditions that fail.
    Conditions { names: Vec<Ident>, span: Span },
}

impl ExampleValue {
    pub fn span(&self) -> Span {
        match self {
            ExampleValue::Literal(literal) => literal.span,
            ExampleValue::Nothing(span) | ExampleValue::Conditions { span, .. } => *span,
        }
    }
}
