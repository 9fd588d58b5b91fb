//! What every index fed by list-watch streams shares: [`WatcherEvent`], one event of a stream,
//! and [`Resync`], the bookkeeping of a relist (a member's nodes, pods, ReplicaSets and Jobs; the
//! hub's Clusters, bindings and Works).

/// One event of a list-watch stream, the same variants as kube-runtime's `watcher::Event`
/// (the core does not depend on kube-runtime, which brings a client and an async runtime).
#[derive(Clone, Debug, PartialEq)]
pub enum WatcherEvent<K> {
    /// A relist starts (before any request is made).
    Init,
    /// An object of the relist.
    InitApply(K),
    /// The relist is complete: objects it did not mention are gone.
    InitDone,
    /// An object was added or modified.
    Apply(K),
    /// An object was deleted.
    Delete(K),
}

/// Relist bookkeeping for one kind.
///
/// A relist marks what it mentions with a new epoch instead of collecting a "seen" set, so a
/// relist of 2,000,000 pods needs no extra memory; when it completes, whatever still carries an
/// older epoch is gone.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Resync {
    /// The epoch objects applied now are marked with.
    pub(crate) epoch: u32,
    active: bool,
    completed_once: bool,
}

impl Resync {
    /// A relist starts: objects applied from now on carry a new epoch.
    pub(crate) fn begin(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        self.active = true;
    }

    /// Ends a relist; returns the epoch to keep, or `None` when none was in progress.
    pub(crate) fn end(&mut self) -> Option<u32> {
        self.completed_once = true;
        std::mem::take(&mut self.active).then_some(self.epoch)
    }

    /// A relist has completed and none is in progress.
    pub(crate) fn synced(&self) -> bool {
        self.completed_once && !self.active
    }
}
