//! Serde helpers for the wire structs of the slim projections.
//!
//! The wire structs name only the fields the projections need; serde's derive skips every other
//! key with `IgnoredAny`, without allocating for it, so a 30 KB Pod with `managedFields` costs
//! no more to decode than the few hundred bytes we keep. Every field defaults when absent and
//! also when `null`, so an odd object (a pod without status, `containers: null`) decodes.

use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, Visitor};

use crate::intern::intern_str;

/// Decodes `null` as the type's default (serde's `default` covers only absent fields).
pub(crate) fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A string interned as it is decoded (namespace, node name, resource name, owner kind).
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

/// One entry of `status.conditions` (Node or Pod): only type and status are read.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct WireCondition {
    #[serde(rename = "type", deserialize_with = "null_default")]
    pub(crate) type_: String,
    #[serde(deserialize_with = "null_default")]
    pub(crate) status: String,
}

impl WireCondition {
    /// `true` when `status` is `True`.
    pub(crate) fn is_true(&self) -> bool {
        self.status == "True"
    }
}

/// `true` when the condition of `type_` is present with status `True` (the first one wins, as
/// in Kubernetes' helpers).
pub(crate) fn condition_true(conditions: &[WireCondition], type_: &str) -> bool {
    conditions
        .iter()
        .find(|c| c.type_ == type_)
        .is_some_and(WireCondition::is_true)
}
