//! `avenant serve` tested through HTTP against the real binary on a free
//! loopback port: every endpoint, every error, and the same outcomes as the
//! command line for every example profile on the dates of each text.

// A test helper fails loudly, with what it was doing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod serve_support;

use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};
use serve_support::{Server, avenant, policies_with, profile_json};

/// A date in force for each text of `policies/`, and one before any.
const DATES: [&str; 5] = ["2020-10-01", "2023-06-01", "2024-10-01", "2026-11-01", "2019-01-01"];

fn example_profiles() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| ["toml", "json", "yaml", "yml"].iter().any(|known| extension == *known))
        })
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "the example profiles are missing: {paths:?}");
    paths
}

/// An outcome without the name of its profile's file (a request has none).
fn without_file(mut outcome: Json) -> Json {
    if let Some(profile) = outcome.get_mut("profile").and_then(Json::as_object_mut) {
        profile.remove("file");
    }
    outcome
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path).display().to_string()
}

#[test]
fn every_example_profile_has_the_outcome_the_cli_gives_on_every_date() {
    let server = Server::start();
    let mut compared = 0;
    for path in example_profiles() {
        let file = relative(&path);
        let profile = profile_json(&path);
        for on in DATES {
            let (code, stdout) = avenant(&["eval", "policies/", &file, "--format", "json", "--on", on]);
            let (status, answer) = server.post("/api/evaluate", &json!({ "profile": profile, "on": on }));
            if code == 0 {
                assert_eq!(status, 200, "{file} on {on}: {answer}");
                let cli: Json = serde_json::from_str(&stdout).unwrap();
                assert_eq!(without_file(answer), without_file(cli), "{file} on {on}");
                compared += 1;
            } else {
                assert_eq!(status, 422, "{file} on {on}: the CLI refused it (exit {code}), the server said {answer}");
                assert!(answer["error"]["code"].is_string());
            }
        }
    }
    assert!(compared >= 40, "only {compared} outcomes compared");
}

#[test]
fn dr_a_gets_the_seeds_figures_in_2020_and_is_refused_in_2024() {
    let server = Server::start();
    let profile = profile_json(Path::new("examples/dr-a.toml"));
    let (status, outcome) = server.post("/api/evaluate", &json!({ "profile": profile, "on": "2020-10-01" }));
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["eligible"], json!(true));
    assert_eq!(
        outcome["options"]["option_1"]["aid"],
        json!({ "year_1": "12000.00", "year_2": "9000.00", "year_3_and_after": "7000.00" })
    );
    assert_eq!(outcome["options"]["option_1"]["target_file_active"], json!(260));
    assert_eq!(outcome["options"]["option_1"]["target_patientele_mt"], json!(140));
    assert_eq!(outcome["policy"]["texts"], json!(["avenant_7"]));
    let (status, outcome) = server.post("/api/evaluate", &json!({ "profile": profile, "on": "2024-10-01" }));
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["eligible"], json!(false));
    assert_eq!(outcome["failed_conditions"][0]["name"], json!("activity_threshold"));
}

#[test]
fn a_batch_gives_each_profiles_outcome_or_error_in_order() {
    let server = Server::start();
    let dr_a = profile_json(Path::new("examples/dr-a.toml"));
    let dr_b = profile_json(Path::new("examples/dr-b.json"));
    let body = json!({ "profiles": [dr_a, { "file_active": "many" }, dr_b], "on": "2020-10-01" });
    let (status, answer) = server.post("/api/evaluate/batch", &body);
    assert_eq!(status, 200, "{answer}");
    let outcomes = answer["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 3);
    for (index, profile) in [(0, &dr_a), (2, &dr_b)] {
        let (_, single) = server.post("/api/evaluate", &json!({ "profile": profile, "on": "2020-10-01" }));
        assert_eq!(outcomes[index], single);
    }
    assert_eq!(outcomes[1]["error"]["code"], json!("invalid_profile"));
    let too_many: Vec<Json> = (0..101).map(|_| Json::Object(dr_a.clone())).collect();
    let (status, answer) = server.post("/api/evaluate/batch", &json!({ "profiles": too_many }));
    assert_eq!((status, answer["error"]["code"].as_str()), (413, Some("batch_too_large")), "{answer}");
}

#[test]
fn an_explanation_is_the_one_the_cli_gives() {
    let server = Server::start();
    let profile = profile_json(Path::new("examples/dr-a.toml"));
    for outputs in [vec![], vec!["options.option_1.aid.year_1"]] {
        let mut arguments =
            vec!["explain", "policies/", "examples/dr-a.toml", "--format", "json", "--on", "2020-10-01"];
        for output in &outputs {
            arguments.extend(["--output", output]);
        }
        let (code, stdout) = avenant(&arguments);
        assert_eq!(code, 0);
        let (status, answer) =
            server.post("/api/explain", &json!({ "profile": profile, "on": "2020-10-01", "outputs": outputs }));
        assert_eq!(status, 200, "{answer}");
        let cli: Json = serde_json::from_str(&stdout).unwrap();
        assert_eq!(without_file(answer), without_file(cli));
    }
    let (status, answer) = server.post("/api/explain", &json!({ "profile": profile, "outputs": ["options.option_9"] }));
    assert_eq!((status, answer["error"]["code"].as_str()), (422, Some("unknown_output")), "{answer}");
}

#[test]
fn the_texts_are_listed_with_their_dates_and_chains() {
    let server = Server::start();
    let (status, answer) = server.get("/api/texts");
    assert_eq!(status, 200);
    let texts = answer["texts"].as_array().unwrap();
    let find = |name: &str| {
        texts.iter().find(|text| text["name"] == json!(name)).unwrap_or_else(|| panic!("no {name}: {answer}"))
    };
    assert_eq!(find("avenant_7")["chain"], json!(["avenant_7"]));
    assert_eq!(find("convention_2024")["effective"], json!("2024-06-22"));
    assert_eq!(find("convention_2024")["chain"], json!(["avenant_7", "reglement_arbitral_2023", "convention_2024"]));
    assert_eq!(find("proposition_2026")["proposal"], json!(true));
    assert_eq!(texts.len(), 4);
}

#[test]
fn the_fields_are_those_of_the_text_in_force_with_their_labels() {
    let server = Server::start();
    let (status, answer) = server.get("/api/fields?on=2020-10-01");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["policy"]["name"], json!("avenant_7"));
    let fields = answer["fields"].as_array().unwrap();
    let specialty = fields.iter().find(|field| field["name"] == json!("specialty")).unwrap();
    assert_eq!(specialty["type"], json!("enum"));
    assert_eq!(specialty["label"], json!("spécialité d'exercice"));
    assert_eq!(specialty["optional"], json!(false));
    let optam = fields.iter().find(|field| field["name"] == json!("optam")).unwrap();
    assert_eq!(optam["default"], json!(false));
    let enumeration =
        answer["enums"].as_array().unwrap().iter().find(|definition| definition["name"] == specialty["enum"]).unwrap();
    assert!(enumeration["values"].as_array().unwrap().iter().any(|value| value["name"] == json!("medecine_generale")));
    assert!(!fields.iter().any(|field| field["name"] == json!("clinical_fee_share")), "a field of 2023 in 2020");
    let (_, answer) = server.get("/api/fields?on=2023-06-01");
    let share =
        answer["fields"].as_array().unwrap().iter().find(|field| field["name"] == json!("clinical_fee_share")).unwrap();
    assert_eq!((share["type"].as_str(), share["optional"].as_bool()), (Some("rate"), Some(true)));
}

const NEW_FIELD: &str = r#"policy essai_2027 {
  title "Un avenant qui ajoute un champ"
  amends convention_2024
  effective 2027-01-01
}

amend profile {
  teleconsultation_share: rate? "part de l'activité en téléconsultation"
}
"#;

#[test]
fn a_field_added_by_a_new_text_is_described_without_a_change_of_code() {
    let directory = policies_with(&[("essai-2027.policy", NEW_FIELD)]);
    let server = Server::start_with(directory.path(), &[]);
    let (status, answer) = server.get("/api/fields?on=2027-02-01");
    assert_eq!(status, 200, "{answer}");
    let field =
        answer["fields"].as_array().unwrap().iter().find(|field| field["name"] == json!("teleconsultation_share"));
    assert_eq!(field.map(|field| field["label"].clone()), Some(json!("part de l'activité en téléconsultation")));
    let (_, before) = server.get("/api/fields?on=2026-12-31");
    assert!(!before["fields"].as_array().unwrap().iter().any(|field| field["name"] == json!("teleconsultation_share")));
}

#[test]
fn nothing_from_a_request_is_written_to_disk() {
    let directory = policies_with(&[]);
    let listing = |path: &Path| {
        let mut names: Vec<(String, u64)> = std::fs::read_dir(path)
            .unwrap()
            .map(|entry| entry.unwrap())
            .map(|entry| (entry.file_name().to_string_lossy().into_owned(), entry.metadata().unwrap().len()))
            .collect();
        names.sort();
        names
    };
    let before = listing(directory.path());
    let server = Server::start_with(directory.path(), &[]);
    server.post("/api/check", &json!({ "text": NEW_FIELD }));
    server.post("/api/playground/evaluate", &json!({ "text": NEW_FIELD, "profile": {}, "on": "2027-02-01" }));
    server.post("/api/evaluate", &json!({ "profile": profile_json(Path::new("examples/dr-a.toml")) }));
    assert_eq!(listing(directory.path()), before);
}

fn error_code(answer: &Json) -> Option<&str> {
    answer["error"]["code"].as_str()
}

#[test]
fn every_error_is_json_with_a_code() {
    let server = Server::start();
    let dr_a = Json::Object(profile_json(Path::new("examples/dr-a.toml")));
    let cases: Vec<(&str, String, u16, &str)> = vec![
        ("/api/evaluate", "{\"profile\": ".to_owned(), 400, "bad_json"),
        ("/api/evaluate", "not json".to_owned(), 400, "bad_json"),
        ("/api/evaluate", json!({ "profile": dr_a, "date": "2020-01-01" }).to_string(), 400, "unknown_field"),
        ("/api/evaluate", json!({ "profile": 3 }).to_string(), 400, "invalid_request"),
        ("/api/evaluate", json!({ "profile": dr_a, "on": "2020-13-01" }).to_string(), 400, "bad_date"),
        ("/api/evaluate", json!({ "profile": dr_a, "on": "yesterday" }).to_string(), 400, "bad_date"),
        ("/api/evaluate", json!({ "profile": dr_a, "on": "1990-01-01" }).to_string(), 422, "no_text_in_force"),
        ("/api/evaluate", json!({ "profile": dr_a, "text": "convention_2042" }).to_string(), 422, "unknown_text"),
        (
            "/api/evaluate",
            json!({ "profile": dr_a, "text": "proposition_2026", "on": "2020-01-01" }).to_string(),
            422,
            "not_in_force",
        ),
        (
            "/api/evaluate",
            json!({ "profile": { "specialty": "medecine_generale" } }).to_string(),
            422,
            "invalid_profile",
        ),
        ("/api/evaluate", format!("{{\"profile\": {{\"name\": \"{}\"}}}}", "x".repeat(300 * 1024)), 413, "too_large"),
        ("/api/check", json!({ "text": "#".repeat(65 * 1024) }).to_string(), 413, "text_too_large"),
        ("/api/check", json!({ "text": 3 }).to_string(), 400, "invalid_request"),
        ("/api/playground/evaluate", json!({ "text": "policy x {", "profile": {} }).to_string(), 422, "invalid_policy"),
    ];
    for (path, body, status, code) in cases {
        let (got, answer) = server.post_raw(path, &body);
        assert_eq!(
            (got, error_code(&answer)),
            (status, Some(code)),
            "{path} {}: {answer}",
            &body[..body.len().min(80)]
        );
        assert!(answer["error"]["message"].as_str().is_some_and(|message| !message.is_empty()));
    }
    let mut unknown = dr_a.clone();
    unknown["patientele"] = json!(700);
    let (_, answer) = server.post("/api/evaluate", &json!({ "profile": unknown }));
    assert_eq!(answer["error"]["problems"][0]["code"], json!("avenant::profile::unknown_field"), "{answer}");
    assert_eq!(answer["error"]["problems"][0]["field"], json!("patientele"));
    for (path, status, code) in [
        ("/api/fields?on=2020-02-30", 400, "bad_date"),
        ("/api/fields?date=2020-01-01", 400, "unknown_field"),
        ("/api/nothing", 404, "not_found"),
        ("/assets/secret.txt", 404, "not_found"),
        ("/api/evaluate", 405, "method_not_allowed"),
    ] {
        let (got, answer) = server.get(path);
        assert_eq!((got, error_code(&answer)), (status, Some(code)), "{path}: {answer}");
    }
}

#[test]
fn every_documented_operation_answers() {
    let server = Server::start();
    let (status, document) = server.get("/api/openapi.json");
    assert_eq!(status, 200);
    let dr_a = Json::Object(profile_json(Path::new("examples/dr-a.toml")));
    let bodies = json!({
        "/api/evaluate": { "profile": dr_a, "on": "2020-10-01" },
        "/api/evaluate/batch": { "profiles": [dr_a], "on": "2020-10-01" },
        "/api/explain": { "profile": dr_a, "on": "2020-10-01" },
        "/api/check": { "text": "policy essai { title \"x\" }" },
        "/api/playground/evaluate": { "text": NEW_FIELD, "profile": dr_a, "on": "2027-02-01" },
    });
    let mut answered = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            let concrete = path.replace("{name}", "style.css");
            let status = match method.as_str() {
                "get" => server.get_text(&concrete).0,
                "post" => server.post(&concrete, &bodies[path.as_str()]).0,
                other => panic!("an undocumented method {other}"),
            };
            assert_eq!(status, 200, "{method} {path}");
            answered += 1;
        }
    }
    assert_eq!(answered, 11);
}

#[test]
fn the_playground_checks_an_amendment_over_the_shipped_chain() {
    let server = Server::start();
    let (status, answer) = server.post("/api/check", &json!({ "text": NEW_FIELD }));
    assert_eq!(status, 200);
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert_eq!(answer["texts"], json!(["avenant_7", "reglement_arbitral_2023", "convention_2024", "essai_2027"]));
    let misspelled = NEW_FIELD.replace("amends convention_2024", "amends convention_2042");
    let (_, answer) = server.post("/api/check", &json!({ "text": misspelled }));
    assert_eq!(answer["ok"], json!(false));
    let diagnostic = &answer["diagnostics"][0];
    assert_eq!(diagnostic["code"], json!("avenant::check::amend_missing_base"), "{answer}");
    assert_eq!((diagnostic["line"].as_u64(), diagnostic["file"].as_str()), (Some(3), Some("playground.policy")));
    assert!(diagnostic["help"].as_str().is_some_and(|help| help.contains("convention_2024")), "{answer}");
    let with_rule = format!("{NEW_FIELD}\nrule remote: bool = teleconsultation_shar > 50 %\n");
    let (_, answer) = server.post("/api/check", &json!({ "text": with_rule }));
    let diagnostic = &answer["diagnostics"][0];
    assert_eq!(
        (answer["ok"].as_bool(), diagnostic["severity"].as_str(), diagnostic["line"].as_u64()),
        (Some(false), Some("error"), Some(11)),
        "{answer}"
    );
    assert!(diagnostic["help"].as_str().is_some_and(|help| help.contains("teleconsultation_share")), "{answer}");
}

#[test]
fn the_playground_orders_an_amendment_by_date_as_the_command_line_does() {
    // The playground checks a text among the directory's as `avenant check`
    // and the editor do: one rule for the dates of a chain, one wording.
    let server = Server::start();
    let folder = tempfile::tempdir().unwrap();
    for (effective, code, message) in [
        ("2024-06-22", "avenant::check::amend_same_date", "take effect on the same day, 2024-06-22"),
        ("2024-01-01", "avenant::check::amend_date_order", "takes effect on 2024-01-01, before `convention_2024`"),
    ] {
        let text = NEW_FIELD.replace("effective 2027-01-01", &format!("effective {effective}"));
        let (_, answer) = server.post("/api/check", &json!({ "text": text }));
        assert_eq!(answer["ok"], json!(false), "{answer}");
        let diagnostic = &answer["diagnostics"][0];
        assert_eq!(diagnostic["code"], json!(code), "{answer}");
        assert!(diagnostic["message"].as_str().is_some_and(|said| said.contains(message)), "{answer}");
        // The command line says the same of the same text beside the shipped ones.
        let directory = folder.path().join(effective);
        std::fs::create_dir(&directory).unwrap();
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/policies")).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, directory.join(path.file_name().unwrap())).unwrap();
        }
        std::fs::write(directory.join("essai.policy"), &text).unwrap();
        let check = std::process::Command::new(env!("CARGO_BIN_EXE_avenant"))
            .arg("check")
            .arg(directory.join("essai.policy"))
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&check.stderr);
        assert!(said.contains(message), "{said}");
    }
}

#[test]
fn the_playground_runs_a_texts_examples_and_evaluates_a_profile() {
    let server = Server::start();
    let with_example = format!(
        "{NEW_FIELD}\nexample dr_a_2027 \"Dr A en 2027\" on 2027-02-01 {{\n  profile {{\n    specialty = medecine_generale\n    sector = secteur_1\n    zone = zip\n    grouped_practice = true\n    coordinated_practice = true\n    patientele_mt = 700\n    file_active = 1 300\n  }}\n  expect {{\n    eligible = true\n  }}\n}}\n"
    );
    let (status, answer) = server.post("/api/check", &json!({ "text": with_example }));
    assert_eq!(status, 200);
    let examples = answer["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 1, "{answer}");
    assert_eq!(
        (examples[0]["name"].as_str(), examples[0]["passed"].as_bool()),
        (Some("dr_a_2027"), Some(false)),
        "{answer}"
    );
    assert_eq!(examples[0]["mismatches"][0]["got"], json!(false));
    let dr_a = profile_json(Path::new("examples/dr-a.toml"));
    let (status, outcome) =
        server.post("/api/playground/evaluate", &json!({ "text": with_example, "profile": dr_a, "on": "2027-02-01" }));
    assert_eq!(status, 200, "{outcome}");
    let (_, shipped) = server.post("/api/evaluate", &json!({ "profile": dr_a, "on": "2027-02-01" }));
    assert_eq!(outcome["eligible"], shipped["eligible"]);
    assert_eq!(outcome["options"], shipped["options"]);
    assert_eq!(outcome["policy"]["texts"][3], json!("essai_2027"));
}

#[test]
fn the_pages_are_served_and_ask_no_other_host() {
    let server = Server::start();
    for path in
        ["/", "/playground", "/assets/simulator.js", "/assets/playground.js", "/assets/common.js", "/assets/style.css"]
    {
        let (status, text) = server.get_text(path);
        assert_eq!(status, 200, "{path}");
        for reference in ["http://", "https://", "//cdn"] {
            assert!(!text.contains(reference), "{path} refers to another host: {reference}");
        }
    }
    let (_, simulator) = server.get_text("/");
    assert!(simulator.contains("lang=\"fr\"") && simulator.contains("name=\"viewport\""));
}

/// A client that opens a connection and never finishes its headers (or
/// sends nothing, or keeps a connection alive without a next request) has it
/// closed once the header timeout falls; one whose body trickles in is
/// answered 408 `request_timeout`; meanwhile the server answers others.
#[test]
fn connections_without_headers_or_body_in_time_are_closed() {
    use std::io::{Read as _, Write as _};
    let server = Server::start_with(Path::new("policies/"), &["--header-timeout", "1", "--timeout", "1"]);
    let address = server.base.trim_start_matches("http://").to_owned();
    let connect = || {
        let stream = std::net::TcpStream::connect(&address).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
        stream
    };
    // Read until the server closes; what it sent before.
    let until_closed = |stream: &mut std::net::TcpStream| {
        let started = std::time::Instant::now();
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .unwrap_or_else(|error| panic!("still open after {:?}: {error}", started.elapsed()));
        (started.elapsed(), String::from_utf8_lossy(&answer).into_owned())
    };
    let mut trickling = connect();
    trickling.write_all(b"GET /api/texts HTTP/1.1\r\nHost: avenant\r\n").unwrap();
    let mut silent = connect();
    let mut kept_alive = connect();
    kept_alive.write_all(b"GET /api/texts HTTP/1.1\r\nHost: avenant\r\n\r\n").unwrap();
    let mut slow_body = connect();
    let headers =
        "POST /api/evaluate HTTP/1.1\r\nHost: avenant\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
    slow_body.write_all(format!("{headers}{{\"profile\":").as_bytes()).unwrap();
    // Others are served while those wait.
    assert_eq!(server.get_text("/api/texts").0, 200);
    let clients = [("trickling", &mut trickling), ("silent", &mut silent), ("kept alive", &mut kept_alive)];
    for (what, stream) in clients.into_iter().chain([("slow body", &mut slow_body)]) {
        let (after, answer) = until_closed(stream);
        assert!(after < std::time::Duration::from_secs(10), "{what}: closed only after {after:?}");
        match what {
            "kept alive" => {
                assert!(answer.starts_with("HTTP/1.1 200"), "the request it finished was answered: {answer}")
            }
            "slow body" => assert!(
                answer.starts_with("HTTP/1.1 408") && answer.contains("\"request_timeout\""),
                "{what}: {answer}"
            ),
            _ => assert!(answer.is_empty(), "{what}: {answer}"),
        }
    }
    assert_eq!(server.get_text("/api/texts").0, 200, "the server still serves");
}
