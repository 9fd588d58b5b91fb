//! The per-node arithmetic and the node claim, shape by shape (the shapes the estimator
//! comparison covers), and the general estimate.

use karmada_types::{ReplicaRequirements, ResourceSummary};
use serde_json::json;

use super::FitShape;
use crate::index::ClusterIndex;
use crate::interner::intern_str;
use crate::projection::{
    NodeLabelSet, PodPhase, ResourceList, SlimNode, SlimPod, Taint, TaintEffect,
};

fn shape(requirements: serde_json::Value) -> FitShape {
    let requirements: ReplicaRequirements = serde_json::from_value(requirements).expect("decodes");
    FitShape::new(&requirements).expect("readable")
}

fn node(name: &str, resources: &[(&str, &str)]) -> SlimNode {
    let mut node = SlimNode::new(name);
    node.ready = true;
    node.allocatable = ResourceList::parse(resources.iter().copied()).expect("quantities");
    node.capacity = node.allocatable.clone();
    node
}

fn labelled(mut node: SlimNode, labels: &[(&str, &str)]) -> SlimNode {
    node.labels =
        NodeLabelSet::from_pairs(labels.iter().map(|(k, v)| (intern_str(k), intern_str(v))));
    node
}

fn pod(name: &str, node: &str, requests: &[(&str, &str)], phase: PodPhase) -> SlimPod {
    let mut pod = SlimPod::new("shop", name);
    pod.node_name = Some(intern_str(node));
    pod.phase = phase;
    pod.requests = ResourceList::parse(requests.iter().copied()).expect("quantities");
    pod
}

fn index(nodes: Vec<SlimNode>, pods: Vec<SlimPod>) -> ClusterIndex {
    let mut index = ClusterIndex::new();
    for node in nodes {
        index.apply_node(node);
    }
    for pod in pods {
        index.apply_pod(pod);
    }
    index
}

const SMALL: &[(&str, &str)] = &[("cpu", "4"), ("memory", "16Gi"), ("pods", "110")];

#[test]
fn free_resources_divide_per_node_and_the_least_one_decides() {
    let web = shape(json!({"resourceRequest": {"cpu": "500m", "memory": "1Gi"}}));
    let members = index(
        vec![node("n1", SMALL), node("n2", SMALL)],
        vec![
            // n1: 3 of 4 cpu taken → 2 more by cpu, 14 by memory.
            pod(
                "a",
                "n1",
                &[("cpu", "3"), ("memory", "2Gi")],
                PodPhase::Running,
            ),
            // Terminated pods hold nothing.
            pod("done", "n2", &[("cpu", "4")], PodPhase::Succeeded),
        ],
    );
    assert_eq!(
        web.on_node(
            members.node("n1").unwrap(),
            members.node_stats("n1").map(|s| &s.allocated)
        ),
        2
    );
    assert_eq!(web.in_member(&members), 2 + 8);
}

#[test]
fn free_pod_slots_cap_every_node_and_zero_requests_count_only_them() {
    let tiny = &[("cpu", "64"), ("memory", "256Gi"), ("pods", "3")];
    let pods = vec![pod("a", "n1", &[], PodPhase::Running)];
    let members = index(vec![node("n1", tiny)], pods);
    let small = shape(json!({"resourceRequest": {"cpu": "10m"}}));
    assert_eq!(small.in_member(&members), 2, "3 slots, 1 used");
    let nothing = shape(json!({}));
    assert_eq!(nothing.in_member(&members), 2);
}

#[test]
fn an_extended_resource_counts_and_a_node_without_it_takes_none() {
    let gpu = &[
        ("cpu", "16"),
        ("memory", "64Gi"),
        ("pods", "110"),
        ("nvidia.com/gpu", "4"),
    ];
    let members = index(
        vec![node("gpu-1", gpu), node("cpu-1", SMALL)],
        vec![pod(
            "train",
            "gpu-1",
            &[("nvidia.com/gpu", "3")],
            PodPhase::Running,
        )],
    );
    let trainer = shape(json!({"resourceRequest": {"cpu": "1", "nvidia.com/gpu": "1"}}));
    assert_eq!(trainer.in_member(&members), 1);
}

#[test]
fn resources_the_estimators_do_not_count_are_ignored() {
    let members = index(vec![node("n1", SMALL)], vec![]);
    let odd = shape(json!({"resourceRequest": {"cpu": "1", "storage": "1Ti", "pods": "1"}}));
    assert_eq!(odd.in_member(&members), 4);
}

#[test]
fn not_ready_cordoned_and_tainted_nodes_take_none_unless_tolerated() {
    let mut down = node("down", SMALL);
    down.ready = false;
    let mut cordoned = node("cordoned", SMALL);
    cordoned.unschedulable = true;
    let mut tainted = node("tainted", SMALL);
    tainted.taints = vec![Taint {
        key: intern_str("dedicated"),
        value: intern_str("gpu"),
        effect: TaintEffect::NoSchedule,
    }];
    let mut preferred = node("preferred", SMALL);
    preferred.taints = vec![Taint {
        key: intern_str("spot"),
        value: intern_str(""),
        effect: TaintEffect::PreferNoSchedule,
    }];
    let members = index(vec![down, cordoned, tainted, preferred], vec![]);
    let plain = shape(json!({"resourceRequest": {"cpu": "1"}}));
    assert_eq!(
        plain.in_member(&members),
        4,
        "only the PreferNoSchedule node"
    );
    let tolerant = shape(
        json!({"resourceRequest": {"cpu": "1"}, "nodeClaim": {"tolerations": [
            {"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
            {"key": "node.kubernetes.io/unschedulable", "operator": "Exists"},
        ]}}),
    );
    assert_eq!(tolerant.in_member(&members), 12, "never the NotReady node");
    let wrong_value = shape(
        json!({"resourceRequest": {"cpu": "1"}, "nodeClaim": {"tolerations": [
            {"key": "dedicated", "value": "cpu"},
        ]}}),
    );
    assert_eq!(wrong_value.in_member(&members), 4);
    let everything = shape(
        json!({"resourceRequest": {"cpu": "1"}, "nodeClaim": {"tolerations": [
            {"operator": "Exists"},
        ]}}),
    );
    assert_eq!(everything.in_member(&members), 12);
}

#[test]
fn node_selector_and_required_affinity_select_nodes() {
    let nodes = vec![
        labelled(
            node("a", SMALL),
            &[("zone", "a"), ("disk", "ssd"), ("gen", "5")],
        ),
        labelled(
            node("b", SMALL),
            &[("zone", "b"), ("disk", "ssd"), ("gen", "3")],
        ),
        labelled(node("c", SMALL), &[("zone", "b")]),
    ];
    let members = index(nodes, vec![]);
    let fit = |claim: serde_json::Value| {
        shape(json!({"resourceRequest": {"cpu": "4"}, "nodeClaim": claim})).in_member(&members)
    };
    assert_eq!(fit(json!({"nodeSelector": {"disk": "ssd"}})), 2);
    assert_eq!(
        fit(json!({"nodeSelector": {"disk": "ssd", "zone": "b"}})),
        1
    );
    let affinity =
        |terms: serde_json::Value| fit(json!({"hardNodeAffinity": {"nodeSelectorTerms": terms}}));
    assert_eq!(
        affinity(
            json!([{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}])
        ),
        2
    );
    assert_eq!(
        affinity(
            json!([{"matchExpressions": [{"key": "disk", "operator": "NotIn", "values": ["ssd"]}]}])
        ),
        1
    );
    assert_eq!(
        affinity(json!([{"matchExpressions": [{"key": "disk", "operator": "DoesNotExist"}]}])),
        1
    );
    assert_eq!(
        affinity(
            json!([{"matchExpressions": [{"key": "gen", "operator": "Gt", "values": ["4"]}]}])
        ),
        1
    );
    // Terms are ORed, requirements within one ANDed.
    assert_eq!(
        affinity(json!([
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}, {"key": "disk", "operator": "Exists"}]},
        ])),
        2
    );
    assert_eq!(
        affinity(
            json!([{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["c"]}]}])
        ),
        1
    );
    // An empty term matches nothing; a malformed requirement makes nothing match.
    assert_eq!(affinity(json!([{}])), 0);
    let broken = shape(
        json!({"nodeClaim": {"hardNodeAffinity": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "gen", "operator": "Gt", "values": ["many"]}]},
        ]}}}),
    );
    assert_eq!(broken.in_member(&members), 0);
    assert!(
        broken.problem().unwrap().contains("not an integer"),
        "{:?}",
        broken.problem()
    );
}

#[test]
fn unreadable_requests_are_an_error_naming_the_request() {
    let requirements: ReplicaRequirements =
        serde_json::from_value(json!({"resourceRequest": {"cpu": "1x"}})).unwrap();
    let error = FitShape::new(&requirements).unwrap_err();
    assert!(error.contains("resourceRequest[cpu]"), "{error}");
}

#[test]
fn the_general_estimate_divides_the_members_free_summary() {
    let summary: ResourceSummary = serde_json::from_value(json!({
        "allocatable": {"cpu": "10", "memory": "40Gi", "pods": "330"},
        "allocated": {"cpu": "6", "memory": "8Gi", "pods": "20"},
        "allocating": {"cpu": "1", "pods": "2"},
    }))
    .unwrap();
    let web = shape(json!({"resourceRequest": {"cpu": "500m", "memory": "1Gi"}}));
    assert_eq!(web.in_summary(&summary), 6, "3 cpu free / 500m");
    let gpu = shape(json!({"resourceRequest": {"nvidia.com/gpu": "1"}}));
    assert_eq!(gpu.in_summary(&summary), 0, "the member has no GPU");
    assert_eq!(shape(json!({})).in_summary(&summary), 308, "free pod slots");
}

/// A small deterministic generator (the cache test needs no shrinking: a failure prints the
/// step and the seed reproduces it).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn the_cache_equals_a_full_recount_through_any_sequence_of_changes() {
    use super::FitCache;
    let shapes = [
        shape(json!({"resourceRequest": {"cpu": "500m", "memory": "1Gi"}})),
        shape(
            json!({"resourceRequest": {"cpu": "2"}, "nodeClaim": {"nodeSelector": {"pool": "a"}}}),
        ),
        shape(json!({"nodeClaim": {"tolerations": [{"key": "dedicated", "operator": "Exists"}]}})),
    ];
    for seed in 0..20u64 {
        let mut rng = Lcg(seed);
        let mut index = ClusterIndex::new();
        let mut cache = FitCache::default();
        for step in 0..600 {
            let node_name = format!("n{}", rng.below(12));
            match rng.below(10) {
                0 => {
                    index.delete_node_named(&node_name);
                }
                1..=2 => {
                    let pods = ["3", "8", "110"][rng.below(3) as usize];
                    let mut n = node(
                        &node_name,
                        &[("cpu", "8"), ("memory", "32Gi"), ("pods", pods)],
                    );
                    n.ready = rng.below(5) > 0;
                    n.unschedulable = rng.below(6) == 0;
                    if rng.below(4) == 0 {
                        n.taints = vec![Taint {
                            key: intern_str("dedicated"),
                            value: intern_str("x"),
                            effect: TaintEffect::NoSchedule,
                        }];
                    }
                    let pool = if rng.below(2) == 0 { "a" } else { "b" };
                    index.apply_node(labelled(n, &[("pool", pool)]));
                }
                3..=4 => {
                    index.delete_pod_named("shop", &format!("p{}", rng.below(40)));
                }
                _ => {
                    let phase = [PodPhase::Running, PodPhase::Pending, PodPhase::Succeeded]
                        [rng.below(3) as usize];
                    let cpu = ["100m", "1", "3"][rng.below(3) as usize];
                    let p = pod(
                        &format!("p{}", rng.below(40)),
                        &node_name,
                        &[("cpu", cpu), ("memory", "1Gi")],
                        phase,
                    );
                    index.apply_pod(p);
                }
            }
            if rng.below(7) == 0 {
                let shape = &shapes[rng.below(3) as usize];
                assert_eq!(
                    cache.fit(&index, shape),
                    shape.in_member(&index),
                    "seed {seed}, step {step}"
                );
            }
        }
        for shape in &shapes {
            assert_eq!(
                cache.fit(&index, shape),
                shape.in_member(&index),
                "seed {seed}, end"
            );
        }
    }
}

#[test]
fn a_shape_that_fell_behind_the_log_starts_over() {
    use super::FitCache;
    let web = shape(json!({"resourceRequest": {"cpu": "100m"}}));
    let mut index = index(vec![node("n1", SMALL), node("n2", SMALL)], vec![]);
    let mut cache = FitCache::default();
    assert_eq!(cache.fit(&index, &web), 80);
    for i in 0..5000 {
        let on = if i % 2 == 0 { "n1" } else { "n2" };
        index.apply_pod(pod(
            &format!("p{}", i % 30),
            on,
            &[("cpu", "100m")],
            PodPhase::Running,
        ));
    }
    assert_eq!(cache.fit(&index, &web), web.in_member(&index));
    assert_eq!(cache.fit(&index, &web), 50, "30 pods of 100m on 8 cpu");
}

/// A Cluster with Karmada's first four default resource models (cpu 0/1/2/4, memory
/// 0/4/16/32 GiB lower bounds), `counts` nodes per grade, and `summary`.
fn modelled_cluster(counts: [i64; 4], summary: serde_json::Value) -> karmada_types::Cluster {
    let bounds = [("0", "0"), ("1", "4Gi"), ("2", "16Gi"), ("4", "32Gi")];
    let models: Vec<serde_json::Value> = bounds
        .iter()
        .enumerate()
        .map(|(grade, (cpu, memory))| {
            json!({"grade": grade, "ranges": [
                {"name": "cpu", "min": cpu, "max": "1000"},
                {"name": "memory", "min": memory, "max": "1Ti"},
            ]})
        })
        .collect();
    let mut summary = summary;
    summary["allocatableModelings"] = counts
        .iter()
        .enumerate()
        .map(|(grade, count)| json!({"grade": grade, "count": count}))
        .collect();
    serde_json::from_value(json!({
        "metadata": {"name": "m1"},
        "spec": {"resourceModels": models},
        "status": {"resourceSummary": summary},
    }))
    .unwrap()
}

#[test]
fn the_general_estimate_counts_nodes_per_resource_model_grade() {
    let summary = json!({
        "allocatable": {"cpu": "12", "memory": "48Gi", "pods": "330"},
        "allocated": {"cpu": "1", "memory": "1Gi", "pods": "4"},
    });
    let m1 = modelled_cluster([0, 3, 0, 0], summary.clone());
    let web = shape(json!({"resourceRequest": {"cpu": "500m", "memory": "1Gi"}}));
    // Grade 1 is the first whose bounds (1 cpu, 4Gi) cover the request; each of its 3 nodes is
    // taken to hold min(1000m / 500m, 4Gi / 1Gi) = 2. The summary alone would say 22.
    assert_eq!(web.in_cluster(&m1), Some(6));
    assert_eq!(
        web.in_summary(m1.status.resource_summary.as_ref().unwrap()),
        22
    );
    // 1.5 cpu needs grade 2 at least: no node there.
    let big = shape(json!({"resourceRequest": {"cpu": "1500m"}}));
    assert_eq!(big.in_cluster(&m1), Some(0));
    // Larger than every grade: none.
    let huge = shape(json!({"resourceRequest": {"cpu": "100"}}));
    assert_eq!(huge.in_cluster(&m1), Some(0));
    // A resource the models lack: Karmada falls back to the summary (no GPU there: 0).
    let gpu = shape(json!({"resourceRequest": {"cpu": "100m", "nvidia.com/gpu": "1"}}));
    assert_eq!(gpu.in_cluster(&m1), Some(0));
    // Without requirements only the pod slots count.
    assert_eq!(FitShape::default().in_cluster(&m1), Some(326));
    // Without modelings (the feature off, or not collected yet): the summary.
    let mut plain = m1.clone();
    if let Some(s) = plain.status.resource_summary.as_mut() {
        s.allocatable_modelings.clear();
    }
    assert_eq!(web.in_cluster(&plain), Some(22));
    // No summary at all: nothing is known.
    assert_eq!(web.in_cluster(&karmada_types::Cluster::default()), None);
}

#[test]
fn without_positive_requests_the_general_estimate_wraps_as_karmadas_does() {
    let summary = json!({"allocatable": {"cpu": "12", "pods": "110"}});
    let selector_only = shape(json!({"nodeClaim": {"nodeSelector": {"disk": "ssd"}}}));
    // One node: i64::MAX replicas, capped by the pod slots.
    let one = modelled_cluster([1, 0, 0, 0], summary.clone());
    assert_eq!(selector_only.in_cluster(&one), Some(110));
    // Two nodes: 2 × i64::MAX wraps to −2 in Karmada's int64 sum, which is no room.
    let two = modelled_cluster([2, 0, 0, 0], summary);
    assert_eq!(selector_only.in_cluster(&two), Some(0));
}

mod headroom;
