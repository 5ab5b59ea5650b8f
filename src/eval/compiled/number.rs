//! Exact shortcuts for the decimal operations a population runs most:
//! comparing, multiplying and rounding counts, euros and rates. Each gives, bit for bit
//! (value and scale), what rust_decimal gives, and hands anything outside
//! its common case to rust_decimal itself.

use std::cmp::Ordering;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::check::model::ArithOp;
use crate::eval::error::Fault;

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
    // A division by a constant is a multiplication: the usual few places dropped are spelt out.
    let (quotient, dropped) = match divisor {
        10 => (mantissa / 10, mantissa % 10),
        100 => (mantissa / 100, mantissa % 100),
        1_000 => (mantissa / 1_000, mantissa % 1_000),
        10_000 => (mantissa / 10_000, mantissa % 10_000),
        _ => (mantissa / divisor, mantissa % divisor),
    };
    let half = divisor / 2;
    let negative = value.is_sign_negative();
    let away = match strategy {
        RoundingStrategy::MidpointNearestEven => dropped > half || (dropped == half && quotient % 2 == 1),
        RoundingStrategy::MidpointTowardZero => dropped > half,
        RoundingStrategy::MidpointAwayFromZero => dropped >= half,
        RoundingStrategy::AwayFromZero => dropped != 0,
        RoundingStrategy::ToZero => false,
        RoundingStrategy::ToPositiveInfinity => !negative && dropped != 0,
        RoundingStrategy::ToNegativeInfinity => negative && dropped != 0,
        // The older names of the same strategies: rust_decimal rounds them.
        _ => return value.round_dp_with_strategy(places, strategy),
    };
    let rounded = quotient + u64::from(away);
    Decimal::from_parts(rounded as u32, (rounded >> 32) as u32, 0, negative, places)
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
