//! A member's figures ([`ClusterFigures`], [`NodeStats`]): node and pod counts, and per-resource
//! totals ([`ResourceTotals`]) kept with exact sums, so that per-event updates equal a
//! from-scratch recomputation.

use std::sync::Arc;

use crate::projection::{ResourceEntry, ResourceList};
use crate::quantity::{Amount, ExactSum, Sign};

/// The total of one resource and how many entries contribute to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    sum: ExactSum,
    contributors: u64,
}

/// Per-resource totals keyed by resource name, ordered by name.
///
/// A resource stays listed while at least one object lists it (even with a zero amount) and
/// disappears with its last contributor, exactly as a recomputation would list it.
///
/// A vector sorted by name rather than a `BTreeMap`: every node's [`NodeStats`] holds one, with
/// a handful of resources, and a B-tree allocates a node for eleven entries (≈ 0.7 KB) however
/// few it holds — about a quarter of a member's index in the ingest benchmark. Lookups are a
/// binary search over those few entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceTotals(Vec<(Arc<str>, Tally)>);

impl ResourceTotals {
    /// The total of `name`, zero if nothing lists it.
    pub fn get(&self, name: &str) -> Amount {
        self.position(name)
            .map_or(Amount::ZERO, |i| self.0[i].1.sum.value())
    }

    /// `true` when some object lists `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Where `name` is (`Ok`), or where it would be inserted to keep the order (`Err`).
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(listed, _)| (**listed).cmp(name))
    }

    /// `(name, total)` ordered by name.
    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, Amount)> {
        self.0.iter().map(|(name, tally)| (name, tally.sum.value()))
    }

    /// The resource names, ordered.
    pub fn names(&self) -> impl Iterator<Item = &Arc<str>> {
        self.0.iter().map(|(name, _)| name)
    }

    /// Number of resources listed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` when nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn apply_list(&mut self, list: &ResourceList, sign: Sign) {
        for entry in list {
            self.apply_entry(entry, sign);
        }
    }

    /// [`ResourceTotals::position`] of an interned name: the entry holding the same allocation
    /// is found without comparing text (the lists hold a handful of entries), else by text.
    fn position_interned(&self, name: &Arc<str>) -> Result<usize, usize> {
        match self
            .0
            .iter()
            .position(|(listed, _)| Arc::ptr_eq(listed, name))
        {
            Some(i) => Ok(i),
            None => self.position(name),
        }
    }

    pub(crate) fn apply_entry(&mut self, entry: &ResourceEntry, sign: Sign) {
        match sign {
            Sign::Add => {
                let i = self.position_interned(&entry.name).unwrap_or_else(|i| {
                    self.0
                        .insert(i, (Arc::clone(&entry.name), Tally::default()));
                    i
                });
                let tally = &mut self.0[i].1;
                tally.sum.add(entry.amount, sign);
                tally.contributors += 1;
            }
            Sign::Remove => {
                let Ok(i) = self.position_interned(&entry.name) else {
                    return;
                };
                let tally = &mut self.0[i].1;
                tally.sum.add(entry.amount, sign);
                tally.contributors = tally.contributors.saturating_sub(1);
                if tally.contributors == 0 {
                    self.0.remove(i);
                }
            }
        }
    }
}

/// Node counts of one member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeTally {
    /// Known nodes.
    pub total: i64,
    /// Ready nodes.
    pub ready: i64,
    /// Cordoned nodes.
    pub unschedulable: i64,
    /// Nodes with MemoryPressure.
    pub memory_pressure: i64,
    /// Nodes with DiskPressure.
    pub disk_pressure: i64,
    /// Nodes with PIDPressure.
    pub pid_pressure: i64,
    /// Nodes with NetworkUnavailable.
    pub network_unavailable: i64,
}

/// Pod counts of one member (or of one node, for the fields that apply).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodTally {
    /// Pods in any phase.
    pub total: i64,
    /// Phase Running.
    pub running: i64,
    /// Phase Pending.
    pub pending: i64,
    /// Phase Succeeded.
    pub succeeded: i64,
    /// Phase Failed.
    pub failed: i64,
    /// Phase Unknown (or unrecognised).
    pub unknown: i64,
    /// Running but not Ready.
    pub not_ready: i64,
    /// Sum of container restarts.
    pub restarts: i64,
    /// Pods with a container in CrashLoopBackOff.
    pub crash_looping: i64,
}

/// Everything the `ClusterInsight` builder needs about one member, kept up to date per event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterFigures {
    /// Node counts.
    pub nodes: NodeTally,
    /// Pod counts.
    pub pods: PodTally,
    /// Σ node `status.capacity`.
    pub capacity: ResourceTotals,
    /// Σ node `status.allocatable`.
    pub allocatable: ResourceTotals,
    /// Σ effective requests of bound, non-terminal pods; `pods` counts them.
    pub allocated: ResourceTotals,
    /// Σ effective requests of unbound, non-terminal pods; `pods` counts them.
    pub allocating: ResourceTotals,
}

/// What the pods bound to one node add up to. Kept for every node name pods refer to, whether
/// or not the Node itself is known (yet, or still).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeStats {
    /// Σ effective requests of the node's non-terminal pods; `pods` counts them.
    pub allocated: ResourceTotals,
    /// Pods bound to the node, any phase.
    pub pods: i64,
    /// Of those, Running.
    pub running: i64,
    /// Of those, Pending.
    pub pending: i64,
    /// Of those, Failed.
    pub failed: i64,
    /// Σ restarts of the node's pods.
    pub restarts: i64,
}
