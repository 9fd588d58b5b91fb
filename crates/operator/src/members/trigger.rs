//! How a member's task asks for work after its changes: the Cluster (its insight) and the
//! placements of the workloads whose pods changed, at most once per write interval.

use super::first_lists::FirstLists;
use super::shared::MemberShared;
use crate::triggers::ClusterTriggers;
use crate::write::DriftBudget;
use futures::channel::mpsc::UnboundedSender;
use karmada_manager_core::TouchedWorkloads;
use std::sync::Arc;
use std::time::Duration;

/// Workloads of one member whose pods may have changed, for the placement controllers.
#[derive(Debug)]
pub struct WorkloadChanges {
    pub cluster: String,
    pub touched: TouchedWorkloads,
}

/// Where and how often to ask for the Cluster (and the placements of its workloads) to be
/// reconciled after member changes.
pub struct Trigger {
    /// Where to ask for the Cluster to be reconciled.
    pub sender: ClusterTriggers,
    /// The workloads touched since the last trigger.
    pub workloads: UnboundedSender<WorkloadChanges>,
    pub cluster: String,
    /// At most one trigger per interval: bounds status writes under churn.
    pub interval: Duration,
    /// When a failure has lasted this long the member counts as not observed: its placements
    /// are re-placed then, without any new event.
    pub unreachable_grace: Duration,
    /// Turns for the member's first list.
    pub first_lists: FirstLists,
    /// The fleet's budget for insight writes that only drift: while the Cluster waits for its
    /// turn there, changes that only drift need no reconcile of it (its turn picks them up).
    pub drifts: Arc<DriftBudget>,
}

impl Trigger {
    /// Asks for the touched workloads' placements to be reconciled (all of them when the
    /// member's health changed), and the Cluster unless only drifting figures changed while
    /// its insight waits for a turn to write them anyway; `false` once nobody listens any
    /// more.
    pub(super) fn fire(
        &self,
        shared: &MemberShared,
        health_changed: bool,
        beyond_drift: bool,
    ) -> bool {
        let mut touched = match shared.index.write() {
            Ok(mut index) => index.touched.take(),
            Err(_) => return false,
        };
        if health_changed {
            touched = TouchedWorkloads {
                all: true,
                keys: Default::default(),
            };
        }
        let changes = WorkloadChanges {
            cluster: self.cluster.clone(),
            touched,
        };
        if !changes.touched.is_empty() && self.workloads.unbounded_send(changes).is_err() {
            return false;
        }
        if !beyond_drift && self.drifts.waiting(&self.cluster) {
            return true;
        }
        self.sender.send(&self.cluster)
    }
}
