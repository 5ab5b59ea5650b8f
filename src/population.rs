//! A synthetic population of physicians, deterministic from a seed, for
//! impact studies (`avenant diff`) and benchmarks. It draws integers only:
//! every count and share is exact, and the same seed gives the same file on
//! every machine and every version of the random stream's crate (ChaCha8).
//!
//! Calibration, from the public figures in ../shared/domain/:
//! - GPs are 67 % of the population: 5 283 GP contracts are 14.5 % of GPs and
//!   1 957 specialist contracts 11.1 % of specialists (seed 001), so about
//!   36 400 GPs and 17 600 specialists;
//! - specialties are drawn in the proportions of the specialists who signed
//!   in 2020 (seed 000: 37 cardiologists, 37 ophthalmologists, …);
//! - patientèle follows each specialty's percentile thresholds as the 2019
//!   policy states them (a piecewise-linear quantile function through P30,
//!   P50, P70, P90, P95), so 30 % of each specialty falls below P30, by
//!   construction; a specialty without thresholds borrows cardiology's;
//! - 18 % of physicians practise in a zone d'intervention prioritaire (Le
//!   Quotidien du Médecin), and signing is more likely there, so that 57 % of
//!   signatories are in one (seed 001);
//! - 14.5 % of GPs and 11.1 % of specialists have a running contract, among
//!   those above P30; signed between September 2019 and October 2024, with
//!   the 2020 option mix (325 at 1/3, 492 at 1/2, 161 at 1 ETP, seed 000)
//!   before May 2023, and no 1/3 ETP after (47 % half-time overall is a
//!   secondary figure it does not aim at).
//!
//! What it cannot reproduce: the real joint distributions (patientèle by
//! zone or sector, practice forms by specialty), the specialties' real
//! sizes, and anything the public figures do not describe. Sector, OPTAM,
//! practice forms and clinical fee shares are plausible guesses, stated
//! below as constants.

use std::io::Write;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The columns of a population file, in order: the profile fields of the
/// policies in `policies/`, and an `id`.
pub const COLUMNS: [&str; 12] = [
    "id",
    "specialty",
    "sector",
    "optam",
    "zone",
    "grouped_practice",
    "coordinated_practice",
    "patientele_mt",
    "file_active",
    "clinical_fee_share",
    "contract_signed",
    "contract_option",
];

/// Shares are written per million, to draw them exactly from integers.
const MILLION: u32 = 1_000_000;
const GP_SHARE: u32 = 670_000;
const ZIP_SHARE: u32 = 180_000;
const ZAC_SHARE: u32 = 270_000;
/// Signatories among physicians above P30: the overall rates (14.5 %, 11.1 %)
/// over the 70 % of physicians above P30.
const GP_SIGNING: u32 = 207_143;
const SPECIALIST_SIGNING: u32 = 158_571;
/// The share of signatories in a zone d'intervention prioritaire.
const SIGNATORIES_IN_ZIP: u32 = 570_000;

/// Specialists who signed in 2020, by specialty (seed 000): the weights of
/// the specialties drawn. ENT counts its medical and surgical physicians.
const SPECIALTY_WEIGHTS: [(&str, u32); 19] = [
    ("cardiologie", 37),
    ("ophtalmologie", 37),
    ("pediatrie", 15),
    ("pneumologie", 9),
    ("orl", 9),
    ("dermatologie", 7),
    ("medecine_vasculaire", 6),
    ("gynecologie_medicale", 5),
    ("rhumatologie", 5),
    ("psychiatrie", 5),
    ("gastro_enterologie", 5),
    ("neurologie", 4),
    ("endocrinologie", 4),
    ("chirurgie", 2),
    ("geriatrie", 2),
    ("radiologie", 2),
    ("gynecologie_obstetrique", 1),
    ("medecine_interne", 1),
    ("allergologie", 1),
];

/// Quantile points (per million, patients) of patientèle médecin traitant for
/// GPs and file active for the specialties the 2019 policy gives thresholds:
/// its P30, P50, P70, P90 and P95, with a floor and a ceiling of our own.
const GP_QUANTILES: [(u32, u32); 7] =
    [(0, 150), (300_000, 640), (500_000, 850), (700_000, 1_100), (900_000, 1_500), (950_000, 1_700), (MILLION, 2_600)];
const CARDIOLOGY_QUANTILES: [(u32, u32); 7] = [
    (0, 300),
    (300_000, 1_400),
    (500_000, 1_900),
    (700_000, 2_500),
    (900_000, 3_300),
    (950_000, 3_900),
    (MILLION, 6_000),
];
const OPHTHALMOLOGY_QUANTILES: [(u32, u32); 7] = [
    (0, 600),
    (300_000, 2_500),
    (500_000, 3_500),
    (700_000, 4_800),
    (900_000, 6_500),
    (950_000, 7_500),
    (MILLION, 11_000),
];
const PAEDIATRICS_QUANTILES: [(u32, u32); 7] = [
    (0, 200),
    (300_000, 800),
    (500_000, 1_100),
    (700_000, 1_500),
    (900_000, 2_100),
    (950_000, 2_500),
    (MILLION, 4_000),
];
const SURGERY_QUANTILES: [(u32, u32); 7] = [
    (0, 200),
    (300_000, 1_000),
    (500_000, 1_500),
    (700_000, 2_100),
    (900_000, 2_900),
    (950_000, 3_400),
    (MILLION, 5_000),
];

/// 325 of the 978 contracts of 2020 were at 1/3 ETP; 161 at 1 ETP, all in
/// zones sous-denses, where 57 % of signatories practise.
const ONE_THIRD_SHARE: u32 = 332_311;
const FULL_TIME_SHARE_IN_ZIP: u32 = 288_803;

/// Days from 2019-09-01 (first contracts) to 2024-10-31 (seed 001's count).
const SIGNING_DAYS: i32 = 1_887;
/// Days from 2019-09-01 to 2023-05-01, when the 1/3 ETP option closed.
const ONE_THIRD_CLOSED_AFTER: i32 = 1_338;

/// Writes `size` physicians drawn from `seed` as CSV, one row at a time.
pub fn write(size: u64, seed: u64, out: impl Write) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(COLUMNS)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for index in 0..size {
        writer.write_record(physician(&mut rng, index))?;
    }
    writer.flush()?;
    Ok(())
}

fn chance(rng: &mut ChaCha8Rng, per_million: u32) -> bool {
    rng.random_range(0..MILLION) < per_million
}

/// The value at quantile `u` (per million) of a piecewise-linear distribution.
fn quantile(points: &[(u32, u32)], u: u32) -> u32 {
    for pair in points.windows(2) {
        let [(low_u, low), (high_u, high)] = pair else { continue };
        if u <= *high_u {
            let span = u64::from(high_u - low_u).max(1);
            let offset = u64::from(u - low_u) * u64::from(high - low) / span;
            return low + u32::try_from(offset).unwrap_or(0);
        }
    }
    points.last().map_or(0, |(_, value)| *value)
}

fn quantiles_of(specialty: &str) -> &'static [(u32, u32)] {
    match specialty {
        "medecine_generale" => &GP_QUANTILES,
        "ophtalmologie" => &OPHTHALMOLOGY_QUANTILES,
        "pediatrie" => &PAEDIATRICS_QUANTILES,
        "chirurgie" => &SURGERY_QUANTILES,
        _ => &CARDIOLOGY_QUANTILES,
    }
}

fn physician(rng: &mut ChaCha8Rng, index: u64) -> [String; 12] {
    let is_gp = chance(rng, GP_SHARE);
    let specialty = if is_gp { "medecine_generale" } else { weighted(rng, &SPECIALTY_WEIGHTS) };
    let zone_draw = rng.random_range(0..MILLION);
    let zone = if zone_draw < ZIP_SHARE {
        "zip"
    } else if zone_draw < ZIP_SHARE + ZAC_SHARE {
        "zac"
    } else {
        "hors_zone"
    };
    let secteur_1 = chance(rng, if is_gp { 880_000 } else { 550_000 });
    let optam = !secteur_1 && chance(rng, if is_gp { 500_000 } else { 450_000 });
    let grouped = chance(rng, 650_000);
    let coordinated = chance(rng, 550_000);
    let rank = rng.random_range(0..MILLION);
    let count = quantile(quantiles_of(specialty), rank);
    let (patientele_mt, file_active) = if is_gp {
        // A GP sees more patients than those who chose them as médecin traitant.
        let ratio = rng.random_range(140..=200u32);
        (count.to_string(), (count * ratio / 100).to_string())
    } else {
        (String::new(), count.to_string())
    };
    let clinical = match specialty {
        "chirurgie" | "orl" | "gynecologie_obstetrique" | "gynecologie_medicale" => {
            format!("{} %", rng.random_range(40..=100u32))
        }
        _ => String::new(),
    };
    // Signing: among physicians above P30, more often in a ZIP, so that 57 %
    // of signatories practise in one.
    let base = if is_gp { GP_SIGNING } else { SPECIALIST_SIGNING };
    let in_zip = zone == "zip";
    let signing = if in_zip {
        u64::from(base) * u64::from(SIGNATORIES_IN_ZIP) / u64::from(ZIP_SHARE)
    } else {
        u64::from(base) * u64::from(MILLION - SIGNATORIES_IN_ZIP) / u64::from(MILLION - ZIP_SHARE)
    };
    let signs = rank > 300_000 && u64::from(rng.random_range(0..MILLION)) < signing;
    let (signed, option) = if signs { contract(rng, in_zip) } else { (String::new(), String::new()) };
    [
        format!("P{index:07}"),
        specialty.to_owned(),
        if secteur_1 { "secteur_1" } else { "secteur_2" }.to_owned(),
        optam.to_string(),
        zone.to_owned(),
        grouped.to_string(),
        coordinated.to_string(),
        patientele_mt,
        file_active,
        clinical,
        signed,
        option,
    ]
}

fn weighted(rng: &mut ChaCha8Rng, weights: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = weights.iter().map(|(_, weight)| weight).sum();
    let mut draw = rng.random_range(0..total.max(1));
    for (name, weight) in weights {
        if draw < *weight {
            return name;
        }
        draw -= weight;
    }
    weights.first().map_or("cardiologie", |(name, _)| name)
}

/// A running contract: its signature date and option.
fn contract(rng: &mut ChaCha8Rng, in_zip: bool) -> (String, String) {
    let day = rng.random_range(0..SIGNING_DAYS);
    let signed = jiff::civil::date(2019, 9, 1).checked_add(jiff::Span::new().days(i64::from(day)));
    let signed = signed.map(|date| date.to_string()).unwrap_or_default();
    let draw = rng.random_range(0..MILLION);
    let option = if day < ONE_THIRD_CLOSED_AFTER {
        // The 2020 mix over all contracts: 325 at 1/3, 492 at 1/2, 161 at
        // 1 ETP. 1 ETP was open only in a zone sous-dense, where 57 % of
        // signatories practise, so there its share is 161 / 978 / 0.57.
        match draw {
            0..ONE_THIRD_SHARE => "option_1",
            _ if in_zip && draw < ONE_THIRD_SHARE + FULL_TIME_SHARE_IN_ZIP => "option_3",
            _ => "option_2",
        }
    } else if u64::from(draw) < u64::from(MILLION) * 492 / 653 {
        // After May 2023, the 1/2 and 1 ETP options in their 2020 proportion.
        "option_2"
    } else {
        "option_3"
    };
    (signed, option.to_owned())
}
