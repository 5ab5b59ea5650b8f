//! Typed columns filled a row at a time and handed over as Arrow arrays: the
//! one place that turns cells into Arrow values, for the outcomes of a run
//! ([`super::OutcomeColumns`]) and for the rows `avenant population` writes
//! ([`super::ArrowSink`]). A row's cells are pushed one by one and the row is
//! then either kept whole ([`Row::keep`]) or taken back whole (a [`Row`]
//! dropped unkept), so a row one of whose cells does not fit is never
//! written in part. A number is kept at its column's scale exactly,
//! or refused; never rounded. The buffers are plain vectors that become the
//! arrays' buffers without a copy, made again at the size of the last batch.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int64Array, RecordBatch, StringArray};
use arrow_array::{UInt64Array, builder::BooleanBufferBuilder};
use arrow_buffer::{Buffer, NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType, SchemaRef};
use rust_decimal::Decimal;

use super::days_from_civil;

/// A cell to push: its value, as the caller has it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    Null,
    Bool(bool),
    Decimal(Decimal),
    Date(jiff::civil::Date),
    /// An empty text is a null, as an empty CSV cell is.
    Text(&'a str),
    Unsigned(u64),
    Integer(i64),
}

/// What a column holds, for a caller that reads cells as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Bool,
    Decimal,
    Date,
    Text,
    Unsigned,
    Integer,
}

/// Why a cell was not pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The value has no exact place in its column (too many decimals or
    /// digits, a date beyond 32 bits of days): the row is refused, not rounded.
    Inexact(String),
    /// A value of another kind than its column's: the caller's mistake.
    Kind,
}

/// The columns of one schema, a row at a time.
pub(crate) struct Columns {
    schema: SchemaRef,
    columns: Vec<Column>,
    /// Rows kept whole: every column holds this many cells between rows.
    rows: usize,
}

impl Columns {
    /// Columns for `schema`: booleans, `Decimal128`, `Date32`, `UInt64`,
    /// `Int64`; any other type is filled as text.
    pub(crate) fn new(schema: SchemaRef) -> Columns {
        let columns = schema.fields().iter().map(|field| Column::new(field.data_type())).collect();
        Columns { schema, columns, rows: 0 }
    }

    /// The name of the column at `index`.
    pub(crate) fn name(&self, index: usize) -> Option<String> {
        self.schema.fields().get(index).map(|field| field.name().clone())
    }

    /// The rows kept since the last batch.
    pub(crate) fn len(&self) -> usize {
        self.rows
    }

    /// The next row, to push its cells into, column after column.
    pub(crate) fn row(&mut self) -> Row<'_> {
        Row { columns: self, next: 0 }
    }

    /// Takes back the cells pushed since the last row kept.
    fn take_back(&mut self) {
        for column in &mut self.columns {
            column.truncate(self.rows);
        }
    }

    /// The rows kept since the last batch, as a batch; the columns start again, empty.
    pub(crate) fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let columns = self.columns.iter_mut().map(Column::finish).collect::<Result<Vec<_>, _>>()?;
        self.rows = 0;
        RecordBatch::try_new(Arc::clone(&self.schema), columns)
    }
}

/// A row being pushed: kept whole ([`Row::keep`]) once every column has its
/// cell, taken back whole otherwise (when it is dropped unkept).
pub(crate) struct Row<'c> {
    columns: &'c mut Columns,
    /// The column the next cell goes to.
    next: usize,
}

impl Row<'_> {
    /// Pushes the next column's cell; the index of that column with why, if it is refused.
    #[inline(always)]
    pub(crate) fn push(&mut self, cell: Cell<'_>) -> Result<(), (usize, Refused)> {
        let index = self.next;
        let column = self.columns.columns.get_mut(index).ok_or((index, Refused::Kind))?;
        column.push(cell).map_err(|refused| (index, refused))?;
        self.next += 1;
        Ok(())
    }

    /// What the next column holds; text once every column has its cell.
    pub(crate) fn kind(&self) -> Kind {
        self.columns.columns.get(self.next).map_or(Kind::Text, Column::kind)
    }

    /// Keeps the row; `Refused::Kind`, and the row taken back, if a column has no cell.
    pub(crate) fn keep(mut self) -> Result<(), (usize, Refused)> {
        if self.next != self.columns.columns.len() {
            return Err((self.next, Refused::Kind));
        }
        self.columns.rows += 1;
        // Nothing to take back: the row is kept.
        self.next = 0;
        Ok(())
    }
}

impl Drop for Row<'_> {
    fn drop(&mut self) {
        if self.next > 0 {
            self.columns.take_back();
        }
    }
}

/// Rows pushed a column at a time, for a caller that reads its rows' cells
/// column by column: each column is given one cell per row in turn, then
/// the rows are kept whole ([`Block::keep`]) or taken back whole (a
/// [`Block`] dropped unkept), as a [`Row`] is.
pub(crate) struct Block<'c> {
    columns: &'c mut Columns,
    rows: usize,
    /// The column the next cells go to.
    next: usize,
    kept: bool,
}

impl Columns {
    /// The next `rows` rows, to push their cells into, column after column.
    pub(crate) fn block(&mut self, rows: usize) -> Block<'_> {
        Block { columns: self, rows, next: 0, kept: false }
    }
}

impl Block<'_> {
    /// The next column, to push one cell per row of the block into.
    pub(crate) fn column(&mut self) -> Option<&mut Column> {
        let column = self.columns.columns.get_mut(self.next);
        self.next += 1;
        column
    }

    /// Keeps the rows, if every column has its cell in each; takes them back otherwise.
    pub(crate) fn keep(mut self) -> bool {
        let rows = self.columns.rows + self.rows;
        self.kept = self.columns.columns.iter().all(|column| column.len() == rows);
        if self.kept {
            self.columns.rows = rows;
        }
        self.kept
    }
}

impl Drop for Block<'_> {
    fn drop(&mut self) {
        if !self.kept {
            self.columns.take_back();
        }
    }
}

/// One column: its values (a default one where the cell is null) and which are set.
pub(crate) struct Column {
    values: Values,
    valid: NullBufferBuilder,
}

enum Values {
    Bool(BooleanBufferBuilder),
    Decimal {
        mantissas: Vec<i128>,
        precision: u8,
        scale: u32,
    },
    Date(Vec<i32>),
    /// UTF-8 bytes, and where each cell's ends (after a first 0).
    Text {
        bytes: Vec<u8>,
        ends: Vec<i32>,
    },
    Unsigned(Vec<u64>),
    Integer(Vec<i64>),
}

impl Column {
    fn new(ty: &DataType) -> Column {
        let values = match ty {
            DataType::Boolean => Values::Bool(BooleanBufferBuilder::new(0)),
            DataType::Decimal128(precision, scale) => {
                Values::Decimal { mantissas: Vec::new(), precision: *precision, scale: u32::from(scale.unsigned_abs()) }
            }
            DataType::Date32 => Values::Date(Vec::new()),
            DataType::UInt64 => Values::Unsigned(Vec::new()),
            DataType::Int64 => Values::Integer(Vec::new()),
            _ => Values::Text { bytes: Vec::new(), ends: vec![0] },
        };
        Column { values, valid: NullBufferBuilder::new(0) }
    }

    #[inline]
    fn len(&self) -> usize {
        self.valid.len()
    }

    pub(crate) fn kind(&self) -> Kind {
        match self.values {
            Values::Bool(_) => Kind::Bool,
            Values::Decimal { .. } => Kind::Decimal,
            Values::Date(_) => Kind::Date,
            Values::Text { .. } => Kind::Text,
            Values::Unsigned(_) => Kind::Unsigned,
            Values::Integer(_) => Kind::Integer,
        }
    }

    /// Appends a cell; nothing if it is refused.
    #[inline(always)]
    pub(crate) fn push(&mut self, cell: Cell<'_>) -> Result<(), Refused> {
        match (&mut self.values, cell) {
            (values, Cell::Null) | (values @ Values::Text { .. }, Cell::Text("")) => {
                values.push_default();
                self.valid.append_null();
                return Ok(());
            }
            (Values::Bool(values), Cell::Bool(value)) => values.append(value),
            (Values::Decimal { mantissas, precision, scale }, Cell::Decimal(value)) => {
                mantissas.push(mantissa_at(value, *scale, *precision).map_err(Refused::Inexact)?);
            }
            (Values::Date(days), Cell::Date(date)) => {
                let day = days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day()));
                // Any date jiff holds is within 32 bits of days; were one not, its row is refused, not emptied.
                let day =
                    i32::try_from(day).map_err(|_| Refused::Inexact(format!("{date} is beyond a `date32` column")))?;
                days.push(day);
            }
            (Values::Text { bytes, ends }, Cell::Text(text)) => {
                let end = bytes.len() + text.len();
                let end = i32::try_from(end).map_err(|_| {
                    Refused::Inexact("the texts of a batch are more than a `utf8` column holds".to_owned())
                })?;
                bytes.extend_from_slice(text.as_bytes());
                ends.push(end);
            }
            (Values::Unsigned(values), Cell::Unsigned(value)) => values.push(value),
            (Values::Integer(values), Cell::Integer(value)) => values.push(value),
            _ => return Err(Refused::Kind),
        }
        self.valid.append_non_null();
        Ok(())
    }

    /// Keeps the first `len` cells.
    fn truncate(&mut self, len: usize) {
        if self.len() <= len {
            return;
        }
        self.valid.truncate(len);
        match &mut self.values {
            Values::Bool(values) => values.truncate(len),
            Values::Decimal { mantissas, .. } => mantissas.truncate(len),
            Values::Date(days) => days.truncate(len),
            Values::Text { bytes, ends } => {
                ends.truncate(len + 1);
                bytes.truncate(ends.last().and_then(|end| usize::try_from(*end).ok()).unwrap_or(0));
            }
            Values::Unsigned(values) => values.truncate(len),
            Values::Integer(values) => values.truncate(len),
        }
    }

    /// The column's cells as an array; the column starts again, empty, with room for as many.
    fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
        let rows = self.len();
        let nulls = self.valid.finish();
        Ok(match &mut self.values {
            Values::Bool(values) => Arc::new(BooleanArray::new(values.finish(), nulls)),
            Values::Decimal { mantissas, precision, scale } => {
                let values = ScalarBuffer::from(std::mem::replace(mantissas, Vec::with_capacity(rows)));
                let scale = i8::try_from(*scale).map_err(|_| ArrowError::InvalidArgumentError("scale".to_owned()))?;
                Arc::new(Decimal128Array::try_new(values, nulls)?.with_precision_and_scale(*precision, scale)?)
            }
            Values::Date(days) => Arc::new(Date32Array::try_new(
                ScalarBuffer::from(std::mem::replace(days, Vec::with_capacity(rows))),
                nulls,
            )?),
            Values::Text { bytes, ends } => {
                let mut next = Vec::with_capacity(rows + 1);
                next.push(0);
                // Never empty, from 0 and never decreasing: as `push` and `truncate` keep them.
                let offsets = OffsetBuffer::new(ScalarBuffer::from(std::mem::replace(ends, next)));
                let capacity = bytes.len();
                let bytes = Buffer::from_vec(std::mem::replace(bytes, Vec::with_capacity(capacity)));
                Arc::new(StringArray::try_new(offsets, bytes, nulls)?)
            }
            Values::Unsigned(values) => Arc::new(UInt64Array::try_new(
                ScalarBuffer::from(std::mem::replace(values, Vec::with_capacity(rows))),
                nulls,
            )?),
            Values::Integer(values) => Arc::new(Int64Array::try_new(
                ScalarBuffer::from(std::mem::replace(values, Vec::with_capacity(rows))),
                nulls,
            )?),
        })
    }
}

impl Values {
    /// The value a null cell holds in its place.
    #[inline(always)]
    fn push_default(&mut self) {
        match self {
            Values::Bool(values) => values.append(false),
            Values::Decimal { mantissas, .. } => mantissas.push(0),
            Values::Date(days) => days.push(0),
            Values::Text { ends, .. } => ends.push(ends.last().copied().unwrap_or(0)),
            Values::Unsigned(values) => values.push(0),
            Values::Integer(values) => values.push(0),
        }
    }
}

/// A decimal as a mantissa at `scale`, exactly, of at most `precision`
/// digits: a value with more decimals, or more digits, is refused.
#[inline(always)]
pub(crate) fn mantissa_at(value: Decimal, scale: u32, precision: u8) -> Result<i128, String> {
    at_scale(value, scale, precision).map_or_else(|| normalized_at(value, scale, precision), Ok)
}

/// The mantissa of `value` at `scale`, if it has no more decimals and fits in `precision` digits.
#[inline(always)]
fn at_scale(value: Decimal, scale: u32, precision: u8) -> Option<i128> {
    let factor = POWERS.get(scale.checked_sub(value.scale())? as usize)?;
    value.mantissa().checked_mul(*factor).filter(|mantissa| mantissa.unsigned_abs() < power_of_ten(precision))
}

/// [`mantissa_at`] for a value that does not fit as it is written.
#[inline(never)]
fn normalized_at(value: Decimal, scale: u32, precision: u8) -> Result<i128, String> {
    // A value with more decimals than the column's may still fit: 1.0000 is 1.
    let value = value.normalize();
    if value.scale() > scale {
        return Err(format!("{value} has {} decimals, more than the {scale} its column holds", value.scale()));
    }
    at_scale(value, scale, precision)
        .ok_or_else(|| format!("{value} has more than the {precision} digits its column holds"))
}

/// 10^0 to 10^38: every power an `i128` holds.
#[expect(clippy::indexing_slicing, reason = "evaluated when compiling, where an index out of range does not build")]
const POWERS: [i128; 39] = {
    let mut powers = [1i128; 39];
    let mut index = 1;
    while index < powers.len() {
        powers[index] = powers[index - 1] * 10;
        index += 1;
    }
    powers
};

/// 10^`digits`, or past every `i128` beyond 38 digits.
#[inline]
fn power_of_ten(digits: u8) -> u128 {
    POWERS.get(usize::from(digits)).map_or(u128::MAX, |power| power.unsigned_abs())
}

#[cfg(test)]
mod tests {
    use arrow_array::Array as _;
    use arrow_array::cast::AsArray as _;
    use arrow_array::types::Decimal128Type;
    use arrow_schema::{Field, Schema};

    use super::*;

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("flag", DataType::Boolean, true),
            Field::new("amount", DataType::Decimal128(18, 2), true),
            Field::new("day", DataType::Date32, true),
            Field::new("text", DataType::Utf8, true),
            Field::new("row", DataType::UInt64, false),
            Field::new("count", DataType::Int64, true),
        ]))
    }

    fn push_row(columns: &mut Columns, cells: &[Cell<'_>]) -> Result<(), Refused> {
        let mut row = columns.row();
        for cell in cells {
            row.push(*cell).map_err(|(_, refused)| refused)?;
        }
        row.keep().map_err(|(_, refused)| refused)
    }

    #[test]
    fn a_refused_cell_takes_its_whole_row_back_and_the_others_stay() {
        let mut columns = Columns::new(schema());
        let day = jiff::civil::date(2024, 2, 29);
        let first = [
            Cell::Bool(true),
            Cell::Decimal(Decimal::new(125, 1)),
            Cell::Date(day),
            Cell::Text("a,b"),
            Cell::Unsigned(1),
            Cell::Integer(-3),
        ];
        push_row(&mut columns, &first).unwrap();
        // Refused at its fourth cell: the three before it are taken back too.
        let finer =
            [Cell::Bool(false), Cell::Decimal(Decimal::new(1, 0)), Cell::Null, Cell::Decimal(Decimal::new(1, 0))];
        assert_eq!(push_row(&mut columns, &finer), Err(Refused::Kind));
        let inexact = [Cell::Bool(false), Cell::Decimal(Decimal::new(125, 3))];
        assert!(
            matches!(push_row(&mut columns, &inexact), Err(Refused::Inexact(message)) if message.contains("decimals"))
        );
        let short = [Cell::Bool(false), Cell::Null];
        assert_eq!(push_row(&mut columns, &short), Err(Refused::Kind), "a row that leaves a column out is not kept");
        let second = [Cell::Null, Cell::Null, Cell::Null, Cell::Text(""), Cell::Unsigned(4), Cell::Null];
        push_row(&mut columns, &second).unwrap();
        assert_eq!(columns.len(), 2);
        let batch = columns.finish().unwrap();
        assert_eq!(batch.num_rows(), 2);
        assert!(batch.column(0).as_boolean().value(0));
        assert_eq!(batch.column(1).as_primitive::<Decimal128Type>().value(0), 1250);
        assert_eq!(batch.column(1).data_type(), &DataType::Decimal128(18, 2));
        assert_eq!(batch.column(2).as_primitive::<arrow_array::types::Date32Type>().value(0), 19_782);
        assert_eq!(batch.column(3).as_string::<i32>().value(0), "a,b");
        assert_eq!(batch.column(4).as_primitive::<arrow_array::types::UInt64Type>().values(), &[1, 4]);
        assert_eq!(batch.column(5).as_primitive::<arrow_array::types::Int64Type>().value(0), -3);
        for column in batch.columns() {
            assert!(column.is_valid(0) && (column.is_null(1) || column.data_type() == &DataType::UInt64));
        }
        // The columns start again, empty, and fill as before.
        push_row(&mut columns, &first).unwrap();
        let again = columns.finish().unwrap();
        assert_eq!(again.num_rows(), 1);
        assert_eq!(again.column(3).as_string::<i32>().value(0), "a,b");
        assert_eq!(columns.finish().unwrap().num_rows(), 0);
    }

    /// Cells pushed a column at a time: the rows kept whole once every
    /// column has its cells, taken back whole otherwise, kept or not.
    #[test]
    fn a_block_is_kept_whole_or_taken_back_whole() {
        let mut columns = Columns::new(schema());
        let day = jiff::civil::date(2024, 2, 29);
        let cells = |row: u64| {
            [
                Cell::Bool(row == 1),
                Cell::Decimal(Decimal::new(125, 1)),
                Cell::Date(day),
                Cell::Text("a"),
                Cell::Unsigned(row),
                Cell::Integer(-3),
            ]
        };
        let push = |block: &mut Block<'_>, rows: &[u64], columns: usize| {
            for index in 0..columns {
                let column = block.column().unwrap();
                for row in rows {
                    column.push(cells(*row)[index]).unwrap();
                }
            }
        };
        let mut block = columns.block(2);
        push(&mut block, &[1, 2], 6);
        assert!(block.column().is_none(), "six columns, no more");
        assert!(block.keep(), "every column has its two cells");
        let mut short = columns.block(2);
        push(&mut short, &[3, 4], 5);
        assert!(!short.keep(), "a column left without its cells");
        let mut dropped = columns.block(1);
        push(&mut dropped, &[5], 6);
        drop(dropped);
        let mut block = columns.block(1);
        push(&mut block, &[6], 6);
        assert!(block.keep());
        assert_eq!(columns.len(), 3);
        let batch = columns.finish().unwrap();
        assert_eq!(batch.column(4).as_primitive::<arrow_array::types::UInt64Type>().values(), &[1, 2, 6]);
        assert_eq!(batch.column(0).as_boolean().iter().collect::<Vec<_>>(), [Some(true), Some(false), Some(false)]);
    }

    #[test]
    fn decimals_keep_their_digits_or_are_refused() {
        assert_eq!(mantissa_at(Decimal::new(3, 1), 2, 18), Ok(30));
        assert_eq!(mantissa_at(Decimal::new(1_900_000, 2), 2, 18), Ok(1_900_000));
        assert_eq!(mantissa_at(Decimal::new(10_000, 4), 2, 18), Ok(100), "1.0000 has no decimal but zeros");
        assert_eq!(mantissa_at(Decimal::new(1_234_000, 5), 2, 18), Ok(1_234), "12.34000 has two decimals");
        let long = Decimal::from_i128_with_scale(1_000_000_000_000_000_001, 2);
        assert!(mantissa_at(long, 2, 18).unwrap_err().contains("18 digits"), "its two decimals fit, its digits do not");
        assert!(mantissa_at(Decimal::new(125, 3), 2, 18).is_err(), "0.125 is not rounded to two decimals");
        let largest = Decimal::from_i128_with_scale(999_999_999_999_999_999, 2);
        assert_eq!(mantissa_at(largest, 2, 18), Ok(999_999_999_999_999_999));
        let beyond = Decimal::from_i128_with_scale(1_000_000_000_000_000_000, 2);
        assert!(mantissa_at(beyond, 2, 18).unwrap_err().contains("18 digits"), "10^16 euros is past 18 digits");
        assert!(mantissa_at(beyond, 2, 38).is_ok());
        assert!(mantissa_at(Decimal::new(100_000, 2), 2, 5).is_err(), "1000.00 is past a column of 5 digits");
    }
}
