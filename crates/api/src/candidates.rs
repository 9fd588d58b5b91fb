//! Every Karmada Cluster a workload is not on (`WorkloadPlacement.status.candidates`), and why:
//! the first filter of Karmada's scheduler it fails, or why it passes them all and still got
//! no replicas.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::target_cluster::FitEstimator;

/// The clusters that are not targets of the binding, counted by reason, the first ones listed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct CandidateClusters {
    /// Karmada Clusters that are not in the binding's `spec.clusters` (count).
    #[serde(default)]
    pub total: i64,
    /// How many of them each reason accounts for, keyed by reason (see `items[].reason`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_reason: BTreeMap<String, i64>,
    /// The clusters one by one, capped, most telling first: those that pass every filter
    /// (`NoReplicaFits`, `NotSelected`), then those the scheduler filtered for a state that may
    /// change (not ready, tainted, API missing, being evicted from), then those the policy
    /// itself leaves out (`SpreadConstraint`, `AffinityMismatch`); by name within a reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["name"]))]
    pub items: Vec<CandidateCluster>,
    /// Clusters counted in `total` that `items` leaves out because of the cap (count).
    #[serde(default)]
    pub omitted: i64,
}

/// One cluster the workload is not on. Keyed by `name` (list-map).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = crate::schema::tidy)]
pub struct CandidateCluster {
    /// Name of the Karmada Cluster. The list key: required, unique.
    pub name: String,
    /// Why the workload is not there, after the filter plugins of karmada-scheduler, checked in
    /// this order: `Deleting` (the Cluster is being deleted), `AffinityMismatch` (the cluster
    /// affinity in use does not select it: `ClusterAffinity` plugin), `Evicting` (the workload
    /// is being evicted from it: `ClusterEviction`), `NotReady` (a `cluster.karmada.io/not-ready`
    /// or `unreachable` taint not tolerated), `TaintNotTolerated` (another `NoSchedule` or
    /// `NoExecute` taint not tolerated: `TaintToleration`), `APINotEnabled` (the member does
    /// not serve the workload's kind: `APIEnablement`), `SpreadConstraint` (it lacks the field
    /// a spread constraint groups by, or the constraint's `maxGroups` is taken by others).
    /// A cluster that passes every filter: `NoReplicaFits` (divided replicas, and none fits
    /// there) or `NotSelected` (the division gave it nothing; `message` says why).
    pub reason: String,
    /// The detail, in the scheduler's terms: which affinity part failed and which
    /// `clusterAffinities` group was in use, which taint, which API.
    #[serde(default)]
    pub message: String,
    /// More replicas of this workload that fit on the cluster now (count), as for a target
    /// cluster (`clusters[].fitReplicas`). Absent when unknown or when the workload has no
    /// replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit_replicas: Option<i64>,
    /// How `fitReplicas` was estimated (see `clusters[].estimator`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimator: Option<FitEstimator>,
}

/// The values of [`CandidateCluster::reason`], in the order the filters are checked.
pub mod candidate_reasons {
    /// The Cluster has a deletion timestamp.
    pub const DELETING: &str = "Deleting";
    /// The cluster affinity in use does not select the cluster.
    pub const AFFINITY_MISMATCH: &str = "AffinityMismatch";
    /// The workload is being evicted from the cluster.
    pub const EVICTING: &str = "Evicting";
    /// Karmada tainted the cluster not ready or unreachable, and the placement does not
    /// tolerate it.
    pub const NOT_READY: &str = "NotReady";
    /// A `NoSchedule` or `NoExecute` taint of the cluster is not tolerated.
    pub const TAINT_NOT_TOLERATED: &str = "TaintNotTolerated";
    /// The member does not serve the workload's API.
    pub const API_NOT_ENABLED: &str = "APINotEnabled";
    /// A spread constraint leaves the cluster out.
    pub const SPREAD_CONSTRAINT: &str = "SpreadConstraint";
    /// Passes every filter, but no replica of the workload fits there.
    pub const NO_REPLICA_FITS: &str = "NoReplicaFits";
    /// Passes every filter, but the scheduler's division gave it no replicas.
    pub const NOT_SELECTED: &str = "NotSelected";
}
