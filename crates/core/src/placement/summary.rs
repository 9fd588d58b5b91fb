//! `WorkloadPlacement.status.placement`: the binding's placement rules in a form a person (or a
//! dashboard) reads at a glance.

use karmada_manager_api::{
    ClusterAffinitySummary, DivisionPreference, PlacementSummary, ReplicaScheduling,
    SpreadConstraintSummary,
};
use karmada_types::{
    ClusterAffinity, ClusterAffinityTerm, Placement, ReplicaDivisionPreference,
    ReplicaSchedulingType, SpreadConstraint,
};

use super::selector_text::{field_selector_text, label_selector_text};
use super::weights::weighting;

/// Summarises `placement` (the binding's `spec.placement`); `affinity_name` is the binding's
/// `status.schedulerObservingAffinityName` (empty when unset).
///
/// - `replicaScheduling`: Karmada's effective type ([`Placement::replica_scheduling_type`]:
///   `Duplicated` without `replicaScheduling`, `Divided` when it names no type). An unknown
///   type is shown as `Divided`, the schema's default; its weighting is then `None`.
/// - `divisionPreference`: only for `Divided`; `Weighted` when unset (Karmada's webhook
///   default); absent for a value this operator does not know, and for an unknown type.
/// - `weighting`: see [`weighting`].
/// - `affinityName`: the binding's, when set.
/// - `clusterAffinity`: see [`effective_affinity`]; absent when it selects every cluster.
pub fn placement_summary(placement: &Placement, affinity_name: &str) -> PlacementSummary {
    let scheduling_type = placement.replica_scheduling_type();
    let divided = scheduling_type != ReplicaSchedulingType::Duplicated;
    let division_preference = placement
        .replica_scheduling
        .as_ref()
        .filter(|_| scheduling_type == ReplicaSchedulingType::Divided)
        .and_then(|strategy| match &strategy.replica_division_preference {
            None | Some(ReplicaDivisionPreference::Weighted) => Some(DivisionPreference::Weighted),
            Some(ReplicaDivisionPreference::Aggregated) => Some(DivisionPreference::Aggregated),
            Some(ReplicaDivisionPreference::Other(_)) => None,
        });
    PlacementSummary {
        replica_scheduling: if divided {
            ReplicaScheduling::Divided
        } else {
            ReplicaScheduling::Duplicated
        },
        division_preference,
        weighting: Some(weighting(placement)),
        affinity_name: (!affinity_name.is_empty()).then(|| affinity_name.to_owned()),
        cluster_affinity: effective_affinity(placement, affinity_name).and_then(affinity_summary),
        spread_constraints: placement.spread_constraints.iter().map(spread).collect(),
    }
}

/// The cluster affinity the scheduler used. As in Karmada's scheduler, a non-empty
/// `clusterAffinities` takes precedence over `clusterAffinity` (see [`affinity_group`]).
pub fn effective_affinity<'a>(
    placement: &'a Placement,
    affinity_name: &str,
) -> Option<&'a ClusterAffinity> {
    if placement.cluster_affinities.is_empty() {
        return placement.cluster_affinity.as_ref();
    }
    affinity_group(placement, affinity_name).map(|group| &group.affinity)
}

/// The `clusterAffinities` group the scheduler used: the one named `affinity_name`, or the first
/// group when the name is empty or names no group (the scheduler has not reported yet, or the
/// policy changed since) — the first group is where the scheduler starts.
pub fn affinity_group<'a>(
    placement: &'a Placement,
    affinity_name: &str,
) -> Option<&'a ClusterAffinityTerm> {
    let groups = &placement.cluster_affinities;
    groups
        .iter()
        .find(|group| !affinity_name.is_empty() && group.affinity_name == affinity_name)
        .or_else(|| groups.first())
}

/// `None` when the affinity has no part that narrows the selection.
fn affinity_summary(affinity: &ClusterAffinity) -> Option<ClusterAffinitySummary> {
    let summary = ClusterAffinitySummary {
        cluster_names: affinity.cluster_names.clone(),
        label_selector: affinity
            .label_selector
            .as_ref()
            .and_then(label_selector_text),
        field_selector: affinity
            .field_selector
            .as_ref()
            .and_then(field_selector_text),
        exclude: affinity.exclude.clone(),
    };
    (summary != ClusterAffinitySummary::default()).then_some(summary)
}

/// 0 means unset in Karmada's API (`minGroups`, `maxGroups`), and so does an empty label.
fn spread(constraint: &SpreadConstraint) -> SpreadConstraintSummary {
    let groups = |n: i64| (n > 0).then(|| i32::try_from(n).unwrap_or(i32::MAX));
    SpreadConstraintSummary {
        spread_by_field: constraint
            .spread_by_field
            .as_ref()
            .map(|f| f.as_str().to_owned()),
        spread_by_label: (!constraint.spread_by_label.is_empty())
            .then(|| constraint.spread_by_label.clone()),
        min_groups: groups(constraint.min_groups),
        max_groups: groups(constraint.max_groups),
    }
}
