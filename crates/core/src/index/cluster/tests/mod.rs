//! Scenario tests of the `ClusterIndex`; `random` checks it against a recomputation.

mod random;

use super::*;
use crate::index::pods::StoredPod;
use crate::interner::intern_str;
use crate::projection::{PodPhase, ResourceList, SlimPod};
use crate::quantity::Amount;

fn list(pairs: &[(&str, &str)]) -> ResourceList {
    ResourceList::parse(pairs.iter().copied()).expect("valid")
}

fn node(name: &str, ready: bool, allocatable: &[(&str, &str)]) -> SlimNode {
    let mut node = SlimNode::new(name);
    node.ready = ready;
    node.allocatable = list(allocatable);
    node.capacity = list(allocatable);
    node
}

fn pod(name: &str, node: Option<&str>, phase: PodPhase, requests: &[(&str, &str)]) -> SlimPod {
    let mut pod = SlimPod::new("default", name);
    pod.node_name = node.map(intern_str);
    pod.phase = phase;
    pod.requests = list(requests);
    pod
}

#[test]
fn scheduled_unscheduled_and_finished_pods() {
    let mut index = ClusterIndex::new();
    index.apply_node(node(
        "n1",
        true,
        &[("cpu", "4"), ("memory", "16Gi"), ("pods", "110")],
    ));
    index.apply_pod(pod(
        "running",
        Some("n1"),
        PodPhase::Running,
        &[("cpu", "1"), ("memory", "1Gi")],
    ));
    index.apply_pod(pod(
        "waiting",
        None,
        PodPhase::Pending,
        &[("cpu", "2"), ("nvidia.com/gpu", "1")],
    ));
    index.apply_pod(pod(
        "done",
        Some("n1"),
        PodPhase::Succeeded,
        &[("cpu", "3")],
    ));
    index.apply_pod(pod("broken", Some("n1"), PodPhase::Failed, &[("cpu", "3")]));
    index.apply_pod(pod("gone-wrong", None, PodPhase::Failed, &[("cpu", "5")]));

    let f = index.figures();
    assert_eq!(f.allocated.get("cpu"), Amount::from_units(1));
    assert_eq!(f.allocated.get("memory"), Amount::parse("1Gi").expect("q"));
    assert_eq!(f.allocated.get("pods"), Amount::from_units(1));
    assert_eq!(f.allocating.get("cpu"), Amount::from_units(2));
    assert_eq!(f.allocating.get("nvidia.com/gpu"), Amount::from_units(1));
    assert_eq!(f.allocating.get("pods"), Amount::from_units(1));
    assert_eq!((f.pods.total, f.pods.running, f.pods.pending), (5, 1, 1));
    assert_eq!((f.pods.succeeded, f.pods.failed), (1, 2));
    let stats = index.node_stats("n1").expect("stats");
    assert_eq!((stats.pods, stats.running, stats.failed), (3, 1, 1));
    assert_eq!(stats.allocated.get("cpu"), Amount::from_units(1));

    // The scheduler binds the waiting pod: its requests move from allocating to allocated.
    index.apply_pod(pod(
        "waiting",
        Some("n1"),
        PodPhase::Pending,
        &[("cpu", "2"), ("nvidia.com/gpu", "1")],
    ));
    let f = index.figures();
    assert_eq!(f.allocated.get("cpu"), Amount::from_units(3));
    assert!(!f.allocating.contains("cpu") && !f.allocating.contains("pods"));
    assert_eq!(f.allocated.get("pods"), Amount::from_units(2));
}

#[test]
fn not_ready_counts_only_running_pods() {
    let mut index = ClusterIndex::new();
    let mut running = pod("a", Some("n1"), PodPhase::Running, &[]);
    running.ready = false;
    index.apply_pod(running);
    index.apply_pod(pod("b", Some("n1"), PodPhase::Pending, &[]));
    let mut ready = pod("c", Some("n1"), PodPhase::Running, &[]);
    ready.ready = true;
    index.apply_pod(ready);
    assert_eq!(index.figures().pods.not_ready, 1);
}

#[test]
fn a_deleted_node_leaves_its_pods_counted() {
    let mut index = ClusterIndex::new();
    let n1 = node("n1", true, &[("cpu", "4")]);
    index.apply_node(n1.clone());
    index.apply_node(node("n2", false, &[("cpu", "8")]));
    index.apply_pod(pod("p", Some("n1"), PodPhase::Running, &[("cpu", "1")]));
    assert!(index.delete_node(&n1));
    assert!(!index.delete_node(&n1), "already gone");
    let f = index.figures();
    assert_eq!((f.nodes.total, f.nodes.ready), (1, 0));
    assert_eq!(f.allocatable.get("cpu"), Amount::from_units(8));
    assert_eq!(
        f.allocated.get("cpu"),
        Amount::from_units(1),
        "the pod still runs"
    );
    assert_eq!(f.pods.running, 1);
    assert!(index.node("n1").is_none());
    assert_eq!(index.node_stats("n1").map(|s| s.pods), Some(1));
    index.delete_pod_named("default", "p");
    assert!(
        index.node_stats("n1").is_none(),
        "stats go with the last pod"
    );
}

#[test]
fn a_pod_on_an_unknown_node_counts_and_the_node_finds_it_later() {
    let mut index = ClusterIndex::new();
    index.apply_pod(pod(
        "early",
        Some("late-node"),
        PodPhase::Running,
        &[("cpu", "500m")],
    ));
    assert_eq!(
        index.figures().allocated.get("cpu"),
        Amount::from_milli(500)
    );
    assert_eq!(index.figures().nodes.total, 0);
    index.apply_node(node("late-node", true, &[("cpu", "2")]));
    let stats = index.node_stats("late-node").expect("stats");
    assert_eq!(stats.allocated.get("cpu"), Amount::from_milli(500));
}

#[test]
fn unchanged_objects_report_no_change() {
    let mut index = ClusterIndex::new();
    assert!(index.apply_node(node("n1", true, &[("cpu", "4")])));
    assert!(!index.apply_node(node("n1", true, &[("cpu", "4")])));
    assert!(index.apply_node(node("n1", false, &[("cpu", "4")])));
    assert!(index.apply_pod(pod("p", None, PodPhase::Pending, &[])));
    assert!(!index.apply_pod(pod("p", None, PodPhase::Pending, &[])));
    assert!(!index.delete_pod_named("default", "missing"));
    assert!(!index.delete_pod_named("missing-ns", "p"));
}

#[test]
fn a_node_event_that_changes_only_its_metadata_is_no_change() {
    // A kubelet heartbeat moves the resourceVersion (and fields we do not keep) only.
    let decode = |resource_version: &str| -> SlimNode {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "n1", "uid": "u-1", "resourceVersion": resource_version},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]},
        }))
        .unwrap()
    };
    let mut index = ClusterIndex::new();
    assert!(index.apply_node(decode("1")));
    assert!(!index.apply_node(decode("2")));
    let stored = index.node("n1").unwrap();
    assert!(stored.ready);
    assert_eq!(stored.metadata().resource_version, None, "not kept");
    assert_eq!(&**stored.name(), "n1");
}

#[test]
fn relists_remove_what_they_do_not_mention() {
    let mut index = ClusterIndex::new();
    assert!(!index.is_synced());
    index.begin_resync_nodes();
    index.apply_node(node("a", true, &[("cpu", "1")]));
    index.apply_node(node("b", true, &[("cpu", "1")]));
    assert!(!index.nodes_synced(), "relist in progress");
    assert_eq!(index.end_resync_nodes(), 0);
    index.begin_resync_pods();
    index.apply_pod(pod("p1", Some("a"), PodPhase::Running, &[("cpu", "1")]));
    index.apply_pod(pod("p2", Some("b"), PodPhase::Running, &[("cpu", "1")]));
    assert_eq!(index.end_resync_pods(), 0);
    assert!(index.is_synced());

    // Reconnect: only `a` and `p1` are still there.
    index.begin_resync_nodes();
    index.apply_node(node("a", true, &[("cpu", "1")]));
    assert_eq!(
        index.figures().nodes.total,
        2,
        "old objects count until the relist ends"
    );
    assert_eq!(index.end_resync_nodes(), 1);
    index.begin_resync_pods();
    index.apply_pod(pod("p1", Some("a"), PodPhase::Running, &[("cpu", "1")]));
    assert_eq!(index.end_resync_pods(), 1);
    let f = index.figures();
    assert_eq!((f.nodes.total, f.pods.total), (1, 1));
    assert_eq!(f.allocated.get("cpu"), Amount::from_units(1));
    assert!(index.node_stats("b").is_none());
    assert_eq!(index.end_resync_pods(), 0, "no relist in progress");
}

#[test]
fn huge_amounts_stay_exact_through_add_and_remove() {
    let mut index = ClusterIndex::new();
    let huge = Amount::from_milli(i128::MAX / 2 + 1);
    let mut a = SlimNode::new("a");
    a.allocatable = ResourceList::from_pairs([("cpu", huge)]);
    let mut b = SlimNode::new("b");
    b.allocatable = ResourceList::from_pairs([("cpu", huge)]);
    index.apply_node(a.clone());
    index.apply_node(b);
    assert_eq!(
        index.figures().allocatable.get("cpu"),
        Amount::MAX,
        "saturates on read"
    );
    index.delete_node_named("b");
    assert_eq!(
        index.figures().allocatable.get("cpu"),
        huge,
        "exact after the removal"
    );
    index.delete_node(&a);
    assert!(index.figures().allocatable.is_empty());
}

#[test]
fn a_stored_pod_stays_small() {
    // 2,000,000 pods × this size is the index's floor; strings and lists are shared.
    assert!(
        std::mem::size_of::<StoredPod>() <= 64,
        "{}",
        std::mem::size_of::<StoredPod>()
    );
}

#[test]
fn insight_changes_move_with_nodes_and_pods_in_trouble_only() {
    let mut index = ClusterIndex::new();
    assert!(index.apply_node(node("n1", true, &[("cpu", "4")])));
    let web = pod("web", Some("n1"), PodPhase::Running, &[("cpu", "1")]);
    index.apply_pod(web.clone());
    type Step = fn(&mut ClusterIndex) -> bool;
    let healthy: [(&str, Step); 6] = [
        ("a restart and a readiness flip", |i| {
            let mut web = pod("web", Some("n1"), PodPhase::Running, &[("cpu", "1")]);
            web.restarts += 1;
            web.ready = !web.ready;
            i.apply_pod(web)
        }),
        ("new requests", |i| {
            i.apply_pod(pod("web", Some("n1"), PodPhase::Running, &[("cpu", "2")]))
        }),
        ("a pod added", |i| {
            i.apply_pod(pod("db", None, PodPhase::Pending, &[]))
        }),
        ("a pod scheduled and running", |i| {
            i.apply_pod(pod("db", Some("n1"), PodPhase::Running, &[]))
        }),
        ("a pod succeeded", |i| {
            i.apply_pod(pod("db", Some("n1"), PodPhase::Succeeded, &[]))
        }),
        ("a pod deleted", |i| i.delete_pod_named("default", "db")),
    ];
    for (what, step) in healthy {
        let before = index.insight_changes();
        assert!(step(&mut index), "{what}: the index holds the new figures");
        assert_eq!(index.insight_changes(), before, "{what} only drifts");
    }

    let trouble: [fn(&mut SlimPod); 3] = [
        |p| p.phase = PodPhase::Failed,
        |p| p.phase = PodPhase::Unknown,
        |p| p.crash_looping = true,
    ];
    for change in trouble {
        let mut changed = web.clone();
        change(&mut changed);
        let before = index.insight_changes();
        index.apply_pod(changed);
        assert!(index.insight_changes() > before, "into trouble: {web:?}");
        let before = index.insight_changes();
        index.apply_pod(web.clone());
        assert!(index.insight_changes() > before, "out of trouble: {web:?}");
    }
    let steps: [(&str, Step); 3] = [
        ("a failed pod added", |i| {
            i.apply_pod(pod("job", Some("n1"), PodPhase::Failed, &[]))
        }),
        ("a failed pod deleted", |i| {
            i.delete_pod_named("default", "job")
        }),
        ("a node changed", |i| {
            i.apply_node(node("n1", false, &[("cpu", "4")]))
        }),
    ];
    for (what, step) in steps {
        let before = index.insight_changes();
        assert!(step(&mut index), "{what}");
        assert!(index.insight_changes() > before, "{what}");
    }
    index.apply_pod(pod("job", Some("n1"), PodPhase::Failed, &[]));
    let before = index.insight_changes();
    index.begin_resync_pods();
    index.apply_pod(web.clone());
    assert_eq!(index.end_resync_pods(), 1, "a relist without the job");
    assert!(
        index.insight_changes() > before,
        "a failed pod a relist removed"
    );
    let before = index.insight_changes();
    index.begin_resync_pods();
    assert_eq!(index.end_resync_pods(), 1, "a relist without web");
    assert_eq!(
        index.insight_changes(),
        before,
        "a running pod a relist removed"
    );
}
