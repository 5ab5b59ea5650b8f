//! One field's value from what its reader found (a value of a JSON, YAML or
//! TOML document, or a CSV cell), typed by the field's declared type. The one
//! place where a profile's numbers, dates, booleans and enumeration values
//! are read, whatever the format; never reads a file and never evaluates.

use rust_decimal::Decimal;
use serde_json::Value as Json;

use crate::check::diagnostic::suggest;
use crate::check::model::{CheckedPolicy, EnumDef, FieldDef, Value};
use crate::check::types::Type;

/// The first and last days a profile's date may be: the dates a policy can
/// compute with (it adds years to them, counts days between them) whatever it
/// does with them.
const FIRST_DATE: jiff::civil::Date = jiff::civil::date(1900, 1, 1);
const LAST_DATE: jiff::civil::Date = jiff::civil::date(2199, 12, 31);

/// The significant digits every exact decimal holds (some of 29 digits fit too).
const DECIMAL_DIGITS: usize = 28;

/// The longest text for which a near name is looked for.
const SUGGESTED_BYTES: usize = 256;

/// How much of a value a message quotes; the rest is counted, not shown.
const QUOTED_CHARACTERS: usize = 48;

/// A field's value as its reader found it, before it is given its type.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RawValue<'a> {
    /// A value of a TOML, JSON or YAML document (read into JSON values).
    Json(&'a Json),
    /// A cell of a CSV file: text, whatever the field's type.
    Cell(&'a str),
}

impl<'a> RawValue<'a> {
    /// JSON `null` and an empty CSV cell both mean the field is not given.
    pub(super) fn is_absent(self) -> bool {
        match self {
            RawValue::Json(json) => json.is_null(),
            RawValue::Cell(text) => text.is_empty(),
        }
    }

    fn as_text(self) -> Option<&'a str> {
        match self {
            RawValue::Json(json) => json.as_str(),
            RawValue::Cell(text) => Some(text),
        }
    }
}

/// Why a value is not one: the message, and the fix where there is one.
pub(super) type Invalid = (String, Option<String>);

/// One field's value, or why it is not one: one function per type of field.
pub(super) fn convert(policy: &CheckedPolicy, field: &FieldDef, raw: RawValue<'_>) -> Result<Value, Invalid> {
    let name = &field.name;
    let wrong = |expected: &str| (format!("`{name}` must be {expected}, found {}", describe(raw)), None);
    match field.ty {
        Type::Bool => bool_value(raw).map(Value::Bool).ok_or_else(|| wrong("`true` or `false`")),
        Type::Patients { .. } => count_value(name, raw).map(Value::Decimal),
        Type::Euros | Type::Number => number_value(name, raw, false, "a number"),
        Type::Rate => number_value(name, raw, true, "a rate, e.g. `0.85` or `\"85 %\"`"),
        Type::Date => date_value(name, raw).map(Value::Date),
        Type::Text => raw.as_text().map(|text| Value::Text(text.into())).ok_or_else(|| wrong("a text")),
        Type::Enum(id) => enum_value(policy.enum_def(id), name, raw).map(Value::Enum),
        Type::Row(_) | Type::Failures => Err(wrong("a value")),
    }
}

/// `true` or `false`: a JSON boolean, or those words in a CSV cell.
fn bool_value(raw: RawValue<'_>) -> Option<bool> {
    match raw {
        RawValue::Json(json) => json.as_bool(),
        RawValue::Cell("true") => Some(true),
        RawValue::Cell("false") => Some(false),
        RawValue::Cell(_) => None,
    }
}

/// A number of euros, a rate or a plain number: exact, or refused.
fn number_value(name: &str, raw: RawValue<'_>, percent_allowed: bool, expected: &str) -> Result<Value, Invalid> {
    match decimal(raw, percent_allowed) {
        Ok(value) => Ok(Value::Decimal(value)),
        Err(NotExact::NotANumber) => Err((format!("`{name}` must be {expected}, found {}", describe(raw)), None)),
        Err(not_exact) => Err(not_exact.explain(name, raw)),
    }
}

/// A count of patients: whole and not negative.
fn count_value(name: &str, raw: RawValue<'_>) -> Result<Decimal, Invalid> {
    let count = decimal(raw, false).map_err(|not_exact| match not_exact {
        NotExact::NotANumber => (format!("`{name}` must be a whole number of patients, found {}", describe(raw)), None),
        not_exact => not_exact.explain(name, raw),
    })?;
    if count.is_sign_negative() && !count.is_zero() {
        return Err((
            format!("`{name}` cannot be negative, found {count}"),
            Some("a count of patients is zero or more".to_owned()),
        ));
    }
    if !count.fract().is_zero() {
        return Err((format!("`{name}` must be a whole number of patients, found {count}"), None));
    }
    Ok(count.normalize())
}

/// A value of an enumeration, by name, with a suggestion for a near miss.
fn enum_value(enumeration: &EnumDef, name: &str, raw: RawValue<'_>) -> Result<u16, Invalid> {
    let names = || enumeration.variants.iter().map(|variant| variant.name.as_str());
    let list = || names().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
    let Some(text) = raw.as_text() else {
        return Err((format!("`{name}` must be one of {}, found {}", list(), describe(raw)), None));
    };
    if let Some(index) = enumeration.variant_index(text) {
        return Ok(index);
    }
    // A letter of another script that looks like a Latin one (a Cyrillic `а`
    // for an `a`, say), or an invisible character, makes the value look
    // right: a suggestion of the same word would look identical to what was
    // written, so name the character. An accented Latin letter is seen, and
    // a near name is suggested as for any other near miss.
    let foreign = text.chars().enumerate().find_map(|(position, character)| {
        if character.is_ascii() || names().any(|variant| variant.contains(character)) {
            return None;
        }
        let name = unicode_names2::name(character).map(|name| name.to_string());
        let latin = name.as_deref().is_some_and(|name| name.starts_with("LATIN "));
        (!latin).then_some((position, character, name))
    });
    if let Some((position, character, name)) = foreign {
        let shown = if character.is_alphanumeric() { format!("`{character}`, ") } else { String::new() };
        let name = name.map(|name| format!(" {name}")).unwrap_or_default();
        return Err((
            format!(
                "`{}` is not a value of `{}`: its character {} is {shown}U+{:04X}{name}",
                shortened(text),
                enumeration.name,
                position + 1,
                u32::from(character),
            ),
            Some(format!(
                "a letter of another alphabet, or an invisible character, can make a value look right: type it \
                 again in plain letters; the values are {}",
                list()
            )),
        ));
    }
    let help = suggest_near(text, names()).unwrap_or_else(|| format!("the values are {}", list()));
    Err((format!("`{}` is not a value of `{}`", shortened(text), enumeration.name), Some(help)))
}

/// A suggestion for a near miss; none for a text far longer than any name,
/// which no name is near (and comparing it would take time in its length).
pub(super) fn suggest_near<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    if wanted.len() > SUGGESTED_BYTES {
        return None;
    }
    suggest(wanted, names)
}

/// Why a text that should be a number is not one we can hold exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotExact {
    /// Not written as a number at all.
    NotANumber,
    /// More digits after the point than an exact decimal holds.
    TooPrecise,
    /// Larger than the largest exact decimal.
    TooLarge,
}

impl NotExact {
    fn explain(self, name: &str, raw: RawValue<'_>) -> Invalid {
        let written = match raw {
            RawValue::Json(Json::Number(number)) => number.as_str(),
            RawValue::Json(Json::String(text)) => text.trim(),
            RawValue::Cell(text) => text.trim(),
            RawValue::Json(_) => "",
        };
        let written = shortened(written);
        match self {
            NotExact::TooPrecise => (
                format!("`{name}` is `{written}`, with more digits than the {DECIMAL_DIGITS} an exact decimal holds"),
                Some("a number is never rounded on reading: round it to fewer digits where it is written".to_owned()),
            ),
            NotExact::TooLarge | NotExact::NotANumber => (
                format!("`{name}` is `{written}`, beyond the range of exact decimals"),
                Some(format!(
                    "numbers are exact decimals of at most {DECIMAL_DIGITS} significant digits, up to {}",
                    Decimal::MAX
                )),
            ),
        }
    }
}

/// A number written as a number, or as text (`"12.5"`, `"85 %"` for a rate).
fn decimal(raw: RawValue<'_>, percent_allowed: bool) -> Result<Decimal, NotExact> {
    let text = match raw {
        RawValue::Json(Json::Number(number)) => return exact_decimal(number.as_str()),
        RawValue::Json(Json::String(text)) => text.trim(),
        RawValue::Cell(text) => text.trim(),
        RawValue::Json(_) => return Err(NotExact::NotANumber),
    };
    match text.strip_suffix('%') {
        // A percentage is divided by 100, exactly: `85.5 %` is 0.855. Moving
        // the point is exact where the scale allows it; past that, the digits
        // are read again with the point moved, and refused if they do not fit.
        Some(percent) if percent_allowed => {
            let percent = percent.trim();
            let mut value = exact_decimal(percent)?;
            match value.set_scale(value.scale() + 2) {
                Ok(()) => Ok(value),
                Err(_) => exact_decimal(&format!("{percent}e-2")),
            }
        }
        Some(_) => Err(NotExact::NotANumber),
        None => exact_decimal(text),
    }
}

/// The decimal a text writes (`12`, `-0.5`, `1.2e3`), exactly: a number with
/// more digits than a decimal holds is refused, never rounded.
fn exact_decimal(text: &str) -> Result<Decimal, NotExact> {
    // Counts are mostly plain digits: read them as an integer (the same
    // decimal, scale 0, as `from_str` gives), which a population does millions of times.
    if (1..=18).contains(&text.len()) && text.bytes().all(|byte| byte.is_ascii_digit()) {
        return text.parse::<u64>().map(Decimal::from).map_err(|_| NotExact::NotANumber);
    }
    // A plain decimal is read exactly or not at all by `from_str_exact`; what
    // it refuses is read below, to tell a number too precise from too large.
    let plain = !text.bytes().any(|byte| matches!(byte, b'e' | b'E' | b'_'));
    if let Some(value) = plain.then(|| Decimal::from_str_exact(text).ok()).flatten() {
        return Ok(value);
    }
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..).unwrap_or_default()),
        Some(b'+') => (false, text.get(1..).unwrap_or_default()),
        _ => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (unsigned.get(..at).unwrap_or_default(), Some(unsigned.get(at + 1..).unwrap_or_default())),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(NotExact::NotANumber);
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(exponent) => {
            let magnitude = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
            if magnitude.is_empty() || !digits(magnitude) {
                return Err(NotExact::NotANumber);
            }
            // Beyond six digits, an exponent moves any digit out of every
            // decimal's range; the value is then zero, or cannot be held.
            match exponent.parse::<i64>() {
                Ok(exponent) if exponent.abs() < 1_000_000 => exponent,
                _ if mantissa.bytes().all(|byte| byte == b'0' || byte == b'.') => 0,
                _ if exponent.starts_with('-') => return Err(NotExact::TooPrecise),
                _ => return Err(NotExact::TooLarge),
            }
        }
    };
    // The digits, and where the point falls among them once the exponent is applied.
    let all = format!("{whole}{fraction}");
    let significant = all.trim_start_matches('0');
    let point = i64::try_from(whole.len()).unwrap_or(i64::MAX).saturating_add(exponent)
        - i64::try_from(all.len() - significant.len()).unwrap_or(0);
    let significant_trimmed = significant.trim_end_matches('0');
    if significant_trimmed.is_empty() {
        // Zero, with the decimals it is written with, as far as a decimal holds them.
        let written = i64::try_from(fraction.len()).unwrap_or(i64::MAX).saturating_sub(exponent).clamp(0, 28);
        return Ok(Decimal::new(0, u32::try_from(written).unwrap_or(0)));
    }
    let decimals = i64::try_from(significant.len()).unwrap_or(i64::MAX).saturating_sub(point);
    let needed = i64::try_from(significant_trimmed.len()).unwrap_or(i64::MAX).saturating_sub(point);
    if point > 29 {
        return Err(NotExact::TooLarge);
    }
    if needed > 28 {
        return Err(NotExact::TooPrecise);
    }
    // Written with trailing zeros beyond what a decimal holds: keep the
    // value, with as many of its zeros as fit.
    let kept = if decimals > 28 { significant_trimmed } else { significant };
    let mut plain = String::with_capacity(kept.len() + 40);
    if negative {
        plain.push('-');
    }
    if point <= 0 {
        plain.push_str("0.");
        plain.extend(std::iter::repeat_n('0', usize::try_from(-point).unwrap_or(0)));
        plain.push_str(kept);
    } else {
        let point = usize::try_from(point).unwrap_or(usize::MAX);
        let (before, after) = kept.split_at(point.min(kept.len()));
        plain.push_str(before);
        plain.extend(std::iter::repeat_n('0', point.saturating_sub(kept.len())));
        if !after.is_empty() {
            plain.push('.');
            plain.push_str(after);
        }
    }
    Decimal::from_str_exact(&plain).map_err(|error| match error {
        rust_decimal::Error::Underflow | rust_decimal::Error::ScaleExceedsMaximumPrecision(_) => NotExact::TooPrecise,
        _ => NotExact::TooLarge,
    })
}

/// A date `YYYY-MM-DD`, within the dates a policy computes with.
fn date_value(name: &str, raw: RawValue<'_>) -> Result<jiff::civil::Date, Invalid> {
    let wrong = || (format!("`{name}` must be a date `YYYY-MM-DD`, found {}", describe(raw)), None);
    let text = match raw {
        RawValue::Json(Json::String(text)) => text.trim(),
        RawValue::Cell(text) => text.trim(),
        RawValue::Json(_) => return Err(wrong()),
    };
    // A date with a time (a TOML date-time, an ISO 8601 timestamp) is not a date.
    let day = text.get(..10).filter(|_| matches!(text.as_bytes().get(10), Some(b'T' | b't' | b' ')));
    if let Some(day) = day.and_then(|day| day.parse::<jiff::civil::Date>().ok()) {
        return Err((
            format!("`{name}` must be a date, found the date-time `{}`", shortened(text)),
            Some(format!("write the date alone, without a time: `{day}`")),
        ));
    }
    let date = text.parse::<jiff::civil::Date>().map_err(|_| wrong())?;
    if date < FIRST_DATE || date > LAST_DATE {
        return Err((
            format!("`{name}` is {date}, outside the dates a policy computes with ({FIRST_DATE} to {LAST_DATE})"),
            Some("check the year".to_owned()),
        ));
    }
    Ok(date)
}

/// What a value is, in a message: its kind, and its text shortened.
fn describe(raw: RawValue<'_>) -> String {
    match raw {
        RawValue::Json(Json::Null) => "nothing".to_owned(),
        RawValue::Json(Json::Bool(value)) => format!("`{value}`"),
        RawValue::Json(Json::Number(number)) => format!("the number `{}`", shortened(number.as_str())),
        RawValue::Json(Json::String(text)) => format!("the text `\"{}\"`", shortened(text)),
        RawValue::Cell(text) => format!("the text `\"{}\"`", shortened(text)),
        RawValue::Json(Json::Array(_)) => "a list".to_owned(),
        RawValue::Json(Json::Object(_)) => "a table".to_owned(),
    }
}

/// A value as a message quotes it: whole if short, else its start and its
/// length; a control or invisible formatting character (one that could turn
/// the line around on a terminal) is written as its code.
pub(super) fn shortened(text: &str) -> String {
    let mut shown = String::new();
    for (count, character) in text.chars().enumerate() {
        if count == QUOTED_CHARACTERS {
            shown.push_str(&format!("… ({} characters)", text.chars().count()));
            break;
        }
        let invisible = matches!(u32::from(character), 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF);
        if character.is_control() || invisible {
            shown.extend(character.escape_unicode());
        } else {
            shown.push(character);
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<String, NotExact> {
        exact_decimal(text).map(|value| value.to_string())
    }

    #[test]
    fn numbers_are_read_exactly_in_every_notation() {
        for (written, value) in [
            ("0.85", "0.85"),
            ("0.850", "0.850"),
            ("+5", "5"),
            ("-0.5", "-0.5"),
            (".5", "0.5"),
            ("5.", "5"),
            ("8.5e-1", "0.85"),
            ("85E-2", "0.85"),
            ("1.5e3", "1500"),
            ("1e-28", "0.0000000000000000000000000001"),
            ("79228162514264337593543950335", "79228162514264337593543950335"),
            ("0.1234567890123456789012345678", "0.1234567890123456789012345678"),
            // Zeros past what a decimal holds change nothing: the value is exact.
            ("0.800000000000000000000000000000000", "0.8"),
            ("0e999999999999", "0"),
            ("0.00", "0.00"),
        ] {
            assert_eq!(read(written), Ok(value.to_owned()), "{written}");
        }
    }

    #[test]
    fn numbers_a_decimal_cannot_hold_are_refused_never_rounded() {
        for (written, refusal) in [
            ("0.79999999999999999999999999999", NotExact::TooPrecise),
            ("639.99999999999999999999999999999", NotExact::TooPrecise),
            ("1e-29", NotExact::TooPrecise),
            ("1e-999999999999", NotExact::TooPrecise),
            ("79228162514264337593543950336", NotExact::TooLarge),
            ("1e29", NotExact::TooLarge),
            ("1e999999999999", NotExact::TooLarge),
            ("1_000", NotExact::NotANumber),
            ("", NotExact::NotANumber),
            (".", NotExact::NotANumber),
            ("1e", NotExact::NotANumber),
            ("--1", NotExact::NotANumber),
            ("inf", NotExact::NotANumber),
        ] {
            assert_eq!(read(written), Err(refusal), "{written}");
        }
    }

    #[test]
    fn a_percentage_is_divided_exactly() {
        let rate = |text: &str| decimal(RawValue::Cell(text), true).map(|value| value.to_string());
        assert_eq!(rate("85 %"), Ok("0.85".to_owned()));
        assert_eq!(rate("85.5%"), Ok("0.855".to_owned()));
        assert_eq!(rate("0.0000000000000000000000000001 %"), Err(NotExact::TooPrecise));
    }

    #[test]
    fn messages_quote_values_short_and_harmless() {
        assert_eq!(shortened("zip"), "zip");
        assert_eq!(shortened("\u{202e}zip"), "\\u{202e}zip");
        assert_eq!(shortened(&"9".repeat(1000)), format!("{}… (1000 characters)", "9".repeat(QUOTED_CHARACTERS)));
    }
}
