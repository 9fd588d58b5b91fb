//! `WorkloadPlacement` (namespaced, one per `ResourceBinding`) and `ClusterWorkloadPlacement`
//! (cluster-scoped, one per `ClusterResourceBinding`): same name as the binding, owned by it.
//! Both kinds share [`WorkloadPlacementStatus`]; the placement rules live in
//! [`crate::placement`], the per-cluster entries in [`crate::target_cluster`].

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::candidates::CandidateClusters;
use crate::placement::PlacementSummary;
use crate::target_cluster::ClusterPlacement;

/// Reserved: karmada-manager creates and owns every WorkloadPlacement and writes only its
/// status. The spec has no fields; anything set here is pruned.
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
    kind = "WorkloadPlacement",
    namespaced,
    shortname = "wp",
    category = "karmada-manager",
    status = "WorkloadPlacementStatus",
    derive = "Default",
    derive = "PartialEq",
    doc = "Where Karmada placed one namespaced workload and how each copy is doing, kept up to \
           date by karmada-manager. Named after the workload's ResourceBinding.",
    printcolumn(
        name = "WORKLOAD",
        type_ = "string",
        json_path = ".status.workload.display",
        description = "Kind/name of the workload"
    ),
    printcolumn(
        name = "POLICY",
        type_ = "string",
        json_path = ".status.policy.name",
        description = "Propagation policy that placed it"
    ),
    printcolumn(
        name = "CLUSTERS",
        type_ = "string",
        json_path = ".status.clustersDisplay",
        description = "Target clusters and their replicas"
    ),
    printcolumn(
        name = "READY",
        type_ = "string",
        json_path = ".status.replicas.display",
        description = "Ready replicas / desired replicas"
    ),
    printcolumn(
        name = "STATUS",
        type_ = "string",
        json_path = r#".status.conditions[?(@.type=="Ready")].status"#,
        description = "Status of the Ready condition"
    ),
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct WorkloadPlacementSpec {}

/// Reserved: karmada-manager creates and owns every ClusterWorkloadPlacement and writes only its
/// status. The spec has no fields; anything set here is pruned.
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
    kind = "ClusterWorkloadPlacement",
    shortname = "cwp",
    category = "karmada-manager",
    status = "WorkloadPlacementStatus",
    derive = "Default",
    derive = "PartialEq",
    doc = "Where Karmada placed one cluster-scoped workload (or a namespaced one propagated by a \
           ClusterResourceBinding) and how each copy is doing, kept up to date by \
           karmada-manager. Named after the ClusterResourceBinding.",
    printcolumn(
        name = "WORKLOAD",
        type_ = "string",
        json_path = ".status.workload.display",
        description = "Kind/name of the workload"
    ),
    printcolumn(
        name = "POLICY",
        type_ = "string",
        json_path = ".status.policy.name",
        description = "Propagation policy that placed it"
    ),
    printcolumn(
        name = "CLUSTERS",
        type_ = "string",
        json_path = ".status.clustersDisplay",
        description = "Target clusters and their replicas"
    ),
    printcolumn(
        name = "READY",
        type_ = "string",
        json_path = ".status.replicas.display",
        description = "Ready replicas / desired replicas"
    ),
    printcolumn(
        name = "STATUS",
        type_ = "string",
        json_path = r#".status.conditions[?(@.type=="Ready")].status"#,
        description = "Status of the Ready condition"
    ),
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct ClusterWorkloadPlacementSpec {}

/// Observed placement of one workload. Written only when its content changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct WorkloadPlacementStatus {
    /// This object's own `metadata.generation` that the status was computed for (kstatus). Not
    /// the binding's generation, which is `binding.generation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// When the content of this status last changed (RFC 3339). There are no heartbeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change_time: Option<Time>,
    /// Ready, Scheduled and Applied, plus Reconciling and Stalled while true (kstatus). Ready is
    /// True when the binding is scheduled and fully applied, every target cluster is healthy and
    /// ready replicas reach desired replicas (without replicas: applied and healthy everywhere).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Vec<Condition>,
    /// The resource template Karmada propagates, from the binding's `spec.resource`.
    #[serde(default)]
    pub workload: WorkloadReference,
    /// The Karmada binding this object mirrors.
    #[serde(default)]
    pub binding: BindingReference,
    /// The (Cluster)PropagationPolicy that claimed the workload, from the binding's
    /// `propagationpolicy.karmada.io/*` or `clusterpropagationpolicy.karmada.io/name`
    /// annotations. Absent when no policy claims it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyReference>,
    /// The placement rules the workload was scheduled with, from the binding's
    /// `spec.placement`. Absent when the binding carries none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<PlacementSummary>,
    /// Replica counts summed over the target clusters.
    #[serde(default)]
    pub replicas: ReplicaCounts,
    /// One entry per target cluster (the binding's `spec.clusters`, plus clusters still being
    /// evicted from), sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub clusters: Vec<ClusterPlacement>,
    /// Every other Karmada Cluster, and why the workload is not there. Absent when every
    /// Cluster is a target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<CandidateClusters>,
    /// The target clusters as one string for the CLUSTERS printer column: `<name>:<replicas>`
    /// joined by commas in name order, e.g. `m1:6,m2:4`; bare names for workloads without
    /// replicas. A long list may end in `+<n>` for the clusters left out; `clusters` has them
    /// all.
    #[serde(default)]
    pub clusters_display: String,
}

/// The workload a binding propagates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct WorkloadReference {
    /// API version of the workload, e.g. `apps/v1`.
    #[serde(default)]
    pub api_version: String,
    /// Kind of the workload, e.g. `Deployment`.
    #[serde(default)]
    pub kind: String,
    /// Namespace of the workload. Absent for cluster-scoped workloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name of the workload.
    #[serde(default)]
    pub name: String,
    /// UID of the resource template on the hub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// `<kind>/<name>`, e.g. `Deployment/web`: one string for the WORKLOAD printer column.
    #[serde(default)]
    pub display: String,
}

/// The binding a WorkloadPlacement mirrors. A ResourceBinding lives in the WorkloadPlacement's
/// namespace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct BindingReference {
    /// `ResourceBinding` or `ClusterResourceBinding`.
    #[serde(default)]
    pub kind: String,
    /// Binding name: lowercase `<workload name>-<kind>`, e.g. `web-deployment`.
    #[serde(default)]
    pub name: String,
    /// The binding's `metadata.generation`.
    #[serde(default)]
    pub generation: i64,
    /// The binding generation the scheduler last acted on (`status.schedulerObservedGeneration`).
    /// Lower than `generation` while a change waits to be scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_observed_generation: Option<i64>,
    /// When the scheduler last placed the binding (`status.lastScheduledTime`, RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scheduled_time: Option<Time>,
}

/// The propagation policy that claimed a workload.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct PolicyReference {
    /// `PropagationPolicy` or `ClusterPropagationPolicy`.
    #[serde(default)]
    pub kind: String,
    /// Namespace of a PropagationPolicy. Absent for a ClusterPropagationPolicy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name of the policy.
    #[serde(default)]
    pub name: String,
    /// The policy's `spec.priority` (higher wins when several policies match). Absent when the
    /// policy is not found or cannot be decoded (Ready reason `PolicyNotFound` or
    /// `MalformedPolicy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// The policy's `spec.conflictResolution`: `Abort` or `Overwrite` (what Karmada does when the
    /// workload already exists on a member). Absent when the policy is not found or cannot be
    /// decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict_resolution: Option<String>,
}

/// Replica counts of a workload across its target clusters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct ReplicaCounts {
    /// Replicas wanted in total: the binding's `spec.replicas` for `Divided`, that times the
    /// number of target clusters for `Duplicated` (count).
    #[serde(default)]
    pub desired: i64,
    /// Sum of the replicas the scheduler assigned, `clusters[].replicas` (count).
    #[serde(default)]
    pub scheduled: i64,
    /// Sum of `clusters[].readyReplicas` over the target clusters (`spec.clusters` of the binding);
    /// a cluster the workload is being evicted from does not count (count).
    #[serde(default)]
    pub ready: i64,
    /// Sum of `clusters[].availableReplicas` over the target clusters (count).
    #[serde(default)]
    pub available: i64,
    /// Sum of `clusters[].updatedReplicas` over the target clusters (count).
    #[serde(default)]
    pub updated: i64,
    /// `<ready>/<desired>`, e.g. `9/10`: one string for the READY printer column.
    #[serde(default)]
    pub display: String,
}
