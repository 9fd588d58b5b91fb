//! The status builders, one folder per kind we write: index (or Karmada `Cluster`, or binding)
//! in, status out.
//!
//! Each builder takes plain inputs (indexes, Karmada objects, member health as data) and
//! returns the status and its conditions as data ([`DesiredCondition`]); the shell only stamps
//! them with times ([`conditions::stamp_status`]: transition times, `observedGeneration`,
//! `lastChangeTime`) and writes. Nothing here reads a clock. Lists are sorted and maps ordered,
//! so the same world always serializes to the same bytes, which is what lets the writer skip
//! unchanged statuses.

pub mod cluster_insight;
pub mod conditions;
pub mod fleet_insight;
mod size;
pub mod workload_placement;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use karmada_manager_api::{NodeCounts, ResourceFigures};

use crate::quantity::{Amount, ExactSum, Format, Sign, percent};

pub use cluster_insight::{
    ClusterInsightBuild, ClusterInsightInputs, ClusterInsightOptions, ConnectionProblem,
    InsightChange, MemberFailure, MemberFigures, MemberHealth, MemberReadiness, MemberView,
    Truncation, cluster_insight_status, cluster_status_fallback, cluster_usage, insight_change,
    member_figures, not_observed, scheduled_bindings,
};
pub use fleet_insight::{
    FleetOptions, HubCounts, WorkloadState, fleet_conditions, fleet_insight_status,
    fleet_workload_counts,
};
pub use workload_placement::{
    DISAGREEMENT_GRACE, DesiredCondition, Disagreements, Fit, FitSource, PlacementInputs,
    PlacementOptions, PlacementTruncation, PolicyLookup, ReadyCounts, SharedObservation,
    WorkloadPlacementBuild, disagreement_problem, observed_part, ready_disagreement, summary_part,
    workload_placement_status,
};

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
