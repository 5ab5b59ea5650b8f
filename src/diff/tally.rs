//! Counts and sums of a diff, profile by profile, chunk by chunk: kept
//! linear (the aid every new contract would get, by option) so that the
//! take-up, known only at the end, turns them into a budget in one step.
//! Never reads or writes.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::compare::Compared;

#[derive(Debug, Clone, Copy, Default, serde::Serialize, PartialEq, Eq)]
pub struct Moves {
    pub gained: u64,
    pub lost: u64,
    pub kept: u64,
}

impl Moves {
    pub fn add(&mut self, before: bool, after: bool) {
        match (before, after) {
            (false, true) => self.gained += 1,
            (true, false) => self.lost += 1,
            (true, true) => self.kept += 1,
            (false, false) => {}
        }
    }

    pub fn merge(&mut self, other: Moves) {
        self.gained += other.gained;
        self.lost += other.lost;
        self.kept += other.kept;
    }
}

/// How many moves a condition decided.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, PartialEq, Eq)]
pub struct Decided {
    pub gained: u64,
    pub lost: u64,
}

/// An amount under each side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pair {
    pub old: Decimal,
    pub new: Decimal,
}

impl Pair {
    /// Adds `other`; false, and nothing added, where a sum would leave the range of exact decimals.
    #[must_use]
    pub fn merge(&mut self, other: Pair) -> bool {
        match (self.old.checked_add(other.old), self.new.checked_add(other.new)) {
            (Some(old), Some(new)) => {
                *self = Pair { old, new };
                true
            }
            _ => false,
        }
    }
}

/// By option: what running contracts cost, and what new contracts would
/// cost if every one to whom it is open signed it.
#[derive(Debug, Clone, Default)]
pub(super) struct Costs {
    pub running: Vec<Pair>,
    pub if_all_sign: Vec<Pair>,
    /// A sum left the range of exact decimals (28 digits): the totals cannot be given.
    pub overflow: bool,
}

impl Costs {
    fn sized(options: usize) -> Costs {
        Costs { running: vec![Pair::default(); options], if_all_sign: vec![Pair::default(); options], overflow: false }
    }

    fn merge(&mut self, other: &Costs) {
        for (mine, theirs) in [(&mut self.running, &other.running), (&mut self.if_all_sign, &other.if_all_sign)] {
            if mine.len() < theirs.len() {
                mine.resize(theirs.len(), Pair::default());
            }
            for (mine, theirs) in mine.iter_mut().zip(theirs) {
                self.overflow |= !mine.merge(*theirs);
            }
        }
        self.overflow |= other.overflow;
    }
}

/// One line of a breakdown.
#[derive(Debug, Clone, Default)]
pub(super) struct Part {
    pub profiles: u64,
    pub eligibility: Moves,
    pub costs: Costs,
}

#[derive(Debug, Clone, Default)]
pub(super) struct OptionTally {
    pub open: Moves,
    pub by_condition: BTreeMap<String, Decided>,
    pub running_contracts: u64,
    /// Profiles to whom it is open under the old text: what a take-up read from running contracts divides by.
    pub open_old: u64,
    /// New contracts to whom it is open, under each side.
    pub open_to_new: (u64, u64),
}

#[derive(Debug, Clone, Default)]
pub(super) struct Tally {
    pub rows_in: u64,
    pub compared: u64,
    pub rejected: u64,
    pub changed: u64,
    pub eligibility: Moves,
    pub eligibility_by_condition: BTreeMap<String, Decided>,
    pub options: Vec<OptionTally>,
    pub costs: Costs,
    /// Breakdowns: band, zone, specialty, contract.
    pub parts: [BTreeMap<String, Part>; 4],
}

fn decided(map: &mut BTreeMap<String, Decided>, names: &[&str], gained: bool) {
    for name in names {
        let entry = match map.get_mut(*name) {
            Some(entry) => entry,
            None => map.entry((*name).to_owned()).or_default(),
        };
        match gained {
            true => entry.gained += 1,
            false => entry.lost += 1,
        }
    }
}

impl Tally {
    pub fn new(options: usize) -> Tally {
        Tally { options: vec![OptionTally::default(); options], costs: Costs::sized(options), ..Tally::default() }
    }

    pub fn reset(&mut self, options: usize) {
        *self = Tally::new(options);
    }

    /// Adds one profile compared; `aid` receives its aid per option under each side.
    /// Counts one profile compared, `aid` its aid per year under each side, option by option.
    pub fn add(&mut self, compared: &Compared<'_>, changed: bool, aid: &[Pair]) {
        self.compared += 1;
        self.changed += u64::from(changed);
        let (old_eligible, new_eligible) = (compared.old.eligible(), compared.new.eligible());
        self.eligibility.add(old_eligible, new_eligible);
        let (gained_by, lost_by) = compared.eligibility_deciders();
        decided(&mut self.eligibility_by_condition, &gained_by, true);
        decided(&mut self.eligibility_by_condition, &lost_by, false);
        let running = compared.running();
        let contract_option = compared.contract_option();
        for (index, option) in self.options.iter_mut().enumerate() {
            let (old_open, new_open) = (compared.old.open(index), compared.new.open(index));
            option.open.add(old_open, new_open);
            if old_open != new_open {
                let (gained_by, lost_by) = compared.option_deciders(index);
                decided(&mut option.by_condition, &gained_by, true);
                decided(&mut option.by_condition, &lost_by, false);
            }
            option.open_old += u64::from(old_open);
            if running && contract_option == Some(index) {
                option.running_contracts += 1;
            }
            if !running {
                option.open_to_new.0 += u64::from(old_open);
                option.open_to_new.1 += u64::from(new_open);
            }
        }
        let keys = [
            compared.band(),
            compared.zone().unwrap_or(""),
            compared.specialty().unwrap_or(""),
            if running { "running" } else { "new" },
        ];
        let options = self.options.len();
        for (parts, key) in self.parts.iter_mut().zip(keys) {
            let key = if key.is_empty() { "—" } else { key };
            let part = match parts.get_mut(key) {
                Some(part) => part,
                None => parts
                    .entry(key.to_owned())
                    .or_insert_with(|| Part { costs: Costs::sized(options), ..Part::default() }),
            };
            part.profiles += 1;
            part.eligibility.add(old_eligible, new_eligible);
            add_costs(&mut part.costs, running, aid);
        }
        add_costs(&mut self.costs, running, aid);
    }

    pub fn merge(&mut self, other: &Tally) {
        self.rows_in += other.rows_in;
        self.compared += other.compared;
        self.rejected += other.rejected;
        self.changed += other.changed;
        self.eligibility.merge(other.eligibility);
        merge_decided(&mut self.eligibility_by_condition, &other.eligibility_by_condition);
        for (mine, theirs) in self.options.iter_mut().zip(&other.options) {
            mine.open.merge(theirs.open);
            merge_decided(&mut mine.by_condition, &theirs.by_condition);
            mine.running_contracts += theirs.running_contracts;
            mine.open_old += theirs.open_old;
            mine.open_to_new.0 += theirs.open_to_new.0;
            mine.open_to_new.1 += theirs.open_to_new.1;
        }
        self.costs.merge(&other.costs);
        for (mine, theirs) in self.parts.iter_mut().zip(&other.parts) {
            for (key, part) in theirs {
                let entry = mine.entry(key.clone()).or_default();
                entry.profiles += part.profiles;
                entry.eligibility.merge(part.eligibility);
                entry.costs.merge(&part.costs);
            }
        }
    }
}

fn add_costs(costs: &mut Costs, running: bool, aid: &[Pair]) {
    let target = if running { &mut costs.running } else { &mut costs.if_all_sign };
    // Most profiles are paid nothing for most options: adding zeros is most of the work saved.
    for (total, pair) in target.iter_mut().zip(aid).filter(|(_, pair)| !(pair.old.is_zero() && pair.new.is_zero())) {
        costs.overflow |= !total.merge(*pair);
    }
}

fn merge_decided(mine: &mut BTreeMap<String, Decided>, theirs: &BTreeMap<String, Decided>) {
    for (name, moves) in theirs {
        let entry = mine.entry(name.clone()).or_default();
        entry.gained += moves.gained;
        entry.lost += moves.lost;
    }
}
