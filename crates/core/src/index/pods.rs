//! What a member's index keeps of each pod ([`StoredPod`]) and what each pod contributes to the
//! member's figures and its node's stats.

use std::sync::{Arc, LazyLock};

use super::totals::{ClusterFigures, NodeStats};
use crate::hashing::Map;
use crate::interner::intern_str;
use crate::projection::{
    ControllerRef, NotScheduled, PodPhase, ResourceEntry, ResourceList, SlimPod,
};
use crate::quantity::{Amount, Sign};

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
    /// Why the pod is not scheduled, when its `PodScheduled` condition is `False`.
    pub not_scheduled: Option<Arc<NotScheduled>>,
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
    pub(super) fn from_slim(pod: SlimPod) -> StoredPod {
        StoredPod {
            node_name: pod.node_name,
            phase: pod.phase,
            ready: pod.ready,
            not_scheduled: pod.not_scheduled,
            restarts: pod.restarts.clamp(0, i64::from(u32::MAX)),
            crash_looping: pod.crash_looping,
            controller: pod.controller,
            requests: pod.requests,
        }
    }

    /// Counted among the pods in trouble, the pod figures a ClusterInsight writes promptly
    /// (`status::cluster_insight::drift`): `Failed`, `Unknown`, or crash-looping. A pod that is
    /// not in trouble before or after a change only moves figures that drift.
    pub(super) fn in_trouble(&self) -> bool {
        matches!(self.phase, PodPhase::Failed | PodPhase::Unknown) || self.crash_looping
    }

    /// Holds resources: not Succeeded or Failed.
    pub fn is_active(&self) -> bool {
        !self.phase.is_terminal()
    }
}

/// What storing a pod changed (`ClusterIndex::store_pod`).
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

/// A stored pod and the relist epoch it was last seen in.
#[derive(Clone, Debug)]
pub(super) struct PodSlot {
    pub(super) pod: StoredPod,
    pub(super) epoch: u32,
}

/// Adds or takes back one pod's share of the member figures and of its node's stats.
pub(super) fn count_pod(
    figures: &mut ClusterFigures,
    node_stats: &mut Map<Arc<str>, NodeStats>,
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
    // Looked up before it is inserted: most pods' nodes have stats already, and their name is
    // then neither cloned nor compared (the same `Arc`).
    let stats = match node_stats.get_mut(node) {
        Some(stats) => stats,
        None => node_stats.entry(Arc::clone(node)).or_default(),
    };
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
