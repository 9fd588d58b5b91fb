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

#[cfg(test)]
mod tests;

use std::collections::hash_map::Entry;
use std::sync::Arc;

use super::node_changes::NodeChanges;
use super::pods::{PodSlot, PodStored, StoredPod, count_pod};
use super::pods_by_controller::PodsByController;
use super::totals::{ClusterFigures, NodeStats};
use crate::hashing::Map;
use crate::keys::WorkloadKey;
use crate::projection::{SlimNode, SlimPod};
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

    /// A pod by namespace and name.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<&StoredPod> {
        self.pods
            .get(namespace)
            .and_then(|names| names.get(name))
            .map(|slot| &slot.pod)
    }

    /// Every pod as `(namespace, name, pod)`, in no particular order.
    pub fn pods(&self) -> impl Iterator<Item = (&Arc<str>, &str, &StoredPod)> {
        self.pods.iter().flat_map(|(namespace, names)| {
            names
                .iter()
                .map(move |(name, slot)| (namespace, name.as_ref(), &slot.pod))
        })
    }

    /// The pods whose controller (owner reference with `controller: true`) is `controller`, as
    /// `(name, pod)` in no particular order. Costs O(those pods), whatever the member's size.
    pub fn pods_of_controller(
        &self,
        controller: &WorkloadKey,
    ) -> impl Iterator<Item = (&Arc<str>, &StoredPod)> {
        let names = self.pods.get(&*controller.namespace);
        self.by_controller
            .names(controller)
            .filter_map(move |name| names?.get_key_value(&**name))
            .map(|(name, slot)| (name, &slot.pod))
    }

    /// Number of pods held.
    pub fn pod_count(&self) -> usize {
        self.pod_count
    }

    /// Adds or replaces a pod. Returns `true` when anything the index holds changed.
    #[cfg(test)]
    pub(crate) fn apply_pod(&mut self, pod: SlimPod) -> bool {
        self.store_pod(pod).is_some()
    }

    /// Adds or replaces a pod, telling what it replaced; `None` when nothing changed.
    pub(crate) fn store_pod(&mut self, mut pod: SlimPod) -> Option<PodStored> {
        if let Some(node) = &mut pod.node_name {
            self.share_node_name(node);
        }
        let epoch = self.pod_resync.epoch;
        let namespace = Arc::clone(pod.namespace());
        let name: Arc<str> = pod.name().into();
        let new = StoredPod::from_slim(pod);
        let names = self.pods.entry(Arc::clone(&namespace)).or_default();
        // One hash of the name, whether the pod is new or replaced.
        match names.entry(Arc::clone(&name)) {
            Entry::Occupied(mut entry) => {
                let slot = entry.get_mut();
                slot.epoch = epoch;
                if slot.pod == new {
                    return None;
                }
                if slot.pod.in_trouble() || new.in_trouble() {
                    self.insight_changes += 1;
                }
                let replaced = Some(slot.pod.controller.clone());
                if slot.pod.controller != new.controller {
                    // Adopted or released (rare): move the name to its new group.
                    let groups = &mut self.by_controller;
                    groups.remove(&namespace, slot.pod.controller.as_deref(), &name);
                    groups.add(&namespace, new.controller.as_deref(), &name);
                }
                let old = std::mem::replace(&mut slot.pod, new);
                count_pod(&mut self.figures, &mut self.node_stats, &old, Sign::Remove);
                count_pod(
                    &mut self.figures,
                    &mut self.node_stats,
                    &slot.pod,
                    Sign::Add,
                );
                let nodes = [old.node_name.as_ref(), slot.pod.node_name.as_ref()];
                record_pod_nodes(&mut self.changes, &self.nodes, nodes);
                Some(PodStored { name, replaced })
            }
            Entry::Vacant(entry) => {
                self.insight_changes += u64::from(new.in_trouble());
                count_pod(&mut self.figures, &mut self.node_stats, &new, Sign::Add);
                record_pod_nodes(
                    &mut self.changes,
                    &self.nodes,
                    [new.node_name.as_ref(), None],
                );
                self.by_controller
                    .add(&namespace, new.controller.as_deref(), &name);
                entry.insert(PodSlot { pod: new, epoch });
                self.pod_count += 1;
                Some(PodStored {
                    name,
                    replaced: None,
                })
            }
        }
    }

    /// Replaces a pod's node name, the pod's own copy as decoded, by the one this index
    /// already holds: the node's, or another pod's on a node not listed yet (which the node
    /// takes when it comes, `apply_node`). Node names are not interned (`SlimNode::share_name`
    /// says why): a member's index is where a node and its pods share one copy.
    fn share_node_name(&self, name: &mut Arc<str>) {
        let held = (self.nodes.get_key_value(&**name).map(|(held, _)| held))
            .or_else(|| self.node_stats.get_key_value(&**name).map(|(held, _)| held));
        if let Some(held) = held {
            *name = Arc::clone(held);
        }
    }

    /// Removes a pod.
    pub(crate) fn delete_pod(&mut self, pod: &SlimPod) -> bool {
        self.delete_pod_named(pod.namespace(), pod.name())
    }

    /// Removes a pod by namespace and name.
    pub(crate) fn delete_pod_named(&mut self, namespace: &str, name: &str) -> bool {
        let Some(namespace) = self
            .pods
            .get_key_value(namespace)
            .map(|(ns, _)| Arc::clone(ns))
        else {
            return false;
        };
        let Some(names) = self.pods.get_mut(&namespace) else {
            return false;
        };
        let Some((name, slot)) = names.remove_entry(name) else {
            return false;
        };
        if names.is_empty() {
            self.pods.remove(&namespace);
        }
        self.by_controller
            .remove(&namespace, slot.pod.controller.as_deref(), &name);
        // The pod was stored, hence counted: pod_count ≥ 1.
        self.pod_count -= 1;
        self.insight_changes += u64::from(slot.pod.in_trouble());
        count_pod(
            &mut self.figures,
            &mut self.node_stats,
            &slot.pod,
            Sign::Remove,
        );
        record_pod_nodes(
            &mut self.changes,
            &self.nodes,
            [slot.pod.node_name.as_ref(), None],
        );
        true
    }

    /// A pod relist starts (`watcher::Event::Init`).
    pub(crate) fn begin_resync_pods(&mut self) {
        self.pod_resync.begin();
    }

    /// The pod relist is complete (`InitDone`): removes the pods it did not mention. Returns
    /// how many were removed.
    pub(crate) fn end_resync_pods(&mut self) -> usize {
        let Some(epoch) = self.pod_resync.end() else {
            return 0;
        };
        let (mut removed, mut in_trouble) = (0, 0);
        let figures = &mut self.figures;
        let node_stats = &mut self.node_stats;
        let groups = &mut self.by_controller;
        self.pods.retain(|namespace, names| {
            names.retain(|name, slot| {
                let keep = slot.epoch == epoch;
                if !keep {
                    count_pod(figures, node_stats, &slot.pod, Sign::Remove);
                    groups.remove(namespace, slot.pod.controller.as_deref(), name);
                    removed += 1;
                    in_trouble += u64::from(slot.pod.in_trouble());
                }
                keep
            });
            !names.is_empty()
        });
        // `removed` counts stored pods, each counted once in pod_count.
        self.pod_count -= removed;
        self.insight_changes += in_trouble;
        removed
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

/// A pod's share changed on its node(s) (two when it moved): logged for the nodes the index
/// knows; a node that appears later is logged then, with its pods already counted.
fn record_pod_nodes(
    changes: &mut NodeChanges,
    nodes: &Map<Arc<str>, NodeSlot>,
    names: [Option<&Arc<str>>; 2],
) {
    for name in names.into_iter().flatten() {
        // By the `Arc`: the stored pods' names are the nodes' own, equal without a comparison.
        if let Some(slot) = nodes.get(name) {
            changes.record(slot.id);
        }
    }
}
