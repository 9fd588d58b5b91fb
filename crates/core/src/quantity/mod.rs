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
//!
//! - `amount`: [`Amount`], its arithmetic and [`percent`].
//! - `parse`: reading quantity strings ([`Amount::parse`], [`QuantityError`]).
//! - `format`: writing them ([`Format`], [`Amount::format`]).
//! - `sum`: exact running sums of amounts (`ExactSum`), which stay exact when contributions
//!   are taken back.

mod amount;
mod format;
mod parse;
mod sum;
#[cfg(test)]
mod tests;

pub use amount::{Amount, MILLI_PER_UNIT, percent};
pub use format::Format;
pub use parse::QuantityError;
pub(crate) use sum::{ExactSum, Sign};
