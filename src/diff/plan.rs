//! Where each side's outputs are among its compiled leaves, found once per
//! diff: the options of both sides (their union, so that an option one side
//! lacks is compared against "not offered"), the outputs compared, and what
//! exists on one side only. Never evaluates.

use serde::Serialize;

use crate::check::model::CheckedPolicy;
use crate::eval::compiled::CompiledPolicy;

/// The leaves of one option on one side.
#[derive(Debug, Clone, Copy)]
pub(super) struct OptionLeaves {
    pub open: usize,
    pub failed: Option<usize>,
    /// The aid of contract years 1, 2 and 3 and after.
    pub aid: [Option<usize>; 3],
}

/// Where one side's outputs and fields are.
#[derive(Debug)]
pub(super) struct SidePlan {
    pub leaves: usize,
    pub eligible: Option<usize>,
    pub failed: Option<usize>,
    pub band: Option<usize>,
    pub contract_year: Option<usize>,
    /// By option of the comparison: its leaves, where this side offers it.
    pub options: Vec<Option<OptionLeaves>>,
    /// Field places, for the breakdowns and the contract's option.
    pub specialty: Option<usize>,
    pub zone: Option<usize>,
    pub contract_option: Option<usize>,
}

/// What one side has and the other lacks.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Structure {
    pub options: Vec<String>,
    /// Outputs by dotted path, beyond those of the options above.
    pub outputs: Vec<String>,
    /// Conditions as `set.condition`.
    pub conditions: Vec<String>,
}

impl Structure {
    pub fn is_empty(&self) -> bool {
        self.options.is_empty() && self.outputs.is_empty() && self.conditions.is_empty()
    }
}

#[derive(Debug)]
pub(super) struct Plan {
    /// Every option either side offers: the old side's, then the new side's others.
    pub options: Vec<String>,
    pub old: SidePlan,
    pub new: SidePlan,
    /// Every output compared, by path: its leaf on each side, none where the side lacks it.
    pub compared: Vec<(String, Option<usize>, Option<usize>)>,
    pub only_old: Structure,
    pub only_new: Structure,
}

fn options_of(compiled: &CompiledPolicy<'_>) -> Vec<String> {
    compiled
        .leaf_paths()
        .filter_map(|path| path.strip_prefix("options.")?.strip_suffix(".open").map(str::to_owned))
        .collect()
}

fn conditions_of(policy: &CheckedPolicy) -> Vec<String> {
    policy
        .condition_sets
        .iter()
        .flat_map(|set| set.conditions.iter().map(move |condition| format!("{}.{}", set.name, condition.name)))
        .collect()
}

impl Plan {
    pub fn new(old: &CompiledPolicy<'_>, new: &CompiledPolicy<'_>) -> Plan {
        let (old_options, new_options) = (options_of(old), options_of(new));
        let mut options = old_options.clone();
        options.extend(new_options.iter().filter(|option| !old_options.contains(option)).cloned());
        let old_paths: Vec<&str> = old.leaf_paths().collect();
        let new_paths: Vec<&str> = new.leaf_paths().collect();
        let mut compared: Vec<(String, Option<usize>, Option<usize>)> = old_paths
            .iter()
            .enumerate()
            .map(|(index, path)| ((*path).to_owned(), Some(index), new_paths.iter().position(|known| known == path)))
            .collect();
        compared.extend(
            new_paths
                .iter()
                .enumerate()
                .filter(|(_, path)| !old_paths.contains(path))
                .map(|(index, path)| ((*path).to_owned(), None, Some(index))),
        );
        let one_sided = |mine: &[&str], theirs: &[&str], my_options: &[String], their_options: &[String]| {
            let options: Vec<String> =
                my_options.iter().filter(|option| !their_options.contains(option)).cloned().collect();
            let outputs = mine
                .iter()
                .filter(|path| !theirs.contains(path))
                .filter(|path| !options.iter().any(|option| path.starts_with(&format!("options.{option}."))))
                .map(|path| (*path).to_owned())
                .collect();
            Structure { options, outputs, conditions: Vec::new() }
        };
        // An option one side lacks is compared by whether it is open (not
        // offered is not open); its other outputs, which only one side can
        // have, would make every profile look changed.
        compared.retain(|(path, old_leaf, new_leaf)| {
            let one_sided = old_leaf.is_none() || new_leaf.is_none();
            let option = path.strip_prefix("options.").and_then(|rest| rest.split_once('.'));
            match option {
                Some((option, rest))
                    if one_sided
                        && !(old_options.contains(&option.to_owned()) && new_options.contains(&option.to_owned())) =>
                {
                    rest == "open"
                }
                _ => true,
            }
        });
        let mut only_old = one_sided(&old_paths, &new_paths, &old_options, &new_options);
        let mut only_new = one_sided(&new_paths, &old_paths, &new_options, &old_options);
        let (old_conditions, new_conditions) = (conditions_of(old.policy()), conditions_of(new.policy()));
        only_old.conditions = old_conditions.iter().filter(|name| !new_conditions.contains(name)).cloned().collect();
        only_new.conditions = new_conditions.iter().filter(|name| !old_conditions.contains(name)).cloned().collect();
        Plan {
            old: SidePlan::new(old, &options),
            new: SidePlan::new(new, &options),
            options,
            compared,
            only_old,
            only_new,
        }
    }

    /// Whether option `index` is offered by the old side, the new, or both.
    pub fn offered(&self, index: usize) -> &'static str {
        let on = |side: &SidePlan| side.options.get(index).is_some_and(Option::is_some);
        match (on(&self.old), on(&self.new)) {
            (true, true) => "both",
            (true, false) => "old only",
            (false, true) => "new only",
            (false, false) => "neither",
        }
    }
}

impl SidePlan {
    fn new(compiled: &CompiledPolicy<'_>, options: &[String]) -> SidePlan {
        let paths: Vec<&str> = compiled.leaf_paths().collect();
        let leaf = |path: &str| paths.iter().position(|known| *known == path);
        let policy = compiled.policy();
        let field = |name: &str| policy.field(name).map(|(id, _)| id.index());
        SidePlan {
            leaves: paths.len(),
            eligible: leaf("eligible"),
            failed: leaf("failed_conditions"),
            band: leaf("band"),
            contract_year: leaf("contract_year"),
            options: options
                .iter()
                .map(|option| {
                    let at = |rest: &str| leaf(&format!("options.{option}.{rest}"));
                    Some(OptionLeaves {
                        open: at("open")?,
                        failed: at("failed_conditions"),
                        aid: [at("aid.year_1"), at("aid.year_2"), at("aid.year_3_and_after")],
                    })
                })
                .collect(),
            specialty: field("specialty"),
            zone: field("zone"),
            contract_option: field("contract_option"),
        }
    }
}
