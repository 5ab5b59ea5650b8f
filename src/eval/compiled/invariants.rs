//! What a compiled policy's program must be for its evaluators to be right,
//! checked once when it is generated, so that the loops that run it per
//! profile need not doubt it: every register, definition, slot, table,
//! list, output value and jump target an instruction names is in range;
//! every jump goes forward (the lanes run instructions in order); no
//! instruction reads the register it writes (the lanes swap a register's
//! row out while they compute it); every output value is written by one
//! instruction; every buffer the evaluators size from the policy holds what
//! the instructions index in it. A program that breaks one is never run:
//! [`CompiledPolicy::evaluate`] fails with an internal error for every
//! profile, and the lanes set every profile aside to it.
//!
//! A checked policy never breaks one; these checks are for the compiler's
//! own mistakes, which must be loud rather than a stale value in a lane.

use super::code::{Ins, Program, UNSET};
use super::{CompiledPolicy, Fast, NodeId, Op, PlanNode, TEXT_FIELD};
use crate::check::types::Type;

/// Checks the program of `compiled` and the tables it refers to; the first invariant broken.
pub(super) fn check(compiled: &CompiledPolicy<'_>) -> Result<(), &'static str> {
    sizes(compiled)?;
    definitions(compiled)?;
    constants(compiled)?;
    entries(compiled)?;
    outputs(compiled)?;
    let program = &compiled.program;
    for (at, ins) in program.code.iter().enumerate() {
        instruction(compiled, at, ins)?;
    }
    Ok(())
}

fn require(holds: bool, what: &'static str) -> Result<(), &'static str> {
    if holds { Ok(()) } else { Err(what) }
}

/// Whatever is numbered by a `u32` or `u16` somewhere fits it.
fn sizes(compiled: &CompiledPolicy<'_>) -> Result<(), &'static str> {
    let fits = |count: usize| u32::try_from(count).is_ok_and(|count| count < u32::MAX);
    require(fits(compiled.constants.len() + compiled.nodes.len()), "more numbers than a place can name")?;
    // `UNSET` is no instruction.
    require(fits(compiled.program.code.len()), "more instructions than a jump can name")?;
    require(fits(compiled.slot_sets.len()) && fits(compiled.rule_slots), "more slots than a `u32` can name")?;
    require(compiled.tables.len() <= usize::from(u16::MAX), "more tables than a row value can name")?;
    require(compiled.types.len() == compiled.nodes.len(), "a node without a type")
}

/// Definitions, tables and condition sets are consistent with the buffers sized from them.
fn definitions(compiled: &CompiledPolicy<'_>) -> Result<(), &'static str> {
    let assumption = |assumption: Option<u32>| assumption.is_none_or(|id| (id as usize) < compiled.assumptions.len());
    let mut slots = 0;
    for rule in &compiled.rules {
        require(rule.memo_offset == slots && !rule.bodies.is_empty(), "a rule's slots out of place")?;
        require(assumption(rule.assumption), "a rule's assumption out of range")?;
        slots += rule.bodies.len();
    }
    require(slots == compiled.rule_slots, "rule slots miscounted")?;
    for bands in &compiled.bands {
        require(bands.bands.len() <= usize::from(u16::MAX), "more bands than a value can name")?;
        require(bands.bands.iter().all(|band| assumption(band.assumption)), "a band's assumption out of range")?;
    }
    for table in &compiled.tables {
        let rows = table.key_sizes.iter().try_fold(1usize, |rows, size| rows.checked_mul(*size));
        let cells = rows.and_then(|rows| rows.checked_mul(table.columns));
        require(cells == Some(table.cells.len()), "a table's cells miscounted")?;
        let relied = table.cells.iter().flatten().all(|cell| assumption(cell.assumption));
        require(relied, "a cell's assumption out of range")?;
    }
    for (id, set) in (0u32..).zip(&compiled.sets) {
        require(set.conditions.len() <= set.words_per_slot * 64, "a set's failures overflow their words")?;
        let conditions_relied = set.conditions.iter().all(|condition| assumption(condition.assumption));
        require(conditions_relied, "a condition's assumption out of range")?;
        for (slot, _) in (0u32..).zip(&compiled.slot_sets).filter(|(_, owner)| **owner == id) {
            require(slot as usize >= set.memo_offset, "a set's slot before its first")?;
            require(set.words(slot).end <= compiled.failure_words, "a set's failures out of range")?;
        }
    }
    require(compiled.slot_sets.iter().all(|set| (*set as usize) < compiled.sets.len()), "a slot of no set")?;
    let keys = compiled.assumptions.iter().all(|assumption| (assumption.key as usize) < compiled.assumption_keys);
    require(keys, "an assumption's place out of range")
}

/// Constants name numbers and texts that exist; nodes' operands are nodes.
fn constants(compiled: &CompiledPolicy<'_>) -> Result<(), &'static str> {
    let known = |value: &Fast| match *value {
        Fast::Decimal(place) => (place as usize) < compiled.constants.len(),
        Fast::Text(text) if text & TEXT_FIELD == 0 => (text as usize) < compiled.texts.len(),
        _ => true,
    };
    for node in &compiled.nodes {
        match &node.op {
            Op::Const(value) => require(known(value), "a constant out of range")?,
            Op::Param { value, assumption, .. } | Op::CellConst { value, assumption, .. } => {
                require(known(value), "a constant out of range")?;
                let relied = assumption.is_none_or(|id| (id as usize) < compiled.assumptions.len());
                require(relied, "an assumption out of range")?;
            }
            _ => {}
        }
    }
    let cells = compiled.tables.iter().flat_map(|table| table.cells.iter().flatten());
    require(cells.map(|cell| &cell.value).all(known), "a cell's value out of range")
}

/// Every definition's code starts in the program, and its value is a register.
fn entries(compiled: &CompiledPolicy<'_>) -> Result<(), &'static str> {
    let program = &compiled.program;
    let code = |entries: &[u32], count: usize| {
        entries.len() == count && entries.iter().all(|entry| (*entry as usize) < program.code.len())
    };
    require(code(&program.rule_entries, compiled.rule_slots), "a rule slot with no code")?;
    require(code(&program.band_entries, compiled.bands.len()), "a set of bands with no code")?;
    require(code(&program.set_entries, compiled.slot_sets.len()), "a condition set's slot with no code")?;
    let values = program.rule_values.iter().all(|register| (*register as usize) < compiled.nodes.len());
    require(values && program.rule_values.len() == compiled.rule_slots, "a rule slot's value in no register")
}

/// Every output value and group is numbered in range, and every output value written once.
fn outputs(compiled: &CompiledPolicy<'_>) -> Result<(), &'static str> {
    fn plan(compiled: &CompiledPolicy<'_>, node: &PlanNode) -> Result<(), &'static str> {
        match node {
            PlanNode::Value { leaf, .. } => {
                require((*leaf as usize) < compiled.leaves.len(), "an output value out of range")
            }
            PlanNode::Group { fields, group, .. } => {
                require(*group < compiled.groups, "an output group out of range")?;
                fields.iter().try_for_each(|(_, field)| plan(compiled, field))
            }
        }
    }
    for output in &compiled.outputs {
        output.instances.iter().try_for_each(|(_, node)| plan(compiled, node))?;
    }
    let mut written = vec![0usize; compiled.leaves.len()];
    for ins in &compiled.program.code {
        if let Ins::Leaf { leaf, .. } = ins {
            let count = written.get_mut(*leaf as usize).ok_or("an output value out of range")?;
            *count += 1;
        }
    }
    require(written.iter().all(|count| *count == 1), "an output value not written exactly once")
}

/// One instruction: what it names is in range, it jumps forward, it does not read what it writes.
fn instruction(compiled: &CompiledPolicy<'_>, at: usize, ins: &Ins) -> Result<(), &'static str> {
    let program: &Program = &compiled.program;
    let nodes = compiled.nodes.len();
    let mut reads_ok = true;
    let mut reads = Vec::new();
    let written = ins.registers(program, &mut |register| match register {
        Some(register) => reads.push(register),
        None => reads_ok = false,
    });
    require(reads_ok, "an instruction's list out of range")?;
    require(reads.iter().all(|register| (*register as usize) < nodes), "an instruction reads no register")?;
    if let Some(written) = written {
        require((written as usize) < nodes, "an instruction writes no register")?;
        require(!reads.contains(&written), "an instruction reads the register it writes")?;
    }
    comparisons(compiled, ins)?;
    let forward = |to: u32| to != UNSET && (to as usize) > at && (to as usize) < program.code.len();
    if let Some(to) = { *ins }.target_mut() {
        require(forward(*to), "a jump that does not go forward inside the program")?;
    }
    let fields = compiled.policy.fields.len();
    let slot_sets = compiled.slot_sets.len();
    let in_range = match *ins {
        Ins::Field { at, field, .. } => (at as usize) < nodes && (field as usize) < fields,
        Ins::Given { field, .. } => (field as usize) < fields,
        Ins::Read { node } => matches!(
            compiled.nodes.get(node as usize).map(|node| &node.op),
            Some(Op::Param { .. } | Op::CellConst { .. })
        ),
        Ins::Rule { slot } => (slot as usize) < compiled.rule_slots,
        Ins::RuleAt { rule, .. } => (rule as usize) < compiled.rules.len(),
        Ins::Band { bands, .. } | Ins::NoBand { bands, .. } => (bands as usize) < compiled.bands.len(),
        Ins::Conditions { slot, .. } | Ins::EndConditions { slot } => (slot as usize) < slot_sets,
        Ins::ConditionsAt { set, .. } => (set as usize) < compiled.sets.len(),
        Ins::Cell { table, keys, column, .. } => compiled.tables.get(table as usize).is_some_and(|definition| {
            (column as usize) < definition.columns && keys.len as usize == definition.key_sizes.len()
        }),
        Ins::TableRow { table, keys, .. } => compiled
            .tables
            .get(table as usize)
            .is_some_and(|definition| keys.len as usize == definition.key_sizes.len()),
        Ins::Switch { arms, .. } => {
            program.operands(arms).is_some_and(|targets| targets.iter().all(|to| *to == UNSET || forward(*to)))
        }
        Ins::MinMax { values, .. } => values.len > 0,
        Ins::EndRule { rule, slot } => compiled.rules.get(rule as usize).is_some_and(|definition| {
            (slot as usize) >= definition.memo_offset
                && (slot as usize) < definition.memo_offset + definition.bodies.len()
        }),
        Ins::EndBand { bands, band } => {
            compiled.bands.get(bands as usize).is_some_and(|definition| (band as usize) < definition.bands.len())
        }
        Ins::Condition { set, slot, position, .. } => {
            compiled.slot_sets.get(slot as usize) == Some(&set)
                && compiled.sets.get(set as usize).is_some_and(|set| (position as usize) < set.conditions.len())
        }
        Ins::Leaf { leaf, .. } => (leaf as usize) < compiled.leaves.len(),
        Ins::Group { group } => group < compiled.groups,
        Ins::Certainty { output } => (output as usize) < compiled.outputs.len(),
        _ => true,
    };
    require(in_range, "an instruction names something out of range")
}

/// What an instruction orders is of one kind (numbers of any unit are one kind):
/// the evaluators' comparisons never meet values they cannot order.
fn comparisons(compiled: &CompiledPolicy<'_>, ins: &Ins) -> Result<(), &'static str> {
    let ty = |register: NodeId| compiled.types.get(register as usize).copied();
    let comparable = |a: NodeId, b: NodeId| match (ty(a), ty(b)) {
        (Some(a), Some(b)) => {
            (a.is_numeric() && b.is_numeric())
                || (a == b && matches!(a, Type::Bool | Type::Date | Type::Text | Type::Enum(_)))
        }
        _ => false,
    };
    let holds = match *ins {
        Ins::Compare { left, right, .. } => comparable(left, right),
        Ins::InItem { value, item, .. } => comparable(value, item),
        Ins::Bound { over, limit, .. } => comparable(over, limit),
        Ins::MinMax { values, .. } => compiled.program.operands(values).is_some_and(|values| {
            values.first().is_some_and(|first| values.iter().all(|value| comparable(*first, *value)))
        }),
        Ins::Switch { scrutinee, .. }
        | Ins::RuleAt { index: scrutinee, .. }
        | Ins::ConditionsAt { index: scrutinee, .. } => {
            matches!(ty(scrutinee), Some(Type::Enum(_)))
        }
        _ => true,
    };
    require(holds, "values of different kinds compared")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(loaded: &crate::Loaded) -> CompiledPolicy<'_> {
        CompiledPolicy::new(&loaded.policy)
    }

    fn loaded() -> Result<crate::Loaded, Box<dyn std::error::Error>> {
        Ok(crate::load_text(std::path::Path::new("policies/avenant-7.policy"))?)
    }

    /// The shipped policies keep every invariant.
    #[test]
    fn the_shipped_policies_keep_every_invariant() -> Result<(), Box<dyn std::error::Error>> {
        for name in ["avenant-7", "reglement-arbitral-2023", "convention-2024"] {
            let loaded = crate::load_text(std::path::Path::new(&format!("policies/{name}.policy")))?;
            let compiled = compiled(&loaded);
            assert_eq!(compiled.program.broken, None, "{name}");
            assert_eq!(check(&compiled), Ok(()), "{name}");
        }
        Ok(())
    }

    /// The first instruction that computes from another register, made to read its own.
    fn reading_its_own_register(program: &mut Program) -> Option<()> {
        program.code.iter_mut().find_map(|ins| match ins {
            Ins::Arith { dst, left, .. } | Ins::Compare { dst, left, .. } => {
                *left = *dst;
                Some(())
            }
            _ => None,
        })
    }

    #[test]
    fn an_instruction_reading_its_own_register_is_refused() -> Result<(), Box<dyn std::error::Error>> {
        let loaded = loaded()?;
        let mut compiled = compiled(&loaded);
        reading_its_own_register(&mut compiled.program).ok_or("no arithmetic or comparison")?;
        assert_eq!(check(&compiled), Err("an instruction reads the register it writes"));
        Ok(())
    }

    #[test]
    fn a_backward_or_unset_jump_is_refused() -> Result<(), Box<dyn std::error::Error>> {
        let loaded = loaded()?;
        for backward in [true, false] {
            let mut compiled = compiled(&loaded);
            let (at, to) = compiled
                .program
                .code
                .iter_mut()
                .enumerate()
                .find_map(|(at, ins)| ins.target_mut().map(|to| (at, to)))
                .ok_or("no jump")?;
            // To itself (the lanes would never come back to it), or never landed.
            *to = if backward { u32::try_from(at)? } else { UNSET };
            assert_eq!(check(&compiled), Err("a jump that does not go forward inside the program"));
        }
        Ok(())
    }

    #[test]
    fn registers_and_slots_out_of_range_are_refused() -> Result<(), Box<dyn std::error::Error>> {
        let loaded = loaded()?;
        let mut compiled = compiled(&loaded);
        let nodes = crate::check::model::id_from(compiled.nodes.len());
        let leaf = compiled.program.code.iter_mut().find_map(|ins| match ins {
            Ins::Leaf { src, .. } => Some(src),
            _ => None,
        });
        *leaf.ok_or("no output value")? = nodes;
        assert_eq!(check(&compiled), Err("an instruction reads no register"));

        let mut compiled = self::compiled(&loaded);
        let rule = compiled.program.code.iter_mut().find_map(|ins| match ins {
            Ins::Rule { slot } => Some(slot),
            _ => None,
        });
        *rule.ok_or("no rule called")? = crate::check::model::id_from(compiled.rule_slots);
        assert_eq!(check(&compiled), Err("an instruction names something out of range"));

        let mut compiled = self::compiled(&loaded);
        compiled.program.rule_entries.pop();
        assert_eq!(check(&compiled), Err("a rule slot with no code"));
        Ok(())
    }

    /// Doctors whose profiles reach the comparisons of the 2019 text, more than a batch of lanes.
    fn profiles(policy: &crate::CheckedPolicy) -> Result<Vec<crate::Profile>, Box<dyn std::error::Error>> {
        (0..70)
            .map(|doctor| {
                let text = format!(
                    r#"{{"specialty": "medecine_generale", "sector": "secteur_1", "zone": "zip",
                        "grouped_practice": true, "coordinated_practice": true,
                        "patientele_mt": {}, "file_active": 1300}}"#,
                    500 + doctor * 40
                );
                let input = crate::ProfileInput::parse(std::path::Path::new("dr.json"), &text)?;
                crate::Profile::validate(policy, &input).map_err(|errors| format!("{errors:?}").into())
            })
            .collect()
    }

    /// Every profile's answer, both ways: one at a time, and many at a time.
    fn answers(compiled: &CompiledPolicy<'_>, profiles: &[crate::Profile]) -> Vec<Result<(), &'static str>> {
        let on = jiff::civil::date(2022, 6, 1);
        let rows: Vec<_> = profiles.iter().map(crate::Profile::values).collect();
        let mut scratch = compiled.scratch();
        let mut answers: Vec<_> =
            rows.iter().map(|row| compiled.evaluate(row, on, &mut scratch).map_err(|error| error.code())).collect();
        let (mut lanes, mut many) = (compiled.lanes(), compiled.scratch());
        compiled.evaluate_each(&rows, on, &mut lanes, &mut many, |_, outcome| {
            answers.push(outcome.map(drop).map_err(|error| error.code()));
        });
        answers
    }

    /// A program that breaks an invariant never runs: every profile fails with an internal error, both ways.
    #[test]
    fn a_broken_program_fails_every_profile_loudly() -> Result<(), Box<dyn std::error::Error>> {
        let loaded = loaded()?;
        let profiles = profiles(&loaded.policy)?;
        let healthy = compiled(&loaded);
        assert!(answers(&healthy, &profiles).iter().all(Result::is_ok));
        let mut compiled = CompiledPolicy::new(&loaded.policy);
        reading_its_own_register(&mut compiled.program).ok_or("no arithmetic or comparison")?;
        compiled.program.broken = check(&compiled).err();
        let answers = answers(&compiled, &profiles);
        assert_eq!(answers.len(), 2 * profiles.len());
        assert!(answers.iter().all(|answer| *answer == Err(crate::code::Code::Internal.name())), "{answers:?}");
        Ok(())
    }

    /// An outcome read where the evaluation wrote nothing (a number by a
    /// place it never filled, a leaf of another kind) is the row's internal
    /// error, and the CSV row is left unwritten: never an empty cell that
    /// reads as "does not apply".
    #[test]
    fn a_leaf_the_evaluation_did_not_write_is_an_internal_error() -> Result<(), Box<dyn std::error::Error>> {
        let loaded = loaded()?;
        let profiles = profiles(&loaded.policy)?;
        let compiled = compiled(&loaded);
        let values = profiles.first().ok_or("no profile")?.values();
        let mut scratch = compiled.scratch();
        compiled.evaluate(values, jiff::civil::date(2022, 6, 1), &mut scratch)?;
        let internal = |result: Result<(), crate::EvalError>| result.err().map(|error| error.code());
        assert_eq!(
            internal(crate::output::csv::row(&compiled, (&scratch).into(), values, 1, None, &mut Vec::new())),
            None
        );
        // A value written, of a kind an enumeration's variant is not.
        let written = (0..scratch.leaves.len())
            .find(|&leaf| {
                matches!(scratch.leaves.get(leaf), Some(Some(_)))
                    && compiled.leaves.get(leaf).is_some_and(|leaf| !matches!(leaf.ty, Type::Enum(_)))
            })
            .ok_or("no output written")?;
        for broken in [Fast::Decimal(u32::MAX), Fast::Row { table: 0, row: 0 }, Fast::Enum(0)] {
            let mut scratch = scratch.clone();
            *scratch.leaves.get_mut(written).ok_or("no such leaf")? = Some(broken);
            let leaf = compiled.leaf(&scratch, values, written).map(drop);
            assert_eq!(internal(leaf), Some(crate::code::Code::Internal.name()), "{broken:?}");
            assert_eq!(
                internal(compiled.outcome(&scratch, values).map(drop)),
                Some(crate::code::Code::Internal.name())
            );
            let mut out = b"row,name\n".to_vec();
            let written = crate::output::csv::row(&compiled, (&scratch).into(), values, 1, None, &mut out);
            assert_eq!(internal(written), Some(crate::code::Code::Internal.name()));
            assert_eq!(out, b"row,name\n", "nothing of the row is left");
        }
        let past_the_end = compiled.leaf(&scratch, values, scratch.leaves.len()).map(drop);
        assert_eq!(internal(past_the_end), Some(crate::code::Code::Internal.name()));
        Ok(())
    }

    /// Were a comparison to meet values of different kinds (which the check
    /// refuses), the lanes would set the profile aside, and the one-profile
    /// loop report it: never a comparison read as false.
    #[test]
    fn lanes_set_aside_a_comparison_of_different_kinds() -> Result<(), Box<dyn std::error::Error>> {
        let loaded = loaded()?;
        let profiles = profiles(&loaded.policy)?;
        let mut compiled = CompiledPolicy::new(&loaded.policy);
        let enumeration = (0u32..)
            .zip(&compiled.types)
            .find_map(|(node, ty)| matches!(ty, Type::Enum(_)).then_some(node))
            .ok_or("no value of an enumeration")?;
        let types = &compiled.types;
        let compare = compiled.program.code.iter_mut().find_map(|ins| match ins {
            Ins::Compare { left, right, .. } if types.get(*left as usize).is_some_and(|ty| ty.is_numeric()) => {
                Some(right)
            }
            _ => None,
        });
        *compare.ok_or("no comparison of numbers")? = enumeration;
        assert_eq!(check(&compiled), Err("values of different kinds compared"));
        // Run anyway, as if the check had missed it.
        let answers = answers(&compiled, &profiles);
        assert!(answers.iter().all(|answer| *answer == Err(crate::code::Code::Internal.name())), "{answers:?}");
        Ok(())
    }

    /// Programs broken after the check, as a mistake of the compiler would
    /// break them, run anyway: wherever the one-profile loop fails, the
    /// lanes set the profile aside to it, and never answer in its place.
    #[test]
    fn lanes_never_answer_where_a_broken_program_fails() -> Result<(), Box<dyn std::error::Error>> {
        let loaded = loaded()?;
        let profiles = profiles(&loaded.policy)?;
        const FAR: u32 = 1 << 20;
        type Corrupt = fn(&mut Ins) -> Option<&mut u32>;
        let corruptions: [(&str, Corrupt); 9] = [
            // A jump past the end: the lanes set their profiles aside, never drop them unanswered.
            ("a jump", |ins| match ins {
                Ins::Jump { to }
                | Ins::AndLeft { to, .. }
                | Ins::OrLeft { to, .. }
                | Ins::InItem { to, .. }
                | Ins::IfNot { to, .. }
                | Ins::Unless { to, .. }
                | Ins::Bound { to, .. } => Some(to),
                _ => None,
            }),
            ("a set of bands", |ins| match ins {
                Ins::Band { bands, .. } => Some(bands),
                _ => None,
            }),
            ("a rule's slot", |ins| match ins {
                Ins::Rule { slot } => Some(slot),
                _ => None,
            }),
            ("a condition set's slot", |ins| match ins {
                Ins::Conditions { slot, .. } => Some(slot),
                _ => None,
            }),
            ("a rule ended", |ins| match ins {
                Ins::EndRule { rule, .. } => Some(rule),
                _ => None,
            }),
            ("a band ended", |ins| match ins {
                Ins::EndBand { band, .. } => Some(band),
                _ => None,
            }),
            ("an output value", |ins| match ins {
                Ins::Leaf { leaf, .. } => Some(leaf),
                _ => None,
            }),
            ("an output group", |ins| match ins {
                Ins::Group { group } => Some(group),
                _ => None,
            }),
            ("an output", |ins| match ins {
                Ins::Certainty { output } => Some(output),
                _ => None,
            }),
        ];
        for (what, corrupt) in corruptions {
            let mut compiled = CompiledPolicy::new(&loaded.policy);
            // Every instruction of the kind, so that every profile meets one.
            compiled.program.code.iter_mut().filter_map(corrupt).for_each(|named| *named = FAR);
            assert!(check(&compiled).is_err(), "{what}");
            let answers = answers(&compiled, &profiles);
            let (one, many) = answers.split_at(profiles.len());
            assert_eq!(one, many, "{what}");
            assert!(one.iter().any(Result::is_err), "{what}: no profile reached it");
        }
        Ok(())
    }

    /// A `match` arm left unset (a variant without one) is allowed by the
    /// invariants: a lane that takes it is set aside to the one-profile
    /// loop, which fails the profile; never dropped unanswered.
    #[test]
    fn lanes_set_aside_a_match_arm_left_unset() -> Result<(), Box<dyn std::error::Error>> {
        // A `match` in a rule (avenant 7's), and one in an output, where no rule's end would notice a lane gone.
        let in_an_output = crate::compile(
            std::path::Path::new("match.policy"),
            "policy m { title \"m\" }\nenum kind { a b c }\nprofile { k: kind }\n\
             output o = match k { a => 1 b => 2 c => 3 }\noutput p = 4\n",
        )?;
        let kinds = ["a", "b", "c"].iter().cycle().take(70).map(|kind| {
            let input = crate::ProfileInput::parse(std::path::Path::new("p.json"), &format!("{{\"k\": \"{kind}\"}}"))?;
            crate::Profile::validate(&in_an_output, &input).map_err(|errors| format!("{errors:?}").into())
        });
        let loaded = loaded()?;
        let cases = [
            // Some of avenant 7's profiles never reach its `match`: the lanes answer those themselves.
            (&loaded.policy, profiles(&loaded.policy)?, true),
            // Every profile reaches the output's: all are set aside.
            (&in_an_output, kinds.collect::<Result<_, Box<dyn std::error::Error>>>()?, false),
        ];
        for (policy, profiles, some_run_in_lanes) in cases {
            let mut compiled = CompiledPolicy::new(policy);
            let lists: Vec<super::super::List> = compiled
                .program
                .code
                .iter()
                .filter_map(|ins| match ins {
                    Ins::Switch { arms, .. } => Some(*arms),
                    _ => None,
                })
                .collect();
            assert!(!lists.is_empty(), "the policy has no `match`");
            for super::super::List { start, len } in lists {
                let (start, len) = (start as usize, len as usize);
                compiled.program.operands.get_mut(start..start + len).ok_or("no arms")?.fill(UNSET);
            }
            assert_eq!(check(&compiled), Ok(()), "an unset arm keeps the invariants");
            let rows: Vec<_> = profiles.iter().map(crate::Profile::values).collect();
            let (mut lanes, mut scratch) = (compiled.lanes(), compiled.scratch());
            let set_aside =
                compiled.evaluate_each(&rows, jiff::civil::date(2022, 6, 1), &mut lanes, &mut scratch, |_, _| {});
            assert_eq!(set_aside < rows.len(), some_run_in_lanes, "{set_aside} set aside of {}", rows.len());
            let answers = answers(&compiled, &profiles);
            let (one, many) = answers.split_at(profiles.len());
            assert_eq!(one, many);
            assert!(one.contains(&Err(crate::code::Code::Internal.name())), "no profile reached the `match`");
        }
        Ok(())
    }

    /// An output value no instruction writes would be read as whatever its register last held.
    #[test]
    fn an_output_value_never_written_is_refused() -> Result<(), Box<dyn std::error::Error>> {
        let loaded = loaded()?;
        let mut compiled = compiled(&loaded);
        let first = compiled.program.code.iter().position(|ins| matches!(ins, Ins::Leaf { .. })).ok_or("no leaf")?;
        // Replaced by a jump to the next instruction, which does nothing.
        let next = u32::try_from(first + 1)?;
        *compiled.program.code.get_mut(first).ok_or("no leaf")? = Ins::Jump { to: next };
        assert_eq!(check(&compiled), Err("an output value not written exactly once"));
        Ok(())
    }
}
