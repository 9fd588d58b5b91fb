//! Whether Karmada's aggregated status and the member agree on how many replicas are ready:
//! Karmada reflects the member workload's own status, karmada-manager counts the workload's
//! ready pods in the member. A lasting difference means one of the two views is stale.
//!
//! A rollout or a pod turning ready makes them differ for a few seconds (Karmada reflects the
//! member's status on its own schedule); [`Disagreements`] keeps when each difference was first
//! seen, so that only the same difference lasting past [`DISAGREEMENT_GRACE`] is reported. Time
//! comes in as data: the shell passes its clock's `now`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use karmada_manager_api::ClusterProblem;
use karmada_manager_api::conditions::reasons;
use karmada_types::{ResourceBindingSpec, ResourceBindingStatus};

use super::clusters::has_replica_status;
use crate::index::WorkloadPod;
use crate::keys::api_group;

/// The two ready counts of a workload on one cluster, when they differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadyCounts {
    /// `aggregatedStatus[].status.readyReplicas` (absent reads as 0 for a replica kind).
    pub karmada: i64,
    /// The workload's pods in the member whose `Ready` condition is `True`.
    pub observed: i64,
}

/// Both counts for the workload of the binding (`spec`, `status`) on `cluster`, whose pods
/// there are `pods`; `None` when they agree, or when Karmada reports no replica status for
/// that cluster (kinds without replicas, DaemonSets, no report yet).
pub fn ready_disagreement(
    spec: &ResourceBindingSpec,
    status: &ResourceBindingStatus,
    cluster: &str,
    pods: &[WorkloadPod],
) -> Option<ReadyCounts> {
    let resource = &spec.resource;
    let replica_kind = has_replica_status(api_group(&resource.api_version), &resource.kind, status);
    let item = status
        .aggregated_status
        .iter()
        .find(|item| item.cluster_name == cluster)?;
    let reported = item.replica_status()?;
    let karmada = match reported.ready_replicas {
        Some(ready) => i64::from(ready.max(0)),
        None if replica_kind => 0,
        None => return None,
    };
    let observed = i64::try_from(pods.iter().filter(|p| p.ready).count()).unwrap_or(i64::MAX);
    (karmada != observed).then_some(ReadyCounts { karmada, observed })
}

/// The `clusters[].problems` entry for counts that have disagreed past the grace.
pub fn disagreement_problem(counts: ReadyCounts) -> ClusterProblem {
    let grace_secs = DISAGREEMENT_GRACE.as_secs();
    ClusterProblem {
        reason: reasons::READY_COUNTS_DISAGREE.to_owned(),
        message: format!(
            "Karmada reports {} ready replicas here, karmada-manager sees {} ready pods of the workload in the member, for more than {grace_secs} s",
            counts.karmada, counts.observed
        ),
    }
}

/// How long the same two counts must differ before the placement says so.
pub const DISAGREEMENT_GRACE: Duration = Duration::from_secs(60);

/// First sighting of each current disagreement, by binding (its log key) and cluster.
#[derive(Debug, Default)]
pub struct Disagreements {
    seen: HashMap<(String, String), (ReadyCounts, Instant)>,
}

impl Disagreements {
    /// Records the counts of `binding` on `cluster` at `now` (`None`: they agree); `true` when
    /// these same counts have differed for longer than [`DISAGREEMENT_GRACE`]. A change of either count
    /// starts the clock again.
    pub fn lasting(
        &mut self,
        binding: &str,
        cluster: &str,
        counts: Option<ReadyCounts>,
        now: Instant,
    ) -> bool {
        let seen = &mut self.seen;
        let key = (binding.to_owned(), cluster.to_owned());
        let Some(counts) = counts else {
            seen.remove(&key);
            return false;
        };
        let entry = seen.entry(key).or_insert((counts, now));
        if entry.0 != counts {
            *entry = (counts, now);
        }
        now.duration_since(entry.1) > DISAGREEMENT_GRACE
    }

    /// Whether some disagreement of `binding` is being timed: the placement must be looked at
    /// again when its grace ends, although nothing triggers it.
    pub fn timing(&self, binding: &str) -> bool {
        self.seen.keys().any(|(b, _)| b == binding)
    }

    /// Forgets a binding that is gone.
    pub fn forget(&mut self, binding: &str) {
        self.seen.retain(|(b, _), _| b != binding);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn only_the_same_difference_lasting_past_the_grace_counts() {
        let mut book = Disagreements::default();
        let start = Instant::now();
        let differ = |karmada, observed| Some(ReadyCounts { karmada, observed });
        assert!(!book.lasting("b", "m1", differ(6, 0), start));
        assert!(!book.lasting("b", "m1", differ(6, 0), start + DISAGREEMENT_GRACE));
        let later = start + DISAGREEMENT_GRACE + Duration::from_secs(1);
        assert!(book.lasting("b", "m1", differ(6, 0), later));
        // Another difference starts the clock again; so does agreeing.
        assert!(!book.lasting("b", "m1", differ(6, 3), later));
        assert!(!book.lasting("b", "m1", None, later));
        assert!(!book.lasting("b", "m1", differ(6, 3), later + DISAGREEMENT_GRACE));
        assert!(book.timing("b") && !book.timing("c"));
        book.forget("b");
        assert!(!book.timing("b"));
        assert!(book.seen.is_empty());
    }
}
