//! Per-node detail of a `ClusterInsight` (`status.nodeDetails`): a capped list, problem nodes
//! first, so that a 5,000-node member still fits in one object.

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The member's nodes one by one, capped at `limit`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct NodeDetails {
    /// Most nodes listed in `items` (count; operator setting). The size guard may list fewer,
    /// and says so with the Ready reason `StatusTruncated`.
    #[serde(default)]
    pub limit: i32,
    /// Nodes left out of `items` because of the cap or the size guard (count).
    #[serde(default)]
    pub omitted: i64,
    /// The listed nodes: problem nodes first (NotReady, then pressure, then cordoned, then most
    /// allocated), then by name. Empty with source `ClusterStatus`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<NodeDetail>,
}

/// One node of the member.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct NodeDetail {
    /// Node name.
    pub name: String,
    /// Whether the node's `Ready` condition is `True`.
    #[serde(default)]
    pub ready: bool,
    /// Whether new pods may be scheduled here, i.e. the node is not cordoned
    /// (`spec.unschedulable` unset or false). Taints are not considered.
    #[serde(default)]
    pub schedulable: bool,
    /// Roles from the `node-role.kubernetes.io/<role>` labels (and the legacy
    /// `kubernetes.io/role` label), sorted. Empty when the node has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Value of the `topology.kubernetes.io/zone` label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Value of the `node.kubernetes.io/instance-type` label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// Kubelet version, from `status.nodeInfo.kubeletVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_version: Option<String>,
    /// What is wrong with the node, in this order: `NotReady`, `MemoryPressure`, `DiskPressure`,
    /// `PIDPressure`, `NetworkUnavailable`, `Cordoned`. Empty for a healthy node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<NodeProblem>,
    /// CPU allocatable and requested on this node.
    #[serde(default)]
    pub cpu: NodeResourceFigures,
    /// Memory allocatable and requested on this node.
    #[serde(default)]
    pub memory: NodeResourceFigures,
    /// Pod slots and the pods bound to this node.
    #[serde(default)]
    pub pods: NodePodCounts,
}

/// A node problem. The variants are in the order nodes are listed and problems are reported.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum NodeProblem {
    /// The node's `Ready` condition is not `True`.
    NotReady,
    /// The node's `MemoryPressure` condition is `True`.
    MemoryPressure,
    /// The node's `DiskPressure` condition is `True`.
    DiskPressure,
    /// The node's `PIDPressure` condition is `True`.
    #[serde(rename = "PIDPressure")]
    PidPressure,
    /// The node's `NetworkUnavailable` condition is `True`.
    NetworkUnavailable,
    /// The node is cordoned (`spec.unschedulable: true`).
    Cordoned,
}

/// One resource on one node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct NodeResourceFigures {
    /// The node's `status.allocatable` for this resource (quantity).
    #[serde(default)]
    pub allocatable: Quantity,
    /// Sum of the effective requests of the pods bound to this node that are not `Succeeded` or
    /// `Failed` (quantity).
    #[serde(default)]
    pub allocated: Quantity,
    /// allocated ÷ allocatable × 100, rounded down (percent; 0 when allocatable is zero).
    #[serde(default)]
    pub percent: i32,
}

/// Pods on one node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct NodePodCounts {
    /// How many pods the node accepts: its `status.allocatable.pods` (count).
    #[serde(default)]
    pub capacity: i64,
    /// Pods bound to the node, in any phase (count).
    #[serde(default)]
    pub total: i64,
    /// Of those, pods in phase `Running` (count).
    #[serde(default)]
    pub running: i64,
    /// Of those, pods in phase `Pending`, i.e. bound but not started yet (count).
    #[serde(default)]
    pub pending: i64,
    /// Of those, pods in phase `Failed` (count).
    #[serde(default)]
    pub failed: i64,
    /// Sum of container restart counts over the pods bound to the node (count).
    #[serde(default)]
    pub restarts: i64,
}
