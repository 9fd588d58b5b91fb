//! `ClusterInsight`: one per Karmada `Cluster`, same name, cluster-scoped, owned by the Cluster.
//! Answers "how big, how full, how healthy is this member?" from the hub, without a live query
//! to the member. Per-node detail lives in [`crate::node_detail`].

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::{NodeCounts, PodCounts, ResourceMap};
use crate::headroom::Headroom;
use crate::node_detail::NodeDetails;

/// Reserved: karmada-manager creates and owns every ClusterInsight and writes only its status.
/// The spec has no fields; anything set here is pruned.
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
    kind = "ClusterInsight",
    shortname = "cin",
    category = "karmada-manager",
    status = "ClusterInsightStatus",
    derive = "Default",
    derive = "PartialEq",
    doc = "Size, allocation and health of one Karmada member cluster, kept up to date by \
           karmada-manager. Named after the Karmada Cluster it describes.",
    printcolumn(
        name = "READY",
        type_ = "string",
        json_path = r#".status.conditions[?(@.type=="Ready")].status"#,
        description = "Status of the Ready condition"
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
        name = "SOURCE",
        type_ = "string",
        json_path = ".status.source",
        description = "How the operator reaches the member"
    ),
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct ClusterInsightSpec {}

/// Observed state of one member cluster. Written only when its content changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct ClusterInsightStatus {
    /// The ClusterInsight's own `metadata.generation` that this status was computed for
    /// (kstatus). Not the Karmada Cluster's generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// How the operator reaches the member: `Direct` (the Cluster's apiEndpoint and Secret),
    /// `ClusterProxy` (through the Karmada API server's cluster proxy) or `ClusterStatus`
    /// (member unreachable; figures derived from Karmada's `Cluster.status`, no per-node detail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<InsightSource>,
    /// When the content of this status last changed (RFC 3339). There are no heartbeats: an
    /// unchanged member leaves the status, and this time, untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change_time: Option<Time>,
    /// Ready, plus Reconciling and Stalled while true (kstatus), plus Degraded when nodes are
    /// unhealthy. Reasons are listed in the API crate's `conditions` module.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Vec<Condition>,
    /// What Karmada knows about the member: sync mode, version, provider, region, zones and
    /// Karmada's own readiness verdict.
    #[serde(default)]
    pub cluster: ClusterInfo,
    /// The member's nodes counted by health.
    #[serde(default)]
    pub nodes: NodeCounts,
    /// The member's pods, all namespaces, counted by phase and health. Zero with source
    /// `ClusterStatus`, where the operator sees no pods.
    #[serde(default)]
    pub pods: PodCounts,
    /// Capacity and allocation per resource name (`cpu`, `memory`, `pods`, `ephemeral-storage`,
    /// extended resources such as `nvidia.com/gpu`), summed over the member's nodes and pods.
    #[serde(default, skip_serializing_if = "ResourceMap::is_empty")]
    pub resources: ResourceMap,
    /// Actual CPU and memory use from `metrics.k8s.io` NodeMetrics. Absent when the member does
    /// not serve the metrics API or the source is `ClusterStatus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<ResourceUsage>,
    /// One entry per node, capped: problem nodes first, then by name. Empty with source
    /// `ClusterStatus`.
    #[serde(default)]
    pub node_details: NodeDetails,
    /// What is free on the member's schedulable nodes, grouped into a few shapes: what
    /// `kubectl karmada-insight fit -f` estimates a workload that does not exist yet from.
    /// Absent with source `ClusterStatus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headroom: Option<Headroom>,
    /// Karmada workloads scheduled to this member, from the hub's bindings.
    #[serde(default)]
    pub workloads: ClusterWorkloadCounts,
}

/// How karmada-manager reaches a member cluster, chosen per Cluster in this order.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum InsightSource {
    /// `spec.apiEndpoint` with the bearer token and CA bundle of the Cluster's `spec.secretRef`.
    Direct,
    /// `<hub>/apis/cluster.karmada.io/v1alpha1/clusters/<name>/proxy` with the operator's own hub
    /// credentials.
    ClusterProxy,
    /// No connection to the member: figures derived from Karmada's `Cluster.status`
    /// (`nodeSummary`, `resourceSummary`).
    ClusterStatus,
}

/// Facts about the member taken from the Karmada `Cluster` object and the member itself.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct ClusterInfo {
    /// `Push` (Karmada's controllers write to the member) or `Pull` (karmada-agent on the member
    /// pulls), copied from `Cluster.spec.syncMode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_mode: Option<String>,
    /// The member's Kubernetes version, e.g. `v1.33.1`, from `Cluster.status.kubernetesVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    /// Cloud provider, from `Cluster.spec.provider`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Region, from `Cluster.spec.region`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Zones, from `Cluster.spec.zones` (or the older single `spec.zone`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
    /// Status of Karmada's own `Ready` condition on the Cluster: `True`, `False` or `Unknown`.
    /// Karmada's verdict, kept apart from this object's Ready condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub karmada_ready: Option<String>,
}

/// Measured use of CPU and memory across the member's nodes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct ResourceUsage {
    /// CPU in use, summed over the NodeMetrics of all nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<UsageFigures>,
    /// Memory (working set) in use, summed over the NodeMetrics of all nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<UsageFigures>,
    /// The most recent `timestamp` among the NodeMetrics summed (RFC 3339). The metrics are
    /// polled, so this lags real time by up to the poll interval plus the metrics window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<Time>,
    /// True while the member's metrics API does not answer (an error, or no answer within the
    /// poll's timeout): the figures, if any, are the last ones measured. Absent otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
}

/// Measured use of one resource.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct UsageFigures {
    /// Amount in use (quantity: cores for CPU, bytes for memory).
    #[serde(default)]
    pub used: Quantity,
    /// used ÷ allocatable × 100 over the same nodes, rounded down (percent; 0 when allocatable
    /// is zero).
    #[serde(default)]
    pub percent: i32,
}

/// Karmada workloads the scheduler placed on this member.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct ClusterWorkloadCounts {
    /// ResourceBindings plus ClusterResourceBindings whose `spec.clusters` names this member
    /// (count).
    #[serde(default)]
    pub bindings: i64,
    /// Sum of the replicas those bindings assign to this member in `spec.clusters[].replicas`
    /// (count; workloads without replicas add nothing).
    #[serde(default)]
    pub replicas: i64,
}
