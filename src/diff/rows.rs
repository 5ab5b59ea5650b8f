//! The per-profile rows of a diff (`--out`): CSV with stable columns, or
//! JSON Lines with typed values (booleans as booleans, amounts as fixed
//! decimal text). Writes into a chunk's buffer only.

use rust_decimal::Decimal;

use super::compare::Compared;
use super::plan::Plan;
use super::side::Kept;
use super::tally::Pair;
use crate::batch::Format;
use crate::check::types::Type;
use crate::output::csv::field;

/// What the row says of the profile beyond the two outcomes.
pub(super) struct Identity<'a> {
    pub row: u64,
    pub id: &'a str,
}

/// The CSV header; nothing for JSON Lines.
pub(super) fn header(plan: &Plan, format: Format) -> Vec<u8> {
    if format != Format::Csv {
        return Vec::new();
    }
    let mut columns: Vec<String> =
        ["row", "id", "specialty", "zone", "contract", "contract_option"].map(str::to_owned).to_vec();
    for output in ["eligible", "band", "contract_year"] {
        columns.push(format!("{output}.old"));
        columns.push(format!("{output}.new"));
    }
    for option in &plan.options {
        columns.push(format!("options.{option}.open.old"));
        columns.push(format!("options.{option}.open.new"));
    }
    for option in &plan.options {
        columns.push(format!("aid_per_year.{option}.old"));
        columns.push(format!("aid_per_year.{option}.new"));
    }
    columns.extend(["eligibility_gained_by", "eligibility_lost_by", "changes"].map(str::to_owned));
    let mut out = Vec::new();
    for (position, column) in columns.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        field(&mut out, column);
    }
    out.push(b'\n');
    out
}

fn euros(value: Decimal) -> String {
    crate::output::decimal_text(value, Type::Euros)
}

fn number(value: Option<Decimal>) -> String {
    value.map(|value| crate::output::decimal_text(value, Type::Number)).unwrap_or_default()
}

fn flag(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// One profile's row.
pub(super) fn write(
    out: &mut Vec<u8>,
    format: Format,
    identity: &Identity<'_>,
    compared: &Compared<'_>,
    aid: &[Pair],
    changes: &[(usize, Kept, Kept)],
) {
    let contract = if compared.running() { "running" } else { "new" };
    let path = |index: &usize| compared.plan.compared.get(*index).map_or("", |(path, _, _)| path.as_str());
    let (gained_by, lost_by) = compared.eligibility_deciders();
    match format {
        Format::Csv => {
            let mut cells: Vec<String> = vec![
                identity.row.to_string(),
                identity.id.to_owned(),
                compared.specialty().unwrap_or("").to_owned(),
                compared.zone().unwrap_or("").to_owned(),
                contract.to_owned(),
                compared.contract_option_name().to_owned(),
                flag(compared.old.eligible()).to_owned(),
                flag(compared.new.eligible()).to_owned(),
                compared.old.band().to_owned(),
                compared.new.band().to_owned(),
                number(compared.old.contract_year()),
                number(compared.new.contract_year()),
            ];
            for index in 0..compared.plan.options.len() {
                cells.push(flag(compared.old.open(index)).to_owned());
                cells.push(flag(compared.new.open(index)).to_owned());
            }
            for pair in aid {
                cells.push(euros(pair.old));
                cells.push(euros(pair.new));
            }
            cells.push(gained_by.join(";"));
            cells.push(lost_by.join(";"));
            cells.push(changes.iter().map(|(index, _, _)| path(index)).collect::<Vec<_>>().join(";"));
            for (position, cell) in cells.iter().enumerate() {
                if position > 0 {
                    out.push(b',');
                }
                field(out, cell);
            }
            out.push(b'\n');
        }
        Format::Jsonl => {
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
                    (path(index).to_owned(), json)
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
