//! What is free on a member's nodes, compactly (`ClusterInsight.status.headroom`): enough to
//! estimate how many replicas of a workload that does not exist yet would fit, the way Karmada's
//! accurate estimator counts them, without a live member API.
//!
//! Nodes that look alike for scheduling — the same free resources, the same published labels,
//! the same `NoSchedule`/`NoExecute` taints — are one shape with a node count. A member of
//! thousands of near-identical nodes is a handful of shapes; when its nodes differ too much for
//! the shape limit, the free figures are rounded *down* to a coarser grain until they fit, so an
//! estimate from the shapes never promises more than the member has.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The member's schedulable nodes grouped into shapes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct Headroom {
    /// Nodes that can take a pod now: Ready, with a free pod slot (count). Cordoned nodes are
    /// included with the `node.kubernetes.io/unschedulable:NoSchedule` taint.
    #[serde(default)]
    pub nodes: i64,
    /// The node labels each shape carries (keys). A workload that selects nodes by any other
    /// label cannot be estimated from the shapes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub label_keys: Vec<String>,
    /// Per resource, the step every `free` figure was rounded down to. Empty when the figures
    /// are exact.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub grain: BTreeMap<String, Quantity>,
    /// Nodes alike for scheduling, most nodes first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shapes: Vec<NodeShape>,
    /// Nodes counted in `nodes` that no shape holds, because their labels and taints alone make
    /// more shapes than the limit (count).
    #[serde(default)]
    pub omitted: i64,
}

/// Nodes that look alike for scheduling.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct NodeShape {
    /// Nodes of this shape (count).
    #[serde(default)]
    pub count: i64,
    /// Free on each of them: allocatable minus the requests of its non-terminal pods, per
    /// resource the estimators count (`pods`, `cpu`, `memory`, `ephemeral-storage`, extended
    /// resources). A resource not listed is not offered.
    #[serde(default)]
    pub free: BTreeMap<String, Quantity>,
    /// The values of the published labels (`labelKeys`) the nodes have.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// The nodes' `NoSchedule` and `NoExecute` taints, as `key=value:Effect`, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<String>,
}
