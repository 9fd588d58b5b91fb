//! [`WorkIndex`]: which override policies Karmada applied to each binding on each cluster, from
//! the metadata of the Works in the `karmada-es-<cluster>` namespaces.
//!
//! Only labels and annotations are read (a metadata-only watch: Works carry whole manifests),
//! and only the override policy names are kept. A malformed annotation is kept as its error, so
//! the placement can say which Work is wrong instead of silently showing no overrides.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use karmada_manager_api::ClusterProblem;
use karmada_manager_api::conditions::reasons;
use karmada_types::{AppliedOverride, WorkOverrides, cluster_of_execution_namespace};

use crate::keys::{BindingKind, PermanentId, permanent_id_label};
use crate::multimap::MultiMap;
use crate::text::{PROBLEM_MESSAGE_LIMIT, VALUE_LIMIT, bounded, bounded_owned};
use crate::watch::Resync;

/// Most bytes kept of an annotation's parse error, which quotes the offending value: half a
/// placement's problem message, so that the Work's name and the advice around it still fit.
const ERROR_LIMIT: usize = PROBLEM_MESSAGE_LIMIT / 2;

/// A Work by namespace and name (ordered by namespace, then name).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct WorkName {
    namespace: String,
    name: String,
}

/// What one Work says about its binding.
#[derive(Clone, Debug, PartialEq)]
struct WorkFacts {
    binding: PermanentId,
    cluster: String,
    /// Policy names only (the overriders are dropped), or the parse error.
    overrides: Result<WorkOverrides, String>,
}

#[derive(Clone, Debug)]
struct Slot {
    facts: Option<WorkFacts>,
    epoch: u32,
}

/// Every Work's binding, cluster and applied overrides.
///
/// Event API as for the other indexes: `apply(&meta)`, `delete(&meta)`, `begin_resync()`,
/// `end_resync()`. Each returns the bindings (by permanent id) whose overrides may have
/// changed. A Work outside an execution namespace, or without a permanent-id label, is
/// recorded but relates to no binding.
#[derive(Clone, Debug, Default)]
pub struct WorkIndex {
    works: HashMap<WorkName, Slot>,
    by_binding: MultiMap<PermanentId, WorkName>,
    resync: Resync,
}

impl WorkIndex {
    /// An empty index.
    pub fn new() -> WorkIndex {
        WorkIndex::default()
    }

    /// Number of Works recorded.
    pub fn len(&self) -> usize {
        self.works.len()
    }

    /// `true` when no Work is recorded.
    pub fn is_empty(&self) -> bool {
        self.works.is_empty()
    }

    /// Adds or replaces a Work from its metadata.
    pub fn apply(&mut self, meta: &ObjectMeta) -> BTreeSet<PermanentId> {
        let Some(name) = work_name(meta) else {
            return BTreeSet::new();
        };
        let facts = facts_of(meta);
        let epoch = self.resync.epoch;
        let before = match self.works.get_mut(&name) {
            Some(slot) => {
                slot.epoch = epoch;
                if slot.facts == facts {
                    return BTreeSet::new();
                }
                std::mem::replace(&mut slot.facts, facts.clone())
            }
            None => {
                self.works.insert(
                    name.clone(),
                    Slot {
                        facts: facts.clone(),
                        epoch,
                    },
                );
                None
            }
        };
        if let Some(before) = &before {
            self.by_binding.remove(&before.binding, &name);
        }
        if let Some(after) = &facts {
            self.by_binding.insert(after.binding.clone(), name);
        }
        [before, facts]
            .into_iter()
            .flatten()
            .map(|f| f.binding)
            .collect()
    }

    /// Removes a Work.
    pub fn delete(&mut self, meta: &ObjectMeta) -> BTreeSet<PermanentId> {
        work_name(meta)
            .and_then(|name| self.remove(&name))
            .into_iter()
            .collect()
    }

    /// A relist starts.
    pub fn begin_resync(&mut self) {
        self.resync.begin();
    }

    /// The relist is complete: Works it did not mention are gone.
    pub fn end_resync(&mut self) -> BTreeSet<PermanentId> {
        let Some(epoch) = self.resync.end() else {
            return BTreeSet::new();
        };
        let gone: Vec<WorkName> = self
            .works
            .iter()
            .filter(|(_, slot)| slot.epoch != epoch)
            .map(|(name, _)| name.clone())
            .collect();
        gone.iter().filter_map(|name| self.remove(name)).collect()
    }

    /// `true` once a list has completed and no relist is in progress.
    pub fn is_synced(&self) -> bool {
        self.resync.synced()
    }

    /// The overrides applied to a binding on each cluster, and a `MalformedOverrides` problem
    /// per cluster whose Work's annotation cannot be read. Several Works of one binding on one
    /// cluster (not something Karmada does today) contribute in name order.
    pub fn overrides_of(&self, binding: &PermanentId) -> ObservedOverrides {
        let mut names: Vec<&WorkName> = self.by_binding.get(binding).collect();
        names.sort();
        let mut observed = ObservedOverrides::default();
        for name in names {
            let Some(facts) = self.works.get(name).and_then(|s| s.facts.as_ref()) else {
                continue;
            };
            match &facts.overrides {
                Ok(found) => {
                    let entry = observed.overrides.entry(facts.cluster.clone()).or_default();
                    entry.overrides.extend(found.overrides.iter().cloned());
                    entry
                        .cluster_overrides
                        .extend(found.cluster_overrides.iter().cloned());
                }
                Err(error) => observed
                    .problems
                    .entry(facts.cluster.clone())
                    .or_default()
                    .push(ClusterProblem {
                        reason: reasons::MALFORMED_OVERRIDES.to_owned(),
                        message: format!(
                            "Work {}/{}: {error}. The overrides on this cluster are not shown; \
                             fix or remove the annotation.",
                            name.namespace, name.name
                        ),
                    }),
            }
        }
        observed
    }

    fn remove(&mut self, name: &WorkName) -> Option<PermanentId> {
        let facts = self.works.remove(name)?.facts?;
        self.by_binding.remove(&facts.binding, name);
        Some(facts.binding)
    }
}

/// What [`WorkIndex::overrides_of`] found, keyed by cluster name: the builder's `overrides` and
/// a part of its `problems`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObservedOverrides {
    /// Applied overrides per cluster.
    pub overrides: BTreeMap<String, WorkOverrides>,
    /// `MalformedOverrides` per cluster.
    pub problems: BTreeMap<String, Vec<ClusterProblem>>,
}

fn work_name(meta: &ObjectMeta) -> Option<WorkName> {
    let name = meta.name.clone().filter(|n| !n.is_empty())?;
    Some(WorkName {
        namespace: meta.namespace.clone().unwrap_or_default(),
        name,
    })
}

/// The binding and cluster a Work belongs to, and its overrides; `None` for a Work that is not
/// a binding's (outside an execution namespace, or without a permanent-id label).
fn facts_of(meta: &ObjectMeta) -> Option<WorkFacts> {
    let cluster = cluster_of_execution_namespace(meta.namespace.as_deref()?)?.to_owned();
    let labels = meta.labels.as_ref()?;
    // A Work of a ResourceBinding carries that label; of a ClusterResourceBinding, the other.
    let binding = [
        BindingKind::ResourceBinding,
        BindingKind::ClusterResourceBinding,
    ]
    .into_iter()
    .find_map(|kind| {
        let id = labels.get(permanent_id_label(kind))?;
        (!id.is_empty()).then(|| PermanentId {
            kind,
            id: id.clone(),
        })
    })?;
    let empty = BTreeMap::new();
    let annotations = meta.annotations.as_ref().unwrap_or(&empty);
    let overrides = WorkOverrides::from_annotations(annotations)
        .map(names_only)
        .map_err(|e| bounded(&e.to_string(), ERROR_LIMIT));
    Some(WorkFacts {
        binding,
        cluster,
        overrides,
    })
}

/// The overriders can be large (whole JSON patches) and are not shown: drop them. The names
/// are bounded ([`VALUE_LIMIT`]), as the placement shows them.
fn names_only(overrides: WorkOverrides) -> WorkOverrides {
    let strip = |list: Vec<AppliedOverride>| {
        list.into_iter()
            .map(|o| AppliedOverride {
                policy_name: bounded_owned(o.policy_name, VALUE_LIMIT),
                overriders: serde_json::Value::Null,
            })
            .collect()
    };
    WorkOverrides {
        overrides: strip(overrides.overrides),
        cluster_overrides: strip(overrides.cluster_overrides),
    }
}
