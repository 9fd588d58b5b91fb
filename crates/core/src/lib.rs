//! The pure core of karmada-manager (DESIGN §4): everything between the watches and the status
//! writer that can be computed without I/O.
//!
//! - [`quantity`]: exact Kubernetes quantity parsing, arithmetic and formatting.
//! - [`projection`]: [`SlimNode`] / [`SlimPod`], decoded straight from watch JSON.
//! - [`index`]: [`ClusterIndex`], one member's nodes and pods with aggregates kept up to date
//!   per event.
//! - [`placement`]: a binding's placement rules resolved against the Karmada Clusters
//!   (cluster selection, static weights, the placement summary).
//! - [`workload`]: which member pods belong to which workload ([`OwnerIndex`],
//!   [`workload_pods`]), and [`MemberIndex`], fed one watch event at a time
//!   ([`MemberIndex::apply_event`]).
//! - [`status`]: the status builders, one folder per kind (`ClusterInsight`,
//!   `WorkloadPlacement`, `FleetInsight`), and how conditions are stamped with their times.
//! - [`hub`]: [`BindingIndex`] and [`WorkIndex`], what bindings relate to on the hub.
//! - [`intern`]: the shared string/list interner the projections use.
//!
//! No async, no clients, no clocks: the I/O shell feeds events in and writes what comes out, and
//! every function here is deterministic, so an unchanged world yields byte-identical statuses.

pub mod hub;
pub mod index;
pub mod intern;
mod multimap;
pub mod placement;
pub mod projection;
pub mod quantity;
pub mod status;
pub mod workload;

#[cfg(test)]
mod test_support;

pub use hub::{
    BindingIndex, BindingRef, ObservedOverrides, PermanentId, WorkIndex, involved_clusters,
    permanent_id_label,
};
pub use index::{ClusterFigures, ClusterIndex, NodeStats, StoredPod};
pub use placement::{ResolvedWeights, cluster_matches, placement_summary, resolve_weights};
pub use projection::{
    ControllerRef, NodeMetricsList, NodeUsage, PodPhase, ResourceEntry, ResourceList, SlimNode,
    SlimPod,
};
pub use quantity::{Amount, Format, QuantityError, percent};
pub use status::cluster_usage;
pub use status::conditions::{StampedStatus, malformed_source, merge_conditions, stamp_status};
pub use status::{
    BindingKind, BindingSource, ClusterInsightBuild, ClusterInsightOptions, DesiredCondition,
    FleetOptions, HubCounts, PlacementInputs, PlacementOptions, PlacementTruncation, PolicyLookup,
    Truncation, WorkloadPlacementBuild, WorkloadState, cluster_insight_status,
    cluster_status_fallback, fleet_insight_status, fleet_workload_counts, scheduled_bindings,
    workload_placement_status,
};
pub use workload::{
    MemberEvent, MemberIndex, OwnerIndex, OwnerKind, TouchedWorkloads, WatcherEvent, WorkloadKey,
    WorkloadPod, workload_pods,
};
