//! What one member's watch task shares with the rest of the operator: the member's index, its
//! health and its NodeMetrics. The watch task and the metrics poller write it; the reconcilers
//! read it.

use super::health::Health;
use karmada_manager_core::fit::FitCache;
use karmada_manager_core::{MemberIndex, NodeUsage};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};

/// What a member's task shares with the reconciler. Locks are held only for in-memory updates,
/// never across an await.
#[derive(Default)]
pub struct MemberShared {
    pub index: RwLock<MemberIndex>,
    /// The accurate fit estimates of the shapes placements asked for, caught up lazily with
    /// the index (locked after it, never across an await).
    pub fit: Mutex<FitCache>,
    pub health: Mutex<Health>,
    /// Latest NodeMetrics, or `None` while the member does not serve metrics.k8s.io.
    pub metrics: Mutex<Option<Vec<NodeUsage>>>,
    /// The last poll of NodeMetrics failed or timed out.
    pub(super) metrics_stale: AtomicBool,
    /// When the last watch event (of any kind) arrived.
    pub(super) last_event: Mutex<Option<std::time::Instant>>,
    /// Nodes and pods have been listed completely at least once. Kept across reconnects (the
    /// shared state is), so that a relist shows the last figures instead of an initial sync.
    pub(super) listed: AtomicBool,
    /// Not listed yet, and waiting for a turn to list (see `first_lists`).
    pub(super) waiting_for_turn: AtomicBool,
}

impl MemberShared {
    pub fn health(&self) -> Health {
        self.health.lock().map(|h| h.clone()).unwrap_or_default()
    }

    pub fn metrics(&self) -> Option<Vec<NodeUsage>> {
        self.metrics.lock().ok().and_then(|m| m.clone())
    }

    pub fn metrics_stale(&self) -> bool {
        self.metrics_stale.load(Ordering::Relaxed)
    }

    pub fn listed(&self) -> bool {
        self.listed.load(Ordering::Relaxed)
    }

    pub fn waiting_for_turn(&self) -> bool {
        self.waiting_for_turn.load(Ordering::Relaxed)
    }

    /// Its first list of nodes, pods, ReplicaSets and Jobs is under way and nothing has
    /// failed: the workloads' pods it shows now are fewer than what a previous watcher
    /// published (with sharding, a member just taken over).
    pub fn first_listing(&self) -> bool {
        let health = self.health();
        let synced = crate::locks::read(&self.index).workloads_synced();
        health.failure.is_none() && health.owner_failure.is_none() && !synced
    }

    pub fn last_event(&self) -> Option<std::time::Instant> {
        self.last_event.lock().ok().and_then(|t| *t)
    }
}
