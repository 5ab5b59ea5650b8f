//! Diagnostic codes, defined once: each code's stable name, its meaning and
//! its severity. The checker's diagnostics carry a [`Code`]; evaluation and
//! profile errors take their names from it; `avenant check --explain`
//! lists them from [`Code::VARIANTS`], and the fixture meta-test
//! (`tests/check_fixtures.rs`) walks the same list, so a code cannot be raised
//! without being listed, explained and tested.
//!
//! This module raises nothing and knows no other phase.

use strum::VariantArray;

use crate::check::Severity;

/// The phase that raises a code: the middle part of its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Syntax,
    Check,
    Eval,
    Profile,
}

impl Phase {
    pub const fn name(self) -> &'static str {
        match self {
            Phase::Syntax => "syntax",
            Phase::Check => "check",
            Phase::Eval => "eval",
            Phase::Profile => "profile",
        }
    }
}

/// Every diagnostic avenant can report. The names are stable: scripts read
/// them in `--error-format json` and in the rejected rows of a population.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, VariantArray)]
pub enum Code {
    /// The text does not follow the grammar of a policy.
    SyntaxInvalid,
    /// An amendment declares anew what the texts it amends define.
    AmendAlreadyDefined,
    /// Several texts of the directory have the name an amendment amends.
    AmendAmbiguousBase,
    /// Texts amend each other in a circle.
    AmendCycle,
    /// An amendment takes effect before the text it amends.
    AmendDateOrder,
    /// A table keyed by an enumeration has no row for a value an `amend enum` adds.
    AmendEnumMissingRow,
    /// The text an amendment names is not in its directory.
    AmendMissingBase,
    /// An amendment does not say when it takes effect.
    AmendMissingDate,
    /// A text that amends none uses `replace`, `remove` or `amend`.
    AmendNotAllowed,
    /// Two texts of one chain take effect on the same day.
    AmendSameDate,
    /// A replacement changes the type, index or columns of what it replaces.
    AmendTypeChanged,
    /// An amendment changes something the texts it amends do not define.
    AmendUnknownTarget,
    /// A bare value name belongs to several enumerations.
    AmbiguousName,
    /// Some values fall in no band.
    BandGap,
    /// Some values fall in two bands.
    BandOverlap,
    /// A condition is always true or always false.
    ConstantCondition,
    /// A definition depends on itself.
    Cycle,
    /// A `match` handles a value twice.
    DuplicateCase,
    /// A name is defined twice.
    DuplicateDefinition,
    /// An example names a field or output the policy does not have, or gives a value of the wrong kind.
    Example,
    /// A header field has the wrong kind of value, or is given twice.
    Header,
    /// A `match` leaves values unhandled.
    MatchNotExhaustive,
    /// A message quotes a value that depends on the profile.
    MessageValue,
    /// A definition given per value is read without saying which.
    MissingIndex,
    /// A rate is written below 0 % or above 100 %.
    RateOutOfRange,
    /// A number written without `%` stands where a rate is expected.
    RateWithoutPercent,
    /// An output takes a name the evaluation uses for itself.
    ReservedName,
    /// A table gives the same keys twice.
    TableDuplicateRow,
    /// A table leaves a combination of keys without a row.
    TableMissingRow,
    /// A table row has the wrong number of cells.
    TableShape,
    /// A table has more key combinations than a policy can list.
    TableTooLarge,
    /// Definitions given per value of an enumeration have too many values together.
    TooManySlots,
    /// A value is of the wrong type.
    TypeMismatch,
    /// An operation mixes units (euros with patients, say).
    UnitMismatch,
    /// An optional profile field is read where nothing guards it.
    UnguardedOptional,
    /// A name, value, column or function that is not defined.
    UnknownName,
    /// A type that is not defined.
    UnknownType,
    /// A share of a count is used as a count without rounding.
    UnroundedCount,
    /// A definition nothing reads.
    Unused,
    /// The wrong number of keys, indices or arguments.
    WrongArity,
    /// The profile lacks a field a rule needs.
    EvalMissingField,
    /// The policy gives no value for a table cell the profile reaches.
    NoValue,
    /// A value falls in no band: the bounds read for the profile are out of order.
    NoBand,
    /// A result is beyond the range of exact decimals.
    Overflow,
    /// `add_years` is given a number of years that is not whole.
    NotWholeYears,
    /// A division by zero.
    DivisionByZero,
    /// A bug in avenant: a checked policy should never reach this.
    Internal,
    /// A profile, or a row of a population, cannot be read as a document.
    Unreadable,
    /// A profile lacks a field the policy requires.
    ProfileMissingField,
    /// A profile gives a value of the wrong kind for a field.
    InvalidValue,
    /// A profile gives a field the policy does not have.
    UnknownField,
}

impl Code {
    /// The stable name: `avenant::check::band_gap`.
    pub const fn name(self) -> &'static str {
        match self {
            Code::SyntaxInvalid => "avenant::syntax::invalid",
            Code::AmendAlreadyDefined => "avenant::check::amend_already_defined",
            Code::AmendAmbiguousBase => "avenant::check::amend_ambiguous_base",
            Code::AmendCycle => "avenant::check::amend_cycle",
            Code::AmendDateOrder => "avenant::check::amend_date_order",
            Code::AmendEnumMissingRow => "avenant::check::amend_enum_missing_row",
            Code::AmendMissingBase => "avenant::check::amend_missing_base",
            Code::AmendMissingDate => "avenant::check::amend_missing_date",
            Code::AmendNotAllowed => "avenant::check::amend_not_allowed",
            Code::AmendSameDate => "avenant::check::amend_same_date",
            Code::AmendTypeChanged => "avenant::check::amend_type_changed",
            Code::AmendUnknownTarget => "avenant::check::amend_unknown_target",
            Code::AmbiguousName => "avenant::check::ambiguous_name",
            Code::BandGap => "avenant::check::band_gap",
            Code::BandOverlap => "avenant::check::band_overlap",
            Code::ConstantCondition => "avenant::check::constant_condition",
            Code::Cycle => "avenant::check::cycle",
            Code::DuplicateCase => "avenant::check::duplicate_case",
            Code::DuplicateDefinition => "avenant::check::duplicate_definition",
            Code::Example => "avenant::check::example",
            Code::Header => "avenant::check::header",
            Code::MatchNotExhaustive => "avenant::check::match_not_exhaustive",
            Code::MessageValue => "avenant::check::message_value",
            Code::MissingIndex => "avenant::check::missing_index",
            Code::RateOutOfRange => "avenant::check::rate_out_of_range",
            Code::RateWithoutPercent => "avenant::check::rate_without_percent",
            Code::ReservedName => "avenant::check::reserved_name",
            Code::TableDuplicateRow => "avenant::check::table_duplicate_row",
            Code::TableMissingRow => "avenant::check::table_missing_row",
            Code::TableShape => "avenant::check::table_shape",
            Code::TableTooLarge => "avenant::check::table_too_large",
            Code::TooManySlots => "avenant::check::too_many_slots",
            Code::TypeMismatch => "avenant::check::type_mismatch",
            Code::UnitMismatch => "avenant::check::unit_mismatch",
            Code::UnguardedOptional => "avenant::check::unguarded_optional",
            Code::UnknownName => "avenant::check::unknown_name",
            Code::UnknownType => "avenant::check::unknown_type",
            Code::UnroundedCount => "avenant::check::unrounded_count",
            Code::Unused => "avenant::check::unused",
            Code::WrongArity => "avenant::check::wrong_arity",
            Code::EvalMissingField => "avenant::eval::missing_field",
            Code::NoValue => "avenant::eval::no_value",
            Code::NoBand => "avenant::eval::no_band",
            Code::Overflow => "avenant::eval::overflow",
            Code::NotWholeYears => "avenant::eval::not_whole_years",
            Code::DivisionByZero => "avenant::eval::division_by_zero",
            Code::Internal => "avenant::eval::internal",
            Code::Unreadable => "avenant::profile::unreadable",
            Code::ProfileMissingField => "avenant::profile::missing_field",
            Code::InvalidValue => "avenant::profile::invalid_value",
            Code::UnknownField => "avenant::profile::unknown_field",
        }
    }

    /// The phase that raises it.
    pub const fn phase(self) -> Phase {
        match self {
            Code::SyntaxInvalid => Phase::Syntax,
            Code::AmendAlreadyDefined
            | Code::AmendAmbiguousBase
            | Code::AmendCycle
            | Code::AmendDateOrder
            | Code::AmendEnumMissingRow
            | Code::AmendMissingBase
            | Code::AmendMissingDate
            | Code::AmendNotAllowed
            | Code::AmendSameDate
            | Code::AmendTypeChanged
            | Code::AmendUnknownTarget
            | Code::AmbiguousName
            | Code::BandGap
            | Code::BandOverlap
            | Code::ConstantCondition
            | Code::Cycle
            | Code::DuplicateCase
            | Code::DuplicateDefinition
            | Code::Example
            | Code::Header
            | Code::MatchNotExhaustive
            | Code::MessageValue
            | Code::MissingIndex
            | Code::RateOutOfRange
            | Code::RateWithoutPercent
            | Code::ReservedName
            | Code::TableDuplicateRow
            | Code::TableMissingRow
            | Code::TableShape
            | Code::TableTooLarge
            | Code::TooManySlots
            | Code::TypeMismatch
            | Code::UnitMismatch
            | Code::UnguardedOptional
            | Code::UnknownName
            | Code::UnknownType
            | Code::UnroundedCount
            | Code::Unused
            | Code::WrongArity => Phase::Check,
            Code::EvalMissingField
            | Code::NoValue
            | Code::NoBand
            | Code::Overflow
            | Code::NotWholeYears
            | Code::DivisionByZero
            | Code::Internal => Phase::Eval,
            Code::Unreadable | Code::ProfileMissingField | Code::InvalidValue | Code::UnknownField => Phase::Profile,
        }
    }

    /// The last part of the name: `band_gap`, the name of its fixture.
    pub fn short_name(self) -> &'static str {
        let name = self.name();
        name.rsplit("::").next().unwrap_or(name)
    }

    /// What the code means, in a line.
    pub const fn meaning(self) -> &'static str {
        match self {
            Code::SyntaxInvalid => "the text does not follow the grammar of a policy",
            Code::AmendAlreadyDefined => "an amendment declares anew what the texts it amends define",
            Code::AmendAmbiguousBase => "several texts of the directory have the name an amendment amends",
            Code::AmendCycle => "texts amend each other in a circle",
            Code::AmendDateOrder => "an amendment takes effect before the text it amends",
            Code::AmendEnumMissingRow => "a table keyed by an enumeration has no row for a value an `amend enum` adds",
            Code::AmendMissingBase => "the text an amendment names is not in its directory",
            Code::AmendMissingDate => "an amendment does not say when it takes effect",
            Code::AmendNotAllowed => "a text that amends none uses `replace`, `remove` or `amend`",
            Code::AmendSameDate => "two texts of one chain take effect on the same day",
            Code::AmendTypeChanged => "a replacement changes the type, index or columns of what it replaces",
            Code::AmendUnknownTarget => "an amendment changes something the texts it amends do not define",
            Code::AmbiguousName => "a bare value name belongs to several enumerations",
            Code::BandGap => "some values fall in no band",
            Code::BandOverlap => "some values fall in two bands",
            Code::ConstantCondition => "a condition is always true or always false",
            Code::Cycle => "a definition depends on itself",
            Code::DuplicateCase => "a `match` handles a value twice",
            Code::DuplicateDefinition => "a name is defined twice",
            Code::Example => {
                "an example names a field or output the policy does not have, or gives a value of the wrong kind"
            }
            Code::Header => "a header field has the wrong kind of value, or is given twice",
            Code::MatchNotExhaustive => "a `match` leaves values unhandled",
            Code::MessageValue => "a message quotes a value that depends on the profile",
            Code::MissingIndex => "a definition given per value is read without saying which",
            Code::RateOutOfRange => "a rate is written below 0 % or above 100 %",
            Code::RateWithoutPercent => "a number written without `%` stands where a rate is expected",
            Code::ReservedName => "an output takes a name the evaluation uses for itself",
            Code::TableDuplicateRow => "a table gives the same keys twice",
            Code::TableMissingRow => "a table leaves a combination of keys without a row",
            Code::TableShape => "a table row has the wrong number of cells",
            Code::TableTooLarge => "a table has more key combinations than a policy can list",
            Code::TooManySlots => "definitions given per value of an enumeration have too many values together",
            Code::TypeMismatch => "a value is of the wrong type",
            Code::UnitMismatch => "an operation mixes units (euros with patients, say)",
            Code::UnguardedOptional => "an optional profile field is read where nothing guards it",
            Code::UnknownName => "a name, value, column or function that is not defined",
            Code::UnknownType => "a type that is not defined",
            Code::UnroundedCount => "a share of a count is used as a count without rounding",
            Code::Unused => "a definition nothing reads",
            Code::WrongArity => "the wrong number of keys, indices or arguments",
            Code::EvalMissingField => "the profile lacks a field a rule needs",
            Code::NoValue => "the policy gives no value for a table cell the profile reaches",
            Code::NoBand => "a value falls in no band: the bounds read for the profile are out of order",
            Code::Overflow => "a result is beyond the range of exact decimals",
            Code::NotWholeYears => "`add_years` is given a number of years that is not whole",
            Code::DivisionByZero => "a division by zero",
            Code::Internal => "a bug in avenant: a checked policy should never reach this",
            Code::Unreadable => "a profile, or a row of a population, cannot be read as a document",
            Code::ProfileMissingField => "a profile lacks a field the policy requires",
            Code::InvalidValue => "a profile gives a value of the wrong kind for a field",
            Code::UnknownField => "a profile gives a field the policy does not have",
        }
    }

    /// Whether the code stops a policy (an error) or only warns its author.
    pub const fn severity(self) -> Severity {
        match self {
            Code::ConstantCondition | Code::RateOutOfRange | Code::UnguardedOptional | Code::Unused => {
                Severity::Warning
            }
            Code::SyntaxInvalid
            | Code::AmendAlreadyDefined
            | Code::AmendAmbiguousBase
            | Code::AmendCycle
            | Code::AmendDateOrder
            | Code::AmendEnumMissingRow
            | Code::AmendMissingBase
            | Code::AmendMissingDate
            | Code::AmendNotAllowed
            | Code::AmendSameDate
            | Code::AmendTypeChanged
            | Code::AmendUnknownTarget
            | Code::AmbiguousName
            | Code::BandGap
            | Code::BandOverlap
            | Code::Cycle
            | Code::DuplicateCase
            | Code::DuplicateDefinition
            | Code::Example
            | Code::Header
            | Code::MatchNotExhaustive
            | Code::MessageValue
            | Code::MissingIndex
            | Code::RateWithoutPercent
            | Code::ReservedName
            | Code::TableDuplicateRow
            | Code::TableMissingRow
            | Code::TableShape
            | Code::TableTooLarge
            | Code::TooManySlots
            | Code::TypeMismatch
            | Code::UnitMismatch
            | Code::UnknownName
            | Code::UnknownType
            | Code::UnroundedCount
            | Code::WrongArity
            | Code::EvalMissingField
            | Code::NoValue
            | Code::NoBand
            | Code::Overflow
            | Code::NotWholeYears
            | Code::DivisionByZero
            | Code::Internal
            | Code::Unreadable
            | Code::ProfileMissingField
            | Code::InvalidValue
            | Code::UnknownField => Severity::Error,
        }
    }

    /// The code named `name`, whole (`avenant::check::band_gap`) or short
    /// (`band_gap`, when one phase alone has it).
    pub fn parse(name: &str) -> Option<Code> {
        let whole = Code::VARIANTS.iter().copied().find(|code| code.name() == name);
        whole.or_else(|| {
            let mut short = Code::VARIANTS.iter().copied().filter(|code| code.short_name() == name);
            match (short.next(), short.next()) {
                (Some(code), None) => Some(code),
                _ => None,
            }
        })
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use strum::VariantArray;

    use super::Code;

    #[test]
    fn names_are_distinct_and_follow_their_phase() {
        let names: HashSet<&str> = Code::VARIANTS.iter().map(|code| code.name()).collect();
        assert_eq!(names.len(), Code::VARIANTS.len());
        for code in Code::VARIANTS {
            assert_eq!(code.name(), format!("avenant::{}::{}", code.phase().name(), code.short_name()));
            assert_eq!(Code::parse(code.name()), Some(*code));
        }
        // `missing_field` is both a profile's and an evaluation's: only the whole name says which.
        assert_eq!(Code::parse("missing_field"), None);
        assert_eq!(Code::parse("band_gap"), Some(Code::BandGap));
    }
}
