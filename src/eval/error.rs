//! Evaluation errors, located at the expression that raised them.

use miette::Diagnostic;
use rust_decimal::Decimal;

use crate::check::model::*;
use crate::code::Code;
use crate::source::Span;

/// Why an evaluation stopped, before it is given a place.
pub(crate) enum Fault {
    /// Already located deeper down; passed up unchanged.
    Located(EvalError),
    MissingField(FieldId),
    EmptyCell {
        table: TableId,
        row: u32,
        column: usize,
    },
    NoBand {
        bands: BandsId,
        value: Value,
    },
    Overflow,
    /// `add_years` past the calendar's first or last day.
    DateBeyondCalendar {
        date: jiff::civil::Date,
        years: i64,
    },
    DivisionByZero,
    NotWholeYears(Decimal),
    /// A checked policy cannot reach this; reported rather than panicking.
    Internal(&'static str),
}

impl Fault {
    /// Gives the fault the place of the expression that raised it.
    pub(crate) fn locate(self, span: Span, policy: &CheckedPolicy) -> EvalError {
        let field = match &self {
            Fault::MissingField(id) => Some(policy.field_def(*id).name.clone()),
            _ => None,
        };
        let (code, message, help) = match self {
            Fault::Located(error) => return error,
            Fault::MissingField(id) => {
                let field = policy.field_def(id);
                (
                    Code::EvalMissingField.name(),
                    format!("the profile has no `{}`, which this rule needs", field.name),
                    Some(format!(
                        "add `{}` to the profile{}; or, for a policy that must evaluate profiles without it, \
                         guard the reading: `when given({})` on the condition or output, or `if given({}) then … else …`",
                        field.name,
                        field.label.as_ref().map(|label| format!(" ({label})")).unwrap_or_default(),
                        field.name,
                        field.name,
                    )),
                )
            }
            Fault::EmptyCell { table, row, column } => {
                let definition = policy.table_def(table);
                let cell = policy.describe_cell(definition, row, column);
                let help = definition
                    .origin
                    .notes
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "the text gives no value here".to_owned());
                (Code::NoValue.name(), format!("the policy gives no value for `{cell}`"), Some(help))
            }
            Fault::NoBand { bands, value } => {
                let definition = policy.bands_def(bands);
                let shown = match value {
                    Value::Decimal(value) => value.to_string(),
                    other => format!("{other:?}"),
                };
                (
                    Code::NoBand.name(),
                    format!("{shown} falls in no band of `{}`", definition.name),
                    Some(
                        "the value is below the first band or above the last (is the profile's value right?), \
                         or the bounds read for this profile are out of order (check the table they come from)"
                            .to_owned(),
                    ),
                )
            }
            Fault::Overflow => (
                Code::Overflow.name(),
                "the result is beyond the range of exact decimals".to_owned(),
                Some(format!("numbers are exact up to {}", Decimal::MAX)),
            ),
            Fault::DateBeyondCalendar { date, years } => (
                Code::Overflow.name(),
                format!("`add_years` moves {date} by {years} years, beyond the calendar (years −9999 to 9999)"),
                Some("check the number of years the profile gives".to_owned()),
            ),
            Fault::NotWholeYears(years) => (
                Code::NotWholeYears.name(),
                format!("`add_years` moves a date by whole years, not {years}"),
                Some("round the number of years first".to_owned()),
            ),
            Fault::DivisionByZero => {
                // A population's error report has no room for the policy's
                // lines: the message names the division itself.
                let code = policy.sources().code(span);
                let shown = match code.char_indices().nth(60) {
                    Some((end, _)) => format!("{}…", code.get(..end).unwrap_or(&code)),
                    None => code,
                };
                (
                    Code::DivisionByZero.name(),
                    format!("division by zero in `{shown}`"),
                    Some(format!(
                        "the divisor is 0 for this profile (at {}); the policy can guard it: `if divisor == 0 then … else …`",
                        policy.sources().location(span)
                    )),
                )
            }
            Fault::Internal(what) => (
                Code::Internal.name(),
                format!("internal error: {what}"),
                Some("please report this policy and profile".to_owned()),
            ),
        };
        EvalError(Box::new(Details {
            code,
            message,
            help,
            field,
            span,
            source_code: policy.sources().file(span.file).named_source(),
            at: span.source_span(),
        }))
    }
}

/// An evaluation that could not finish, with the place in the policy where it stopped.
///
/// Boxed, so that every `Result` on the evaluator's hot path stays small.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.message)]
pub struct EvalError(Box<Details>);

#[derive(Debug)]
struct Details {
    code: &'static str,
    message: String,
    help: Option<String>,
    /// The profile's field the evaluation needed and did not have.
    field: Option<String>,
    span: Span,
    source_code: crate::source::Named,
    at: miette::SourceSpan,
}

impl EvalError {
    /// Stable: a name of [`Code`], of the `eval` phase.
    pub fn code(&self) -> &'static str {
        self.0.code
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub fn help(&self) -> Option<&str> {
        self.0.help.as_deref()
    }

    /// The profile's field that was missing, for `avenant::eval::missing_field`.
    pub fn field(&self) -> Option<&str> {
        self.0.field.as_deref()
    }

    /// Where in the policy evaluation stopped.
    pub fn span(&self) -> Span {
        self.0.span
    }
}

impl Diagnostic for EvalError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.0.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help.as_ref().map(|help| Box::new(help) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.0.source_code)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_primary_with_span(
            Some("while evaluating this".to_owned()),
            self.0.at,
        ))))
    }
}
