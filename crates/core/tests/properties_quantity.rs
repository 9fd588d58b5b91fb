//! Property tests of the quantity arithmetic (bad input from members and users): parsing any string
//! is a value or an error, never a panic; every valid Kubernetes quantity parses to the value an
//! independent big-integer computation gives (or to `OutOfRange` exactly when that value does not
//! fit); formatting round-trips; sums and percentages never wrap.

use karmada_manager_core::{Amount, Format, QuantityError, percent};
use prop_json::config;
use proptest::prelude::*;

/// A tiny unsigned big integer (little-endian base-2³² limbs): the oracle, deliberately unlike
/// the parser's decimal-digit vectors.
#[derive(Clone, Debug, PartialEq)]
struct Big(Vec<u32>);

impl Big {
    fn zero() -> Big {
        Big(Vec::new())
    }

    fn is_zero(&self) -> bool {
        self.0.iter().all(|&limb| limb == 0)
    }

    fn mul_add(&mut self, factor: u32, addend: u32) {
        let mut carry = u64::from(addend);
        for limb in &mut self.0 {
            let product = u64::from(*limb) * u64::from(factor) + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    /// Divides in place; returns whether the remainder was non-zero.
    fn div_small(&mut self, divisor: u32) -> bool {
        let mut remainder: u64 = 0;
        for limb in self.0.iter_mut().rev() {
            let current = (remainder << 32) | u64::from(*limb);
            *limb = (current / u64::from(divisor)) as u32;
            remainder = current % u64::from(divisor);
        }
        remainder != 0
    }

    fn to_u128(&self) -> Option<u128> {
        let mut value: u128 = 0;
        for (i, &limb) in self.0.iter().enumerate() {
            if limb == 0 {
                continue;
            }
            if i >= 4 {
                return None;
            }
            value |= u128::from(limb) << (32 * i);
        }
        Some(value)
    }

    /// Number of bits (0 for zero).
    fn bits(&self) -> usize {
        match self.0.iter().rposition(|&limb| limb != 0) {
            Some(top) => top * 32 + (32 - self.0[top].leading_zeros() as usize),
            None => 0,
        }
    }
}

/// The parts of a generated quantity.
#[derive(Clone, Debug)]
struct Parts {
    sign: &'static str,
    int: String,
    point: bool,
    frac: String,
    suffix: Suffix,
}

#[derive(Clone, Debug)]
enum Suffix {
    /// `n u m "" k M G T P E`, as a power of ten.
    Decimal(&'static str, i64),
    /// `Ki … Ei`, as a power of 1024.
    Binary(&'static str, u32),
    /// `e<sign><digits>` / `E<sign><digits>`.
    Exponent {
        letter: char,
        sign: &'static str,
        digits: String,
    },
}

impl Parts {
    fn text(&self) -> String {
        let suffix = match &self.suffix {
            Suffix::Decimal(s, _) | Suffix::Binary(s, _) => (*s).to_owned(),
            Suffix::Exponent {
                letter,
                sign,
                digits,
            } => format!("{letter}{sign}{digits}"),
        };
        let point = if self.point { "." } else { "" };
        format!("{}{}{point}{}{suffix}", self.sign, self.int, self.frac)
    }

    /// What `Amount::parse` must return, computed with [`Big`]: the magnitude in milli-units
    /// rounded up, or `OutOfRange` beyond ±2¹²⁷ (−2¹²⁷ itself is `Amount::MIN`).
    fn expected(&self) -> Result<i128, &'static str> {
        let mut exponent: i128 = 3 - self.frac.len() as i128;
        let mut binary = 0;
        match &self.suffix {
            Suffix::Decimal(_, e) => exponent += i128::from(*e),
            Suffix::Binary(_, power) => binary = *power,
            Suffix::Exponent { sign, digits, .. } => {
                let Ok(e) = format!("{sign}{digits}").parse::<i64>() else {
                    return Err("malformed");
                };
                exponent += i128::from(e);
            }
        }
        let mut value = Big::zero();
        for digit in self.int.bytes().chain(self.frac.bytes()) {
            value.mul_add(10, u32::from(digit - b'0'));
        }
        for _ in 0..binary {
            value.mul_add(1024, 0);
        }
        let mut inexact = false;
        if !value.is_zero() {
            if exponent > 0 {
                // Beyond 10^160 the value is out of range whatever the digits (≥ 1).
                for _ in 0..exponent.min(160) {
                    value.mul_add(10, 0);
                }
            } else {
                let digits = self.int.len() + self.frac.len() + 8 * binary as usize;
                for _ in 0..(-exponent).min(digits as i128 + 2) {
                    inexact |= value.div_small(10);
                }
                if value.is_zero() {
                    inexact = true;
                }
            }
        }
        if inexact {
            value.mul_add(1, 1);
        }
        if value.bits() > 128 {
            return Err("out of range");
        }
        let magnitude = value.to_u128().ok_or("out of range")?;
        if self.sign == "-" {
            0i128.checked_sub_unsigned(magnitude).ok_or("out of range")
        } else {
            i128::try_from(magnitude).map_err(|_| "out of range")
        }
    }
}

fn digits(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec(0u8..10, 0..=6),
        2 => proptest::collection::vec(0u8..10, 0..=max),
        // Leading zeros must not count towards the size.
        1 => proptest::collection::vec(0u8..10, 0..=6).prop_map(|mut d| {
            d.splice(0..0, [0; 45]);
            d
        }),
    ]
    .prop_map(|d| d.into_iter().map(|d| char::from(b'0' + d)).collect())
}

fn suffix() -> impl Strategy<Value = Suffix> {
    let decimal = prop::sample::select(vec![
        ("n", -9i64),
        ("u", -6),
        ("m", -3),
        ("", 0),
        ("k", 3),
        ("M", 6),
        ("G", 9),
        ("T", 12),
        ("P", 15),
        ("E", 18),
    ])
    .prop_map(|(s, e)| Suffix::Decimal(s, e));
    let binary = prop::sample::select(vec![
        ("Ki", 1u32),
        ("Mi", 2),
        ("Gi", 3),
        ("Ti", 4),
        ("Pi", 5),
        ("Ei", 6),
    ])
    .prop_map(|(s, p)| Suffix::Binary(s, p));
    let exponent_digits = prop_oneof![
        4 => (0u32..60).prop_map(|e| e.to_string()),
        1 => "[0-9]{1,25}",
        1 => Just("9223372036854775808".to_owned()),
        1 => Just("9223372036854775807".to_owned()),
    ];
    let exponent = (
        prop::sample::select(vec!['e', 'E']),
        prop::sample::select(vec!["", "+", "-"]),
        exponent_digits,
    )
        .prop_map(|(letter, sign, digits)| Suffix::Exponent {
            letter,
            sign,
            digits,
        });
    prop_oneof![3 => decimal, 2 => binary, 2 => exponent]
}

fn quantity_parts() -> impl Strategy<Value = Parts> {
    (
        prop::sample::select(vec!["", "+", "-"]),
        digits(45),
        any::<bool>(),
        digits(45),
        suffix(),
    )
        .prop_filter("a number needs digits", |(_, int, _, frac, _)| {
            !int.is_empty() || !frac.is_empty()
        })
        .prop_map(|(sign, int, point, frac, suffix)| {
            // Without a point the fraction digits would just lengthen the integer.
            let frac = if point { frac } else { String::new() };
            Parts {
                sign,
                int,
                point,
                frac,
                suffix,
            }
        })
        .prop_filter("a number needs digits", |p| {
            !p.int.is_empty() || !p.frac.is_empty()
        })
}

/// An amount anywhere in `i128`, with the edges and round numbers well represented.
fn any_amount() -> impl Strategy<Value = Amount> {
    prop_oneof![
        any::<i128>(),
        -1_000_000i128..1_000_000,
        Just(i128::MAX),
        Just(i128::MIN),
        Just(i128::MIN + 1),
        (0u32..=6, -100_000i128..100_000).prop_map(|(p, n)| n * 1024i128.pow(p) * 1000),
        (0u32..=35, -1000i128..1000).prop_map(|(p, n)| n * 10i128.pow(p)),
    ]
    .prop_map(Amount::from_milli)
}

/// The exact sum of `amounts`, clamped into `i128` (the sum is carried in 64-bit halves so
/// that it cannot overflow).
fn clamped_sum(amounts: &[Amount]) -> i128 {
    let mut high: i128 = 0;
    let mut low: u128 = 0;
    for amount in amounts {
        let x = amount.milli();
        high += x >> 64;
        low += (x as u128) & u128::from(u64::MAX);
    }
    let high = high + (low >> 64) as i128;
    let low = (low & u128::from(u64::MAX)) as i128;
    match high.checked_mul(1 << 64).and_then(|h| h.checked_add(low)) {
        Some(sum) => sum,
        None if high < 0 => i128::MIN,
        None => i128::MAX,
    }
}

proptest! {
    #![proptest_config(config(4000))]

    /// Any string at all: a value (that prints back to itself) or an error.
    #[test]
    fn any_string_parses_or_errors(text in any::<String>()) {
        if let Ok(amount) = Amount::parse(&text) {
            prop_assert_eq!(Amount::parse(&amount.format(Format::DecimalSi)), Ok(amount));
        }
    }

    /// Strings over the quantity alphabet, where the interesting mistakes are.
    #[test]
    fn quantity_like_strings_parse_or_error(text in "[-+]?[0-9.]{0,45}[eEinumkKMGTP+-]{0,3}[0-9]{0,25}") {
        match Amount::parse(&text) {
            Ok(amount) => {
                prop_assert_eq!(Amount::parse(&amount.format(Format::BinarySi)), Ok(amount));
            }
            Err(error) => prop_assert!(error.to_string().len() < 300, "{}", error),
        }
    }

    /// Every valid quantity (sign, digits, fraction, each suffix, e/E exponents) gives exactly
    /// the value the independent computation gives, or `OutOfRange` exactly when it does not
    /// fit; an exponent beyond `i64` is malformed.
    #[test]
    fn valid_quantities_parse_exactly(parts in quantity_parts()) {
        let text = parts.text();
        let parsed = Amount::parse(&text);
        match parts.expected() {
            Ok(milli) => prop_assert_eq!(parsed, Ok(Amount::from_milli(milli)), "{}", text),
            Err("out of range") => prop_assert!(
                matches!(parsed, Err(QuantityError::OutOfRange { .. })),
                "{} -> {:?}", text, parsed
            ),
            Err(_) => prop_assert!(
                matches!(parsed, Err(QuantityError::Malformed { .. })),
                "{} -> {:?}", text, parsed
            ),
        }
    }

    /// Formatting in either format and parsing back gives the same amount, for every `i128`
    /// (the saturation bounds included), and the spelling is canonical.
    #[test]
    fn format_then_parse_round_trips(amount in any_amount()) {
        for format in [Format::DecimalSi, Format::BinarySi] {
            let text = amount.format(format);
            prop_assert_eq!(Amount::parse(&text), Ok(amount), "{}", text);
            let quantity = amount.to_quantity(format);
            prop_assert_eq!(Amount::from_quantity(&quantity), Ok(amount));
            prop_assert_eq!(Amount::parse(&text).map(|a| a.format(format)), Ok(text));
        }
    }

    /// Adding many amounts with `saturating_add` never wraps: for amounts of one sign the
    /// result is the exact sum clamped to the bounds; `checked_add` is `None` exactly when a
    /// partial sum leaves `i128`.
    #[test]
    fn sums_never_wrap(amounts in proptest::collection::vec(any_amount(), 0..40)) {
        let positive: Vec<Amount> = amounts.iter().map(|a| Amount::from_milli(a.milli().checked_abs().unwrap_or(i128::MAX))).collect();
        let negative: Vec<Amount> = positive.iter().map(|a| Amount::from_milli(-a.milli())).collect();
        for same_sign in [&positive, &negative] {
            let saturated = same_sign.iter().fold(Amount::ZERO, |sum, a| sum.saturating_add(*a));
            prop_assert_eq!(saturated.milli(), clamped_sum(same_sign));
        }
        let mut checked = Some(Amount::ZERO);
        let mut exact = Vec::new();
        for amount in &amounts {
            exact.push(*amount);
            let partial = clamped_sum(&exact);
            checked = checked.and_then(|sum| sum.checked_add(*amount));
            if partial == i128::MAX || partial == i128::MIN {
                // The bound itself is representable; past it checked_add must stop.
                continue;
            }
            if let Some(sum) = checked {
                prop_assert_eq!(sum.milli(), partial);
            }
        }
        // Subtraction is addition of the negation, saturating at the other bound.
        for amount in &amounts {
            let difference = Amount::ZERO.saturating_sub(*amount);
            prop_assert_eq!(difference.milli(), 0i128.saturating_sub(amount.milli()));
            prop_assert!(!amount.clamp_non_negative().is_negative());
        }
    }

    /// `percent` is ⌊a·100/b⌋ clamped into `i32`, 0 for b ≤ 0; within 0..=100 when
    /// 0 ≤ a ≤ b; monotonic in `a`.
    #[test]
    fn percent_is_exact_and_bounded(a in any_amount(), b in any_amount(), c in any_amount()) {
        let p = percent(a, b);
        if b.milli() <= 0 {
            prop_assert_eq!(p, 0);
            return Ok(());
        }
        if let Some(hundred_a) = a.milli().checked_mul(100) {
            let exact = hundred_a.div_euclid(b.milli());
            let clamped = exact.clamp(i128::from(i32::MIN), i128::from(i32::MAX));
            prop_assert_eq!(i128::from(p), clamped);
        }
        if !a.is_negative() && a <= b {
            prop_assert!((0..=100).contains(&p), "{}", p);
        }
        let (low, high) = if a <= c { (a, c) } else { (c, a) };
        prop_assert!(percent(low, b) <= percent(high, b));
    }

    /// Unit conversions stay in range.
    #[test]
    fn unit_conversions_round_up_and_clamp(amount in any_amount()) {
        let units = amount.units_ceil();
        // ceil: units − 1 < milli/1000 ≤ units.
        prop_assert!(units.checked_mul(1000).is_none_or(|m| m >= amount.milli()));
        prop_assert!((units - 1).checked_mul(1000).is_none_or(|m| m < amount.milli()));
        let clamped = amount.units_ceil_i64();
        prop_assert_eq!(i128::from(clamped), units.clamp(i128::from(i64::MIN), i128::from(i64::MAX)));
    }
}
