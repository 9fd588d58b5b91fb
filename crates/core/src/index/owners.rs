//! [`OwnerIndex`]: one member's ReplicaSets and Jobs and the workloads that control them, so
//! that a pod's top-level workload (Pod → ReplicaSet → Deployment, Pod → Job → CronJob) is found
//! in O(1) whatever order pods and their owners arrive in.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::hashing::Map;
use crate::interner::intern_str;
use crate::keys::WorkloadKey;
use crate::multimap::MultiMap;
use crate::projection::{ControllerRef, SlimPod};
use crate::watch::Resync;

/// The intermediate kinds whose owners the [`OwnerIndex`] records: a pod's controller of one of
/// these kinds is usually itself controlled by the workload Karmada propagated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OwnerKind {
    /// `apps/v1` ReplicaSet (controlled by a Deployment, or an Argo Rollout, …).
    ReplicaSet,
    /// `batch/v1` Job (controlled by a CronJob, …).
    Job,
}

impl OwnerKind {
    /// Both kinds.
    pub const ALL: [OwnerKind; 2] = [OwnerKind::ReplicaSet, OwnerKind::Job];

    /// The API group: `apps` or `batch`.
    pub fn group(self) -> &'static str {
        match self {
            OwnerKind::ReplicaSet => "apps",
            OwnerKind::Job => "batch",
        }
    }

    /// The kind: `ReplicaSet` or `Job`.
    pub fn kind(self) -> &'static str {
        match self {
            OwnerKind::ReplicaSet => "ReplicaSet",
            OwnerKind::Job => "Job",
        }
    }

    /// `true` for a key of this kind in this kind's group.
    fn is_kind_of(self, key: &WorkloadKey) -> bool {
        *key.group == *self.group() && *key.kind == *self.kind()
    }

    /// The index of the kind in the per-kind arrays (`[_; 2]`): always 0 or 1, so indexing
    /// with it cannot fail.
    fn slot(self) -> usize {
        match self {
            OwnerKind::ReplicaSet => 0,
            OwnerKind::Job => 1,
        }
    }
}

/// A recorded ReplicaSet/Job: its controller (if any) and the relist epoch it was last seen in.
#[derive(Clone, Debug)]
struct Slot {
    owner: Option<WorkloadKey>,
    epoch: u32,
}

/// One member's ReplicaSets and Jobs (metadata only) and who controls them.
///
/// Fed by metadata-only watches (`PartialObjectMeta<ReplicaSet>` / `PartialObjectMeta<Job>`),
/// one per kind, through `MemberIndex::apply_event`, with the same event API as `ClusterIndex`:
///
/// | watcher event          | call                      |
/// |------------------------|---------------------------|
/// | `Apply(o)` / `InitApply(o)` | `apply(kind, &o.metadata)` |
/// | `Delete(o)`            | `delete(kind, &o.metadata)` |
/// | `Init`                 | `begin_resync(kind)`      |
/// | `InitDone`             | `end_resync(kind)`        |
///
/// Every event is O(1). Only namespace, name and the controller owner reference are kept: a
/// member with 10,000 Deployments keeping 10 old ReplicaSets each holds 100,000 small entries.
#[derive(Clone, Debug, Default)]
pub struct OwnerIndex {
    /// ReplicaSet/Job key → its controller.
    objects: Map<WorkloadKey, Slot>,
    /// Controller → the ReplicaSets/Jobs it controls.
    children: MultiMap<WorkloadKey, WorkloadKey>,
    /// Objects recorded per kind.
    counts: [usize; 2],
    resync: [Resync; 2],
}

impl OwnerIndex {
    /// An empty index.
    pub fn new() -> OwnerIndex {
        OwnerIndex::default()
    }

    /// Number of ReplicaSets and Jobs recorded.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Number of objects of `kind` recorded.
    pub fn count(&self, kind: OwnerKind) -> usize {
        self.counts[kind.slot()]
    }

    /// `true` when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// `true` once both kinds were listed completely and no relist is in progress.
    pub fn is_synced(&self) -> bool {
        self.resync.iter().all(Resync::synced)
    }

    /// `true` once `kind` was listed completely and no relist of it is in progress.
    pub fn synced(&self, kind: OwnerKind) -> bool {
        self.resync[kind.slot()].synced()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        *self = OwnerIndex::default();
    }

    /// Adds or replaces a ReplicaSet/Job from its metadata. Returns `true` when its controller
    /// changed (including when it is new), i.e. when some workload gained or lost its pods.
    /// Metadata without a name is ignored.
    pub(crate) fn apply(&mut self, kind: OwnerKind, meta: &ObjectMeta) -> bool {
        let Some(key) = key_of(kind, meta) else {
            return false;
        };
        let owner = controller_of(meta).map(|c| WorkloadKey::of_controller(&key.namespace, &c));
        let epoch = self.resync[kind.slot()].epoch;
        if let Some(slot) = self.objects.get_mut(&key) {
            slot.epoch = epoch;
            if slot.owner == owner {
                return false;
            }
            let old = std::mem::replace(&mut slot.owner, owner.clone());
            if let Some(old) = old {
                self.children.remove(&old, &key);
            }
            if let Some(owner) = owner {
                self.children.insert(owner, key);
            }
            return true;
        }
        if let Some(owner) = owner.clone() {
            self.children.insert(owner, key.clone());
        }
        self.objects.insert(key, Slot { owner, epoch });
        self.counts[kind.slot()] += 1;
        true
    }

    /// Removes a ReplicaSet/Job. Returns `true` when it was recorded.
    pub(crate) fn delete(&mut self, kind: OwnerKind, meta: &ObjectMeta) -> bool {
        key_of(kind, meta).is_some_and(|key| self.remove(&key))
    }

    /// Removes a ReplicaSet/Job by namespace and name.
    #[cfg(test)]
    pub(crate) fn delete_named(&mut self, kind: OwnerKind, namespace: &str, name: &str) -> bool {
        let key = WorkloadKey {
            group: intern_str(kind.group()),
            kind: intern_str(kind.kind()),
            namespace: intern_str(namespace),
            name: Arc::from(name),
        };
        self.remove(&key)
    }

    /// A relist of `kind` starts (`watcher::Event::Init`).
    pub(crate) fn begin_resync(&mut self, kind: OwnerKind) {
        self.resync[kind.slot()].begin();
    }

    /// The relist of `kind` is complete (`InitDone`): removes the objects of that kind it did
    /// not mention. Returns how many were removed.
    pub(crate) fn end_resync(&mut self, kind: OwnerKind) -> usize {
        let Some(epoch) = self.resync[kind.slot()].end() else {
            return 0;
        };
        let stale: Vec<WorkloadKey> = self
            .objects
            .iter()
            .filter(|(key, slot)| kind.is_kind_of(key) && slot.epoch != epoch)
            .map(|(key, _)| key.clone())
            .collect();
        for key in &stale {
            self.remove(key);
        }
        stale.len()
    }

    /// The controller of a recorded ReplicaSet/Job: `Some(None)` when it has none.
    pub fn owner_of(&self, key: &WorkloadKey) -> Option<Option<&WorkloadKey>> {
        self.objects.get(key).map(|slot| slot.owner.as_ref())
    }

    /// The recorded ReplicaSets/Jobs that `owner` controls, in no particular order.
    pub fn children(&self, owner: &WorkloadKey) -> impl Iterator<Item = &WorkloadKey> {
        self.children.get(owner)
    }

    /// The top-level workload of an object in `namespace` whose controller is `controller`:
    /// the controller's own controller when the controller is a recorded ReplicaSet/Job that
    /// has one (Deployment, CronJob, …), otherwise the controller itself (StatefulSet,
    /// DaemonSet, a bare ReplicaSet or Job, any other kind, or a ReplicaSet/Job not seen yet).
    pub fn top_level(&self, namespace: &Arc<str>, controller: &ControllerRef) -> WorkloadKey {
        self.top_level_of(&WorkloadKey::of_controller(namespace, controller))
    }

    /// The top-level workload of the controller `key`: its owner if it is a ReplicaSet/Job
    /// with one, else itself.
    pub fn top_level_of(&self, key: &WorkloadKey) -> WorkloadKey {
        match self.objects.get(key) {
            Some(Slot {
                owner: Some(owner), ..
            }) => owner.clone(),
            _ => key.clone(),
        }
    }

    /// The top-level workload of a pod; `None` for a pod without a controller.
    pub fn top_level_of_pod(&self, pod: &SlimPod) -> Option<WorkloadKey> {
        let controller = pod.controller.as_deref()?;
        Some(self.top_level(pod.namespace(), controller))
    }

    fn remove(&mut self, key: &WorkloadKey) -> bool {
        match self.objects.remove(key) {
            Some(slot) => {
                if let Some(owner) = &slot.owner {
                    self.children.remove(owner, key);
                }
                if let Some(kind) = OwnerKind::ALL.into_iter().find(|k| k.is_kind_of(key)) {
                    // Counted once when inserted, so never below 1 here; saturating anyway so
                    // that a bookkeeping slip could not become a panic.
                    self.counts[kind.slot()] = self.counts[kind.slot()].saturating_sub(1);
                }
                true
            }
            None => false,
        }
    }
}

pub(crate) fn key_of(kind: OwnerKind, meta: &ObjectMeta) -> Option<WorkloadKey> {
    let name = meta.name.as_deref().filter(|n| !n.is_empty())?;
    Some(WorkloadKey {
        group: intern_str(kind.group()),
        kind: intern_str(kind.kind()),
        namespace: intern_str(meta.namespace.as_deref().unwrap_or_default()),
        name: Arc::from(name),
    })
}

/// The owner reference with `controller: true`, as a (not interned) [`ControllerRef`].
fn controller_of(meta: &ObjectMeta) -> Option<ControllerRef> {
    let owner = meta
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))?;
    Some(ControllerRef {
        api_version: Arc::from(owner.api_version.as_str()),
        kind: intern_str(&owner.kind),
        name: Arc::from(owner.name.as_str()),
        uid: Arc::from(owner.uid.as_str()),
    })
}
