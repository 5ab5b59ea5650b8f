//! Output: outcomes → JSON for programs and tables for people.
//!
//! Decimals are written in one fixed textual form, so that snapshots are
//! byte-stable: euros with two decimals (more only where the exact value has
//! more), whole counts as integers, rates and numbers exactly, without
//! trailing zeros. Nothing here rounds, but the sums of a diff's summary,
//! shown to the euro in its table and to the cent in its CSV and JSON
//! (`diff.rs`).

pub mod csv;
pub mod diff;
pub mod examples;
pub mod explain;
pub mod json;
pub mod table;

/// How a diagnostic finds the lines around a label in time of those lines:
/// the binary's reporter draws long lines as windows with them.
pub use crate::source::{line_starts, read_lines};

use rust_decimal::Decimal;

use crate::check::types::Type;

/// A decimal in the fixed form of its type.
pub fn decimal_text(value: Decimal, ty: Type) -> String {
    let mut text = String::new();
    let _ = write_decimal(&mut text, value, ty);
    text
}

/// Writes a decimal in the fixed form of its type, without allocating: the
/// one definition of that form, for JSON, tables and CSV alike.
pub fn write_decimal(out: &mut impl std::fmt::Write, value: Decimal, ty: Type) -> std::fmt::Result {
    if let Some(result) = write_small_decimal(out, value, ty) {
        return result;
    }
    match ty {
        Type::Euros if value.scale() <= 2 => {
            let mut value = value;
            value.rescale(2);
            write!(out, "{value}")
        }
        _ => write!(out, "{}", value.normalize()),
    }
}

/// The form of [`write_decimal`] for the common case, without going through
/// `Display` (a population writes a dozen numbers a row): a mantissa that
/// fits in 64 bits. `None` where it does not; the general path then writes it.
fn write_small_decimal(out: &mut impl std::fmt::Write, value: Decimal, ty: Type) -> Option<std::fmt::Result> {
    let mut mantissa = u64::try_from(value.mantissa().unsigned_abs()).ok()?;
    // A negative zero keeps or loses its sign depending on the path: leave it to the general one.
    if mantissa == 0 && value.is_sign_negative() {
        return None;
    }
    let mut scale = value.scale();
    match ty {
        Type::Euros if scale <= 2 => {
            // Two decimals exactly, as `rescale(2)` gives.
            mantissa = mantissa.checked_mul(10u64.pow(2 - scale))?;
            scale = 2;
        }
        _ => {
            // Without trailing zeros, as `normalize()` gives.
            while scale > 0 && mantissa % 10 == 0 {
                mantissa /= 10;
                scale -= 1;
            }
        }
    }
    // Digits from the right: at most 20 for a u64, or a zero and 28 places
    // (rust_decimal's finest), plus the point. A number that would not fit
    // is left to the general path, never written short.
    let mut digits = [b'0'; 30];
    let mut position = digits.len();
    let mut rest = mantissa;
    let mut written = 0u32;
    let mut put = |position: &mut usize, byte: u8| -> Option<()> {
        *position = position.checked_sub(1)?;
        *digits.get_mut(*position)? = byte;
        Some(())
    };
    while rest > 0 || written <= scale {
        if written == scale && scale > 0 {
            put(&mut position, b'.')?;
        }
        put(&mut position, b'0' + (rest % 10) as u8)?;
        rest /= 10;
        written += 1;
    }
    let text = std::str::from_utf8(digits.get(position..)?).ok()?;
    Some(if value.is_sign_negative() {
        out.write_char('-').and_then(|()| out.write_str(text))
    } else {
        out.write_str(text)
    })
}

/// Where an outcome came from: the profile and the policy, as the user named them.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    pub profile_file: &'a str,
    pub profile_name: Option<&'a str>,
    pub policy_file: &'a str,
    /// The texts applied, the base first.
    pub chain: &'a [String],
    /// The date of the evaluation.
    pub on: jiff::civil::Date,
}

#[cfg(test)]
mod tests {

    use super::*;

    /// The general path, as it was before the fast one.
    fn through_display(value: Decimal, ty: Type) -> String {
        match ty {
            Type::Euros if value.scale() <= 2 => {
                let mut value = value;
                value.rescale(2);
                value.to_string()
            }
            _ => value.normalize().to_string(),
        }
    }

    #[test]
    fn the_fast_form_is_the_display_form() {
        let mantissas = [0i64, 1, -1, 5, 10, 100, 12_000, 1_234_567, -1_200, 999_999_999_999, i64::MAX, i64::MIN + 1];
        for ty in [Type::Euros, Type::PATIENTS, Type::Rate, Type::Number] {
            for mantissa in mantissas {
                // Up to rust_decimal's finest: 1e-28 takes 30 characters, more than a u64's digits.
                for scale in 0..=28 {
                    let value = Decimal::new(mantissa, scale);
                    assert_eq!(decimal_text(value, ty), through_display(value, ty), "{mantissa}e-{scale} as {ty:?}");
                    assert_eq!(decimal_text(-value, ty), through_display(-value, ty), "-{mantissa}e-{scale} as {ty:?}");
                }
            }
        }
        assert_eq!(decimal_text(Decimal::MAX, Type::Euros), through_display(Decimal::MAX, Type::Euros));
    }
}
