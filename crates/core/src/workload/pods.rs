//! The pods of one workload on one member: the grouping [`ClusterIndex`] keeps per direct
//! controller, and [`workload_pods`], which joins it with the [`OwnerIndex`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::attribution::{OwnerIndex, WorkloadKey};
use crate::index::{ClusterIndex, StoredPod};
use crate::projection::{ControllerRef, PodPhase};

/// Pod names grouped by direct controller; maintained by [`ClusterIndex`] on every pod event
/// (O(1): one hash insert or remove, and only when a pod appears, disappears or changes
/// controller). Pods without a controller are not grouped. Names are the `Arc`s the index
/// already keys its pods by, so a grouped pod costs a pointer, not a copy of its name.
#[derive(Clone, Debug, Default)]
pub(crate) struct PodsByController(HashMap<WorkloadKey, HashSet<Arc<str>>>);

impl PodsByController {
    pub(crate) fn add(
        &mut self,
        namespace: &Arc<str>,
        controller: Option<&ControllerRef>,
        name: &Arc<str>,
    ) {
        if let Some(controller) = controller {
            let key = WorkloadKey::of_controller(namespace, controller);
            self.0.entry(key).or_default().insert(Arc::clone(name));
        }
    }

    pub(crate) fn remove(
        &mut self,
        namespace: &Arc<str>,
        controller: Option<&ControllerRef>,
        name: &str,
    ) {
        let Some(controller) = controller else { return };
        let key = WorkloadKey::of_controller(namespace, controller);
        if let Some(names) = self.0.get_mut(&key) {
            names.remove(name);
            if names.is_empty() {
                self.0.remove(&key);
            }
        }
    }

    /// The names of the pods `controller` controls.
    pub(crate) fn names(&self, controller: &WorkloadKey) -> impl Iterator<Item = &Arc<str>> {
        self.0.get(controller).into_iter().flatten()
    }

    /// Every group, for consistency checks.
    #[cfg(test)]
    pub(crate) fn groups(&self) -> &HashMap<WorkloadKey, HashSet<Arc<str>>> {
        &self.0
    }
}

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
            restarts: 0,
        }
    }

    fn stored(name: &Arc<str>, pod: &StoredPod) -> WorkloadPod {
        WorkloadPod {
            name: Arc::clone(name),
            node: pod.node_name.clone(),
            phase: pod.phase,
            ready: pod.ready,
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
