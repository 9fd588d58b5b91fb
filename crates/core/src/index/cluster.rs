//! [`ClusterIndex`]: one member cluster's nodes and pods, with the figures of its
//! `ClusterInsight` maintained incrementally, so that building a status never rescans the member.
//!
//! Pods are also grouped by their direct controller ([`PodsByController`]), so that the pods of
//! one workload are found without a scan (`workload_pods`).
//!
//! Every event costs O(1) (times the handful of resources a pod requests): the stored object's
//! old contribution is taken back and the new one added, so figures never need a rescan. The
//! shell feeds the index through `MemberIndex::apply_event`; the calls here mirror kube-runtime's
//! `watcher::Event`:
//!
//! | watcher event        | call                                            |
//! |----------------------|-------------------------------------------------|
//! | `Apply(o)`           | `apply_node(o)` / `store_pod(o)`                |
//! | `Delete(o)`          | `delete_node(&o)` / `delete_pod(&o)`            |
//! | `Init`               | `begin_resync_nodes()` / `begin_resync_pods()`  |
//! | `InitApply(o)`       | `apply_node(o)` / `store_pod(o)`                |
//! | `InitDone`           | `end_resync_nodes()` / `end_resync_pods()`      |
//!
//! During a relist the previous objects stay counted (figures stay close to the truth instead of
//! dropping to zero); `end_resync_*` removes whatever the relist did not mention ([`Resync`]).
//!
//! The nodes' calls are here, the pods' in `pod_events`.

mod pod_events;
#[cfg(test)]
mod tests;

use std::collections::hash_map::Entry;
use std::sync::Arc;

use super::node_changes::NodeChanges;
use super::pods::PodSlot;
use super::pods_by_controller::PodsByController;
use super::totals::{ClusterFigures, NodeStats};
use crate::hashing::Map;
use crate::projection::SlimNode;
use crate::quantity::Sign;
use crate::watch::Resync;

/// A stored node, the relist epoch it was last seen in, and its id in [`NodeChanges`].
#[derive(Clone, Debug)]
struct NodeSlot {
    /// Boxed: a node is some 200 bytes, which the map's spare capacity would hold too and
    /// every growth of the map would move. The id, read for every pod event, stays inline.
    node: Box<SlimNode>,
    epoch: u32,
    id: u32,
}

impl NodeSlot {
    fn new(node: SlimNode, epoch: u32, id: u32) -> NodeSlot {
        NodeSlot {
            node: Box::new(node),
            epoch,
            id,
        }
    }
}

/// One member's nodes and pods, and their aggregates.
#[derive(Clone, Debug, Default)]
pub struct ClusterIndex {
    nodes: Map<Arc<str>, NodeSlot>,
    /// namespace → name → pod: the namespace is stored once per namespace, not per pod. The
    /// name is shared with `by_controller`.
    pods: Map<Arc<str>, Map<Arc<str>, PodSlot>>,
    pod_count: usize,
    /// Pod names grouped by their direct controller.
    by_controller: PodsByController,
    /// Per node name that pods are bound to (known Node or not).
    node_stats: Map<Arc<str>, NodeStats>,
    figures: ClusterFigures,
    node_resync: Resync,
    pod_resync: Resync,
    changes: NodeChanges,
    /// Counts the changes a ClusterInsight shows beyond its figures that drift: every node
    /// change, and every pod event of a pod in trouble before or after it (`Failed`, `Unknown`,
    /// crash-looping).
    insight_changes: u64,
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

    /// Which nodes changed, by id (see [`NodeChanges`]).
    pub fn node_changes(&self) -> &NodeChanges {
        &self.changes
    }

    /// Moves with every change a ClusterInsight shows beyond its figures that drift (the
    /// status side of that rule: `status::cluster_insight::drift`). Comparable only within one
    /// index's life: a reset starts it over.
    pub fn insight_changes(&self) -> u64 {
        self.insight_changes
    }

    /// The node holding id `id` in [`NodeChanges`], with its pods' figures.
    pub fn node_by_id(&self, id: u32) -> Option<(&SlimNode, Option<&NodeStats>)> {
        let name = self.changes.name(id)?;
        let node = self.node(name)?;
        Some((node, self.node_stats(name)))
    }

    /// A node by name.
    pub fn node(&self, name: &str) -> Option<&SlimNode> {
        self.nodes.get(name).map(|slot| &*slot.node)
    }

    /// Every known node, in no particular order.
    pub fn nodes(&self) -> impl Iterator<Item = &SlimNode> {
        self.nodes.values().map(|slot| &*slot.node)
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
    pub(crate) fn apply_node(&mut self, node: SlimNode) -> bool {
        let mut node = node.without_metadata();
        let epoch = self.node_resync.epoch;
        match self.nodes.entry(Arc::clone(node.name())) {
            Entry::Occupied(mut entry) => {
                node.share_name(entry.key());
                let slot = entry.get_mut();
                slot.epoch = epoch;
                if *slot.node == node {
                    return false;
                }
                let old = std::mem::replace(&mut *slot.node, node);
                count_node(&mut self.figures, &old, Sign::Remove);
                count_node(&mut self.figures, &slot.node, Sign::Add);
                self.changes.record(slot.id);
                self.insight_changes += 1;
                true
            }
            Entry::Vacant(_) => {
                // Pods listed before their node hold its name already.
                if let Some((name, _)) = self.node_stats.get_key_value(&**node.name()) {
                    node.share_name(name);
                }
                self.insight_changes += 1;
                count_node(&mut self.figures, &node, Sign::Add);
                let id = self.changes.assign(node.name());
                // Keyed by the name the node holds now, not by the entry's copy.
                let name = Arc::clone(node.name());
                self.nodes.insert(name, NodeSlot::new(node, epoch, id));
                true
            }
        }
    }

    /// Removes a node (its pods stay counted; they are still in the member until deleted).
    pub(crate) fn delete_node(&mut self, node: &SlimNode) -> bool {
        self.delete_node_named(node.name())
    }

    /// Removes a node by name.
    pub(crate) fn delete_node_named(&mut self, name: &str) -> bool {
        match self.nodes.remove(name) {
            Some(slot) => {
                count_node(&mut self.figures, &slot.node, Sign::Remove);
                self.changes.release(slot.id);
                self.insight_changes += 1;
                true
            }
            None => false,
        }
    }

    /// A node relist starts (`watcher::Event::Init`).
    pub(crate) fn begin_resync_nodes(&mut self) {
        self.node_resync.begin();
    }

    /// The node relist is complete (`InitDone`): removes the nodes it did not mention. Returns
    /// how many were removed.
    pub(crate) fn end_resync_nodes(&mut self) -> usize {
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
