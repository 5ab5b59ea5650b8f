//! Diff: what one text (or one chain at another date) changes over a
//! population, profile by profile, then in sum: who gains or loses
//! eligibility or an option, and what the aid costs per year, by band, zone
//! and specialty. Reads the population and writes only the streams it is
//! given; never prints.
//!
//! Each side is evaluated by [`crate::batch`] (all cores, constant memory)
//! into a temporary file; the two are then read together with the
//! population, row by row, in order. Every row ends up compared, or
//! reported as rejected by the old text, the new one, or both:
//! `rows_in = compared + rejected`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Seek, Write};
use std::path::Path;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::Loaded;
use crate::batch::{self, BatchError, Format, RowError};
use crate::eval::compiled::CompiledPolicy;

/// One side of a comparison: a policy, as of a date.
pub struct Side<'a> {
    pub loaded: &'a Loaded,
    pub on: jiff::civil::Date,
    /// How the user named the policy, for messages.
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Worker threads; 0 for one per core.
    pub threads: usize,
    pub chunk_size: usize,
}

/// A row one side or both could not evaluate.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub row: u64,
    /// `old`, `new` or `both`.
    pub side: &'static str,
    pub code: &'static str,
    pub field: Option<String>,
    pub message: String,
}

/// What a diff found, every total the sum of its profiles.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub old: String,
    pub new: String,
    pub rows_in: u64,
    pub compared: u64,
    pub rejected: u64,
    /// Profiles of which some output changed.
    pub changed: u64,
    pub eligibility: Moves,
    /// By option: how many physicians gain it (closed before, open now) or lose it.
    pub options: BTreeMap<String, Moves>,
    /// The aid of the contract year in progress, in euros, summed: each
    /// physician with a contract keeps its option; the others are taken to
    /// sign the option the scenario names (a new contract, in its year 1).
    pub aid_per_year: BTreeMap<String, Money>,
    /// The same, broken down by band (under the new text), zone and specialty.
    pub by_band: BTreeMap<String, Breakdown>,
    pub by_zone: BTreeMap<String, Breakdown>,
    pub by_specialty: BTreeMap<String, Breakdown>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Moves {
    pub gained: u64,
    pub lost: u64,
    pub kept: u64,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Money {
    #[serde(serialize_with = "euros")]
    pub old: Decimal,
    #[serde(serialize_with = "euros")]
    pub new: Decimal,
}

impl Money {
    pub fn change(&self) -> Decimal {
        self.new - self.old
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Breakdown {
    pub profiles: u64,
    pub eligibility: Moves,
    pub aid_per_year: BTreeMap<String, Money>,
}

fn euros<S: serde::Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&crate::output::decimal_text(*value, crate::check::types::Type::Euros))
}

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{0}")]
    Batch(#[from] BatchError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("cannot read a temporary result: {0}")]
    Temporary(String),
}

/// Per-profile rows: where, and in which format.
pub struct ProfileRows<'w> {
    pub out: &'w mut dyn Write,
    pub format: Format,
}

/// Compares two sides over the population in `population`.
pub fn diff(
    old: &Side<'_>,
    new: &Side<'_>,
    population: &Path,
    options: &Options,
    mut profiles: Option<ProfileRows<'_>>,
    rejected: &mut dyn FnMut(&Rejected) -> std::io::Result<()>,
) -> Result<Summary, DiffError> {
    let input = Format::of(population).ok_or_else(|| {
        BatchError::Read(format!("`{}`: a population is a `.csv` or `.jsonl` file", population.display()))
    })?;
    // A field either side declares is the comparison's: each side ignores the other's.
    let mut tolerated: Vec<String> =
        old.loaded.family_fields.iter().chain(&new.loaded.family_fields).cloned().collect();
    tolerated.sort();
    tolerated.dedup();
    let old_run = evaluate(old, population, input, options, &tolerated)?;
    let new_run = evaluate(new, population, input, options, &tolerated)?;
    let mut old_rows = Evaluated::open(old_run)?;
    let mut new_rows = Evaluated::open(new_run)?;
    let options_names: Vec<String> =
        old_rows.options().into_iter().filter(|name| new_rows.options().contains(name)).collect();
    // The outputs both sides give; how sure each is, and the row itself, are no outcome.
    let common: Vec<String> = old_rows
        .header
        .iter()
        .filter(|title| new_rows.header.contains(title))
        .filter(|title| !title.starts_with("certainty.") && !matches!(title.as_str(), "row" | "name"))
        .cloned()
        .collect();
    let mut summary = Summary { old: old.name.clone(), new: new.name.clone(), ..Summary::default() };
    let mut attributes = Attributes::open(population, input)?;
    if let Some(rows) = profiles.as_mut() {
        header(rows, &options_names)?;
    }
    while let Some(profile) = attributes.next()? {
        summary.rows_in += 1;
        let row = profile.row;
        let (old_row, new_row) = (old_rows.take(row)?, new_rows.take(row)?);
        let (old_row, new_row) = match (old_row, new_row) {
            (Outcome::Row(old_row), Outcome::Row(new_row)) => (old_row, new_row),
            (old_row, new_row) => {
                summary.rejected += 1;
                let (side, error) = match (&old_row, &new_row) {
                    (Outcome::Rejected(error), Outcome::Rejected(_)) => ("both", error),
                    (Outcome::Rejected(error), _) => ("old", error),
                    (_, Outcome::Rejected(error)) => ("new", error),
                    _ => continue,
                };
                rejected(&Rejected {
                    row,
                    side,
                    code: error.code,
                    field: error.field.clone(),
                    message: error.message.clone(),
                })?;
                continue;
            }
        };
        summary.compared += 1;
        let old_values = Values { header: &old_rows.header, row: &old_row };
        let new_values = Values { header: &new_rows.header, row: &new_row };
        let changes: Vec<&str> =
            common.iter().filter(|title| old_values.get(title) != new_values.get(title)).map(String::as_str).collect();
        if !changes.is_empty() {
            summary.changed += 1;
        }
        let eligibility = moves(old_values.get("eligible") == "true", new_values.get("eligible") == "true");
        add_move(&mut summary.eligibility, eligibility);
        let mut aid = BTreeMap::new();
        for option in &options_names {
            let open = |values: &Values<'_>| values.get(&format!("options.{option}.open")) == "true";
            add_move(summary.options.entry(option.clone()).or_default(), moves(open(&old_values), open(&new_values)));
            let taken =
                if profile.contract_option.is_empty() { option.as_str() } else { profile.contract_option.as_str() };
            let money = Money { old: old_values.aid(taken), new: new_values.aid(taken) };
            aid.insert(option.clone(), money);
        }
        let band = match new_values.get("band") {
            "" => old_values.get("band"),
            band => band,
        };
        let band = if band.is_empty() { "—" } else { band };
        for (total, key) in [
            (&mut summary.by_band, band),
            (&mut summary.by_zone, profile.zone.as_str()),
            (&mut summary.by_specialty, profile.specialty.as_str()),
        ] {
            let breakdown = total.entry(key.to_owned()).or_default();
            breakdown.profiles += 1;
            add_move(&mut breakdown.eligibility, eligibility);
            add_money(&mut breakdown.aid_per_year, &aid);
        }
        add_money(&mut summary.aid_per_year, &aid);
        if let Some(rows) = profiles.as_mut() {
            write_profile(rows, &profile, &old_values, &new_values, &options_names, &aid, &changes)?;
        }
    }
    Ok(summary)
}

#[derive(Clone, Copy)]
enum Move {
    Gained,
    Lost,
    Kept,
    Never,
}

fn moves(before: bool, after: bool) -> Move {
    match (before, after) {
        (false, true) => Move::Gained,
        (true, false) => Move::Lost,
        (true, true) => Move::Kept,
        (false, false) => Move::Never,
    }
}

fn add_move(moves: &mut Moves, change: Move) {
    match change {
        Move::Gained => moves.gained += 1,
        Move::Lost => moves.lost += 1,
        Move::Kept => moves.kept += 1,
        Move::Never => {}
    }
}

fn add_money(totals: &mut BTreeMap<String, Money>, aid: &BTreeMap<String, Money>) {
    for (option, money) in aid {
        let total = totals.entry(option.clone()).or_default();
        total.old += money.old;
        total.new += money.new;
    }
}

/// One side evaluated: its outputs and its rejected rows, in temporary files.
struct Run {
    outputs: std::fs::File,
    rejected: std::fs::File,
}

fn evaluate(
    side: &Side<'_>,
    population: &Path,
    input: Format,
    options: &Options,
    tolerated: &[String],
) -> Result<Run, DiffError> {
    let compiled = CompiledPolicy::new(&side.loaded.policy);
    let batch_options = batch::Options {
        input,
        output: Format::Csv,
        threads: options.threads,
        chunk_size: options.chunk_size.max(1),
        file_name: population.display().to_string(),
        policy_file: side.name.clone(),
        on: side.on,
        chain: side.loaded.chain.clone(),
        tolerated: tolerated.to_vec(),
    };
    let mut outputs = std::io::BufWriter::new(tempfile::tempfile()?);
    let mut rejected = csv::Writer::from_writer(tempfile::tempfile()?);
    let file = std::fs::File::open(population)?;
    let mut record = |error: &RowError| -> std::io::Result<()> {
        let row = error.row.to_string();
        let field = error.field.clone().unwrap_or_default();
        rejected
            .write_record([row.as_str(), error.code, field.as_str(), error.message.as_str()])
            .map_err(std::io::Error::other)
    };
    batch::run(&compiled, file, &mut outputs, &batch_options, &mut record, &mut |_| {})?;
    let mut outputs = outputs.into_inner().map_err(|error| DiffError::Io(error.into_error()))?;
    let mut rejected = rejected.into_inner().map_err(|error| DiffError::Io(error.into_error()))?;
    outputs.rewind()?;
    rejected.rewind()?;
    Ok(Run { outputs, rejected })
}

/// A side's result for one row.
enum Outcome {
    Row(csv::StringRecord),
    Rejected(RowError),
    Missing,
}

/// A side's outputs and rejections, read in row order.
struct Evaluated {
    header: Vec<String>,
    outputs: csv::StringRecordsIntoIter<std::fs::File>,
    rejected: csv::StringRecordsIntoIter<std::fs::File>,
    next_output: Option<csv::StringRecord>,
    next_rejected: Option<csv::StringRecord>,
}

fn temporary(error: csv::Error) -> DiffError {
    DiffError::Temporary(error.to_string())
}

impl Evaluated {
    fn open(run: Run) -> Result<Evaluated, DiffError> {
        let mut outputs = csv::Reader::from_reader(run.outputs);
        let header = outputs.headers().map_err(temporary)?.iter().map(str::to_owned).collect();
        let rejected = csv::ReaderBuilder::new().has_headers(false).from_reader(run.rejected);
        let mut evaluated = Evaluated {
            header,
            outputs: outputs.into_records(),
            rejected: rejected.into_records(),
            next_output: None,
            next_rejected: None,
        };
        evaluated.next_output = evaluated.outputs.next().transpose().map_err(temporary)?;
        evaluated.next_rejected = evaluated.rejected.next().transpose().map_err(temporary)?;
        Ok(evaluated)
    }

    /// The options the outputs give, by their `options.NAME.open` columns.
    fn options(&self) -> Vec<String> {
        self.header
            .iter()
            .filter_map(|title| title.strip_prefix("options.")?.strip_suffix(".open").map(str::to_owned))
            .collect()
    }

    fn row_of(record: &csv::StringRecord) -> u64 {
        record.get(0).and_then(|row| row.parse().ok()).unwrap_or(u64::MAX)
    }

    /// This side's result for `row`; rows come in order on both streams.
    fn take(&mut self, row: u64) -> Result<Outcome, DiffError> {
        if self.next_output.as_ref().is_some_and(|record| Self::row_of(record) == row) {
            let record = self.next_output.take();
            self.next_output = self.outputs.next().transpose().map_err(temporary)?;
            return Ok(record.map_or(Outcome::Missing, Outcome::Row));
        }
        let mut first = None;
        // A row rejected for several reasons has several lines: the first is reported.
        while self.next_rejected.as_ref().is_some_and(|record| Self::row_of(record) == row) {
            if let Some(record) = self.next_rejected.take() {
                first.get_or_insert(RowError {
                    row,
                    line: 0,
                    field: record.get(2).filter(|field| !field.is_empty()).map(str::to_owned),
                    code: static_code(record.get(1).unwrap_or("")),
                    message: record.get(3).unwrap_or("").to_owned(),
                    help: None,
                });
            }
            self.next_rejected = self.rejected.next().transpose().map_err(temporary)?;
        }
        Ok(first.map_or(Outcome::Missing, Outcome::Rejected))
    }
}

/// The stable codes a rejected row can carry, as `'static` text.
fn static_code(code: &str) -> &'static str {
    const CODES: [&str; 9] = [
        "avenant::profile::unreadable",
        "avenant::profile::missing_field",
        "avenant::profile::invalid_value",
        "avenant::profile::unknown_field",
        "avenant::eval::missing_field",
        "avenant::eval::no_value",
        "avenant::eval::no_band",
        "avenant::eval::overflow",
        "avenant::eval::division_by_zero",
    ];
    CODES.into_iter().find(|known| *known == code).unwrap_or("avenant::eval::error")
}

/// One evaluated row, read by column title.
struct Values<'a> {
    header: &'a [String],
    row: &'a csv::StringRecord,
}

impl Values<'_> {
    fn get(&self, title: &str) -> &str {
        self.header.iter().position(|known| known == title).and_then(|column| self.row.get(column)).unwrap_or("")
    }

    /// The aid of the contract year in progress for `option`: nothing where it is closed.
    fn aid(&self, option: &str) -> Decimal {
        if self.get(&format!("options.{option}.open")) != "true" {
            return Decimal::ZERO;
        }
        let year = match self.get("contract_year").parse::<i64>().unwrap_or(1) {
            ..=1 => "year_1",
            2 => "year_2",
            _ => "year_3_and_after",
        };
        self.get(&format!("options.{option}.aid.{year}")).parse().unwrap_or(Decimal::ZERO)
    }
}

/// What the population says of a physician, beyond the policies' outputs.
struct Profile {
    row: u64,
    id: String,
    specialty: String,
    zone: String,
    contract_option: String,
}

/// The population read again, for each row's id, specialty, zone and contract.
enum Attributes {
    Csv { records: csv::StringRecordsIntoIter<std::fs::File>, columns: [Option<usize>; 4], row: u64 },
    Jsonl { lines: std::io::Lines<BufReader<std::fs::File>>, row: u64 },
}

const ATTRIBUTES: [&str; 4] = ["id", "specialty", "zone", "contract_option"];

impl Attributes {
    fn open(population: &Path, format: Format) -> Result<Attributes, DiffError> {
        let file = std::fs::File::open(population)?;
        Ok(match format {
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
                let header = reader.headers().map_err(temporary)?.clone();
                let column = |name: &str| {
                    header
                        .iter()
                        .position(|title| title.trim_start_matches('\u{feff}') == name)
                        .or_else(|| (name == "id").then(|| header.iter().position(|title| title == "name")).flatten())
                };
                let columns = ATTRIBUTES.map(column);
                Attributes::Csv { records: reader.into_records(), columns, row: 0 }
            }
            Format::Jsonl => Attributes::Jsonl { lines: BufReader::new(file).lines(), row: 0 },
        })
    }

    fn next(&mut self) -> Result<Option<Profile>, DiffError> {
        match self {
            Attributes::Csv { records, columns, row } => {
                let Some(record) = records.next() else { return Ok(None) };
                *row += 1;
                // A row the reader cannot split is still a row: the batch reported it.
                let record = record.unwrap_or_default();
                let cell = |index: usize| {
                    columns.get(index).copied().flatten().and_then(|column| record.get(column)).unwrap_or("").to_owned()
                };
                Ok(Some(Profile {
                    row: *row,
                    id: cell(0),
                    specialty: cell(1),
                    zone: cell(2),
                    contract_option: cell(3),
                }))
            }
            Attributes::Jsonl { lines, row } => loop {
                let Some(line) = lines.next() else { return Ok(None) };
                let line = line.unwrap_or_default();
                if line.trim().is_empty() {
                    continue;
                }
                *row += 1;
                let json: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                let text = |key: &str| json.get(key).and_then(serde_json::Value::as_str).unwrap_or("").to_owned();
                let id = match text("id") {
                    id if id.is_empty() => text("name"),
                    id => id,
                };
                return Ok(Some(Profile {
                    row: *row,
                    id,
                    specialty: text("specialty"),
                    zone: text("zone"),
                    contract_option: text("contract_option"),
                }));
            },
        }
    }
}

/// The stable columns of the per-profile CSV.
fn header(rows: &mut ProfileRows<'_>, options: &[String]) -> std::io::Result<()> {
    if rows.format != Format::Csv {
        return Ok(());
    }
    let mut columns: Vec<String> = ["row", "id", "specialty", "zone", "contract_option"].map(str::to_owned).to_vec();
    for output in ["eligible", "band", "contract_year"] {
        columns.push(format!("{output}.old"));
        columns.push(format!("{output}.new"));
    }
    for option in options {
        columns.push(format!("options.{option}.open.old"));
        columns.push(format!("options.{option}.open.new"));
    }
    for option in options {
        columns.push(format!("aid_per_year.{option}.old"));
        columns.push(format!("aid_per_year.{option}.new"));
    }
    columns.push("changes".to_owned());
    writeln!(rows.out, "{}", columns.join(","))
}

fn write_profile(
    rows: &mut ProfileRows<'_>,
    profile: &Profile,
    old: &Values<'_>,
    new: &Values<'_>,
    options: &[String],
    aid: &BTreeMap<String, Money>,
    changes: &[&str],
) -> std::io::Result<()> {
    let money = |value: Decimal| crate::output::decimal_text(value, crate::check::types::Type::Euros);
    match rows.format {
        Format::Csv => {
            let mut cells: Vec<String> = vec![
                profile.row.to_string(),
                profile.id.clone(),
                profile.specialty.clone(),
                profile.zone.clone(),
                profile.contract_option.clone(),
            ];
            for output in ["eligible", "band", "contract_year"] {
                cells.push(old.get(output).to_owned());
                cells.push(new.get(output).to_owned());
            }
            for option in options {
                cells.push(old.get(&format!("options.{option}.open")).to_owned());
                cells.push(new.get(&format!("options.{option}.open")).to_owned());
            }
            for option in options {
                let value = aid.get(option).copied().unwrap_or_default();
                cells.push(money(value.old));
                cells.push(money(value.new));
            }
            cells.push(changes.join(";"));
            let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
            writer.write_record(&cells).map_err(std::io::Error::other)?;
            let bytes = writer.into_inner().map_err(|error| std::io::Error::other(error.to_string()))?;
            rows.out.write_all(&bytes)
        }
        Format::Jsonl => {
            let changed: serde_json::Map<String, serde_json::Value> = changes
                .iter()
                .map(|title| ((*title).to_owned(), serde_json::json!({ "old": old.get(title), "new": new.get(title) })))
                .collect();
            let aid: serde_json::Map<String, serde_json::Value> = aid
                .iter()
                .map(|(option, value)| {
                    (option.clone(), serde_json::json!({ "old": money(value.old), "new": money(value.new) }))
                })
                .collect();
            let json = serde_json::json!({
                "row": profile.row,
                "id": profile.id,
                "specialty": profile.specialty,
                "zone": profile.zone,
                "contract_option": profile.contract_option,
                "changes": changed,
                "aid_per_year": aid,
            });
            serde_json::to_writer(&mut *rows.out, &json).map_err(std::io::Error::other)?;
            writeln!(rows.out)
        }
    }
}
