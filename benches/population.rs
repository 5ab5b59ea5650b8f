//! Speed of avenant on the 2019 policy, against a hand-written Rust program
//! of the same rules and outputs (the baseline, which lives here and only
//! here): per profile, CSV → CSV end to end for 100 000 and 1 000 000
//! profiles, and parse + check of the policy. Ends with a summary of ratios
//! against the baseline and the peak memory of the end-to-end runs.
//!
//! `cargo bench --bench population` (add `-- --quick` for a shorter run).

// A benchmark fails loudly: a number measured on a broken run must not be printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use avenant::batch::{self, Options};
use avenant::check::model::Value;
use avenant::eval::compiled::CompiledPolicy;

/// The date the benchmarks evaluate as of: the 2019 text reads it for contract years.
const ON: jiff::civil::Date = jiff::civil::date(2022, 6, 1);
use avenant::{CheckedPolicy, Profile, ProfileInput};
use criterion::{BatchSize, Criterion, Throughput};

const POLICY: &str = "policies/avenant-7.policy";
/// Set in a child run of this executable: run the baseline CSV → CSV and exit, so its peak memory is its own.
const CHILD_INPUT: &str = "AVENANT_BENCH_BASELINE_INPUT";
const CHILD_OUTPUT: &str = "AVENANT_BENCH_BASELINE_OUTPUT";
/// Set in a child run: evaluate the sample a thousand times with `baseline`, `compiled` or `reference`, and exit.
const CHILD_EVALUATOR: &str = "AVENANT_BENCH_EVALUATOR";

fn main() {
    if let (Ok(input), Ok(output)) = (std::env::var(CHILD_INPUT), std::env::var(CHILD_OUTPUT)) {
        baseline::csv_to_csv(Path::new(&input), Path::new(&output)).unwrap();
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let policy_text = std::fs::read_to_string(root.join(POLICY)).unwrap();
    let policy = avenant::compile(Path::new(POLICY), &policy_text).unwrap();
    if let Ok(evaluator) = std::env::var(CHILD_EVALUATOR) {
        // One million evaluations and nothing else, for `perf stat` (instructions do not
        // depend on what else the machine runs, as times do).
        let (physicians, profiles) = sample(&policy, SAMPLE);
        let compiled = CompiledPolicy::new(&policy);
        let mut scratch = compiled.scratch();
        for _ in 0..1000 {
            match evaluator.as_str() {
                "baseline" => {
                    physicians.iter().for_each(|physician| drop(black_box(baseline::evaluate(physician, ON))))
                }
                "compiled" => profiles
                    .iter()
                    .for_each(|profile| drop(black_box(compiled.evaluate(profile.values(), ON, &mut scratch)))),
                _ => profiles.iter().for_each(|profile| drop(black_box(avenant::evaluate(&policy, profile, ON)))),
            }
        }
        return;
    }
    // In memory where the machine has a tmpfs, so the speed of its disk does not blur the comparison.
    let shared_memory = Path::new("/dev/shm");
    let base = if shared_memory.is_dir() { shared_memory.to_owned() } else { std::env::temp_dir() };
    let folder = base.join("avenant-bench");
    std::fs::create_dir_all(&folder).unwrap();
    let populations: Vec<(usize, PathBuf)> = [100_000, 1_000_000]
        .into_iter()
        .map(|size| {
            let path = folder.join(format!("population-{size}.csv"));
            generate::csv_file(&path, size, 2019);
            (size, path)
        })
        .collect();
    same_output_or_stop(&policy, &root, &populations[0].1, &folder);

    let mut criterion = Criterion::default().configure_from_args();
    per_profile(&mut criterion, &policy);
    end_to_end(&mut criterion, &policy, &populations, &folder);
    parse_and_check(&mut criterion, &policy_text);
    criterion.final_summary();
    summary(&policy, &root, &policy_text, &populations, &folder);
}

/// The baseline and avenant must write the same bytes, or the comparison means nothing.
fn same_output_or_stop(policy: &CheckedPolicy, root: &Path, population: &Path, folder: &Path) {
    let ours = folder.join("check-avenant.csv");
    let theirs = folder.join("check-baseline.csv");
    avenant_csv_to_csv(policy, population, &ours, 0, 2048);
    baseline::csv_to_csv(population, &theirs).unwrap();
    let (ours, theirs) = (std::fs::read(&ours).unwrap(), std::fs::read(&theirs).unwrap());
    if ours != theirs {
        let line = ours.split(|byte| *byte == b'\n').zip(theirs.split(|byte| *byte == b'\n')).position(|(a, b)| a != b);
        panic!("the baseline and avenant disagree (first at line {line:?}); see {}", root.display());
    }
}

fn avenant_csv_to_csv(policy: &CheckedPolicy, input: &Path, output: &Path, threads: usize, chunk_size: usize) {
    let compiled = CompiledPolicy::new(policy);
    let options = Options { threads, chunk_size, on: ON, ..Options::default() };
    let input = std::fs::File::open(input).unwrap();
    let mut output = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(output).unwrap());
    let summary =
        batch::run(&compiled, input, &mut output, &options, &mut |error| panic!("{error:?}"), &mut |_| {}).unwrap();
    assert_eq!(summary.rows_rejected, 0);
}

/// Profiles in each form: the baseline's struct, avenant's validated values.
fn sample(policy: &CheckedPolicy, count: usize) -> (Vec<baseline::Physician>, Vec<Profile>) {
    let physicians = generate::physicians(count, 7);
    let profiles = physicians
        .iter()
        .map(|physician| {
            let input = ProfileInput::parse(Path::new("p.json"), &generate::json(physician)).unwrap();
            Profile::validate(policy, &input).unwrap()
        })
        .collect();
    (physicians, profiles)
}

const SAMPLE: usize = 1000;

fn per_profile(criterion: &mut Criterion, policy: &CheckedPolicy) {
    let (physicians, profiles) = sample(policy, SAMPLE);
    let values: Vec<&[Option<Value>]> = profiles.iter().map(Profile::values).collect();
    let compiled = CompiledPolicy::new(policy);
    let mut group = criterion.benchmark_group("per_profile");
    group.throughput(Throughput::Elements(SAMPLE as u64));
    group.bench_function("baseline", |bencher| {
        bencher
            .iter(|| physicians.iter().filter(|physician| black_box(baseline::evaluate(physician, ON)).is_ok()).count())
    });
    group.bench_function("avenant_compiled", |bencher| {
        let mut scratch = compiled.scratch();
        bencher.iter(|| values.iter().filter(|values| compiled.evaluate(values, ON, &mut scratch).is_ok()).count())
    });
    group.bench_function("avenant_reference", |bencher| {
        bencher.iter(|| profiles.iter().filter(|profile| avenant::evaluate(policy, profile, ON).is_ok()).count())
    });
    group.finish();
}

fn end_to_end(criterion: &mut Criterion, policy: &CheckedPolicy, populations: &[(usize, PathBuf)], folder: &Path) {
    let mut group = criterion.benchmark_group("csv_to_csv");
    group.sample_size(10).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1));
    let output = folder.join("out.csv");
    for (size, input) in populations {
        group.throughput(Throughput::Elements(*size as u64));
        group.bench_function(format!("baseline/{size}"), |bencher| {
            bencher.iter(|| baseline::csv_to_csv(input, &output).unwrap())
        });
        group.bench_function(format!("avenant/{size}"), |bencher| {
            bencher.iter(|| avenant_csv_to_csv(policy, input, &output, 0, 2048))
        });
    }
    group.finish();
}

fn parse_and_check(criterion: &mut Criterion, text: &str) {
    criterion.bench_function("parse_and_check_2019", |bencher| {
        bencher.iter_batched(|| text, |text| avenant::compile(Path::new(POLICY), text).unwrap(), BatchSize::SmallInput)
    });
}

/// The median of `runs` timings of `work`.
fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// Wall time, peak resident memory and CPU time (user + system) of a child
/// process, measured by `/usr/bin/time -v`. CPU time says what the run costs
/// even when other work shares the machine, which wall time does not.
fn measure_child(command: &mut std::process::Command) -> Option<(Duration, u64, f64)> {
    let start = Instant::now();
    let output = command.output().ok()?;
    let wall = start.elapsed();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let kilobytes = stderr
        .lines()
        .find_map(|line| line.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|value| value.trim().parse::<u64>().ok())?;
    let seconds = |label: &str| {
        stderr
            .lines()
            .find_map(|line| line.trim().strip_prefix(label))
            .and_then(|value| value.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    Some((wall, kilobytes, seconds("User time (seconds):") + seconds("System time (seconds):")))
}

fn summary(policy: &CheckedPolicy, root: &Path, policy_text: &str, populations: &[(usize, PathBuf)], folder: &Path) {
    let mut report = String::new();
    let mut line = |text: String| {
        println!("{text}");
        report.push_str(&text);
        report.push('\n');
    };
    line("== summary: avenant against the hand-written baseline (same rules, same outputs, same bytes)".to_owned());
    let (physicians, profiles) = sample(policy, SAMPLE);
    let compiled = CompiledPolicy::new(policy);
    let mut scratch = compiled.scratch();
    let rounds = 200;
    let per = |duration: Duration| duration.as_nanos() as f64 / (SAMPLE * rounds) as f64;
    let baseline_ns = per(median(5, || {
        for _ in 0..rounds {
            physicians.iter().for_each(|physician| drop(black_box(baseline::evaluate(physician, ON))));
        }
    }));
    let compiled_ns = per(median(5, || {
        for _ in 0..rounds {
            profiles.iter().for_each(|profile| drop(black_box(compiled.evaluate(profile.values(), ON, &mut scratch))));
        }
    }));
    let reference_ns = per(median(3, || {
        for _ in 0..rounds / 10 {
            profiles.iter().for_each(|profile| drop(black_box(avenant::evaluate(policy, profile, ON))));
        }
    })) * 10.0;
    line(format!(
        "per profile: baseline {baseline_ns:.0} ns, avenant compiled {compiled_ns:.0} ns ({:.2}× the baseline, target ≤ 2×), reference evaluator {reference_ns:.0} ns ({:.1}×)",
        compiled_ns / baseline_ns,
        reference_ns / baseline_ns
    ));
    let output = folder.join("out.csv");
    for (size, input) in populations {
        let baseline = median(3, || baseline::csv_to_csv(input, &output).unwrap());
        let ours = median(3, || avenant_csv_to_csv(policy, input, &output, 0, 2048));
        line(format!(
            "csv → csv {size}: baseline {:.3} s, avenant {:.3} s in process ({:.2}× the baseline, target ≤ 2×)",
            baseline.as_secs_f64(),
            ours.as_secs_f64(),
            ours.as_secs_f64() / baseline.as_secs_f64()
        ));
    }
    let time = Path::new("/usr/bin/time");
    for (size, input) in populations {
        if !time.exists() {
            line("peak memory: /usr/bin/time is not installed (apt-get install time)".to_owned());
            break;
        }
        let binary = env!("CARGO_BIN_EXE_avenant");
        let ours = measure_child(
            std::process::Command::new(time)
                .arg("-v")
                .arg(binary)
                .args(["eval", POLICY, "--profiles"])
                .arg(input)
                .arg("--out")
                .arg(&output)
                .current_dir(root),
        );
        let theirs = measure_child(
            std::process::Command::new(time)
                .arg("-v")
                .arg(std::env::current_exe().unwrap())
                .env(CHILD_INPUT, input)
                .env(CHILD_OUTPUT, &output),
        );
        if let (Some((our_wall, our_peak, our_cpu)), Some((their_wall, their_peak, their_cpu))) = (ours, theirs) {
            line(format!(
                "release binary, {size} profiles csv → csv: avenant {:.3} s wall ({our_cpu:.2} s CPU), peak {:.1} MiB (targets: ≤ 1 s for 1 000 000, ≤ 32 MiB); baseline {:.3} s wall ({their_cpu:.2} s CPU), peak {:.1} MiB",
                our_wall.as_secs_f64(),
                our_peak as f64 / 1024.0,
                their_wall.as_secs_f64(),
                their_peak as f64 / 1024.0
            ));
        }
    }
    let check = median(21, || drop(black_box(avenant::compile(Path::new(POLICY), policy_text))));
    line(format!("parse + check of the 2019 policy: {:.2} ms", check.as_secs_f64() * 1000.0));
    let _ = std::fs::write(folder.join("summary.txt"), report);
}

/// A deterministic population like the national one, for the speed runs:
/// mostly GPs, some cardiologists, paediatricians and ophthalmologists.
mod generate {
    use super::*;

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
}

/// The 2019 rules (avenant 7) written by hand, as someone would without
/// avenant: exact decimals (rust_decimal) for rates and euros, the
/// thresholds and tables as constants, the same CSV columns and bytes.
mod baseline {
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

    const CONDITIONS: [&str; 4] =
        ["sector_agreement", "coordinated_practice", "grouped_practice", "activity_threshold"];

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
    pub fn csv_to_csv(input: &Path, output: &Path) -> Result<(), Box<dyn std::error::Error>> {
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
            let outcome = evaluate(&physician, super::ON)?;
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
}
