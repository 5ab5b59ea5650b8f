//! Populations in Parquet files: profiles read row group by row group,
//! outcomes written with the typed columns of [`super::arrow::outcome_schema`],
//! a row group at a time, so memory stays bounded by a row group whatever
//! the size of the file. The evaluation itself is [`super::arrow::run`]'s.

use std::io::Write;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::arrow_writer::{ArrowColumnWriter, ArrowRowGroupWriterFactory, compute_leaves};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::ChunkReader;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use rayon::prelude::*;

use super::RowError;
use super::arrow::{ArrowSink, BATCH_ROWS, RejectColumns};
use super::contained::contained;

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
///
/// A damaged file is an error, never a crash: where the decoder fails (or
/// panics, as it does on some lengths a file lies about), the batches end
/// with an error naming the first row it could not decode.
pub fn read<R: ChunkReader + 'static>(
    file: R,
) -> Result<Profiles<impl Iterator<Item = Result<RecordBatch, String>> + Send>, String> {
    contained(|| open(file)).unwrap_or_else(|message| Err(damaged(&message)))
}

fn open<R: ChunkReader + 'static>(file: R) -> Result<Profiles<Decoded>, String> {
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
    Ok(Profiles { schema, rows, batches: Decoded { reader: Some(reader), rows: 0 } })
}

/// A file's batches as the decoder gives them, until the first it cannot.
struct Decoded {
    /// None once a batch could not be decoded: the decoder is not asked again.
    reader: Option<ParquetRecordBatchReader>,
    /// Rows decoded so far.
    rows: u64,
}

impl Iterator for Decoded {
    type Item = Result<RecordBatch, String>;

    fn next(&mut self) -> Option<Self::Item> {
        let reader = self.reader.as_mut()?;
        let failure = match contained(|| reader.next()) {
            Ok(None) => None,
            Ok(Some(Ok(batch))) => {
                self.rows += batch.num_rows() as u64;
                return Some(Ok(batch));
            }
            Ok(Some(Err(error))) => Some(error.to_string()),
            Err(panicked) => Some(damaged(&panicked)),
        };
        // A reader that failed may be in any state: it is dropped, and dropped contained.
        let _ = contained(|| drop(self.reader.take()));
        failure.map(|message| Err(format!("from row {}: {message}", self.rows + 1)))
    }
}

/// What the decoder said when it panicked, as the user can act on it.
fn damaged(panicked: &str) -> String {
    format!("the file is damaged: the Parquet decoder failed on it ({panicked})")
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

/// A Parquet file being written: rows kept in row groups of
/// [`ROW_GROUP_ROWS`], each batch's columns encoded at once, a task a column
/// on rayon's threads. Encoding (dictionaries, statistics, pages) is most of
/// what writing Parquet costs, and an `ArrowWriter` does it column after
/// column on the thread that writes: on a machine of many cores that one
/// thread would hold every other back.
pub struct Writer<W: Write + Send> {
    file: SerializedFileWriter<W>,
    columns: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    /// The row group being written: a writer a column, and its rows so far.
    group: Option<(Vec<ArrowColumnWriter>, usize)>,
}

/// A Parquet writer of `schema`'s rows into `out`, row groups of [`ROW_GROUP_ROWS`].
pub fn writer<W: Write + Send>(out: W, schema: SchemaRef) -> std::io::Result<Writer<W>> {
    // An `ArrowWriter` gives the file its Arrow schema (kept in its footer,
    // for readers to get back each column's Arrow type) and its columns' writers.
    let arrow = ArrowWriter::try_new(out, Arc::clone(&schema), Some(properties())).map_err(parquet_io)?;
    let (file, columns) = arrow.into_serialized_writer().map_err(parquet_io)?;
    Ok(Writer { file, columns, schema, group: None })
}

impl<W: Write + Send> Writer<W> {
    /// Writes `batch`'s rows, of the writer's schema, after those written before.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), ParquetError> {
        if batch.schema_ref().fields() != self.schema.fields() {
            return Err(ParquetError::General(format!(
                "a batch of columns {} written to a file of columns {}",
                batch.schema_ref(),
                self.schema
            )));
        }
        let mut rest = batch.clone();
        while rest.num_rows() > 0 {
            let (columns, rows) = match &mut self.group {
                Some(group) => group,
                none => none.insert((self.columns.create_column_writers(self.file.flushed_row_groups().len())?, 0)),
            };
            let taken = rest.num_rows().min(ROW_GROUP_ROWS - *rows);
            let part = rest.slice(0, taken);
            rest = rest.slice(taken, rest.num_rows() - taken);
            let mut leaves = Vec::with_capacity(columns.len());
            for (field, column) in self.schema.fields().iter().zip(part.columns()) {
                leaves.extend(compute_leaves(field, column)?);
            }
            columns.par_iter_mut().zip(leaves.par_iter()).try_for_each(|(column, leaf)| column.write(leaf))?;
            *rows += taken;
            if *rows >= ROW_GROUP_ROWS {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Writes the row group being written, if any, whole.
    fn flush(&mut self) -> Result<(), ParquetError> {
        let Some((columns, _)) = self.group.take() else { return Ok(()) };
        let chunks = columns.into_par_iter().map(ArrowColumnWriter::close).collect::<Result<Vec<_>, _>>()?;
        let mut group = self.file.next_row_group()?;
        for chunk in chunks {
            chunk.append_to_row_group(&mut group)?;
        }
        group.close()?;
        Ok(())
    }

    /// Writes the last row group and the footer; the file is then whole.
    pub fn close(mut self) -> Result<(), ParquetError> {
        self.flush()?;
        self.file.close().map(drop)
    }

    /// As [`Writer::close`], giving back what it wrote into.
    pub fn into_inner(mut self) -> Result<W, ParquetError> {
        self.flush()?;
        self.file.into_inner()
    }
}

/// Rejected rows written as Parquet, with the columns of their
/// [`RejectColumns`], a batch of [`BATCH_ROWS`] at a time.
pub struct Rejects<W: Write + Send> {
    writer: Writer<W>,
    columns: RejectColumns,
}

impl<W: Write + Send> Rejects<W> {
    /// Rows made into `columns` (an `eval`'s by default, or a diff's) and written into `out`.
    pub fn new(out: W, columns: RejectColumns) -> std::io::Result<Rejects<W>> {
        Ok(Rejects { writer: writer(out, columns.schema())?, columns })
    }

    /// `error`, refused by `side` in a diff, after those pushed before it.
    pub fn push(&mut self, side: Option<&str>, error: &RowError) -> std::io::Result<()> {
        self.columns.push(side, error);
        if self.columns.len() >= BATCH_ROWS {
            self.write_batch()?;
        }
        Ok(())
    }

    /// Writes the rows left, then the file's footer; gives back what it wrote into.
    pub fn close(mut self) -> std::io::Result<W> {
        if !self.columns.is_empty() {
            self.write_batch()?;
        }
        self.writer.into_inner().map_err(parquet_io)
    }

    fn write_batch(&mut self) -> std::io::Result<()> {
        let batch = self.columns.finish().map_err(super::arrow::arrow_io)?;
        self.writer.write(&batch).map_err(parquet_io)
    }
}

/// How avenant writes Parquet: row groups of [`ROW_GROUP_ROWS`], a
/// dictionary for every column but those of values each its own.
pub fn properties() -> WriterProperties {
    let mut properties = WriterProperties::builder().set_max_row_group_row_count(Some(ROW_GROUP_ROWS));
    // A row's number, its line and its name are one of a kind: a dictionary
    // of them would cost a hash a row and save nothing.
    for unique in ["row", "line", "name", "id"] {
        properties = properties.set_column_dictionary_enabled(ColumnPath::from(unique), false);
    }
    properties.build()
}

/// A Parquet error as an I/O error, its message kept.
pub fn parquet_io(error: ParquetError) -> std::io::Error {
    match error {
        ParquetError::External(error) => std::io::Error::other(error),
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
    use arrow_array::{ArrayRef, BooleanArray, Date32Array, Decimal128Array, StringArray, UInt64Array};

    use super::*;

    /// Rows of each kind of column avenant writes, nulls among them.
    fn outcomes(rows: usize) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("row", DataType::UInt64, false),
            Field::new("name", DataType::Utf8, true),
            Field::new("band", DataType::Utf8, true),
            Field::new("aid", DataType::Decimal128(18, 2), true),
            Field::new("open", DataType::Boolean, true),
            Field::new("signed", DataType::Date32, true),
        ]));
        let bands = ["p30_p50", "p50_p70", "above_p90"];
        let aid = Decimal128Array::from_iter((0..rows).map(|i| (i % 7 != 0).then_some((i % 97) as i128 * 25_000)));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from_iter_values(0..rows as u64)),
            Arc::new(StringArray::from_iter((0..rows).map(|i| (i % 11 != 0).then(|| format!("P{i:07}"))))),
            Arc::new(StringArray::from_iter((0..rows).map(|i| bands.get(i % 4).copied()))),
            Arc::new(aid.with_precision_and_scale(18, 2).unwrap()),
            Arc::new(BooleanArray::from_iter((0..rows).map(|i| (i % 5 != 0).then_some(i % 3 == 0)))),
            Arc::new(Date32Array::from_iter((0..rows).map(|i| (i % 13 != 0).then_some(19_000 + (i % 400) as i32)))),
        ];
        RecordBatch::try_new(schema, columns).unwrap()
    }

    #[test]
    fn columns_encoded_at_once_make_the_file_an_arrow_writer_makes() {
        // Batches that cut row groups in the middle, of one row, of none.
        let whole = outcomes(150_000);
        let mut ours = writer(Vec::new(), whole.schema()).unwrap();
        let mut theirs = ArrowWriter::try_new(Vec::new(), whole.schema(), Some(properties())).unwrap();
        let mut at = 0;
        for rows in [1, 65_534, 0, 3, 70_000, 2_048, 12_414] {
            let part = whole.slice(at, rows);
            ours.write(&part).unwrap();
            theirs.write(&part).unwrap();
            at += rows;
        }
        assert_eq!(at, whole.num_rows());
        let (ours, theirs) = (ours.into_inner().unwrap(), theirs.into_inner().unwrap());
        assert!(ours == theirs, "the same bytes as the crate's own writer, footer and all");

        let file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut &file, &ours).unwrap();
        let read = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let groups: Vec<i64> = read.metadata().row_groups().iter().map(|group| group.num_rows()).collect();
        assert_eq!(groups, [65_536, 65_536, 18_928]);
        let mut at = 0;
        for batch in read.build().unwrap() {
            let batch = batch.unwrap();
            assert_eq!(batch, whole.slice(at, batch.num_rows()), "rows read back as written, from row {at}");
            at += batch.num_rows();
        }
        assert_eq!(at, whole.num_rows());
    }

    #[test]
    fn text_kept_as_a_dictionary_in_every_row_group_is_read_as_one() {
        let file = write_population(3_000, 2019, tempfile::tempfile().unwrap()).unwrap();
        let profiles = read(file).unwrap();
        let ty = |name: &str| profiles.schema.field_with_name(name).unwrap().data_type().clone();
        let words = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        assert_eq!(ty("specialty"), words, "a few words, each read once a batch");
        assert_eq!(ty("zone"), words);
        assert_eq!(ty("id"), DataType::Utf8, "written without a dictionary: read as it comes");
        assert_eq!(ty("patientele_mt"), DataType::Int64, "only text is hinted");
        assert_eq!(profiles.rows, 3_000);
    }

    #[test]
    fn a_batch_of_other_columns_is_refused_not_written() {
        let whole = outcomes(10);
        let mut ours = writer(Vec::new(), whole.schema()).unwrap();
        let fewer = whole.project(&[0, 1]).unwrap();
        let error = ours.write(&fewer).unwrap_err();
        assert!(error.to_string().contains("a batch of columns"), "{error}");
        ours.write(&whole).unwrap();
        assert!(!ours.into_inner().unwrap().is_empty());
    }

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
