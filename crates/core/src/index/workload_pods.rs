//! The pods of one workload on one member: [`workload_pods`] joins the grouping the
//! [`ClusterIndex`] keeps per direct controller with the [`OwnerIndex`], and lists them as
//! [`WorkloadPod`]s for the `WorkloadPlacement` builder.
//!
//! Attributing each pod to its top-level workload when the pod event arrives would have been
//! wrong whenever a pod arrived before its ReplicaSet (common during a relist, and for every pod
//! of a new rollout), and repairing that would have cost a rescan per ReplicaSet event; joining
//! when a status is built costs only the workload's own pods.

use std::sync::Arc;

use super::cluster::ClusterIndex;
use super::owners::OwnerIndex;
use super::pods::StoredPod;
use crate::keys::WorkloadKey;
use crate::projection::{NotScheduled, PodPhase};

/// One pod of a workload, as the `WorkloadPlacement` builder needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadPod {
    /// Pod name.
    pub name: Arc<str>,
    /// `spec.nodeName`; `None` while unscheduled.
    pub node: Option<Arc<str>>,
    /// `status.phase`.
    pub phase: PodPhase,
    /// The `Ready` condition is `True`.
    pub ready: bool,
    /// Why the pod is not scheduled, when its `PodScheduled` condition is `False`.
    pub not_scheduled: Option<Arc<NotScheduled>>,
    /// Σ container restarts.
    pub restarts: i64,
}

impl WorkloadPod {
    /// A pod by name, Pending, unscheduled, not ready; for tests and synthetic data.
    pub fn new(name: &str) -> WorkloadPod {
        WorkloadPod {
            name: Arc::from(name),
            node: None,
            phase: PodPhase::Pending,
            ready: false,
            not_scheduled: None,
            restarts: 0,
        }
    }

    fn stored(name: &Arc<str>, pod: &StoredPod) -> WorkloadPod {
        WorkloadPod {
            name: Arc::clone(name),
            node: pod.node_name.clone(),
            phase: pod.phase,
            ready: pod.ready,
            not_scheduled: pod.not_scheduled.clone(),
            restarts: pod.restarts,
        }
    }
}

/// The pods of `workload` on one member, sorted by name: the pods it controls directly
/// (StatefulSet, DaemonSet, a bare ReplicaSet or Job, any other controller kind) plus those of
/// the ReplicaSets/Jobs it controls (Deployment, CronJob, Argo Rollout, …). For a propagated
/// `Pod`, the pod itself.
///
/// Costs O(the workload's pods + its ReplicaSets/Jobs), however large the member. A pod whose
/// ReplicaSet the [`OwnerIndex`] has not seen yet is not attributed to the Deployment until it
/// has; the shell should rebuild the affected placements after ReplicaSet/Job events as after
/// pod events.
pub fn workload_pods(
    index: &ClusterIndex,
    owners: &OwnerIndex,
    workload: &WorkloadKey,
) -> Vec<WorkloadPod> {
    if workload.group.is_empty() && &*workload.kind == "Pod" {
        return index
            .pod(&workload.namespace, &workload.name)
            .map(|pod| WorkloadPod::stored(&workload.name, pod))
            .into_iter()
            .collect();
    }
    let mut pods: Vec<WorkloadPod> = std::iter::once(workload)
        .chain(owners.children(workload))
        .flat_map(|controller| index.pods_of_controller(controller))
        .map(|(name, pod)| WorkloadPod::stored(name, pod))
        .collect();
    pods.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    pods
}
