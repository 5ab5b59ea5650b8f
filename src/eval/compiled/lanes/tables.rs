//! Tables: a cell read straight from its keys, a row, a column of a row.
//! Lanes are grouped by the row they read, so that a cell is found once per
//! group, not once per lane.

use super::*;
use masks::{Keys, at, at_mut, groups, keep};

impl CompiledPolicy<'_> {
    /// `table[keys].column` in one step.
    pub(super) fn cell_at_keys(
        &self,
        l: &mut Lanes,
        active: Mask,
        dst: NodeId,
        (table, keys, column): (u32, List, u32),
    ) {
        let keys = self.row_keys(l, active, table, keys);
        groups(l, active, &keys, |l, row, mask| {
            let cell = u32::try_from(row).ok().and_then(|row| self.table_cell(table, row, column));
            self.lane_cell(l, dst, mask, cell);
        });
    }

    pub(super) fn table_row(&self, l: &mut Lanes, active: Mask, dst: NodeId, table: u32, keys: List) {
        let keys = self.row_keys(l, active, table, keys);
        let Ok(table) = u16::try_from(table) else {
            l.aside |= active;
            return;
        };
        let rest = l.map(active, dst, |_, row, done| {
            for lane in Each(active & keys.valid) {
                let read = u32::try_from(at(&keys.of, lane)).ok();
                keep(row, done, lane, read.map(|row| Fast::Row { table, row }));
            }
        });
        l.aside |= rest;
    }

    pub(super) fn row_field(&self, l: &mut Lanes, active: Mask, dst: NodeId, row: NodeId, column: u32) {
        let keys = Keys::of_values(l, active, row, |value| match value {
            Fast::Row { table, row } => Some(u64::from(table) << 32 | u64::from(row)),
            _ => None,
        });
        groups(l, active, &keys, |l, row, mask| {
            let (table, row) = ((row >> 32) as u32, row as u32);
            self.lane_cell(l, dst, mask, self.table_cell(table, row, column));
        });
    }

    /// The row of a table each lane of `mask` reads, by the values of the
    /// keys in its registers. The keys that are constants are folded once;
    /// when a single key remains (a table of options read at a band, say),
    /// a lane's row is one product and one sum.
    pub(super) fn row_keys(&self, l: &Lanes, mask: Mask, table: u32, list: List) -> Keys {
        let (Some(registers), Some(definition)) = (self.program.operands(list), self.tables.get(table as usize)) else {
            return Keys { of: [0; LANES], valid: 0 };
        };
        let sizes = &definition.key_sizes[..];
        // A row is the keys' values read as digits, each in the base of its key's size.
        let (mut base, mut varying, mut stride) = (0u64, None, 1u64);
        let mut simple = registers.len() == sizes.len();
        for (register, size) in registers.iter().zip(sizes).rev() {
            match (l.kind(*register), l.constants.get(*register as usize)) {
                (Kind::Constant, Some(Fast::Enum(variant))) => base += u64::from(*variant) * stride,
                (Kind::PerLane, _) if varying.is_none() => varying = Some((*register, stride)),
                _ => simple = false,
            }
            stride = stride.saturating_mul(*size as u64);
        }
        match varying.filter(|_| simple) {
            Some((register, stride)) => Keys::of_values(l, mask, register, |value| match value {
                Fast::Enum(variant) => Some(base + u64::from(variant) * stride),
                _ => None,
            }),
            _ => {
                let mut keys = Keys { of: [0; LANES], valid: 0 };
                for lane in Each(mask) {
                    if let Some(row) = self.row(table, list, |key| l.get(key, lane)) {
                        *at_mut(&mut keys.of, lane) = u64::from(row);
                        keys.valid |= bit(lane);
                    }
                }
                keys
            }
        }
    }

    /// Reads a cell for the lanes given (relying on it if it is not
    /// established), or sets them aside if the table has none there.
    pub(super) fn lane_cell(&self, l: &mut Lanes, dst: NodeId, mask: Mask, cell: Option<&CompiledCell>) {
        match cell {
            Some(cell) => {
                self.lane_assume(l, mask, cell.assumption);
                l.sure.weaken(mask, cell.certainty);
                l.fill(dst, mask, cell.value);
            }
            None => l.aside |= mask,
        }
    }
}
