//! Arrow cells read as a population's cells: each straight to its field's
//! value where the Arrow value is exactly what its CSV text would give (a
//! boolean, an integer or a decimal for a number, a day for a date, a text
//! read by the same function as a CSV cell), and otherwise through that CSV
//! text, by the function that reads a CSV cell; so a row is rejected with
//! the same field, code and message whichever way it came. Never evaluates.

use arrow_array::cast::AsArray as _;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use rust_decimal::Decimal;

use super::civil_from_days;
use crate::batch::rows::ColumnMap;
use crate::check::model::{CheckedPolicy, FieldDef, Value};
use crate::check::types::Type;
use crate::eval::profile::{FieldProblem, RawValue, field_value};

/// A batch's columns, read row by row as a population's.
pub(crate) struct Cells<'a> {
    columns: Vec<(&'a str, Column<'a>)>,
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
        Ok(Cells { columns })
    }

    /// Row `position`'s values, in field order, appended to `values`, and its
    /// problems, as [`ColumnMap::values`] gives them for the same row in CSV.
    /// `Err`, naming the column and `row`, for a cell that is no value.
    #[expect(clippy::too_many_arguments, reason = "the row, where it goes, and a buffer reused across rows")]
    pub(crate) fn values(
        &self,
        policy: &CheckedPolicy,
        map: &ColumnMap,
        position: usize,
        row: u64,
        values: &mut Vec<Option<Value>>,
        problems: &mut Vec<FieldProblem>,
        text: &mut String,
    ) -> Result<(), String> {
        for (field, column) in policy.fields.iter().zip(map.field_columns()) {
            let value = match column.and_then(|column| self.columns.get(column)) {
                Some((name, column)) => {
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

/// A column of profiles, by the kinds of Arrow arrays avenant reads.
pub(super) enum Column<'a> {
    Text(&'a dyn Array, TextKind),
    Bool(&'a arrow_array::BooleanArray),
    Integer(&'a dyn Array, DataType),
    Float(&'a dyn Array, DataType),
    Decimal(&'a arrow_array::Decimal128Array, i8),
    Date(&'a dyn Array, DataType),
    Dictionary(&'a dyn arrow_array::AnyDictionaryArray, Vec<usize>, Box<Column<'a>>),
    Null,
}

#[derive(Clone, Copy)]
pub(super) enum TextKind {
    Utf8,
    Large,
    View,
}

impl<'a> Column<'a> {
    pub(super) fn of(array: &'a ArrayRef, name: &str) -> Result<Column<'a>, String> {
        Column::of_array(array.as_ref(), name)
    }

    fn of_array(array: &'a dyn Array, name: &str) -> Result<Column<'a>, String> {
        Ok(match array.data_type() {
            DataType::Utf8 => Column::Text(array, TextKind::Utf8),
            DataType::LargeUtf8 => Column::Text(array, TextKind::Large),
            DataType::Utf8View => Column::Text(array, TextKind::View),
            DataType::Boolean => Column::Bool(array.as_boolean()),
            ty @ (DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64) => Column::Integer(array, ty.clone()),
            ty @ (DataType::Float32 | DataType::Float64) => Column::Float(array, ty.clone()),
            DataType::Decimal128(_, scale) => Column::Decimal(array.as_primitive::<Decimal128Type>(), *scale),
            ty @ (DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _)) => Column::Date(array, ty.clone()),
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

    /// Cell `row` as the text a CSV file would hold; nothing for a null.
    pub(super) fn cell(&self, row: usize, out: &mut String) -> Result<(), String> {
        use std::fmt::Write as _;
        if let Column::Dictionary(dictionary, keys, values) = self {
            if dictionary.is_null(row) {
                return Ok(());
            }
            return keys.get(row).map_or(Ok(()), |key| values.cell(*key, out));
        }
        let array: &dyn Array = match self {
            Column::Text(array, _) | Column::Integer(array, _) | Column::Float(array, _) | Column::Date(array, _) => {
                *array
            }
            Column::Bool(array) => *array,
            Column::Decimal(array, _) => *array,
            Column::Dictionary(..) | Column::Null => return Ok(()),
        };
        if array.is_null(row) {
            return Ok(());
        }
        let _ = match self {
            Column::Text(array, TextKind::Utf8) => write!(out, "{}", array.as_string::<i32>().value(row)),
            Column::Text(array, TextKind::Large) => write!(out, "{}", array.as_string::<i64>().value(row)),
            Column::Text(array, TextKind::View) => write!(out, "{}", array.as_string_view().value(row)),
            Column::Bool(array) => write!(out, "{}", array.value(row)),
            Column::Integer(array, ty) => match ty {
                DataType::Int8 => write!(out, "{}", array.as_primitive::<Int8Type>().value(row)),
                DataType::Int16 => write!(out, "{}", array.as_primitive::<Int16Type>().value(row)),
                DataType::Int32 => write!(out, "{}", array.as_primitive::<Int32Type>().value(row)),
                DataType::Int64 => write!(out, "{}", array.as_primitive::<Int64Type>().value(row)),
                DataType::UInt8 => write!(out, "{}", array.as_primitive::<UInt8Type>().value(row)),
                DataType::UInt16 => write!(out, "{}", array.as_primitive::<UInt16Type>().value(row)),
                DataType::UInt32 => write!(out, "{}", array.as_primitive::<UInt32Type>().value(row)),
                _ => write!(out, "{}", array.as_primitive::<UInt64Type>().value(row)),
            },
            Column::Float(array, ty) => {
                let value = match ty {
                    DataType::Float32 => f64::from(array.as_primitive::<Float32Type>().value(row)),
                    _ => array.as_primitive::<Float64Type>().value(row),
                };
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
            Column::Date(array, ty) => {
                let days = match ty {
                    DataType::Date32 => i64::from(array.as_primitive::<Date32Type>().value(row)),
                    DataType::Date64 => whole_days(array.as_primitive::<Date64Type>().value(row), 86_400_000)?,
                    DataType::Timestamp(unit, _) => {
                        let (value, per_day) = match unit {
                            TimeUnit::Second => (array.as_primitive::<TimestampSecondType>().value(row), 86_400),
                            TimeUnit::Millisecond => {
                                (array.as_primitive::<TimestampMillisecondType>().value(row), 86_400_000)
                            }
                            TimeUnit::Microsecond => {
                                (array.as_primitive::<TimestampMicrosecondType>().value(row), 86_400_000_000)
                            }
                            TimeUnit::Nanosecond => {
                                (array.as_primitive::<TimestampNanosecondType>().value(row), 86_400_000_000_000)
                            }
                        };
                        whole_days(value, per_day)?
                    }
                    _ => return Ok(()),
                };
                let (year, month, day) = civil_from_days(days);
                write!(out, "{year:04}-{month:02}-{day:02}")
            }
            Column::Dictionary(..) | Column::Null => Ok(()),
        };
        Ok(())
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
    fn exact(&self, ty: Type, row: usize) -> Exact<'a> {
        let array: &dyn Array = match self {
            Column::Text(array, _) | Column::Integer(array, _) | Column::Float(array, _) | Column::Date(array, _) => {
                *array
            }
            Column::Bool(array) => *array,
            Column::Decimal(array, _) => *array,
            Column::Null => return Exact::Absent,
            Column::Dictionary(..) => return Exact::Neither,
        };
        if array.is_null(row) {
            return Exact::Absent;
        }
        match self {
            Column::Text(array, TextKind::Utf8) => Exact::Text(array.as_string::<i32>().value(row)),
            Column::Text(array, TextKind::Large) => Exact::Text(array.as_string::<i64>().value(row)),
            Column::Text(array, TextKind::View) => Exact::Text(array.as_string_view().value(row)),
            Column::Bool(array) => match ty {
                Type::Bool => Exact::Value(Value::Bool(array.value(row))),
                _ => Exact::Neither,
            },
            Column::Integer(array, integer) => integer_value(*array, integer, row)
                .and_then(|value| Decimal::try_from_i128_with_scale(value, 0).ok())
                .and_then(|value| number(value, ty))
                .map_or(Exact::Neither, Exact::Value),
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
            Column::Date(array, DataType::Date32) if ty == Type::Date => {
                let days = i64::from(array.as_primitive::<Date32Type>().value(row));
                date(days).map_or(Exact::Neither, |date| Exact::Value(Value::Date(date)))
            }
            // Floats (which a CSV cell holds by their shortest digits), other
            // dates (which may have a time of day), and a value for a field of
            // another type are read through their text.
            Column::Float(..) | Column::Date(..) | Column::Dictionary(..) | Column::Null => Exact::Neither,
        }
    }
}

/// An integer cell's value; none for a type that is not one.
fn integer_value(array: &dyn Array, ty: &DataType, row: usize) -> Option<i128> {
    Some(match ty {
        DataType::Int8 => i128::from(array.as_primitive::<Int8Type>().value(row)),
        DataType::Int16 => i128::from(array.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => i128::from(array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => i128::from(array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => i128::from(array.as_primitive::<UInt8Type>().value(row)),
        DataType::UInt16 => i128::from(array.as_primitive::<UInt16Type>().value(row)),
        DataType::UInt32 => i128::from(array.as_primitive::<UInt32Type>().value(row)),
        DataType::UInt64 => i128::from(array.as_primitive::<UInt64Type>().value(row)),
        _ => return None,
    })
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
