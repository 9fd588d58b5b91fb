//! The two binding kinds and the placement kind each one gets, so that one controller serves
//! both: ResourceBinding → WorkloadPlacement (namespaced), ClusterResourceBinding →
//! ClusterWorkloadPlacement (cluster-scoped).

use crate::context::Context;
use karmada_manager_api::{ClusterWorkloadPlacement, WorkloadPlacement, WorkloadPlacementStatus};
use karmada_manager_core::{BindingKind, BindingSource};
use karmada_types::{ClusterResourceBinding, ResourceBinding};
use kube::Resource;
use kube::api::Api;
use kube::core::DeserializeGuard;
use kube::runtime::reflector::{ObjectRef, Store};
use serde::de::DeserializeOwned;
use std::fmt::Debug;

pub trait MirroredBinding:
    Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static
{
    type Placement: Resource<DynamicType = ()>
        + Clone
        + DeserializeOwned
        + Debug
        + Send
        + Sync
        + 'static;

    const KIND: BindingKind;

    fn source(&self) -> BindingSource<'_>;
    /// The hub's bindings of this kind (the controller's store).
    fn bindings(ctx: &Context) -> &Store<DeserializeGuard<Self>>;
    /// Our placements of this kind, as last seen.
    fn placements(ctx: &Context) -> &Store<Self::Placement>;
    fn placement_api(hub: kube::Client, namespace: &str) -> Api<Self::Placement>;
    fn status(placement: &Self::Placement) -> Option<&WorkloadPlacementStatus>;

    /// The placement of the binding `namespace`/`name` (namespace empty when cluster-scoped).
    fn placement_ref(namespace: &str, name: &str) -> ObjectRef<Self::Placement> {
        scoped(ObjectRef::new(name), namespace)
    }

    /// The binding `namespace`/`name` (namespace empty when cluster-scoped).
    fn binding_ref(namespace: &str, name: &str) -> ObjectRef<DeserializeGuard<Self>> {
        scoped(ObjectRef::new(name), namespace)
    }
}

/// `object` in `namespace`, or cluster-scoped when it is empty.
fn scoped<K: Resource<DynamicType = ()>>(object: ObjectRef<K>, namespace: &str) -> ObjectRef<K> {
    if namespace.is_empty() {
        object
    } else {
        object.within(namespace)
    }
}

impl MirroredBinding for ResourceBinding {
    type Placement = WorkloadPlacement;
    const KIND: BindingKind = BindingKind::ResourceBinding;

    fn source(&self) -> BindingSource<'_> {
        BindingSource::from(self)
    }
    fn bindings(ctx: &Context) -> &Store<DeserializeGuard<Self>> {
        &ctx.caches.bindings
    }
    fn placements(ctx: &Context) -> &Store<WorkloadPlacement> {
        &ctx.caches.placements
    }
    fn placement_api(hub: kube::Client, namespace: &str) -> Api<WorkloadPlacement> {
        Api::namespaced(hub, namespace)
    }
    fn status(placement: &WorkloadPlacement) -> Option<&WorkloadPlacementStatus> {
        placement.status.as_ref()
    }
}

impl MirroredBinding for ClusterResourceBinding {
    type Placement = ClusterWorkloadPlacement;
    const KIND: BindingKind = BindingKind::ClusterResourceBinding;

    fn source(&self) -> BindingSource<'_> {
        BindingSource::from(self)
    }
    fn bindings(ctx: &Context) -> &Store<DeserializeGuard<Self>> {
        &ctx.caches.cluster_bindings
    }
    fn placements(ctx: &Context) -> &Store<ClusterWorkloadPlacement> {
        &ctx.caches.cluster_placements
    }
    fn placement_api(hub: kube::Client, _namespace: &str) -> Api<ClusterWorkloadPlacement> {
        Api::all(hub)
    }
    fn status(placement: &ClusterWorkloadPlacement) -> Option<&WorkloadPlacementStatus> {
        placement.status.as_ref()
    }
}
