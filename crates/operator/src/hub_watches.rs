//! Every hub watch, one line each: the one driver (`watch`) fills its cache and hands each
//! event to its handler in `sources`. Adding a hub cache is a store in `Caches` and a line here.

use crate::context::{CacheWriters, Context};
use crate::members::WorkloadChanges;
use crate::sources;
use crate::watch::{stored, unstored};
use futures::channel::mpsc::UnboundedReceiver;
use karmada_manager_core::WatcherEvent;
use karmada_types::well_known::{CLUSTER_SECRET_NAMESPACE, ClaimingPolicy};
use karmada_types::{
    ClusterPropagationPolicy, ClusterResourceBinding, PropagationPolicy, ResourceBinding, Work,
};
use kube::api::Api;
use kube::core::{DeserializeGuard, PartialObjectMeta};
use kube::runtime::reflector::store::Writer;
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::Arc;

/// Starts every hub watch, and the handler of the member tasks' reports.
pub fn start(
    ctx: &Arc<Context>,
    w: CacheWriters,
    workload_changes: UnboundedReceiver<WorkloadChanges>,
) {
    let secrets = Api::namespaced(hub_of(ctx), CLUSTER_SECRET_NAMESPACE);
    watch(ctx, secrets, w.secrets, sources::secret);
    watch_all(ctx, w.clusters, sources::cluster);
    watch_all(ctx, w.bindings, sources::binding::<ResourceBinding>);
    watch_all(
        ctx,
        w.cluster_bindings,
        sources::binding::<ClusterResourceBinding>,
    );
    // Metadata only: Works carry whole manifests.
    let works = Api::<PartialObjectMeta<Work>>::all(hub_of(ctx));
    spawn(ctx, |c| async move {
        unstored(c.health.hub.clone(), works, |e| sources::work(&c, e)).await
    });
    watch_policies(ctx, w.policies, claim_propagation);
    watch_policies(ctx, w.cluster_policies, claim_cluster_propagation);
    // Override policies are only counted; their effect on placements comes through the Works.
    watch_policies(ctx, w.override_policies, |_| ClaimingPolicy::None);
    watch_policies(ctx, w.cluster_override_policies, |_| ClaimingPolicy::None);
    watch_all(ctx, w.insights, sources::insight);
    watch_all(ctx, w.fleet, sources::fleet);
    watch_all(ctx, w.placements, sources::placement::<ResourceBinding>);
    watch_all(
        ctx,
        w.cluster_placements,
        sources::placement::<ClusterResourceBinding>,
    );
    spawn(ctx, |c| async move {
        sources::member_changes(&c, workload_changes).await
    });
}

/// What every hub cache is: a Kubernetes object type we can list and watch.
trait Cached:
    Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static
{
}
impl<K> Cached for K where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static
{
}

/// Watches every `K` on the hub into `writer`'s cache, handing each event to `handler`.
fn watch_all<K: Cached>(
    ctx: &Arc<Context>,
    writer: Writer<K>,
    handler: fn(&Context, WatcherEvent<K>),
) {
    watch(ctx, Api::all(hub_of(ctx)), writer, handler);
}

/// Watches `api` into `writer`'s cache, handing each event to `handler`.
fn watch<K: Cached>(
    ctx: &Arc<Context>,
    api: Api<K>,
    writer: Writer<K>,
    handler: fn(&Context, WatcherEvent<K>),
) {
    spawn(ctx, move |c| async move {
        stored(c.health.hub.clone(), api, writer, |e| handler(&c, e)).await
    });
}

/// A watch of one kind of policy; `claim` names a policy as the bindings it claims do.
fn watch_policies<K: Cached>(
    ctx: &Arc<Context>,
    writer: Writer<K>,
    claim: fn(&K) -> ClaimingPolicy,
) {
    spawn(ctx, move |c| async move {
        let mut held = Vec::new();
        let api = Api::all(hub_of(&c));
        stored(c.health.hub.clone(), api, writer, |e| {
            sources::policy(&c, e, claim, &mut held)
        })
        .await
    });
}

fn hub_of(ctx: &Context) -> kube::Client {
    ctx.hub.client.clone()
}

fn claim_propagation(policy: &DeserializeGuard<PropagationPolicy>) -> ClaimingPolicy {
    ClaimingPolicy::Propagation {
        namespace: policy.namespace().unwrap_or_default(),
        name: policy.name_any(),
    }
}

fn claim_cluster_propagation(
    policy: &DeserializeGuard<ClusterPropagationPolicy>,
) -> ClaimingPolicy {
    ClaimingPolicy::ClusterPropagation {
        name: policy.name_any(),
    }
}

/// Runs `task` with the context on the runtime.
fn spawn<F, Fut>(ctx: &Arc<Context>, task: F)
where
    F: FnOnce(Arc<Context>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(task(ctx.clone()));
}
