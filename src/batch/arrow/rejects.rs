//! Rejected rows as typed Arrow columns: those of the CLI's `--errors`
//! report (`row,line,field,code,message,help`; a diff's has the `side` that
//! refused the row after `line`), the numbers as integers and a field or a
//! help that is not given as a null.

use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder as _, StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

use crate::batch::RowError;

/// The columns of `eval --errors`, and after `line` the `side` of a diff's
/// (the text that refused the row: `old`, `new` or `both`).
fn schema(sided: bool) -> SchemaRef {
    let mut fields = vec![Field::new("row", DataType::UInt64, false), Field::new("line", DataType::UInt64, false)];
    if sided {
        fields.push(Field::new("side", DataType::Utf8, false));
    }
    fields.extend([
        Field::new("field", DataType::Utf8, true),
        Field::new("code", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, false),
        Field::new("help", DataType::Utf8, true),
    ]);
    Arc::new(Schema::new(fields))
}

/// Rejected rows being made into a batch: an `eval`'s by default, a
/// diff's from [`RejectColumns::of_diff`].
#[derive(Default)]
pub struct RejectColumns {
    row: UInt64Builder,
    line: UInt64Builder,
    side: Option<StringBuilder>,
    field: StringBuilder,
    code: StringBuilder,
    message: StringBuilder,
    help: StringBuilder,
}

impl RejectColumns {
    /// The rejected rows of a diff, each with the side that refused it.
    pub fn of_diff() -> RejectColumns {
        RejectColumns { side: Some(StringBuilder::new()), ..RejectColumns::default() }
    }

    /// The columns of the batches made.
    pub fn schema(&self) -> SchemaRef {
        schema(self.side.is_some())
    }

    /// `error`, refused by `side` in a diff, after those pushed before it.
    /// A side given to an `eval`'s columns is not kept; a diff's row
    /// without one makes [`RejectColumns::finish`] fail.
    pub fn push(&mut self, side: Option<&str>, error: &RowError) {
        self.row.append_value(error.row);
        self.line.append_value(error.line);
        if let Some(sides) = self.side.as_mut() {
            sides.append_option(side);
        }
        self.field.append_option(error.field.as_deref());
        self.code.append_value(error.code);
        self.message.append_value(&error.message);
        self.help.append_option(error.help.as_deref());
    }

    /// How many rows are pushed and not yet finished.
    pub fn len(&self) -> usize {
        self.row.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows pushed, as one batch; none is kept.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let mut columns: Vec<ArrayRef> = vec![Arc::new(self.row.finish()), Arc::new(self.line.finish())];
        if let Some(sides) = self.side.as_mut() {
            columns.push(Arc::new(sides.finish()));
        }
        columns.extend([
            Arc::new(self.field.finish()) as ArrayRef,
            Arc::new(self.code.finish()),
            Arc::new(self.message.finish()),
            Arc::new(self.help.finish()),
        ]);
        RecordBatch::try_new(self.schema(), columns)
    }
}
