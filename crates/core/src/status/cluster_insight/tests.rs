//! ClusterInsight builder tests: from an index and from Karmada's summaries.

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use karmada_manager_api::{NodeProblem, ResourceFigures};
use karmada_types::Cluster;
use serde_json::json;

use super::*;
use crate::index::ClusterIndex;
use crate::intern::intern_str;
use crate::projection::{PodPhase, ResourceList, SlimNode, SlimPod};
use crate::quantity::Amount;
use crate::status::size::serialized_len;
use crate::status::{amount_of, node_counts, resource_figures};

fn q(text: &str) -> Quantity {
    Quantity(text.to_owned())
}

fn cluster() -> Cluster {
    serde_json::from_value(json!({
        "apiVersion": "cluster.karmada.io/v1alpha1",
        "kind": "Cluster",
        "metadata": {"name": "member1"},
        "spec": {
            "syncMode": "Push", "apiEndpoint": "https://10.0.0.1:6443",
            "provider": "aws", "region": "eu-west-1", "zone": "eu-west-1c",
            "zones": ["eu-west-1b", "eu-west-1a", "eu-west-1b"]
        },
        "status": {
            "kubernetesVersion": "v1.33.1",
            "conditions": [{"type": "Ready", "status": "True", "reason": "ClusterReady"}],
            "nodeSummary": {"totalNum": 6, "readyNum": 5},
            "resourceSummary": {
                "allocatable": {"cpu": "23500m", "memory": "94284368Ki", "pods": "660", "nvidia.com/gpu": "2"},
                "allocating": {"cpu": "500m", "memory": "1Gi", "pods": "2"},
                "allocated": {"cpu": "24", "memory": "40Gi", "pods": "187", "bogus": "x"}
            }
        }
    }))
    .expect("cluster decodes")
}

fn node(name: &str, cpu: &str, memory: &str) -> SlimNode {
    let mut node = SlimNode::new(name);
    node.ready = true;
    node.allocatable =
        ResourceList::parse([("cpu", cpu), ("memory", memory), ("pods", "110")]).expect("q");
    node.capacity = node.allocatable.clone();
    node
}

fn pod(name: &str, node: Option<&str>, cpu: &str, memory: &str) -> SlimPod {
    let mut pod = SlimPod::new("default", name);
    pod.node_name = node.map(intern_str);
    pod.phase = if node.is_some() {
        PodPhase::Running
    } else {
        PodPhase::Pending
    };
    pod.ready = true;
    pod.requests = ResourceList::parse([("cpu", cpu), ("memory", memory)]).expect("q");
    pod
}

/// Five nodes whose alphabetical order is the reverse of their problem order.
fn sample_index() -> ClusterIndex {
    let mut index = ClusterIndex::new();
    let mut down = node("e-down", "4", "16Gi");
    down.ready = false;
    down.memory_pressure = true;
    down.unschedulable = true;
    let mut pressured = node("d-pressured", "4", "16Gi");
    pressured.disk_pressure = true;
    let mut cordoned = node("c-cordoned", "4", "16Gi");
    cordoned.unschedulable = true;
    index.apply_node(down);
    index.apply_node(pressured);
    index.apply_node(cordoned);
    index.apply_node(node("b-busy", "4", "16Gi"));
    index.apply_node(node("a-idle", "4", "16Gi"));
    index.apply_pod(pod("busy-1", Some("b-busy"), "3200m", "9Gi"));
    index.apply_pod(pod("idle-1", Some("a-idle"), "100m", "1Gi"));
    index.apply_pod(pod("waiting", None, "2", "4Gi"));
    let mut failed = pod("failed", Some("b-busy"), "1", "1Gi");
    failed.phase = PodPhase::Failed;
    failed.restarts = 4;
    index.apply_pod(failed);
    index
}

#[test]
fn cluster_status_has_counts_resources_and_info() {
    let built = member_figures(
        &sample_index(),
        &cluster(),
        &ClusterInsightOptions::default(),
    );
    assert!(!built.truncated());
    let s = &built.status;
    assert_eq!(s.cluster.sync_mode.as_deref(), Some("Push"));
    assert_eq!(s.cluster.kubernetes_version.as_deref(), Some("v1.33.1"));
    assert_eq!(s.cluster.provider.as_deref(), Some("aws"));
    assert_eq!(s.cluster.region.as_deref(), Some("eu-west-1"));
    assert_eq!(s.cluster.zones, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    assert_eq!(s.cluster.karmada_ready.as_deref(), Some("True"));

    assert_eq!((s.nodes.total, s.nodes.ready, s.nodes.not_ready), (5, 4, 1));
    assert_eq!(s.nodes.display, "4/5");
    assert_eq!(
        (
            s.nodes.unschedulable,
            s.nodes.memory_pressure,
            s.nodes.disk_pressure
        ),
        (2, 1, 1)
    );
    assert_eq!(
        (s.pods.total, s.pods.running, s.pods.pending, s.pods.failed),
        (4, 2, 1, 1)
    );
    assert_eq!(s.pods.restarts, 4);

    assert_eq!(
        s.resources["cpu"],
        ResourceFigures {
            capacity: Some(q("20")),
            allocatable: q("20"),
            allocated: q("3300m"),
            allocating: q("2"),
            available: q("14700m"),
            allocated_percent: 16,
        }
    );
    assert_eq!(s.resources["memory"].allocated, q("10Gi"));
    assert_eq!(s.resources["memory"].available, q("66Gi"));
    assert_eq!(s.resources["pods"].allocated, q("2"));
    assert_eq!(s.resources["pods"].allocating, q("1"));
    assert_eq!(s.resources["pods"].allocatable, q("550"));
    // Left to the shell.
    assert!(s.conditions.is_empty() && s.source.is_none() && s.observed_generation.is_none());
    assert!(s.last_change_time.is_none() && s.usage.is_none());
}

#[test]
fn available_is_clamped_at_zero() {
    let mut index = ClusterIndex::new();
    index.apply_node(node("n", "1", "1Gi"));
    index.apply_pod(pod("big", Some("n"), "3", "1Gi"));
    let s = member_figures(&index, &cluster(), &ClusterInsightOptions::default()).status;
    assert_eq!(s.resources["cpu"].available, q("0"));
    assert_eq!(s.resources["cpu"].allocated_percent, 300);
}

/// Regression (property `cluster_insight_keeps_its_invariants`): `available` saturated step
/// by step, so 1m allocatable − (−MAX) allocated (a hand-made negative request) − 1m allocating
/// gave MAX − 1m instead of the exact, representable MAX.
#[test]
fn available_is_exact_before_it_is_clamped() {
    let max = Amount::MAX;
    let one = Amount::from_milli(1);
    let figures = resource_figures("memory", None, one, Amount::from_milli(-max.milli()), one);
    assert_eq!(amount_of(&figures.available), max);
    let figures = resource_figures("cpu", None, Amount::MIN, Amount::MIN, Amount::MIN);
    assert_eq!(
        amount_of(&figures.available),
        max,
        "MIN − MIN − MIN = −MIN > MAX"
    );
    let figures = resource_figures("cpu", None, one, max, max);
    assert_eq!(amount_of(&figures.available), Amount::ZERO);
}

/// Regression (property `fallback_status_keeps_its_invariants`): Karmada's `nodeSummary` was
/// taken as is, so `{totalNum: 0, readyNum: 1}` gave `notReady: -1` and `display: "1/0"`.
#[test]
fn node_counts_are_never_negative_nor_ready_above_total() {
    let counts = |total, ready| {
        let n = node_counts(total, ready);
        (n.total, n.ready, n.not_ready, n.display)
    };
    assert_eq!(counts(0, 1), (0, 0, 0, "0/0".to_owned()));
    assert_eq!(counts(3, 7), (3, 3, 0, "3/3".to_owned()));
    assert_eq!(counts(-5, -1), (0, 0, 0, "0/0".to_owned()));
    assert_eq!(counts(5, -1), (5, 0, 5, "0/5".to_owned()));
    assert_eq!(
        counts(i64::MAX, i64::MIN),
        (i64::MAX, 0, i64::MAX, format!("0/{}", i64::MAX))
    );
    let mut bad = cluster();
    bad.status.node_summary = Some(karmada_types::NodeSummary {
        total_num: 0,
        ready_num: 1,
    });
    let s = cluster_status_fallback(&bad);
    assert_eq!((s.nodes.total, s.nodes.ready, s.nodes.not_ready), (0, 0, 0));
}

#[test]
fn node_details_put_problem_nodes_first() {
    let s = member_figures(
        &sample_index(),
        &cluster(),
        &ClusterInsightOptions::default(),
    )
    .status;
    let names: Vec<&str> = s
        .node_details
        .items
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["e-down", "d-pressured", "c-cordoned", "b-busy", "a-idle"]
    );
    let down = &s.node_details.items[0];
    assert_eq!(
        down.problems,
        [
            NodeProblem::NotReady,
            NodeProblem::MemoryPressure,
            NodeProblem::Cordoned
        ]
    );
    assert!(!down.ready && !down.schedulable);
    let busy = &s.node_details.items[3];
    assert!(busy.problems.is_empty());
    assert_eq!(
        (
            busy.cpu.allocatable.0.as_str(),
            busy.cpu.allocated.0.as_str()
        ),
        ("4", "3200m")
    );
    assert_eq!(busy.cpu.percent, 80);
    assert_eq!(
        (busy.memory.allocated.0.as_str(), busy.memory.percent),
        ("9Gi", 56)
    );
    assert_eq!(busy.pods.capacity, 110);
    assert_eq!(
        (busy.pods.total, busy.pods.running, busy.pods.failed),
        (2, 1, 1)
    );
    assert_eq!(busy.pods.restarts, 4);
    assert_eq!((s.node_details.limit, s.node_details.omitted), (200, 0));
}

#[test]
fn the_node_list_is_capped_with_an_omitted_count() {
    let options = ClusterInsightOptions {
        node_detail_limit: 2,
        ..ClusterInsightOptions::default()
    };
    let s = member_figures(&sample_index(), &cluster(), &options).status;
    let names: Vec<&str> = s
        .node_details
        .items
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(names, ["e-down", "d-pressured"]);
    assert_eq!((s.node_details.limit, s.node_details.omitted), (2, 3));
}

#[test]
fn the_size_guard_halves_the_node_list_until_it_fits() {
    let index = sample_index();
    let full = member_figures(&index, &cluster(), &ClusterInsightOptions::default()).status;
    let full_len = serialized_len(&full);
    let one_node = serialized_len(&full.node_details.items[0]);
    // Room for roughly two of the five nodes.
    let options = ClusterInsightOptions {
        max_status_bytes: full_len - 2 * one_node - one_node / 2,
        ..ClusterInsightOptions::default()
    };
    let built = member_figures(&index, &cluster(), &options);
    let truncation = built.truncation.clone().expect("truncated");
    assert_eq!(
        built.status.node_details.items.len(),
        2,
        "5 → 2 (halved once)"
    );
    assert_eq!(built.status.node_details.omitted, 3);
    assert_eq!((truncation.listed, truncation.dropped), (2, 3));
    assert!(truncation.fits());
    assert_eq!(truncation.serialized_bytes, serialized_len(&built.status));
    assert!(truncation.serialized_bytes <= options.max_status_bytes);
    assert!(
        truncation.message().contains("2 nodes"),
        "{}",
        truncation.message()
    );
    // The most important nodes survive.
    assert_eq!(built.status.node_details.items[0].name, "e-down");

    let impossible = ClusterInsightOptions {
        max_status_bytes: 10,
        ..ClusterInsightOptions::default()
    };
    let built = member_figures(&index, &cluster(), &impossible);
    let truncation = built.truncation.expect("truncated");
    assert!(built.status.node_details.items.is_empty());
    assert_eq!(built.status.node_details.omitted, 5);
    assert!(!truncation.fits());
}

#[test]
fn the_same_world_serializes_to_the_same_bytes() {
    let nodes: Vec<SlimNode> = (0..30)
        .map(|i| {
            let mut n = node(&format!("node-{i:02}"), "8", "32Gi");
            n.ready = i % 7 != 0;
            n.zone = Some(intern_str(["a", "b", "c"][i % 3]));
            n
        })
        .collect();
    let pods: Vec<SlimPod> = (0..200)
        .map(|i| {
            let on = (i % 11 != 0).then(|| format!("node-{:02}", i % 30));
            pod(
                &format!("p-{i}"),
                on.as_deref(),
                &format!("{}m", 100 + i),
                "256Mi",
            )
        })
        .collect();
    let mut forward = ClusterIndex::new();
    nodes.iter().cloned().for_each(|n| {
        forward.apply_node(n);
    });
    pods.iter().cloned().for_each(|p| {
        forward.apply_pod(p);
    });
    // Reverse order, pods before nodes, with an update that is then undone.
    let mut backward = ClusterIndex::new();
    pods.iter().rev().cloned().for_each(|p| {
        backward.apply_pod(p);
    });
    backward.apply_pod(pod("p-3", None, "9", "9Gi"));
    backward.apply_pod(pods[3].clone());
    nodes.iter().rev().cloned().for_each(|n| {
        backward.apply_node(n);
    });
    let options = ClusterInsightOptions::default();
    let a = serde_json::to_vec(&member_figures(&forward, &cluster(), &options).status);
    let b = serde_json::to_vec(&member_figures(&backward, &cluster(), &options).status);
    let again = serde_json::to_vec(&member_figures(&forward, &cluster(), &options).status);
    assert_eq!(a.as_ref().expect("json"), b.as_ref().expect("json"));
    assert_eq!(a.expect("json"), again.expect("json"));
}

#[test]
fn fallback_uses_karmadas_summaries() {
    let s = cluster_status_fallback(&cluster());
    assert_eq!((s.nodes.total, s.nodes.ready, s.nodes.not_ready), (6, 5, 1));
    assert_eq!(s.nodes.display, "5/6");
    assert_eq!(
        s.resources["cpu"],
        ResourceFigures {
            capacity: None,
            allocatable: q("23500m"),
            allocated: q("24"),
            allocating: q("500m"),
            available: q("0"),
            allocated_percent: 102,
        }
    );
    assert_eq!(s.resources["memory"].allocatable, q("94284368Ki"));
    assert_eq!(s.resources["memory"].available, q("51292752Ki"));
    assert_eq!(s.resources["nvidia.com/gpu"].available, q("2"));
    assert_eq!(
        s.resources["bogus"].allocated,
        q("0"),
        "unparsable counts as zero"
    );
    assert_eq!(s.pods, Default::default());
    assert!(s.node_details.items.is_empty());
    assert_eq!(s.cluster.karmada_ready.as_deref(), Some("True"));

    let bare: Cluster = serde_json::from_value(json!({"metadata": {"name": "x"}})).expect("ok");
    let s = cluster_status_fallback(&bare);
    assert_eq!(s.nodes.display, "0/0");
    assert!(s.resources.is_empty() && s.cluster.karmada_ready.is_none());
}
