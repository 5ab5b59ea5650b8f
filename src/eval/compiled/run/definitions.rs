//! The definitions a compiled evaluation memoises (rules, bands, condition
//! sets) and the reliances it records, exactly as the reference evaluator
//! computes them; never evaluates an expression but through [`Run::eval`].

use super::*;
use crate::check::model::BandsId;
use crate::eval::bound_holds;

impl Run<'_, '_> {
    pub(super) fn rule(&mut self, id: u32, index: Option<u16>) -> Result<Fast, Stop> {
        let compiled = self.compiled;
        let rule = compiled.rules.get(id as usize).ok_or_else(|| self.raise(Fault::Internal("no such rule")))?;
        let slot = rule.memo_offset + index.unwrap_or(0) as usize;
        if let Some(Some((value, certainty))) = self.scratch.rule_memo.get(slot).copied() {
            self.read(certainty);
            return Ok(value);
        }
        let body = rule.bodies.get(index.unwrap_or(0) as usize).or(rule.bodies.first()).copied().unwrap_or(u32::MAX);
        let outer = std::mem::replace(&mut self.scratch.index, index);
        let result = self.definition(|run| run.eval(body));
        self.scratch.index = outer;
        let (value, sure) = result?;
        self.rely(rule.reliance);
        let certainty = sure.min(rule.certainty);
        if let Some(memo) = self.scratch.rule_memo.get_mut(slot) {
            *memo = Some((value, certainty));
        }
        self.read(certainty);
        Ok(value)
    }

    /// The first band whose bounds hold, as the reference finds it.
    pub(super) fn band(&mut self, id: u32) -> Result<u16, Stop> {
        if let Some(Some((band, certainty))) = self.scratch.band_memo.get(id as usize).copied() {
            self.read(certainty);
            return Ok(band);
        }
        let compiled = self.compiled;
        let bands = compiled.bands.get(id as usize).ok_or_else(|| self.raise(Fault::Internal("no such bands")))?;
        let (found, sure) = self.definition(|run| {
            let value = run.eval(bands.over)?;
            for (position, band) in bands.bands.iter().enumerate() {
                let mut inside = true;
                for (bound, is_lower) in
                    band.lower.iter().map(|bound| (bound, true)).chain(band.upper.iter().map(|bound| (bound, false)))
                {
                    let limit = run.eval(bound.0)?;
                    let ordering = run
                        .compare(value, limit)
                        .ok_or_else(|| run.raise(Fault::Internal("a band bound of another kind")))?;
                    if !bound_holds(is_lower, bound.1, ordering) {
                        inside = false;
                        break;
                    }
                }
                if inside {
                    return Ok(Ok((position, band)));
                }
            }
            Ok(Err(value))
        })?;
        let (position, band) = match found {
            Ok(found) => found,
            Err(value) => {
                let value = self.value(value);
                return Err(self.raise(Fault::NoBand { bands: BandsId(id), value }));
            }
        };
        self.rely(band.reliance);
        let result = (u16::try_from(position).unwrap_or(u16::MAX), sure.min(band.certainty));
        if let Some(memo) = self.scratch.band_memo.get_mut(id as usize) {
            *memo = Some(result);
        }
        self.read(result.1);
        Ok(result.0)
    }

    /// Evaluates every condition of a set (all the reasons are given at
    /// once); its slot, whose bits are the conditions that failed, and
    /// whether they all held.
    pub(super) fn conditions(&mut self, id: u32, index: Option<u16>) -> Result<(u32, bool), Stop> {
        let compiled = self.compiled;
        let set = compiled.sets.get(id as usize).ok_or_else(|| self.raise(Fault::Internal("no such condition set")))?;
        let slot = set.memo_offset + index.unwrap_or(0) as usize;
        let slot_id = u32::try_from(slot).unwrap_or(u32::MAX);
        if let Some(Some((certainty, all_hold))) = self.scratch.set_memo.get(slot).copied() {
            self.read(certainty);
            return Ok((slot_id, all_hold));
        }
        let first_word = set.words_offset + index.unwrap_or(0) as usize * set.words_per_slot;
        let outer = std::mem::replace(&mut self.scratch.index, index);
        let result = self.definition(|run| {
            let mut all_hold = true;
            for (position, condition) in set.conditions.iter().enumerate() {
                // Where the condition does not apply, it holds; reading the
                // guard makes the outcome as sure as the guard, either way.
                if let Some(guards) = &condition.guard {
                    let guard = guards.get(index.unwrap_or(0) as usize).or(guards.first()).copied().unwrap_or(u32::MAX);
                    if run.eval(guard)? != Fast::Bool(true) {
                        continue;
                    }
                }
                let requires = condition
                    .requires
                    .get(index.unwrap_or(0) as usize)
                    .or(condition.requires.first())
                    .copied()
                    .unwrap_or(u32::MAX);
                let holds = run.eval(requires)? == Fast::Bool(true);
                run.rely(condition.reliance);
                run.read(condition.certainty);
                all_hold &= holds;
                if !holds && let Some(word) = run.scratch.failure_bits.get_mut(first_word + position / 64) {
                    *word |= 1 << (position % 64);
                }
            }
            Ok(all_hold)
        });
        self.scratch.index = outer;
        let (all_hold, certainty) = result?;
        if let Some(memo) = self.scratch.set_memo.get_mut(slot) {
            *memo = Some((certainty, all_hold));
        }
        self.read(certainty);
        Ok((slot_id, all_hold))
    }

    /// Records a reliance the first time its place is read.
    pub(super) fn rely(&mut self, reliance: Option<u32>) {
        let Some(id) = reliance else { return };
        let Some(definition) = self.compiled.reliances.get(id as usize) else { return };
        if let Some(seen) = self.scratch.reliance_seen.get_mut(definition.key as usize)
            && !*seen
        {
            *seen = true;
            self.scratch.reliances.push(id);
        }
    }
}
