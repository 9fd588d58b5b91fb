//! Without init containers, the resource figures must equal what Karmada's cluster status
//! controller puts in `Cluster.status.resourceSummary`:
//!
//! - allocatable = Σ `node.status.allocatable` over all nodes;
//! - allocated = Σ over pods with `spec.nodeName` set and phase not Succeeded/Failed of the
//!   containers' requests + `spec.overhead`, and `pods` = the number of such pods;
//! - allocating = the same over pods without a node.
//!
//! Karmada's computation is re-implemented here directly on the raw JSON, independently of the
//! crate's decoding and index.

// Fixture helpers outside #[test] functions panic on bad fixtures by design.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;

use karmada_manager_core::{
    Amount, ClusterInsightOptions, MemberEvent, MemberIndex, SlimNode, SlimPod, WatcherEvent,
    member_figures,
};
use karmada_types::Cluster;
use serde_json::{Value, json};

type Sums = BTreeMap<String, Amount>;

fn add(sums: &mut Sums, list: &Value) {
    for (name, quantity) in list.as_object().into_iter().flatten() {
        let amount = Amount::parse(quantity.as_str().expect("string")).expect("quantity");
        let sum = sums.entry(name.clone()).or_default();
        *sum = sum.saturating_add(amount);
    }
}

/// Karmada's `getAllocatableResource` / `getAllocatedResource` / `getAllocatingResource`.
fn karmada_summary(nodes: &[Value], pods: &[Value]) -> (Sums, Sums, Sums) {
    let mut allocatable = Sums::new();
    for node in nodes {
        add(&mut allocatable, &node["status"]["allocatable"]);
    }
    let (mut allocated, mut allocating) = (Sums::new(), Sums::new());
    let (mut allocated_pods, mut allocating_pods) = (0, 0);
    for pod in pods {
        let phase = pod["status"]["phase"].as_str().unwrap_or_default();
        if phase == "Succeeded" || phase == "Failed" {
            continue;
        }
        let bound = pod["spec"]["nodeName"]
            .as_str()
            .is_some_and(|n| !n.is_empty());
        let (sums, count) = if bound {
            (&mut allocated, &mut allocated_pods)
        } else {
            (&mut allocating, &mut allocating_pods)
        };
        for container in pod["spec"]["containers"].as_array().into_iter().flatten() {
            add(sums, &container["resources"]["requests"]);
        }
        add(sums, &pod["spec"]["overhead"]);
        *count += 1;
    }
    allocated.insert("pods".into(), Amount::from_units(allocated_pods));
    allocating.insert("pods".into(), Amount::from_units(allocating_pods));
    (allocatable, allocated, allocating)
}

/// A small deterministic generator (the crate's own is private to its unit tests).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound
    }
}

fn world(seed: u64) -> (Vec<Value>, Vec<Value>) {
    let mut rng = Lcg(seed);
    let nodes: Vec<Value> = (0..12)
        .map(|i| {
            let cpu = ["3920m", "7910m", "15890m", "4"][i % 4];
            let memory = ["15Gi", "61810180Ki", "128000Mi", "16G"][i % 4];
            let ready = if i == 5 { "False" } else { "True" };
            let mut allocatable = json!({
                "cpu": cpu,
                "memory": memory,
                "pods": "110",
                "ephemeral-storage": "93478772582",
            });
            if i % 3 == 0 {
                allocatable["nvidia.com/gpu"] = json!("4");
            }
            json!({"metadata": {"name": format!("node-{i}")}, "status": {"allocatable": allocatable,
                   "conditions": [{"type": "Ready", "status": ready}]}})
        })
        .collect();
    let cpus = ["100m", "250m", "0.5", "1", "1500m", "2"];
    let memories = ["64Mi", "128Mi", "0.5Gi", "1Gi", "1G", "300M"];
    let phases = [
        "Running",
        "Running",
        "Running",
        "Pending",
        "Succeeded",
        "Failed",
        "Unknown",
    ];
    let pods: Vec<Value> = (0..400)
        .map(|i| {
            let containers: Vec<Value> = (0..1 + rng.next(3))
                .map(|c| {
                    let mut requests = json!({
                        "cpu": cpus[rng.next(6) as usize],
                        "memory": memories[rng.next(6) as usize],
                    });
                    if rng.next(10) == 0 {
                        requests["nvidia.com/gpu"] = json!("1");
                    }
                    if rng.next(8) == 0 {
                        requests["ephemeral-storage"] = json!("2Gi");
                    }
                    json!({"name": format!("c{c}"), "resources": {"requests": requests, "limits": {"cpu": "8"}}})
                })
                .collect();
            let mut phase = phases[rng.next(7) as usize];
            let node = rng.next(12);
            let bound = rng.next(10) != 0;
            if !bound && (phase == "Succeeded" || phase == "Failed") {
                // Karmada counts finished unbound pods as allocating; the operator does not (they
                // will never be placed). Such pods do not occur in practice; keep them out.
                phase = "Pending";
            }
            let mut spec = json!({"containers": containers});
            if bound {
                spec["nodeName"] = json!(format!("node-{node}"));
            }
            if rng.next(5) == 0 {
                spec["overhead"] = json!({"cpu": "250m", "memory": "160Mi"});
            }
            json!({"metadata": {"name": format!("pod-{i}"), "namespace": format!("ns-{}", i % 7)},
                   "spec": spec, "status": {"phase": phase}})
        })
        .collect();
    (nodes, pods)
}

#[test]
fn figures_equal_karmadas_resource_summary_without_init_containers() {
    for seed in [7, 8, 9] {
        let (nodes, pods) = world(seed);
        let mut member = MemberIndex::new();
        for node in &nodes {
            let node = serde_json::from_value::<SlimNode>(node.clone()).expect("node");
            member.apply_event(MemberEvent::Node(WatcherEvent::Apply(node)));
        }
        for pod in &pods {
            let pod = serde_json::from_value::<SlimPod>(pod.clone()).expect("pod");
            member.apply_event(MemberEvent::Pod(WatcherEvent::Apply(pod)));
        }
        let index = member.cluster;
        let cluster: Cluster =
            serde_json::from_value(json!({"metadata": {"name": "m"}})).expect("cluster");
        let status = member_figures(&index, &cluster, &ClusterInsightOptions::default()).status;

        let (allocatable, allocated, allocating) = karmada_summary(&nodes, &pods);
        let figure = |name: &str,
                      pick: fn(
            &karmada_manager_api::ResourceFigures,
        )
            -> &k8s_openapi::apimachinery::pkg::api::resource::Quantity| {
            status
                .resources
                .get(name)
                .map(|r| Amount::from_quantity(pick(r)).expect("our quantity parses"))
                .unwrap_or_default()
        };
        let names: std::collections::BTreeSet<&String> = allocatable
            .keys()
            .chain(allocated.keys())
            .chain(allocating.keys())
            .collect();
        for name in names {
            let expect = |sums: &Sums| sums.get(name).copied().unwrap_or_default();
            assert_eq!(
                figure(name, |r| &r.allocatable),
                expect(&allocatable),
                "seed {seed} allocatable {name}"
            );
            assert_eq!(
                figure(name, |r| &r.allocated),
                expect(&allocated),
                "seed {seed} allocated {name}"
            );
            assert_eq!(
                figure(name, |r| &r.allocating),
                expect(&allocating),
                "seed {seed} allocating {name}"
            );
        }
        assert!(allocated["pods"] > Amount::ZERO && allocating["pods"] > Amount::ZERO);
    }
}
