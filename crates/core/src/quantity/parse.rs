//! Reading an [`Amount`]: `<sign><digits>[.<digits>]<suffix>` into exact milli-units.
//!
//! The number is kept as a string of decimal digits until the very end, so that a fraction with
//! a binary suffix (`1.5Gi`), a decimal exponent (`1e-2`) or a long fraction (`0.0000001`) is
//! converted without any intermediate rounding; the only rounding is the final one to a whole
//! milli-unit, away from zero, as Kubernetes rounds. Every step is checked: malformed input is
//! an error, never a panic, and a value outside `i128` milli-units (above `2¹²⁷ − 1`, below
//! `−2¹²⁷`, i.e. beyond ±1.7·10³⁸) is [`QuantityError::OutOfRange`]. Both bounds parse, so
//! [`Amount::MAX`] and [`Amount::MIN`], where saturating sums stop, print and parse back.

use std::str::FromStr;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::amount::Amount;

impl Amount {
    /// Parses a Kubernetes quantity string (`"1500m"`, `"1.5Gi"`, `"1e3"`, `"-2"`, …).
    ///
    /// Never panics and never wraps: a value finer than a milli-unit is rounded up (away from
    /// zero); a value outside [`Amount::MIN`]`..=`[`Amount::MAX`] is
    /// [`QuantityError::OutOfRange`] (it does not saturate: a figure that large is a mistake
    /// worth reporting); an unknown suffix is [`QuantityError::UnknownSuffix`]; anything else
    /// that is not a quantity, including an exponent beyond `i64`, is
    /// [`QuantityError::Malformed`]. Everything [`Amount::format`] prints, the bounds included,
    /// parses back to the same amount.
    pub fn parse(text: &str) -> Result<Amount, QuantityError> {
        parse(text)
    }

    /// Parses a k8s-openapi `Quantity`.
    pub fn from_quantity(quantity: &Quantity) -> Result<Amount, QuantityError> {
        parse(&quantity.0)
    }
}

impl FromStr for Amount {
    type Err = QuantityError;

    fn from_str(text: &str) -> Result<Amount, QuantityError> {
        parse(text)
    }
}

/// Digits a magnitude can have: 10³⁹ > u128::MAX ≈ 3.4·10³⁸ > 2¹²⁷, so 40 or more significant
/// digits always overflow.
const MAX_MAGNITUDE_DIGITS: i128 = 39;

/// Longest input echoed back in an error message.
const MAX_ECHO: usize = 64;

/// Why a quantity string was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// The empty string.
    #[error("empty quantity")]
    Empty,
    /// Not `<sign><number><suffix>` (no digits, stray characters, a bad exponent).
    #[error("malformed quantity {input:?}: {reason}")]
    Malformed {
        /// The input (shortened when long).
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A suffix Kubernetes does not define, e.g. `1KB`.
    #[error("unknown suffix {suffix:?} in quantity {input:?}")]
    UnknownSuffix {
        /// The input (shortened when long).
        input: String,
        /// The unrecognised suffix (shortened when long).
        suffix: String,
    },
    /// Too large for ±1.7·10³⁸ milli-units.
    #[error("quantity {input:?} is out of range")]
    OutOfRange {
        /// The input (shortened when long).
        input: String,
    },
}

/// The scale a suffix applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Multiplier {
    /// × 10^e (`m`, `k`, …, `E`, and `e<n>` / `E<n>` exponents).
    Decimal(i64),
    /// × 1024^n (`Ki` = 1 … `Ei` = 6).
    Binary(u32),
}

fn parse(text: &str) -> Result<Amount, QuantityError> {
    let (negative, unsigned) = match text.as_bytes().first() {
        None => return Err(QuantityError::Empty),
        // The first byte is an ASCII sign, so slicing after it is on a character boundary.
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        Some(_) => (false, text),
    };
    // `leading_digits` counts ASCII bytes from the start, so both splits are within the string
    // and on character boundaries.
    let int_len = leading_digits(unsigned);
    let (int_digits, after_int) = unsigned.split_at(int_len);
    let (frac_digits, suffix) = match after_int.strip_prefix('.') {
        Some(after_point) => after_point.split_at(leading_digits(after_point)),
        None => ("", after_int),
    };
    if int_digits.is_empty() && frac_digits.is_empty() {
        return Err(malformed(text, "no digits"));
    }
    let multiplier = parse_suffix(text, suffix)?;
    let magnitude = to_milli(int_digits.as_bytes(), frac_digits.as_bytes(), multiplier);
    // −2¹²⁷ has a magnitude one above i128::MAX: the sign is applied in unsigned arithmetic.
    let milli = magnitude.and_then(|m| {
        if negative {
            0i128.checked_sub_unsigned(m)
        } else {
            i128::try_from(m).ok()
        }
    });
    milli
        .map(Amount::from_milli)
        .ok_or_else(|| QuantityError::OutOfRange { input: echo(text) })
}

/// Number of leading ASCII digits.
fn leading_digits(text: &str) -> usize {
    text.bytes().take_while(u8::is_ascii_digit).count()
}

fn parse_suffix(text: &str, suffix: &str) -> Result<Multiplier, QuantityError> {
    let multiplier = match suffix {
        "" => Multiplier::Decimal(0),
        "n" => Multiplier::Decimal(-9),
        "u" => Multiplier::Decimal(-6),
        "m" => Multiplier::Decimal(-3),
        "k" => Multiplier::Decimal(3),
        "M" => Multiplier::Decimal(6),
        "G" => Multiplier::Decimal(9),
        "T" => Multiplier::Decimal(12),
        "P" => Multiplier::Decimal(15),
        "E" => Multiplier::Decimal(18),
        "Ki" => Multiplier::Binary(1),
        "Mi" => Multiplier::Binary(2),
        "Gi" => Multiplier::Binary(3),
        "Ti" => Multiplier::Binary(4),
        "Pi" => Multiplier::Binary(5),
        "Ei" => Multiplier::Binary(6),
        _ => match suffix.strip_prefix(['e', 'E']) {
            Some(exponent) => Multiplier::Decimal(parse_exponent(text, exponent)?),
            None => {
                return Err(QuantityError::UnknownSuffix {
                    input: echo(text),
                    suffix: echo(suffix),
                });
            }
        },
    };
    Ok(multiplier)
}

/// `[+-]?<digits>` after `e`/`E`: any exponent in `i64` (as Go's `ParseInt`, `i64::MIN`
/// included); beyond it the quantity is malformed.
fn parse_exponent(text: &str, exponent: &str) -> Result<i64, QuantityError> {
    let (negative, digits) = match exponent.as_bytes().first() {
        // The first byte is an ASCII sign, so slicing after it is on a character boundary.
        Some(b'-') => (true, &exponent[1..]),
        Some(b'+') => (false, &exponent[1..]),
        _ => (false, exponent),
    };
    if digits.is_empty() || leading_digits(digits) != digits.len() {
        return Err(QuantityError::UnknownSuffix {
            input: echo(text),
            suffix: echo(exponent),
        });
    }
    // Accumulated towards the exponent's sign, so that i64::MIN (whose magnitude is not an
    // i64) is reached without overflowing.
    let sign = if negative { -1 } else { 1 };
    let mut value: i64 = 0;
    for digit in digits.bytes() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(sign * i64::from(digit - b'0')))
            .ok_or_else(|| malformed(text, "exponent out of range"))?;
    }
    Ok(value)
}

/// The magnitude in milli-units, rounded up; `None` when it does not fit a `u128`.
fn to_milli(int_digits: &[u8], frac_digits: &[u8], multiplier: Multiplier) -> Option<u128> {
    to_milli_fast(int_digits, frac_digits, multiplier)
        .or_else(|| to_milli_digits(int_digits, frac_digits, multiplier))
}

/// [`to_milli`] in plain `u128` arithmetic, for the quantities Kubernetes objects actually
/// carry (`250m`, `1.5Gi`, `93478772582`): every step is exact or checked, so the result is
/// the same as the digit-vector computation's, without its allocations (quantity
/// parsing was 4% of ingest). `None` whenever a step would not fit; the caller then runs the
/// digit-vector computation, which also decides whether the value is out of range.
fn to_milli_fast(int_digits: &[u8], frac_digits: &[u8], multiplier: Multiplier) -> Option<u128> {
    // 38 decimal digits are below 10³⁸ < u128::MAX: accumulating them cannot overflow.
    if int_digits.len() + frac_digits.len() > 38 {
        return None;
    }
    let mut value = accumulate_ascii(int_digits.iter().chain(frac_digits));
    // The value is `value` × 10^shift (× 1024^power for a binary suffix).
    let mut shift = 3 - i64::try_from(frac_digits.len()).ok()?;
    match multiplier {
        Multiplier::Decimal(exponent) => shift = shift.checked_add(exponent)?,
        Multiplier::Binary(power) => value = value.checked_mul(1024u128.checked_pow(power)?)?,
    }
    if shift >= 0 {
        return value.checked_mul(10u128.checked_pow(u32::try_from(shift).ok()?)?);
    }
    // Divide by 10^-shift, rounding a non-zero remainder up. Beyond 10³⁸ the divisor exceeds
    // `value`: the quotient is 0 and any non-zero value rounds up to 1m.
    let divisor = u32::try_from(shift.unsigned_abs())
        .ok()
        .and_then(|down| 10u128.checked_pow(down));
    Some(match divisor {
        Some(divisor) => value / divisor + u128::from(value % divisor != 0),
        None => u128::from(value != 0),
    })
}

/// ASCII digits to an integer; the caller bounds their number so that it cannot overflow.
fn accumulate_ascii<'a>(digits: impl Iterator<Item = &'a u8>) -> u128 {
    // `d - b'0'` is 0–9: the callers pass runs of ASCII digits (`leading_digits`).
    digits.fold(0u128, |value, d| value * 10 + u128::from(d - b'0'))
}

/// [`to_milli`] on a vector of decimal digits: any number of digits and any exponent.
fn to_milli_digits(int_digits: &[u8], frac_digits: &[u8], multiplier: Multiplier) -> Option<u128> {
    // The value is `digits` (an integer) × 10^shift. The callers pass runs of ASCII digits
    // (`leading_digits`), so `d - b'0'` is 0–9 and cannot underflow.
    let mut digits: Vec<u8> = int_digits
        .iter()
        .chain(frac_digits)
        .map(|d| d - b'0')
        .collect();
    let frac_len = i128::try_from(frac_digits.len()).ok()?;
    let mut shift: i128 = 3 - frac_len;
    match multiplier {
        Multiplier::Decimal(exponent) => shift += i128::from(exponent),
        Multiplier::Binary(power) => {
            for _ in 0..power {
                multiply_digits(&mut digits, 1024);
            }
        }
    }
    let Some(start) = digits.iter().position(|&d| d != 0) else {
        return Some(0);
    };
    // `start` is an index `position` found in `digits`.
    let digits = &digits[start..];
    let len = i128::try_from(digits.len()).ok()?;
    if shift >= 0 {
        if len + shift > MAX_MAGNITUDE_DIGITS {
            return None;
        }
        let mut value = accumulate(digits)?;
        for _ in 0..shift {
            value = value.checked_mul(10)?;
        }
        return Some(value);
    }
    // Negative shift: the last -shift digits are the sub-milli fraction.
    let integer_len = len + shift;
    if integer_len <= 0 {
        // 0 < value < 1m: rounds up to 1m.
        return Some(1);
    }
    if integer_len > MAX_MAGNITUDE_DIGITS {
        return None;
    }
    // 0 < integer_len = len + shift < len (shift < 0), so the split is inside `digits`.
    let split = usize::try_from(integer_len).ok()?;
    let (integer, fraction) = digits.split_at(split);
    let value = accumulate(integer)?;
    if fraction.iter().any(|&d| d != 0) {
        value.checked_add(1)
    } else {
        Some(value)
    }
}

/// Decimal digits (values 0–9) to an integer; `None` on overflow.
fn accumulate(digits: &[u8]) -> Option<u128> {
    digits.iter().try_fold(0u128, |value, &digit| {
        value.checked_mul(10)?.checked_add(u128::from(digit))
    })
}

/// `digits × factor` in place, on a big-endian vector of decimal digits.
fn multiply_digits(digits: &mut Vec<u8>, factor: u32) {
    // digit ≤ 9 and factor = 1024: product < 10·1024 + carry, and carry < 1024, so nothing
    // overflows a u32 and `% 10` fits a u8.
    let mut carry: u32 = 0;
    for digit in digits.iter_mut().rev() {
        let product = u32::from(*digit) * factor + carry;
        *digit = (product % 10) as u8;
        carry = product / 10;
    }
    let mut prefix = Vec::new();
    while carry > 0 {
        prefix.push((carry % 10) as u8);
        carry /= 10;
    }
    prefix.reverse();
    digits.splice(0..0, prefix);
}

fn malformed(text: &str, reason: &'static str) -> QuantityError {
    QuantityError::Malformed {
        input: echo(text),
        reason,
    }
}

/// At most [`MAX_ECHO`] characters of `text`, so that a huge input does not become a huge error.
fn echo(text: &str) -> String {
    match text.char_indices().nth(MAX_ECHO) {
        // `end` comes from `char_indices`: a character boundary inside `text`.
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wherever the fast path answers, it answers what the digit vectors do: digit counts
    /// around its 38-digit limit, every suffix, exponents far in both directions.
    #[test]
    fn the_fast_path_agrees_with_the_digit_vectors() {
        let numbers = [
            ("0", ""),
            ("1", ""),
            ("", "5"),
            ("250", ""),
            ("1", "5"),
            ("0", "0001"),
            ("0", "0000000000000000000001"),
            ("99999999999999999999999999999999999999", ""),
            ("9999999999999999999999999999999999999", "9"),
            ("340282366920938463463374607431768211455", ""),
            ("17014118346046923173168730371588410572", "8"),
            ("123456789", "123456789123456789"),
        ];
        let mut multipliers: Vec<Multiplier> = (0..=6).map(Multiplier::Binary).collect();
        for exponent in [
            -40, -39, -38, -12, -9, -3, -1, 0, 1, 3, 18, 34, 35, 36, 38, 40,
        ] {
            multipliers.push(Multiplier::Decimal(exponent));
        }
        multipliers.extend([Multiplier::Decimal(i64::MIN), Multiplier::Decimal(i64::MAX)]);
        let mut answered = 0;
        for (int, frac) in numbers {
            for &multiplier in &multipliers {
                let (int, frac) = (int.as_bytes(), frac.as_bytes());
                let slow = to_milli_digits(int, frac, multiplier);
                if let Some(fast) = to_milli_fast(int, frac, multiplier) {
                    answered += 1;
                    assert_eq!(Some(fast), slow, "{int:?}.{frac:?} {multiplier:?}");
                }
            }
        }
        assert!(
            answered > 150,
            "the fast path answers the usual cases ({answered})"
        );
    }
}
