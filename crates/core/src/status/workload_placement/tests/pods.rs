//! Pod counts and lists, their caps and order, and the size guard.

use karmada_manager_api::conditions::{reasons, status, types};
use karmada_manager_api::{PodSummary, WorkloadPodCounts};

use super::*;
use crate::status::workload_placement::pods::pod_view;

/// Regression (property `workload_placement_keeps_its_invariants`): two pods named alike on
/// the same node, one Running and one Succeeded (same tier, same restarts and readiness),
/// compared equal, so the pod list followed the order of the input.
#[test]
fn the_pod_list_order_is_total_even_for_duplicate_names() {
    let running_pod = WorkloadPod {
        restarts: 4,
        ..running("web-5", "node-3")
    };
    let succeeded = WorkloadPod {
        phase: PodPhase::Succeeded,
        ..running_pod.clone()
    };
    let one_way = pod_view(&[running_pod.clone(), succeeded.clone()], 20, 50);
    let other_way = pod_view(&[succeeded, running_pod], 20, 50);
    assert_eq!(one_way, other_way);
    assert_eq!(one_way.pod_list[0].phase, "Running");
}

fn not_scheduled(name: &str, reason: &str, message: &str) -> WorkloadPod {
    WorkloadPod {
        not_scheduled: Some(std::sync::Arc::new(crate::projection::NotScheduled {
            reason: reason.into(),
            message: message.into(),
        })),
        ..WorkloadPod::new(name)
    }
}

#[test]
fn unscheduled_pods_are_counted_with_their_most_common_reason_and_degrade_the_placement() {
    let cpu = "0/3 nodes are available: 3 Insufficient cpu.";
    let pods = vec![
        running("web-0", "n-a"),
        not_scheduled("web-1", "Unschedulable", cpu),
        not_scheduled("web-2", "Unschedulable", cpu),
        not_scheduled(
            "web-3",
            "SchedulingGated",
            "Scheduling is blocked due to non-empty scheduling gates",
        ),
        // Pending but scheduled (pulling images): not held back by the scheduler.
        WorkloadPod {
            node: Some("n-a".into()),
            ..WorkloadPod::new("web-4")
        },
        // Never scheduled, then failed: holds nothing back any more.
        WorkloadPod {
            phase: PodPhase::Failed,
            ..not_scheduled("web-5", "Unschedulable", "gone")
        },
    ];
    let mut reversed = pods.clone();
    reversed.reverse();
    let view = pod_view(&pods, 20, 50);
    assert_eq!(
        view,
        pod_view(&reversed, 20, 50),
        "independent of the order"
    );
    assert_eq!(view.counts.pending, 4);
    assert_eq!(view.counts.unscheduled, 3);
    assert_eq!(
        view.counts.pending_reason.as_deref(),
        Some(
            "2 pods Unschedulable: 0/3 nodes are available: 3 Insufficient cpu. (1 more not scheduled for other reasons)"
        )
    );

    let built = Fixture::new()
        .pods("m1", pods)
        .pods("m2", vec![running("web-9", "n-z")])
        .build();
    assert_eq!(
        state_of(&built, types::DEGRADED),
        (status::TRUE, reasons::REPLICAS_UNSCHEDULABLE)
    );
    let degraded = condition(&built, types::DEGRADED).expect("Degraded");
    assert!(
        degraded.message.contains("m1 (2 pods Unschedulable"),
        "{}",
        degraded.message
    );
    assert!(!degraded.message.contains("m2"), "{}", degraded.message);

    let all_placed = Fixture::new()
        .pods("m1", vec![running("web-0", "n-a")])
        .build();
    assert!(condition(&all_placed, types::DEGRADED).is_none());
    assert_eq!(
        entry(&all_placed, "m1")
            .pods
            .as_ref()
            .unwrap()
            .pending_reason,
        None
    );
}

#[test]
fn one_unscheduled_pod_without_reason_or_message_is_still_said() {
    let view = pod_view(&[not_scheduled("web-1", "", "")], 20, 50);
    assert_eq!(
        view.counts.pending_reason.as_deref(),
        Some("1 pod not scheduled")
    );
}

#[test]
fn pods_and_nodes_are_capped_problem_pods_first() {
    let mut world = Fixture::new().node_limit(2).pod_limit(4);
    let mut pods: Vec<WorkloadPod> = (0..6)
        .map(|i| running(&format!("web-{i}"), if i < 3 { "n-b" } else { "n-c" }))
        .collect();
    pods.push(WorkloadPod {
        restarts: 7,
        ..running("web-restarty", "n-a")
    });
    pods.push(WorkloadPod {
        ready: false,
        ..running("web-unready", "n-a")
    });
    pods.push(WorkloadPod::new("web-pending"));
    pods.push(WorkloadPod {
        phase: PodPhase::Failed,
        ..running("web-failed", "n-d")
    });
    pods.push(WorkloadPod {
        phase: PodPhase::Succeeded,
        ready: false,
        ..running("web-done", "n-d")
    });
    world = world.pods("m1", pods.clone());
    let built = world.build();
    let m1 = entry(&built, "m1");
    assert_eq!(
        m1.pods,
        Some(WorkloadPodCounts {
            total: 11,
            running: 8,
            ready: 8,
            pending: 1,
            failed: 1,
            restarts: 7,
            ..WorkloadPodCounts::default()
        })
    );
    let listed: Vec<&str> = m1.pod_list.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        listed,
        ["web-failed", "web-pending", "web-unready", "web-restarty"]
    );
    assert_eq!(m1.omitted_pods, 7);
    assert_eq!(
        m1.pod_list[1],
        PodSummary {
            name: "web-pending".into(),
            node: None,
            phase: "Pending".into(),
            ready: false,
            restarts: 0
        }
    );
    // n-b and n-c have 3 pods each, n-a and n-d 2: the top two, ties by name.
    let nodes: Vec<(&str, i64)> = m1.nodes.iter().map(|n| (n.name.as_str(), n.pods)).collect();
    assert_eq!(nodes, [("n-b", 3), ("n-c", 3)]);
    assert_eq!(m1.omitted_nodes, 2);

    // The order of the pods given does not matter.
    pods.reverse();
    world = world.pods("m1", pods);
    assert_eq!(world.build(), built);
}

#[test]
fn same_inputs_give_byte_identical_json() {
    let json = |world: &Fixture| serde_json::to_string(&world.build().status).expect("json");
    let mut world = Fixture::new()
        .pods("m1", running_pods(30, "p", 7))
        .pods("m2", vec![WorkloadPod::new("p-x"), running("p-y", "n0")]);
    let first = json(&world);
    assert_eq!(json(&world), first);
    // Permuted inputs: cluster objects, pods, aggregated statuses, spec.clusters.
    world.clusters.reverse();
    for pods in world.pods.values_mut() {
        pods.reverse();
    }
    world.binding["status"]["aggregatedStatus"]
        .as_array_mut()
        .expect("array")
        .reverse();
    assert_eq!(json(&world), first);
}

#[test]
fn a_truncated_status_says_so_in_ready() {
    let built = Fixture::new()
        .max_status_bytes(4_000)
        .pods(
            "m1",
            (0..50)
                .map(|i| running(&format!("web-pod-{i:03}"), &format!("node-{i:03}")))
                .collect(),
        )
        .build();
    let truncation = built.truncation.as_ref().expect("truncated");
    assert!(truncation.fits(), "{truncation:?}");
    let m1 = entry(&built, "m1");
    assert_eq!(m1.pod_list.len() as i64 + m1.omitted_pods, 50);
    assert_eq!(m1.nodes.len() as i64 + m1.omitted_nodes, 50);
    assert_eq!(truncation.pods_listed, m1.pod_list.len());
    assert_eq!(truncation.pods_dropped, 50 - m1.pod_list.len());
    assert_eq!(truncation.nodes_dropped, 20 - m1.nodes.len());
    assert!(serde_json::to_vec(&built.status).expect("json").len() <= 4_000);
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::STATUS_TRUNCATED)
    );
    assert_eq!(
        condition(&built, types::READY).expect("ready").message,
        truncation.message()
    );
    assert_eq!(built.state, WorkloadState::Ready);
}
