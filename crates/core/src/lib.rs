//! The pure core of karmada-manager: everything between the watches and the status writer that
//! can be computed without I/O, so that it can be tested and benchmarked without a cluster.
//!
//! From the bottom up (each module uses only those listed before it):
//!
//! - [`quantity`]: exact Kubernetes quantity parsing, arithmetic, formatting and running sums.
//! - [`placement`]: a binding's placement rules resolved against the Karmada Clusters
//!   (cluster selection, static weights, the placement summary).
//! - [`text`]: [`bounded`], how text that others control is cut before it is quoted.
//! - [`json`]: the JSON reader member objects are decoded with ([`json::from_slice`]).
//! - `interner`: the interning machinery and the shared string table.
//! - `multimap`: a map from a key to a set of values, for the indexes' reverse maps.
//! - `watch`: [`WatcherEvent`] and the relist bookkeeping every watch-fed index shares.
//! - [`projection`]: [`SlimNode`] / [`SlimPod`], decoded straight from watch JSON.
//! - [`intern`]: every interning table at once ([`intern::purge_unused`]).
//! - `keys`: the keys shared by the indexes, the hub and the builders: [`BindingKind`],
//!   [`BindingSource`], [`BindingRef`], [`PermanentId`], [`WorkloadKey`].
//! - [`index`]: a member's index: [`MemberIndex`], fed one watch event at a time
//!   ([`MemberIndex::apply_event`]), holding the [`ClusterIndex`] (nodes and pods with their
//!   aggregates) and the [`OwnerIndex`] (ReplicaSets and Jobs), and [`workload_pods`], which
//!   joins them.
//! - [`hub`]: [`BindingIndex`] and [`WorkIndex`], what bindings relate to on the hub.
//! - [`shard`]: which replicas are alive and which of them owns a member, a binding or the
//!   fleet, when the members are shared between replicas.
//! - [`status`]: the status builders, one folder per kind (`ClusterInsight`,
//!   `WorkloadPlacement`, `FleetInsight`), and how conditions are stamped with their times.
//!
//! No async, no clients, no clocks: the I/O shell feeds events in and writes what comes out, and
//! every function here is deterministic, so an unchanged world yields byte-identical statuses.

pub mod fit;
pub mod hashing;
pub mod hub;
pub mod index;
pub mod intern;
mod interner;
pub mod json;
mod keys;
mod multimap;
pub mod placement;
pub mod projection;
pub mod quantity;
pub mod shard;
pub mod status;
pub mod text;
mod toleration;
mod watch;

#[cfg(test)]
mod test_support;

pub use hub::{
    BindingChanges, BindingEntry, BindingIndex, ClusterChanges, ClusterEntry, HubClusters,
    ObservedOverrides, WorkIndex, involved_clusters,
};
pub use index::{
    ClusterFigures, ClusterIndex, MemberEvent, MemberIndex, NodeStats, OwnerIndex, OwnerKind,
    StoredPod, TouchedWorkloads, WorkloadPod, workload_pods,
};
pub use keys::{
    BindingKind, BindingRef, BindingSource, PermanentId, WorkloadKey, permanent_id_label,
};
pub use placement::{ResolvedWeights, cluster_matches, placement_summary, resolve_weights};
pub use projection::{
    ControllerRef, NodeMetricsList, NodeUsage, PodPhase, ResourceEntry, ResourceList, SlimNode,
    SlimPod,
};
pub use quantity::{Amount, Format, QuantityError, percent};
pub use status::conditions::{StampedStatus, malformed_source, merge_conditions, stamp_status};
pub use status::{
    ClusterInsightBuild, ClusterInsightInputs, ClusterInsightOptions, ConnectionProblem,
    DISAGREEMENT_GRACE, DesiredCondition, Disagreements, Fit, FitSource, FleetOptions, HubCounts,
    InsightChange, MemberFailure, MemberFigures, MemberHealth, MemberReadiness, MemberView,
    PlacementInputs, PlacementOptions, PlacementTruncation, PolicyLookup, ReadyCounts,
    SharedObservation, Truncation, WorkloadPlacementBuild, WorkloadState, cluster_insight_status,
    cluster_status_fallback, cluster_usage, disagreement_problem, fleet_conditions,
    fleet_insight_status, fleet_workload_counts, insight_change, member_figures, not_observed,
    observed_part, ready_disagreement, scheduled_bindings, summary_part, workload_placement_status,
};
pub use text::{bounded, bounded_owned};
pub use watch::WatcherEvent;
