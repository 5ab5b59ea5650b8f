//! Never lose a user's file: outputs written whole or not at all, refused
//! when they are an input or each other, kept as they were by a failed, an
//! interrupted or a full-disk run. Each test runs the real binary.

// A test that cannot set up its files fails loudly.
#![allow(clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{avenant, read, root};

/// A folder of the test's own, empty, with a copy of the shipped population.
fn workspace(name: &str) -> PathBuf {
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("data-loss").join(name);
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap_or_else(|error| panic!("cannot make {}: {error}", folder.display()));
    copy(&root().join("examples/population-10000.csv"), &folder.join("population.csv"));
    folder
}

fn copy(from: &Path, to: &Path) {
    std::fs::copy(from, to)
        .unwrap_or_else(|error| panic!("cannot copy {} to {}: {error}", from.display(), to.display()));
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
}

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Files a run left behind that are not the user's: temporary files.
fn leftovers(folder: &Path) -> Vec<String> {
    std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", folder.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("avenant-tmp"))
        .collect()
}

const EVAL_2024: [&str; 2] = ["eval", "policies/"];

fn eval_population(population: &Path, more: &[&str]) -> common::Run {
    let population = text(population);
    let mut args = vec![EVAL_2024[0], EVAL_2024[1], "--on", "2024-09-01", "--profiles", &population, "--allow-rejects"];
    args.extend_from_slice(more);
    avenant(&args)
}

#[test]
fn an_output_naming_the_population_is_refused_before_anything_is_read() {
    let folder = workspace("out-is-input");
    let population = folder.join("population.csv");
    let before = read(&population);
    // The same file however it is spelled: as given, through `..`, by a
    // symbolic link, by a hard link.
    let link = folder.join("link.csv");
    let hard = folder.join("hard.csv");
    std::os::unix::fs::symlink(&population, &link).unwrap_or_else(|error| panic!("cannot link: {error}"));
    std::fs::hard_link(&population, &hard).unwrap_or_else(|error| panic!("cannot link: {error}"));
    let around = folder.join("..").join("out-is-input").join("population.csv");
    for (flag, output) in
        [("--out", &population), ("--errors", &population), ("--out", &around), ("--out", &link), ("--errors", &hard)]
    {
        let run = eval_population(&population, &[flag, &text(output)]);
        assert_eq!(run.code, 2, "{flag} {}: {}", output.display(), run.transcript());
        assert!(run.stderr.contains("is the population"), "{}", run.stderr);
        assert!(run.stderr.contains("name another file"), "{}", run.stderr);
        assert_eq!(read(&population), before, "{flag} {} changed the population", output.display());
    }
    // `diff` refuses it too.
    let run = avenant(&[
        "diff",
        "policies/",
        "policies/",
        "--on-old",
        "2023-01-01",
        "--on-new",
        "2024-09-01",
        "--profiles",
        &text(&population),
        "--out",
        &text(&link),
    ]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("is the population"), "{}", run.stderr);
    assert_eq!(read(&population), before);
    assert!(leftovers(&folder).is_empty(), "{:?}", leftovers(&folder));
}

#[test]
fn an_output_naming_a_policy_text_is_refused() {
    let folder = workspace("out-is-policy");
    let policies = folder.join("policies");
    std::fs::create_dir_all(&policies).unwrap_or_else(|error| panic!("{error}"));
    for name in ["avenant-7.policy", "reglement-arbitral-2023.policy", "convention-2024.policy"] {
        copy(&root().join("policies").join(name), &policies.join(name));
    }
    let text_2019 = policies.join("avenant-7.policy");
    let before = read(&text_2019);
    let run = avenant(&[
        "eval",
        &text(&policies),
        "--on",
        "2024-09-01",
        "--profiles",
        &text(&folder.join("population.csv")),
        "--out",
        &text(&text_2019),
    ]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("is the policy text"), "{}", run.stderr);
    assert_eq!(read(&text_2019), before);
}

#[test]
fn two_outputs_on_one_file_are_refused() {
    let folder = workspace("out-is-errors");
    let output = folder.join("out.csv");
    let run = eval_population(&folder.join("population.csv"), &["--out", &text(&output), "--errors", &text(&output)]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("`--out` and `--errors` are both"), "{}", run.stderr);
    assert!(!output.exists(), "nothing is written when the arguments are refused");
}

#[test]
fn standard_output_redirected_onto_the_population_is_refused() {
    let folder = workspace("stdout-is-input");
    let population = folder.join("population.csv");
    let before = read(&population);
    // `>>`: the run would read what it appends, without end.
    let appended = std::fs::OpenOptions::new()
        .append(true)
        .open(&population)
        .unwrap_or_else(|error| panic!("cannot open: {error}"));
    let output = Command::new(env!("CARGO_BIN_EXE_avenant"))
        .args(["eval", "policies/", "--on", "2024-09-01", "--profiles", &text(&population)])
        .current_dir(root())
        .stdout(Stdio::from(appended))
        .output()
        .unwrap_or_else(|error| panic!("cannot run avenant: {error}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("standard output is the population"), "{stderr}");
    assert_eq!(read(&population), before);
}

#[test]
fn a_failed_run_keeps_the_previous_outputs() {
    let folder = workspace("failed-run");
    let population = folder.join("population.csv");
    let output = folder.join("out.csv");
    let errors = folder.join("errors.csv");
    let good = eval_population(&population, &["--out", &text(&output), "--errors", &text(&errors)]);
    assert_eq!(good.code, 0, "{}", good.transcript());
    let (output_before, errors_before) = (read(&output), read(&errors));
    assert!(output_before.lines().count() > 8_000, "the first run wrote the population's outcomes");

    // A header that is not the policy's: the run fails before any row.
    let bad = folder.join("bad.csv");
    write(&bad, "id,no_such_field\nP1,3\n");
    let run = eval_population(&bad, &["--out", &text(&output), "--errors", &text(&errors)]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(read(&output), output_before, "a rejected population left the previous output");
    assert_eq!(read(&errors), errors_before);

    // A typo in the errors' folder: refused before the output is touched.
    let typo = folder.join("no-such-folder").join("errors.csv");
    let run = eval_population(&population, &["--out", &text(&output), "--errors", &text(&typo)]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
    assert_eq!(read(&output), output_before);
    assert!(leftovers(&folder).is_empty(), "{:?}", leftovers(&folder));
}

/// Starts `avenant ARGS…` and interrupts it with `signal` once it has begun
/// writing in `folder` (a temporary file appears there); its exit code.
fn interrupt_while_writing(args: &[&str], folder: &Path, signal: &str) -> Option<i32> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_avenant"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run avenant: {error}"));
    let started = Instant::now();
    while leftovers(folder).is_empty() {
        if started.elapsed() > Duration::from_secs(60) || child.try_wait().ok().flatten().is_some() {
            let _ = child.kill();
            panic!("the run never began writing in {}", folder.display());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = Command::new("kill").args([signal, &child.id().to_string()]).status();
    assert!(status.is_ok_and(|status| status.success()), "cannot send {signal}");
    let status = child.wait().unwrap_or_else(|error| panic!("cannot wait: {error}"));
    status.code()
}

#[test]
fn an_interrupted_batch_leaves_the_previous_output_untouched() {
    let folder = workspace("interrupted");
    // Large enough that a debug build is still writing when interrupted.
    let population = folder.join("big.csv");
    let made = avenant(&["population", "--size", "400000", "--out", &text(&population)]);
    assert_eq!(made.code, 0, "{}", made.transcript());
    let output = folder.join("out.csv");
    write(&output, "the previous output\n");
    for signal in ["-INT", "-TERM"] {
        let args =
            ["eval", "policies/", "--on", "2024-09-01", "--profiles", &text(&population), "--out", &text(&output)];
        let code = interrupt_while_writing(&args, &folder, signal);
        assert_eq!(code, Some(130), "{signal}");
        assert_eq!(read(&output), "the previous output\n", "{signal} destroyed the previous output");
        assert!(leftovers(&folder).is_empty(), "{signal} left {:?}", leftovers(&folder));
    }
    // `population --out` too.
    let again = folder.join("again.csv");
    write(&again, "the previous population\n");
    let args = ["population", "--size", "3000000", "--out", &text(&again)];
    assert_eq!(interrupt_while_writing(&args, &folder, "-INT"), Some(130));
    assert_eq!(read(&again), "the previous population\n");
    assert!(leftovers(&folder).is_empty(), "{:?}", leftovers(&folder));
}

/// A policy in the canonical layout but for its spacing, for `fmt` to rewrite.
fn unformatted_policy() -> String {
    read(&root().join("policies/avenant-7.policy")).replace("\n\n", "\n\n\n")
}

#[test]
fn fmt_keeps_the_policy_whole_when_the_disk_is_full() {
    // A real full disk where the machine lets the test mount one (as root, on
    // CI); a file-size limit otherwise, which fails the write the same way.
    let folder = workspace("full-disk");
    let mount = folder.join("small-disk");
    std::fs::create_dir_all(&mount).unwrap_or_else(|error| panic!("{error}"));
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs", &text(&mount)])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    let policy = if mounted { mount.join("avenant-7.policy") } else { folder.join("avenant-7.policy") };
    let before = unformatted_policy();
    write(&policy, &before);
    let run = if mounted {
        // Fill what is left of the disk.
        let filler = mount.join("filler");
        let _ = Command::new("dd")
            .args(["if=/dev/zero", &format!("of={}", text(&filler)), "bs=4k"])
            .stderr(Stdio::null())
            .status();
        avenant(&["fmt", &text(&policy)])
    } else {
        let output = Command::new("bash")
            .args(["-c", "trap '' XFSZ; ulimit -f 16; exec \"$0\" fmt \"$1\"", env!("CARGO_BIN_EXE_avenant")])
            .arg(&policy)
            .output()
            .unwrap_or_else(|error| panic!("cannot run avenant: {error}"));
        common::Run::from(output)
    };
    let after = read(&policy);
    let leftover = leftovers(policy.parent().unwrap_or(&folder));
    if mounted {
        let _ = Command::new("umount").arg(&mount).status();
    }
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
    assert_eq!(after, before, "the policy was cut by a failed write");
    assert!(leftover.is_empty(), "{leftover:?}");
}

#[test]
fn fmt_in_place_keeps_permissions_and_links() {
    use std::os::unix::fs::PermissionsExt as _;
    let folder = workspace("fmt-in-place");
    let policy = folder.join("avenant-7.policy");
    write(&policy, &unformatted_policy());
    std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o640)).unwrap_or_else(|error| panic!("{error}"));
    let link = folder.join("link.policy");
    std::os::unix::fs::symlink(&policy, &link).unwrap_or_else(|error| panic!("{error}"));
    let run = avenant(&["fmt", &text(&link)]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        read(&policy),
        read(&root().join("policies/avenant-7.policy")),
        "the file behind the link was formatted"
    );
    let link_metadata = std::fs::symlink_metadata(&link).unwrap_or_else(|error| panic!("{error}"));
    assert!(link_metadata.file_type().is_symlink(), "the link is still a link");
    let mode = std::fs::metadata(&policy).unwrap_or_else(|error| panic!("{error}")).permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    assert!(leftovers(&folder).is_empty(), "{:?}", leftovers(&folder));
}

#[test]
fn a_stream_is_written_as_a_stream_and_a_folder_is_refused() {
    let folder = workspace("streams");
    let population = folder.join("population.csv");
    // `/dev/stdout` and `/dev/null` cannot be replaced: they are written to.
    let run = eval_population(&population, &["--out", "/dev/stdout", "--errors", "/dev/null"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.lines().count() > 8_000, "{}", run.transcript());
    let run = eval_population(&population, &["--out", &text(&folder)]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("it is a folder; name a file"), "{}", run.stderr);
    assert!(leftovers(&folder).is_empty(), "{:?}", leftovers(&folder));
}
