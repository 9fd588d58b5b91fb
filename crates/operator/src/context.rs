//! The one Context every controller shares: the hub client, settings, in-memory caches of hub
//! objects (reconcilers read these, never the API) and the member tasks.

use crate::admin::Readiness;
use crate::members::Members;
use crate::metrics::Metrics;
use crate::settings::Settings;
use crate::write::WriteLog;
use futures::channel::mpsc::UnboundedSender;
use k8s_openapi::api::core::v1::Secret;
use karmada_manager_api::{ClusterInsight, ClusterWorkloadPlacement, WorkloadPlacement};
use karmada_manager_core::{BindingIndex, BindingKind, BindingRef, WorkIndex};
use karmada_types::{
    Cluster, ClusterOverridePolicy, ClusterPropagationPolicy, ClusterResourceBinding,
    OverridePolicy, PropagationPolicy, ResourceBinding,
};
use kube::core::{DeserializeGuard, PartialObjectMeta};
use kube::runtime::reflector::{ObjectRef, Store};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

pub struct Context {
    pub hub: kube::Client,
    /// How the hub client was configured: the cluster proxy reuses it.
    pub hub_config: kube::Config,
    pub settings: Settings,
    /// Secrets in `karmada-cluster`, where Karmada keeps member credentials.
    pub secrets: Store<Secret>,
    /// Our own ClusterInsights, as last seen: the previous status of each (for change detection
    /// and stable condition times) without a read.
    pub insights: Store<ClusterInsight>,
    /// Karmada Clusters, kept by their own watch (on standbys too, for their member tasks).
    pub clusters: Store<DeserializeGuard<Cluster>>,
    pub bindings: Store<DeserializeGuard<ResourceBinding>>,
    pub cluster_bindings: Store<DeserializeGuard<ClusterResourceBinding>>,
    pub policies: Store<DeserializeGuard<PropagationPolicy>>,
    pub cluster_policies: Store<DeserializeGuard<ClusterPropagationPolicy>>,
    /// Override policies are only counted: metadata is enough.
    pub override_policies: Store<PartialObjectMeta<OverridePolicy>>,
    pub cluster_override_policies: Store<PartialObjectMeta<ClusterOverridePolicy>>,
    /// Our own placements, as last seen (previous status, like `insights`).
    pub placements: Store<WorkloadPlacement>,
    pub cluster_placements: Store<ClusterWorkloadPlacement>,
    /// What every binding relates to (clusters, workload, policy, permanent id), fed by the
    /// binding watches: turns any change into the bindings to re-place.
    pub binding_index: Mutex<BindingIndex>,
    /// Applied overrides per binding and cluster, from Work metadata.
    pub works: Mutex<WorkIndex>,
    /// Fingerprints of the Cluster fields weights depend on (labels, provider, region, zones),
    /// so that only a change of those re-places the bindings targeting the cluster.
    pub cluster_fingerprints: Mutex<HashMap<String, u64>>,
    pub placement_triggers: PlacementTriggers,
    pub cluster_triggers: ClusterTriggers,
    /// When each placement was last written: the per-object debounce.
    pub placement_writes: WriteLog,
    /// The same for ClusterInsights: a member's trigger is already debounced, but other
    /// sources (bindings, Secrets, our own insight's watch event) can reconcile it too.
    pub insight_writes: WriteLog,
    pub members: Members,
    pub metrics: Metrics,
    /// Publishes Events on Ready transitions of our objects.
    pub recorder: kube::runtime::events::Recorder,
    /// `/readyz`: set once the hub caches are synced.
    pub readiness: Readiness,
    /// Woken whenever a ClusterInsight may have changed, so the FleetInsight follows.
    pub fleet_changed: Notify,
}

/// Open once this replica reconciles (at once without leader election). A standby's triggers
/// are dropped rather than queued for controllers that do not run: its queues stay empty, and
/// on taking over the controllers start by reconciling everything.
#[derive(Clone, Debug, Default)]
pub struct Gate(Arc<AtomicBool>);

impl Gate {
    pub fn open(&self) {
        self.0.store(true, Ordering::Release);
    }

    pub fn is_open(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Where to ask for a Cluster's insight to be rebuilt: the Cluster controller. Like placement
/// triggers, dropped while the gate is closed.
#[derive(Clone, Debug)]
pub struct ClusterTriggers {
    pub sender: UnboundedSender<String>,
    pub gate: Gate,
}

impl ClusterTriggers {
    /// Enqueues `cluster`; `false` once the controller is gone (shutdown).
    pub fn send(&self, cluster: &str) -> bool {
        !self.gate.is_open() || self.sender.unbounded_send(cluster.to_owned()).is_ok()
    }
}

/// Where to ask for a binding's placement to be rebuilt: the two placement controllers.
pub struct PlacementTriggers {
    pub bindings: UnboundedSender<ObjectRef<DeserializeGuard<ResourceBinding>>>,
    pub cluster_bindings: UnboundedSender<ObjectRef<DeserializeGuard<ClusterResourceBinding>>>,
    pub gate: Gate,
}

impl PlacementTriggers {
    /// Enqueues each binding once (the controllers also deduplicate queued requests).
    pub fn send<'a>(&self, bindings: impl IntoIterator<Item = &'a BindingRef>) {
        if !self.gate.is_open() {
            return;
        }
        for binding in bindings {
            // A closed channel means the controllers stopped: shutdown, nothing to do.
            let sent = match binding.kind {
                BindingKind::ResourceBinding => self
                    .bindings
                    .unbounded_send(ObjectRef::new(&binding.name).within(&binding.namespace))
                    .is_ok(),
                BindingKind::ClusterResourceBinding => self
                    .cluster_bindings
                    .unbounded_send(ObjectRef::new(&binding.name))
                    .is_ok(),
            };
            if !sent {
                return;
            }
        }
    }
}

impl Context {
    /// Runs `f` on the binding index (never held across an await).
    pub fn with_bindings<T>(&self, f: impl FnOnce(&mut BindingIndex) -> T) -> T {
        f(&mut self.binding_index.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
