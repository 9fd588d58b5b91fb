//! [`ClusterIndex`]: one member cluster's nodes and pods, with the figures of its
//! `ClusterInsight` maintained incrementally (DESIGN §5).
//!
//! Pods are also grouped by their direct controller, so that the pods of one workload are found
//! without a scan ([`crate::workload`]).
//!
//! Every event costs O(1) (times the handful of resources a pod requests): the stored object's
//! old contribution is taken back and the new one added, so figures never need a rescan. The
//! event API mirrors kube-runtime's `watcher::Event`:
//!
//! | watcher event        | call                                            |
//! |----------------------|-------------------------------------------------|
//! | `Apply(o)`           | `apply_node(o)` / `apply_pod(o)`                |
//! | `Delete(o)`          | `delete_node(&o)` / `delete_pod(&o)`            |
//! | `Init`               | `begin_resync_nodes()` / `begin_resync_pods()`  |
//! | `InitApply(o)`       | `apply_node(o)` / `apply_pod(o)`                |
//! | `InitDone`           | `end_resync_nodes()` / `end_resync_pods()`      |
//!
//! During a relist the previous objects stay counted (figures stay close to the truth instead of
//! dropping to zero); `end_resync_*` removes whatever the relist did not mention. Objects are
//! marked with a relist epoch rather than collected in a "seen" set, so a relist of 2,000,000
//! pods needs no extra memory.

mod pods;
#[cfg(test)]
mod tests;
mod totals;

use std::collections::HashMap;
use std::sync::Arc;

use crate::projection::SlimNode;
use crate::workload::PodsByController;

pub use pods::StoredPod;
pub use totals::{ClusterFigures, NodeStats, NodeTally, PodTally, ResourceTotals};
pub(crate) use totals::{ExactSum, Sign};

/// A stored node and the relist epoch it was last seen in.
#[derive(Clone, Debug)]
struct NodeSlot {
    node: SlimNode,
    epoch: u32,
}

/// Relist bookkeeping for one kind (also used by [`OwnerIndex`](crate::OwnerIndex)).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Resync {
    /// The epoch objects applied now are marked with.
    pub(crate) epoch: u32,
    active: bool,
    completed_once: bool,
}

impl Resync {
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

/// One member's nodes and pods, and their aggregates.
#[derive(Clone, Debug, Default)]
pub struct ClusterIndex {
    nodes: HashMap<Arc<str>, NodeSlot>,
    /// namespace → name → pod: the namespace is stored once per namespace, not per pod. The
    /// name is shared with `by_controller`.
    pods: HashMap<Arc<str>, HashMap<Arc<str>, pods::PodSlot>>,
    pod_count: usize,
    /// Pod names grouped by their direct controller (see [`crate::workload`]).
    by_controller: PodsByController,
    /// Per node name that pods are bound to (known Node or not).
    node_stats: HashMap<Arc<str>, NodeStats>,
    figures: ClusterFigures,
    node_resync: Resync,
    pod_resync: Resync,
}

impl ClusterIndex {
    /// An empty index.
    pub fn new() -> ClusterIndex {
        ClusterIndex::default()
    }

    /// The member's aggregates.
    pub fn figures(&self) -> &ClusterFigures {
        &self.figures
    }

    /// A node by name.
    pub fn node(&self, name: &str) -> Option<&SlimNode> {
        self.nodes.get(name).map(|slot| &slot.node)
    }

    /// Every known node, in no particular order.
    pub fn nodes(&self) -> impl Iterator<Item = &SlimNode> {
        self.nodes.values().map(|slot| &slot.node)
    }

    /// Number of known nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// What the pods bound to `node` add up to (also for a node not known as a Node).
    pub fn node_stats(&self, node: &str) -> Option<&NodeStats> {
        self.node_stats.get(node)
    }

    /// Node names that pods are bound to, with their stats, in no particular order.
    pub fn all_node_stats(&self) -> impl Iterator<Item = (&Arc<str>, &NodeStats)> {
        self.node_stats.iter()
    }

    /// `true` once a node relist has completed (the node figures are complete).
    pub fn nodes_synced(&self) -> bool {
        self.node_resync.synced()
    }

    /// `true` once a pod relist has completed (the pod figures are complete).
    pub fn pods_synced(&self) -> bool {
        self.pod_resync.synced()
    }

    /// Both kinds listed completely at least once and no relist in progress.
    pub fn is_synced(&self) -> bool {
        self.nodes_synced() && self.pods_synced()
    }

    /// Forgets everything (the member was removed or is being reconnected elsewhere).
    pub fn clear(&mut self) {
        *self = ClusterIndex::default();
    }

    /// Adds or replaces a node. Returns `true` when anything the index holds changed.
    pub fn apply_node(&mut self, node: SlimNode) -> bool {
        let node = node.without_metadata();
        let epoch = self.node_resync.epoch;
        if let Some(slot) = self.nodes.get_mut(node.name().as_ref()) {
            slot.epoch = epoch;
            if slot.node == node {
                return false;
            }
            let old = std::mem::replace(&mut slot.node, node);
            count_node(&mut self.figures, &old, Sign::Remove);
            count_node(&mut self.figures, &slot.node, Sign::Add);
            return true;
        }
        count_node(&mut self.figures, &node, Sign::Add);
        self.nodes
            .insert(Arc::clone(node.name()), NodeSlot { node, epoch });
        true
    }

    /// Removes a node (its pods stay counted; they are still in the member until deleted).
    pub fn delete_node(&mut self, node: &SlimNode) -> bool {
        self.delete_node_named(node.name())
    }

    /// Removes a node by name.
    pub fn delete_node_named(&mut self, name: &str) -> bool {
        match self.nodes.remove(name) {
            Some(slot) => {
                count_node(&mut self.figures, &slot.node, Sign::Remove);
                true
            }
            None => false,
        }
    }

    /// A node relist starts (`watcher::Event::Init`).
    pub fn begin_resync_nodes(&mut self) {
        self.node_resync.begin();
    }

    /// The node relist is complete (`InitDone`): removes the nodes it did not mention. Returns
    /// how many were removed.
    pub fn end_resync_nodes(&mut self) -> usize {
        let Some(epoch) = self.node_resync.end() else {
            return 0;
        };
        let stale: Vec<Arc<str>> = self
            .nodes
            .iter()
            .filter(|(_, slot)| slot.epoch != epoch)
            .map(|(name, _)| Arc::clone(name))
            .collect();
        for name in &stale {
            self.delete_node_named(name);
        }
        stale.len()
    }
}

/// Adds or takes back one node's share of the member figures.
fn count_node(figures: &mut ClusterFigures, node: &SlimNode, sign: Sign) {
    // Plain `+=`: exactly invertible, and bounded by the number of nodes held.
    let n = sign.count();
    let nodes = &mut figures.nodes;
    nodes.total += n;
    nodes.ready += n * i64::from(node.ready);
    nodes.unschedulable += n * i64::from(node.unschedulable);
    nodes.memory_pressure += n * i64::from(node.memory_pressure);
    nodes.disk_pressure += n * i64::from(node.disk_pressure);
    nodes.pid_pressure += n * i64::from(node.pid_pressure);
    nodes.network_unavailable += n * i64::from(node.network_unavailable);
    figures.capacity.apply_list(&node.capacity, sign);
    figures.allocatable.apply_list(&node.allocatable, sign);
}
