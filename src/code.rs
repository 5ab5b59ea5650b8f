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
    /// Writing outcomes as Arrow columns (Parquet, the Python package).
    Arrow,
}

impl Phase {
    pub const fn name(self) -> &'static str {
        match self {
            Phase::Syntax => "syntax",
            Phase::Check => "check",
            Phase::Eval => "eval",
            Phase::Profile => "profile",
            Phase::Arrow => "arrow",
        }
    }
}

/// Every diagnostic avenant can report. The names are stable: scripts read
/// them in `--error-format json` and in the rejected rows of a population.
/// What each means is in its row of the table below (`avenant check
/// --explain` prints it), written once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, VariantArray)]
pub enum Code {
    SyntaxInvalid,
    AmendAlreadyDefined,
    AmendAmbiguousBase,
    AmendCycle,
    AmendDateOrder,
    AmendEnumMissingRow,
    AmendMissingBase,
    AmendMissingDate,
    AmendNotAllowed,
    AmendSameDate,
    AmendTypeChanged,
    AmendUnknownTarget,
    AmbiguousName,
    BandGap,
    BandOverlap,
    ConstantCondition,
    Cycle,
    DuplicateCase,
    DuplicateDefinition,
    Example,
    Header,
    MatchNotExhaustive,
    MessageValue,
    MissingIndex,
    RateOutOfRange,
    RateWithoutPercent,
    ReservedName,
    TableDuplicateRow,
    TableMissingRow,
    TableShape,
    TableTooLarge,
    TooManySlots,
    TypeMismatch,
    UnitMismatch,
    UnguardedOptional,
    UnknownName,
    UnknownType,
    UnroundedCount,
    Unused,
    WrongArity,
    EvalMissingField,
    NoValue,
    NoBand,
    Overflow,
    NotWholeYears,
    DivisionByZero,
    Internal,
    Unreadable,
    ProfileMissingField,
    InvalidValue,
    UnknownField,
    Inexact,
}

impl Code {
    /// The table every property of a code is read from: its phase, stable
    /// name, severity and meaning, one row per code.
    const fn row(self) -> (Phase, &'static str, Severity, &'static str) {
        match self {
            Code::SyntaxInvalid => (
                Phase::Syntax,
                "avenant::syntax::invalid",
                Severity::Error,
                "the text does not follow the grammar of a policy",
            ),
            Code::AmendAlreadyDefined => (
                Phase::Check,
                "avenant::check::amend_already_defined",
                Severity::Error,
                "an amendment declares anew what the texts it amends define",
            ),
            Code::AmendAmbiguousBase => (
                Phase::Check,
                "avenant::check::amend_ambiguous_base",
                Severity::Error,
                "several texts of the directory have the name an amendment amends",
            ),
            Code::AmendCycle => {
                (Phase::Check, "avenant::check::amend_cycle", Severity::Error, "texts amend each other in a circle")
            }
            Code::AmendDateOrder => (
                Phase::Check,
                "avenant::check::amend_date_order",
                Severity::Error,
                "an amendment takes effect before the text it amends",
            ),
            Code::AmendEnumMissingRow => (
                Phase::Check,
                "avenant::check::amend_enum_missing_row",
                Severity::Error,
                "a table keyed by an enumeration has no row for a value an `amend enum` adds",
            ),
            Code::AmendMissingBase => (
                Phase::Check,
                "avenant::check::amend_missing_base",
                Severity::Error,
                "the text an amendment names is not in its directory",
            ),
            Code::AmendMissingDate => (
                Phase::Check,
                "avenant::check::amend_missing_date",
                Severity::Error,
                "an amendment does not say when it takes effect",
            ),
            Code::AmendNotAllowed => (
                Phase::Check,
                "avenant::check::amend_not_allowed",
                Severity::Error,
                "a text that amends none uses `replace`, `remove` or `amend`",
            ),
            Code::AmendSameDate => (
                Phase::Check,
                "avenant::check::amend_same_date",
                Severity::Error,
                "two texts of one chain take effect on the same day",
            ),
            Code::AmendTypeChanged => (
                Phase::Check,
                "avenant::check::amend_type_changed",
                Severity::Error,
                "a replacement changes the type, index or columns of what it replaces",
            ),
            Code::AmendUnknownTarget => (
                Phase::Check,
                "avenant::check::amend_unknown_target",
                Severity::Error,
                "an amendment changes something the texts it amends do not define",
            ),
            Code::AmbiguousName => (
                Phase::Check,
                "avenant::check::ambiguous_name",
                Severity::Error,
                "a bare value name belongs to several enumerations",
            ),
            Code::BandGap => (Phase::Check, "avenant::check::band_gap", Severity::Error, "some values fall in no band"),
            Code::BandOverlap => {
                (Phase::Check, "avenant::check::band_overlap", Severity::Error, "some values fall in two bands")
            }
            Code::ConstantCondition => (
                Phase::Check,
                "avenant::check::constant_condition",
                Severity::Warning,
                "a condition is always true or always false",
            ),
            Code::Cycle => (Phase::Check, "avenant::check::cycle", Severity::Error, "a definition depends on itself"),
            Code::DuplicateCase => {
                (Phase::Check, "avenant::check::duplicate_case", Severity::Error, "a `match` handles a value twice")
            }
            Code::DuplicateDefinition => {
                (Phase::Check, "avenant::check::duplicate_definition", Severity::Error, "a name is defined twice")
            }
            Code::Example => (
                Phase::Check,
                "avenant::check::example",
                Severity::Error,
                "an example names a field or output the policy does not have, or gives a value of the wrong kind",
            ),
            Code::Header => (
                Phase::Check,
                "avenant::check::header",
                Severity::Error,
                "a header field has the wrong kind of value, or is given twice",
            ),
            Code::MatchNotExhaustive => (
                Phase::Check,
                "avenant::check::match_not_exhaustive",
                Severity::Error,
                "a `match` leaves values unhandled",
            ),
            Code::MessageValue => (
                Phase::Check,
                "avenant::check::message_value",
                Severity::Error,
                "a message quotes a value that depends on the profile",
            ),
            Code::MissingIndex => (
                Phase::Check,
                "avenant::check::missing_index",
                Severity::Error,
                "a definition given per value is read without saying which",
            ),
            Code::RateOutOfRange => (
                Phase::Check,
                "avenant::check::rate_out_of_range",
                Severity::Warning,
                "a rate is written below 0 % or above 100 %",
            ),
            Code::RateWithoutPercent => (
                Phase::Check,
                "avenant::check::rate_without_percent",
                Severity::Error,
                "a number written without `%` stands where a rate is expected",
            ),
            Code::ReservedName => (
                Phase::Check,
                "avenant::check::reserved_name",
                Severity::Error,
                "an output takes a name the evaluation uses for itself",
            ),
            Code::TableDuplicateRow => (
                Phase::Check,
                "avenant::check::table_duplicate_row",
                Severity::Error,
                "a table gives the same keys twice",
            ),
            Code::TableMissingRow => (
                Phase::Check,
                "avenant::check::table_missing_row",
                Severity::Error,
                "a table leaves a combination of keys without a row",
            ),
            Code::TableShape => (
                Phase::Check,
                "avenant::check::table_shape",
                Severity::Error,
                "a table row has the wrong number of cells",
            ),
            Code::TableTooLarge => (
                Phase::Check,
                "avenant::check::table_too_large",
                Severity::Error,
                "a table has more key combinations than a policy can list",
            ),
            Code::TooManySlots => (
                Phase::Check,
                "avenant::check::too_many_slots",
                Severity::Error,
                "definitions given per value of an enumeration have too many values together",
            ),
            Code::TypeMismatch => {
                (Phase::Check, "avenant::check::type_mismatch", Severity::Error, "a value is of the wrong type")
            }
            Code::UnitMismatch => (
                Phase::Check,
                "avenant::check::unit_mismatch",
                Severity::Error,
                "an operation mixes units (euros with patients, say)",
            ),
            Code::UnguardedOptional => (
                Phase::Check,
                "avenant::check::unguarded_optional",
                Severity::Warning,
                "an optional profile field is read where nothing guards it",
            ),
            Code::UnknownName => (
                Phase::Check,
                "avenant::check::unknown_name",
                Severity::Error,
                "a name, value, column or function that is not defined",
            ),
            Code::UnknownType => {
                (Phase::Check, "avenant::check::unknown_type", Severity::Error, "a type that is not defined")
            }
            Code::UnroundedCount => (
                Phase::Check,
                "avenant::check::unrounded_count",
                Severity::Error,
                "a share of a count is used as a count without rounding",
            ),
            Code::Unused => (Phase::Check, "avenant::check::unused", Severity::Warning, "a definition nothing reads"),
            Code::WrongArity => (
                Phase::Check,
                "avenant::check::wrong_arity",
                Severity::Error,
                "the wrong number of keys, indices or arguments",
            ),
            Code::EvalMissingField => {
                (Phase::Eval, "avenant::eval::missing_field", Severity::Error, "the profile lacks a field a rule needs")
            }
            Code::NoValue => (
                Phase::Eval,
                "avenant::eval::no_value",
                Severity::Error,
                "the policy gives no value for a table cell the profile reaches",
            ),
            Code::NoBand => (
                Phase::Eval,
                "avenant::eval::no_band",
                Severity::Error,
                "a value falls in no band: the bounds read for the profile are out of order",
            ),
            Code::Overflow => (
                Phase::Eval,
                "avenant::eval::overflow",
                Severity::Error,
                "a result is beyond the range of exact decimals",
            ),
            Code::NotWholeYears => (
                Phase::Eval,
                "avenant::eval::not_whole_years",
                Severity::Error,
                "`add_years` is given a number of years that is not whole",
            ),
            Code::DivisionByZero => {
                (Phase::Eval, "avenant::eval::division_by_zero", Severity::Error, "a division by zero")
            }
            Code::Internal => (
                Phase::Eval,
                "avenant::eval::internal",
                Severity::Error,
                "a bug in avenant: a checked policy should never reach this",
            ),
            Code::Unreadable => (
                Phase::Profile,
                "avenant::profile::unreadable",
                Severity::Error,
                "a profile, or a row of a population, cannot be read as a document",
            ),
            Code::ProfileMissingField => (
                Phase::Profile,
                "avenant::profile::missing_field",
                Severity::Error,
                "a profile lacks a field the policy requires",
            ),
            Code::InvalidValue => (
                Phase::Profile,
                "avenant::profile::invalid_value",
                Severity::Error,
                "a profile gives a value of the wrong kind for a field",
            ),
            Code::UnknownField => (
                Phase::Profile,
                "avenant::profile::unknown_field",
                Severity::Error,
                "a profile gives a field the policy does not have",
            ),
            Code::Inexact => (
                Phase::Arrow,
                "avenant::arrow::inexact",
                Severity::Error,
                "an outcome has a number its typed column cannot hold exactly: the row is rejected, never rounded",
            ),
        }
    }

    /// The stable name: `avenant::check::band_gap`.
    pub const fn name(self) -> &'static str {
        self.row().1
    }

    /// The phase that raises it.
    pub const fn phase(self) -> Phase {
        self.row().0
    }

    /// Whether the code stops a policy (an error) or only warns its author.
    pub const fn severity(self) -> Severity {
        self.row().2
    }

    /// The last part of the name: `band_gap`, the name of its fixture.
    pub fn short_name(self) -> &'static str {
        let name = self.name();
        name.rsplit("::").next().unwrap_or(name)
    }

    /// What the code means, in a line.
    pub const fn meaning(self) -> &'static str {
        self.row().3
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
