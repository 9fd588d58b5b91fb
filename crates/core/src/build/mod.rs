//! Pure status builders: index (or Karmada `Cluster`, or binding) in, status out.
//!
//! The builders fill everything except what only the I/O shell knows — `conditions`,
//! `observedGeneration`, `source`, `lastChangeTime` (and `usage`, from the metrics poller) —
//! and contain nothing time-dependent. Lists are sorted and maps ordered, so the same world
//! always serializes to the same bytes, which is what lets the writer skip unchanged statuses.
//! The `WorkloadPlacement` builder also decides its conditions, returned as plain data for the
//! shell to merge with the previous ones (times).

mod cluster;
mod fallback;
mod fleet;
mod fleet_workloads;
mod node_details;
mod size_guard;
#[cfg(test)]
mod tests;
mod usage;
mod workload_placement;
mod workloads;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use karmada_manager_api::{ClusterInsightStatus, NodeCounts, ResourceFigures};

use crate::index::{ExactSum, Sign};
use crate::quantity::{Amount, Format, percent};

pub use cluster::cluster_insight_status;
pub use fallback::cluster_status_fallback;
pub use fleet::{FleetOptions, HubCounts, fleet_insight_status};
pub use fleet_workloads::{WorkloadState, fleet_workload_counts};
pub use size_guard::Truncation;
pub use usage::cluster_usage;
pub use workload_placement::{
    BindingKind, BindingSource, DesiredCondition, PlacementInputs, PlacementOptions,
    PlacementTruncation, PolicyLookup, WorkloadPlacementBuild, workload_placement_status,
};
pub use workloads::cluster_workload_counts;

/// Settings of the `ClusterInsight` builder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildOptions {
    /// Most nodes listed in `status.nodeDetails.items` (default 200).
    pub node_detail_limit: usize,
    /// Size guard on the serialized status built here (default 512 KiB); above it the node
    /// list is halved until it fits. Leave headroom for what the shell adds (conditions).
    pub max_status_bytes: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            node_detail_limit: 200,
            max_status_bytes: 512 * 1024,
        }
    }
}

/// A built `ClusterInsight` status, and whether the size guard had to shorten it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterInsightBuild {
    /// The status, without conditions, observedGeneration, source or lastChangeTime.
    pub status: ClusterInsightStatus,
    /// Set when the node list was cut below `node_detail_limit` to fit `max_status_bytes`:
    /// the shell reports it with the Ready reason `StatusTruncated`.
    pub truncation: Option<Truncation>,
}

impl ClusterInsightBuild {
    /// `true` when the size guard shortened the status.
    pub fn truncated(&self) -> bool {
        self.truncation.is_some()
    }
}

/// One resource's figures: `available` = allocatable − allocated − allocating, computed
/// exactly and then clamped into `0..=Amount::MAX`, `allocatedPercent` = ⌊allocated × 100 ÷
/// allocatable⌋ (see [`percent`]).
pub(crate) fn resource_figures(
    name: &str,
    capacity: Option<Amount>,
    allocatable: Amount,
    allocated: Amount,
    allocating: Amount,
) -> ResourceFigures {
    let format = Format::for_resource(name);
    // Exact, not saturating step by step: with a negative request (hand-made input) the first
    // step could saturate and the second then land one short of the true, representable value.
    let mut available = ExactSum::default();
    available.add(allocatable, Sign::Add);
    available.add(allocated, Sign::Remove);
    available.add(allocating, Sign::Remove);
    let available = available.value().clamp_non_negative();
    ResourceFigures {
        capacity: capacity.map(|c| c.to_quantity(format)),
        allocatable: allocatable.to_quantity(format),
        allocated: allocated.to_quantity(format),
        allocating: allocating.to_quantity(format),
        available: available.to_quantity(format),
        allocated_percent: percent(allocated, allocatable),
    }
}

/// Node counts with `notReady` and `display` derived.
///
/// Counts from outside the index (Karmada's `nodeSummary`, statuses read back from the hub)
/// can be anything, so they are brought into shape rather than shown as nonsense: `total` is
/// at least 0 and `ready` within `0..=total`, hence `notReady` = total − ready is never
/// negative (and cannot overflow).
pub(crate) fn node_counts(total: i64, ready: i64) -> NodeCounts {
    let total = total.max(0);
    let ready = ready.clamp(0, total);
    NodeCounts {
        total,
        ready,
        not_ready: total - ready,
        display: format!("{ready}/{total}"),
        ..NodeCounts::default()
    }
}

/// Parses one of our own (or Karmada's) quantities; an unparsable one counts as zero.
pub(crate) fn amount_of(quantity: &Quantity) -> Amount {
    Amount::from_quantity(quantity).unwrap_or_default()
}
