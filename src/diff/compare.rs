//! One profile under both sides, read from what each side kept: eligibility,
//! each option open or not (not offered where a side lacks it), the
//! conditions that decided a move, the aid per year, whether a contract is
//! running. Never evaluates and never writes.

use rust_decimal::Decimal;

use super::plan::{Plan, SidePlan};
use super::side::Kept;
use crate::check::model::{CheckedPolicy, Value};
use crate::check::types::Type;
use crate::eval::compiled::CompiledPolicy;

/// What the conditions of a move are called when a side does not offer the option at all.
pub const NOT_OFFERED: &str = "(not offered)";

/// One side's outcome for one profile.
#[derive(Clone, Copy)]
pub(super) struct View<'a> {
    pub plan: &'a SidePlan,
    pub policy: &'a CheckedPolicy,
    pub values: &'a [Option<Value>],
    pub kept: &'a [Kept],
    pub arena: &'a str,
}

impl<'a> View<'a> {
    pub fn new(
        plan: &'a SidePlan,
        compiled: &CompiledPolicy<'a>,
        values: &'a [Option<Value>],
        kept: &'a [Kept],
        arena: &'a str,
    ) -> View<'a> {
        View { plan, policy: compiled.policy(), values, kept, arena }
    }

    pub fn leaf(&self, index: Option<usize>) -> Kept {
        index.and_then(|index| self.kept.get(index)).copied().unwrap_or(Kept::Null)
    }

    fn text(&self, start: u32, end: u32) -> &'a str {
        self.arena.get(start as usize..end as usize).unwrap_or("")
    }

    /// A kept text, or failed conditions one a line; empty for any other value.
    pub fn text_of(&self, value: Kept) -> &'a str {
        match value {
            Kept::Text(start, end) | Kept::Failures(start, end) => self.text(start, end),
            _ => "",
        }
    }

    pub fn eligible(&self) -> bool {
        self.leaf(self.plan.eligible) == Kept::Bool(true)
    }

    pub fn offers(&self, option: usize) -> bool {
        self.plan.options.get(option).is_some_and(Option::is_some)
    }

    pub fn open(&self, option: usize) -> bool {
        let leaves = self.plan.options.get(option).copied().flatten();
        leaves.is_some_and(|leaves| self.leaf(Some(leaves.open)) == Kept::Bool(true))
    }

    /// The names of the conditions that failed at `leaf`.
    pub fn failures(&self, leaf: Option<usize>) -> impl Iterator<Item = &'a str> + use<'a> {
        let text = match self.leaf(leaf) {
            Kept::Failures(start, end) => self.text(start, end),
            _ => "",
        };
        text.split('\n').filter(|name| !name.is_empty())
    }

    pub fn eligibility_failures(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.failures(self.plan.failed)
    }

    pub fn option_failures(&self, option: usize) -> impl Iterator<Item = &'a str> + use<'a> {
        let leaf = self.plan.options.get(option).copied().flatten().and_then(|leaves| leaves.failed);
        self.failures(leaf)
    }

    /// A text or enumeration output as text; empty where there is none.
    pub fn name(&self, leaf: Option<usize>) -> &'a str {
        match self.leaf(leaf) {
            Kept::Text(start, end) => self.text(start, end),
            _ => "",
        }
    }

    pub fn band(&self) -> &'a str {
        self.name(self.plan.band)
    }

    /// The contract year in progress, where the profile has a running contract.
    pub fn contract_year(&self) -> Option<Decimal> {
        match self.leaf(self.plan.contract_year) {
            Kept::Number(year) => Some(year),
            _ => None,
        }
    }

    /// A field holding an enumeration, by its value's name.
    pub fn field_name(&self, field: Option<usize>) -> Option<&'a str> {
        let field_def = self.policy.fields.get(field?)?;
        match (self.values.get(field?)?, field_def.ty) {
            (Some(Value::Enum(variant)), Type::Enum(id)) => Some(self.policy.enum_def(id).variant_name(*variant)),
            _ => None,
        }
    }

    /// The aid of `option` in contract year `year` (0: year 1, 1: year 2,
    /// 2: year 3 and after); nothing where the option is closed or not offered.
    pub fn aid(&self, option: usize, year: usize) -> Decimal {
        if !self.open(option) {
            return Decimal::ZERO;
        }
        let leaves = self.plan.options.get(option).copied().flatten();
        match self.leaf(leaves.and_then(|leaves| leaves.aid.get(year).copied().flatten())) {
            Kept::Number(aid) => aid,
            _ => Decimal::ZERO,
        }
    }
}

/// Which of the three amounts a contract year is paid: 0 for year 1 (and a contract still to sign).
pub(super) fn year_column(year: Option<Decimal>) -> usize {
    match year {
        Some(year) if year >= Decimal::from(3) => 2,
        Some(year) if year >= Decimal::TWO => 1,
        _ => 0,
    }
}

/// Whether two kept values are the same value: texts and failed conditions by their text.
pub(super) fn same(old: &View<'_>, old_value: Kept, new: &View<'_>, new_value: Kept) -> bool {
    match (old_value, new_value) {
        (Kept::Text(a, b), Kept::Text(c, d)) | (Kept::Failures(a, b), Kept::Failures(c, d)) => {
            old.text(a, b) == new.text(c, d)
        }
        (old_value, new_value) => old_value == new_value,
    }
}

/// One profile under both sides.
pub(super) struct Compared<'a> {
    pub plan: &'a Plan,
    pub old: View<'a>,
    pub new: View<'a>,
    /// Whether a contract is running, and on which option: read once, used by every option.
    running: bool,
    contract_option: Option<usize>,
}

impl<'a> Compared<'a> {
    pub fn new(plan: &'a Plan, old: View<'a>, new: View<'a>) -> Compared<'a> {
        let mut compared = Compared { plan, old, new, running: false, contract_option: None };
        // A contract is running where either side gives its contract year.
        compared.running = new.contract_year().is_some() || old.contract_year().is_some();
        let name = compared.field(plan.new.contract_option, plan.old.contract_option);
        compared.contract_option = name.and_then(|name| plan.options.iter().position(|option| option == name));
        compared
    }

    /// A field of the profile as the new side reads it, else as the old one does.
    pub fn field(&self, new: Option<usize>, old: Option<usize>) -> Option<&'a str> {
        self.new.field_name(new).or_else(|| self.old.field_name(old))
    }

    pub fn specialty(&self) -> Option<&'a str> {
        self.field(self.plan.new.specialty, self.plan.old.specialty)
    }

    pub fn zone(&self) -> Option<&'a str> {
        self.field(self.plan.new.zone, self.plan.old.zone)
    }

    /// The option of the profile's contract, among the comparison's options.
    pub fn contract_option(&self) -> Option<usize> {
        self.contract_option
    }

    pub fn contract_option_name(&self) -> &'a str {
        self.field(self.plan.new.contract_option, self.plan.old.contract_option).unwrap_or("")
    }

    pub fn running(&self) -> bool {
        self.running
    }

    /// The band under the new text, else under the old.
    pub fn band(&self) -> &'a str {
        match self.new.band() {
            "" => self.old.band(),
            band => band,
        }
    }

    /// The outputs whose value differs, by their place in the plan's list:
    /// one a side lacks is compared against nothing.
    pub fn changes(&self) -> impl Iterator<Item = (usize, Kept, Kept)> + use<'a> {
        let (old, new) = (self.old, self.new);
        self.plan.compared.iter().enumerate().filter_map(move |(index, (path, old_leaf, new_leaf))| {
            // Not offered is not open: an option's `open` on the side that lacks it is `false`.
            let absent = |leaf: &Option<usize>| match leaf {
                None if path.ends_with(".open") => Kept::Bool(false),
                _ => Kept::Null,
            };
            let old_value = old_leaf.map_or(absent(old_leaf), |leaf| old.leaf(Some(leaf)));
            let new_value = new_leaf.map_or(absent(new_leaf), |leaf| new.leaf(Some(leaf)));
            (!same(&old, old_value, &new, new_value)).then_some((index, old_value, new_value))
        })
    }

    /// The aid each side pays for `option`: a running contract its own
    /// option in the year in progress, a new contract year 1 of each option.
    pub fn aid(&self, option: usize) -> (Decimal, Decimal) {
        if self.running() {
            if self.contract_option() != Some(option) {
                return (Decimal::ZERO, Decimal::ZERO);
            }
            let year = |view: &View<'_>| year_column(view.contract_year());
            return (self.old.aid(option, year(&self.old)), self.new.aid(option, year(&self.new)));
        }
        (self.old.aid(option, 0), self.new.aid(option, 0))
    }

    /// The conditions that decided a move of eligibility: for a loss, those
    /// failing under the new text; for a gain, those that failed under the old.
    pub fn eligibility_deciders(&self) -> (Vec<&'a str>, Vec<&'a str>) {
        match (self.old.eligible(), self.new.eligible()) {
            (true, false) => (Vec::new(), self.new.eligibility_failures().collect()),
            (false, true) => (self.old.eligibility_failures().collect(), Vec::new()),
            _ => (Vec::new(), Vec::new()),
        }
    }

    /// The same for option `option`: `(gained by, lost by)`.
    pub fn option_deciders(&self, option: usize) -> (Vec<&'a str>, Vec<&'a str>) {
        let deciders = |view: &View<'a>| match view.offers(option) {
            true => view.option_failures(option).collect(),
            false => vec![NOT_OFFERED],
        };
        match (self.old.open(option), self.new.open(option)) {
            (true, false) => (Vec::new(), deciders(&self.new)),
            (false, true) => (deciders(&self.old), Vec::new()),
            _ => (Vec::new(), Vec::new()),
        }
    }
}
