//! `Placement`: where a policy sends a resource and how replicas are divided.
//!
//! The same type appears in `PropagationPolicy.spec.placement` and, copied by Karmada, in
//! `ResourceBinding.spec.placement`. The operator reports it and resolves static weights from it
//! by matching its cluster selectors against the Clusters, so the selectors keep k8s-openapi's
//! `LabelSelector` / `NodeSelectorRequirement` types that selector-matching code already
//! understands.

use k8s_openapi::api::core::v1::{NodeSelectorRequirement, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::{Deserialize, Serialize};

use crate::enums::{
    DynamicWeightFactor, ReplicaDivisionPreference, ReplicaSchedulingType, SpreadByField,
};

/// The placement rules of a policy (and of the bindings it produced).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Placement {
    /// A single set of candidate clusters. Mutually exclusive with `cluster_affinities`.
    pub cluster_affinity: Option<ClusterAffinity>,
    /// Named groups of candidate clusters, tried in order until one can host the workload;
    /// the group in use is reported in the binding's `schedulerObservingAffinityName`.
    pub cluster_affinities: Vec<ClusterAffinityTerm>,
    /// Cluster taints the workload tolerates.
    pub cluster_tolerations: Vec<Toleration>,
    /// How many groups (clusters, regions, zones, providers, label values) to spread over.
    pub spread_constraints: Vec<SpreadConstraint>,
    /// How replicas are assigned to the selected clusters.
    pub replica_scheduling: Option<ReplicaSchedulingStrategy>,
}

impl Placement {
    /// The effective replica scheduling type, as Karmada's scheduler sees it: `Duplicated`
    /// when `replicaScheduling` is absent altogether, otherwise its type (which itself defaults
    /// to `Divided`).
    pub fn replica_scheduling_type(&self) -> ReplicaSchedulingType {
        self.replica_scheduling
            .as_ref()
            .map_or(ReplicaSchedulingType::Duplicated, |s| {
                s.replica_scheduling_type.clone()
            })
    }
}

/// A set of clusters: those not in `exclude` that pass every non-empty part
/// (`label_selector` AND `field_selector` AND `cluster_names`). An empty affinity matches all.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClusterAffinity {
    /// Selects clusters by their labels.
    pub label_selector: Option<LabelSelector>,
    /// Selects clusters by `provider`, `region` or `zone`.
    pub field_selector: Option<FieldSelector>,
    /// Selects clusters by name.
    pub cluster_names: Vec<String>,
    /// Clusters never selected, whatever else matches.
    pub exclude: Vec<String>,
}

/// Cluster field requirements; keys are `provider`, `region` or `zone`, operators `In`/`NotIn`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FieldSelector {
    /// All requirements must hold.
    pub match_expressions: Vec<NodeSelectorRequirement>,
}

/// One named group of `placement.clusterAffinities`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClusterAffinityTerm {
    /// Name of the group.
    pub affinity_name: String,
    /// The group's clusters; inlined in the JSON object next to `affinityName`.
    #[serde(flatten)]
    pub affinity: ClusterAffinity,
}

/// One entry of `placement.spreadConstraints`. Exactly one of `spread_by_field` and
/// `spread_by_label` is set.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SpreadConstraint {
    /// Cluster property that forms the groups.
    pub spread_by_field: Option<SpreadByField>,
    /// Cluster label whose values form the groups.
    pub spread_by_label: String,
    /// Upper bound on groups (0 = unset). Go `int`, hence `i64`.
    pub max_groups: i64,
    /// Lower bound on groups (0 = unset).
    pub min_groups: i64,
}

/// `placement.replicaScheduling`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReplicaSchedulingStrategy {
    /// Duplicated or Divided (default Divided).
    pub replica_scheduling_type: ReplicaSchedulingType,
    /// Aggregated or Weighted; only meaningful when Divided.
    pub replica_division_preference: Option<ReplicaDivisionPreference>,
    /// Weights used when Weighted.
    pub weight_preference: Option<ClusterPreferences>,
}

/// `replicaScheduling.weightPreference`. When `dynamic_weight` is set it overrides
/// `static_weight_list`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClusterPreferences {
    /// Weights for clusters matched by each rule; a cluster matching several rules takes the
    /// largest weight, and if no candidate matches any rule every candidate gets weight 1.
    pub static_weight_list: Vec<StaticClusterWeight>,
    /// A factor the scheduler turns into weights at scheduling time.
    pub dynamic_weight: Option<DynamicWeightFactor>,
}

/// One rule of `weightPreference.staticWeightList`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StaticClusterWeight {
    /// The clusters this weight applies to.
    pub target_cluster: ClusterAffinity,
    /// The weight (Karmada requires ≥ 1).
    pub weight: i64,
}
