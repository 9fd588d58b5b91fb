//! [`Amount`]: an exact quantity in milli-units, its saturating and checked arithmetic, and
//! [`percent`]. Reading and spelling amounts are in `parse` and `format`.

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
