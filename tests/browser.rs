//! The simulator and the playground in a real headless Chromium (Debian's),
//! driven through ChromeDriver by a WebDriver client: what a physician and
//! an author see, read from the page. Screenshots are kept under
//! `target/browser/`; with `AVENANT_SCREENSHOTS=docs`, the simulator's also
//! replaces `docs/img/simulator.png`.
//!
//! Without Chromium the tests are skipped, except under `CI=true`, where they
//! fail: `.ci/setup-web` installs it.

// A test helper fails loudly, with what it was doing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod serve_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::json;
use serve_support::{Server, policies_with};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// ChromeDriver on a free loopback port, stopped when dropped, with its
/// browser's profile in a fresh directory.
struct Driver {
    child: Child,
    port: u16,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    /// Stops ChromeDriver, and the browser it started if a failed test left
    /// it open: the one process whose command line names this driver's
    /// profile directory (the others of that browser end with it).
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
        let profile = format!("--user-data-dir={}", self.profile.path().display());
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(command) = std::fs::read(entry.path().join("cmdline")) else { continue };
            let mut arguments = command.split(|byte| *byte == 0).map(String::from_utf8_lossy);
            let browser = arguments.next().is_some_and(|program| program.ends_with("/chromium"));
            let ours = arguments.any(|argument| argument == profile);
            if browser && ours && !String::from_utf8_lossy(&command).contains("--type=") {
                Command::new("kill").arg(entry.file_name()).status().ok();
            }
        }
    }
}

/// Whether the browser is there; under CI it must be.
fn browser_present() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{CHROMIUM} and {CHROMEDRIVER} are missing: run .ci/setup-web"
        );
        eprintln!("skipped: {CHROMIUM} or {CHROMEDRIVER} is missing (run .ci/setup-web)");
    }
    present
}

fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).unwrap().port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver { child, port, profile: tempfile::tempdir().unwrap() }
}

/// ChromeDriver and a fresh browser session in it; the driver stops when dropped.
async fn open_browser() -> (Driver, Client) {
    let driver = start_driver();
    let client = browser(&driver).await;
    (driver, client)
}

async fn browser(driver: &Driver) -> Client {
    let user_data = format!("--user-data-dir={}", driver.profile.path().display());
    let arguments = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1100,1400",
        "--lang=fr-FR",
        user_data.as_str(),
    ];
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".to_owned(), json!({ "binary": CHROMIUM, "args": arguments }));
    fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .unwrap()
}

/// The text of the first element `css` finds once `holds` is true of it, within 30 s (CI runs
/// other tests beside these).
async fn text_when(client: &Client, css: &str, holds: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            // Figures are grouped with narrow spaces and end with a no-break space before `€`.
            last = text.replace(['\u{202f}', '\u{a0}'], " ");
            if holds(&last) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("`{css}` never held; last text: {last:?}");
}

async fn ready(client: &Client, url: &str) {
    client.goto(url).await.unwrap();
    text_when(client, "body[data-ready=true]", |_| true).await;
}

/// Sets the date as a date picker does, and tells the page it changed.
async fn set_date(client: &Client, date: &str) {
    let script = "const input = document.getElementById('on'); input.value = arguments[0]; input.dispatchEvent(new Event('change'));";
    client.execute(script, vec![json!(date)]).await.unwrap();
}

async fn fill(client: &Client, field: &str, value: &str) {
    let element = client.find(Locator::Id(&format!("field-{field}"))).await.unwrap();
    if element.attr("data-type").await.unwrap().is_some_and(|kind| kind == "enum" || kind == "bool") {
        element.select_by_value(value).await.unwrap();
    } else {
        element.clear().await.unwrap();
        element.send_keys(value).await.unwrap();
    }
}

async fn screenshot(client: &Client, name: &str) -> Vec<u8> {
    let png = client.screenshot().await.unwrap();
    let directory = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../browser");
    std::fs::create_dir_all(&directory).unwrap();
    std::fs::write(directory.join(name), &png).unwrap();
    png
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_physician_simulates_dr_a_in_2020_then_2024_and_reads_the_explanation() {
    if !browser_present() {
        return;
    }
    let server = Server::start();
    let (_driver, client) = open_browser().await;
    ready(&client, &server.url("/")).await;
    set_date(&client, "2020-10-01").await;
    text_when(&client, "#policy-title", |text| text.contains("avenant_7")).await;
    // Dr A of the seed (examples/dr-a.toml), typed and chosen as a physician would.
    for (field, value) in [
        ("specialty", "medecine_generale"),
        ("sector", "secteur_1"),
        ("zone", "zip"),
        ("grouped_practice", "true"),
        ("coordinated_practice", "true"),
        ("patientele_mt", "700"),
        ("file_active", "1300"),
    ] {
        fill(&client, field, value).await;
    }
    let label = client.find(Locator::Css("label[for=field-specialty]")).await.unwrap().text().await.unwrap();
    assert_eq!(label, "spécialité d'exercice");
    // Submitted from the keyboard: Enter in the last field typed.
    client.find(Locator::Id("field-file_active")).await.unwrap().send_keys("\u{E007}").await.unwrap();
    let verdict = text_when(&client, "#verdict", |text| !text.is_empty()).await;
    assert_eq!(verdict, "Vous êtes éligible à l'aide.");
    // The band by its label in the text, not its name in the policy (`p30_p50`).
    assert_eq!(text_when(&client, "#band", |_| true).await, "du 30e au 50e percentile");
    let aid = |option: &str, year: &str| format!("#option-{option} td[data-year={year}]");
    assert_eq!(text_when(&client, &aid("option_1", "year_1"), |_| true).await, "12 000 €");
    assert_eq!(text_when(&client, &aid("option_1", "year_2"), |_| true).await, "9 000 €");
    assert_eq!(text_when(&client, &aid("option_3", "year_1"), |_| true).await, "36 000 €");
    let target = text_when(&client, "#option-option_1 [data-target=target_file_active]", |_| true).await;
    assert!(target.ends_with(": 260 patients"), "{target}");
    let target = text_when(&client, "#option-option_1 [data-target=target_patientele_mt]", |_| true).await;
    assert!(target.ends_with(": 140 patients"), "{target}");
    let certainty = text_when(&client, "#certainty", |_| true).await;
    assert!(certainty.contains("source secondaire"), "{certainty}");
    let shown = text_when(&client, "#resultat", |_| true).await;
    assert!(!shown.contains("null") && !shown.contains("undefined"), "{shown}");
    client.set_window_size(1000, 2500).await.unwrap();
    client.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    let png = screenshot(&client, "simulator.png").await;
    if std::env::var("AVENANT_SCREENSHOTS").as_deref() == Ok("docs") {
        std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/img/simulator.png"), &png).unwrap();
    }

    // In 2024 the threshold of the règlement arbitral applies: Dr A falls short of it.
    set_date(&client, "2024-10-01").await;
    let verdict = text_when(&client, "#verdict", |text| text.contains("pas")).await;
    assert_eq!(verdict, "Vous n'êtes pas éligible à l'aide.");
    let failed = text_when(&client, ".failed-conditions li", |_| true).await;
    assert!(failed.starts_with("la patientèle doit dépasser le 30e percentile national"), "{failed}");
    let closed = text_when(&client, "#option-option_1 .state", |_| true).await;
    assert_eq!(closed, "fermée");
    let why = text_when(&client, "#option-option_1 .why-closed", |_| true).await;
    assert!(why.contains("l'option 1/3 ETP n'est plus ouverte"), "{why}");

    // The explanation, with its legal sources, on demand.
    client.find(Locator::Id("explain")).await.unwrap().click().await.unwrap();
    let tree = text_when(&client, "#explanation .tree", |text| !text.is_empty()).await;
    assert!(tree.contains("eligible = false"), "{tree}");
    client.find(Locator::Css("#explanation .tree > li > details > summary")).await.unwrap().click().await.unwrap();
    let opened = text_when(&client, "#explanation .tree > li > details[open] dl", |_| true).await;
    assert!(opened.contains("dans le texte") && opened.contains(".policy:"), "{opened}");
    screenshot(&client, "simulator-2024-explained.png").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_types_a_misspelled_name_and_sees_the_diagnostic() {
    if !browser_present() {
        return;
    }
    let server = Server::start();
    let (_driver, client) = open_browser().await;
    ready(&client, &server.url("/playground")).await;
    let status = text_when(&client, "#status", |text| !text.is_empty()).await;
    assert!(status.starts_with("Le texte est valide"), "the starter text: {status}");
    let editor = client.find(Locator::Id("text")).await.unwrap();
    editor
        .send_keys("\namend profile {\n  teleconsultation_share: rate? \"part de téléconsultation\"\n}\n")
        .await
        .unwrap();
    editor.send_keys("rule remote: bool = teleconsultation_shar > 50 %\n").await.unwrap();
    let diagnostic = text_when(&client, "#diagnostics .diagnostic.error", |_| true).await;
    assert!(diagnostic.contains("teleconsultation_shar"), "{diagnostic}");
    assert!(diagnostic.contains("teleconsultation_share"), "the suggestion: {diagnostic}");
    let status = text_when(&client, "#status", |_| true).await;
    assert_eq!(status, "Le texte a des erreurs.");
    screenshot(&client, "playground.png").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_a_new_text_adds_appears_in_the_form() {
    if !browser_present() {
        return;
    }
    let amendment = "policy essai_2027 {\n  title \"Essai\"\n  amends convention_2024\n  effective 2027-01-01\n}\n\namend profile {\n  teleconsultation_share: rate? \"part de l'activité en téléconsultation\"\n}\n";
    let directory = policies_with(&[("essai-2027.policy", amendment)]);
    let server = Server::start_with(directory.path(), &[]);
    let (_driver, client) = open_browser().await;
    ready(&client, &server.url("/")).await;
    set_date(&client, "2027-02-01").await;
    let label = text_when(&client, "label[for=field-teleconsultation_share]", |_| true).await;
    assert_eq!(label, "part de l'activité en téléconsultation (facultatif)");
    set_date(&client, "2026-02-01").await;
    text_when(&client, "#policy-title", |text| !text.contains("essai_2027")).await;
    assert!(client.find(Locator::Id("field-teleconsultation_share")).await.is_err());
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_fits_a_phone_and_labels_every_control() {
    if !browser_present() {
        return;
    }
    let server = Server::start();
    let (_driver, client) = open_browser().await;
    client.set_window_size(400, 850).await.unwrap();
    ready(&client, &server.url("/")).await;
    set_date(&client, "2024-10-01").await;
    text_when(&client, "#policy-title", |text| text.contains("convention_2024")).await;
    let unlabelled = "return [...document.querySelectorAll('input, select, textarea')]\
        .filter((control) => !document.querySelector(`label[for='${control.id}']`)).map((control) => control.id || control.name);";
    assert_eq!(client.execute(unlabelled, vec![]).await.unwrap(), json!([]));
    let widths = "return [document.documentElement.scrollWidth, window.innerWidth];";
    let widths = client.execute(widths, vec![]).await.unwrap();
    assert!(widths[0].as_u64() <= widths[1].as_u64(), "the page is wider than the phone's screen: {widths}");
    screenshot(&client, "simulator-phone.png").await;
    client.close().await.unwrap();
}
