//! The per-profile rows of a diff (`--out`): CSV with stable columns, typed
//! Arrow columns of the same names (for Parquet and Python), or JSON Lines
//! with typed values (booleans as booleans, amounts as fixed decimal text).
//! A row's cells are listed once ([`cells`]) and written either way. Writes
//! into a chunk's buffers only.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};
use rust_decimal::Decimal;

use super::compare::Compared;
use super::plan::Plan;
use super::side::Kept;
use super::tally::Pair;
use crate::batch::Format;
use crate::batch::arrow::{self, Cell, Refused, Row};
use crate::check::types::Type;
use crate::output::csv::field;

/// What the row says of the profile beyond the two outcomes.
pub(super) struct Identity<'a> {
    pub row: u64,
    pub id: &'a str,
}

/// The columns of the per-profile rows, typed as they are in Arrow: their
/// names are the CSV header's. `contract_year` is a number, the aid euros.
pub fn schema(plan: &Plan) -> SchemaRef {
    let mut fields = vec![Field::new("row", DataType::UInt64, false)];
    let mut column = |name: String, ty: DataType| fields.push(Field::new(name, ty, true));
    for name in ["id", "specialty", "zone", "contract", "contract_option"] {
        column(name.to_owned(), DataType::Utf8);
    }
    for (output, ty) in
        [("eligible", DataType::Boolean), ("band", DataType::Utf8), ("contract_year", arrow::arrow_type(Type::Number))]
    {
        column(format!("{output}.old"), ty.clone());
        column(format!("{output}.new"), ty);
    }
    for option in &plan.options {
        column(format!("options.{option}.open.old"), DataType::Boolean);
        column(format!("options.{option}.open.new"), DataType::Boolean);
    }
    for option in &plan.options {
        column(format!("aid_per_year.{option}.old"), arrow::arrow_type(Type::Euros));
        column(format!("aid_per_year.{option}.new"), arrow::arrow_type(Type::Euros));
    }
    for name in ["eligibility_gained_by", "eligibility_lost_by", "changes"] {
        column(name.to_owned(), DataType::Utf8);
    }
    Arc::new(Schema::new(fields))
}

/// The text whose value a column of [`schema`] holds, by its name's end:
/// `old` or `new`; `both` for a column of the profile or of the comparison.
pub(super) fn side(column: &str) -> &'static str {
    match column.rsplit_once('.') {
        Some((_, "old")) => "old",
        Some((_, "new")) => "new",
        _ => "both",
    }
}

/// The CSV header: the names of [`schema`]'s columns; nothing for JSON Lines.
pub(super) fn header(plan: &Plan, format: Format) -> Vec<u8> {
    if format != Format::Csv {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (position, column) in schema(plan).fields().iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        field(&mut out, column.name());
    }
    out.push(b'\n');
    out
}

fn euros(value: Decimal) -> String {
    crate::output::decimal_text(value, Type::Euros)
}

/// One cell of a row, with the type its CSV text is written in.
enum Value<'a> {
    Row(u64),
    Text(&'a str),
    Flag(bool),
    Number(Option<Decimal>),
    Euros(Decimal),
}

/// The cells of one profile's row, in [`schema`]'s order.
fn cells<'a>(
    identity: &Identity<'a>,
    compared: &Compared<'a>,
    aid: &[Pair],
    joined: &'a [String; 3],
) -> impl Iterator<Item = Value<'a>> {
    let contract = if compared.running() { "running" } else { "new" };
    let texts = [
        identity.id,
        compared.specialty().unwrap_or(""),
        compared.zone().unwrap_or(""),
        contract,
        compared.contract_option_name(),
    ];
    let outcomes = [
        Value::Flag(compared.old.eligible()),
        Value::Flag(compared.new.eligible()),
        Value::Text(compared.old.band()),
        Value::Text(compared.new.band()),
        Value::Number(compared.old.contract_year()),
        Value::Number(compared.new.contract_year()),
    ];
    let options = compared.plan.options.len();
    let opens = (0..options).flat_map(|index| [compared.old.open(index), compared.new.open(index)]).map(Value::Flag);
    let aids = aid.iter().flat_map(|pair| [pair.old, pair.new]).map(Value::Euros);
    std::iter::once(Value::Row(identity.row))
        .chain(texts.map(Value::Text))
        .chain(outcomes)
        .chain(opens)
        .chain(aids)
        .chain(joined.iter().map(|text| Value::Text(text)))
}

/// The texts that end a row: who gained eligibility, who lost it, what changed.
fn joined(compared: &Compared<'_>, changes: &[(usize, Kept, Kept)]) -> [String; 3] {
    let (gained_by, lost_by) = compared.eligibility_deciders();
    [
        gained_by.join(";"),
        lost_by.join(";"),
        changes.iter().map(|(index, _, _)| path(compared, *index)).collect::<Vec<_>>().join(";"),
    ]
}

/// The dotted path of compared output `index`.
fn path<'a>(compared: &Compared<'a>, index: usize) -> &'a str {
    compared.plan.compared.get(index).map_or("", |(path, _, _)| path.as_str())
}

/// One profile's row, typed, into `row`: a number with more decimals than
/// its column holds is refused, never rounded.
pub(super) fn push(
    row: &mut Row<'_>,
    identity: &Identity<'_>,
    compared: &Compared<'_>,
    aid: &[Pair],
    changes: &[(usize, Kept, Kept)],
) -> Result<(), (usize, Refused)> {
    let joined = joined(compared, changes);
    for value in cells(identity, compared, aid, &joined) {
        row.push(match value {
            Value::Row(number) => Cell::Unsigned(number),
            Value::Text(text) => Cell::Text(text),
            Value::Flag(flag) => Cell::Bool(flag),
            Value::Number(number) => number.map_or(Cell::Null, Cell::Decimal),
            Value::Euros(amount) => Cell::Decimal(amount),
        })?;
    }
    Ok(())
}

/// One profile's row, as text.
pub(super) fn write(
    out: &mut Vec<u8>,
    format: Format,
    identity: &Identity<'_>,
    compared: &Compared<'_>,
    aid: &[Pair],
    changes: &[(usize, Kept, Kept)],
) {
    match format {
        Format::Csv => {
            let joined = joined(compared, changes);
            for (position, value) in cells(identity, compared, aid, &joined).enumerate() {
                if position > 0 {
                    out.push(b',');
                }
                match value {
                    Value::Row(number) => out.extend_from_slice(number.to_string().as_bytes()),
                    Value::Text(text) => field(out, text),
                    Value::Flag(flag) => out.extend_from_slice(if flag { b"true" } else { b"false" }),
                    Value::Number(number) => {
                        if let Some(number) = number {
                            out.extend_from_slice(crate::output::decimal_text(number, Type::Number).as_bytes());
                        }
                    }
                    Value::Euros(amount) => out.extend_from_slice(euros(amount).as_bytes()),
                }
            }
            out.push(b'\n');
        }
        Format::Jsonl => {
            let contract = if compared.running() { "running" } else { "new" };
            let (gained_by, lost_by) = compared.eligibility_deciders();
            let text = |value: &str| match value {
                "" => serde_json::Value::Null,
                value => serde_json::Value::from(value),
            };
            let options: serde_json::Map<String, serde_json::Value> = compared
                .plan
                .options
                .iter()
                .enumerate()
                .map(|(index, option)| {
                    let pair = aid.get(index).copied().unwrap_or_default();
                    let json = serde_json::json!({
                        "open": { "old": compared.old.open(index), "new": compared.new.open(index) },
                        "aid_per_year": { "old": euros(pair.old), "new": euros(pair.new) },
                    });
                    (option.clone(), json)
                })
                .collect();
            let changed: serde_json::Map<String, serde_json::Value> = changes
                .iter()
                .map(|(index, old, new)| {
                    let json =
                        serde_json::json!({ "old": typed(compared, *old, true), "new": typed(compared, *new, false) });
                    (path(compared, *index).to_owned(), json)
                })
                .collect();
            let json = serde_json::json!({
                "row": identity.row,
                "id": text(identity.id),
                "specialty": compared.specialty(),
                "zone": compared.zone(),
                "contract": contract,
                "contract_option": text(compared.contract_option_name()),
                "eligible": { "old": compared.old.eligible(), "new": compared.new.eligible() },
                "eligibility_gained_by": gained_by,
                "eligibility_lost_by": lost_by,
                "band": { "old": text(compared.old.band()), "new": text(compared.new.band()) },
                "options": options,
                "changes": changed,
            });
            let _ = serde_json::to_writer(&mut *out, &json);
            out.push(b'\n');
        }
    }
}

/// A kept value as JSON of its type: booleans and lists as themselves, numbers and dates as fixed text.
fn typed(compared: &Compared<'_>, value: Kept, old: bool) -> serde_json::Value {
    let view = if old { &compared.old } else { &compared.new };
    match value {
        Kept::Null => serde_json::Value::Null,
        Kept::Bool(value) => serde_json::Value::Bool(value),
        Kept::Number(value) => serde_json::Value::from(value.normalize().to_string()),
        Kept::Date(date) => serde_json::Value::from(date.to_string()),
        Kept::Text(..) => serde_json::Value::from(view.text_of(value)),
        Kept::Failures(..) => {
            serde_json::Value::from(view.text_of(value).split('\n').filter(|name| !name.is_empty()).collect::<Vec<_>>())
        }
    }
}
