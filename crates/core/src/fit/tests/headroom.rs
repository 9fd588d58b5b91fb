//! The headroom reads back as the accurate estimate: exactly while it is exact, never above it
//! once coarsened; and it stays small whatever the member.

use proptest::prelude::*;
use serde_json::json;

use super::{SMALL, index, labelled, node, pod, shape};
use crate::fit::{FitShape, HeadroomFit, headroom};
use crate::index::ClusterIndex;
use crate::interner::intern_str;
use crate::projection::{PodPhase, Taint, TaintEffect};

/// Shapes whose node claims read only published labels, plus taints and cordon.
fn claims() -> Vec<FitShape> {
    let zone = "topology.kubernetes.io/zone";
    [
        json!({"resourceRequest": {"cpu": "1"}}),
        json!({"resourceRequest": {"cpu": "300m", "memory": "1Gi"}}),
        json!({"resourceRequest": {"memory": "5Gi", "ephemeral-storage": "1Gi"}}),
        json!({"resourceRequest": {"nvidia.com/gpu": "1", "cpu": "2"}}),
        json!({"resourceRequest": {}}),
        json!({"resourceRequest": {"cpu": "500m"}, "nodeClaim": {"nodeSelector": {zone: "a"}}}),
        json!({"resourceRequest": {"cpu": "250m"}, "nodeClaim": {"hardNodeAffinity": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": zone, "operator": "NotIn", "values": ["a"]}]}]}}}),
        json!({"resourceRequest": {"cpu": "1"}, "nodeClaim": {"tolerations": [
            {"key": "dedicated", "operator": "Exists"},
            {"key": "node.kubernetes.io/unschedulable", "operator": "Exists"}]}}),
    ]
    .into_iter()
    .map(shape)
    .collect()
}

/// A member from small integers: each node's size, zone, taint, cordon and readiness, and
/// pods on it.
fn member(nodes: &[(u8, u8, u8, u8)], pods: &[(u8, u8)]) -> ClusterIndex {
    let nodes: Vec<_> = nodes
        .iter()
        .enumerate()
        .map(|(i, &(size, zone, flags, gpus))| {
            let cpu = ["2", "4", "8", "16"][usize::from(size % 4)];
            let memory = ["8Gi", "16Gi", "32Gi"][usize::from(size % 3)];
            let gpus = (gpus % 3).to_string();
            let resources = [
                ("cpu", cpu),
                ("memory", memory),
                ("pods", if size % 5 == 0 { "3" } else { "110" }),
                ("ephemeral-storage", "100Gi"),
                ("nvidia.com/gpu", gpus.as_str()),
            ];
            let zone = ["a", "b", "c"][usize::from(zone % 3)];
            let mut n = labelled(
                node(&format!("n{i}"), &resources),
                &[
                    ("topology.kubernetes.io/zone", zone),
                    ("kubernetes.io/hostname", "x"),
                    (
                        "kubernetes.io/arch",
                        ["amd64", "arm64"][usize::from(flags % 2)],
                    ),
                    ("a.example/pool", "blue"),
                    (
                        "node.kubernetes.io/instance-type",
                        ["m5", "c5"][usize::from(size % 2)],
                    ),
                ],
            );
            n.ready = flags % 7 != 0;
            n.unschedulable = flags % 5 == 1;
            if flags % 3 == 2 {
                n.taints = vec![Taint {
                    key: intern_str("dedicated"),
                    value: intern_str("gpu"),
                    effect: TaintEffect::NoSchedule,
                }];
            }
            n
        })
        .collect();
    let count = nodes.len().max(1);
    let pods = pods
        .iter()
        .enumerate()
        .map(|(i, &(on, size))| {
            let cpu = ["100m", "250m", "1", "1500m"][usize::from(size % 4)];
            let memory = ["128Mi", "1Gi", "3Gi"][usize::from(size % 3)];
            // A resource no node offers, named to sort first: it must not shift the others.
            let widgets = if size % 2 == 0 { "0" } else { "1" };
            let requests = [
                ("cpu", cpu),
                ("memory", memory),
                ("a.example/widget", widgets),
            ];
            let phase = if size % 9 == 0 {
                PodPhase::Succeeded
            } else {
                PodPhase::Running
            };
            pod(
                &format!("p{i}"),
                &format!("n{}", usize::from(on) % count),
                &requests,
                phase,
            )
        })
        .collect();
    index(nodes, pods)
}

proptest! {
    #[test]
    fn the_headroom_reads_back_as_the_accurate_estimate(
        nodes in prop::collection::vec(any::<(u8, u8, u8, u8)>(), 0..24),
        pods in prop::collection::vec(any::<(u8, u8)>(), 0..60),
    ) {
        let members = member(&nodes, &pods);
        let exact = headroom(&members, usize::MAX);
        prop_assert!(exact.grain.is_empty());
        let coarse = headroom(&members, 2);
        prop_assert!(coarse.shapes.len() <= 2);
        for claim in claims() {
            let accurate = claim.in_member(&members);
            prop_assert_eq!(claim.in_headroom(&exact), HeadroomFit::Exact(accurate));
            match claim.in_headroom(&coarse) {
                HeadroomFit::Exact(fit) => prop_assert_eq!(fit, accurate),
                HeadroomFit::AtLeast(fit) => prop_assert!(fit <= accurate, "{fit} > {accurate}"),
                HeadroomFit::Unknown(why) => prop_assert!(false, "unknown: {why}"),
            }
        }
    }
}

#[test]
fn alike_nodes_are_one_shape_and_busy_or_down_nodes_none() {
    let mut down = node("down", SMALL);
    down.ready = false;
    let full = node("full", &[("cpu", "4"), ("pods", "1")]);
    let nodes = vec![
        node("a", SMALL),
        node("b", SMALL),
        node("c", SMALL),
        down,
        full,
    ];
    let pods = vec![
        pod("web", "c", &[("cpu", "1")], PodPhase::Running),
        pod("only", "full", &[], PodPhase::Running),
    ];
    let built = headroom(&index(nodes, pods), 32);
    assert_eq!((built.nodes, built.omitted), (3, 0));
    let counts: Vec<i64> = built.shapes.iter().map(|s| s.count).collect();
    assert_eq!(counts, [2, 1], "a and b alike, c one CPU less");
    assert_eq!(built.shapes[1].free["cpu"].0, "3");
    assert_eq!(built.shapes[1].free["pods"].0, "109");
}

#[test]
fn a_claim_on_labels_the_headroom_does_not_publish_is_not_estimated() {
    let members = index(vec![labelled(node("a", SMALL), &[("pool", "gpu")])], vec![]);
    let built = headroom(&members, 32);
    let pool = shape(json!({"resourceRequest": {"cpu": "1"},
        "nodeClaim": {"nodeSelector": {"pool": "gpu"}}}));
    let HeadroomFit::Unknown(why) = pool.in_headroom(&built) else {
        panic!("estimated a claim on an unpublished label");
    };
    assert!(why.contains("pool"), "{why}");
    let by_name = shape(
        json!({"resourceRequest": {"cpu": "1"}, "nodeClaim": {"hardNodeAffinity":
        {"nodeSelectorTerms": [{"matchFields": [
            {"key": "metadata.name", "operator": "In", "values": ["a"]}]}]}}}),
    );
    assert!(matches!(
        by_name.in_headroom(&built),
        HeadroomFit::Unknown(_)
    ));
}

#[test]
fn five_thousand_different_nodes_stay_a_few_kib() {
    let nodes: Vec<_> = (0..5_000u32)
        .map(|i| {
            let cpu = format!("{}m", 8_000 + i * 7);
            let memory = format!("{}Mi", 30_000 + i * 13);
            let zone = format!("zone-{}", i % 40);
            let n = node(
                &format!("n{i}"),
                &[("cpu", &cpu), ("memory", &memory), ("pods", "110")],
            );
            labelled(n, &[("topology.kubernetes.io/zone", &zone)])
        })
        .collect();
    let members = index(nodes, vec![]);
    let built = headroom(&members, 32);
    assert_eq!(built.shapes.len(), 32);
    assert!(!built.grain.is_empty(), "rounded to fit");
    assert_eq!(built.nodes, 5_000);
    let listed: i64 = built.shapes.iter().map(|s| s.count).sum();
    assert_eq!(listed + built.omitted, 5_000);
    let size = serde_json::to_vec(&built).expect("serializes").len();
    assert!(size < 16 * 1024, "{size} bytes");
    let one_cpu = shape(json!({"resourceRequest": {"cpu": "1"}}));
    let HeadroomFit::AtLeast(fit) = one_cpu.in_headroom(&built) else {
        panic!("a coarsened headroom is a lower bound");
    };
    assert!(fit <= one_cpu.in_member(&members));
}

#[test]
fn a_template_gives_the_shape_karmada_extracts() {
    let spec: k8s_openapi::api::core::v1::PodSpec = serde_json::from_value(json!({
        "containers": [
            {"name": "app", "resources": {"requests": {"cpu": "500m"}, "limits": {"memory": "1Gi"}}},
            {"name": "side", "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}}},
        ],
        "initContainers": [{"name": "init", "resources": {"requests": {"cpu": "2"}}}],
        "overhead": {"memory": "64Mi"},
        "nodeSelector": {"topology.kubernetes.io/zone": "a"},
    }))
    .expect("a pod spec");
    let from_template = FitShape::from_template(&spec).expect("readable");
    let extracted = shape(json!({"resourceRequest": {"cpu": "2", "memory": "1344Mi"},
        "nodeClaim": {"nodeSelector": {"topology.kubernetes.io/zone": "a"}}}));
    assert_eq!(from_template, extracted);
    let bad: k8s_openapi::api::core::v1::PodSpec = serde_json::from_value(json!({
        "containers": [{"name": "app", "resources": {"requests": {"cpu": "lots"}}}]
    }))
    .expect("a pod spec");
    let error = FitShape::from_template(&bad).expect_err("unreadable");
    assert!(
        error.contains("\"app\"") && error.contains("cpu"),
        "{error}"
    );
}
