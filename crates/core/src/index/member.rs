//! [`MemberIndex`]: everything one member's watches feed — nodes and pods ([`ClusterIndex`])
//! and ReplicaSet/Job owners ([`OwnerIndex`]) — and, per event, which workloads it touched, so
//! the shell rebuilds only the placements whose pods changed.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::cluster::ClusterIndex;
use super::owners::{OwnerIndex, OwnerKind, key_of};
use crate::hashing::Set;
use crate::intern;
use crate::keys::WorkloadKey;
use crate::projection::{ControllerRef, SlimNode, SlimPod};

/// The workloads whose pods may have changed since the last [`take`](Self::take).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TouchedWorkloads {
    /// Every workload on the member: after a relist removed pods, or once the member has been
    /// listed completely (workloads without pods now show an empty, synced pod list).
    pub all: bool,
    /// The top-level workloads (and direct controllers) touched one by one.
    pub keys: Set<WorkloadKey>,
}

impl TouchedWorkloads {
    /// Nothing touched.
    pub fn is_empty(&self) -> bool {
        !self.all && self.keys.is_empty()
    }

    /// Returns what was collected and starts afresh.
    pub fn take(&mut self) -> TouchedWorkloads {
        std::mem::take(self)
    }

    fn touch(&mut self, key: WorkloadKey) {
        if !self.all {
            self.keys.insert(key);
        }
    }

    fn touch_all(&mut self) {
        self.all = true;
        self.keys.clear();
    }
}

/// One member's indexes and the workloads touched since the shell last asked.
///
/// Fed one watch event at a time through [`apply_event`](Self::apply_event), the only way in;
/// `touched` collects the workloads to rebuild. A pod event touches the pod's top-level workload (Deployment, CronJob, …), its
/// direct controller (a bare ReplicaSet or Job can be a workload too) and, for a pod without a
/// controller, the pod itself; before and after the change, so an adoption touches both sides.
#[derive(Clone, Debug, Default)]
pub struct MemberIndex {
    /// Nodes and pods, with the ClusterInsight figures.
    pub cluster: ClusterIndex,
    /// ReplicaSets and Jobs and their controllers.
    pub owners: OwnerIndex,
    /// Workloads touched since the last [`TouchedWorkloads::take`].
    pub touched: TouchedWorkloads,
    /// Changes applied since this index last purged the interning tables (`intern`).
    changes_since_purge: usize,
}

impl MemberIndex {
    /// An empty index.
    pub fn new() -> MemberIndex {
        MemberIndex::default()
    }

    /// `true` once nodes, pods, ReplicaSets and Jobs have all been listed completely: only
    /// then does a workload's pod list mean what it says.
    pub fn workloads_synced(&self) -> bool {
        self.cluster.is_synced() && self.owners.is_synced()
    }

    /// Adds or replaces a node.
    pub(crate) fn apply_node(&mut self, node: SlimNode) -> bool {
        self.cluster.apply_node(node)
    }

    /// Removes a node.
    pub(crate) fn delete_node(&mut self, node: &SlimNode) -> bool {
        self.cluster.delete_node(node)
    }

    /// A node relist starts.
    pub(crate) fn begin_resync_nodes(&mut self) {
        self.cluster.begin_resync_nodes();
    }

    /// A node relist is complete.
    pub(crate) fn end_resync_nodes(&mut self) -> usize {
        let removed = self.cluster.end_resync_nodes();
        self.touch_all_once_synced();
        removed
    }

    /// Adds or replaces a pod. Returns `true` when anything the index holds changed.
    pub(crate) fn apply_pod(&mut self, pod: SlimPod) -> bool {
        let namespace = Arc::clone(pod.namespace());
        let after = pod.controller.clone();
        // The index reports the controller it replaced: no lookups before and after.
        let Some(stored) = self.cluster.store_pod(pod) else {
            return false;
        };
        if let Some(before) = stored.replaced.filter(|before| *before != after) {
            self.touch_pod(&namespace, &stored.name, before.as_deref());
        }
        self.touch_pod(&namespace, &stored.name, after.as_deref());
        true
    }

    /// Removes a pod.
    pub(crate) fn delete_pod(&mut self, pod: &SlimPod) -> bool {
        let (namespace, name) = (pod.namespace(), pod.name());
        let Some(before) = self.controller_of(namespace, name) else {
            return false;
        };
        self.touch_pod(namespace, name, before.as_deref());
        self.cluster.delete_pod(pod)
    }

    /// A pod relist starts.
    pub(crate) fn begin_resync_pods(&mut self) {
        self.cluster.begin_resync_pods();
    }

    /// A pod relist is complete; returns how many pods it removed. Which workloads those pods
    /// belonged to is not tracked (it would cost a scan), so removals touch every workload.
    pub(crate) fn end_resync_pods(&mut self) -> usize {
        let removed = self.cluster.end_resync_pods();
        if removed > 0 {
            self.touched.touch_all();
        }
        self.touch_all_once_synced();
        removed
    }

    /// Adds or replaces a ReplicaSet/Job from its metadata. Returns `true` when its
    /// controller changed: its pods then belong to another workload.
    pub(crate) fn apply_owner(&mut self, kind: OwnerKind, meta: &ObjectMeta) -> bool {
        let Some(key) = key_of(kind, meta) else {
            return false;
        };
        let before = self.owners.owner_of(&key).flatten().cloned();
        if !self.owners.apply(kind, meta) {
            return false;
        }
        let after = self.owners.owner_of(&key).flatten().cloned();
        for key in [Some(key), before, after].into_iter().flatten() {
            self.touched.touch(key);
        }
        true
    }

    /// Removes a ReplicaSet/Job.
    pub(crate) fn delete_owner(&mut self, kind: OwnerKind, meta: &ObjectMeta) -> bool {
        let Some(key) = key_of(kind, meta) else {
            return false;
        };
        let before = self.owners.owner_of(&key).flatten().cloned();
        if !self.owners.delete(kind, meta) {
            return false;
        }
        for key in [Some(key), before].into_iter().flatten() {
            self.touched.touch(key);
        }
        true
    }

    /// A ReplicaSet/Job relist starts.
    pub(crate) fn begin_resync_owners(&mut self, kind: OwnerKind) {
        self.owners.begin_resync(kind);
    }

    /// A ReplicaSet/Job relist is complete; removals touch every workload.
    pub(crate) fn end_resync_owners(&mut self, kind: OwnerKind) -> usize {
        let removed = self.owners.end_resync(kind);
        if removed > 0 {
            self.touched.touch_all();
        }
        self.touch_all_once_synced();
        removed
    }

    /// `Some(controller)` of a stored pod (itself `None` for a pod without one), `None` for a
    /// pod not stored.
    #[allow(
        clippy::option_option,
        reason = "absent pod vs. pod without controller"
    )]
    fn controller_of(&self, namespace: &str, name: &str) -> Option<Option<Arc<ControllerRef>>> {
        self.cluster
            .pod(namespace, name)
            .map(|p| p.controller.clone())
    }

    fn touch_pod(&mut self, namespace: &Arc<str>, name: &str, controller: Option<&ControllerRef>) {
        if !self.workloads_synced() {
            // A list is under way: its end touches every workload (`touch_all_once_synced`),
            // so no key is built and looked up per pod of the list.
            return;
        }
        match controller {
            Some(controller) => {
                let direct = WorkloadKey::of_controller(namespace, controller);
                let top = self.owners.top_level_of(&direct);
                if top != direct {
                    self.touched.touch(top);
                }
                self.touched.touch(direct);
            }
            None => self
                .touched
                .touch(WorkloadKey::new("v1", "Pod", namespace, name)),
        }
    }

    /// Counts `changes`; once as many have passed as the interning tables held values after
    /// the last purge, purges them, so that the purge's cost, proportional to the tables, is
    /// O(1) per change amortized (see `intern`).
    pub(crate) fn count_changes(&mut self, changes: usize) {
        self.changes_since_purge = self.changes_since_purge.saturating_add(changes);
        if self.changes_since_purge >= intern::purge_due_after() {
            self.changes_since_purge = 0;
            intern::purge_unused();
        }
    }

    /// Whenever a list completes and everything is listed (the first time, or the end of a
    /// relist), every workload's pod list is meaningful again: all are touched. Pods listed
    /// meanwhile touched nothing one by one (`touch_pod`).
    fn touch_all_once_synced(&mut self) {
        if self.workloads_synced() {
            self.touched.touch_all();
        }
    }
}
