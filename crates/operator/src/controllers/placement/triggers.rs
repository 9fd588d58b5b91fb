//! What re-places a binding, besides the binding itself: its workload's pods on a member, its
//! Works (overrides), its policy, the labels of a target Cluster, a target member becoming
//! unobservable, and our own placement objects (deleted by someone, or orphaned). Each source
//! is mapped to bindings through the [`BindingIndex`](karmada_manager_core::BindingIndex),
//! never by scanning all bindings.

use super::Bound;
use crate::context::Context;
use crate::members::WorkloadChanges;
use futures::StreamExt;
use futures::channel::mpsc::UnboundedReceiver;
use karmada_manager_api::ClusterInsight;
use karmada_manager_api::conditions::types;
use karmada_manager_core::BindingRef;
use karmada_types::well_known::ClaimingPolicy;
use karmada_types::{Cluster, Work};
use kube::core::PartialObjectMeta;
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector;
use kube::runtime::watcher::{self, Event};
use kube::{Api, ResourceExt};
use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};

/// Member tasks report the workloads whose pods changed; their bindings are re-placed.
pub async fn member_changes(ctx: &Context, mut changes: UnboundedReceiver<WorkloadChanges>) {
    while let Some((cluster, touched)) = changes.next().await {
        if !ctx.placement_triggers.gate.is_open() {
            continue; // a standby's member tasks run only to keep their indexes warm
        }
        let bindings: BTreeSet<BindingRef> = ctx.with_bindings(|index| {
            if touched.all {
                index.targeting(&cluster).cloned().collect()
            } else {
                touched
                    .keys
                    .iter()
                    .flat_map(|key| index.of_workload(key).cloned())
                    .collect()
            }
        });
        ctx.placement_triggers.send(&bindings);
    }
}

/// Watches Work metadata across the hub into the [`WorkIndex`](karmada_manager_core::WorkIndex);
/// a change of a Work's overrides re-places its binding.
pub async fn works(ctx: &Context) {
    // Metadata only: Works carry whole manifests.
    let api = Api::<PartialObjectMeta<Work>>::all(ctx.hub.clone());
    let events = watcher::watcher(api, watcher::Config::default()).default_backoff();
    let mut events = std::pin::pin!(events);
    while let Some(event) = events.next().await {
        let event = match event {
            Ok(event) => event,
            Err(err) => {
                tracing::warn!(kind = "Work", error = %err, "hub watch failed; backing off and relisting");
                continue;
            }
        };
        let ids = {
            let mut works = ctx.works.lock().unwrap_or_else(|e| e.into_inner());
            match event {
                Event::Init => {
                    works.begin_resync();
                    BTreeSet::new()
                }
                Event::InitApply(work) | Event::Apply(work) => works.apply(&work.metadata),
                Event::Delete(work) => works.delete(&work.metadata),
                Event::InitDone => works.end_resync(),
            }
        };
        let bindings: Vec<BindingRef> = ctx.with_bindings(|index| {
            ids.iter()
                .filter_map(|id| index.with_id(id).cloned())
                .collect()
        });
        ctx.placement_triggers.send(&bindings);
    }
}

/// A (Cluster)PropagationPolicy changed or went: re-place the bindings it claims.
pub fn policy_changed(ctx: &Context, claim: &ClaimingPolicy) {
    let bindings: Vec<BindingRef> =
        ctx.with_bindings(|index| index.claimed_by(claim).cloned().collect());
    ctx.placement_triggers.send(&bindings);
}

/// Re-places the bindings targeting `cluster`.
pub fn cluster_changed(ctx: &Context, cluster: &str) {
    let bindings: Vec<BindingRef> =
        ctx.with_bindings(|index| index.targeting(cluster).cloned().collect());
    ctx.placement_triggers.send(&bindings);
}

/// Called on every Cluster reconcile: when the fields static weights are resolved against
/// (labels, provider, region, zones) changed, or the Cluster is new or gone (`None`), the
/// bindings targeting it are re-placed. Karmada rewrites Cluster status every few seconds;
/// that alone triggers nothing.
pub fn cluster_seen(ctx: &Context, name: &str, cluster: Option<&Cluster>) {
    let fingerprint = cluster.map(|c| {
        let mut hasher = DefaultHasher::new();
        c.metadata.labels.hash(&mut hasher);
        (
            &c.spec.provider,
            &c.spec.region,
            &c.spec.zone,
            &c.spec.zones,
        )
            .hash(&mut hasher);
        hasher.finish()
    });
    let changed = {
        let mut known = ctx
            .cluster_fingerprints
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match fingerprint {
            Some(f) => known.insert(name.to_owned(), f) != Some(f),
            None => known.remove(name).is_some(),
        }
    };
    if changed {
        cluster_changed(ctx, name);
    }
}

/// Tracks each ClusterInsight's `Ready` (status, reason): when it changes, the member's pods
/// became (un)observable, which the placements targeting it show in `clusters[].problems`.
#[derive(Default)]
pub struct InsightReadiness(HashMap<String, (String, String)>);

impl InsightReadiness {
    /// Records `insight` (or its deletion); returns whether its readiness changed.
    pub fn changed(&mut self, name: &str, insight: Option<&ClusterInsight>) -> bool {
        let ready = insight
            .and_then(|i| i.status.as_ref())
            .and_then(|s| s.conditions.iter().find(|c| c.type_ == types::READY))
            .map(|c| (c.status.clone(), c.reason.clone()));
        match ready {
            Some(ready) => self.0.insert(name.to_owned(), ready.clone()) != Some(ready),
            None => self.0.remove(name).is_some(),
        }
    }
}

/// Our own placements of kind `B`, cached for the previous status; any change (including a
/// deletion by someone else) reconciles the binding of the same name, which recreates a
/// deleted placement or, when the binding is gone, deletes an orphan.
pub async fn placements<B: Bound>(ctx: &Context, writer: reflector::store::Writer<B::Placement>) {
    let api = Api::<B::Placement>::all(ctx.hub.clone());
    let stream = reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
        .default_backoff()
        .touched_objects();
    let mut stream = std::pin::pin!(stream);
    while let Some(placement) = stream.next().await {
        match placement {
            Ok(placement) => ctx.placement_triggers.send([&BindingRef {
                kind: B::KIND,
                namespace: placement.namespace().unwrap_or_default(),
                name: placement.name_any(),
            }]),
            Err(err) => {
                tracing::warn!(kind = B::KIND.as_str(), error = %err, "watch of placements failed; backing off and relisting")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
    use karmada_manager_api::ClusterInsightStatus;

    fn insight(status: &str, reason: &str) -> ClusterInsight {
        let mut insight = ClusterInsight::new("m1", Default::default());
        insight.status = Some(ClusterInsightStatus {
            conditions: vec![Condition {
                type_: "Ready".into(),
                status: status.into(),
                reason: reason.into(),
                message: String::new(),
                observed_generation: None,
                last_transition_time: Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH),
            }],
            ..Default::default()
        });
        insight
    }

    #[test]
    fn only_a_change_of_readiness_counts() {
        let mut readiness = InsightReadiness::default();
        assert!(readiness.changed("m1", Some(&insight("True", "Synced"))));
        assert!(!readiness.changed("m1", Some(&insight("True", "Synced"))));
        assert!(readiness.changed("m1", Some(&insight("False", "MemberUnreachable"))));
        assert!(readiness.changed("m1", Some(&insight("False", "Unauthorized"))));
        assert!(readiness.changed("m1", None), "deleted");
        assert!(!readiness.changed("m1", None));
    }
}
