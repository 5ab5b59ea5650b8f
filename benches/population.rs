//! Speed of avenant on the 2019 policy, against a hand-written Rust program
//! of the same rules and outputs (the baseline, which lives here and only
//! here): per profile, CSV → CSV end to end for 100 000 and 1 000 000
//! profiles, and parse + check of the policy. Ends with a summary of ratios
//! against the baseline and the peak memory of the end-to-end runs, and the
//! time of `avenant diff` of the 2019 and 2024 texts against one `eval`.
//!
//! `cargo bench --bench population` (add `-- --quick` for a shorter run).

// A benchmark fails loudly: a number measured on a broken run must not be printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use avenant::batch::{self, Options};
use avenant::check::Value;
use avenant::eval::compiled::CompiledPolicy;

/// The date the benchmarks evaluate as of: the 2019 text reads it for contract years.
const ON: jiff::civil::Date = jiff::civil::date(2022, 6, 1);
use avenant::{CheckedPolicy, Profile, ProfileInput};
use criterion::{BatchSize, Criterion, Throughput};

const POLICY: &str = "policies/avenant-7.policy";
/// Set in a child run of this executable: run the baseline CSV → CSV and exit, so its peak memory is its own.
const CHILD_INPUT: &str = "AVENANT_BENCH_BASELINE_INPUT";
const CHILD_OUTPUT: &str = "AVENANT_BENCH_BASELINE_OUTPUT";
/// Set in a child run: evaluate the sample a thousand times with `baseline`, `lanes` (many at a time),
/// `compiled` (one at a time) or `reference`, and exit.
const CHILD_EVALUATOR: &str = "AVENANT_BENCH_EVALUATOR";

fn main() {
    if let (Ok(input), Ok(output)) = (std::env::var(CHILD_INPUT), std::env::var(CHILD_OUTPUT)) {
        baseline::csv_to_csv(Path::new(&input), Path::new(&output), ON).unwrap();
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
        let mut lanes = compiled.lanes();
        let values: Vec<&[Option<Value>]> = profiles.iter().map(Profile::values).collect();
        for _ in 0..1000 {
            match evaluator.as_str() {
                "lanes" => drop(compiled.evaluate_each(&values, ON, &mut lanes, &mut scratch, |_, outcome| {
                    drop(black_box(outcome));
                })),
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
    baseline::csv_to_csv(population, &theirs, ON).unwrap();
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
    group.bench_function("avenant_lanes", |bencher| {
        let (mut lanes, mut scratch) = (compiled.lanes(), compiled.scratch());
        bencher.iter(|| {
            let mut evaluated = 0;
            compiled.evaluate_each(&values, ON, &mut lanes, &mut scratch, |_, outcome| {
                evaluated += usize::from(outcome.is_ok());
            });
            evaluated
        })
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
            bencher.iter(|| baseline::csv_to_csv(input, &output, ON).unwrap())
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
    let values: Vec<&[Option<Value>]> = profiles.iter().map(Profile::values).collect();
    let mut lanes = compiled.lanes();
    let lanes_ns = per(median(5, || {
        for _ in 0..rounds {
            compiled.evaluate_each(&values, ON, &mut lanes, &mut scratch, |_, outcome| drop(black_box(outcome)));
        }
    }));
    let reference_ns = per(median(3, || {
        for _ in 0..rounds / 10 {
            profiles.iter().for_each(|profile| drop(black_box(avenant::evaluate(policy, profile, ON))));
        }
    })) * 10.0;
    line(format!(
        "per profile: baseline {baseline_ns:.0} ns; avenant {lanes_ns:.0} ns many at a time ({:.2}× the baseline, target ≤ 2×), {compiled_ns:.0} ns one at a time ({:.2}×); reference evaluator {reference_ns:.0} ns ({:.1}×)",
        lanes_ns / baseline_ns,
        compiled_ns / baseline_ns,
        reference_ns / baseline_ns
    ));
    let output = folder.join("out.csv");
    for (size, input) in populations {
        let baseline = median(3, || baseline::csv_to_csv(input, &output, ON).unwrap());
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
    for (size, input) in populations {
        diff_against_eval(&mut line, root, *size, input, &output);
    }
    let check = median(21, || drop(black_box(avenant::compile(Path::new(POLICY), policy_text))));
    line(format!("parse + check of the 2019 policy: {:.2} ms", check.as_secs_f64() * 1000.0));
    let _ = std::fs::write(folder.join("summary.txt"), report);
}

/// `avenant diff` of the 2019 and 2024 texts against one `avenant eval` of
/// the 2019 text, over the same population, each the release binary in a
/// child process: the median wall time of three runs, CPU time and peak
/// memory (target: the diff within 2.5× the eval, in constant memory).
fn diff_against_eval(line: &mut dyn FnMut(String), root: &Path, size: usize, input: &Path, output: &Path) {
    let binary = env!("CARGO_BIN_EXE_avenant");
    let time = Path::new("/usr/bin/time");
    let run = |args: &[&str]| {
        let mut runs: Vec<(Duration, u64, f64)> = (0..3)
            .filter_map(|_| {
                let mut command = match time.exists() {
                    true => {
                        let mut command = std::process::Command::new(time);
                        command.arg("-v").arg(binary);
                        command
                    }
                    false => std::process::Command::new(binary),
                };
                command.args(args).arg("--profiles").arg(input).current_dir(root);
                match time.exists() {
                    true => measure_child(&mut command),
                    false => {
                        let start = Instant::now();
                        let status = command.status().ok()?;
                        assert!(status.success());
                        Some((start.elapsed(), 0, 0.0))
                    }
                }
            })
            .collect();
        runs.sort_by_key(|(wall, _, _)| *wall);
        runs.get(1).copied().unwrap()
    };
    let out = output.to_string_lossy().into_owned();
    let on = "2024-10-01";
    let eval = run(&["eval", POLICY, "--on", on, "--out", &out]);
    let summary_only = run(&["diff", POLICY, "policies/convention-2024.policy", "--on", on, "--format", "json"]);
    let diff_path = output.with_extension("diff.csv");
    let diff_out = diff_path.to_string_lossy().into_owned();
    let with_rows =
        run(&["diff", POLICY, "policies/convention-2024.policy", "--on", on, "--out", &diff_out, "--format", "json"]);
    let describe = |(wall, peak, cpu): (Duration, u64, f64)| {
        format!("{:.3} s wall ({cpu:.2} s CPU), peak {:.1} MiB", wall.as_secs_f64(), peak as f64 / 1024.0)
    };
    line(format!(
        "release binary, {size} profiles: eval 2019 {}; diff 2019 → 2024 {} ({:.2}× the eval, target ≤ 2.5×); with per-profile rows {} ({:.2}×)",
        describe(eval),
        describe(summary_only),
        summary_only.0.as_secs_f64() / eval.0.as_secs_f64(),
        describe(with_rows),
        with_rows.0.as_secs_f64() / eval.0.as_secs_f64(),
    ));
}

#[path = "shared/generate.rs"]
mod generate;

#[path = "shared/baseline.rs"]
mod baseline;

#[path = "shared/timing.rs"]
mod timing;
use timing::median;
