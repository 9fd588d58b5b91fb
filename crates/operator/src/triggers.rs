//! Where to ask for a reconcile: the queues of the Cluster and placement controllers, and the
//! gate that keeps a standby's queues empty. Everything that notices a change (watches, member
//! tasks) sends here; nothing else starts a reconcile. Each queued trigger is noted in
//! [`Progress`] until a reconcile of its controller starts (`/livez`).

use crate::health::{Progress, Queue};
use futures::channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use karmada_manager_core::{BindingKind, BindingRef};
use karmada_types::{ClusterResourceBinding, ResourceBinding};
use kube::core::DeserializeGuard;
use kube::runtime::reflector::ObjectRef;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
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
    pub progress: Progress,
}

impl ClusterTriggers {
    /// Enqueues `cluster`; `false` once the controller is gone (shutdown).
    pub fn send(&self, cluster: &str) -> bool {
        if !self.gate.is_open() {
            return true;
        }
        // Noted before sending: the reconcile may start before the send returns.
        self.progress.queued(Queue::Cluster);
        self.sender.unbounded_send(cluster.to_owned()).is_ok()
    }
}

/// Where to ask for a binding's placement to be rebuilt: the two placement controllers.
pub struct PlacementTriggers {
    /// The bindings sent since their placement was last reconciled: a reconcile that finds its
    /// binding here was asked for by a change; one that does not is a look.
    pending: Mutex<HashSet<BindingRef>>,
    pub bindings: UnboundedSender<ObjectRef<DeserializeGuard<ResourceBinding>>>,
    pub cluster_bindings: UnboundedSender<ObjectRef<DeserializeGuard<ClusterResourceBinding>>>,
    pub gate: Gate,
    pub progress: Progress,
}

impl PlacementTriggers {
    /// Enqueues each binding once (the controllers also deduplicate queued requests) for a
    /// change: its placement is built.
    pub fn send<'a>(&self, bindings: impl IntoIterator<Item = &'a BindingRef>) {
        self.enqueue(bindings, true);
    }

    /// Enqueues each binding for a look no change asked for: its placement is built only when
    /// the fits it shows moved (`controllers/placement/refresh.rs`).
    pub fn look<'a>(&self, bindings: impl IntoIterator<Item = &'a BindingRef>) {
        self.enqueue(bindings, false);
    }

    fn enqueue<'a>(&self, bindings: impl IntoIterator<Item = &'a BindingRef>, changed: bool) {
        if !self.gate.is_open() {
            return;
        }
        for binding in bindings {
            self.progress.queued(Queue::placement(binding.kind));
            if changed {
                self.pending().insert(binding.clone());
            }
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

impl PlacementTriggers {
    /// Whether `binding` was sent since this was last asked (and forgets it): a change asked
    /// for the reconcile now starting.
    pub fn take_pending(&self, binding: &BindingRef) -> bool {
        self.pending().remove(binding)
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashSet<BindingRef>> {
        crate::locks::lock(&self.pending)
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
    /// Triggers behind a closed gate, noting queued work in `progress`, and the queues they feed.
    pub fn new(progress: Progress) -> (Self, Queues) {
        let gate = Gate::default();
        let (clusters_tx, clusters) = mpsc::unbounded();
        let (bindings_tx, bindings) = mpsc::unbounded();
        let (cluster_bindings_tx, cluster_bindings) = mpsc::unbounded();
        let triggers = Triggers {
            clusters: ClusterTriggers {
                sender: clusters_tx,
                gate: gate.clone(),
                progress: progress.clone(),
            },
            placements: PlacementTriggers {
                pending: Mutex::default(),
                bindings: bindings_tx,
                cluster_bindings: cluster_bindings_tx,
                gate: gate.clone(),
                progress,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(kind: BindingKind) -> BindingRef {
        BindingRef {
            kind,
            namespace: if kind == BindingKind::ResourceBinding {
                "shop".into()
            } else {
                String::new()
            },
            name: "web".into(),
        }
    }

    #[test]
    fn a_standby_queues_nothing_and_so_never_waits() {
        let progress = Progress::new();
        let (triggers, _queues) = Triggers::new(progress.clone());
        assert!(triggers.clusters.send("m1"));
        triggers
            .placements
            .send(&[binding(BindingKind::ResourceBinding)]);
        for queue in [Queue::Cluster, Queue::WorkloadPlacement] {
            assert_eq!(progress.waiting_since(queue), None, "{queue:?}");
        }
    }

    #[test]
    fn a_queued_trigger_waits_until_its_controller_starts_a_reconcile() {
        let progress = Progress::new();
        let (triggers, mut queues) = Triggers::new(progress.clone());
        triggers.gate.open();
        assert!(triggers.clusters.send("m1"));
        triggers
            .placements
            .send(&[binding(BindingKind::ClusterResourceBinding)]);
        assert!(progress.waiting_since(Queue::Cluster).is_some());
        assert!(
            progress
                .waiting_since(Queue::ClusterWorkloadPlacement)
                .is_some()
        );
        assert_eq!(progress.waiting_since(Queue::WorkloadPlacement), None);
        assert_eq!(queues.clusters.try_recv().ok().as_deref(), Some("m1"));
        assert!(queues.cluster_bindings.try_recv().is_ok());
        progress.started(Queue::Cluster);
        assert_eq!(progress.waiting_since(Queue::Cluster), None);
        assert!(
            progress
                .waiting_since(Queue::ClusterWorkloadPlacement)
                .is_some()
        );
    }
}
