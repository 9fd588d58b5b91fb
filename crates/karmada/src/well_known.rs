//! Names Karmada gives things, and the pure helpers that follow from them.
//!
//! The operator never asks Karmada how objects relate; it derives the relations from these
//! conventions: the labels, annotations and names Karmada sets. Keeping them in one place means a
//! Karmada rename is a one-line fix.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// Annotation on a binding (and its resource template) naming the claiming PropagationPolicy.
pub const PROPAGATION_POLICY_NAME_ANNOTATION: &str = "propagationpolicy.karmada.io/name";

/// Annotation on a binding naming the namespace of the claiming PropagationPolicy.
pub const PROPAGATION_POLICY_NAMESPACE_ANNOTATION: &str = "propagationpolicy.karmada.io/namespace";

/// Annotation on a binding naming the claiming ClusterPropagationPolicy.
pub const CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION: &str =
    "clusterpropagationpolicy.karmada.io/name";

/// Label on a ResourceBinding and on every Work derived from it, with the same value: the way to
/// find a binding's Works (metadata.uid is not used because it changes on backup/restore).
pub const RESOURCE_BINDING_PERMANENT_ID_LABEL: &str = "resourcebinding.karmada.io/permanent-id";

/// Like [`RESOURCE_BINDING_PERMANENT_ID_LABEL`], for ClusterResourceBindings and their Works.
pub const CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL: &str =
    "clusterresourcebinding.karmada.io/permanent-id";

/// Annotation on a Work listing the OverridePolicies applied to its manifest (JSON list of
/// `{policyName, overriders}`); see [`crate::overrides`].
pub const APPLIED_OVERRIDES_ANNOTATION: &str = "policy.karmada.io/applied-overrides";

/// Annotation on a Work listing the ClusterOverridePolicies applied to its manifest.
pub const APPLIED_CLUSTER_OVERRIDES_ANNOTATION: &str =
    "policy.karmada.io/applied-cluster-overrides";

/// Prefix of the per-member "execution namespace" on the hub that holds the member's Works.
pub const EXECUTION_NAMESPACE_PREFIX: &str = "karmada-es-";

/// Namespace on the hub where `karmadactl join`/`register` put member credentials Secrets.
pub const CLUSTER_SECRET_NAMESPACE: &str = "karmada-cluster";

/// Key of the bearer token in a Cluster's `secretRef` / `impersonatorSecretRef` Secret.
pub const SECRET_TOKEN_KEY: &str = "token";

/// Key of the PEM CA bundle in a Cluster's `secretRef` Secret.
pub const SECRET_CA_BUNDLE_KEY: &str = "caBundle";

/// Condition type on a `Cluster`: the member is reachable and healthy.
pub const CONDITION_READY: &str = "Ready";

/// Condition type on a `Cluster`: `status.apiEnablements` lists every API the member serves
/// (discovery did not fail part-way).
pub const CONDITION_COMPLETE_API_ENABLEMENTS: &str = "CompleteAPIEnablements";

/// Taint Karmada's cluster controller puts on a `Cluster` whose `Ready` condition is `False`.
pub const TAINT_CLUSTER_NOT_READY: &str = "cluster.karmada.io/not-ready";

/// Taint Karmada's cluster controller puts on a `Cluster` whose `Ready` condition is `Unknown`.
pub const TAINT_CLUSTER_UNREACHABLE: &str = "cluster.karmada.io/unreachable";

/// Condition type on a binding: the scheduler has placed it.
pub const CONDITION_SCHEDULED: &str = "Scheduled";

/// Condition type on a binding: its resource was applied to every scheduled cluster.
pub const CONDITION_FULLY_APPLIED: &str = "FullyApplied";

/// `Ready` reason: the member answered its health check.
pub const REASON_CLUSTER_READY: &str = "ClusterReady";

/// `Ready` reason: the member answered but is not healthy.
pub const REASON_CLUSTER_NOT_READY: &str = "ClusterNotReady";

/// `Ready` reason: the member's API server could not be reached.
pub const REASON_CLUSTER_NOT_REACHABLE: &str = "ClusterNotReachable";

/// The name Karmada gives the binding of a resource: lowercase `<name>-<kind>`, with `:` in the
/// name (RBAC objects such as `system:controller`) replaced by `.` so the result is a valid
/// object name. E.g. Deployment `web` → `web-deployment`.
pub fn binding_name(kind: &str, name: &str) -> String {
    format!("{}-{kind}", name.replace(':', ".")).to_lowercase()
}

/// The execution namespace on the hub that holds the Works of `cluster`.
pub fn execution_namespace(cluster: &str) -> String {
    format!("{EXECUTION_NAMESPACE_PREFIX}{cluster}")
}

/// The member cluster an execution namespace belongs to, or `None` for any other namespace.
pub fn cluster_of_execution_namespace(namespace: &str) -> Option<&str> {
    namespace
        .strip_prefix(EXECUTION_NAMESPACE_PREFIX)
        .filter(|cluster| !cluster.is_empty())
}

/// The policy that claimed a binding, as named by the binding's annotations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClaimingPolicy {
    /// A namespaced PropagationPolicy.
    Propagation {
        /// The policy's namespace.
        namespace: String,
        /// The policy's name.
        name: String,
    },
    /// A ClusterPropagationPolicy.
    ClusterPropagation {
        /// The policy's name.
        name: String,
    },
    /// No claim annotation: the binding is orphaned or not yet claimed.
    None,
}

impl ClaimingPolicy {
    /// Reads the claim from a binding's annotations.
    ///
    /// A PropagationPolicy claim wins over a ClusterPropagationPolicy one if both are present
    /// (Karmada prefers the namespaced policy). If the PropagationPolicy namespace annotation is
    /// missing, `binding_namespace` is used — a PropagationPolicy only claims resources in its
    /// own namespace, which is also the binding's. Empty values count as absent.
    pub fn from_annotations(
        annotations: &BTreeMap<String, String>,
        binding_namespace: Option<&str>,
    ) -> Self {
        let get = |key: &str| {
            annotations
                .get(key)
                .map(String::as_str)
                .filter(|v| !v.is_empty())
        };
        if let Some(name) = get(PROPAGATION_POLICY_NAME_ANNOTATION) {
            let namespace = get(PROPAGATION_POLICY_NAMESPACE_ANNOTATION)
                .or(binding_namespace.filter(|ns| !ns.is_empty()));
            if let Some(namespace) = namespace {
                return ClaimingPolicy::Propagation {
                    namespace: namespace.to_owned(),
                    name: name.to_owned(),
                };
            }
        }
        match get(CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION) {
            Some(name) => ClaimingPolicy::ClusterPropagation {
                name: name.to_owned(),
            },
            None => ClaimingPolicy::None,
        }
    }

    /// Reads the claim from a binding's metadata (annotations and namespace).
    pub fn of(meta: &ObjectMeta) -> Self {
        match &meta.annotations {
            Some(annotations) => Self::from_annotations(annotations, meta.namespace.as_deref()),
            None => ClaimingPolicy::None,
        }
    }
}
