//! The keys the indexes, the hub and the status builders share: which binding
//! ([`BindingKind`], [`BindingRef`], [`PermanentId`], and the borrowed [`BindingSource`]) and
//! which workload or controller on a member ([`WorkloadKey`]).
//!
//! They sit below everything that uses them, so that the hub's indexes, a member's indexes and
//! the builders can name the same objects without importing each other.

use std::fmt;
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use karmada_types::well_known::{
    CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL, RESOURCE_BINDING_PERMANENT_ID_LABEL,
};
use karmada_types::{
    ClusterResourceBinding, ObjectReference, ResourceBinding, ResourceBindingSpec,
    ResourceBindingStatus,
};

use crate::interner::{WellKnown, intern_str};
use crate::projection::ControllerRef;

/// Which kind of binding a placement mirrors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BindingKind {
    /// A namespaced `ResourceBinding` → `WorkloadPlacement`.
    ResourceBinding,
    /// A `ClusterResourceBinding` → `ClusterWorkloadPlacement`.
    ClusterResourceBinding,
}

impl BindingKind {
    /// The kind as Karmada spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            BindingKind::ResourceBinding => "ResourceBinding",
            BindingKind::ClusterResourceBinding => "ClusterResourceBinding",
        }
    }
}

/// A binding, borrowed: both binding kinds share spec and status.
#[derive(Clone, Copy, Debug)]
pub struct BindingSource<'a> {
    /// ResourceBinding or ClusterResourceBinding.
    pub kind: BindingKind,
    /// Name, generation and the policy claim annotations.
    pub metadata: &'a ObjectMeta,
    /// The scheduling result and placement.
    pub spec: &'a ResourceBindingSpec,
    /// Scheduler and apply progress, per-member status.
    pub status: &'a ResourceBindingStatus,
}

impl<'a> From<&'a ResourceBinding> for BindingSource<'a> {
    fn from(binding: &'a ResourceBinding) -> Self {
        BindingSource {
            kind: BindingKind::ResourceBinding,
            metadata: &binding.metadata,
            spec: &binding.spec,
            status: &binding.status,
        }
    }
}

impl<'a> From<&'a ClusterResourceBinding> for BindingSource<'a> {
    fn from(binding: &'a ClusterResourceBinding) -> Self {
        BindingSource {
            kind: BindingKind::ClusterResourceBinding,
            metadata: &binding.metadata,
            spec: &binding.spec,
            status: &binding.status,
        }
    }
}

/// A binding by kind, namespace (empty for a ClusterResourceBinding) and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingRef {
    /// ResourceBinding or ClusterResourceBinding.
    pub kind: BindingKind,
    /// The namespace; empty for a ClusterResourceBinding.
    pub namespace: String,
    /// The name.
    pub name: String,
}

impl BindingRef {
    /// The reference of a binding from its metadata.
    pub fn of(binding: &BindingSource<'_>) -> BindingRef {
        BindingRef {
            kind: binding.kind,
            namespace: binding.metadata.namespace.clone().unwrap_or_default(),
            name: binding.metadata.name.clone().unwrap_or_default(),
        }
    }
}

/// A binding's permanent id: the `…/permanent-id` label its Works carry too. Ids are unique per
/// binding kind only, so the kind is part of the key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PermanentId {
    /// The kind of the binding (and the label the id is read from).
    pub kind: BindingKind,
    /// The label's value.
    pub id: String,
}

/// The label holding the permanent id of `kind`'s bindings and of their Works.
pub fn permanent_id_label(kind: BindingKind) -> &'static str {
    match kind {
        BindingKind::ResourceBinding => RESOURCE_BINDING_PERMANENT_ID_LABEL,
        BindingKind::ClusterResourceBinding => CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL,
    }
}

/// A workload (or any controller) on a member: API group, kind, namespace, name.
///
/// The group and not the full apiVersion, because owner references and the binding may name
/// different versions of the same kind (`apps/v1` vs `apps/v1beta2`); the group is kept because
/// two groups may define the same kind (a `Rollout` of Argo and one of another project).
/// Cluster-scoped objects have an empty namespace. The parts are interned or shared `Arc`s, so
/// cloning a key is cheap.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkloadKey {
    /// API group, `""` for the core group (e.g. `apps`, `batch`).
    pub group: Arc<str>,
    /// Kind, e.g. `Deployment`.
    pub kind: Arc<str>,
    /// Namespace, `""` for cluster-scoped objects.
    pub namespace: Arc<str>,
    /// Name.
    pub name: Arc<str>,
}

impl WorkloadKey {
    /// The key of an object of `api_version`/`kind` named `namespace`/`name`.
    pub fn new(api_version: &str, kind: &str, namespace: &str, name: &str) -> WorkloadKey {
        WorkloadKey {
            group: intern_str(api_group(api_version)),
            kind: intern_str(kind),
            namespace: intern_str(namespace),
            name: Arc::from(name),
        }
    }

    /// The resource template a binding propagates (`spec.resource`).
    pub fn of_resource(resource: &ObjectReference) -> WorkloadKey {
        WorkloadKey::new(
            &resource.api_version,
            &resource.kind,
            &resource.namespace,
            &resource.name,
        )
    }

    /// The controller of an object in `namespace` (owner references never cross namespaces).
    pub fn of_controller(namespace: &Arc<str>, controller: &ControllerRef) -> WorkloadKey {
        // Built for every pod event, several times: the usual groups skip the interner.
        static GROUPS: WellKnown = WellKnown::new(&["apps", "batch", ""]);
        let group = api_group(&controller.api_version);
        WorkloadKey {
            group: GROUPS
                .get(group.as_bytes())
                .unwrap_or_else(|| intern_str(group)),
            kind: Arc::clone(&controller.kind),
            namespace: Arc::clone(namespace),
            name: Arc::clone(&controller.name),
        }
    }
}

impl fmt::Display for WorkloadKey {
    /// `Deployment.apps shop/web` (`Pod default/x` for the core group, no namespace part for
    /// cluster-scoped objects), as `kubectl` names resources.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind)?;
        if !self.group.is_empty() {
            write!(f, ".{}", self.group)?;
        }
        if self.namespace.is_empty() {
            write!(f, " {}", self.name)
        } else {
            write!(f, " {}/{}", self.namespace, self.name)
        }
    }
}

/// The API group of an `apiVersion`: `apps` for `apps/v1`, `""` for `v1`.
pub fn api_group(api_version: &str) -> &str {
    api_version.split_once('/').map_or("", |(group, _)| group)
}
