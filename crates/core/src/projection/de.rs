//! Serde helpers for the wire structs of the slim projections.
//!
//! The wire structs name only the fields the projections need and skip every other key with
//! `IgnoredAny`, without allocating for it, so a 30 KB Pod with `managedFields` costs no more to
//! decode than the few hundred bytes we keep (see [`super::wire`] for how they are decoded).
//! Every field defaults when absent and also when `null`, so an odd object (a pod without
//! status, `containers: null`) decodes.

use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

use super::wire::{FromBytes, IsTrue, Matched, element, wire_struct};
use crate::interner::intern_str;

/// A string interned as it is decoded (namespace, taint, kubelet version, condition reason).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IStr(pub(crate) Arc<str>);

impl IStr {
    /// `None` for the empty string, which Kubernetes uses for "unset" (e.g. `nodeName: ""`).
    pub(crate) fn non_empty(value: Option<IStr>) -> Option<Arc<str>> {
        value.map(|v| v.0).filter(|v| !v.is_empty())
    }
}

impl<'de> Deserialize<'de> for IStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(IStrVisitor)
    }
}

struct IStrVisitor;

impl Visitor<'_> for IStrVisitor {
    type Value = IStr;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<IStr, E> {
        Ok(IStr(intern_str(value)))
    }
}

/// A string kept in its own `Arc` (decoded straight into it, without a `String` first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SharedStr(pub(crate) Arc<str>);

impl SharedStr {
    /// `None` for the empty string, as [`IStr::non_empty`].
    pub(crate) fn non_empty(value: Option<SharedStr>) -> Option<Arc<str>> {
        value.map(|v| v.0).filter(|v| !v.is_empty())
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(SharedStrVisitor)
    }
}

struct SharedStrVisitor;

impl Visitor<'_> for SharedStrVisitor {
    type Value = SharedStr;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<SharedStr, E> {
        Ok(SharedStr(Arc::from(value)))
    }
}

/// The condition types the Node projection reads (a Pod's are read by `pod_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConditionType {
    Ready,
    MemoryPressure,
    DiskPressure,
    PidPressure,
    NetworkUnavailable,
}

impl ConditionType {
    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A condition's `type`: one we read, or `None` for any other.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct TypeOf(Option<ConditionType>);

impl FromBytes for TypeOf {
    fn from_bytes(value: &[u8]) -> Self {
        TypeOf(match value {
            b"Ready" => Some(ConditionType::Ready),
            b"MemoryPressure" => Some(ConditionType::MemoryPressure),
            b"DiskPressure" => Some(ConditionType::DiskPressure),
            b"PIDPressure" => Some(ConditionType::PidPressure),
            b"NetworkUnavailable" => Some(ConditionType::NetworkUnavailable),
            _ => None,
        })
    }
}

wire_struct! {
    /// One entry of `status.conditions` (Node or Pod): only type and status are read.
    struct WireCondition {
        "type" => type_: Matched<TypeOf>,
        "status" => status: Matched<IsTrue>,
    }
}

/// `status.conditions`, reduced while it is decoded to which of the [`ConditionType`]s are
/// `True`: no list, no strings. The first entry of a type decides, as in Kubernetes' helpers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Conditions {
    seen: u8,
    true_: u8,
}

impl Conditions {
    /// `true` when the first condition of `type_` has status `True`.
    pub(crate) fn is_true(self, type_: ConditionType) -> bool {
        self.true_ & type_.bit() != 0
    }

    fn record(&mut self, condition: &WireCondition) {
        let Some(type_) = condition.type_.0.0 else {
            return;
        };
        if self.seen & type_.bit() == 0 {
            self.seen |= type_.bit();
            if condition.status.0.0 {
                self.true_ |= type_.bit();
            }
        }
    }
}

impl<'de> Deserialize<'de> for Conditions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ConditionsVisitor)
    }
}

struct ConditionsVisitor;

impl<'de> Visitor<'de> for ConditionsVisitor {
    type Value = Conditions;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of conditions")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Conditions, A::Error> {
        let mut conditions = Conditions::default();
        while let Some(condition) = element::<WireCondition, A>(&mut seq)? {
            conditions.record(&condition);
        }
        Ok(conditions)
    }
}
