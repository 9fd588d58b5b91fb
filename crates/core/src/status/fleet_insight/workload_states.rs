//! `FleetInsight.status.workloads`: every binding classified as ready, progressing or failed,
//! by the same rule whether the conditions come fresh from the `WorkloadPlacement` builder or
//! from a status already written, so the fleet and the placements always agree.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use karmada_manager_api::conditions::{reasons, status, types};
use karmada_manager_api::{FleetWorkloadCounts, WorkloadPlacementStatus};

/// Where a workload stands, for the fleet counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkloadState {
    /// `Ready` is `True` (and neither `Stalled` nor `Reconciling`).
    Ready,
    /// Neither ready nor failed: scheduling, applying or rolling out, or not built yet.
    Progressing,
    /// `Stalled` is `True`, or `Ready` is `False` with reason `SchedulingFailed`, `ApplyFailed`
    /// or `ClustersUnhealthy`.
    Failed,
}

impl WorkloadState {
    /// Classifies `(type, status, reason)` triples of one object's conditions the way kstatus
    /// does: `Stalled` wins over everything, then `Reconciling`; a missing `Ready` means
    /// progressing.
    pub fn classify<'a>(conditions: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> Self {
        let mut ready = None;
        let mut reconciling = false;
        for (type_, condition_status, reason) in conditions {
            if type_ == types::STALLED && condition_status == status::TRUE {
                return WorkloadState::Failed;
            }
            reconciling |= type_ == types::RECONCILING && condition_status == status::TRUE;
            if type_ == types::READY && ready.is_none() {
                ready = Some((condition_status, reason));
            }
        }
        match ready {
            // As kstatus (Flux) sees it: Reconciling wins over Ready.
            Some((status::TRUE, _)) if !reconciling => WorkloadState::Ready,
            Some((
                status::FALSE,
                reasons::SCHEDULING_FAILED | reasons::APPLY_FAILED | reasons::CLUSTERS_UNHEALTHY,
            )) => WorkloadState::Failed,
            _ => WorkloadState::Progressing,
        }
    }

    /// The state of a `WorkloadPlacement` status as written (e.g. read back from a cache).
    pub fn of_conditions(conditions: &[Condition]) -> Self {
        WorkloadState::classify(
            conditions
                .iter()
                .map(|c| (c.type_.as_str(), c.status.as_str(), c.reason.as_str())),
        )
    }

    /// The state of a written status; `None` (no status yet) is progressing.
    pub fn of_status(status: Option<&WorkloadPlacementStatus>) -> Self {
        status.map_or(WorkloadState::Progressing, |s| {
            WorkloadState::of_conditions(&s.conditions)
        })
    }
}

/// The fleet's workload counts: one state per ResourceBinding and ClusterResourceBinding on the
/// hub (a binding without a placement status yet counts as [`WorkloadState::Progressing`]).
/// Put the result in [`HubCounts::workloads`](crate::HubCounts).
pub fn fleet_workload_counts(
    states: impl IntoIterator<Item = WorkloadState>,
) -> FleetWorkloadCounts {
    let mut counts = FleetWorkloadCounts::default();
    for state in states {
        counts.total = counts.total.saturating_add(1);
        let bucket = match state {
            WorkloadState::Ready => &mut counts.ready,
            WorkloadState::Progressing => &mut counts.progressing,
            WorkloadState::Failed => &mut counts.failed,
        };
        *bucket = bucket.saturating_add(1);
    }
    counts.display = format!("{}/{}", counts.ready, counts.total);
    counts
}
