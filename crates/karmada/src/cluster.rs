//! `cluster.karmada.io/v1alpha1` `Cluster`: a member cluster as the hub knows it.
//!
//! The operator reads the spec to connect to the member (endpoint, credentials Secret, proxy) and
//! to evaluate placement rules (provider/region/zone/taints), and the status as the fallback
//! source of sizing when the member itself is unreachable (the `ClusterStatus` source of a
//! ClusterInsight).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::{api::resource::Quantity, apis::meta::v1::Time};
use serde::{Deserialize, Serialize};

use crate::condition::{Condition, find_condition};
use crate::enums::{ConditionStatus, SyncMode, TaintEffect};
use crate::resource::karmada_resource;
use crate::well_known::{CONDITION_COMPLETE_API_ENABLEMENTS, CONDITION_READY};

karmada_resource! {
    /// A Karmada member cluster (cluster-scoped). Served by karmada-aggregated-apiserver in a
    /// real control plane; list/watch work as for any resource.
    pub struct Cluster {
        group: "cluster.karmada.io",
        version: "v1alpha1",
        kind: "Cluster",
        plural: "clusters",
        scope: Cluster,
        spec: ClusterSpec,
        status: ClusterStatus,
    }
}

/// The part of `Cluster.spec` the operator reads.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClusterSpec {
    /// Push or Pull. Absent only on malformed objects, hence `Option`.
    pub sync_mode: Option<SyncMode>,
    /// URL of the member's API server; may be empty for Pull clusters.
    pub api_endpoint: String,
    /// Secret (in `karmada-cluster`, usually) with the `token` and `caBundle` to reach the member.
    pub secret_ref: Option<LocalSecretReference>,
    /// Secret with the `token` Karmada uses to impersonate users on the member.
    pub impersonator_secret_ref: Option<LocalSecretReference>,
    /// Skip TLS verification of `api_endpoint`.
    #[serde(rename = "insecureSkipTLSVerification")]
    pub insecure_skip_tls_verification: bool,
    /// HTTP(S)/SOCKS5 proxy to reach the member through; empty for none.
    #[serde(rename = "proxyURL")]
    pub proxy_url: String,
    /// Extra headers to send to the proxy.
    pub proxy_header: BTreeMap<String, String>,
    /// Cloud provider name, matched by placement field selectors and spread constraints.
    pub provider: String,
    /// Region, matched by placement field selectors and spread constraints.
    pub region: String,
    /// Single zone (older field; see `zones`).
    pub zone: String,
    /// Zones the member spans.
    pub zones: Vec<String>,
    /// Taints that placement `clusterTolerations` must tolerate.
    pub taints: Vec<Taint>,
    /// Grades of node size (Karmada's cluster resource modeling): each grade a range per
    /// resource. Karmada's webhook fills in default grades; `status.resourceSummary`
    /// counts the nodes of each.
    pub resource_models: Vec<ResourceModel>,
}

/// One grade of `spec.resourceModels`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceModel {
    /// The grade, from 0 (smallest nodes).
    pub grade: u32,
    /// A range per resource; a node is of this grade when its free amounts fall in them.
    pub ranges: Vec<ResourceModelRange>,
}

/// The range of one resource in a [`ResourceModel`]: `[min, max)`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceModelRange {
    /// Resource name, e.g. `cpu`.
    pub name: String,
    /// Inclusive lower bound.
    pub min: Quantity,
    /// Exclusive upper bound.
    pub max: Quantity,
}

/// A reference to a Secret by namespace and name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LocalSecretReference {
    /// Namespace of the Secret.
    pub namespace: String,
    /// Name of the Secret.
    pub name: String,
}

/// A taint on a `Cluster`; same shape as a Node taint, but tolerant of missing fields.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Taint {
    /// Taint key, e.g. `cluster.karmada.io/not-ready`.
    pub key: String,
    /// Taint value (may be empty).
    pub value: String,
    /// What happens to workloads that do not tolerate it.
    pub effect: TaintEffect,
    /// When the taint was added (set by Karmada for NoExecute taints).
    pub time_added: Option<Time>,
}

/// The part of `Cluster.status` the operator reads.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClusterStatus {
    /// Git version of the member's API server, e.g. `v1.33.1`.
    pub kubernetes_version: String,
    /// `Ready`, `CompleteAPIEnablements`, …
    pub conditions: Vec<Condition>,
    /// Node counts Karmada collected.
    pub node_summary: Option<NodeSummary>,
    /// Resource totals Karmada collected.
    pub resource_summary: Option<ResourceSummary>,
    /// The APIs the member serves, by group version, as Karmada's cluster status controller
    /// discovered them. Complete only while the `CompleteAPIEnablements` condition is `True`.
    pub api_enablements: Vec<ApiEnablement>,
}

impl ClusterStatus {
    /// The `Ready` condition, if Karmada has reported one.
    pub fn ready_condition(&self) -> Option<&Condition> {
        find_condition(&self.conditions, CONDITION_READY)
    }

    /// Whether the member serves `kind` in `group_version` (`apps/v1`, or `v1` for the core
    /// group), the way Karmada's `Cluster.APIEnablement` answers: `Some(true)` when listed,
    /// `Some(false)` when not listed and the list is complete (`CompleteAPIEnablements` is
    /// `True`), `None` when not listed and the list may be incomplete.
    pub fn api_enabled(&self, group_version: &str, kind: &str) -> Option<bool> {
        let listed = self
            .api_enablements
            .iter()
            .filter(|api| api.group_version == group_version)
            .any(|api| api.resources.iter().any(|r| r.kind == kind));
        if listed {
            return Some(true);
        }
        let complete = find_condition(&self.conditions, CONDITION_COMPLETE_API_ENABLEMENTS)
            .is_some_and(|c| c.status == ConditionStatus::True);
        complete.then_some(false)
    }
}

/// One group version the member serves (`status.apiEnablements[]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ApiEnablement {
    /// `group/version`, or `v1` for the core group.
    pub group_version: String,
    /// The resources served in it.
    pub resources: Vec<ApiResource>,
}

/// One resource of an [`ApiEnablement`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ApiResource {
    /// Plural name, e.g. `deployments`.
    pub name: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
}

/// `status.nodeSummary`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeSummary {
    /// Number of nodes.
    pub total_num: i32,
    /// Number of Ready nodes.
    pub ready_num: i32,
}

/// `status.resourceSummary`: per-resource totals keyed by resource name (`cpu`, `memory`,
/// `pods`, `nvidia.com/gpu`, …).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceSummary {
    /// Sum of node allocatable.
    pub allocatable: BTreeMap<String, Quantity>,
    /// Requests of pods not yet bound to a node.
    pub allocating: BTreeMap<String, Quantity>,
    /// Requests of pods bound to a node and not finished.
    pub allocated: BTreeMap<String, Quantity>,
    /// How many nodes fall in each grade of `spec.resourceModels`, by their free resources;
    /// aligned by position with the models.
    pub allocatable_modelings: Vec<AllocatableModeling>,
}

/// The node count of one resource-model grade.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AllocatableModeling {
    /// The grade.
    pub grade: u32,
    /// Nodes in it.
    pub count: i64,
}
