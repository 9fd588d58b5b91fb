//! Hub caches and what their changes trigger. Each function runs one watch of the hub, keeps a
//! reflector store for the reconcilers, and maps every change to the Clusters it affects:
//! a Secret → the Clusters referencing it; a binding → the Clusters it is (or was) scheduled to;
//! a ClusterInsight → its Cluster (orphans surface as "Cluster not found" and are deleted).

use futures::channel::mpsc::UnboundedSender;
use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::Secret;
use karmada_manager_api::ClusterInsight;
use karmada_types::{Cluster, ResourceBindingSpec};
use kube::core::DeserializeGuard;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Debug;
use std::hash::Hash;
use tokio::sync::Notify;

/// Secrets of one namespace; a change re-reconciles the Clusters whose secretRef names it.
pub async fn secrets(
    api: Api<Secret>,
    writer: reflector::store::Writer<Secret>,
    clusters: Store<DeserializeGuard<Cluster>>,
    triggers: UnboundedSender<String>,
) {
    let stream = reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
        .default_backoff()
        .touched_objects();
    drive(stream, "Secret", |secret: Secret| {
        let (namespace, name) = (secret.namespace().unwrap_or_default(), secret.name_any());
        for cluster in clusters.state() {
            let Ok(c) = &cluster.0 else { continue };
            if c.spec
                .secret_ref
                .as_ref()
                .is_some_and(|r| r.namespace == namespace && r.name == name)
            {
                let _ = triggers.unbounded_send(cluster.name_any());
            }
        }
    })
    .await;
}

/// Our ClusterInsights; a change re-reconciles the Cluster of the same name and the fleet.
pub async fn insights(
    api: Api<ClusterInsight>,
    writer: reflector::store::Writer<ClusterInsight>,
    triggers: UnboundedSender<String>,
    fleet_changed: &Notify,
) {
    let stream = reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
        .default_backoff()
        .touched_objects();
    drive(stream, "ClusterInsight", |insight: ClusterInsight| {
        let _ = triggers.unbounded_send(insight.name_any());
        fleet_changed.notify_one();
    })
    .await;
}

/// ResourceBindings or ClusterResourceBindings; a change re-reconciles the Clusters the binding
/// targets now and targeted before (so both sides of a rescheduling update their counts).
///
/// What each binding targeted is tracked from the watch events themselves, not looked up in the
/// store: during a (re)list the reflector fills its store only at `InitDone`.
pub async fn bindings<K>(
    api: Api<DeserializeGuard<K>>,
    writer: reflector::store::Writer<DeserializeGuard<K>>,
    triggers: UnboundedSender<String>,
    fleet_changed: &Notify,
) where
    K: Resource<DynamicType = ()>
        + Clone
        + DeserializeOwned
        + Debug
        + Send
        + Sync
        + 'static
        + HasBindingSpec,
    K::DynamicType: Eq + Hash + Clone,
{
    let mut targets = BindingTargets::<K>::default();
    let stream = reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
        .default_backoff();
    let mut stream = std::pin::pin!(stream);
    while let Some(event) = stream.next().await {
        let touched = match event {
            Ok(event) => targets.apply(event),
            Err(err) => {
                tracing::warn!(kind = %K::kind(&()), error = %err, "hub watch failed; backing off and relisting");
                continue;
            }
        };
        for cluster in touched {
            let _ = triggers.unbounded_send(cluster);
        }
        fleet_changed.notify_one();
    }
}

/// The clusters each binding targets, kept from watch events.
struct BindingTargets<K: Resource<DynamicType = ()>> {
    targets: HashMap<ObjectRef<DeserializeGuard<K>>, BTreeSet<String>>,
    /// Bindings seen during a relist in progress; the others are gone.
    relisted: Option<HashSet<ObjectRef<DeserializeGuard<K>>>>,
}

impl<K: Resource<DynamicType = ()>> Default for BindingTargets<K> {
    fn default() -> Self {
        Self {
            targets: HashMap::new(),
            relisted: None,
        }
    }
}

impl<K: Resource<DynamicType = ()> + HasBindingSpec> BindingTargets<K> {
    /// Applies an event; returns the clusters whose counts it may have changed.
    fn apply(&mut self, event: watcher::Event<DeserializeGuard<K>>) -> BTreeSet<String> {
        match event {
            watcher::Event::Init => {
                self.relisted = Some(HashSet::new());
                BTreeSet::new()
            }
            watcher::Event::InitApply(binding) | watcher::Event::Apply(binding) => {
                let key = ObjectRef::from_obj(&binding);
                if let Some(seen) = &mut self.relisted {
                    seen.insert(key.clone());
                }
                let now: BTreeSet<String> = match &binding.0 {
                    Ok(b) => b
                        .binding_spec()
                        .clusters
                        .iter()
                        .map(|t| t.name.clone())
                        .collect(),
                    Err(_) => BTreeSet::new(),
                };
                let before = self.targets.insert(key, now.clone()).unwrap_or_default();
                before.union(&now).cloned().collect()
            }
            watcher::Event::Delete(binding) => self
                .targets
                .remove(&ObjectRef::from_obj(&binding))
                .unwrap_or_default(),
            watcher::Event::InitDone => {
                let Some(seen) = self.relisted.take() else {
                    return BTreeSet::new();
                };
                let gone: Vec<_> = self
                    .targets
                    .keys()
                    .filter(|k| !seen.contains(*k))
                    .cloned()
                    .collect();
                gone.iter()
                    .filter_map(|k| self.targets.remove(k))
                    .flatten()
                    .collect()
            }
        }
    }
}

/// Hub objects that matter only to the FleetInsight (policies): cached, and every change wakes
/// the fleet.
pub async fn fleet_inputs<K>(
    stream: impl Stream<Item = Result<K, watcher::Error>>,
    fleet_changed: &Notify,
) {
    drive(stream, "policy", |_| fleet_changed.notify_one()).await;
}

/// Access to the shared spec of the two binding kinds.
pub trait HasBindingSpec {
    fn binding_spec(&self) -> &ResourceBindingSpec;
}

impl HasBindingSpec for karmada_types::ResourceBinding {
    fn binding_spec(&self) -> &ResourceBindingSpec {
        &self.spec
    }
}

impl HasBindingSpec for karmada_types::ClusterResourceBinding {
    fn binding_spec(&self) -> &ResourceBindingSpec {
        &self.spec
    }
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

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_rescheduling_after_the_initial_list_touches_both_sides() {
        let mut targets = BindingTargets::<ResourceBinding>::default();
        assert_eq!(targets.apply(Event::Init), set(&[]));
        assert_eq!(
            targets.apply(Event::InitApply(binding("cart", &["m1"]))),
            set(&["m1"])
        );
        assert_eq!(targets.apply(Event::InitDone), set(&[]));
        assert_eq!(
            targets.apply(Event::Apply(binding("cart", &["m2"]))),
            set(&["m1", "m2"])
        );
        assert_eq!(
            targets.apply(Event::Delete(binding("cart", &["m2"]))),
            set(&["m2"])
        );
    }

    #[test]
    fn a_binding_missing_from_a_relist_is_gone_and_touches_its_clusters() {
        let mut targets = BindingTargets::<ResourceBinding>::default();
        targets.apply(Event::Apply(binding("cart", &["m1", "m3"])));
        targets.apply(Event::Apply(binding("web", &["m2"])));
        targets.apply(Event::Init);
        targets.apply(Event::InitApply(binding("web", &["m2"])));
        assert_eq!(targets.apply(Event::InitDone), set(&["m1", "m3"]));
        assert_eq!(
            targets.apply(Event::Apply(binding("cart", &["m1"]))),
            set(&["m1"]),
            "cart was forgotten"
        );
    }
}
