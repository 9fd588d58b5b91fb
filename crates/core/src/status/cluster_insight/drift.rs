//! Which changes of a ClusterInsight only drift. In a large member some figures move all the
//! time without anything happening to the cluster: containers restart, pods flip readiness,
//! measured usage moves with every poll. A 5,000-node member's status is about 100 KB, and the
//! hub's cost of a write grows with the size of the stored object, not of the change; so if
//! every such move were written at once, a hundred members would keep the hub's API server
//! busy with nothing else. The shell writes a change that only drifts when the fleet's budget
//! for such writes allows, and every other change (conditions, what `kubectl get` shows, node
//! health, phases, allocation, headroom, workloads) within the write interval as before; a
//! drift waiting for the budget goes out with the next change of any kind.
//!
//! The figures that drift: `pods.restarts` and each node detail's `pods.restarts` (counters
//! that only grow), `pods.notReady` (readiness flips of running pods; whether a workload's
//! replicas are ready is its WorkloadPlacement's, written promptly) and `usage` (polled
//! measurements). `lastChangeTime` follows whatever changed.
//!
//! The comparison destructures every status type it looks into, so a field added to one of
//! them does not compile here until someone decides whether it drifts.

use karmada_manager_api::{
    ClusterInsightStatus, NodeDetail, NodeDetails, NodePodCounts, PodCounts,
};

use crate::status::size::serialized_len;

/// How a ClusterInsight status differs from the one last written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsightChange {
    /// Nothing to write.
    Unchanged,
    /// Only figures that drift moved; a write would take `bytes` (its serialized status).
    Drift { bytes: usize },
    /// Something readers act on changed: write within the write interval.
    Significant,
}

/// Compares `next` with `previous`, the status last written (`None`: never written).
pub fn insight_change(
    previous: Option<&ClusterInsightStatus>,
    next: &ClusterInsightStatus,
) -> InsightChange {
    match previous {
        Some(previous) if previous == next => InsightChange::Unchanged,
        Some(previous) if same_but_drift(previous, next) => InsightChange::Drift {
            bytes: serialized_len(next),
        },
        _ => InsightChange::Significant,
    }
}

fn same_but_drift(a: &ClusterInsightStatus, b: &ClusterInsightStatus) -> bool {
    let ClusterInsightStatus {
        observed_generation,
        source,
        last_change_time: _,
        conditions,
        cluster,
        nodes,
        pods,
        resources,
        usage: _,
        node_details,
        headroom,
        workloads,
    } = a;
    *observed_generation == b.observed_generation
        && *source == b.source
        && *conditions == b.conditions
        && *cluster == b.cluster
        && *nodes == b.nodes
        && same_pods_but_drift(pods, &b.pods)
        && *resources == b.resources
        && same_details_but_drift(node_details, &b.node_details)
        && *headroom == b.headroom
        && *workloads == b.workloads
}

fn same_pods_but_drift(a: &PodCounts, b: &PodCounts) -> bool {
    let PodCounts {
        total,
        running,
        pending,
        succeeded,
        failed,
        unknown,
        not_ready: _,
        restarts: _,
        crash_looping,
    } = a;
    (
        *total,
        *running,
        *pending,
        *succeeded,
        *failed,
        *unknown,
        *crash_looping,
    ) == (
        b.total,
        b.running,
        b.pending,
        b.succeeded,
        b.failed,
        b.unknown,
        b.crash_looping,
    )
}

fn same_details_but_drift(a: &NodeDetails, b: &NodeDetails) -> bool {
    let NodeDetails {
        limit,
        omitted,
        items,
    } = a;
    *limit == b.limit
        && *omitted == b.omitted
        && items.len() == b.items.len()
        && items
            .iter()
            .zip(&b.items)
            .all(|(a, b)| same_node_but_drift(a, b))
}

fn same_node_but_drift(a: &NodeDetail, b: &NodeDetail) -> bool {
    let NodeDetail {
        name,
        ready,
        schedulable,
        roles,
        zone,
        instance_type,
        kubelet_version,
        problems,
        cpu,
        memory,
        pods,
    } = a;
    let NodePodCounts {
        capacity,
        total,
        running,
        pending,
        failed,
        restarts: _,
    } = pods;
    *name == b.name
        && *ready == b.ready
        && *schedulable == b.schedulable
        && *roles == b.roles
        && *zone == b.zone
        && *instance_type == b.instance_type
        && *kubelet_version == b.kubelet_version
        && *problems == b.problems
        && *cpu == b.cpu
        && *memory == b.memory
        && (*capacity, *total, *running, *pending, *failed)
            == (
                b.pods.capacity,
                b.pods.total,
                b.pods.running,
                b.pods.pending,
                b.pods.failed,
            )
}

#[cfg(test)]
mod tests {
    use super::*;
    use karmada_manager_api::{ResourceUsage, UsageFigures};

    fn status() -> ClusterInsightStatus {
        let mut status = ClusterInsightStatus::default();
        status.pods.total = 10;
        status.pods.running = 9;
        status.pods.pending = 1;
        status.pods.restarts = 4;
        status.pods.not_ready = 1;
        status.node_details.limit = 200;
        status.node_details.items = vec![NodeDetail {
            name: "node-1".into(),
            ready: true,
            ..NodeDetail::default()
        }];
        status
    }

    #[test]
    fn restarts_readiness_and_usage_only_drift() {
        let before = status();
        let mut after = before.clone();
        after.pods.restarts += 3;
        after.pods.not_ready = 0;
        after.node_details.items[0].pods.restarts += 3;
        after.usage = Some(ResourceUsage {
            cpu: Some(UsageFigures::default()),
            ..ResourceUsage::default()
        });
        let InsightChange::Drift { bytes } = insight_change(Some(&before), &after) else {
            panic!("a drift");
        };
        assert_eq!(bytes, serde_json::to_vec(&after).unwrap().len());
    }

    #[test]
    fn what_readers_act_on_is_significant() {
        let before = status();
        let changes: [fn(&mut ClusterInsightStatus); 5] = [
            |s| s.pods.failed += 1,
            |s| s.pods.crash_looping += 1,
            |s| s.nodes.not_ready += 1,
            |s| s.node_details.items[0].pods.running += 1,
            |s| s.workloads.bindings += 1,
        ];
        for change in changes {
            let mut after = before.clone();
            after.pods.restarts += 1;
            change(&mut after);
            assert_eq!(
                insight_change(Some(&before), &after),
                InsightChange::Significant,
                "{after:?}"
            );
        }
        assert_eq!(
            insight_change(None, &before),
            InsightChange::Significant,
            "a first write"
        );
        assert_eq!(
            insight_change(Some(&before), &before),
            InsightChange::Unchanged
        );
    }
}
