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
use std::collections::{BTreeSet, HashMap};
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
    let mut targets: HashMap<ObjectRef<DeserializeGuard<K>>, BTreeSet<String>> = HashMap::new();
    let store = writer.as_reader();
    let stream = reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
        .default_backoff()
        .touched_objects();
    drive(
        stream,
        K::kind(&()).as_ref(),
        |binding: DeserializeGuard<K>| {
            let key = ObjectRef::from_obj(&binding);
            let now: BTreeSet<String> = match &binding.0 {
                Ok(b) => b
                    .binding_spec()
                    .clusters
                    .iter()
                    .map(|t| t.name.clone())
                    .collect(),
                Err(_) => BTreeSet::new(),
            };
            let before = match store.get(&key) {
                Some(_) => targets.insert(key, now.clone()),
                None => targets.remove(&key), // deleted: forget it
            }
            .unwrap_or_default();
            for cluster in before.union(&now) {
                let _ = triggers.unbounded_send(cluster.clone());
            }
            fleet_changed.notify_one();
        },
    )
    .await;
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
