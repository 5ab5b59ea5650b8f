//! `avenant diff`: what each text changes over the shipped population.

mod common;

use std::collections::BTreeMap;

use common::{avenant, read, scratch};
use rust_decimal::Decimal;

const POPULATION: &str = "examples/population-10000.csv";

/// Each text against the one it amends, on a date when the new one is in force.
const PAIRS: [(&str, &str, &str); 2] = [
    ("avenant-7", "reglement-arbitral-2023", "2023-12-01"),
    ("reglement-arbitral-2023", "convention-2024", "2024-10-01"),
];

#[test]
fn each_text_against_the_one_it_amends() {
    for (old, new, on) in PAIRS {
        // The report in `format` (the table when none), its rejected rows set apart.
        let diff = |format: Option<&str>| {
            let errors = scratch(&format!("diff/{old}-{}-errors.csv", format.unwrap_or("table")), "");
            let (old_text, new_text) = (format!("policies/{old}.policy"), format!("policies/{new}.policy"));
            let mut arguments = vec!["diff", &old_text, &new_text, "--profiles", POPULATION, "--on", on];
            let errors = errors.to_string_lossy();
            arguments.extend(["--allow-rejects", "--errors", &errors]);
            arguments.extend(format.map(|format| ["--format", format]).into_iter().flatten());
            let run = avenant(&arguments);
            assert_eq!(run.code, 0, "{}", run.transcript());
            run.stdout
        };
        insta::with_settings!({ snapshot_suffix => format!("{old}__{new}"), omit_expression => true }, {
            insta::assert_snapshot!("diff", diff(None));
            insta::assert_snapshot!("diff_json", diff(Some("json")));
            insta::assert_snapshot!("diff_csv", diff(Some("csv")));
        });
    }
}

#[test]
fn one_chain_at_two_dates() {
    let run = avenant(&[
        "diff",
        "policies",
        "policies",
        "--profiles",
        POPULATION,
        "--on-old",
        "2022-12-01",
        "--on-new",
        "2024-10-01",
        "--format",
        "json",
        "--allow-rejects",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    assert_eq!(summary["old"], "avenant_7 on 2022-12-01");
    assert_eq!(summary["new"], "convention_2024 on 2024-10-01");
}

/// An amount as written in the outputs; one that is not an amount reads as
/// a value no sum can equal, so the comparison fails.
fn euros(text: &str) -> Decimal {
    text.parse().unwrap_or(Decimal::MIN)
}

/// The summary's totals are the sums of its per-profile rows, and every row
/// of the population is compared or reported.
#[test]
fn totals_are_the_sum_of_the_profiles_and_counts_reconcile() {
    let rows = scratch("diff/profiles.csv", "");
    let errors = scratch("diff/errors.csv", "");
    let run = avenant(&[
        "diff",
        "policies/avenant-7.policy",
        "policies/convention-2024.policy",
        "--profiles",
        POPULATION,
        "--on",
        "2024-10-01",
        "--format",
        "json",
        "--out",
        &rows.to_string_lossy(),
        "--errors",
        &errors.to_string_lossy(),
    ]);
    // Rows were rejected (specialties whose thresholds no source gives): exit 1.
    assert_eq!(run.code, 1, "{}", run.transcript());
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|error| panic!("{error}"));
    let count = |field: &str| summary[field].as_u64().unwrap_or(u64::MAX);
    assert_eq!(count("rows_in"), 10_000);
    assert_eq!(count("rows_in"), count("compared") + count("rejected"));
    let text = read(&rows);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().cloned().unwrap_or_default();
    let column = |name: &str| header.iter().position(|title| title == name).unwrap_or(usize::MAX);
    let records: Vec<csv::StringRecord> = reader.records().map_while(Result::ok).collect();
    assert_eq!(records.len() as u64, count("compared"), "one row per profile compared");
    let rejected = read(&errors).lines().count() as u64 - 1;
    assert_eq!(rejected, count("rejected"), "one error line per row rejected");
    let mut sums: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    let (mut gained, mut lost) = (0, 0);
    for record in &records {
        for option in ["option_1", "option_2", "option_3"] {
            let old = euros(&record[column(&format!("aid_per_year.{option}.old"))]);
            let new = euros(&record[column(&format!("aid_per_year.{option}.new"))]);
            let sum = sums.entry(option.to_owned()).or_default();
            sum.0 += old;
            sum.1 += new;
        }
        match (&record[column("eligible.old")], &record[column("eligible.new")]) {
            ("false", "true") => gained += 1,
            ("true", "false") => lost += 1,
            _ => {}
        }
    }
    // Per profile, the aid of a running contract's option or, for a new
    // contract, of each option it could sign: their sums are the running
    // contracts' aid plus what every new contract would get.
    for (option, (old, new)) in sums {
        let detail = &summary["options"][&option];
        let side = |side: &str| {
            euros(detail["running"][side].as_str().unwrap_or(""))
                + euros(detail["if_all_sign"][side].as_str().unwrap_or(""))
        };
        assert_eq!(side("old"), old, "{option} old");
        assert_eq!(side("new"), new, "{option} new");
    }
    assert_eq!(summary["eligibility"]["gained"], gained);
    assert_eq!(summary["eligibility"]["lost"], lost);
    // Each breakdown adds up to the whole.
    for dimension in ["by_band", "by_zone", "by_specialty"] {
        let parts = summary[dimension].as_object().cloned().unwrap_or_default();
        let profiles: u64 = parts.values().map(|part| part["profiles"].as_u64().unwrap_or(0)).sum();
        assert_eq!(profiles, count("compared"), "{dimension}");
        let part_gained: u64 = parts.values().map(|part| part["eligibility"]["gained"].as_u64().unwrap_or(0)).sum();
        assert_eq!(part_gained, gained, "{dimension}");
    }
}

#[test]
fn the_same_whatever_the_threads_and_chunks() {
    let run = |threads: &str, chunk: &str| {
        let rows = scratch(&format!("diff/rows-{threads}-{chunk}.jsonl"), "");
        let run = avenant(&[
            "diff",
            "policies/avenant-7.policy",
            "policies/reglement-arbitral-2023.policy",
            "--profiles",
            POPULATION,
            "--on",
            "2023-12-01",
            "--threads",
            threads,
            "--chunk-size",
            chunk,
            "--out",
            &rows.to_string_lossy(),
            "--allow-rejects",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        (run.stdout, read(&rows))
    };
    assert_eq!(run("1", "7"), run("2", "2048"));
}

/// The shipped texts and the test texts (a fourth option, an aid beyond any
/// sum), side by side in a folder of their own (an amendment finds its base by name in its folder).
#[expect(clippy::panic, reason = "a test that cannot set up its files must fail loudly")]
fn with_option_4() -> std::path::PathBuf {
    // A folder per call: tests run in parallel, and one must never read a text another is copying.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let folder =
        scratch(&format!("diff/texts-{call}/.keep"), "").parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    for path in common::files("policies") {
        let name = std::path::Path::new(&path).file_name().unwrap_or_default().to_owned();
        std::fs::copy(common::root().join(&path), folder.join(name)).unwrap_or_else(|error| panic!("{error}"));
    }
    for path in common::files("tests/fixtures/diff") {
        let name = std::path::Path::new(&path).file_name().unwrap_or_default().to_owned();
        std::fs::copy(common::root().join(&path), folder.join(name)).unwrap_or_else(|error| panic!("{error}"));
    }
    folder
}

fn diff_option_4(swap: bool, extra: &[&str]) -> common::Run {
    let folder = with_option_4();
    let (old, new) = (folder.join("convention-2024.policy"), folder.join("option-4.policy"));
    let (old, new) = if swap { (new, old) } else { (old, new) };
    let mut args = vec![
        "diff".to_owned(),
        old.to_string_lossy().into_owned(),
        new.to_string_lossy().into_owned(),
        "--profiles".to_owned(),
        POPULATION.to_owned(),
        "--on".to_owned(),
        "2026-07-01".to_owned(),
        "--allow-rejects".to_owned(),
        "--errors".to_owned(),
        scratch("diff/option-4-errors.csv", "").to_string_lossy().into_owned(),
    ];
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut run = avenant(&args);
    let shown = folder.to_string_lossy().into_owned();
    run.stdout = run.stdout.replace(&shown, "FOLDER");
    run.stderr = run.stderr.replace(&shown, "FOLDER");
    run
}

#[expect(clippy::panic, reason = "an output that is not JSON must fail the test loudly")]
fn json(run: &common::Run) -> serde_json::Value {
    assert_eq!(run.code, 0, "{}", run.transcript());
    serde_json::from_str(&run.stdout).unwrap_or_else(|error| panic!("{error}: {}", run.stdout))
}

/// An option only one text offers is compared against "not offered", in
/// both directions: gained by the new text, lost when the sides are swapped.
#[test]
fn an_option_one_side_lacks_is_compared_against_not_offered() {
    let set = ["--set", "supervises_students=true", "--take-up", "option_4=10%"];
    let forward = diff_option_4(false, &set);
    assert_eq!(forward.code, 0, "{}", forward.transcript());
    insta::assert_snapshot!("option_4_table", forward.stdout);
    let run = diff_option_4(false, &[&set[..], &["--format", "json"]].concat());
    insta::assert_snapshot!("option_4_json", run.stdout);
    let summary = json(&run);
    let option = &summary["options"]["option_4"];
    assert_eq!(option["offered"], "new only");
    let gained = option["open"]["gained"].as_u64().unwrap_or(0);
    assert!(gained > 1000, "{option}");
    assert_eq!(option["by_condition"]["(not offered)"]["gained"], gained);
    assert_eq!(summary["only_new"]["options"], serde_json::json!(["option_4"]));
    assert_eq!(
        summary["only_new"]["conditions"],
        serde_json::json!(["eligibility.teaching", "option_open.group_for_two"])
    );
    assert_eq!(summary["assumed"], serde_json::json!(["--set supervises_students=true"]));
    // The budget is running contracts plus the take-up of what every new contract would get.
    let money = |value: &serde_json::Value| euros(value.as_str().unwrap_or(""));
    let share = Decimal::new(1, 1);
    assert_eq!(
        money(&option["budget"]["new"]),
        money(&option["running"]["new"]) + share * money(&option["if_all_sign"]["new"])
    );
    assert!(money(&option["if_all_sign"]["new"]) > Decimal::ZERO);

    let backward = json(&diff_option_4(true, &[&set[..], &["--format", "json"]].concat()));
    let option = &backward["options"]["option_4"];
    assert_eq!(option["offered"], "old only");
    assert_eq!(option["open"]["lost"], gained);
    assert_eq!(option["by_condition"]["(not offered)"]["lost"], gained);
    assert_eq!(backward["only_old"]["options"], serde_json::json!(["option_4"]));

    let csv = diff_option_4(false, &[&set[..], &["--format", "csv"]].concat());
    assert_eq!(csv.code, 0, "{}", csv.transcript());
    insta::assert_snapshot!("option_4_csv", csv.stdout);
}

/// A field the population lacks: every row is refused by the new text
/// without it; `--set` gives it to every row, `--draw` draws it per row.
#[test]
fn set_and_draw_give_a_field_the_population_lacks() {
    let without = json(&diff_option_4(false, &["--format", "json"]));
    assert_eq!(without["compared"], 0);
    let drawn = json(&diff_option_4(
        false,
        &["--draw", "supervises_students=bernoulli(30%)", "--seed", "7", "--format", "json"],
    ));
    assert_eq!(drawn["assumed"], serde_json::json!(["--draw supervises_students=bernoulli(30%) (seed 7)"]));
    let eligible =
        drawn["eligibility"]["kept"].as_u64().unwrap_or(0) + drawn["eligibility"]["lost"].as_u64().unwrap_or(0);
    let lost = drawn["eligibility"]["lost"].as_u64().unwrap_or(0);
    // About 70 % of the eligible draw `false`, and each loses by the new condition.
    assert!((eligible * 6 / 10..=eligible * 8 / 10).contains(&lost), "{lost} of {eligible}");
    assert_eq!(drawn["eligibility_by_condition"]["teaching"]["lost"], lost);
    // The same seed draws the same values; another seed others.
    let again = json(&diff_option_4(
        false,
        &[
            "--draw",
            "supervises_students=bernoulli(30%)",
            "--seed",
            "7",
            "--threads",
            "1",
            "--chunk-size",
            "5",
            "--format",
            "json",
        ],
    ));
    assert_eq!(again["eligibility"], drawn["eligibility"]);
    let other = json(&diff_option_4(
        false,
        &["--draw", "supervises_students=bernoulli(30%)", "--seed", "8", "--format", "json"],
    ));
    assert_ne!(other["eligibility"], drawn["eligibility"]);
}

/// A value that is not one of the field's type is refused before any row is read, as a cell would be.
#[test]
fn a_value_given_is_typed_as_a_cell() {
    let cases: [&[&str]; 7] = [
        &["--set", "supervises_students=yes"],
        &["--take-up", "option_4=10%", "--take-up", "option_4=20%"],
        &["--set", "zone=zip", "--draw", "zone=choice(zip:50%,zac:50%)"],
        &["--draw", "supervises_students=choice(true:50%,maybe:50%)"],
        &["--set", "supervises_student=true"],
        &["--draw", "zone=choice(zip:60%,zac:30%)"],
        &["--take-up", "option_9=10%"],
    ];
    let mut transcripts = String::new();
    for case in cases {
        let run = diff_option_4(false, case);
        assert_eq!(run.code, 2, "{}", run.transcript());
        transcripts.push_str(&format!("$ {}\n{}", case.join(" "), run.stderr));
    }
    insta::assert_snapshot!("refused_values", transcripts);
}

/// Per-profile JSON Lines rows are typed: booleans are JSON booleans.
#[test]
fn per_profile_json_lines_are_typed() {
    let rows = scratch("diff/typed.jsonl", "");
    let run = diff_option_4(false, &["--set", "supervises_students=false", "--out", &rows.to_string_lossy()]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let text = read(&rows);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap_or("")).unwrap_or_default();
    assert!(first["eligible"]["old"].is_boolean(), "{first}");
    assert!(first["options"]["option_4"]["open"]["new"].is_boolean(), "{first}");
    assert!(first["options"]["option_4"]["open"]["old"].is_boolean(), "{first}");
    let lost: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|row| row["eligible"]["old"] == true && row["eligible"]["new"] == false)
        .collect();
    assert!(!lost.is_empty());
    for row in lost {
        assert_eq!(row["eligibility_lost_by"], serde_json::json!(["teaching"]), "{row}");
    }
}

/// Losses and gains are counted by the condition that decided them: 2019 → 2024.
#[test]
fn moves_by_the_condition_that_decided_them() {
    let run = avenant(&[
        "diff",
        "policies/avenant-7.policy",
        "policies/convention-2024.policy",
        "--profiles",
        POPULATION,
        "--on",
        "2024-10-01",
        "--allow-rejects",
        "--format",
        "json",
    ]);
    let summary = json(&run);
    let by = &summary["eligibility_by_condition"];
    // The grouped-practice condition is gone in 2023: it decided gains, never losses.
    assert!(by["grouped_practice"]["gained"].as_u64().unwrap_or(0) > 0, "{by}");
    assert_eq!(by["grouped_practice"]["lost"], 0);
    // Every loss has a deciding condition (a profile may have several).
    let lost: u64 =
        by.as_object().map(|by| by.values().map(|moves| moves["lost"].as_u64().unwrap_or(0)).sum()).unwrap_or(0);
    assert!(lost >= summary["eligibility"]["lost"].as_u64().unwrap_or(u64::MAX), "{by}");
    assert!(
        summary["only_old"]["conditions"]
            .as_array()
            .is_some_and(|conditions| conditions.contains(&serde_json::json!("eligibility.grouped_practice")))
    );
}

/// A column neither text reads, nor any text of their family, is named, and
/// the population refused with 1, as `eval` does. (A column another text of
/// the folder declares, `clinical_fee_share` for `avenant-7`, is tolerated.)
#[test]
fn a_column_no_side_reads_is_named() {
    let shipped = read(&common::root().join(POPULATION));
    let mut lines = shipped.lines().take(11);
    let header = lines.next().unwrap_or_default().replace("clinical_fee_share", "clinical_share");
    let text: String = std::iter::once(header.as_str()).chain(lines).map(|line| format!("{line}\n")).collect();
    let population = scratch("diff/unknown-column.csv", &text);
    let shown = population.to_string_lossy().into_owned();
    let args = |command: &[&'static str]| {
        let mut args: Vec<&str> = command.to_vec();
        args.extend(["--profiles", &shown, "--on", "2024-10-01"]);
        avenant(&args)
    };
    let evaluated = args(&["eval", "policies/avenant-7.policy"]);
    assert_eq!(evaluated.code, 1, "{}", evaluated.transcript());
    let mut run = args(&["diff", "policies/avenant-7.policy", "policies/avenant-7.policy"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("`clinical_share`"), "{}", run.stderr);
    run.stderr = run.stderr.replace(&shown, "POPULATION");
    insta::assert_snapshot!("unknown_column", run.transcript());
}

/// `eval --profiles` takes the same `--set` and `--draw`, CSV or JSON Lines,
/// draws the same value for the same row and seed as `diff`, and says what it assumed.
#[test]
fn eval_takes_the_same_values() {
    let folder = with_option_4();
    let policy = folder.join("option-4.policy").to_string_lossy().into_owned();
    let out = scratch("diff/eval-drawn.csv", "");
    let draw = "supervises_students=bernoulli(30%)";
    let args = |extra: &[&str]| {
        let mut args = vec!["eval", policy.as_str(), "--profiles", POPULATION, "--on", "2026-07-01", "--allow-rejects"];
        args.extend_from_slice(extra);
        args.iter().map(|arg| (*arg).to_owned()).collect::<Vec<String>>()
    };
    let run = |args: Vec<String>| avenant(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let errors = scratch("diff/eval-errors.csv", "");
    let without = run(args(&["--out", &out.to_string_lossy(), "--errors", &errors.to_string_lossy()]));
    assert!(without.stderr.contains("0 evaluated, 10000 rejected"), "{}", without.transcript());
    let drawn = run(args(&[
        "--out",
        &out.to_string_lossy(),
        "--errors",
        &errors.to_string_lossy(),
        "--draw",
        draw,
        "--seed",
        "7",
    ]));
    assert!(
        drawn.stderr.contains(
            "8640 evaluated, 1360 rejected; assumed for every row: --draw supervises_students=bernoulli(30%) (seed 7)"
        ),
        "{}",
        drawn.transcript()
    );
    let text = read(&out);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let column = reader
        .headers()
        .ok()
        .and_then(|header| header.iter().position(|title| title == "eligible"))
        .unwrap_or(usize::MAX);
    let eligible =
        reader.records().map_while(Result::ok).filter(|record| record.get(column) == Some("true")).count() as u64;
    let summary = json(&diff_option_4(false, &["--draw", draw, "--seed", "7", "--format", "json"]));
    let moves = &summary["eligibility"];
    let new_eligible = moves["gained"].as_u64().unwrap_or(0) + moves["kept"].as_u64().unwrap_or(0);
    assert_eq!(eligible, new_eligible);
    // JSON Lines rows take the value as their own field would be written.
    let rows = scratch(
        "diff/eval.jsonl",
        "{\"id\":\"a\",\"specialty\":\"medecine_generale\",\"sector\":\"secteur_1\",\"zone\":\"zip\",\"grouped_practice\":true,\"coordinated_practice\":true,\"patientele_mt\":900,\"file_active\":1500}\n",
    );
    let rows = rows.to_string_lossy().into_owned();
    let run_jsonl = |extra: &[&str]| {
        let mut args =
            vec!["eval", policy.as_str(), "--profiles", rows.as_str(), "--on", "2026-07-01", "--out-format", "jsonl"];
        args.extend_from_slice(extra);
        avenant(&args)
    };
    assert_eq!(run_jsonl(&[]).code, 1);
    let given = run_jsonl(&["--set", "supervises_students=false"]);
    assert_eq!(given.code, 0, "{}", given.transcript());
    let outcome: serde_json::Value = serde_json::from_str(given.stdout.trim()).unwrap_or_default();
    assert_eq!(outcome["failed_conditions"][0]["name"], "teaching", "{outcome}");
}

/// Totals that leave the range of exact decimals are refused, not wrapped,
/// rounded or panicked over.
#[test]
fn a_total_beyond_exact_decimals_is_refused() {
    let folder = with_option_4();
    let (old, new) = (folder.join("convention-2024.policy"), folder.join("huge-aid.policy"));
    let errors = scratch("diff/huge-errors.csv", "");
    let run = avenant(&[
        "diff",
        &old.to_string_lossy(),
        &new.to_string_lossy(),
        "--profiles",
        POPULATION,
        "--on",
        "2026-07-01",
        "--allow-rejects",
        "--errors",
        &errors.to_string_lossy(),
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(
        run.stderr.trim(),
        "error: cannot sum over `examples/population-10000.csv`: a total of the aid leaves the range of exact decimals (28 significant digits)"
    );
}

/// The population is read by batch's reader: a row it refuses (a stray
/// quote, a JSON line giving a field twice) is rejected by both sides, with
/// the reader's words and where the trouble is, and the other rows compared.
#[test]
fn a_row_the_reader_refuses_is_rejected_by_both() {
    let shipped = read(&common::root().join(POPULATION));
    let mut lines: Vec<String> = shipped.lines().take(4).map(str::to_owned).collect();
    lines.insert(2, "P_stray,\"medecine_generale,secteur_1,false,zip,true,true,705,1318,,,".to_owned());
    let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
    let population = scratch("diff/stray-quote.csv", &text);
    let shown = population.to_string_lossy().into_owned();
    let csv = avenant(&[
        "diff",
        "policies/avenant-7.policy",
        "policies/convention-2024.policy",
        "--profiles",
        &shown,
        "--on",
        "2024-10-01",
        "--format",
        "json",
        "--allow-rejects",
    ]);
    assert_eq!(csv.code, 0, "{}", csv.transcript());
    assert!(csv.stderr.contains(":3: row 2: rejected by both: a quote opened in cell 2"), "{}", csv.stderr);
    let summary = json(&csv);
    // Row 1 (a specialty without thresholds) is rejected too; rows 3 and 4 compared.
    assert_eq!(summary["rows_in"], 4, "{summary}");
    assert_eq!(summary["rejected"], 2, "{summary}");
    assert_eq!(summary["compared"], 2, "{summary}");
    let jsonl = scratch(
        "diff/repeated-key.jsonl",
        "{\"id\": \"P1\", \"specialty\": \"medecine_generale\", \"specialty\": \"pediatrie\"}\n",
    );
    let repeated = avenant(&[
        "diff",
        "policies/avenant-7.policy",
        "policies/convention-2024.policy",
        "--profiles",
        &jsonl.to_string_lossy(),
        "--on",
        "2024-10-01",
        "--format",
        "json",
    ]);
    assert_eq!(repeated.code, 1, "{}", repeated.transcript());
    assert!(
        repeated.stderr.contains(
            ":1: row 1: rejected by both: the field `specialty` is given twice (field `specialty`)\n  help: give each field once"
        ),
        "{}",
        repeated.stderr
    );
}

/// A draft is compared with the text in force by naming it for one side.
#[test]
fn a_proposal_is_compared_when_named() {
    let run = |extra: &[&str]| {
        let mut args = vec!["diff", "policies", "policies", "--profiles", POPULATION, "--on", "2026-07-01"];
        args.extend(["--format", "json", "--allow-rejects"]);
        args.extend(extra);
        avenant(&args)
    };
    let same = json(&run(&[]));
    assert_eq!(same["changed"], 0, "{same}");
    let draft = json(&run(&["--proposal-new", "proposition_2026"]));
    assert!(draft["new"].as_str().is_some_and(|name| name.starts_with("proposition_2026")), "{draft}");
    assert!(same["old"] == draft["old"], "{same} {draft}");
    let unknown = run(&["--proposal-old", "proposition_2062"]);
    assert_eq!(unknown.code, 1, "{}", unknown.transcript());
    assert!(unknown.stderr.contains("proposition_2062"), "{}", unknown.stderr);
}
