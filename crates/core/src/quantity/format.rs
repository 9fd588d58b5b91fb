//! How an [`Amount`] is written: the [`Format`] a resource is reported in, and the canonical
//! spelling, following Kubernetes' `Quantity.CanonicalizeBytes`.
//!
//! - Decimal SI: the largest power of 1000 that divides the value exactly picks the suffix
//!   (`120500m`, `4`, `5k`, `1M`); beyond `E` (10¹⁸), where SI has no suffix, a decimal exponent
//!   (`1e21`), which is what Kubernetes falls back to as well.
//! - Binary SI: a whole number of at least 1024 in magnitude is written with the largest
//!   power of 1024 that divides it, up to `Ei` (`9Gi`, `94284368Ki`, `1500`); fractions and
//!   smaller values are written in decimal SI so that nothing is rounded (`512`, `1500m`).
//!
//! Every output parses back to the same amount (tested).

use std::fmt;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::amount::{Amount, MILLI_PER_UNIT};

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

impl Amount {
    /// The canonical Kubernetes spelling in `format` (see [`Format`]).
    pub fn format(self, format: Format) -> String {
        spell(self.milli(), format)
    }

    /// The canonical spelling wrapped as a k8s-openapi `Quantity`.
    pub fn to_quantity(self, format: Format) -> Quantity {
        Quantity(self.format(format))
    }
}

/// Displays in [`Format::DecimalSi`], e.g. `1500m`, `2k`.
impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Format::DecimalSi))
    }
}

const BINARY_SUFFIXES: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

fn spell(milli: i128, format: Format) -> String {
    if milli == 0 {
        return "0".to_owned();
    }
    if format == Format::BinarySi
        && let Some(text) = binary(milli)
    {
        return text;
    }
    decimal(milli)
}

fn binary(milli: i128) -> Option<String> {
    if milli % MILLI_PER_UNIT != 0 {
        return None;
    }
    let units = milli / MILLI_PER_UNIT;
    if units.unsigned_abs() < 1024 {
        return None;
    }
    let mut mantissa = units;
    let mut power = 0;
    while power < BINARY_SUFFIXES.len() - 1 && mantissa % 1024 == 0 {
        mantissa /= 1024;
        power += 1;
    }
    // The loop stops at the last index at the latest, so `power` is in bounds.
    Some(format!("{mantissa}{}", BINARY_SUFFIXES[power]))
}

fn decimal(milli: i128) -> String {
    // milli ≠ 0, so the loop ends.
    let mut mantissa = milli;
    let mut exponent: i32 = -3;
    while mantissa % 1000 == 0 {
        mantissa /= 1000;
        exponent += 3;
    }
    let suffix = match exponent {
        -3 => "m",
        0 => "",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        18 => "E",
        _ => return format!("{mantissa}e{exponent}"),
    };
    format!("{mantissa}{suffix}")
}
