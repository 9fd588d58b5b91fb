//! What each change on the hub, or in a member, touches. Every hub watch runs in the one driver
//! (`watch`); its events go through the matching hub index's `apply_event`, and what that
//! touched is sent to the controllers' queues (`triggers`), never by scanning all objects:
//!
//! | change | index | triggers |
//! |---|---|---|
//! | Cluster | `HubClusters` | its member connection, its insight; its bindings when the connection changed kind; every binding when fields placements are explained by changed (labels, fields, taints, APIs); a look at the placements showing it (`FitMarks`) |
//! | Secret | — | the Clusters naming it, as above |
//! | (Cluster)ResourceBinding | `BindingIndex` | its placement; the insights of the clusters it targets now and before |
//! | Work (metadata) | `WorkIndex` | the placement of its binding |
//! | (Cluster)PropagationPolicy | — | the placements of the bindings it claims; the fleet |
//! | override policies | — | the fleet (counted only) |
//! | our ClusterInsight | — | its Cluster (heals a hand edit or deletion); the fleet; a look at the placements showing it |
//! | our FleetInsight | — | the fleet (heals a hand edit or deletion) |
//! | our placements | — | their binding (heals, or deletes an orphan) |
//! | member pods / health | `MemberIndex` (in the member task) | the placements of the touched workloads; a look at the placements showing the member (`controllers/placement/looks.rs`) |

use crate::context::Context;
use crate::controllers::placement::MirroredBinding;
use crate::locks::lock;
use crate::members::WorkloadChanges;
use futures::StreamExt;
use futures::channel::mpsc::UnboundedReceiver;
use k8s_openapi::api::core::v1::Secret;
use karmada_manager_api::{ClusterInsight, FleetInsight};
use karmada_manager_core::{BindingKind, BindingRef, ClusterEntry, WatcherEvent};
use karmada_types::Cluster;
use karmada_types::well_known::ClaimingPolicy;
use kube::core::{DeserializeGuard, PartialObjectMeta};
use kube::runtime::reflector::ObjectRef;
use kube::{Resource, ResourceExt};
use std::collections::BTreeSet;

/// A Cluster changed, appeared or went.
pub fn cluster(ctx: &Context, event: WatcherEvent<DeserializeGuard<Cluster>>) {
    let changes = {
        let event = map_event(&event, |c| ClusterEntry {
            name: c.meta().name.as_deref().unwrap_or_default(),
            cluster: c.0.as_ref().ok(),
        });
        lock(&ctx.indexes.clusters).apply_event(event)
    };
    {
        // Its resource summary and models: the fits of members not watched here.
        let mut marks = lock(&ctx.indexes.fit_marks);
        changes.touched.iter().for_each(|name| marks.moved(name));
    }
    if !changes.touched.is_empty() {
        share_drift_budget(ctx);
    }
    for name in &changes.touched {
        let connection_changed = keep_member(ctx, name);
        ctx.triggers.clusters.send(name);
        if connection_changed && changes.placement_inputs.is_empty() {
            re_place_targeting(ctx, name);
        }
    }
    if !changes.placement_inputs.is_empty() {
        // A taint, a label or a served API moves the candidates of every binding.
        let bindings: Vec<BindingRef> = lock(&ctx.indexes.bindings).all().cloned().collect();
        ctx.triggers.placements.send(&bindings);
    }
}

/// A Secret in `karmada-cluster` changed: the Clusters whose `secretRef` names it reconnect. A
/// relist may have changed any of them.
pub fn secret(ctx: &Context, event: WatcherEvent<Secret>) {
    let named = match &event {
        WatcherEvent::Apply(s) | WatcherEvent::Delete(s) => {
            Some((s.namespace().unwrap_or_default(), s.name_any()))
        }
        WatcherEvent::InitDone => None,
        WatcherEvent::Init | WatcherEvent::InitApply(_) => return,
    };
    for guarded in ctx.caches.clusters.state() {
        let Ok(cluster) = &guarded.0 else { continue };
        let references = |(namespace, name): &(String, String)| {
            cluster
                .spec
                .secret_ref
                .as_ref()
                .is_some_and(|r| &r.namespace == namespace && &r.name == name)
        };
        if named.as_ref().is_none_or(references) {
            let name = guarded.name_any();
            if keep_member(ctx, &name) {
                re_place_targeting(ctx, &name);
            }
            ctx.triggers.clusters.send(&name);
        }
    }
}

/// A binding changed: its placement, and the insights of the clusters it targets now and
/// targeted before (both sides of a rescheduling update their counts).
pub fn binding<B: MirroredBinding>(ctx: &Context, event: WatcherEvent<DeserializeGuard<B>>) {
    let changes = {
        let event = map_event(&event, |guarded| match &guarded.0 {
            Ok(binding) => Ok(binding.source()),
            Err(_) => Err(BindingRef {
                kind: B::KIND,
                namespace: guarded.namespace().unwrap_or_default(),
                name: guarded.name_any(),
            }),
        });
        lock(&ctx.indexes.bindings).apply_event(B::KIND, event)
    };
    lock(&ctx.indexes.workload_states)
        .stale
        .extend(changes.bindings.iter().cloned());
    for cluster in &changes.clusters {
        ctx.triggers.clusters.send(cluster);
    }
    ctx.triggers.placements.send(&changes.bindings);
    ctx.triggers.fleet.notify_one();
}

/// A Work's metadata changed: its binding's overrides may have.
pub fn work<K>(ctx: &Context, event: WatcherEvent<PartialObjectMeta<K>>) {
    let ids = lock(&ctx.indexes.works).apply_event(map_event(&event, |w| &w.metadata));
    let bindings: Vec<BindingRef> = {
        let index = lock(&ctx.indexes.bindings);
        ids.iter()
            .filter_map(|id| index.with_id(id).cloned())
            .collect()
    };
    ctx.triggers.placements.send(&bindings);
}

/// A policy changed: the fleet counts it, and the bindings it claims (`claim` names it as
/// bindings do; `ClaimingPolicy::None` for override policies) are re-placed. `held` keeps what
/// a relist touched until `InitDone`, when the store holds the relisted policies.
pub fn policy<K>(
    ctx: &Context,
    event: WatcherEvent<K>,
    claim: fn(&K) -> ClaimingPolicy,
    held: &mut Vec<ClaimingPolicy>,
) {
    let claims = match &event {
        WatcherEvent::Init => {
            held.clear();
            return;
        }
        WatcherEvent::InitApply(policy) => {
            held.push(claim(policy));
            return;
        }
        WatcherEvent::Apply(policy) | WatcherEvent::Delete(policy) => vec![claim(policy)],
        WatcherEvent::InitDone => std::mem::take(held),
    };
    let bindings: BTreeSet<BindingRef> = {
        let index = lock(&ctx.indexes.bindings);
        claims
            .iter()
            .filter(|claim| **claim != ClaimingPolicy::None)
            .flat_map(|claim| index.claimed_by(claim).cloned())
            .collect()
    };
    ctx.triggers.placements.send(&bindings);
    // A policy found, lost or broken changes how its bindings are judged.
    lock(&ctx.indexes.workload_states)
        .stale
        .extend(bindings.iter().cloned());
    ctx.triggers.fleet.notify_one();
}

/// One of our ClusterInsights changed: its Cluster is reconciled, which rewrites a status
/// edited by hand and recreates a deleted insight (or deletes an orphan); the fleet follows.
/// Our own writes come back here too; their reconcile finds nothing to change.
pub fn insight(ctx: &Context, event: WatcherEvent<ClusterInsight>) {
    match &event {
        WatcherEvent::Apply(insight) | WatcherEvent::Delete(insight) => {
            // With sharding, its headroom is the fits of a member another replica watches.
            lock(&ctx.indexes.fit_marks).moved(&insight.name_any());
            ctx.triggers.clusters.send(&insight.name_any());
        }
        WatcherEvent::InitDone => {
            for insight in ctx.caches.insights.state() {
                ctx.triggers.clusters.send(&insight.name_any());
            }
        }
        WatcherEvent::Init | WatcherEvent::InitApply(_) => return,
    }
    ctx.triggers.fleet.notify_one();
}

/// Our FleetInsight changed or went: the fleet is rebuilt, which rewrites a status edited by
/// hand and recreates a deleted FleetInsight. Our own writes come back here too; their rebuild
/// finds nothing to change.
pub fn fleet(ctx: &Context, event: WatcherEvent<FleetInsight>) {
    if let WatcherEvent::Apply(_) | WatcherEvent::Delete(_) | WatcherEvent::InitDone = event {
        ctx.triggers.fleet.notify_one();
    }
}

/// One of our placements changed or went: its binding is reconciled, which recreates a deleted
/// placement or, when the binding is gone, deletes the orphan.
pub fn placement<B: MirroredBinding>(ctx: &Context, event: WatcherEvent<B::Placement>) {
    let placements: Vec<BindingRef> = match &event {
        WatcherEvent::Apply(p) | WatcherEvent::Delete(p) => vec![placement_binding::<B>(p)],
        WatcherEvent::InitDone => B::placements(ctx)
            .state()
            .iter()
            .map(|p| placement_binding::<B>(p))
            .collect(),
        WatcherEvent::Init | WatcherEvent::InitApply(_) => return,
    };
    ctx.triggers.placements.send(&placements);
}

fn placement_binding<B: MirroredBinding>(placement: &B::Placement) -> BindingRef {
    BindingRef {
        kind: B::KIND,
        namespace: placement.namespace().unwrap_or_default(),
        name: placement.name_any(),
    }
}

/// Member tasks report the workloads whose pods changed (all of them when the member's health
/// changed); their bindings are re-placed.
pub async fn member_changes(ctx: &Context, mut changes: UnboundedReceiver<WorkloadChanges>) {
    while let Some(WorkloadChanges { cluster, touched }) = changes.next().await {
        if !ctx.triggers.gate.is_open() {
            continue; // a standby's member tasks run only to keep their indexes warm
        }
        let bindings: BTreeSet<BindingRef> = {
            let index = lock(&ctx.indexes.bindings);
            if touched.all {
                index.targeting(&cluster).cloned().collect()
            } else {
                touched
                    .keys
                    .iter()
                    .flat_map(|key| index.of_workload(key).cloned())
                    .collect()
            }
        };
        ctx.triggers.placements.send(&bindings);
    }
}

/// Every Cluster's member connection, in line with the caches: called once they are synced.
pub fn keep_members(ctx: &Context) {
    for cluster in ctx.caches.clusters.state() {
        keep_member(ctx, &cluster.name_any());
    }
}

/// How many of the fleet's members this replica owns, and how many there are.
pub fn member_share(ctx: &Context) -> (usize, usize) {
    let clusters = ctx.caches.clusters.state();
    let owned = clusters
        .iter()
        .filter(|c| ctx.shards.owns_member(&c.name_any()))
        .count();
    (owned, clusters.len())
}

/// With `--sharding`, this replica takes its members' share of the fleet's budget for insight
/// writes that only drift. Taken again on every Cluster event (one came, went or changed) and
/// whenever the live replicas change.
pub fn share_drift_budget(ctx: &Context) {
    if ctx.shards.is_sharded() {
        let (owned, total) = member_share(ctx);
        ctx.writers.drifts.set_share(owned, total);
    }
}

/// Brings the member's connection in line with its Cluster and Secret; returns whether it
/// changed kind (watched or not, or why not). Before the caches are synced a missing Secret
/// may only be not yet seen, so nothing is decided then. A member another replica owns
/// (`--sharding`) is not watched here.
fn keep_member(ctx: &Context, name: &str) -> bool {
    if !ctx.readiness.is_ready() {
        return false;
    }
    let cluster = ctx.caches.clusters.get(&ObjectRef::new(name));
    let decoded = cluster
        .as_deref()
        .and_then(|guarded| guarded.0.as_ref().ok())
        .filter(|_| ctx.shards.owns_member(name));
    ctx.members.keep(name, decoded)
}

/// Every Cluster and binding, and every object we own (an orphan among them is deleted when
/// its source is found missing), reconciled once: when this replica starts writing, and when
/// what it owns changes. Triggers from before were dropped or went to another owner.
pub fn reconcile_everything(ctx: &Context) {
    let bindings: Vec<BindingRef> = lock(&ctx.indexes.bindings).all().cloned().collect();
    ctx.triggers.placements.send(&bindings);
    let owned = |kind, namespace: Option<String>, name| BindingRef {
        kind,
        namespace: namespace.unwrap_or_default(),
        name,
    };
    let caches = &ctx.caches;
    let placements: Vec<BindingRef> = caches
        .placements
        .state()
        .iter()
        .map(|p| owned(BindingKind::ResourceBinding, p.namespace(), p.name_any()))
        .chain(
            caches
                .cluster_placements
                .state()
                .iter()
                .map(|p| owned(BindingKind::ClusterResourceBinding, None, p.name_any())),
        )
        .collect();
    ctx.triggers.placements.send(&placements);
    let mut clusters: BTreeSet<String> = caches
        .clusters
        .state()
        .iter()
        .map(|c| c.name_any())
        .collect();
    clusters.extend(caches.insights.state().iter().map(|i| i.name_any()));
    for name in clusters {
        ctx.triggers.clusters.send(&name);
    }
}

/// Re-places the bindings targeting `cluster`.
fn re_place_targeting(ctx: &Context, cluster: &str) {
    let bindings: Vec<BindingRef> = lock(&ctx.indexes.bindings)
        .targeting(cluster)
        .cloned()
        .collect();
    ctx.triggers.placements.send(&bindings);
}

/// The same event with each object seen through `f` (the indexes take borrowed entries).
fn map_event<'a, K, T>(event: &'a WatcherEvent<K>, f: impl Fn(&'a K) -> T) -> WatcherEvent<T> {
    match event {
        WatcherEvent::Init => WatcherEvent::Init,
        WatcherEvent::InitApply(o) => WatcherEvent::InitApply(f(o)),
        WatcherEvent::InitDone => WatcherEvent::InitDone,
        WatcherEvent::Apply(o) => WatcherEvent::Apply(f(o)),
        WatcherEvent::Delete(o) => WatcherEvent::Delete(f(o)),
    }
}
