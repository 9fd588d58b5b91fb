//! A Node's labels and taints as [`super::SlimNode`] keeps them: every label (a pod's node
//! selector and required node affinity may name any), with the roles, zone and instance type
//! read out of them, and the taints a pod must tolerate.

use std::sync::Arc;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};

use super::de::IStr;
use super::label_set::NodeLabelSet;
use super::wire::{FromBytes, Matched, wire_struct};
use crate::interner::intern_str;

const ROLE_PREFIX: &str = "node-role.kubernetes.io/";
const LEGACY_ROLE: &str = "kubernetes.io/role";
const ZONE: &str = "topology.kubernetes.io/zone";
const ZONE_BETA: &str = "failure-domain.beta.kubernetes.io/zone";
const INSTANCE_TYPE: &str = "node.kubernetes.io/instance-type";
const INSTANCE_TYPE_BETA: &str = "beta.kubernetes.io/instance-type";

/// `metadata.labels`, in the order they came; a `null` value reads as empty.
#[derive(Default)]
pub(super) struct NodeLabels(Vec<(Arc<str>, Arc<str>)>);

impl NodeLabels {
    /// As the index keeps them: sorted by key, of a repeated key the last value (as a map
    /// keeps it), what nodes share held once.
    pub(super) fn into_set(self) -> NodeLabelSet {
        NodeLabelSet::from_pairs(self.0)
    }

    fn value(&self, key: &str) -> Option<Arc<str>> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| Arc::clone(v))
            .filter(|v| !v.is_empty())
    }

    /// Roles from `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value,
    /// sorted, without duplicates.
    pub(super) fn roles(&self) -> Vec<Arc<str>> {
        let mut roles: Vec<Arc<str>> = self
            .0
            .iter()
            .filter_map(|(key, _)| key.strip_prefix(ROLE_PREFIX))
            .filter(|role| !role.is_empty())
            .map(intern_str)
            .chain(self.value(LEGACY_ROLE))
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }

    /// `topology.kubernetes.io/zone`, else the beta label.
    pub(super) fn zone(&self) -> Option<Arc<str>> {
        self.value(ZONE).or_else(|| self.value(ZONE_BETA))
    }

    /// `node.kubernetes.io/instance-type`, else the beta label.
    pub(super) fn instance_type(&self) -> Option<Arc<str>> {
        self.value(INSTANCE_TYPE)
            .or_else(|| self.value(INSTANCE_TYPE_BETA))
    }
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
        let mut labels = NodeLabels::default();
        while let Some(key) = map.next_key::<IStr>()? {
            let value = map
                .next_value::<Option<IStr>>()?
                .map_or_else(|| intern_str(""), |v| v.0);
            labels.0.push((key.0, value));
        }
        Ok(labels)
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
        while let Some(taint) = seq.next_element::<WireTaint>()? {
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
