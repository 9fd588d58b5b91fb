//! `policy.karmada.io/v1alpha1` propagation and override policies.
//!
//! Propagation policies are read to report which policy placed a workload, with what priority
//! and conflict resolution. Override policies are only counted and named (their effect on a
//! given Work is read from the Work's annotations instead), so their spec ignores everything.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::{Deserialize, Serialize};

use crate::enums::{ConflictResolution, PreemptionBehavior};
use crate::placement::Placement;
use crate::resource::{IgnoredSpec, karmada_resource};

karmada_resource! {
    /// Propagates resources of its own namespace.
    pub struct PropagationPolicy {
        group: "policy.karmada.io",
        version: "v1alpha1",
        kind: "PropagationPolicy",
        plural: "propagationpolicies",
        scope: Namespaced,
        spec: PropagationSpec,
    }
}

karmada_resource! {
    /// Propagates cluster-scoped resources and resources of any non-system namespace.
    pub struct ClusterPropagationPolicy {
        group: "policy.karmada.io",
        version: "v1alpha1",
        kind: "ClusterPropagationPolicy",
        plural: "clusterpropagationpolicies",
        scope: Cluster,
        spec: PropagationSpec,
    }
}

/// The part of a propagation policy's spec the operator reads.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PropagationSpec {
    /// The resources this policy claims. (Go omits `omitempty` here, so `null` is accepted.)
    #[serde(deserialize_with = "crate::de::null_as_default")]
    pub resource_selectors: Vec<ResourceSelector>,
    /// Higher wins when several policies match a resource (default 0).
    pub priority: i32,
    /// Whether this policy may take resources from lower-priority policies (default Never).
    pub preemption: PreemptionBehavior,
    /// What to do with resources that already exist in members (default Abort).
    pub conflict_resolution: ConflictResolution,
    /// Where to place the resources.
    pub placement: Placement,
    /// The scheduler to use; empty means Karmada's `default-scheduler`.
    pub scheduler_name: String,
}

/// One entry of `spec.resourceSelectors`; empty parts match everything.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceSelector {
    /// API version of the target resources.
    pub api_version: String,
    /// Kind of the target resources.
    pub kind: String,
    /// Namespace of the target resources (ClusterPropagationPolicy only).
    pub namespace: String,
    /// Name of the target resource; empty selects by label.
    pub name: String,
    /// Label query; ignored when `name` is set.
    pub label_selector: Option<LabelSelector>,
}

karmada_resource! {
    /// Overrides manifests per cluster, within its namespace. Read for its name only.
    pub struct OverridePolicy {
        group: "policy.karmada.io",
        version: "v1alpha1",
        kind: "OverridePolicy",
        plural: "overridepolicies",
        scope: Namespaced,
        spec: IgnoredSpec,
    }
}

karmada_resource! {
    /// Overrides manifests per cluster, fleet-wide. Read for its name only.
    pub struct ClusterOverridePolicy {
        group: "policy.karmada.io",
        version: "v1alpha1",
        kind: "ClusterOverridePolicy",
        plural: "clusteroverridepolicies",
        scope: Cluster,
        spec: IgnoredSpec,
    }
}
