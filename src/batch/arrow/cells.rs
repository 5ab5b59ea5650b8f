//! Arrow cells read as a population's cells: each straight to its field's
//! value where the Arrow value is exactly what its CSV text would give (a
//! boolean, an integer or a decimal for a number, a day for a date, a text
//! read by the same function as a CSV cell), and otherwise through that CSV
//! text, by the function that reads a CSV cell; so a row is rejected with
//! the same field, code and message whichever way it came. Never evaluates.

use arrow_array::cast::AsArray as _;
use arrow_array::types::{
    Decimal128Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{
    AnyDictionaryArray, Array, ArrayRef, BooleanArray, Date32Array, Date64Array, Decimal128Array, Float32Array,
    Float64Array, Int8Array, Int16Array, Int32Array, Int64Array, LargeStringArray, RecordBatch, StringArray,
    StringViewArray, UInt8Array, UInt16Array, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, TimeUnit};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;

use super::civil_from_days;
use crate::batch::rows::ColumnMap;
use crate::check::model::{CheckedPolicy, FieldDef, Value};
use crate::check::types::Type;
use crate::eval::profile::{FieldProblem, RawValue, field_value};

/// A batch's columns, read row by row as a population's.
pub(crate) struct Cells<'a> {
    columns: Vec<(&'a str, Column<'a>)>,
    /// Per column, for a dictionary no longer than the batch: its words as
    /// read for each field (the old and the new text's, in a diff), by key,
    /// once each.
    words: Vec<Vec<Words>>,
}

/// A dictionary's words as one field reads them.
struct Words {
    /// The field, by its address: the same field of the same policy.
    field: usize,
    read: Vec<Option<Result<Option<Value>, FieldProblem>>>,
}

impl<'a> Cells<'a> {
    /// `Err` for a column of a type avenant does not read.
    pub(crate) fn of(batch: &'a RecordBatch) -> Result<Cells<'a>, String> {
        let schema = batch.schema_ref();
        let columns = batch
            .columns()
            .iter()
            .zip(schema.fields())
            .map(|(array, field)| Column::of(array, field.name()).map(|column| (field.name().as_str(), column)))
            .collect::<Result<Vec<_>, _>>()?;
        let words = columns.iter().map(|_| Vec::new()).collect();
        Ok(Cells { columns, words })
    }

    /// Row `position`'s values, in field order, appended to `values`, and its
    /// problems, as [`ColumnMap::values`] gives them for the same row in CSV.
    /// `Err`, naming the column and `row`, for a cell that is no value.
    #[expect(clippy::too_many_arguments, reason = "the row, where it goes, and a buffer reused across rows")]
    pub(crate) fn values(
        &mut self,
        policy: &CheckedPolicy,
        map: &ColumnMap,
        position: usize,
        row: u64,
        values: &mut Vec<Option<Value>>,
        problems: &mut Vec<FieldProblem>,
        text: &mut String,
    ) -> Result<(), String> {
        for (field, column) in policy.fields.iter().zip(map.field_columns()) {
            let value = match column.and_then(|column| Some((self.columns.get(column)?, self.words.get_mut(column)?))) {
                Some(((name, Column::Dictionary(dictionary, keys, values)), words)) => match keys.get(position) {
                    Some(key) if !dictionary.is_null(position) => {
                        let mut read =
                            || values.value(policy, field, *key, text).map_err(|message| failure(name, row, &message));
                        // Kept only for a dictionary no longer than the batch: a
                        // column of words each its own is read as it comes.
                        let len = dictionary.values().len();
                        let kept = (len <= keys.len()).then(|| Words::of(words, field, len)).flatten();
                        match kept.and_then(|words| words.read.get_mut(*key)) {
                            Some(Some(word)) => word.clone(),
                            Some(entry) => entry.insert(read()?).clone(),
                            None => read()?,
                        }
                    }
                    _ => field_value(policy, field, None),
                },
                Some(((name, column), _)) => {
                    column.value(policy, field, position, text).map_err(|message| failure(name, row, &message))?
                }
                None => field_value(policy, field, None),
            };
            match value {
                Ok(value) => values.push(value),
                Err(problem) => {
                    problems.push(problem);
                    values.push(None);
                }
            }
        }
        Ok(())
    }

    /// Row `position`'s name, as CSV text, into `out`; `false` if no column names the rows.
    pub(crate) fn name(&self, map: &ColumnMap, position: usize, row: u64, out: &mut String) -> Result<bool, String> {
        let Some((name, column)) = map.name_column().and_then(|column| self.columns.get(column)) else {
            return Ok(false);
        };
        column.cell(position, out).map_err(|message| failure(name, row, &message))?;
        Ok(true)
    }
}

impl Words {
    /// The words of a dictionary of `len` as `field` reads them, made if none are yet.
    fn of<'w>(words: &'w mut Vec<Words>, field: &FieldDef, len: usize) -> Option<&'w mut Words> {
        let field = std::ptr::from_ref(field).addr();
        let at = match words.iter().position(|words| words.field == field) {
            Some(at) => at,
            None => {
                words.push(Words { field, read: vec![None; len] });
                words.len() - 1
            }
        };
        words.get_mut(at)
    }
}

fn failure(column: &str, row: u64, message: &str) -> String {
    format!("column `{column}`, row {row}: {message}")
}

/// What a cell is, when it can be read without its CSV text.
enum Exact<'a> {
    /// A null, or what a CSV file would hold as an empty cell.
    Absent,
    Value(Value),
    /// A text, read as a CSV cell holding it is.
    Text(&'a str),
    /// Read through its CSV text.
    Neither,
}

/// A column of profiles, by the kinds of Arrow arrays avenant reads, each
/// taken as its own type once, when the batch is read, not once a cell.
pub(super) enum Column<'a> {
    Text(Texts<'a>),
    Bool(&'a BooleanArray),
    Integer(Integers<'a>),
    Float(Floats<'a>),
    Decimal(&'a Decimal128Array, i8),
    Date(Dates<'a>),
    Dictionary(&'a dyn AnyDictionaryArray, Vec<usize>, Box<Column<'a>>),
    Null,
}

pub(super) enum Texts<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

pub(super) enum Integers<'a> {
    I8(&'a Int8Array),
    I16(&'a Int16Array),
    I32(&'a Int32Array),
    I64(&'a Int64Array),
    U8(&'a UInt8Array),
    U16(&'a UInt16Array),
    U32(&'a UInt32Array),
    U64(&'a UInt64Array),
}

pub(super) enum Floats<'a> {
    F32(&'a Float32Array),
    F64(&'a Float64Array),
}

/// Days, or instants a whole number of which make a day: in the time zone
/// their column names, if it names one.
pub(super) enum Dates<'a> {
    Days(&'a Date32Array),
    Milliseconds(&'a Date64Array),
    Timestamp(&'a dyn Array, TimeUnit, Option<Zone>),
}

/// The time zone of a column of instants, and its name as the column gives it.
pub(super) struct Zone {
    zone: TimeZone,
    name: String,
}

impl<'a> Column<'a> {
    pub(super) fn of(array: &'a ArrayRef, name: &str) -> Result<Column<'a>, String> {
        Column::of_array(array.as_ref(), name)
    }

    fn of_array(array: &'a dyn Array, name: &str) -> Result<Column<'a>, String> {
        Ok(match array.data_type() {
            DataType::Utf8 => Column::Text(Texts::Utf8(array.as_string())),
            DataType::LargeUtf8 => Column::Text(Texts::Large(array.as_string())),
            DataType::Utf8View => Column::Text(Texts::View(array.as_string_view())),
            DataType::Boolean => Column::Bool(array.as_boolean()),
            DataType::Int8 => Column::Integer(Integers::I8(array.as_primitive())),
            DataType::Int16 => Column::Integer(Integers::I16(array.as_primitive())),
            DataType::Int32 => Column::Integer(Integers::I32(array.as_primitive())),
            DataType::Int64 => Column::Integer(Integers::I64(array.as_primitive())),
            DataType::UInt8 => Column::Integer(Integers::U8(array.as_primitive())),
            DataType::UInt16 => Column::Integer(Integers::U16(array.as_primitive())),
            DataType::UInt32 => Column::Integer(Integers::U32(array.as_primitive())),
            DataType::UInt64 => Column::Integer(Integers::U64(array.as_primitive())),
            DataType::Float32 => Column::Float(Floats::F32(array.as_primitive())),
            DataType::Float64 => Column::Float(Floats::F64(array.as_primitive())),
            DataType::Decimal128(_, scale) => Column::Decimal(array.as_primitive::<Decimal128Type>(), *scale),
            DataType::Date32 => Column::Date(Dates::Days(array.as_primitive())),
            DataType::Date64 => Column::Date(Dates::Milliseconds(array.as_primitive())),
            DataType::Timestamp(unit, zone) => {
                let zone = zone.as_deref().map(|zone| Zone::named(zone, name)).transpose()?;
                Column::Date(Dates::Timestamp(array, *unit, zone))
            }
            DataType::Dictionary(_, _) => match array.as_any_dictionary_opt() {
                Some(dictionary) => {
                    let values = Column::of(dictionary.values(), name)?;
                    Column::Dictionary(dictionary, dictionary.normalized_keys(), Box::new(values))
                }
                None => return Err(unreadable(name, array.data_type())),
            },
            DataType::Null => Column::Null,
            other => return Err(unreadable(name, other)),
        })
    }

    /// Whether cell `row` is null (a dictionary's, where its key is).
    #[inline]
    fn is_null(&self, row: usize) -> bool {
        match self {
            Column::Text(Texts::Utf8(array)) => array.is_null(row),
            Column::Text(Texts::Large(array)) => array.is_null(row),
            Column::Text(Texts::View(array)) => array.is_null(row),
            Column::Bool(array) => array.is_null(row),
            Column::Integer(integers) => integers.is_null(row),
            Column::Float(Floats::F32(array)) => array.is_null(row),
            Column::Float(Floats::F64(array)) => array.is_null(row),
            Column::Decimal(array, _) => array.is_null(row),
            Column::Date(Dates::Days(array)) => array.is_null(row),
            Column::Date(Dates::Milliseconds(array)) => array.is_null(row),
            Column::Date(Dates::Timestamp(array, ..)) => array.is_null(row),
            Column::Dictionary(dictionary, ..) => dictionary.is_null(row),
            Column::Null => true,
        }
    }

    /// Cell `row` as the text a CSV file would hold; nothing for a null.
    pub(super) fn cell(&self, row: usize, out: &mut String) -> Result<(), String> {
        use std::fmt::Write as _;
        if self.is_null(row) {
            return Ok(());
        }
        let _ = match self {
            Column::Text(texts) => {
                out.push_str(texts.value(row));
                Ok(())
            }
            Column::Bool(array) => write!(out, "{}", array.value(row)),
            Column::Integer(integers) => write!(out, "{}", integers.value(row)),
            Column::Float(floats) => {
                let value = floats.value(row);
                // pandas marks a missing number as NaN: an empty cell. Any
                // other float is given by the shortest digits that read back
                // as it, which is what the user typed.
                if value.is_nan() {
                    return Ok(());
                }
                if !value.is_finite() {
                    return Err(format!("{value} is not a number avenant can read"));
                }
                write!(out, "{value}")
            }
            Column::Decimal(array, scale) => {
                write_scaled(out, array.value(row), *scale);
                Ok(())
            }
            Column::Date(dates) => {
                let (year, month, day) = civil_from_days(dates.days(row)?);
                write!(out, "{year:04}-{month:02}-{day:02}")
            }
            Column::Dictionary(_, keys, values) => return keys.get(row).map_or(Ok(()), |key| values.cell(*key, out)),
            Column::Null => Ok(()),
        };
        Ok(())
    }
}

impl<'a> Texts<'a> {
    #[inline]
    fn value(&self, row: usize) -> &'a str {
        match self {
            Texts::Utf8(array) => array.value(row),
            Texts::Large(array) => array.value(row),
            Texts::View(array) => array.value(row),
        }
    }
}

impl Integers<'_> {
    #[inline]
    fn is_null(&self, row: usize) -> bool {
        match self {
            Integers::I8(array) => array.is_null(row),
            Integers::I16(array) => array.is_null(row),
            Integers::I32(array) => array.is_null(row),
            Integers::I64(array) => array.is_null(row),
            Integers::U8(array) => array.is_null(row),
            Integers::U16(array) => array.is_null(row),
            Integers::U32(array) => array.is_null(row),
            Integers::U64(array) => array.is_null(row),
        }
    }

    #[inline]
    fn value(&self, row: usize) -> i128 {
        match self {
            Integers::I8(array) => i128::from(array.value(row)),
            Integers::I16(array) => i128::from(array.value(row)),
            Integers::I32(array) => i128::from(array.value(row)),
            Integers::I64(array) => i128::from(array.value(row)),
            Integers::U8(array) => i128::from(array.value(row)),
            Integers::U16(array) => i128::from(array.value(row)),
            Integers::U32(array) => i128::from(array.value(row)),
            Integers::U64(array) => i128::from(array.value(row)),
        }
    }
}

impl Floats<'_> {
    #[inline]
    fn value(&self, row: usize) -> f64 {
        match self {
            Floats::F32(array) => f64::from(array.value(row)),
            Floats::F64(array) => array.value(row),
        }
    }
}

impl Dates<'_> {
    /// Cell `row` as days since 1970-01-01; `Err` for an instant with a time of day.
    fn days(&self, row: usize) -> Result<i64, String> {
        match self {
            Dates::Days(array) => Ok(i64::from(array.value(row))),
            Dates::Milliseconds(array) => whole_days(array.value(row), 86_400_000),
            Dates::Timestamp(array, unit, zone) => {
                let (value, per_day) = match unit {
                    TimeUnit::Second => (array.as_primitive::<TimestampSecondType>().value(row), 86_400),
                    TimeUnit::Millisecond => (array.as_primitive::<TimestampMillisecondType>().value(row), 86_400_000),
                    TimeUnit::Microsecond => {
                        (array.as_primitive::<TimestampMicrosecondType>().value(row), 86_400_000_000)
                    }
                    TimeUnit::Nanosecond => {
                        (array.as_primitive::<TimestampNanosecondType>().value(row), 86_400_000_000_000)
                    }
                };
                match zone {
                    Some(zone) => zone.local_days(value, *unit),
                    None => whole_days(value, per_day),
                }
            }
        }
    }
}

impl Zone {
    /// The zone `name` names (`Europe/Paris`, `UTC`, an offset such as
    /// `+01:00`, or a POSIX rule), for the column `column`.
    fn named(name: &str, column: &str) -> Result<Zone, String> {
        static PARSER: jiff::fmt::temporal::DateTimeParser = jiff::fmt::temporal::DateTimeParser::new();
        let zone = PARSER.parse_time_zone(name).map_err(|_| {
            format!("column `{column}` holds instants in the time zone `{name}`, which avenant does not know")
        })?;
        Ok(Zone { zone, name: name.to_owned() })
    }

    /// An instant of `unit`s since 1970, as days since 1970-01-01 to its
    /// date in this zone; `Err` for an instant that is not midnight there.
    fn local_days(&self, value: i64, unit: TimeUnit) -> Result<i64, String> {
        let instant = match unit {
            TimeUnit::Second => Timestamp::from_second(value),
            TimeUnit::Millisecond => Timestamp::from_millisecond(value),
            TimeUnit::Microsecond => Timestamp::from_microsecond(value),
            TimeUnit::Nanosecond => Timestamp::from_nanosecond(i128::from(value)),
        };
        let local = instant.map(|instant| self.zone.to_datetime(instant)).map_err(|error| error.to_string())?;
        if local.time() != jiff::civil::Time::midnight() {
            return Err(format!("a timestamp with a time of day ({local} in {}): a field takes a date", self.name));
        }
        let date = local.date();
        Ok(super::days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day())))
    }
}

fn unreadable(name: &str, ty: &DataType) -> String {
    format!(
        "column `{name}` holds {ty}, which avenant does not read: give it as text, integers, decimals, booleans or dates"
    )
}

/// A timestamp that is a whole day (a date read by pandas), as days since 1970-01-01.
fn whole_days(value: i64, per_day: i64) -> Result<i64, String> {
    if value.rem_euclid(per_day) != 0 {
        return Err("a timestamp with a time of day: a field takes a date".to_owned());
    }
    Ok(value.div_euclid(per_day))
}

/// `mantissa × 10^-scale` in its exact digits.
pub(super) fn write_scaled(out: &mut String, mantissa: i128, scale: i8) {
    use std::fmt::Write as _;
    let digits = mantissa.unsigned_abs().to_string();
    if mantissa < 0 {
        out.push('-');
    }
    if scale <= 0 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', usize::from(scale.unsigned_abs())));
        return;
    }
    let scale = usize::from(scale.unsigned_abs());
    if digits.len() <= scale {
        let _ = write!(out, "0.{}{digits}", "0".repeat(scale - digits.len()));
    } else {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        let _ = write!(out, "{whole}.{fraction}");
    }
}

/// The significant digits below which a decimal's digits are read as they
/// are, as its text would be; a longer one is read through its text.
const EXACT_DIGITS: u32 = 28;

impl<'a> Column<'a> {
    /// Cell `row` as `field`'s value, or the problem a CSV cell of the same
    /// text would have; `Err` for a cell that has no CSV text.
    fn value(
        &self,
        policy: &CheckedPolicy,
        field: &FieldDef,
        row: usize,
        text: &mut String,
    ) -> Result<Result<Option<Value>, FieldProblem>, String> {
        if let Column::Dictionary(dictionary, keys, values) = self {
            return match keys.get(row) {
                Some(key) if !dictionary.is_null(row) => values.value(policy, field, *key, text),
                _ => Ok(field_value(policy, field, None)),
            };
        }
        Ok(match self.exact(field.ty, row) {
            Exact::Absent => field_value(policy, field, None),
            Exact::Value(value) => Ok(Some(value)),
            Exact::Text(cell) => field_value(policy, field, Some(RawValue::Cell(cell))),
            Exact::Neither => {
                text.clear();
                self.cell(row, text)?;
                field_value(policy, field, Some(RawValue::Cell(text)))
            }
        })
    }

    /// Cell `row` read without its text, where what it holds is beyond doubt
    /// the value its text would give a field of type `ty`. Anything else, a
    /// value out of range or refused included, is [`Exact::Neither`]: its
    /// text then gives the value, or the message a CSV file would get.
    #[inline]
    fn exact(&self, ty: Type, row: usize) -> Exact<'a> {
        if self.is_null(row) {
            return Exact::Absent;
        }
        match self {
            Column::Text(texts) => Exact::Text(texts.value(row)),
            Column::Bool(array) => match ty {
                Type::Bool => Exact::Value(Value::Bool(array.value(row))),
                _ => Exact::Neither,
            },
            Column::Integer(integers) => whole(integers.value(row), ty).map_or(Exact::Neither, Exact::Value),
            Column::Decimal(array, scale) => {
                let mantissa = array.value(row);
                let digits_fit = mantissa.unsigned_abs() < 10u128.pow(EXACT_DIGITS);
                let scale = u32::try_from(*scale).ok().filter(|scale| *scale <= EXACT_DIGITS);
                match scale.filter(|_| digits_fit) {
                    Some(scale) => Decimal::try_from_i128_with_scale(mantissa, scale)
                        .ok()
                        .and_then(|value| number(value, ty))
                        .map_or(Exact::Neither, Exact::Value),
                    None => Exact::Neither,
                }
            }
            Column::Date(Dates::Days(array)) if ty == Type::Date => {
                let days = i64::from(array.value(row));
                date(days).map_or(Exact::Neither, |date| Exact::Value(Value::Date(date)))
            }
            // Floats (which a CSV cell holds by their shortest digits), other
            // dates (which may have a time of day), and a value for a field of
            // another type are read through their text.
            Column::Float(..) | Column::Date(..) | Column::Dictionary(..) | Column::Null => Exact::Neither,
        }
    }
}

/// An integer as a field of type `ty` reads its digits: [`number`] for a
/// value that is whole by its kind, without checking it is whole and in
/// its shortest form.
fn whole(value: i128, ty: Type) -> Option<Value> {
    let decimal = || Decimal::try_from_i128_with_scale(value, 0).ok().map(Value::Decimal);
    match ty {
        Type::Patients { .. } if value >= 0 => decimal(),
        Type::Euros | Type::Rate | Type::Number => decimal(),
        Type::Patients { .. }
        | Type::Bool
        | Type::Date
        | Type::Text
        | Type::Enum(_)
        | Type::Row(_)
        | Type::Failures => None,
    }
}

/// A number as a field of type `ty` reads its digits: a count of patients
/// whole and not negative, in its shortest form (the text's check and form);
/// euros, rates and numbers as written. None for another type, or a count
/// its text would refuse.
fn number(value: Decimal, ty: Type) -> Option<Value> {
    match ty {
        Type::Patients { .. } if !value.is_sign_negative() && value.fract().is_zero() => {
            Some(Value::Decimal(value.normalize()))
        }
        Type::Euros | Type::Rate | Type::Number => Some(Value::Decimal(value)),
        Type::Patients { .. }
        | Type::Bool
        | Type::Date
        | Type::Text
        | Type::Enum(_)
        | Type::Row(_)
        | Type::Failures => None,
    }
}

/// The day `days` after 1970-01-01, if a profile's date may be that day
/// (1900 to 2199, as its text is read); none otherwise, for its text to say why.
fn date(days: i64) -> Option<jiff::civil::Date> {
    let (year, month, day) = civil_from_days(days);
    if !(1900..=2199).contains(&year) {
        return None;
    }
    jiff::civil::Date::new(i16::try_from(year).ok()?, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}
