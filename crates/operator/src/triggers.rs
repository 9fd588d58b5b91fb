//! Where to ask for a reconcile: the queues of the Cluster and placement controllers, and the
//! gate that keeps a standby's queues empty. Everything that notices a change (watches, member
//! tasks) sends here; nothing else starts a reconcile.

use futures::channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use karmada_manager_core::{BindingKind, BindingRef};
use karmada_types::{ClusterResourceBinding, ResourceBinding};
use kube::core::DeserializeGuard;
use kube::runtime::reflector::ObjectRef;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Notify;

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

/// Every queue, and the FleetInsight's wake-up.
pub struct Triggers {
    pub gate: Gate,
    pub clusters: ClusterTriggers,
    pub placements: PlacementTriggers,
    /// Woken whenever a ClusterInsight, binding or policy may have changed, so the
    /// FleetInsight follows.
    pub fleet: Notify,
}

/// The receiving ends, one per controller.
pub struct Queues {
    pub clusters: UnboundedReceiver<String>,
    pub bindings: UnboundedReceiver<ObjectRef<DeserializeGuard<ResourceBinding>>>,
    pub cluster_bindings: UnboundedReceiver<ObjectRef<DeserializeGuard<ClusterResourceBinding>>>,
}

impl Triggers {
    /// Triggers behind a closed gate, and the queues they feed.
    pub fn new() -> (Self, Queues) {
        let gate = Gate::default();
        let (clusters_tx, clusters) = mpsc::unbounded();
        let (bindings_tx, bindings) = mpsc::unbounded();
        let (cluster_bindings_tx, cluster_bindings) = mpsc::unbounded();
        let triggers = Triggers {
            clusters: ClusterTriggers {
                sender: clusters_tx,
                gate: gate.clone(),
            },
            placements: PlacementTriggers {
                bindings: bindings_tx,
                cluster_bindings: cluster_bindings_tx,
                gate: gate.clone(),
            },
            gate,
            fleet: Notify::new(),
        };
        let queues = Queues {
            clusters,
            bindings,
            cluster_bindings,
        };
        (triggers, queues)
    }
}
