//! [`BindingIndex`]: what every ResourceBinding and ClusterResourceBinding relates to — its
//! clusters, its workload, its policy and its permanent id — so that a change anywhere (a
//! member's pods, a Cluster's labels, a policy, a Work) finds the bindings to rebuild in O(1)
//! instead of a scan of all bindings.

use std::collections::{BTreeSet, HashMap};

use karmada_types::ResourceBindingSpec;
use karmada_types::well_known::ClaimingPolicy;

use crate::keys::{
    BindingKind, BindingRef, BindingSource, PermanentId, WorkloadKey, permanent_id_label,
};
use crate::multimap::MultiMap;
use crate::watch::Resync;

/// What one binding event touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BindingChanges {
    /// Clusters whose set of bindings may have changed: targeted before or after.
    pub clusters: BTreeSet<String>,
    /// Bindings to re-place (including those a relist found gone).
    pub bindings: Vec<BindingRef>,
}

impl BindingChanges {
    pub(super) fn extend(&mut self, other: BindingChanges) {
        self.clusters.extend(other.clusters);
        self.bindings.extend(other.bindings);
    }
}

/// What one binding points at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Links {
    /// Target clusters and clusters being evicted from.
    clusters: BTreeSet<String>,
    workload: Option<WorkloadKey>,
    claim: Option<ClaimingPolicy>,
    id: Option<String>,
}

#[derive(Clone, Debug)]
struct Slot {
    links: Links,
    epoch: u32,
}

/// Every binding on the hub and the reverse maps from what it points at.
///
/// Fed by the two binding watches with the usual event API: `apply` for `Apply`/`InitApply`
/// (or `apply_malformed` for an object that does not decode), `delete` for `Delete`,
/// `begin_resync(kind)` / `end_resync(kind)` around a relist. Every call returns the clusters
/// whose set of bindings may have changed (before ∪ after), for the ClusterInsights' counts.
#[derive(Clone, Debug, Default)]
pub struct BindingIndex {
    bindings: HashMap<BindingRef, Slot>,
    by_cluster: MultiMap<String, BindingRef>,
    by_workload: MultiMap<WorkloadKey, BindingRef>,
    by_claim: MultiMap<ClaimingPolicy, BindingRef>,
    by_id: HashMap<PermanentId, BindingRef>,
    resync: [Resync; 2],
    /// Per kind, what the relist in progress touched so far (see `apply_event`).
    pub(super) held: [Option<BindingChanges>; 2],
}

impl BindingIndex {
    /// An empty index.
    pub fn new() -> BindingIndex {
        BindingIndex::default()
    }

    /// Number of bindings recorded.
    pub fn len(&self) -> usize {
        self.bindings.len()
    }

    /// `true` when no binding is recorded.
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }

    /// Adds or replaces a binding.
    pub fn apply(&mut self, binding: &BindingSource<'_>) -> BTreeSet<String> {
        let spec = binding.spec;
        let resource = &spec.resource;
        let links = Links {
            clusters: involved_clusters(spec),
            workload: (!resource.name.is_empty()).then(|| WorkloadKey::of_resource(resource)),
            claim: Some(ClaimingPolicy::of(binding.metadata))
                .filter(|c| *c != ClaimingPolicy::None),
            id: binding
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(permanent_id_label(binding.kind)))
                .filter(|id| !id.is_empty())
                .cloned(),
        };
        self.put(BindingRef::of(binding), links)
    }

    /// Records a binding that does not decode: it exists, but points at nothing.
    pub fn apply_malformed(&mut self, binding: BindingRef) -> BTreeSet<String> {
        self.put(binding, Links::default())
    }

    /// Removes a binding.
    pub fn delete(&mut self, binding: &BindingRef) -> BTreeSet<String> {
        match self.bindings.remove(binding) {
            Some(slot) => {
                self.unlink(binding, &slot.links);
                slot.links.clusters
            }
            None => BTreeSet::new(),
        }
    }

    /// A relist of `kind` starts.
    pub fn begin_resync(&mut self, kind: BindingKind) {
        self.resync[kind_slot(kind)].begin();
    }

    /// The relist of `kind` is complete: the bindings of that kind it did not mention are
    /// gone. Returns them and the clusters they targeted.
    pub fn end_resync(&mut self, kind: BindingKind) -> (Vec<BindingRef>, BTreeSet<String>) {
        let Some(epoch) = self.resync[kind_slot(kind)].end() else {
            return Default::default();
        };
        let gone: Vec<BindingRef> = self
            .bindings
            .iter()
            .filter(|(key, slot)| key.kind == kind && slot.epoch != epoch)
            .map(|(key, _)| key.clone())
            .collect();
        let clusters = gone.iter().flat_map(|b| self.delete(b)).collect();
        (gone, clusters)
    }

    /// Every binding.
    pub fn all(&self) -> impl Iterator<Item = &BindingRef> {
        self.bindings.keys()
    }

    /// The bindings that target `cluster` or are being evicted from it.
    pub fn targeting(&self, cluster: &str) -> impl Iterator<Item = &BindingRef> {
        self.by_cluster.get(cluster)
    }

    /// The bindings that propagate `workload` (one, unless something is odd).
    pub fn of_workload(&self, workload: &WorkloadKey) -> impl Iterator<Item = &BindingRef> {
        self.by_workload.get(workload)
    }

    /// The bindings whose claim annotations name `policy`.
    pub fn claimed_by(&self, policy: &ClaimingPolicy) -> impl Iterator<Item = &BindingRef> {
        self.by_claim.get(policy)
    }

    /// The binding with a permanent id.
    pub fn with_id(&self, id: &PermanentId) -> Option<&BindingRef> {
        self.by_id.get(id)
    }

    fn put(&mut self, binding: BindingRef, links: Links) -> BTreeSet<String> {
        let epoch = self.resync[kind_slot(binding.kind)].epoch;
        let before = match self.bindings.get_mut(&binding) {
            Some(slot) => {
                slot.epoch = epoch;
                if slot.links == links {
                    return BTreeSet::new();
                }
                let before = std::mem::replace(&mut slot.links, links.clone());
                self.unlink(&binding, &before);
                before.clusters
            }
            None => {
                self.bindings.insert(
                    binding.clone(),
                    Slot {
                        links: links.clone(),
                        epoch,
                    },
                );
                BTreeSet::new()
            }
        };
        self.link(&binding, &links);
        before.union(&links.clusters).cloned().collect()
    }

    fn link(&mut self, binding: &BindingRef, links: &Links) {
        for cluster in &links.clusters {
            self.by_cluster.insert(cluster.clone(), binding.clone());
        }
        if let Some(workload) = &links.workload {
            self.by_workload.insert(workload.clone(), binding.clone());
        }
        if let Some(claim) = &links.claim {
            self.by_claim.insert(claim.clone(), binding.clone());
        }
        if let Some(id) = &links.id {
            self.by_id.insert(
                PermanentId {
                    kind: binding.kind,
                    id: id.clone(),
                },
                binding.clone(),
            );
        }
    }

    fn unlink(&mut self, binding: &BindingRef, links: &Links) {
        for cluster in &links.clusters {
            self.by_cluster.remove(cluster, binding);
        }
        if let Some(workload) = &links.workload {
            self.by_workload.remove(workload, binding);
        }
        if let Some(claim) = &links.claim {
            self.by_claim.remove(claim, binding);
        }
        if let Some(id) = &links.id {
            let key = PermanentId {
                kind: binding.kind,
                id: id.clone(),
            };
            // A copied label may name the same id twice; only the holder lets go of it.
            if self.by_id.get(&key) == Some(binding) {
                self.by_id.remove(&key);
            }
        }
    }
}

/// The clusters a binding involves: its targets and the clusters it is being evicted from.
pub fn involved_clusters(spec: &ResourceBindingSpec) -> BTreeSet<String> {
    spec.clusters
        .iter()
        .map(|t| t.name.as_str())
        .chain(
            spec.graceful_eviction_tasks
                .iter()
                .map(|t| t.from_cluster.as_str()),
        )
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The index of `kind` in the per-kind arrays (`[_; 2]`): always 0 or 1, so indexing with it
/// cannot fail.
pub(super) fn kind_slot(kind: BindingKind) -> usize {
    match kind {
        BindingKind::ResourceBinding => 0,
        BindingKind::ClusterResourceBinding => 1,
    }
}
