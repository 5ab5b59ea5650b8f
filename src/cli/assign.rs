//! The `--set`, `--draw` and `--seed` arguments that `diff` and `eval
//! --profiles` share: values for fields a population lacks. Only parses
//! arguments; the values are typed against each policy by `avenant::assign`.

use avenant::assign::{AssignError, Assignments};

use super::Reporter;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct AssignArgs {
    /// Give FIELD this value in every row, in place of the population's
    /// (`--set coordinated_practice=true`). Typed and validated as a cell of that field.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,

    /// Draw FIELD for each row from a distribution: `FIELD=bernoulli(30%)`
    /// or `FIELD=choice(zip:20%,zac:30%,hors_zone:50%)`. The same row draws
    /// the same value whatever the threads; `--seed` changes the draws.
    #[arg(long = "draw", value_name = "FIELD=LAW")]
    pub draw: Vec<String>,

    /// The seed of `--draw`.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
}

impl AssignArgs {
    /// The assignments, or the argument's problem reported.
    pub fn assignments(&self, reporter: &Reporter) -> Option<Assignments> {
        Assignments::new(&self.set, &self.draw, self.seed).map_err(|error| report(reporter, &error)).ok()
    }
}

/// An assignment that does not fit: the message, then its help.
pub fn report(reporter: &Reporter, error: &AssignError) {
    match &error.help {
        Some(help) => reporter.message(&format!("{}\n  help: {help}", error.message)),
        None => reporter.message(&error.message),
    }
}
