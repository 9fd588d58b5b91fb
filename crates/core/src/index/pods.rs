//! The pod half of [`ClusterIndex`]: storage, events and each pod's contribution.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, LazyLock};

use super::ClusterIndex;
use super::totals::{ClusterFigures, NodeStats, Sign};
use crate::intern::intern_str;
use crate::projection::{ControllerRef, PodPhase, ResourceEntry, ResourceList, SlimPod};
use crate::quantity::Amount;
use crate::workload::WorkloadKey;

/// The `pods` resource: each non-terminal pod takes one slot, bound or not.
static ONE_POD: LazyLock<ResourceEntry> = LazyLock::new(|| ResourceEntry {
    name: intern_str("pods"),
    amount: Amount::from_units(1),
});

/// What the index keeps per pod: the [`SlimPod`] without its metadata (name and namespace are
/// the map keys), every string shared through the interner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPod {
    /// `spec.nodeName`; `None` while unscheduled.
    pub node_name: Option<Arc<str>>,
    /// `status.phase`.
    pub phase: PodPhase,
    /// The `Ready` condition is `True`.
    pub ready: bool,
    /// Σ container restarts, clamped to `0..=u32::MAX` so that totals over any realistic
    /// number of pods fit an `i64`.
    pub restarts: i64,
    /// Some container is in `CrashLoopBackOff`.
    pub crash_looping: bool,
    /// The controller owner reference.
    pub controller: Option<Arc<ControllerRef>>,
    /// The effective requests.
    pub requests: ResourceList,
}

impl StoredPod {
    fn from_slim(pod: SlimPod) -> StoredPod {
        StoredPod {
            node_name: pod.node_name,
            phase: pod.phase,
            ready: pod.ready,
            restarts: pod.restarts.clamp(0, i64::from(u32::MAX)),
            crash_looping: pod.crash_looping,
            controller: pod.controller,
            requests: pod.requests,
        }
    }

    /// Holds resources: not Succeeded or Failed.
    pub fn is_active(&self) -> bool {
        !self.phase.is_terminal()
    }
}

/// What [`ClusterIndex::store_pod`] changed.
pub(crate) struct PodStored {
    /// The pod's name, as the index keys it.
    pub(crate) name: Arc<str>,
    /// The controller of the pod it replaced (itself `None` for a pod without one); `None`
    /// when the pod is new.
    #[allow(
        clippy::option_option,
        reason = "new pod vs. replaced pod without controller"
    )]
    pub(crate) replaced: Option<Option<Arc<ControllerRef>>>,
}

#[derive(Clone, Debug)]
pub(super) struct PodSlot {
    pod: StoredPod,
    epoch: u32,
}

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
    pub fn apply_pod(&mut self, pod: SlimPod) -> bool {
        self.store_pod(pod).is_some()
    }

    /// [`apply_pod`](Self::apply_pod), telling what it replaced; `None` when nothing changed.
    pub(crate) fn store_pod(&mut self, pod: SlimPod) -> Option<PodStored> {
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
                Some(PodStored { name, replaced })
            }
            Entry::Vacant(entry) => {
                count_pod(&mut self.figures, &mut self.node_stats, &new, Sign::Add);
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

    /// Removes a pod.
    pub fn delete_pod(&mut self, pod: &SlimPod) -> bool {
        self.delete_pod_named(pod.namespace(), pod.name())
    }

    /// Removes a pod by namespace and name.
    pub fn delete_pod_named(&mut self, namespace: &str, name: &str) -> bool {
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
        count_pod(
            &mut self.figures,
            &mut self.node_stats,
            &slot.pod,
            Sign::Remove,
        );
        true
    }

    /// A pod relist starts (`watcher::Event::Init`).
    pub fn begin_resync_pods(&mut self) {
        self.pod_resync.begin();
    }

    /// The pod relist is complete (`InitDone`): removes the pods it did not mention. Returns
    /// how many were removed.
    pub fn end_resync_pods(&mut self) -> usize {
        let Some(epoch) = self.pod_resync.end() else {
            return 0;
        };
        let mut removed = 0;
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
                }
                keep
            });
            !names.is_empty()
        });
        // `removed` counts stored pods, each counted once in pod_count.
        self.pod_count -= removed;
        removed
    }
}

/// Adds or takes back one pod's share of the member figures and of its node's stats.
fn count_pod(
    figures: &mut ClusterFigures,
    node_stats: &mut HashMap<Arc<str>, NodeStats>,
    pod: &StoredPod,
    sign: Sign,
) {
    // Plain `+=`, not saturating: each update must be undone exactly by the opposite one. It
    // cannot overflow: counts are bounded by the number of pods held, and restarts are clamped
    // to u32::MAX per pod (see `StoredPod::restarts`), so 2³¹ pods would be needed.
    let n = sign.count();
    let is = |phase: PodPhase| n * i64::from(pod.phase == phase);
    let pods = &mut figures.pods;
    pods.total += n;
    pods.running += is(PodPhase::Running);
    pods.pending += is(PodPhase::Pending);
    pods.succeeded += is(PodPhase::Succeeded);
    pods.failed += is(PodPhase::Failed);
    pods.unknown += is(PodPhase::Unknown);
    pods.not_ready += n * i64::from(pod.phase == PodPhase::Running && !pod.ready);
    pods.restarts += n * pod.restarts;
    pods.crash_looping += n * i64::from(pod.crash_looping);

    let holds_resources = pod.is_active();
    let bucket = match &pod.node_name {
        Some(_) => &mut figures.allocated,
        None => &mut figures.allocating,
    };
    if holds_resources {
        bucket.apply_list(&pod.requests, sign);
        bucket.apply_entry(&ONE_POD, sign);
    }

    let Some(node) = &pod.node_name else {
        return;
    };
    let stats = node_stats.entry(Arc::clone(node)).or_default();
    stats.pods += n;
    stats.running += is(PodPhase::Running);
    stats.pending += is(PodPhase::Pending);
    stats.failed += is(PodPhase::Failed);
    stats.restarts += n * pod.restarts;
    if holds_resources {
        stats.allocated.apply_list(&pod.requests, sign);
        stats.allocated.apply_entry(&ONE_POD, sign);
    }
    if stats.pods == 0 {
        node_stats.remove(&**node);
    }
}
