//! The 2019 rules (avenant 7) written by hand, as someone would without
//! avenant: exact decimals (rust_decimal) for rates and euros, the
//! thresholds and tables as constants, the same CSV columns and bytes.

use std::io::{BufWriter, Write};
use std::path::Path;

use rust_decimal::{Decimal, RoundingStrategy};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Specialty {
    GeneralPractice,
    Cardiology,
    Paediatrics,
    Ophthalmology,
}

impl Specialty {
    pub fn name(self) -> &'static str {
        match self {
            Specialty::GeneralPractice => "medecine_generale",
            Specialty::Cardiology => "cardiologie",
            Specialty::Paediatrics => "pediatrie",
            Specialty::Ophthalmology => "ophtalmologie",
        }
    }

    /// P30, P50, P70, P90, P95 of the specialty's patientèle.
    fn percentiles(self) -> [u32; 5] {
        match self {
            Specialty::GeneralPractice => [640, 850, 1100, 1500, 1700],
            Specialty::Cardiology => [1400, 1900, 2500, 3300, 3900],
            Specialty::Paediatrics => [800, 1100, 1500, 2100, 2500],
            Specialty::Ophthalmology => [2500, 3500, 4800, 6500, 7500],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sector {
    One,
    Two,
}

impl Sector {
    pub fn name(self) -> &'static str {
        if self == Sector::One { "secteur_1" } else { "secteur_2" }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Zip,
    Zac,
    Elsewhere,
}

impl Zone {
    pub fn name(self) -> &'static str {
        match self {
            Zone::Zip => "zip",
            Zone::Zac => "zac",
            Zone::Elsewhere => "hors_zone",
        }
    }
}

pub struct Physician {
    pub name: String,
    pub specialty: Specialty,
    pub sector: Sector,
    pub optam: bool,
    pub zone: Zone,
    pub grouped_practice: bool,
    pub coordinated_practice: bool,
    pub patientele_mt: Option<u32>,
    pub file_active: u32,
    pub contract_signed: Option<jiff::civil::Date>,
}

const BANDS: [&str; 6] = ["below_p30", "p30_p50", "p50_p70", "p70_p90", "p90_p95", "above_p95"];
const FTE: [&str; 3] = ["1/3", "1/2", "1"];
/// Growth rates in per mille, by band from P30–P50 and option.
const RATES: [[i64; 3]; 5] = [[200, 250, 350], [150, 200, 290], [75, 125, 200], [40, 60, 125], [0, 0, 50]];
/// Aid in cents by level (up to P90, P90–P95, above P95), option and year.
const AID: [[[i64; 3]; 3]; 3] = [
    [[1_200_000, 900_000, 700_000], [1_800_000, 1_350_000, 1_050_000], [3_600_000, 2_700_000, 2_100_000]],
    [[1_200_000, 900_000, 835_000], [1_800_000, 1_350_000, 1_250_000], [3_600_000, 2_700_000, 2_500_000]],
    [[1_200_000, 1_200_000, 1_200_000], [1_800_000, 1_800_000, 1_800_000], [3_600_000, 3_600_000, 3_600_000]],
];

pub struct Outcome {
    pub eligible: bool,
    /// Bits: sector, coordinated practice, grouped practice, activity threshold.
    pub failed: u8,
    pub band: usize,
    pub contract_year: Option<i64>,
    pub options: [OptionOutcome; 3],
    pub certainty: [&'static str; 5],
}

#[derive(Default)]
pub struct OptionOutcome {
    pub open: bool,
    pub outside_zone: bool,
    pub aid: [Decimal; 3],
    pub target_file_active: Decimal,
    pub target_patientele_mt: Option<Decimal>,
}

/// The contract year on `on` of a contract signed on `signed`: 1 until the first
/// anniversary (and for a contract signed later), then one more at each.
fn contract_year(signed: jiff::civil::Date, on: jiff::civil::Date) -> i64 {
    let mut years = i64::from(on.year()) - i64::from(signed.year());
    // An anniversary on 29 February falls on 1 March in other years, as in the policy.
    let anniversary = |years: i64| {
        let year = signed.year() + years as i16;
        jiff::civil::Date::new(year, signed.month(), signed.day()).unwrap_or(jiff::civil::date(year, 3, 1))
    };
    if on >= signed && anniversary(years) > on {
        years -= 1;
    } else if on < signed && anniversary(years) < on {
        years += 1;
    }
    (years + 1).max(1)
}

pub fn evaluate(physician: &Physician, on: jiff::civil::Date) -> Result<Outcome, &'static str> {
    let general = physician.specialty == Specialty::GeneralPractice;
    let reference = if general {
        physician.patientele_mt.ok_or("the profile has no `patientele_mt`")?
    } else {
        physician.file_active
    };
    let percentiles = physician.specialty.percentiles();
    let mut failed = 0;
    if !(physician.sector == Sector::One || physician.optam) {
        failed |= 1;
    }
    if !physician.coordinated_practice {
        failed |= 2;
    }
    if !(physician.grouped_practice || physician.zone == Zone::Zip) {
        failed |= 4;
    }
    if reference <= percentiles[0] {
        failed |= 8;
    }
    let eligible = failed == 0;
    let band = percentiles.iter().position(|threshold| reference <= *threshold).unwrap_or(5);
    let level = match band {
        4 => 1,
        5 => 2,
        _ => 0,
    };
    let mut options: [OptionOutcome; 3] = Default::default();
    for (option, outcome) in options.iter_mut().enumerate() {
        outcome.outside_zone = option == 2 && physician.zone != Zone::Zip;
        outcome.open = eligible && !outcome.outside_zone;
        if outcome.open {
            let rate = Decimal::new(RATES[band - 1][option], 3);
            let target = |count: u32| {
                (Decimal::from(count) * rate).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            };
            outcome.aid = AID[level][option].map(|cents| Decimal::new(cents, 2));
            outcome.target_file_active = target(physician.file_active);
            outcome.target_patientele_mt = physician.patientele_mt.filter(|_| general).map(target);
        }
    }
    // How sure each output is: GPs' P30 is established, every other threshold assumed; the
    // eligibility conditions are secondary.
    let conditions = if general { "secondary" } else { "assumed" };
    let band_certainty = if general && band == 0 { "established" } else { "assumed" };
    let options_certainty = if !general || eligible { "assumed" } else { "secondary" };
    Ok(Outcome {
        eligible,
        failed,
        band,
        contract_year: physician.contract_signed.map(|signed| contract_year(signed, on)),
        options,
        certainty: [conditions, conditions, band_certainty, "established", options_certainty],
    })
}

const CONDITIONS: [&str; 4] = ["sector_agreement", "coordinated_practice", "grouped_practice", "activity_threshold"];

fn write_row(out: &mut Vec<u8>, row: u64, name: &[u8], outcome: &Outcome) {
    write!(out, "{row},").unwrap();
    if name.iter().any(|byte| matches!(byte, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for byte in name {
            if *byte == b'"' {
                out.push(b'"');
            }
            out.push(*byte);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(name);
    }
    write!(out, ",{},", outcome.eligible).unwrap();
    let mut first = true;
    for (bit, condition) in CONDITIONS.iter().enumerate() {
        if outcome.failed & (1 << bit) != 0 {
            if !first {
                out.push(b';');
            }
            out.extend_from_slice(condition.as_bytes());
            first = false;
        }
    }
    write!(out, ",{},", BANDS[outcome.band]).unwrap();
    if let Some(year) = outcome.contract_year {
        write!(out, "{year}").unwrap();
    }
    for (option, result) in outcome.options.iter().enumerate() {
        let failed = match (outcome.eligible, result.outside_zone) {
            (true, false) => "",
            (true, true) => "full_time_in_underserved_zone",
            (false, false) => "eligible",
            (false, true) => "eligible;full_time_in_underserved_zone",
        };
        write!(out, ",{},{failed},{}", result.open, FTE[option]).unwrap();
        if result.open {
            let [year_1, year_2, year_3] = result.aid;
            write!(out, ",{year_1},{year_2},{year_3},{},", result.target_file_active).unwrap();
            if let Some(target) = result.target_patientele_mt {
                write!(out, "{target}").unwrap();
            }
        } else {
            out.extend_from_slice(b",,,,,");
        }
    }
    for certainty in outcome.certainty {
        write!(out, ",{certainty}").unwrap();
    }
    out.push(b'\n');
}

const HEADER: &str = "row,name,eligible,failed_conditions,band,contract_year";
const OPTION_COLUMNS: [&str; 8] = [
    "open",
    "failed_conditions",
    "fte",
    "aid.year_1",
    "aid.year_2",
    "aid.year_3_and_after",
    "target_file_active",
    "target_patientele_mt",
];

fn parse_bool(cell: &[u8], default: Option<bool>) -> Result<bool, &'static str> {
    match cell {
        b"true" => Ok(true),
        b"false" => Ok(false),
        b"" => default.ok_or("a field is missing"),
        _ => Err("not a boolean"),
    }
}

fn parse_count(cell: &[u8]) -> Result<u32, &'static str> {
    std::str::from_utf8(cell).ok().and_then(|text| text.parse().ok()).ok_or("not a count")
}

/// Reads the population, evaluates each row, writes the same CSV as avenant; one thread.
pub fn csv_to_csv(input: &Path, output: &Path, on: jiff::civil::Date) -> Result<(), Box<dyn std::error::Error>> {
    let mut reader = csv::ReaderBuilder::new().from_path(input)?;
    let header = reader.byte_headers()?.clone();
    let column = |name: &str| header.iter().position(|title| title == name.as_bytes()).ok_or("a column is missing");
    let columns = [
        column("name")?,
        column("specialty")?,
        column("sector")?,
        column("optam")?,
        column("zone")?,
        column("grouped_practice")?,
        column("coordinated_practice")?,
        column("patientele_mt")?,
        column("file_active")?,
        column("contract_signed")?,
    ];
    let mut writer = BufWriter::with_capacity(1 << 20, std::fs::File::create(output)?);
    let mut line = HEADER.to_owned();
    for option in ["option_1", "option_2", "option_3"] {
        for name in OPTION_COLUMNS {
            line.push_str(&format!(",options.{option}.{name}"));
        }
    }
    for name in ["eligible", "failed_conditions", "band", "contract_year", "options"] {
        line.push_str(&format!(",certainty.{name}"));
    }
    line.push('\n');
    writer.write_all(line.as_bytes())?;
    let mut record = csv::ByteRecord::new();
    let mut out = Vec::with_capacity(1 << 16);
    let mut row = 0;
    while reader.read_byte_record(&mut record)? {
        row += 1;
        let cell = |index: usize| record.get(columns[index]).unwrap_or(b"");
        let physician = Physician {
            name: String::new(),
            specialty: match cell(1) {
                b"medecine_generale" => Specialty::GeneralPractice,
                b"cardiologie" => Specialty::Cardiology,
                b"pediatrie" => Specialty::Paediatrics,
                b"ophtalmologie" => Specialty::Ophthalmology,
                _ => return Err("a specialty without thresholds".into()),
            },
            sector: match cell(2) {
                b"secteur_1" => Sector::One,
                b"secteur_2" => Sector::Two,
                _ => return Err("an unknown sector".into()),
            },
            optam: parse_bool(cell(3), Some(false))?,
            zone: match cell(4) {
                b"zip" => Zone::Zip,
                b"zac" => Zone::Zac,
                b"hors_zone" => Zone::Elsewhere,
                _ => return Err("an unknown zone".into()),
            },
            grouped_practice: parse_bool(cell(5), None)?,
            coordinated_practice: parse_bool(cell(6), None)?,
            patientele_mt: if cell(7).is_empty() { None } else { Some(parse_count(cell(7))?) },
            file_active: parse_count(cell(8))?,
            contract_signed: match cell(9) {
                b"" => None,
                date => Some(std::str::from_utf8(date)?.parse()?),
            },
        };
        let outcome = evaluate(&physician, on)?;
        write_row(&mut out, row, cell(0), &outcome);
        if out.len() > 1 << 16 {
            writer.write_all(&out)?;
            out.clear();
        }
    }
    writer.write_all(&out)?;
    writer.flush()?;
    Ok(())
}
