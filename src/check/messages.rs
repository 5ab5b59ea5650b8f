//! Messages that quote the policy: `"plus de {seuil} patients"` is checked
//! (the name exists, the value is fixed by the policy) and written with the
//! value in force in the chain checked, so that a message a later text
//! inherits never states a figure that text changed. Nothing here evaluates
//! a profile: a quoted value that depends on one is refused.

use rust_decimal::Decimal;

use super::Checker;
use super::diagnostic::Diagnostic;
use super::expr::Scope;
use super::fold::Folder;
use super::model::Value;
use super::types::Type;
use crate::code::Code;
use crate::syntax::ast;

impl Checker {
    /// The message of `condition` with each quoted value written in, or
    /// `None` once its problems are reported.
    pub(super) fn message(&mut self, condition: &ast::Condition, scope: &Scope) -> Option<String> {
        let mut message = String::with_capacity(condition.message.value.len());
        let mut failed = false;
        for part in &condition.message_parts {
            match part {
                ast::MessagePart::Text(text) => message.push_str(text),
                ast::MessagePart::Quote(quoted) => match self.quoted(quoted, scope) {
                    Some(text) => message.push_str(&text),
                    None => failed = true,
                },
            }
        }
        (!failed).then_some(message)
    }

    /// One quoted value, as a reader of the message reads it.
    fn quoted(&mut self, quoted: &ast::Expr, scope: &Scope) -> Option<String> {
        let checked = self.expr(quoted, scope, None)?;
        let rules: Vec<_> = self.rules.iter().map(|slot| slot.def.as_ref()).collect();
        let assignment = vec![None; self.fields.len()];
        let folder = Folder { params: &self.params, tables: &self.tables, rules: &rules, assignment: &assignment };
        let text = folder.fold(&checked).and_then(|folded| self.value_text(&folded.value, checked.ty));
        if text.is_none() {
            self.report(
                Diagnostic::new(
                    Code::MessageValue,
                    quoted.span,
                    "a message quotes only a value the policy fixes, and this one depends on the profile",
                    "not fixed by the policy",
                )
                .with_help("quote a parameter or a table cell, `{seuil}` or `{percentiles[medecine_generale].p30}`"),
            );
        }
        text
    }

    /// A value as the policy's own text writes it: `12 000 €`, `7.5 %`, `775`.
    fn value_text(&self, value: &Value, ty: Type) -> Option<String> {
        Some(match (value, ty) {
            (Value::Decimal(value), Type::Euros) => format!("{} €", grouped(*value)),
            (Value::Decimal(value), Type::Rate) => format!("{} %", grouped(value.checked_mul(Decimal::ONE_HUNDRED)?)),
            (Value::Decimal(value), _) => grouped(*value),
            (Value::Date(date), _) => date.to_string(),
            (Value::Bool(value), _) => value.to_string(),
            (Value::Text(text), _) => text.to_string(),
            (Value::Enum(variant), Type::Enum(id)) => {
                let variant = self.enums.get(id.index())?.variants.get(usize::from(*variant))?;
                variant.label.clone().unwrap_or_else(|| variant.name.clone())
            }
            (Value::Enum(_) | Value::Row { .. } | Value::Failures(_), _) => return None,
        })
    }
}

/// A number with its thousands grouped by spaces, as the policy writes them.
fn grouped(value: Decimal) -> String {
    let text = value.normalize().to_string();
    let (sign, digits) = text.strip_prefix('-').map_or(("", text.as_str()), |digits| ("-", digits));
    let (whole, fraction) = digits.split_once('.').map_or((digits, None), |(whole, fraction)| (whole, Some(fraction)));
    let mut out = String::from(sign);
    for (position, digit) in whole.chars().enumerate() {
        if position > 0 && (whole.len() - position) % 3 == 0 && whole.len() > 4 {
            out.push(' ');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grouped;
    use rust_decimal::Decimal;

    #[test]
    fn numbers_are_grouped_as_the_policy_writes_them() {
        let cases = [
            ("775", "775"),
            ("1503", "1503"),
            ("12000", "12 000"),
            ("1234567.5", "1 234 567.5"),
            ("-40000", "-40 000"),
            ("90.00", "90"),
        ];
        for (value, written) in cases {
            let value: Decimal = value.parse().unwrap_or_default();
            assert_eq!(grouped(value), written);
        }
    }
}
