//! Kubernetes `resource.Quantity` as an exact integer, without floats.
//!
//! Every figure the operator publishes (capacity, allocatable, allocated, …) is a sum of
//! quantities, and readers compare them with Kubernetes' own numbers, so the arithmetic must be
//! exact: `0.1 + 0.2` CPU must be `300m`, never `299.99…m`. An [`Amount`] is a whole number of
//! **milli-units** (1 CPU = 1000, 1 byte of memory = 1000) held in an `i128`.
//!
//! Why milli-units: it is the finest unit the kube-scheduler uses (`MilliValue()` for CPU), and
//! the API server rejects finer CPU requests; finer inputs (`1n`, `0.1m`) are rounded **up**
//! (away from zero) to the next milli-unit, as Kubernetes rounds a parsed quantity up rather
//! than to zero ("if you want some resources, you should get some").
//!
//! Why `i128` rather than checked `i64`: in milli-units an `i64` tops out at 9.2·10¹⁸, i.e.
//! about 8 PiB of memory. A single `1Ei` (a valid quantity) does not fit, and neither does the
//! memory of a large fleet (10,000 nodes × 1 TiB ≈ 1.1·10¹⁹ bytes ≈ 1.1·10²² milli-bytes), so
//! checked `i64` would turn ordinary fleet sums into errors. `i128` holds ±1.7·10³⁸ milli-units,
//! far beyond any real sum, at the cost of 8 more bytes per stored figure. Arithmetic still
//! saturates at the `i128` bounds so that even adversarial input never wraps silently.

mod format;
mod parse;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

pub use parse::QuantityError;

/// Milli-units per unit.
pub const MILLI_PER_UNIT: i128 = 1000;

/// An exact quantity in milli-units (`Amount::from_milli(1500)` is `1500m` = 1.5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(i128);

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(0);
    /// The largest representable amount; saturating arithmetic stops here.
    pub const MAX: Amount = Amount(i128::MAX);
    /// The smallest representable amount; saturating arithmetic stops here.
    pub const MIN: Amount = Amount(i128::MIN);

    /// An amount of `milli` milli-units.
    pub const fn from_milli(milli: i128) -> Amount {
        Amount(milli)
    }

    /// An amount of whole units (cores, bytes, pods).
    pub const fn from_units(units: i64) -> Amount {
        // An i64 times 1000 always fits in an i128.
        Amount(units as i128 * MILLI_PER_UNIT)
    }

    /// The amount in milli-units.
    pub const fn milli(self) -> i128 {
        self.0
    }

    /// The amount in whole units, rounded up (towards +∞), as Kubernetes' `Quantity.Value()`.
    pub fn units_ceil(self) -> i128 {
        let floor = self.0.div_euclid(MILLI_PER_UNIT);
        if self.0.rem_euclid(MILLI_PER_UNIT) == 0 {
            floor
        } else {
            floor + 1
        }
    }

    /// The amount in whole units rounded up and clamped into `i64` (for count fields such as a
    /// node's pod capacity).
    pub fn units_ceil_i64(self) -> i64 {
        i64::try_from(self.units_ceil()).unwrap_or(if self.0 < 0 { i64::MIN } else { i64::MAX })
    }

    /// `true` for zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `true` below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

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
        parse::parse(text)
    }

    /// Parses a k8s-openapi `Quantity`.
    pub fn from_quantity(quantity: &Quantity) -> Result<Amount, QuantityError> {
        parse::parse(&quantity.0)
    }

    /// `self + other`, or `None` on overflow.
    pub const fn checked_add(self, other: Amount) -> Option<Amount> {
        match self.0.checked_add(other.0) {
            Some(sum) => Some(Amount(sum)),
            None => None,
        }
    }

    /// `self - other`, or `None` on overflow.
    pub const fn checked_sub(self, other: Amount) -> Option<Amount> {
        match self.0.checked_sub(other.0) {
            Some(difference) => Some(Amount(difference)),
            None => None,
        }
    }

    /// `self + other`, stopping at [`Amount::MAX`] / [`Amount::MIN`].
    pub const fn saturating_add(self, other: Amount) -> Amount {
        Amount(self.0.saturating_add(other.0))
    }

    /// `self - other`, stopping at [`Amount::MAX`] / [`Amount::MIN`].
    pub const fn saturating_sub(self, other: Amount) -> Amount {
        Amount(self.0.saturating_sub(other.0))
    }

    /// `self × factor`, stopping at the bounds.
    pub const fn saturating_mul(self, factor: i128) -> Amount {
        Amount(self.0.saturating_mul(factor))
    }

    /// `max(self, 0)`: for figures such as `available` that cannot meaningfully go below zero.
    pub const fn clamp_non_negative(self) -> Amount {
        if self.0 < 0 { Amount::ZERO } else { self }
    }

    /// The canonical Kubernetes spelling in `format` (see [`Format`]).
    pub fn format(self, format: Format) -> String {
        format::format(self.0, format)
    }

    /// The canonical spelling wrapped as a k8s-openapi `Quantity`.
    pub fn to_quantity(self, format: Format) -> Quantity {
        Quantity(self.format(format))
    }
}

impl FromStr for Amount {
    type Err = QuantityError;

    fn from_str(text: &str) -> Result<Amount, QuantityError> {
        parse::parse(text)
    }
}

/// Displays in [`Format::DecimalSi`], e.g. `1500m`, `2k`.
impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Format::DecimalSi))
    }
}

/// How an [`Amount`] is spelled, as Kubernetes' `Quantity.Format`.
///
/// Kubernetes keeps the format of whichever operand came first in a sum, which would make our
/// output depend on the order events arrived in. Instead the format is a fixed property of the
/// resource name ([`Format::for_resource`]), so an unchanged world prints byte-identically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Powers of 1000: `m`, (none), `k`, `M`, `G`, `T`, `P`, `E`; `3200m`, `4`, `5k`.
    DecimalSi,
    /// Powers of 1024 when the value is a whole number ≥ 1024: `Ki` … `Ei`; `9Gi`, `1500`.
    /// Fractions and values below 1024 fall back to [`Format::DecimalSi`], as in Kubernetes.
    BinarySi,
}

impl Format {
    /// The format Kubernetes components report a resource in: byte-sized resources (`memory`,
    /// `ephemeral-storage`, `storage`, `hugepages-*`) in binary SI, everything else (`cpu`,
    /// `pods`, extended resources such as `nvidia.com/gpu`) in decimal SI.
    pub fn for_resource(name: &str) -> Format {
        match name {
            "memory" | "ephemeral-storage" | "storage" => Format::BinarySi,
            _ if name.starts_with("hugepages-") => Format::BinarySi,
            _ => Format::DecimalSi,
        }
    }
}

/// `floor(allocated × 100 ÷ allocatable)`, 0 when `allocatable` is zero or negative, clamped
/// into `i32`. May exceed 100 (pods bound past the scheduler) and is negative only for negative
/// `allocated`.
pub fn percent(allocated: Amount, allocatable: Amount) -> i32 {
    let (a, b) = (allocated.0, allocatable.0);
    if b <= 0 {
        return 0;
    }
    // floor(a·100/b) = 100·floor(a/b) + floor(100·(a mod b)/b), without overflowing a·100.
    let whole = a.div_euclid(b);
    let fraction = hundredths(a.rem_euclid(b).unsigned_abs(), b.unsigned_abs());
    let total = whole.saturating_mul(100).saturating_add(fraction);
    i32::try_from(total).unwrap_or(if total < 0 { i32::MIN } else { i32::MAX })
}

/// `floor(100 × rest ÷ divisor)` for `rest < divisor ≤ 2¹²⁷`, exactly and without overflow: two
/// steps of long division in base 10, each multiplying by 10 through repeated modular addition
/// (`acc + rest < 2 × divisor ≤ 2¹²⁸` always fits a `u128`).
fn hundredths(rest: u128, divisor: u128) -> i128 {
    let mut result = 0;
    let mut remainder = rest;
    for _ in 0..2 {
        let mut digit = 0;
        let mut acc: u128 = 0;
        for _ in 0..10 {
            acc += remainder;
            if acc >= divisor {
                acc -= divisor;
                digit += 1;
            }
        }
        result = result * 10 + digit;
        remainder = acc;
    }
    result
}
