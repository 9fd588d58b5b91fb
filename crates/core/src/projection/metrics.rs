//! `metrics.k8s.io/v1beta1` NodeMetrics, decoded into what the usage figures need: the node's
//! name, its CPU and memory use, and when they were measured. Polled, not watched: the metrics
//! API serves no watches.

use crate::quantity::Amount;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// `NodeMetricsList`: only its items.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct NodeMetricsList {
    #[serde(default)]
    pub items: Vec<NodeUsage>,
}

/// One node's measured use. Unparsable quantities are dropped rather than failing the list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeUsage {
    pub name: String,
    pub cpu: Option<Amount>,
    pub memory: Option<Amount>,
    /// RFC 3339 time of the measurement, as reported.
    pub timestamp: Option<String>,
}

impl<'de> Deserialize<'de> for NodeUsage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Default, Deserialize)]
        #[serde(default)]
        struct Meta {
            name: String,
        }
        #[derive(Default, Deserialize)]
        #[serde(default)]
        struct Wire {
            metadata: Meta,
            timestamp: Option<String>,
            usage: BTreeMap<String, String>,
        }
        let wire = Wire::deserialize(deserializer)?;
        let amount = |key: &str| wire.usage.get(key).and_then(|q| Amount::parse(q).ok());
        Ok(NodeUsage {
            cpu: amount("cpu"),
            memory: amount("memory"),
            name: wire.metadata.name,
            timestamp: wire.timestamp,
        })
    }
}
