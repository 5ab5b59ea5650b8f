//! Exact shortcuts for the decimal operations a population runs most:
//! comparing, multiplying and rounding counts, euros and rates. Each gives, bit for bit
//! (value and scale), what rust_decimal gives, and hands anything outside
//! its common case to rust_decimal itself.
//!
//! Most numbers a policy reads or computes (patients, rates, euros) have a
//! mantissa below 2³²: a [`Small`] carries them in the 8-byte compiled value
//! itself, so that reading, comparing, multiplying and rounding them touch
//! no 16-byte decimal at all.

use std::cmp::Ordering;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::check::model::ArithOp;
use crate::eval::error::Fault;

/// A number whose mantissa fits in 32 bits, held as rust_decimal holds it
/// (magnitude, sign, scale) so that both convert exactly: every such decimal
/// but −0, whose sign rust_decimal would drop in [`Small::decimal`].
/// Packed to 6 bytes, so that a compiled value holding one stays 8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed(2))]
pub(crate) struct Small {
    magnitude: u32,
    scale: u8,
    negative: bool,
}

impl Small {
    /// The decimal as a [`Small`], if its mantissa fits in 32 bits and it is not −0.
    #[inline]
    pub(crate) fn of(value: Decimal) -> Option<Small> {
        let parts = value.unpack();
        let fits = parts.hi | parts.mid == 0 && (parts.lo != 0 || !parts.negative);
        // A decimal's scale is at most 28.
        fits.then_some(Small { magnitude: parts.lo, scale: parts.scale as u8, negative: parts.negative })
    }

    /// The same number as a rust_decimal, bit for bit.
    #[inline]
    pub(crate) fn decimal(self) -> Decimal {
        // The scale is at most 28: it came from a decimal, or was checked.
        Decimal::from_parts(self.magnitude, 0, 0, self.negative, u32::from(self.scale))
    }

    /// The mantissa, signed.
    #[inline]
    fn mantissa(self) -> i64 {
        let magnitude = i64::from(self.magnitude);
        if self.negative { -magnitude } else { magnitude }
    }
}

/// Orders two numbers as rust_decimal does: by their mantissas, the one of
/// fewer places scaled up to the other's in 64 bits, which is exact for up
/// to 9 places' difference; a wider gap is left to rust_decimal.
#[inline]
pub(crate) fn compare_small(a: Small, b: Small) -> Ordering {
    let (a_scale, b_scale) = (a.scale, b.scale);
    if a_scale == b_scale {
        return a.mantissa().cmp(&b.mantissa());
    }
    // |mantissa| < 2³² and 10⁹ < 2³⁰: the widened mantissa fits in 63 bits.
    let widen = |value: Small, places: u8| {
        POWERS.get(usize::from(places)).filter(|_| places <= 9).map(|power| value.mantissa() * *power as i64)
    };
    let exact = if a_scale < b_scale {
        widen(a, b_scale - a_scale).map(|a| a.cmp(&b.mantissa()))
    } else {
        widen(b, a_scale - b_scale).map(|b| a.mantissa().cmp(&b))
    };
    exact.unwrap_or_else(|| a.decimal().cmp(&b.decimal()))
}

/// The product as rust_decimal gives it, if it is a [`Small`] too: zero
/// (which rust_decimal gives at scale 0, whatever the operands' scales), or
/// a mantissa below 2³² at most 28 places. Anything else is left to [`arithmetic`].
#[inline]
pub(crate) fn multiply_small(a: Small, b: Small) -> Option<Small> {
    if a.magnitude == 0 || b.magnitude == 0 {
        return Some(Small { magnitude: 0, scale: 0, negative: false });
    }
    let magnitude = u32::try_from(u64::from(a.magnitude) * u64::from(b.magnitude)).ok()?;
    let scale = a.scale + b.scale;
    (scale <= 28).then_some(Small { magnitude, scale, negative: a.negative != b.negative })
}

/// `a + b` (or `a − b`) as rust_decimal gives it when the result is a
/// [`Small`] simply: one operand zero (the other is the result, as it is,
/// negated for `0 − b`), or both of the same scale with magnitudes that add
/// up below 2³² (the same signs for a sum, opposite ones for a difference):
/// a count plus a count, euros plus euros. Anything else is left to [`arithmetic`].
#[inline]
pub(crate) fn add_small(a: Small, b: Small, subtract: bool) -> Option<Small> {
    if a.magnitude == 0 {
        return Some(Small { negative: b.negative != (subtract && b.magnitude != 0), ..b });
    }
    if b.magnitude == 0 {
        return Some(a);
    }
    let same_way = (a.negative != b.negative) == subtract;
    let magnitude = a.magnitude.checked_add(b.magnitude).filter(|_| a.scale == b.scale && same_way)?;
    Some(Small { magnitude, scale: a.scale, negative: a.negative })
}

/// [`round`] of a [`Small`], which gives a [`Small`] but when more than
/// 19 places are dropped or a negative number rounds to zero; those are
/// left to [`round`].
#[inline]
pub(crate) fn round_small(value: Small, places: u32, strategy: RoundingStrategy) -> Option<Small> {
    // As rust_decimal: a number with no more places is itself, and zero takes the places asked.
    let Some(dropped) = u32::from(value.scale).checked_sub(places).filter(|dropped| *dropped > 0) else {
        return Some(value);
    };
    if value.magnitude == 0 {
        return Some(Small { magnitude: 0, scale: places as u8, negative: false });
    }
    let divisor = POWERS.get(dropped as usize)?;
    let (quotient, rest) = divide(u64::from(value.magnitude), *divisor);
    let up = away(strategy, value.negative, quotient, rest, *divisor)?;
    let magnitude = u32::try_from(quotient + u64::from(up)).ok()?;
    // A negative number rounded to zero is left to rust_decimal, which decides its sign.
    (magnitude != 0 || !value.negative).then_some(Small {
        magnitude,
        scale: value.scale - dropped as u8,
        negative: value.negative,
    })
}

/// `left op right` as [`crate::eval::arithmetic`] computes it, with products
/// of two 64-bit mantissas that fit in 64 bits (a count times a rate, euros
/// times a share) multiplied in integers.
#[inline]
pub(super) fn arithmetic(op: ArithOp, left: Decimal, right: Decimal) -> Result<Decimal, Fault> {
    if op == ArithOp::Mul
        && let Some(product) = multiply(left, right)
    {
        return Ok(product);
    }
    crate::eval::arithmetic(op, left, right)
}

/// The product, if both mantissas and it fit in 64 bits; a zero product
/// is left to rust_decimal, which gives it at scale 0.
#[inline]
fn multiply(left: Decimal, right: Decimal) -> Option<Decimal> {
    let left_mantissa = i64::try_from(left.mantissa()).ok()?;
    let right_mantissa = i64::try_from(right.mantissa()).ok()?;
    let product = left_mantissa.checked_mul(right_mantissa).filter(|product| *product != 0)?;
    Decimal::try_from_i128_with_scale(i128::from(product), left.scale() + right.scale()).ok()
}

/// Orders two numbers: by their mantissas when they have the same scale
/// (counts against counts, euros against euros), which is exact and cheap,
/// else as rust_decimal does.
#[inline]
pub(super) fn compare(a: Decimal, b: Decimal) -> Ordering {
    if a.scale() == b.scale() { a.mantissa().cmp(&b.mantissa()) } else { a.cmp(&b) }
}

/// 10ⁿ for each number of places [`round`] drops in 64-bit arithmetic, up to 10¹⁹.
#[expect(clippy::indexing_slicing, reason = "computed when compiling, where an index out of range does not build")]
const POWERS: [u64; 20] = {
    let mut powers = [1u64; 20];
    let mut n = 1;
    while n < powers.len() {
        powers[n] = powers[n - 1] * 10;
        n += 1;
    }
    powers
};

/// `value.round_dp_with_strategy(places, strategy)`: in 64-bit integers
/// when the mantissa fits in 64 bits and at most 19 places go
/// (a count times a rate, rounded to the patient, is that), else by rust_decimal.
#[inline]
pub(super) fn round(value: Decimal, places: u32, strategy: RoundingStrategy) -> Decimal {
    let scale = value.scale();
    let mantissa = value.mantissa().unsigned_abs();
    let Ok(mantissa) = u64::try_from(mantissa) else { return value.round_dp_with_strategy(places, strategy) };
    // Nothing to drop, or zero (whose sign rust_decimal keeps as is): rust_decimal's own early returns.
    let divisor = scale.checked_sub(places).and_then(|dropped| POWERS.get(dropped as usize));
    let Some(&divisor) = divisor.filter(|divisor| **divisor > 1 && mantissa != 0) else {
        return value.round_dp_with_strategy(places, strategy);
    };
    let (quotient, dropped) = divide(mantissa, divisor);
    let negative = value.is_sign_negative();
    let Some(away) = away(strategy, negative, quotient, dropped, divisor) else {
        return value.round_dp_with_strategy(places, strategy);
    };
    let rounded = quotient + u64::from(away);
    Decimal::from_parts(rounded as u32, (rounded >> 32) as u32, 0, negative, places)
}

/// `mantissa / divisor` and its remainder. A division by a constant is a
/// multiplication: the usual few places dropped are spelt out.
#[inline]
fn divide(mantissa: u64, divisor: u64) -> (u64, u64) {
    match divisor {
        10 => (mantissa / 10, mantissa % 10),
        100 => (mantissa / 100, mantissa % 100),
        1_000 => (mantissa / 1_000, mantissa % 1_000),
        10_000 => (mantissa / 10_000, mantissa % 10_000),
        _ => (mantissa / divisor, mantissa % divisor),
    }
}

/// Whether a magnitude rounds away from zero, by the strategy, given the
/// quotient and what the division by `divisor` dropped; none for the older
/// names of the strategies, which rust_decimal rounds.
#[inline]
fn away(strategy: RoundingStrategy, negative: bool, quotient: u64, dropped: u64, divisor: u64) -> Option<bool> {
    let half = divisor / 2;
    Some(match strategy {
        RoundingStrategy::MidpointNearestEven => dropped > half || (dropped == half && quotient % 2 == 1),
        RoundingStrategy::MidpointTowardZero => dropped > half,
        RoundingStrategy::MidpointAwayFromZero => dropped >= half,
        RoundingStrategy::AwayFromZero => dropped != 0,
        RoundingStrategy::ToZero => false,
        RoundingStrategy::ToPositiveInfinity => !negative && dropped != 0,
        RoundingStrategy::ToNegativeInfinity => negative && dropped != 0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STRATEGIES: [RoundingStrategy; 7] = [
        RoundingStrategy::MidpointNearestEven,
        RoundingStrategy::MidpointTowardZero,
        RoundingStrategy::MidpointAwayFromZero,
        RoundingStrategy::AwayFromZero,
        RoundingStrategy::ToZero,
        RoundingStrategy::ToPositiveInfinity,
        RoundingStrategy::ToNegativeInfinity,
    ];

    /// Decimals as a population's are (counts times rates, euros) and beyond:
    /// mantissas of every width, signs, scales up to the largest.
    fn decimal() -> impl Strategy<Value = Decimal> {
        let mantissa = prop_oneof![
            Just(0i128),
            0i128..2_000_000,
            any::<i64>().prop_map(i128::from),
            any::<i128>().prop_map(|value| value % 79_228_162_514_264_337_593_543_950_335),
        ];
        let scale = prop_oneof![0u32..6, 0u32..=28];
        (mantissa, scale, any::<bool>()).prop_map(|(mantissa, scale, negative)| {
            let value = Decimal::from_i128_with_scale(mantissa, scale);
            if negative { -value } else { value }
        })
    }

    /// Numbers a `Small` holds: zero, counts, rates and euros, up to the
    /// widest mantissa, at every scale (as `decimal()`, whose every `Small` this is).
    fn small() -> impl Strategy<Value = Small> {
        let magnitude = prop_oneof![Just(0u32), 0u32..2_000_000, any::<u32>()];
        let scale = prop_oneof![0u32..6, 0u32..=28];
        (magnitude, scale, any::<bool>()).prop_filter_map("−0 is not a Small", |(magnitude, scale, negative)| {
            let value = Decimal::from_i128_with_scale(i128::from(magnitude), scale);
            Small::of(if negative { -value } else { value })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Same value and same scale (`serialize` holds both and the sign) as rust_decimal.
        #[test]
        fn rounding_is_rust_decimals(value in decimal(), places in 0u32..30, strategy in 0usize..7) {
            let strategy = STRATEGIES[strategy];
            let expected = value.round_dp_with_strategy(places, strategy);
            prop_assert_eq!(round(value, places, strategy).serialize(), expected.serialize(), "{} to {} places", value, places);
        }

        #[test]
        fn multiplying_is_rust_decimals(a in decimal(), b in decimal()) {
            let expected = a.checked_mul(b).map(|product| product.serialize());
            prop_assert_eq!(arithmetic(ArithOp::Mul, a, b).ok().map(|product| product.serialize()), expected, "{} × {}", a, b);
        }

        #[test]
        fn comparing_is_rust_decimals(a in decimal(), b in decimal()) {
            prop_assert_eq!(compare(a, b), a.cmp(&b));
        }

        /// A decimal and its `Small` are the same bits; only what fits is one.
        #[test]
        fn a_small_is_its_decimal(value in decimal()) {
            let fits = value.mantissa().unsigned_abs() <= u128::from(u32::MAX) && !(value.is_zero() && value.is_sign_negative());
            let small = Small::of(value);
            prop_assert_eq!(small.is_some(), fits, "{}", value);
            if let Some(small) = small {
                prop_assert_eq!(small.decimal().serialize(), value.serialize(), "{}", value);
            }
        }

        #[test]
        fn comparing_smalls_is_rust_decimals(a in small(), b in small()) {
            prop_assert_eq!(compare_small(a, b), a.decimal().cmp(&b.decimal()), "{} against {}", a.decimal(), b.decimal());
        }

        /// A product is a `Small` whenever it is zero, or fits one and needs
        /// no more than 28 places (else rust_decimal computes it), and then
        /// it is rust_decimal's, bit for bit.
        #[test]
        fn multiplying_smalls_is_rust_decimals(a in small(), b in small()) {
            let (x, y) = (a.decimal(), b.decimal());
            let fits = x.mantissa() * y.mantissa() == 0
                || (x.mantissa() * y.mantissa()).unsigned_abs() <= u128::from(u32::MAX)
                && x.scale() + y.scale() <= 28;
            let product = multiply_small(a, b);
            prop_assert_eq!(product.is_some(), fits, "{} × {}", x, y);
            if let Some(product) = product {
                prop_assert_eq!(Some(product.decimal().serialize()), x.checked_mul(y).map(|p| p.serialize()), "{} × {}", x, y);
            }
        }

        /// A sum or difference is a `Small` exactly in the simple cases (an
        /// operand zero, or the same scale and magnitudes that add up below
        /// 2³²), and then it is rust_decimal's, bit for bit.
        #[test]
        fn adding_smalls_is_rust_decimals(a in small(), b in small(), subtract in any::<bool>()) {
            let (x, y) = (a.decimal(), b.decimal());
            let expected = if subtract { x.checked_sub(y) } else { x.checked_add(y) };
            let same_way = (x.is_sign_negative() != y.is_sign_negative()) == subtract;
            let sum = x.mantissa().unsigned_abs() + y.mantissa().unsigned_abs();
            let simple = x.is_zero() || y.is_zero() || x.scale() == y.scale() && same_way && sum <= u128::from(u32::MAX);
            let result = add_small(a, b, subtract);
            prop_assert_eq!(result.is_some(), simple, "{} {} {}", x, if subtract { "−" } else { "+" }, y);
            if let Some(result) = result {
                prop_assert_eq!(Some(result.decimal().serialize()), expected.map(|e| e.serialize()), "{} {} {}", x, if subtract { "−" } else { "+" }, y);
            }
        }

        #[test]
        fn rounding_smalls_is_rust_decimals(value in small(), places in 0u32..30, strategy in 0usize..7) {
            let strategy = STRATEGIES[strategy];
            let expected = value.decimal().round_dp_with_strategy(places, strategy);
            match round_small(value, places, strategy) {
                Some(rounded) => prop_assert_eq!(rounded.decimal().serialize(), expected.serialize(), "{} to {} places", value.decimal(), places),
                // Left to rust_decimal only when more than 64 bits' worth
                // (19 places) are to drop, or a negative number comes out zero.
                None => {
                    let scale = value.decimal().scale();
                    let negative_zero = expected.is_zero() && value.decimal().is_sign_negative();
                    prop_assert!(scale > places && (scale - places > 19 || negative_zero), "{} to {} places", value.decimal(), places)
                }
            }
        }
    }

    /// Exact halves, where the strategies part ways, in both signs.
    #[test]
    fn halves_round_as_rust_decimal_does() {
        for text in ["0.5", "1.5", "2.5", "156.075", "157.375", "-0.5", "-2.5", "-156.075", "0.05", "999.9995"] {
            let value: Decimal = text.parse().unwrap_or_default();
            for strategy in STRATEGIES {
                for places in 0..4 {
                    let expected = value.round_dp_with_strategy(places, strategy);
                    assert_eq!(round(value, places, strategy).serialize(), expected.serialize(), "{text}, {places}");
                }
            }
        }
    }
}
