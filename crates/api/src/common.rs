//! Count and resource shapes shared by `ClusterInsight` (one member) and `FleetInsight` (all
//! members summed), so that a reader parses both with the same code.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Per-resource figures keyed by resource name as it appears in `Node.status.allocatable`:
/// `cpu`, `memory`, `pods`, `ephemeral-storage`, `nvidia.com/gpu`, ...
pub type ResourceMap = BTreeMap<String, ResourceFigures>;

/// Node counts by health. A node counts once in `total` and once in each condition it has, so
/// the pressure counts may overlap with each other and with `notReady`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct NodeCounts {
    /// Number of nodes (count).
    #[serde(default)]
    pub total: i64,
    /// Nodes whose `Ready` condition is `True` (count).
    #[serde(default)]
    pub ready: i64,
    /// Nodes whose `Ready` condition is `False` or `Unknown`, or missing: total − ready (count).
    #[serde(default)]
    pub not_ready: i64,
    /// Cordoned nodes, i.e. `spec.unschedulable: true` (count).
    #[serde(default)]
    pub unschedulable: i64,
    /// Nodes whose `MemoryPressure` condition is `True` (count).
    #[serde(default)]
    pub memory_pressure: i64,
    /// Nodes whose `DiskPressure` condition is `True` (count).
    #[serde(default)]
    pub disk_pressure: i64,
    /// Nodes whose `PIDPressure` condition is `True` (count).
    #[serde(default)]
    pub pid_pressure: i64,
    /// `<ready>/<total>`, e.g. `48/50`: one string for the NODES printer column.
    #[serde(default)]
    pub display: String,
}

/// Pod counts by phase and health, over pods in every namespace. The phase counts (`running`,
/// `pending`, `succeeded`, `failed`, `unknown`) partition `total`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct PodCounts {
    /// Number of pods in any phase, including finished ones not yet garbage-collected (count).
    #[serde(default)]
    pub total: i64,
    /// Pods in phase `Running` (count).
    #[serde(default)]
    pub running: i64,
    /// Pods in phase `Pending`: unscheduled, or scheduled and still starting (count).
    #[serde(default)]
    pub pending: i64,
    /// Pods in phase `Succeeded` (count).
    #[serde(default)]
    pub succeeded: i64,
    /// Pods in phase `Failed` (count).
    #[serde(default)]
    pub failed: i64,
    /// Pods in phase `Unknown`, or with a phase this operator does not know (count).
    #[serde(default)]
    pub unknown: i64,
    /// `Running` pods whose `Ready` condition is not `True` (count).
    #[serde(default)]
    pub not_ready: i64,
    /// Sum of `restartCount` over every container of every pod, init containers included
    /// (count; pods that are gone no longer contribute).
    #[serde(default)]
    pub restarts: i64,
    /// Pods with at least one container waiting with reason `CrashLoopBackOff` (count).
    #[serde(default)]
    pub crash_looping: i64,
}

/// Capacity and allocation of one resource, computed like Karmada's
/// `Cluster.status.resourceSummary`, with a pod's request taken as the kube-scheduler's effective
/// request: max(sum of app containers plus restartable init containers, largest init container)
/// plus pod overhead.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct ResourceFigures {
    /// Sum of `status.capacity` over the nodes (quantity in the resource's unit: cores for `cpu`,
    /// bytes for `memory`, a count for `pods`). Absent when the figures come from Karmada's
    /// `Cluster.status` (source `ClusterStatus`), which carries no capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Quantity>,
    /// Sum of `status.allocatable` over the nodes: capacity minus what the kubelet reserves for
    /// the system (quantity).
    #[serde(default)]
    pub allocatable: Quantity,
    /// Sum of the effective requests of the pods bound to a node (`spec.nodeName` set) that are
    /// not `Succeeded` or `Failed` (quantity). For `pods`, the number of such pods.
    #[serde(default)]
    pub allocated: Quantity,
    /// Sum of the effective requests of the pods not yet bound to a node and not finished: demand
    /// the scheduler is still placing (quantity).
    #[serde(default)]
    pub allocating: Quantity,
    /// allocatable − allocated − allocating, clamped at zero: what new pods can still request
    /// (quantity).
    #[serde(default)]
    pub available: Quantity,
    /// allocated ÷ allocatable × 100, rounded down (percent; 0 when allocatable is zero). Can
    /// exceed 100 when pods were bound past the scheduler, e.g. static pods.
    #[serde(default)]
    pub allocated_percent: i32,
}
