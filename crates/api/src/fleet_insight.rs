//! `FleetInsight`: a single cluster-scoped object named [`FLEET_INSIGHT_NAME`] with totals over
//! every member cluster and every Karmada workload on the hub.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::{NodeCounts, PodCounts, ResourceMap};

/// Name of the one FleetInsight object the operator maintains.
pub const FLEET_INSIGHT_NAME: &str = "fleet";

/// Reserved: karmada-manager creates and owns the FleetInsight and writes only its status. The
/// spec has no fields; anything set here is pruned.
// Each `printcolumn(...)` repeats keys like `type_ = "string"`; clippy reads them as one
// attribute list and reports duplicates.
#[allow(
    clippy::duplicated_attributes,
    reason = "false positive on the keys of separate printcolumn(...) groups"
)]
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "insight.karmada-manager.io",
    version = "v1alpha1",
    kind = "FleetInsight",
    shortname = "fin",
    category = "karmada-manager",
    status = "FleetInsightStatus",
    derive = "Default",
    derive = "PartialEq",
    doc = "Totals across every Karmada member cluster and workload, kept up to date by \
           karmada-manager. There is one, named `fleet`.",
    printcolumn(
        name = "CLUSTERS",
        type_ = "string",
        json_path = ".status.clusters.display",
        description = "Ready clusters / all clusters"
    ),
    printcolumn(
        name = "NODES",
        type_ = "string",
        json_path = ".status.nodes.display",
        description = "Ready nodes / all nodes"
    ),
    printcolumn(
        name = "PODS",
        type_ = "integer",
        json_path = ".status.pods.running",
        description = "Running pods"
    ),
    printcolumn(
        name = "CPU%",
        type_ = "integer",
        json_path = ".status.resources.cpu.allocatedPercent",
        description = "CPU requests as a percentage of allocatable CPU"
    ),
    printcolumn(
        name = "MEMORY%",
        type_ = "integer",
        json_path = ".status.resources.memory.allocatedPercent",
        description = "Memory requests as a percentage of allocatable memory"
    ),
    printcolumn(
        name = "WORKLOADS",
        type_ = "string",
        json_path = ".status.workloads.display",
        description = "Ready workloads / all workloads"
    )
)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct FleetInsightSpec {}

/// Observed state of the whole fleet. Written only when its content changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct FleetInsightStatus {
    /// The FleetInsight's own `metadata.generation` that this status was computed for (kstatus).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// When the content of this status last changed (RFC 3339). There are no heartbeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change_time: Option<Time>,
    /// Ready, plus Reconciling and Stalled while true (kstatus).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Vec<Condition>,
    /// Member clusters counted by readiness.
    #[serde(default)]
    pub clusters: ClusterCounts,
    /// Nodes of all members, summed from their ClusterInsights.
    #[serde(default)]
    pub nodes: NodeCounts,
    /// Pods of all members, summed from their ClusterInsights.
    #[serde(default)]
    pub pods: PodCounts,
    /// Capacity and allocation per resource name, summed over all members; `available` and
    /// `allocatedPercent` are recomputed from the sums, not averaged.
    #[serde(default, skip_serializing_if = "ResourceMap::is_empty")]
    pub resources: ResourceMap,
    /// Karmada workloads (WorkloadPlacements plus ClusterWorkloadPlacements) by state.
    #[serde(default)]
    pub workloads: FleetWorkloadCounts,
    /// Karmada policies on the hub, by kind.
    #[serde(default)]
    pub policies: PolicyCounts,
    /// The most allocated members: by the larger of `cpuPercent` and `memoryPercent`, highest
    /// first, then by name; capped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub top_clusters: Vec<TopCluster>,
    /// Members left out of `topClusters` because of the cap (count).
    #[serde(default)]
    pub omitted_top_clusters: i64,
}

/// Member clusters by readiness.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct ClusterCounts {
    /// Karmada Clusters on the hub (count).
    #[serde(default)]
    pub total: i64,
    /// Clusters whose ClusterInsight has Ready `True` (count).
    #[serde(default)]
    pub ready: i64,
    /// `<ready>/<total>`, e.g. `3/4`: one string for the CLUSTERS printer column.
    #[serde(default)]
    pub display: String,
}

/// Workloads by the state of their WorkloadPlacement. `ready`, `progressing` and `failed`
/// partition `total`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct FleetWorkloadCounts {
    /// ResourceBindings plus ClusterResourceBindings on the hub (count).
    #[serde(default)]
    pub total: i64,
    /// Workloads whose placement has Ready `True` (count).
    #[serde(default)]
    pub ready: i64,
    /// Workloads not ready and not stalled: scheduling, applying or rolling out (count).
    #[serde(default)]
    pub progressing: i64,
    /// Workloads whose placement has Stalled `True`, or Ready `False` with reason
    /// `SchedulingFailed`, `ApplyFailed` or `ClustersUnhealthy` (count).
    #[serde(default)]
    pub failed: i64,
    /// `<ready>/<total>`, e.g. `40/42`: one string for the WORKLOADS printer column.
    #[serde(default)]
    pub display: String,
}

/// Karmada policies on the hub.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct PolicyCounts {
    /// PropagationPolicies, all namespaces (count).
    #[serde(default)]
    pub propagation: i64,
    /// ClusterPropagationPolicies (count).
    #[serde(default)]
    pub cluster_propagation: i64,
    /// OverridePolicies, all namespaces (count).
    #[serde(default, rename = "override")]
    pub overrides: i64,
    /// ClusterOverridePolicies (count).
    #[serde(default)]
    pub cluster_override: i64,
}

/// One of the most allocated members.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct TopCluster {
    /// Name of the Karmada Cluster (and of its ClusterInsight).
    pub name: String,
    /// The member's `resources.cpu.allocatedPercent` (percent).
    #[serde(default)]
    pub cpu_percent: i32,
    /// The member's `resources.memory.allocatedPercent` (percent).
    #[serde(default)]
    pub memory_percent: i32,
    /// The member's `nodes.total` (count).
    #[serde(default)]
    pub nodes: i64,
    /// The member's `pods.running` (count).
    #[serde(default)]
    pub pods: i64,
}
