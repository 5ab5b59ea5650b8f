//! The one differential harness: every evaluator test, property test and
//! fuzz target holds the fast paths to the reference through here. It runs
//! each profile through the reference evaluator, the compiled evaluator one
//! profile at a time, and the compiled lanes many at a time (shuffled, in
//! batches of more than [`LANES`] so that lanes part ways and a batch ends
//! part-full), and compares everything a user could see: each output's
//! value and certainty, every assumption in order, and every error's code,
//! message and place; and that the lanes set aside (to the one-profile
//! loop) only the profiles that fail. It never prints; a disagreement is returned.

use rand::SeedableRng as _;
use rand::seq::SliceRandom as _;

use super::compiled::{CompiledPolicy, LANES};
use super::{EvalError, Outcome, Profile};
use crate::CheckedPolicy;
use crate::check::model::Value;

/// What one evaluator gave for one profile, in a form that compares every
/// detail a user could see (values, certainties, assumptions, error places).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Each output (name, value, certainty) and each assumption, as debug text.
    Outcome {
        outputs: Vec<String>,
        assumptions: Vec<String>,
    },
    Error {
        code: &'static str,
        message: String,
        span: String,
    },
}

impl Answer {
    /// What the lanes gave for a profile they set aside though it evaluates:
    /// never the reference's answer, so that it is reported.
    fn set_aside() -> Answer {
        Answer::Error {
            code: "set aside",
            message: "the lanes set aside a profile that evaluates".to_owned(),
            span: String::new(),
        }
    }

    fn of(result: Result<&Outcome, &EvalError>) -> Answer {
        match result {
            Ok(outcome) => Answer::Outcome {
                outputs: outcome.outputs.iter().map(|output| format!("{output:?}")).collect(),
                assumptions: outcome.assumptions.iter().map(|assumption| format!("{assumption:?}")).collect(),
            },
            Err(error) => Answer::Error {
                code: error.code(),
                message: error.message().to_owned(),
                span: format!("{:?}", error.span()),
            },
        }
    }
}

/// Where the fast paths parted from the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The profile's position in the slice given.
    pub profile: usize,
    /// `one at a time` or `many at a time`.
    pub path: &'static str,
    pub reference: Answer,
    pub fast: Answer,
}

impl std::fmt::Display for Disagreement {
    /// Only what differs: the outputs or assumptions that part, or both answers whole.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(formatter, "profile {} evaluated {}:", self.profile, self.path)?;
        if let (
            Answer::Outcome { outputs, assumptions },
            Answer::Outcome { outputs: fast_outputs, assumptions: fast_assumptions },
        ) = (&self.reference, &self.fast)
        {
            for (what, reference, fast) in
                [("output", outputs, fast_outputs), ("assumption", assumptions, fast_assumptions)]
            {
                for index in 0..reference.len().max(fast.len()) {
                    let (expected, found) = (reference.get(index), fast.get(index));
                    if expected != found {
                        writeln!(
                            formatter,
                            "  {what} {index}: the reference gave {expected:?}\n  the compiled evaluator {found:?}"
                        )?;
                    }
                }
            }
            return Ok(());
        }
        write!(formatter, "  the reference gave {:?}\n  the compiled evaluator {:?}", self.reference, self.fast)
    }
}

/// Runs every profile through the three evaluators as of `on` and compares
/// them; `seed` picks the order the lanes see them in. Returns how many
/// evaluations were compared. Fewer profiles than a batch are repeated to
/// fill one batch and start the next, so that every lane is exercised.
pub fn compare(
    policy: &CheckedPolicy,
    compiled: &CompiledPolicy<'_>,
    profiles: &[Profile],
    on: jiff::civil::Date,
    seed: u64,
) -> Result<usize, Box<Disagreement>> {
    if profiles.is_empty() {
        return Ok(0);
    }
    let reference: Vec<Answer> =
        profiles.iter().map(|profile| Answer::of(super::evaluate(policy, profile, on).as_ref())).collect();
    let mut scratch = compiled.scratch();
    for (position, profile) in profiles.iter().enumerate() {
        let fast = compiled
            .evaluate(profile.values(), on, &mut scratch)
            .and_then(|()| compiled.outcome(&scratch, profile.values()));
        check(&reference, position, "one at a time", Answer::of(fast.as_ref()))?;
    }
    // Each profile at several places, in a shuffled order: a full batch and
    // one lane of the next at least.
    let wanted = profiles.len().max(LANES + 1);
    let mut order: Vec<usize> = (0..wanted).map(|index| index % profiles.len()).collect();
    order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
    let rows: Vec<&[Option<Value>]> = order.iter().filter_map(|&index| Some(profiles.get(index)?.values())).collect();
    let (mut lanes, mut many) = (compiled.lanes(), compiled.scratch());
    let mut found = Ok(());
    compiled.evaluate_each(&rows, on, &mut lanes, &mut many, |at, result| {
        let (Some(&position), Some(values)) = (order.get(at), rows.get(at)) else { return };
        // A profile that evaluates is never set aside: the lanes compute it themselves.
        if found.is_ok()
            && let Ok(evaluated) = &result
            && evaluated.alone()
        {
            found = check(&reference, position, "many at a time", Answer::set_aside());
        }
        let fast = result.and_then(|evaluated| compiled.outcome(evaluated, values));
        if found.is_ok() {
            found = check(&reference, position, "many at a time", Answer::of(fast.as_ref()));
        }
    });
    found.map(|()| profiles.len() + rows.len())
}

fn check(reference: &[Answer], position: usize, path: &'static str, fast: Answer) -> Result<(), Box<Disagreement>> {
    match reference.get(position) {
        Some(expected) if *expected == fast => Ok(()),
        expected => Err(Box::new(Disagreement {
            profile: position,
            path,
            reference: expected.cloned().unwrap_or(Answer::Error {
                code: "internal",
                message: "no reference answer".to_owned(),
                span: String::new(),
            }),
            fast,
        })),
    }
}
