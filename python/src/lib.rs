//! `avenant._avenant`: the Rust side of the Python package. It loads a
//! policy, evaluates Arrow tables with the population engine (the compiled
//! evaluator on all cores, the GIL released) and explains one profile. The
//! Python package (`python/avenant/`) turns pandas and polars frames into
//! Arrow and gives the documented API; everything here is reached through it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_pyarrow::{PyArrowType, Table};
use arrow_schema::Schema;
use avenant::batch::{self, Options, RowError};
use avenant::eval::compiled::CompiledPolicy;
use avenant::{LoadError, Loaded};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

pyo3::create_exception!(
    _avenant,
    AvenantError,
    PyException,
    "An error avenant reports: `.code`, `.message`, `.place`."
);

/// A checked policy, ready to evaluate: a text with the texts it amends.
#[pyclass(frozen, module = "avenant._avenant")]
struct Policy {
    loaded: Loaded,
    on: jiff::civil::Date,
    path: PathBuf,
}

/// One diagnostic as Python data: code, message, place (`file:line:column`), help.
fn diagnostic_dict<'py>(
    py: Python<'py>,
    code: &str,
    message: &str,
    place: Option<String>,
    help: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("code", code)?;
    dict.set_item("message", message)?;
    dict.set_item("place", place)?;
    dict.set_item("help", help)?;
    Ok(dict)
}

/// An `AvenantError` whose first diagnostic gives its code, message and
/// place; `.diagnostics` holds them all.
fn raise(py: Python<'_>, diagnostics: Vec<Bound<'_, PyDict>>) -> PyErr {
    let first = diagnostics.first().cloned();
    let field = |name: &str| -> Option<Bound<'_, PyAny>> { first.as_ref()?.get_item(name).ok().flatten() };
    let message: String = field("message").and_then(|message| message.extract().ok()).unwrap_or_default();
    let error = AvenantError::new_err(message.clone());
    let value = error.value(py);
    let set = || -> PyResult<()> {
        value.setattr("code", field("code"))?;
        value.setattr("message", message)?;
        value.setattr("place", field("place"))?;
        value.setattr("help", field("help"))?;
        value.setattr("diagnostics", PyList::new(py, diagnostics)?)?;
        Ok(())
    };
    match set() {
        Ok(()) => error,
        Err(other) => other,
    }
}

/// An `AvenantError` of one diagnostic, made for the Python side to raise.
#[pyfunction]
#[pyo3(signature = (code, message, place = None, help = None))]
fn error(py: Python<'_>, code: &str, message: &str, place: Option<String>, help: Option<&str>) -> PyResult<PyErr> {
    Ok(raise(py, vec![diagnostic_dict(py, code, message, place, help)?]))
}

/// A policy that cannot be loaded, as the CLI reports it.
fn load_error(py: Python<'_>, error: &LoadError) -> PyErr {
    let one = |code: &str, place: Option<String>| diagnostic_dict(py, code, &error.to_string(), place, None);
    let diagnostics = match error {
        LoadError::Check { diagnostics, sources } => diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.is_error())
            .map(|diagnostic| {
                diagnostic_dict(
                    py,
                    &diagnostic.code.to_string(),
                    &diagnostic.message,
                    Some(sources.location(diagnostic.primary.span)),
                    diagnostic.help.as_deref(),
                )
            })
            .collect(),
        LoadError::Syntax(syntax) => {
            let place = syntax.source_code.as_ref().map(|source| {
                let (line, column) = source.inner().line_column(syntax.at.offset());
                format!("{}:{line}:{column}", source.name())
            });
            vec![diagnostic_dict(py, "avenant::syntax", &syntax.message, place, syntax.help.as_deref())]
        }
        LoadError::Io { path, .. } => vec![one("avenant::io", Some(path.clone()))],
        LoadError::NotInForce { .. } => vec![one("avenant::chain::not_in_force", None)],
        LoadError::NoTextInForce { directory, .. } => {
            vec![one("avenant::chain::no_text_in_force", Some(directory.clone()))]
        }
        LoadError::Ambiguous { directory, .. } => vec![one("avenant::chain::ambiguous", Some(directory.clone()))],
        LoadError::UnknownText { directory, .. } => vec![one("avenant::chain::unknown_text", Some(directory.clone()))],
    };
    match diagnostics.into_iter().collect::<PyResult<Vec<_>>>() {
        Ok(diagnostics) => raise(py, diagnostics),
        Err(error) => error,
    }
}

fn date(text: &str) -> PyResult<jiff::civil::Date> {
    text.parse().map_err(|_| pyo3::exceptions::PyValueError::new_err(format!("`{text}` is not a date (YYYY-MM-DD)")))
}

/// Loads the policy at `path` (a text with its chain, or a directory whose
/// text in force on `on` is taken; `proposal` names a draft instead).
#[pyfunction]
#[pyo3(signature = (path, on, proposal = None))]
fn load(py: Python<'_>, path: PathBuf, on: &str, proposal: Option<&str>) -> PyResult<Policy> {
    let on = date(on)?;
    let loaded = py.detach(|| avenant::load_chosen(&path, on, proposal));
    match loaded {
        Ok(loaded) => Ok(Policy { loaded, on, path }),
        Err(error) => Err(load_error(py, &error)),
    }
}

/// The rejected rows as the CLI's `--errors x.parquet` holds them, but for
/// their line: a frame's rows have none.
fn rejects_table(errors: &[RowError]) -> PyResult<Table> {
    let mut columns = avenant::batch::arrow::RejectColumns::default();
    errors.iter().for_each(|error| columns.push(None, error));
    without_line(columns)
}

/// The rows of `columns` as a table, less the `line` column: a frame's rows
/// have no lines.
fn without_line(mut columns: avenant::batch::arrow::RejectColumns) -> PyResult<Table> {
    let batch = columns.finish().map_err(value_error)?;
    let schema = batch.schema();
    let kept: Vec<usize> = (0..schema.fields().len()).filter(|column| schema.field(*column).name() != "line").collect();
    let batch = batch.project(&kept).map_err(value_error)?;
    let schema = batch.schema();
    Table::try_new(vec![batch], schema).map_err(value_error)
}

fn value_error(error: impl std::fmt::Display) -> PyErr {
    pyo3::exceptions::PyValueError::new_err(error.to_string())
}

/// What an evaluation gives back: outcomes, rejected rows, counts.
type Evaluated = (PyArrowType<Table>, PyArrowType<Table>, (u64, u64, u64));

#[pymethods]
impl Policy {
    /// The texts applied, the base first.
    #[getter]
    fn chain(&self) -> Vec<String> {
        self.loaded.chain.clone()
    }

    /// The date of evaluation (`YYYY-MM-DD`).
    #[getter]
    fn on(&self) -> String {
        self.on.to_string()
    }

    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The outcome columns' Arrow schema.
    fn outcome_schema(&self) -> PyArrowType<Schema> {
        let compiled = CompiledPolicy::new(&self.loaded.policy);
        PyArrowType(Arc::unwrap_or_clone(batch::arrow::outcome_schema(&compiled)))
    }

    /// The chain as one text, as `avenant show` prints it: the rules applied.
    fn merged_text(&self) -> String {
        avenant::format::print_merged(&self.loaded.merged, self.loaded.policy.sources())
    }

    /// The rejected rows' Arrow schema: that of every policy.
    fn rejects_schema(&self) -> PyResult<PyArrowType<Schema>> {
        let (_, schema) = rejects_table(&[])?.into_inner();
        Ok(PyArrowType(Arc::unwrap_or_clone(schema)))
    }

    /// Evaluates every row of an Arrow table (anything with
    /// `__arrow_c_stream__`), its rows numbered from `first_row`; gives
    /// (outcomes, rejects, (rows in, out, rejected)).
    #[pyo3(signature = (table, threads = 0, first_row = 1))]
    fn evaluate_arrow(
        &self,
        py: Python<'_>,
        table: PyArrowType<Table>,
        threads: usize,
        first_row: u64,
    ) -> PyResult<Evaluated> {
        if first_row == 0 {
            return Err(pyo3::exceptions::PyValueError::new_err("`first_row` counts from 1"));
        }
        let (batches, schema) = table.0.into_inner();
        let options = Options {
            threads,
            file_name: "<frame>".to_owned(),
            policy_file: self.path.display().to_string(),
            on: self.on,
            chain: self.loaded.chain.clone(),
            tolerated: self.loaded.family_fields.clone(),
            ..Options::default()
        };
        let policy = &self.loaded.policy;
        let result = py.detach(|| {
            let compiled = CompiledPolicy::new(policy);
            let mut outcomes = Vec::new();
            let mut rejected = Vec::new();
            let summary = batch::arrow::run(
                &compiled,
                &schema,
                batches.into_iter().map(Ok),
                first_row,
                &options,
                &mut |batch| {
                    outcomes.push(batch);
                    Ok(())
                },
                &mut |error| {
                    rejected.push(error.clone());
                    Ok(())
                },
            );
            (summary, outcomes, rejected, batch::arrow::outcome_schema(&compiled))
        });
        let (summary, outcomes, rejected, outcome_schema) = result;
        let summary = summary.map_err(|error| batch_error(py, error))?;
        let outcomes = Table::try_new(outcomes, outcome_schema).map_err(value_error)?;
        Ok((
            PyArrowType(outcomes),
            PyArrowType(rejects_table(&rejected)?),
            (summary.rows_in, summary.rows_out, summary.rows_rejected),
        ))
    }

    /// The derivation of one profile's outcome, as the JSON of `avenant explain --format json`.
    #[pyo3(signature = (profile_json, name = "profile"))]
    fn explain_json(&self, py: Python<'_>, profile_json: &str, name: &str) -> PyResult<String> {
        let policy = &self.loaded.policy;
        // The profile is JSON whatever its name: the name is for messages.
        let path = match Path::new(name).extension() {
            Some(extension) if extension == "json" => PathBuf::from(name),
            _ => PathBuf::from(format!("{name}.json")),
        };
        let path = path.as_path();
        let input = avenant::ProfileInput::parse(path, profile_json)
            .map_err(|error| profile_errors(py, std::slice::from_ref(&error)))?;
        let profile = avenant::Profile::validate_with(policy, &input, &self.loaded.family_fields)
            .map_err(|errors| profile_errors(py, &errors))?;
        let (_, explanation) = avenant::eval::explain(policy, &profile, self.on).map_err(|error| {
            let place = policy.sources().location(error.span());
            match diagnostic_dict(py, error.code(), error.message(), Some(place), error.help()) {
                Ok(diagnostic) => raise(py, vec![diagnostic]),
                Err(error) => error,
            }
        })?;
        let policy_file = self.path.display().to_string();
        let subject = avenant::output::Subject {
            profile_file: name,
            profile_name: profile.name.as_deref(),
            policy_file: &policy_file,
            chain: &self.loaded.chain,
            on: self.on,
        };
        Ok(avenant::output::explain::json_text(policy, &subject, &explanation, &explanation.outputs))
    }
}

fn profile_errors(py: Python<'_>, errors: &[impl std::borrow::Borrow<avenant::ProfileError>]) -> PyErr {
    let diagnostics = errors
        .iter()
        .map(|error| {
            let error = error.borrow();
            let place = match (&error.field, error.line) {
                (Some(field), _) => Some(field.clone()),
                (None, Some(line)) => Some(format!("{}:{line}", error.file.display())),
                (None, None) => None,
            };
            diagnostic_dict(py, error.code, &error.message, place, error.help.as_deref())
        })
        .collect::<PyResult<Vec<_>>>();
    match diagnostics {
        Ok(diagnostics) => raise(py, diagnostics),
        Err(error) => error,
    }
}

fn batch_error(py: Python<'_>, error: batch::BatchError) -> PyErr {
    let diagnostics = match &error {
        batch::BatchError::Columns(errors) => errors
            .iter()
            .map(|error| diagnostic_dict(py, error.code, &error.message, error.field.clone(), error.help.as_deref()))
            .collect::<PyResult<Vec<_>>>(),
        other => diagnostic_dict(py, "avenant::batch::read", &other.to_string(), None, None).map(|one| vec![one]),
    };
    match diagnostics {
        Ok(diagnostics) => raise(py, diagnostics),
        Err(error) => error,
    }
}

/// Compares two policies over an Arrow table of profiles, as `avenant diff`
/// does: (the summary as JSON, the per-profile rows typed, the rejected rows).
#[pyfunction]
#[pyo3(signature = (old, new, table, threads = 0, take_up = Vec::new()))]
fn diff(
    py: Python<'_>,
    old: &Policy,
    new: &Policy,
    table: PyArrowType<Table>,
    threads: usize,
    take_up: Vec<(String, String)>,
) -> PyResult<(String, PyArrowType<Table>, PyArrowType<Table>)> {
    let (batches, schema) = table.0.into_inner();
    let take_up = take_up
        .into_iter()
        .map(|(option, share)| share.parse().map(|share| (option, share)).map_err(value_error))
        .collect::<PyResult<Vec<_>>>()?;
    let (old_side, new_side) = (side(old), side(new));
    let rows_schema = avenant::diff::rows_schema(&old_side, &new_side);
    let options = avenant::diff::Options { threads, chunk_size: 2048, take_up, ..Default::default() };
    let (result, rows, rejected) = py.detach(|| {
        let mut rows = Vec::new();
        let mut rejected = Vec::new();
        let mut emit = |batch: RecordBatch| {
            rows.push(batch);
            Ok(())
        };
        let profiles = avenant::diff::ProfileRows::Arrow(&mut emit);
        let result = avenant::diff::diff_arrow(
            &old_side,
            &new_side,
            &schema,
            batches.into_iter().map(Ok),
            &options,
            Some(profiles),
            &mut |row| {
                rejected.push(row.clone());
                Ok(())
            },
        );
        (result, rows, rejected)
    });
    let summary = match result {
        Ok(summary) => summary,
        Err(avenant::diff::DiffError::Columns { errors, .. }) => {
            return Err(batch_error(py, batch::BatchError::Columns(errors)));
        }
        Err(avenant::diff::DiffError::Batch(error)) => return Err(batch_error(py, error)),
        Err(error) => {
            return Err(match diagnostic_dict(py, "avenant::diff", &error.to_string(), None, None) {
                Ok(diagnostic) => raise(py, vec![diagnostic]),
                Err(error) => error,
            });
        }
    };
    let summary = serde_json::to_string(&summary).map_err(value_error)?;
    let mut rejects = avenant::batch::arrow::RejectColumns::of_diff();
    rejected.iter().for_each(|row| rejects.push(Some(row.side), &row.error));
    let with_side = without_line(rejects)?;
    let rows = Table::try_new(rows, rows_schema).map_err(value_error)?;
    Ok((summary, PyArrowType(rows), PyArrowType(with_side)))
}

/// A policy as one side of a diff.
fn side(policy: &Policy) -> avenant::diff::Side<'_> {
    // Named as `avenant diff` names it: the text (the last of its chain) and its date.
    let text = policy.loaded.chain.last().cloned().unwrap_or_default();
    avenant::diff::Side { loaded: &policy.loaded, on: policy.on, name: format!("{text} on {}", policy.on) }
}

#[pymodule]
fn _avenant(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(load, module)?)?;
    module.add_function(wrap_pyfunction!(diff, module)?)?;
    module.add_function(wrap_pyfunction!(error, module)?)?;
    module.add_class::<Policy>()?;
    module.add("AvenantError", module.py().get_type::<AvenantError>())?;
    Ok(())
}
