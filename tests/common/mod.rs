//! One helper for every CLI test: run the built binary from the project root.

// Test helpers fail loudly: a test that cannot run must not pass. Not every
// test file uses every helper.
#![allow(clippy::panic, dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// What a person sees: the exit code, then standard output and error.
    pub fn transcript(&self) -> String {
        format!("exit code: {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `avenant ARGS…` in the project root, with plain diagnostics.
pub fn avenant(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_avenant"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|error| panic!("cannot run avenant: {error}"));
    Run::from(output)
}

/// A finished command, as text; a command killed by a signal has code -1.
impl From<std::process::Output> for Run {
    fn from(output: std::process::Output) -> Run {
        Run {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code().unwrap_or(-1),
        }
    }
}

/// A path relative to the project root, with `/` separators, for arguments and snapshot names.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// Every entry (file or folder) of a folder of the project, sorted.
pub fn entries(folder: &str) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
        .unwrap_or_else(|error| panic!("cannot list {folder}: {error}"))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    entries.sort();
    entries
}

/// Every file in a folder of the project, sorted.
pub fn files(folder: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join(folder))
        .unwrap_or_else(|error| panic!("cannot list {folder}: {error}"))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_file())
        .map(|path| relative(&path))
        .collect();
    files.sort();
    files
}

/// The profile files of a folder (`.toml`, `.json`, `.yaml`, `.yml`): not its
/// populations, notebooks or anything else that sits beside them.
pub fn profile_files(folder: &str) -> Vec<String> {
    let is_profile = |path: &String| [".toml", ".json", ".yaml", ".yml"].iter().any(|end| path.ends_with(end));
    files(folder).into_iter().filter(is_profile).collect()
}

/// `avenant eval POLICY PROFILE --on DATE --format json`, parsed.
pub fn eval_json(policy: &str, profile: &str, on: &str) -> serde_json::Value {
    let run = avenant(&["eval", policy, profile, "--on", on, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    serde_json::from_str(&run.stdout).unwrap_or_else(|error| panic!("not JSON ({error}):\n{}", run.stdout))
}

/// The values an outcome's JSON lists as assumed, in order.
pub fn assumed_values(outcome: &serde_json::Value) -> Vec<String> {
    outcome["assumptions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|reliance| reliance["certainty"] == "assumed")
        .filter_map(|reliance| reliance["value"].as_str().map(str::to_owned))
        .collect()
}

/// A scratch copy of `text`, in a folder of the test's own, for commands that write.
pub fn scratch(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scratch").join(name);
    let folder = path.parent().unwrap_or(&path);
    std::fs::create_dir_all(folder).unwrap_or_else(|error| panic!("cannot make {}: {error}", folder.display()));
    std::fs::write(&path, text).unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
    path
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// A seeded generator (xorshift64*): the same profiles on every machine.
pub struct Generator(pub u64);

impl Generator {
    pub fn next(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % bound
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len() as u64) as usize]
    }

    /// A count of patients, often at a threshold of the 2019 policy or next to it.
    fn count(&mut self) -> u64 {
        const EDGES: [u64; 22] = [
            0, 639, 640, 641, 849, 850, 851, 1099, 1100, 1101, 1499, 1500, 1501, 1699, 1700, 1701, 2500, 3300, 3900,
            4800, 6500, 7500,
        ];
        match self.next(3) {
            0 => EDGES[self.next(EDGES.len() as u64) as usize] + self.next(2),
            _ => self.next(9000),
        }
    }
}

/// Profiles for the 2019 policy that reach every specialty given, sector,
/// zone and band, the thresholds and their neighbours, and a GP without
/// `patientele_mt` now and then (an evaluation error).
pub fn generated_profiles(count: usize, seed: u64, specialties: &[&str]) -> Vec<serde_json::Value> {
    let mut generator = Generator(seed);
    (0..count)
        .map(|row| {
            let specialty = match generator.next(4) {
                0 => generator.pick(specialties),
                1 => generator.pick(&["cardiologie", "pediatrie", "ophtalmologie"]),
                _ => "medecine_generale",
            };
            let mut document = serde_json::json!({
                "name": format!("dr-{row}"),
                "specialty": specialty,
                "sector": generator.pick(&["secteur_1", "secteur_2"]),
                "optam": generator.next(2) == 1,
                "zone": generator.pick(&["zip", "zac", "hors_zone"]),
                "grouped_practice": generator.next(4) != 0,
                "coordinated_practice": generator.next(5) != 0,
                "file_active": generator.count(),
            });
            if generator.next(10) != 0 {
                document["patientele_mt"] = serde_json::json!(generator.count());
            }
            document
        })
        .collect()
}
pub mod policies;

/// A policy's header and a profile of one number, for generated policies.
pub const HOSTILE_HEADER: &str = "policy hostile {\n  title \"hostile\"\n}\n\nprofile {\n  a: number\n}\n";

/// `n` rules, each reading the next: a chain as deep as the policy is long.
pub fn rule_chain(n: usize) -> String {
    let mut text = String::from(HOSTILE_HEADER);
    for index in 0..n - 1 {
        text.push_str(&format!("rule r{index} = r{} + 1\n", index + 1));
    }
    text.push_str(&format!("rule r{} = a\noutput o = r0\n", n - 1));
    text
}
