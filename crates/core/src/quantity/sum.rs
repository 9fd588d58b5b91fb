//! Sums of amounts that can be decremented exactly: [`ExactSum`], and the [`Sign`] of a
//! contribution. What makes a running total kept per event equal to a from-scratch
//! recomputation, for the index's figures and the builders' fleet sums alike.

use super::amount::Amount;

/// Whether a contribution is being added or taken back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sign {
    Add,
    Remove,
}

impl Sign {
    pub(crate) fn count(self) -> i64 {
        match self {
            Sign::Add => 1,
            Sign::Remove => -1,
        }
    }
}

/// An exact sum of amounts: an `i128` that wraps, plus a count of wraps.
///
/// Saturating arithmetic is not invertible (`MAX + 1 − 1 ≠ MAX + (1 − 1)`), so a running total
/// kept with it would drift from a recomputation once it touched a bound. Wrapping arithmetic is
/// invertible, and counting the wraps makes the sum exact (a 192-bit integer); reading it
/// saturates to [`Amount::MAX`]/[`Amount::MIN`] when the true value is out of range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ExactSum {
    low: i128,
    wraps: i64,
}

impl ExactSum {
    pub(crate) fn add(&mut self, amount: Amount, sign: Sign) {
        let x = amount.milli();
        let (low, wrapped) = match sign {
            Sign::Add => self.low.overflowing_add(x),
            Sign::Remove => self.low.overflowing_sub(x),
        };
        self.low = low;
        if wrapped {
            // Adding a positive (or removing a negative) amount wraps upwards. One wrap takes
            // at least 2¹²⁷ milli-units of change, so the i64 counter would need 2⁶³ events
            // of the largest amounts to overflow: it cannot in practice, and it saturates.
            let upwards = (x > 0) == (sign == Sign::Add);
            self.wraps = self.wraps.saturating_add(if upwards { 1 } else { -1 });
        }
    }

    pub(crate) fn value(self) -> Amount {
        match self.wraps {
            0 => Amount::from_milli(self.low),
            w if w > 0 => Amount::MAX,
            _ => Amount::MIN,
        }
    }
}
