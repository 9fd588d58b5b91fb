//! A Node's labels and taints as [`super::SlimNode`] keeps them: every label (a pod's node
//! selector and required node affinity may name any), with the roles, zone and instance type
//! read out of them, and the taints a pod must tolerate.

use std::sync::Arc;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::de::IStr;
use super::label_set::NodeLabelSet;
use super::wire::{FromBytes, Matched, element, wire_struct};
use crate::interner::intern_str;

const ROLE_PREFIX: &str = "node-role.kubernetes.io/";
const LEGACY_ROLE: &str = "kubernetes.io/role";
const ZONE: &str = "topology.kubernetes.io/zone";
const ZONE_BETA: &str = "failure-domain.beta.kubernetes.io/zone";
const INSTANCE_TYPE: &str = "node.kubernetes.io/instance-type";
const INSTANCE_TYPE_BETA: &str = "beta.kubernetes.io/instance-type";

/// `metadata.labels` as text, in the order they came: every key and value appended to one
/// string, so that decoding a node's labels allocates once or twice, not once per string. A
/// `null` value reads as empty.
#[derive(Default)]
pub(super) struct NodeLabels {
    text: String,
    /// Where each label's key and value end in `text`; each starts where the one before ends.
    ends: Vec<(usize, usize)>,
}

impl NodeLabels {
    /// As the index keeps them (see [`NodeLabelSet::from_text`]).
    pub(super) fn into_set(self) -> NodeLabelSet {
        let mut start = 0;
        let pairs = self.ends.iter().map(|&(key_end, value_end)| {
            let key = self.text.get(start..key_end).unwrap_or_default();
            let value = self.text.get(key_end..value_end).unwrap_or_default();
            start = value_end;
            (key, value)
        });
        NodeLabelSet::from_text(pairs.collect())
    }
}

/// Roles from `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value,
/// sorted, without duplicates.
pub(super) fn roles(labels: &NodeLabelSet) -> Vec<Arc<str>> {
    let mut roles: Vec<Arc<str>> = labels
        .iter()
        .filter_map(|(key, _)| key.strip_prefix(ROLE_PREFIX))
        .filter(|role| !role.is_empty())
        .map(intern_str)
        .chain(value(labels, LEGACY_ROLE))
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// `topology.kubernetes.io/zone`, else the beta label.
pub(super) fn zone(labels: &NodeLabelSet) -> Option<Arc<str>> {
    value(labels, ZONE).or_else(|| value(labels, ZONE_BETA))
}

/// `node.kubernetes.io/instance-type`, else the beta label.
pub(super) fn instance_type(labels: &NodeLabelSet) -> Option<Arc<str>> {
    value(labels, INSTANCE_TYPE).or_else(|| value(labels, INSTANCE_TYPE_BETA))
}

/// The label's value, unless it is empty.
fn value(labels: &NodeLabelSet, key: &str) -> Option<Arc<str>> {
    labels.get(key).filter(|v| !v.is_empty()).cloned()
}

impl<'de> Deserialize<'de> for NodeLabels {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_option(LabelsVisitor)
    }
}

struct LabelsVisitor;

impl<'de> Visitor<'de> for LabelsVisitor {
    type Value = NodeLabels;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map of labels")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<NodeLabels, E> {
        Ok(NodeLabels::default())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<NodeLabels, E> {
        Ok(NodeLabels::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NodeLabels, D::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeLabels, A::Error> {
        // Room for a cloud node's labels (20 or so, about 800 bytes) from the start: growing
        // the text and the offsets from empty cost a node a dozen reallocations.
        let mut labels = NodeLabels {
            text: String::with_capacity(1024),
            ends: Vec::with_capacity(32),
        };
        while map.next_key_seed(Append(&mut labels.text))?.is_some() {
            let key_end = labels.text.len();
            map.next_value_seed(AppendOrNull(&mut labels.text))?;
            labels.ends.push((key_end, labels.text.len()));
        }
        Ok(labels)
    }
}

/// Decodes a string by appending it to a buffer.
struct Append<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for Append<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Append<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<(), E> {
        self.0.push_str(value);
        Ok(())
    }
}

/// [`Append`] for a value that may be `null`, which appends nothing.
struct AppendOrNull<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for AppendOrNull<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for AppendOrNull<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        Append(self.0).deserialize(d)
    }
}

/// What a taint keeps pods from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaintEffect {
    /// New pods are not scheduled unless they tolerate it.
    NoSchedule,
    /// The scheduler avoids the node, but may use it.
    PreferNoSchedule,
    /// New pods are not scheduled, running ones evicted, unless they tolerate it.
    NoExecute,
    /// Empty, or an effect this operator does not know.
    #[default]
    Other,
}

impl TaintEffect {
    /// The effect as Kubernetes spells it (`""` for [`TaintEffect::Other`]).
    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
            TaintEffect::Other => "",
        }
    }
}

impl FromBytes for TaintEffect {
    fn from_bytes(value: &[u8]) -> Self {
        match value {
            b"NoSchedule" => TaintEffect::NoSchedule,
            b"PreferNoSchedule" => TaintEffect::PreferNoSchedule,
            b"NoExecute" => TaintEffect::NoExecute,
            _ => TaintEffect::Other,
        }
    }
}

impl From<&str> for TaintEffect {
    fn from(value: &str) -> Self {
        TaintEffect::from_bytes(value.as_bytes())
    }
}

/// One of `spec.taints` (key and value interned; an absent value is empty).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Taint {
    pub key: Arc<str>,
    pub value: Arc<str>,
    pub effect: TaintEffect,
}

wire_struct! {
    struct WireTaint {
        "key" => key: Option<IStr>,
        "value" => value: Option<IStr>,
        "effect" => effect: Matched<TaintEffect>,
    }
}

/// `spec.taints`.
#[derive(Default)]
pub(super) struct WireTaints(pub(super) Vec<Taint>);

impl<'de> Deserialize<'de> for WireTaints {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(TaintsVisitor)
    }
}

struct TaintsVisitor;

impl<'de> Visitor<'de> for TaintsVisitor {
    type Value = WireTaints;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of taints")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<WireTaints, A::Error> {
        let mut taints = Vec::new();
        while let Some(taint) = element::<WireTaint, A>(&mut seq)? {
            let text = |s: Option<IStr>| s.map_or_else(|| intern_str(""), |s| s.0);
            taints.push(Taint {
                key: text(taint.key),
                value: text(taint.value),
                effect: taint.effect.0,
            });
        }
        Ok(WireTaints(taints))
    }
}
