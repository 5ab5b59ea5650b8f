//! The summary of a diff, for people and programs: counts that reconcile,
//! moves counted by the condition that decided them, what exists on one side
//! only, and a budget per year whose take-up assumption is stated beside it.
//! Built once from the tally at the end. Never reads or writes.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::plan::{Plan, Structure};
use super::tally::{Costs, Decided, Moves, Pair, Tally};
use crate::assign::percent;

/// What a diff found, every total the sum of its profiles.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub old: String,
    pub new: String,
    pub rows_in: u64,
    pub compared: u64,
    pub rejected: u64,
    /// Profiles of which some output changed.
    pub changed: u64,
    /// Values the command line gave for fields (`--set`, `--draw` and its seed).
    pub assumed: Vec<String>,
    /// What the old text has and the new lacks, and the other way round.
    pub only_old: Structure,
    pub only_new: Structure,
    pub contracts: Contracts,
    pub eligibility: Moves,
    /// By condition: the gains it decided (it failed under the old text and
    /// no longer fails) and the losses (it fails under the new text).
    pub eligibility_by_condition: BTreeMap<String, Decided>,
    pub options: BTreeMap<String, OptionSummary>,
    /// The aid per year: running contracts, plus new contracts at their take-up.
    pub budget: Budget,
    pub by_band: BTreeMap<String, Breakdown>,
    pub by_zone: BTreeMap<String, Breakdown>,
    pub by_specialty: BTreeMap<String, Breakdown>,
    pub by_contract: BTreeMap<String, Breakdown>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Contracts {
    /// Profiles with a running contract: they keep its option, in the contract year in progress.
    pub running: u64,
    /// Profiles without one: they sign an option at its take-up, in year 1.
    pub new: u64,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Money {
    #[serde(serialize_with = "euros")]
    pub old: Decimal,
    #[serde(serialize_with = "euros")]
    pub new: Decimal,
}

impl Money {
    /// `new − old`; the totals are checked to fit, and a change past the range of exact decimals is shown at its bound.
    pub fn change(&self) -> Decimal {
        self.new.saturating_sub(self.old)
    }

    fn of(pair: Pair) -> Money {
        Money { old: pair.old, new: pair.new }
    }

    fn add(self, other: Money) -> Option<Money> {
        Some(Money { old: self.old.checked_add(other.old)?, new: self.new.checked_add(other.new)? })
    }
}

fn euros<S: serde::Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&crate::output::diff::to_the_cent(*value))
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TakeUp {
    /// The share of new contracts to whom the option is open that sign it, as `12.5 %`.
    pub rate: String,
    #[serde(skip)]
    pub share: Decimal,
    /// Where the rate comes from, in words.
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OptionSummary {
    /// `both`, `old only` or `new only`: an option one side lacks is not offered there.
    pub offered: &'static str,
    pub open: Moves,
    pub by_condition: BTreeMap<String, Decided>,
    pub running_contracts: u64,
    /// New contracts to whom it is open, under each side.
    pub open_to_new: Counts,
    pub take_up: TakeUp,
    /// The aid of the running contracts on this option, the year in progress.
    pub running: Money,
    /// The aid of year 1 if every new contract to whom it is open signed it.
    pub if_all_sign: Money,
    /// `running + take_up × if_all_sign`.
    pub budget: Money,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub old: u64,
    pub new: u64,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Budget {
    pub running: Money,
    pub new_contracts: Money,
    pub total: Money,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Breakdown {
    pub profiles: u64,
    pub eligibility: Moves,
    /// By option, then in total: running contracts plus new ones at their take-up.
    pub budget: BTreeMap<String, Money>,
    pub total: Money,
}

impl Breakdown {
    /// The sum of a breakdown's rows, its total line; `None` past the range
    /// of exact decimals (which the summary's own checked total rules out
    /// when the rows share out its population).
    pub fn sum<'a>(rows: impl IntoIterator<Item = &'a Breakdown>) -> Option<Breakdown> {
        let mut total = Breakdown::default();
        for row in rows {
            total.profiles = total.profiles.checked_add(row.profiles)?;
            total.eligibility.merge(row.eligibility);
            for (option, money) in &row.budget {
                let sum = total.budget.entry(option.clone()).or_default();
                *sum = sum.add(*money)?;
            }
            total.total = total.total.add(row.total)?;
        }
        Some(total)
    }
}

/// Each option's take-up: given on the command line, or read from the
/// running contracts (those on the option ÷ the profiles to whom the old text opens it).
fn take_up(option: &str, tally: &super::tally::OptionTally, given: &[(String, Decimal)]) -> TakeUp {
    if let Some((_, share)) = given.iter().find(|(name, _)| name == option) {
        return TakeUp { rate: percent(*share), share: *share, source: "given (--take-up)".to_owned() };
    }
    if tally.open_old == 0 {
        return TakeUp {
            rate: percent(Decimal::ZERO),
            share: Decimal::ZERO,
            source: format!(
                "open to no one under the old text, so no running contract to read: give `--take-up {option}=RATE`"
            ),
        };
    }
    let share = (Decimal::from(tally.running_contracts) / Decimal::from(tally.open_old)).min(Decimal::ONE);
    TakeUp {
        rate: percent(share.round_dp(1 + 2)),
        share,
        source: format!(
            "read from the running contracts: {} on it of {} profiles to whom the old text opens it",
            tally.running_contracts, tally.open_old
        ),
    }
}

fn budget_of(costs: &Costs, index: usize, share: Decimal) -> Option<Money> {
    let running = costs.running.get(index).copied().unwrap_or_default();
    let all = costs.if_all_sign.get(index).copied().unwrap_or_default();
    let side = |running: Decimal, all: Decimal| running.checked_add(share.checked_mul(all)?);
    Some(Money { old: side(running.old, all.old)?, new: side(running.new, all.new)? })
}

/// Why a summary cannot be given: a total beyond exact decimals.
const OVERFLOW: &str = "a total of the aid leaves the range of exact decimals (28 significant digits)";

impl Summary {
    pub(super) fn of(
        plan: &Plan,
        tally: &Tally,
        names: (String, String),
        assumed: Vec<String>,
        given: &[(String, Decimal)],
    ) -> Result<Summary, String> {
        let overflow = || OVERFLOW.to_owned();
        if tally.costs.overflow || tally.parts.iter().flat_map(|parts| parts.values()).any(|part| part.costs.overflow) {
            return Err(overflow());
        }
        let mut shares = Vec::new();
        let mut options = BTreeMap::new();
        let mut budget = Budget::default();
        for (index, (name, option)) in plan.options.iter().zip(&tally.options).enumerate() {
            let take_up = take_up(name, option, given);
            shares.push((name.clone(), take_up.share));
            let running = Money::of(tally.costs.running.get(index).copied().unwrap_or_default());
            let if_all_sign = Money::of(tally.costs.if_all_sign.get(index).copied().unwrap_or_default());
            let option_budget = budget_of(&tally.costs, index, take_up.share).ok_or_else(overflow)?;
            let new_contracts = Money {
                old: option_budget.old.checked_sub(running.old).ok_or_else(overflow)?,
                new: option_budget.new.checked_sub(running.new).ok_or_else(overflow)?,
            };
            budget.running = budget.running.add(running).ok_or_else(overflow)?;
            budget.new_contracts = budget.new_contracts.add(new_contracts).ok_or_else(overflow)?;
            budget.total = budget.total.add(option_budget).ok_or_else(overflow)?;
            options.insert(
                name.clone(),
                OptionSummary {
                    offered: plan.offered(index),
                    open: option.open,
                    by_condition: option.by_condition.clone(),
                    running_contracts: option.running_contracts,
                    open_to_new: Counts { old: option.open_to_new.0, new: option.open_to_new.1 },
                    take_up,
                    running,
                    if_all_sign,
                    budget: option_budget,
                },
            );
        }
        let breakdown = |parts: &BTreeMap<String, super::tally::Part>| -> Result<BTreeMap<String, Breakdown>, String> {
            parts
                .iter()
                .map(|(key, part)| {
                    let mut line =
                        Breakdown { profiles: part.profiles, eligibility: part.eligibility, ..Breakdown::default() };
                    for (index, (name, share)) in shares.iter().enumerate() {
                        let money = budget_of(&part.costs, index, *share).ok_or_else(overflow)?;
                        line.total = line.total.add(money).ok_or_else(overflow)?;
                        line.budget.insert(name.clone(), money);
                    }
                    Ok((key.clone(), line))
                })
                .collect()
        };
        let [by_band, by_zone, by_specialty, by_contract] = &tally.parts;
        let count = |key: &str| by_contract.get(key).map_or(0, |part| part.profiles);
        Ok(Summary {
            old: names.0,
            new: names.1,
            rows_in: tally.rows_in,
            compared: tally.compared,
            rejected: tally.rejected,
            changed: tally.changed,
            assumed,
            only_old: plan.only_old.clone(),
            only_new: plan.only_new.clone(),
            contracts: Contracts { running: count("running"), new: count("new") },
            eligibility: tally.eligibility,
            eligibility_by_condition: tally.eligibility_by_condition.clone(),
            options,
            budget,
            by_band: breakdown(by_band)?,
            by_zone: breakdown(by_zone)?,
            by_specialty: breakdown(by_specialty)?,
            by_contract: breakdown(by_contract)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::{Breakdown, Money};

    fn row(profiles: u64, old: Decimal, new: Decimal) -> Breakdown {
        let money = Money { old, new };
        Breakdown { profiles, budget: [("option_1".to_owned(), money)].into(), total: money, ..Breakdown::default() }
    }

    #[test]
    fn a_breakdown_sums_to_its_total_line_or_says_it_cannot() {
        let rows =
            [row(2, Decimal::new(1_000, 0), Decimal::new(1_500, 0)), row(3, Decimal::new(250, 2), Decimal::ZERO)];
        let total = Breakdown::sum(&rows);
        assert_eq!(total.as_ref().map(|total| total.profiles), Some(5));
        let expected = Money { old: Decimal::new(100_250, 2), new: Decimal::new(1_500, 0) };
        assert_eq!(total.as_ref().map(|total| total.total), Some(expected));
        assert_eq!(total.and_then(|total| total.budget.get("option_1").copied()), Some(expected));
        let beyond = [row(1, Decimal::MAX, Decimal::ZERO), row(1, Decimal::MAX, Decimal::ZERO)];
        assert!(Breakdown::sum(&beyond).is_none(), "an overflow is refused, never a panic");
    }
}
