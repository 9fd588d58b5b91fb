//! Custom resources published by karmada-manager: group `insight.karmada-manager.io`, version
//! `v1alpha1`, category `karmada-manager`.
//!
//! - [`ClusterInsight`]: one per Karmada member cluster.
//! - [`WorkloadPlacement`] / [`ClusterWorkloadPlacement`]: one per `ResourceBinding` /
//!   `ClusterResourceBinding`.
//! - [`FleetInsight`]: one for the whole fleet, named [`FLEET_INSIGHT_NAME`].
//!
//! The operator owns these objects and writes only their status; the specs are empty. The Rust
//! types are the source of truth for the CRD YAML, which [`crds`] produces.

#![warn(missing_docs)]

pub mod candidates;
pub mod cluster_insight;
pub mod common;
pub mod conditions;
pub mod fleet_insight;
pub mod headroom;
pub mod node_detail;
pub mod placement;
pub mod target_cluster;
pub mod workload_placement;

mod schema;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

pub use candidates::{CandidateCluster, CandidateClusters, candidate_reasons};
pub use cluster_insight::{
    ClusterInfo, ClusterInsight, ClusterInsightSpec, ClusterInsightStatus, ClusterWorkloadCounts,
    InsightSource, ResourceUsage, UsageFigures,
};
pub use common::{NodeCounts, PodCounts, ResourceFigures, ResourceMap};
pub use fleet_insight::{
    ClusterCounts, FLEET_INSIGHT_NAME, FleetInsight, FleetInsightSpec, FleetInsightStatus,
    FleetWorkloadCounts, PolicyCounts, TopCluster,
};
pub use headroom::{Headroom, NodeShape};
pub use node_detail::{NodeDetail, NodeDetails, NodePodCounts, NodeProblem, NodeResourceFigures};
pub use placement::{
    ClusterAffinitySummary, DivisionPreference, PlacementSummary, ReplicaScheduling,
    SpreadConstraintSummary, Weighting,
};
pub use target_cluster::{
    ClusterPlacement, ClusterProblem, EvictionInfo, FitEstimator, NodePods, PodSummary,
    WorkloadHealth, WorkloadPodCounts,
};
pub use workload_placement::{
    BindingReference, ClusterWorkloadPlacement, ClusterWorkloadPlacementSpec, PolicyReference,
    ReplicaCounts, WorkloadPlacement, WorkloadPlacementSpec, WorkloadPlacementStatus,
    WorkloadReference,
};

/// API group of every karmada-manager custom resource.
pub const GROUP: &str = "insight.karmada-manager.io";
/// API version of every karmada-manager custom resource.
pub const VERSION: &str = "v1alpha1";
/// `<group>/<version>`, as written in `apiVersion`.
pub const API_VERSION: &str = "insight.karmada-manager.io/v1alpha1";
/// The `kubectl get karmada-manager` category every kind belongs to.
pub const CATEGORY: &str = "karmada-manager";

/// The CRDs of every kind, in a stable order: ClusterInsight, WorkloadPlacement,
/// ClusterWorkloadPlacement, FleetInsight.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![
        ClusterInsight::crd(),
        WorkloadPlacement::crd(),
        ClusterWorkloadPlacement::crd(),
        FleetInsight::crd(),
    ]
}
