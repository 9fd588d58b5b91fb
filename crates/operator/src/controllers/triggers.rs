//! Hub caches and what their changes trigger. Each function runs one watch of the hub, keeps a
//! reflector store for the reconcilers, and maps every change to the Clusters it affects:
//! a Cluster → itself; a Secret → the Clusters referencing it; a binding → the Clusters it is (or was) scheduled to,
//! and its placement; a ClusterInsight → its Cluster (orphans surface as "Cluster not found"
//! and are deleted) and, when its readiness changes, the placements targeting it.

use super::cluster;
use super::placement::Bound;
use super::placement::triggers::{InsightReadiness, cluster_changed};
use crate::context::Context;
use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::Secret;
use karmada_manager_api::ClusterInsight;
use karmada_manager_core::{BindingIndex, BindingRef};
use karmada_types::Cluster;
use kube::core::DeserializeGuard;
use kube::runtime::reflector;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, ResourceExt};
use std::collections::BTreeSet;
use tokio::sync::Notify;

/// Karmada Clusters, into [`Context::clusters`]. Every change goes to
/// [`cluster::touched`]: the controller on the leader, the member task alone on a standby.
///
/// Like the bindings, what a relist touches is handled at `InitDone`, when the store is filled;
/// Clusters deleted while the watch was down are among the names known before the relist, and
/// reconciling them finds them gone.
pub async fn clusters(
    api: Api<DeserializeGuard<Cluster>>,
    writer: reflector::store::Writer<DeserializeGuard<Cluster>>,
    ctx: &Context,
) {
    let stream = reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
        .default_backoff();
    let mut stream = std::pin::pin!(stream);
    let mut relist: Option<BTreeSet<String>> = None;
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(event) => event,
            Err(err) => {
                tracing::warn!(kind = "Cluster", error = %err, "hub watch failed; backing off and relisting");
                continue;
            }
        };
        let names = match event {
            watcher::Event::Init => {
                relist = Some(ctx.clusters.state().iter().map(|c| c.name_any()).collect());
                continue;
            }
            watcher::Event::InitApply(c) => {
                relist.get_or_insert_default().insert(c.name_any());
                continue;
            }
            watcher::Event::InitDone => relist.take().unwrap_or_default(),
            watcher::Event::Apply(c) | watcher::Event::Delete(c) => BTreeSet::from([c.name_any()]),
        };
        for name in names {
            cluster::touched(ctx, &name);
        }
    }
}

/// Secrets of one namespace; a change touches the Clusters whose secretRef names it.
pub async fn secrets(api: Api<Secret>, writer: reflector::store::Writer<Secret>, ctx: &Context) {
    let stream = reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
        .default_backoff()
        .touched_objects();
    drive(stream, "Secret", |secret: Secret| {
        let (namespace, name) = (secret.namespace().unwrap_or_default(), secret.name_any());
        for cluster in ctx.clusters.state() {
            let Ok(c) = &cluster.0 else { continue };
            if c.spec
                .secret_ref
                .as_ref()
                .is_some_and(|r| r.namespace == namespace && r.name == name)
            {
                cluster::touched(ctx, &cluster.name_any());
            }
        }
    })
    .await;
}

/// Our ClusterInsights; a change re-reconciles the Cluster of the same name and the fleet, and
/// a change of its readiness re-places the bindings targeting the member.
pub async fn insights(
    api: Api<ClusterInsight>,
    writer: reflector::store::Writer<ClusterInsight>,
    ctx: &Context,
) {
    let stream = reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
        .default_backoff();
    let mut stream = std::pin::pin!(stream);
    let mut readiness = InsightReadiness::default();
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(event) => event,
            Err(err) => {
                tracing::warn!(kind = "ClusterInsight", error = %err, "hub watch failed; backing off and relisting");
                continue;
            }
        };
        let (insight, gone) = match event {
            watcher::Event::Apply(i) | watcher::Event::InitApply(i) => (i, false),
            watcher::Event::Delete(i) => (i, true),
            watcher::Event::Init | watcher::Event::InitDone => continue,
        };
        let name = insight.name_any();
        if readiness.changed(&name, (!gone).then_some(&insight)) {
            cluster_changed(ctx, &name);
        }
        ctx.cluster_triggers.send(&name);
        ctx.fleet_changed.notify_one();
    }
}

/// ResourceBindings or ClusterResourceBindings, into their store and the
/// [`BindingIndex`](karmada_manager_core::BindingIndex). A change re-places the binding and
/// re-reconciles the Clusters it targets now and targeted before (so both sides of a
/// rescheduling update their counts).
///
/// During a relist the reflector fills its store only at `InitDone`, and reconcilers read the
/// store: what the relist touched is therefore triggered at `InitDone`, not as it arrives.
pub async fn bindings<K: Bound>(
    api: Api<DeserializeGuard<K>>,
    writer: reflector::store::Writer<DeserializeGuard<K>>,
    ctx: &Context,
) {
    let stream = reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
        .default_backoff();
    let mut stream = std::pin::pin!(stream);
    let mut relist: Option<Touched> = None;
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(event) => event,
            Err(err) => {
                tracing::warn!(kind = K::KIND.as_str(), error = %err, "hub watch failed; backing off and relisting");
                continue;
            }
        };
        let touched = ctx.with_bindings(|index| binding_event(index, &mut relist, event));
        for cluster in &touched.clusters {
            ctx.cluster_triggers.send(cluster);
        }
        ctx.placement_triggers.send(&touched.bindings);
        ctx.fleet_changed.notify_one();
    }
}

/// What one binding event touched.
#[derive(Debug, Default, PartialEq)]
struct Touched {
    clusters: BTreeSet<String>,
    bindings: Vec<BindingRef>,
}

/// Applies a binding watch event to the index. While a relist is in progress (`relist` is
/// `Some`), what it touches is collected there and returned at `InitDone`.
fn binding_event<K: Bound>(
    index: &mut BindingIndex,
    relist: &mut Option<Touched>,
    event: watcher::Event<DeserializeGuard<K>>,
) -> Touched {
    let reference = |binding: &DeserializeGuard<K>| BindingRef {
        kind: K::KIND,
        namespace: binding.namespace().unwrap_or_default(),
        name: binding.name_any(),
    };
    match event {
        watcher::Event::Init => {
            index.begin_resync(K::KIND);
            *relist = Some(Touched::default());
            Touched::default()
        }
        watcher::Event::InitApply(binding) | watcher::Event::Apply(binding) => {
            let key = reference(&binding);
            let clusters = match &binding.0 {
                Ok(b) => index.apply(&b.source()),
                Err(_) => index.apply_malformed(key.clone()),
            };
            let touched = Touched {
                clusters,
                bindings: vec![key],
            };
            match relist {
                Some(pending) => {
                    pending.clusters.extend(touched.clusters);
                    pending.bindings.extend(touched.bindings);
                    Touched::default()
                }
                None => touched,
            }
        }
        watcher::Event::Delete(binding) => {
            let key = reference(&binding);
            Touched {
                clusters: index.delete(&key),
                bindings: vec![key],
            }
        }
        watcher::Event::InitDone => {
            let (gone, clusters) = index.end_resync(K::KIND);
            let mut touched = relist.take().unwrap_or_default();
            touched.clusters.extend(clusters);
            touched.bindings.extend(gone);
            touched
        }
    }
}

/// Policies: cached; every change wakes the fleet (which counts them) and calls `on_change`.
pub async fn policies<K>(
    stream: impl Stream<Item = Result<K, watcher::Error>>,
    fleet_changed: &Notify,
    mut on_change: impl FnMut(&K),
) {
    drive(stream, "policy", |policy| {
        on_change(&policy);
        fleet_changed.notify_one()
    })
    .await;
}

async fn drive<K>(
    stream: impl Stream<Item = Result<K, watcher::Error>>,
    kind: &str,
    mut on_change: impl FnMut(K),
) {
    let mut stream = std::pin::pin!(stream);
    while let Some(item) = stream.next().await {
        match item {
            Ok(object) => on_change(object),
            Err(err) => {
                tracing::warn!(kind, error = %err, "hub watch failed; backing off and relisting")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use karmada_manager_core::BindingKind;
    use karmada_types::ResourceBinding;
    use kube::runtime::watcher::Event;

    fn binding(name: &str, clusters: &[&str]) -> DeserializeGuard<ResourceBinding> {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "work.karmada.io/v1alpha2", "kind": "ResourceBinding",
            "metadata": {"name": name, "namespace": "shop"},
            "spec": {"clusters": clusters.iter().map(|c| serde_json::json!({"name": c, "replicas": 1})).collect::<Vec<_>>()},
        }))
        .unwrap()
    }

    fn touched(clusters: &[&str], bindings: &[&str]) -> Touched {
        Touched {
            clusters: clusters.iter().map(|c| c.to_string()).collect(),
            bindings: bindings
                .iter()
                .map(|b| BindingRef {
                    kind: BindingKind::ResourceBinding,
                    namespace: "shop".into(),
                    name: b.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_relist_triggers_at_init_done_and_reports_what_went() {
        let mut index = BindingIndex::new();
        let mut relist = None;
        let mut apply = |event| binding_event::<ResourceBinding>(&mut index, &mut relist, event);
        assert_eq!(
            apply(Event::Apply(binding("old", &["m3"]))),
            touched(&["m3"], &["old"])
        );
        assert_eq!(apply(Event::Init), touched(&[], &[]));
        assert_eq!(
            apply(Event::InitApply(binding("cart", &["m1"]))),
            touched(&[], &[]),
            "the store is filled only at InitDone"
        );
        assert_eq!(
            apply(Event::InitDone),
            touched(&["m1", "m3"], &["cart", "old"])
        );
        assert_eq!(
            apply(Event::Apply(binding("cart", &["m2"]))),
            touched(&["m1", "m2"], &["cart"]),
            "a rescheduling touches both sides"
        );
        assert_eq!(
            apply(Event::Delete(binding("cart", &["m2"]))),
            touched(&["m2"], &["cart"])
        );
    }
}
