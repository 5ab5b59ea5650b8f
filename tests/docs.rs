//! Every transcript in the README and the book (a ```console block whose
//! lines start with `$ avenant`) is run against the built binary and must
//! print what it shows, so that outputs and line numbers never go stale.
//! A transcript's commands run in its file's folder.

#[test]
fn the_transcripts_in_the_documentation_are_what_avenant_prints() {
    trycmd::TestCases::new().case("README.md").case("docs/*.md");
}
