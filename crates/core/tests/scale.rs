//! A 5,000-node / 20,000-pod member still yields a valid, bounded ClusterInsight status.

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Instant;

use karmada_manager_core::{
    ClusterIndex, ClusterInsightOptions, MemberEvent, MemberIndex, PodPhase, ResourceList,
    SlimNode, SlimPod, WatcherEvent, member_figures,
};
use karmada_types::Cluster;

const NODES: usize = 5_000;
const PODS_PER_NODE: usize = 4;
const UNSCHEDULED: usize = 1_000;

fn synthetic_member() -> ClusterIndex {
    let allocatable = ResourceList::parse([
        ("cpu", "7910m"),
        ("memory", "61810180Ki"),
        ("pods", "110"),
        ("ephemeral-storage", "93478772582"),
    ])
    .expect("valid");
    let small = ResourceList::parse([("cpu", "250m"), ("memory", "512Mi")]).expect("valid");
    let large = ResourceList::parse([("cpu", "2"), ("memory", "8Gi")]).expect("valid");
    let mut member = MemberIndex::new();
    member.apply_event(MemberEvent::Node(WatcherEvent::Init));
    for i in 0..NODES {
        let mut node = SlimNode::new(&format!(
            "ip-10-{}-{}-{}.ec2.internal",
            i / 65536,
            i / 256 % 256,
            i % 256
        ));
        node.ready = i % 97 != 0;
        node.memory_pressure = i % 89 == 0;
        node.unschedulable = i % 50 == 0;
        node.allocatable = allocatable.clone();
        node.capacity = allocatable.clone();
        member.apply_event(MemberEvent::Node(WatcherEvent::InitApply(node)));
    }
    member.apply_event(MemberEvent::Node(WatcherEvent::InitDone));
    // Sorted: `nodes()` iterates a HashMap, and the world must not depend on its order.
    let mut names: Vec<_> = member.cluster.nodes().map(|n| n.name().clone()).collect();
    names.sort();
    member.apply_event(MemberEvent::Pod(WatcherEvent::Init));
    for (i, name) in names.iter().enumerate() {
        for j in 0..PODS_PER_NODE {
            let mut pod = SlimPod::new(&format!("team-{}", (i + j) % 40), &format!("app-{i}-{j}"));
            pod.node_name = Some(name.clone());
            pod.phase = if j == 3 && i % 10 == 0 {
                PodPhase::Succeeded
            } else {
                PodPhase::Running
            };
            pod.ready = true;
            pod.requests = if j == 0 { large.clone() } else { small.clone() };
            member.apply_event(MemberEvent::Pod(WatcherEvent::InitApply(pod)));
        }
    }
    for i in 0..UNSCHEDULED {
        let mut pod = SlimPod::new("batch", &format!("job-{i}"));
        pod.requests = small.clone();
        member.apply_event(MemberEvent::Pod(WatcherEvent::InitApply(pod)));
    }
    member.apply_event(MemberEvent::Pod(WatcherEvent::InitDone));
    member.cluster
}

fn cluster() -> Cluster {
    serde_json::from_str(r#"{"metadata":{"name":"big"},"spec":{"syncMode":"Pull"}}"#)
        .expect("cluster")
}

#[test]
fn five_thousand_nodes_fit_under_the_guard() {
    let started = Instant::now();
    let index = synthetic_member();
    assert_eq!(index.pod_count(), NODES * PODS_PER_NODE + UNSCHEDULED);
    let built = member_figures(&index, &cluster(), &ClusterInsightOptions::default());
    let status = &built.status;
    assert!(built.truncation.is_none(), "200 nodes fit easily");
    assert_eq!(status.node_details.items.len(), 200);
    assert_eq!(status.node_details.omitted, (NODES - 200) as i64);
    assert_eq!(status.nodes.total, NODES as i64);
    assert_eq!(status.nodes.not_ready, NODES.div_ceil(97) as i64);
    assert_eq!(
        status.pods.total,
        (NODES * PODS_PER_NODE + UNSCHEDULED) as i64
    );
    assert_eq!(status.pods.succeeded, (NODES / 10) as i64);
    // Bound, non-terminal: 5,000 × 2 + 5,000 × 250m × 3 − 500 × 250m (the succeeded ones).
    assert_eq!(status.resources["cpu"].allocated.0, "13625");
    assert_eq!(status.resources["cpu"].allocating.0, "250");
    assert_eq!(status.resources["pods"].allocated.0, "19500");
    assert_eq!(status.resources["cpu"].allocatable.0, "39550");
    let json = serde_json::to_vec(status).expect("json");
    assert!(json.len() < 512 * 1024, "{} bytes", json.len());
    // Problem nodes first: every NotReady node, then pressure, then cordoned.
    let not_ready = NODES.div_ceil(97);
    assert!(
        status.node_details.items[..not_ready]
            .iter()
            .all(|n| !n.ready)
    );
    assert!(
        status.node_details.items[not_ready..]
            .iter()
            .all(|n| n.ready)
    );
    let pressure = &status.node_details.items[not_ready];
    assert!(
        pressure
            .problems
            .contains(&karmada_manager_api::NodeProblem::MemoryPressure)
    );
    eprintln!("built a 5,000-node status in {:?}", started.elapsed());
}

#[test]
fn listing_every_node_trips_the_size_guard() {
    let index = synthetic_member();
    let options = ClusterInsightOptions {
        node_detail_limit: NODES,
        ..ClusterInsightOptions::default()
    };
    let built = member_figures(&index, &cluster(), &options);
    let truncation = built
        .truncation
        .as_ref()
        .expect("5,000 details exceed 512 KiB");
    let listed = built.status.node_details.items.len();
    assert!([2500, 1250, 625, 312].contains(&listed), "halved: {listed}");
    assert_eq!(built.status.node_details.omitted, (NODES - listed) as i64);
    assert_eq!(truncation.listed, listed);
    assert_eq!(truncation.dropped, NODES - listed);
    assert!(truncation.fits());
    let json = serde_json::to_vec(&built.status).expect("json");
    assert!(json.len() <= options.max_status_bytes);
    assert_eq!(json.len(), truncation.serialized_bytes);
    // The previous halving step (twice as many nodes) would not have fitted.
    let twice = ClusterInsightOptions {
        node_detail_limit: listed * 2,
        max_status_bytes: usize::MAX,
    };
    let larger = member_figures(&index, &cluster(), &twice).status;
    assert!(serde_json::to_vec(&larger).expect("json").len() > options.max_status_bytes);
}

#[test]
fn an_unchanged_member_builds_byte_identical_statuses() {
    let a = synthetic_member();
    let b = synthetic_member();
    let options = ClusterInsightOptions::default();
    let first = serde_json::to_string(&member_figures(&a, &cluster(), &options).status);
    let second = serde_json::to_string(&member_figures(&b, &cluster(), &options).status);
    // Not assert_eq!: a 100 KB diff in the failure message helps nobody.
    assert!(
        first.expect("json") == second.expect("json"),
        "statuses differ"
    );
}
