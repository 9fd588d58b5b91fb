//! Which changes of a ClusterInsight only drift. In a large member, figures move all the time
//! while the cluster runs as it should: pods are replaced by rollouts and rescheduled, so counts,
//! allocation and headroom move; containers restart, pods flip readiness, measured usage moves
//! with every poll. A 5,000-node member's status is about 100 KB, and the hub's cost of a write
//! grows with the size of the stored object, not of the change; so if every such move were
//! written at once, a hundred members would keep the hub's API server busy with nothing else.
//! The shell writes a change that only drifts when the fleet's budget for such writes allows,
//! and every other change within the write interval as before; a drift waiting for the budget
//! goes out with the next change of any kind.
//!
//! What does not drift, and is written promptly: what readers act on when something goes wrong
//! or the fleet changes shape.
//! - the conditions' types, statuses and reasons (not their messages, which carry counts);
//! - `source`, `cluster`, `workloads` and `observedGeneration`;
//! - `nodes` (every node count: health, pressure, cordons);
//! - the pods that are in trouble: `pods.failed`, `pods.unknown`, `pods.crashLooping`;
//! - what the nodes offer: each resource's `capacity` and `allocatable`, and which resources;
//! - the problem nodes among `nodeDetails` (name, health, problems and what the node is), and
//!   how many nodes the list holds and omits;
//! - which node labels `headroom` reads (`labelKeys`).
//!
//! Everything else drifts: the other pod counts, `restarts` and `notReady`, allocation, every
//! node detail's figures and the order they rank healthy nodes in, the headroom's shapes and
//! counts, `usage`, and `lastChangeTime`, which follows whatever changed. The member's index
//! tells the same apart before a status is built (`ClusterIndex::insight_changes`).
//!
//! The comparison destructures every status type it looks into, so a field added to one of
//! them does not compile here until someone decides whether it drifts.

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use karmada_manager_api::{
    ClusterInsightStatus, Headroom, NodeDetail, NodeDetails, PodCounts, ResourceFigures,
    ResourceMap,
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
        && same_conditions_but_messages(conditions, &b.conditions)
        && *cluster == b.cluster
        && *nodes == b.nodes
        && same_troubled_pods(pods, &b.pods)
        && same_offer(resources, &b.resources)
        && same_problem_nodes(node_details, &b.node_details)
        && same_headroom_labels(headroom, &b.headroom)
        && *workloads == b.workloads
}

fn same_conditions_but_messages(a: &[Condition], b: &[Condition]) -> bool {
    let same = |a: &Condition, b: &Condition| {
        let Condition {
            type_,
            status,
            reason,
            message: _,
            last_transition_time,
            observed_generation,
        } = a;
        (
            type_,
            status,
            reason,
            last_transition_time,
            observed_generation,
        ) == (
            &b.type_,
            &b.status,
            &b.reason,
            &b.last_transition_time,
            &b.observed_generation,
        )
    };
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
}

fn same_troubled_pods(a: &PodCounts, b: &PodCounts) -> bool {
    let PodCounts {
        total: _,
        running: _,
        pending: _,
        succeeded: _,
        failed,
        unknown,
        not_ready: _,
        restarts: _,
        crash_looping,
    } = a;
    (*failed, *unknown, *crash_looping) == (b.failed, b.unknown, b.crash_looping)
}

/// The same resources, with the same capacity and allocatable (what the nodes offer).
fn same_offer(a: &ResourceMap, b: &ResourceMap) -> bool {
    fn offer(figures: &ResourceFigures) -> (&Option<Quantity>, &Quantity) {
        let ResourceFigures {
            capacity,
            allocatable,
            allocated: _,
            allocating: _,
            available: _,
            allocated_percent: _,
        } = figures;
        (capacity, allocatable)
    }
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((name_a, a), (name_b, b))| name_a == name_b && offer(a) == offer(b))
}

fn same_problem_nodes(a: &NodeDetails, b: &NodeDetails) -> bool {
    let NodeDetails {
        limit,
        omitted,
        items,
    } = a;
    let (problems_a, problems_b) = (problem_nodes(items), problem_nodes(&b.items));
    *limit == b.limit
        && *omitted == b.omitted
        && items.len() == b.items.len()
        && problems_a.len() == problems_b.len()
        && problems_a
            .iter()
            .zip(&problems_b)
            .all(|(a, b)| same_node_but_figures(a, b))
}

fn problem_nodes(items: &[NodeDetail]) -> Vec<&NodeDetail> {
    items
        .iter()
        .filter(|node| !node.ready || !node.schedulable || !node.problems.is_empty())
        .collect()
}

fn same_node_but_figures(a: &NodeDetail, b: &NodeDetail) -> bool {
    let NodeDetail {
        name,
        ready,
        schedulable,
        roles,
        zone,
        instance_type,
        kubelet_version,
        problems,
        cpu: _,
        memory: _,
        pods: _,
    } = a;
    *name == b.name
        && *ready == b.ready
        && *schedulable == b.schedulable
        && *roles == b.roles
        && *zone == b.zone
        && *instance_type == b.instance_type
        && *kubelet_version == b.kubelet_version
        && *problems == b.problems
}

/// Headroom present in both or neither, reading the same node labels.
fn same_headroom_labels(a: &Option<Headroom>, b: &Option<Headroom>) -> bool {
    fn label_keys(headroom: &Headroom) -> &[String] {
        let Headroom {
            nodes: _,
            label_keys,
            grain: _,
            shapes: _,
            omitted: _,
        } = headroom;
        label_keys
    }
    a.as_ref().map(label_keys) == b.as_ref().map(label_keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
    use karmada_manager_api::{NodeProblem, NodeShape, ResourceUsage, UsageFigures};

    fn node(name: &str, ready: bool) -> NodeDetail {
        NodeDetail {
            name: name.into(),
            ready,
            schedulable: true,
            ..NodeDetail::default()
        }
    }

    fn status() -> ClusterInsightStatus {
        let mut status = ClusterInsightStatus::default();
        status.conditions = vec![Condition {
            type_: "Ready".into(),
            status: "True".into(),
            reason: "Synced".into(),
            message: "2 nodes, 10 pods observed".into(),
            last_transition_time: Time(Default::default()),
            observed_generation: Some(1),
        }];
        status.pods.total = 10;
        status.pods.running = 9;
        status.pods.pending = 1;
        status.pods.restarts = 4;
        status.pods.not_ready = 1;
        status.resources.insert(
            "cpu".into(),
            ResourceFigures {
                allocatable: Quantity("8".into()),
                allocated: Quantity("2".into()),
                ..ResourceFigures::default()
            },
        );
        status.node_details.limit = 200;
        status.node_details.items = vec![node("node-0", false), node("node-1", true)];
        status.headroom = Some(Headroom {
            nodes: 1,
            label_keys: vec!["zone".into()],
            shapes: vec![NodeShape {
                count: 1,
                ..NodeShape::default()
            }],
            ..Headroom::default()
        });
        status
    }

    #[test]
    fn a_healthy_cluster_running_only_drifts() {
        let before = status();
        let mut after = before.clone();
        // Containers restart, readiness flips, usage is polled.
        after.pods.restarts += 3;
        after.pods.not_ready = 0;
        after.node_details.items[1].pods.restarts += 3;
        after.usage = Some(ResourceUsage {
            cpu: Some(UsageFigures::default()),
            ..ResourceUsage::default()
        });
        // Pods come and go: counts, allocation, the healthy nodes' figures and ranking, headroom.
        after.pods.total += 1;
        after.pods.pending += 1;
        after.conditions[0].message = "2 nodes, 11 pods observed".into();
        after.resources.get_mut("cpu").unwrap().allocated = Quantity("2500m".into());
        after.node_details.items[1].pods.running += 1;
        after.node_details.items[1].name = "node-2".into();
        let headroom = after.headroom.as_mut().unwrap();
        headroom.nodes = 0;
        headroom.shapes.clear();
        let InsightChange::Drift { bytes } = insight_change(Some(&before), &after) else {
            panic!("a drift");
        };
        assert_eq!(bytes, serde_json::to_vec(&after).unwrap().len());
    }

    #[test]
    fn what_readers_act_on_is_significant() {
        let before = status();
        let changes: [fn(&mut ClusterInsightStatus); 10] = [
            |s| s.pods.failed += 1,
            |s| s.pods.unknown += 1,
            |s| s.pods.crash_looping += 1,
            |s| s.nodes.not_ready += 1,
            |s| s.workloads.bindings += 1,
            |s| s.conditions[0].status = "False".into(),
            |s| s.resources.get_mut("cpu").unwrap().allocatable = Quantity("16".into()),
            |s| {
                s.node_details.items[0]
                    .problems
                    .push(NodeProblem::MemoryPressure)
            },
            |s| s.node_details.items[1].ready = false,
            |s| s.headroom.as_mut().unwrap().label_keys.clear(),
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
