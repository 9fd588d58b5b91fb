//! [`ClusterIndex`]'s pods: stored, replaced and deleted one event at a time, and the ones a
//! relist did not mention removed at its end. Each event takes the pod's old share of the
//! figures back and adds the new one, and logs the nodes whose share changed.

use std::collections::hash_map::Entry;
use std::sync::Arc;

use super::{ClusterIndex, NodeSlot};
use crate::hashing::Map;
use crate::index::node_changes::NodeChanges;
use crate::index::pods::{PodSlot, PodStored, StoredPod, count_pod};
use crate::keys::WorkloadKey;
use crate::projection::SlimPod;
use crate::quantity::Sign;

impl ClusterIndex {
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
