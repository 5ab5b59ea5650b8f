//! Populations in Parquet files: profiles read row group by row group,
//! outcomes written with the typed columns of [`super::arrow::outcome_schema`],
//! a row group at a time, so memory stays bounded by a row group whatever
//! the size of the file. The evaluation itself is [`super::arrow::run`]'s.

use std::io::Write;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use super::arrow::{ArrowSink, BATCH_ROWS};

/// Rows per row group written: what a writer holds in memory before it writes.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// Whether `path` names a Parquet file (`.parquet`, `.pq`).
pub fn is_parquet(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| matches!(extension.to_ascii_lowercase().as_str(), "parquet" | "pq"))
}

/// A Parquet file's profiles: its schema, how many rows it holds (as its
/// footer says), and its rows in batches, read a row group at a time.
pub struct Profiles<I> {
    pub schema: SchemaRef,
    pub rows: u64,
    pub batches: I,
}

/// The profiles of a Parquet file, read a row group at a time. A column of
/// text stored as a dictionary in every row group is read as one (a
/// `Dictionary` array), so that each of its words is read once a batch,
/// not once a row.
pub fn read(file: std::fs::File) -> Result<Profiles<impl Iterator<Item = Result<RecordBatch, String>> + Send>, String> {
    let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).map_err(|error| error.to_string())?;
    let metadata = match dictionaries(&metadata) {
        Some(schema) => {
            let options = ArrowReaderOptions::new().with_schema(schema);
            ArrowReaderMetadata::try_new(Arc::clone(metadata.metadata()), options).map_err(|error| error.to_string())?
        }
        None => metadata,
    };
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata);
    let schema = Arc::clone(builder.schema());
    let rows = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let reader = builder.with_batch_size(BATCH_ROWS).build().map_err(|error| error.to_string())?;
    Ok(Profiles { schema, rows, batches: reader.map(|batch| batch.map_err(|error| error.to_string())) })
}

/// The file's schema with its columns of text that every row group stores
/// as a dictionary read as `Dictionary(Int32, …)`; none if it has none.
fn dictionaries(metadata: &ArrowReaderMetadata) -> Option<SchemaRef> {
    let parquet = metadata.metadata();
    let row_groups = parquet.row_groups();
    let columns = parquet.file_metadata().schema_descr().columns();
    let stored_as_dictionary = |name: &str| {
        let leaf = columns.iter().position(|column| column.path().parts() == [name]);
        leaf.is_some_and(|leaf| {
            !row_groups.is_empty()
                && row_groups.iter().all(|group| {
                    group.columns().get(leaf).is_some_and(|chunk| chunk.dictionary_page_offset().is_some())
                })
        })
    };
    let mut hinted = false;
    let fields = metadata.schema().fields().iter().map(|field| match field.data_type() {
        text @ (DataType::Utf8 | DataType::LargeUtf8) if stored_as_dictionary(field.name()) => {
            hinted = true;
            let ty = DataType::Dictionary(Box::new(DataType::Int32), Box::new(text.clone()));
            Arc::new(field.as_ref().clone().with_data_type(ty))
        }
        _ => Arc::clone(field),
    });
    let schema = Schema::new_with_metadata(fields.collect::<Vec<_>>(), metadata.schema().metadata().clone());
    hinted.then(|| Arc::new(schema))
}

/// How far through a file of `size` bytes holding `rows` rows a reader is
/// once it has read `done` of them: Parquet is read by row groups, not by
/// bytes, so its progress is its rows' share of the file.
pub fn bytes_read(size: u64, rows: u64, done: u64) -> u64 {
    if rows == 0 {
        return size;
    }
    let share = u128::from(size) * u128::from(done.min(rows)) / u128::from(rows);
    u64::try_from(share).unwrap_or(size)
}

/// A Parquet writer of `schema`'s rows into `out`, row groups of [`ROW_GROUP_ROWS`].
pub fn writer<W: Write + Send>(out: W, schema: SchemaRef) -> std::io::Result<ArrowWriter<W>> {
    let mut properties = WriterProperties::builder().set_max_row_group_row_count(Some(ROW_GROUP_ROWS));
    // A row's number and its name are one of a kind: a dictionary of them
    // would cost a hash a row and save nothing.
    for unique in ["row", "name", "id"] {
        properties = properties.set_column_dictionary_enabled(ColumnPath::from(unique), false);
    }
    let properties = properties.build();
    ArrowWriter::try_new(out, schema, Some(properties)).map_err(parquet_io)
}

/// A Parquet error as an I/O error, its message kept.
pub fn parquet_io(error: parquet::errors::ParquetError) -> std::io::Error {
    match error {
        parquet::errors::ParquetError::External(error) => std::io::Error::other(error),
        other => std::io::Error::other(other.to_string()),
    }
}

/// The columns of `avenant population`, typed: [`crate::population::COLUMNS`]
/// with booleans, whole counts, the clinical fee share as a decimal
/// (`52 %` is 0.52) and the signing date as a date.
pub fn population_schema() -> SchemaRef {
    let fields = crate::population::COLUMNS.iter().map(|name| {
        let ty = match *name {
            "optam" | "grouped_practice" | "coordinated_practice" => DataType::Boolean,
            "patientele_mt" | "file_active" => DataType::Int64,
            "clinical_fee_share" => DataType::Decimal128(5, 2),
            "contract_signed" => DataType::Date32,
            _ => DataType::Utf8,
        };
        Field::new(*name, ty, true)
    });
    Arc::new(Schema::new(fields.collect::<Vec<_>>()))
}

/// Writes `size` physicians drawn from `seed` (the rows of
/// [`crate::population::write`]) as Parquet into `out`.
pub fn write_population<W: Write + Send>(size: u64, seed: u64, out: W) -> std::io::Result<W> {
    let schema = population_schema();
    let mut writer = writer(out, Arc::clone(&schema))?;
    let mut emit = |batch: RecordBatch| writer.write(&batch).map_err(parquet_io);
    let mut sink = ArrowSink::new(schema, &mut emit);
    crate::population::write(size, seed, &mut sink).map_err(std::io::Error::from)?;
    let refused = sink.finish()?;
    if let Some(error) = refused.first() {
        return Err(std::io::Error::other(format!("row {}: {}", error.row, error.message)));
    }
    writer.into_inner().map_err(parquet_io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parquet_progress_is_the_share_of_its_rows_read() {
        assert_eq!(bytes_read(18_000_000, 1_000_000, 0), 0);
        assert_eq!(bytes_read(18_000_000, 1_000_000, 250_000), 4_500_000);
        assert_eq!(bytes_read(18_000_000, 1_000_000, 1_000_000), 18_000_000);
        assert_eq!(bytes_read(u64::MAX, u64::MAX, u64::MAX - 1), u64::MAX - 1, "no overflow on the largest file");
        assert_eq!(bytes_read(100, 0, 0), 100, "a file without rows is read once opened");
        assert_eq!(bytes_read(100, 10, 20), 100, "never past the file");
    }
}
