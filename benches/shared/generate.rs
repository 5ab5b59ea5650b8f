//! A deterministic population like the national one, for the speed runs:
//! mostly GPs, some cardiologists, paediatricians and ophthalmologists.

use std::io::Write as _;
use std::path::Path;

use super::baseline;

pub struct Random(u64);

impl Random {
    pub fn next(&mut self, bound: u64) -> u64 {
        // xorshift64*: seeded, no dependency, the same population on every machine.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % bound
    }

    fn between(&mut self, low: u64, high: u64) -> u32 {
        (low + self.next(high - low + 1)) as u32
    }
}

pub fn physicians(count: usize, seed: u64) -> Vec<baseline::Physician> {
    let mut random = Random(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    (0..count).map(|index| physician(&mut random, index)).collect()
}

fn physician(random: &mut Random, index: usize) -> baseline::Physician {
    use baseline::Specialty::*;
    let specialty = match random.next(100) {
        0..80 => GeneralPractice,
        80..88 => Cardiology,
        88..94 => Paediatrics,
        _ => Ophthalmology,
    };
    let (patientele_mt, file_active) = match specialty {
        GeneralPractice => {
            let mt = random.between(300, 2500);
            (Some(mt), mt + random.between(mt as u64 / 4, mt as u64))
        }
        Cardiology => (None, random.between(900, 4500)),
        Paediatrics => (None, random.between(500, 3000)),
        Ophthalmology => (None, random.between(1800, 9000)),
    };
    let sector = if random.next(10) < 7 { baseline::Sector::One } else { baseline::Sector::Two };
    baseline::Physician {
        name: format!("dr-{index:07}"),
        specialty,
        sector,
        optam: sector == baseline::Sector::Two && random.next(2) == 0,
        zone: match random.next(10) {
            0..3 => baseline::Zone::Zip,
            3..5 => baseline::Zone::Zac,
            _ => baseline::Zone::Elsewhere,
        },
        grouped_practice: random.next(10) < 7,
        coordinated_practice: random.next(10) < 8,
        patientele_mt,
        file_active,
        // A third have signed a contract, from the first day of the 2019 text for 1 000 days.
        contract_signed: (random.next(3) == 0).then(|| {
            let days = jiff::Span::new().days(random.next(1000) as i64);
            jiff::civil::date(2019, 8, 21).checked_add(days).unwrap()
        }),
    }
}

const HEADER: &str = "name,specialty,sector,optam,zone,grouped_practice,coordinated_practice,patientele_mt,file_active,contract_signed\n";

fn row(physician: &baseline::Physician, out: &mut String) {
    use std::fmt::Write as _;
    let _ = writeln!(
        out,
        "{},{},{},{},{},{},{},{},{},{}",
        physician.name,
        physician.specialty.name(),
        physician.sector.name(),
        physician.optam,
        physician.zone.name(),
        physician.grouped_practice,
        physician.coordinated_practice,
        physician.patientele_mt.map(|mt| mt.to_string()).unwrap_or_default(),
        physician.file_active,
        physician.contract_signed.map(|date| date.to_string()).unwrap_or_default()
    );
}

/// Writes the population once; a file already there of the same seed is kept.
pub fn csv_file(path: &Path, count: usize, seed: u64) {
    let mut random = Random(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut text = String::from(HEADER);
    for index in 0..count {
        row(&physician(&mut random, index), &mut text);
    }
    if std::fs::read(path).ok().is_some_and(|existing| existing == text.as_bytes()) {
        return;
    }
    std::fs::File::create(path).unwrap().write_all(text.as_bytes()).unwrap();
}

pub fn json(physician: &baseline::Physician) -> String {
    let mut object = serde_json::json!({
        "name": physician.name,
        "specialty": physician.specialty.name(),
        "sector": physician.sector.name(),
        "optam": physician.optam,
        "zone": physician.zone.name(),
        "grouped_practice": physician.grouped_practice,
        "coordinated_practice": physician.coordinated_practice,
        "file_active": physician.file_active,
    });
    if let Some(mt) = physician.patientele_mt {
        object["patientele_mt"] = serde_json::json!(mt);
    }
    if let Some(date) = physician.contract_signed {
        object["contract_signed"] = serde_json::json!(date.to_string());
    }
    object.to_string()
}
