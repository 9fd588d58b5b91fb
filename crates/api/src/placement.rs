//! The placement rules a workload was scheduled with (`WorkloadPlacement.status.placement`),
//! summarised from the binding's `spec.placement`, which Karmada copies from the claiming policy.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the policy asked Karmada to spread the workload.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct PlacementSummary {
    /// `Divided` (the desired replicas are split between clusters) or `Duplicated` (every
    /// cluster runs all of them), from `replicaScheduling.replicaSchedulingType`; Karmada's
    /// default `Divided` when unset.
    #[serde(default)]
    pub replica_scheduling: ReplicaScheduling,
    /// How divided replicas are split: `Weighted` (by cluster weight) or `Aggregated` (packed
    /// into as few clusters as fit), from `replicaScheduling.replicaDivisionPreference`. Absent
    /// with `Duplicated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division_preference: Option<DivisionPreference>,
    /// Where the weights come from: `Static` (`weightPreference.staticWeightList`, resolved per
    /// cluster into `clusters[].weight`), `DynamicAvailableReplicas`
    /// (`weightPreference.dynamicWeight: AvailableReplicas`, which overrides a static list),
    /// `Equal` (`Weighted` without a weightPreference: every cluster weighs the same) or `None`
    /// (no weighting: `Duplicated`, or `Aggregated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighting: Option<Weighting>,
    /// Name of the `clusterAffinities[]` group the scheduler used
    /// (`status.schedulerObservingAffinityName` of the binding). Absent when the policy uses a
    /// single `clusterAffinity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity_name: Option<String>,
    /// The cluster affinity in effect: the single `clusterAffinity`, or the `clusterAffinities`
    /// group named by `affinityName`. Absent when the policy selects every cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_affinity: Option<ClusterAffinitySummary>,
    /// The policy's `spreadConstraints`, in policy order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spread_constraints: Vec<SpreadConstraintSummary>,
}

/// Karmada's `replicaSchedulingType`.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
pub enum ReplicaScheduling {
    /// The desired replicas are split between the target clusters (Karmada's default).
    #[default]
    Divided,
    /// Every target cluster runs the full number of desired replicas.
    Duplicated,
}

/// Karmada's `replicaDivisionPreference`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum DivisionPreference {
    /// Split in proportion to cluster weights.
    Weighted,
    /// Pack replicas into as few clusters as have room.
    Aggregated,
}

/// Where the per-cluster weights of a divided workload come from.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Weighting {
    /// `weightPreference.staticWeightList`; each cluster's resolved weight is in
    /// `clusters[].weight` (the largest matching rule; 1 for every cluster when no rule matches).
    Static,
    /// `weightPreference.dynamicWeight: AvailableReplicas`: weights follow the replicas each
    /// cluster can still fit.
    DynamicAvailableReplicas,
    /// `Weighted` division without a weightPreference: every cluster weighs the same.
    Equal,
    /// No weighting applies (`Duplicated`, or `Aggregated` division). Serialized as `None`.
    #[serde(rename = "None")]
    Unweighted,
}

/// A cluster affinity, with its selectors in their string form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct ClusterAffinitySummary {
    /// Clusters selected by name (`clusterNames`), in policy order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_names: Vec<String>,
    /// The label selector on Cluster labels in `kubectl` form, e.g. `env=prod,tier in (a,b)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
    /// The field selector in the same form over the fields Karmada supports (`provider`,
    /// `region`, `zone`), e.g. `region in (eu-west-1)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_selector: Option<String>,
    /// Clusters excluded by name (`exclude`), in policy order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
}

/// One Karmada spread constraint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct SpreadConstraintSummary {
    /// Cluster field the groups are formed by: `cluster`, `region`, `zone` or `provider`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread_by_field: Option<String>,
    /// Cluster label the groups are formed by (instead of a field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread_by_label: Option<String>,
    /// Fewest groups the workload must be spread over (count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_groups: Option<i32>,
    /// Most groups the workload may be spread over (count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_groups: Option<i32>,
}
