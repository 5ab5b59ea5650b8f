//! Rejected rows as typed Arrow columns: those of the CLI's `--errors`
//! report (`row,line,field,code,message,help`), the numbers as integers and
//! a field or a help that is not given as a null.

use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder as _, StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

use crate::batch::RowError;

/// The columns of [`rejects`].
pub fn rejects_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("row", DataType::UInt64, false),
        Field::new("line", DataType::UInt64, false),
        Field::new("field", DataType::Utf8, true),
        Field::new("code", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, false),
        Field::new("help", DataType::Utf8, true),
    ]))
}

/// `errors` as one batch of [`rejects_schema`], in their order.
pub fn rejects(errors: &[RowError]) -> Result<RecordBatch, ArrowError> {
    let mut columns = RejectColumns::default();
    errors.iter().for_each(|error| columns.push(error));
    columns.finish()
}

/// Rejected rows being made into a batch of [`rejects_schema`].
#[derive(Default)]
pub struct RejectColumns {
    row: UInt64Builder,
    line: UInt64Builder,
    field: StringBuilder,
    code: StringBuilder,
    message: StringBuilder,
    help: StringBuilder,
}

impl RejectColumns {
    /// `error`, after those pushed before it.
    pub fn push(&mut self, error: &RowError) {
        self.row.append_value(error.row);
        self.line.append_value(error.line);
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
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.row.finish()),
            Arc::new(self.line.finish()),
            Arc::new(self.field.finish()),
            Arc::new(self.code.finish()),
            Arc::new(self.message.finish()),
            Arc::new(self.help.finish()),
        ];
        RecordBatch::try_new(rejects_schema(), columns)
    }
}
