//! Speed of drawing diagnostics over a large policy: the lines around each
//! label of 2 000 warnings on a 1.7 MB text, found by avenant's indexed
//! source (`avenant::source::Text`) against miette's own `str` source (the
//! baseline, which reads the text from its start for every label: what
//! `avenant check` did before, and why 2 000 warnings took minutes).
//!
//! `cargo bench --bench diagnostics` (add `-- --quick` for a shorter run).

// A benchmark fails loudly: a number measured on a broken run must not be printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::Criterion;
use miette::{Diagnostic as _, SourceCode};

/// miette's graphical handler draws one line of context either side.
const CONTEXT: usize = 1;

fn policy(parameters: usize) -> String {
    let mut text = String::from(
        "policy big {\n  title \"many unused parameters\"\n  effective 2024-01-01\n}\nprofile { x: number }\noutput y = x\n",
    );
    for index in 0..parameters {
        text.push_str(&format!("param p{index}: number = {index} # {}\n", "comment ".repeat(20)));
    }
    text
}

/// The lines every label of every diagnostic is drawn with.
fn draw_all(source: &dyn SourceCode, spans: &[miette::SourceSpan]) -> usize {
    spans.iter().map(|span| source.read_span(span, CONTEXT, CONTEXT).map_or(0, |lines| lines.data().len())).sum()
}

fn main() {
    let text = policy(2_000);
    let (policy, warnings) = avenant::compile_with_warnings(Path::new("big.policy"), &text).unwrap();
    assert_eq!(warnings.len(), 2_000, "one `unused` warning a parameter");
    let rendered: Vec<_> = warnings.iter().map(|warning| warning.render_with(policy.sources())).collect();
    let spans: Vec<miette::SourceSpan> = rendered
        .iter()
        .flat_map(|diagnostic| diagnostic.labels().into_iter().flatten())
        .map(|label| *label.inner())
        .collect();
    let indexed = rendered[0].source_code().unwrap();
    let plain: &str = &text;
    // Both sources must give miette the same lines, or the comparison means nothing.
    assert_eq!(draw_all(indexed, &spans), draw_all(&plain, &spans));

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("lines of 2 000 warnings on a 1.7 MB policy");
    group.sample_size(10);
    group.bench_function("baseline: miette's str source", |b| b.iter(|| black_box(draw_all(&plain, &spans))));
    group.bench_function("avenant: indexed source", |b| b.iter(|| black_box(draw_all(indexed, &spans))));
    group.finish();

    // The summary: each side timed in this run, as a ratio.
    let time = |source: &dyn SourceCode| {
        let start = Instant::now();
        black_box(draw_all(source, &spans));
        start.elapsed()
    };
    let (baseline, ours) = (time(&plain), time(indexed));
    println!(
        "\nsummary: miette's str source {baseline:.2?}, avenant's indexed source {ours:.2?}: {:.0}× faster",
        baseline.as_secs_f64() / ours.as_secs_f64().max(1e-9)
    );
    criterion.final_summary();
}
