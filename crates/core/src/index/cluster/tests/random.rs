//! The incremental figures must always equal a from-scratch recomputation over the objects the
//! index should hold, after every event of a random sequence.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::super::*;
use crate::hashing::{Map, Set};
use crate::interner::intern_str;
use crate::keys::WorkloadKey;
use crate::projection::{
    ControllerRef, PodPhase, ResourceEntry, ResourceList, SlimPod, intern_controller,
};
use crate::quantity::{Amount, Sign};
use crate::test_support::Rng;

/// The figures computed directly from the objects, as the builders' definition reads.
fn recompute<'a>(
    nodes: impl IntoIterator<Item = &'a SlimNode>,
    pods: impl IntoIterator<Item = &'a SlimPod>,
) -> (ClusterFigures, HashMap<Arc<str>, NodeStats>) {
    let mut f = ClusterFigures::default();
    for n in nodes {
        f.nodes.total += 1;
        f.nodes.ready += i64::from(n.ready);
        f.nodes.unschedulable += i64::from(n.unschedulable);
        f.nodes.memory_pressure += i64::from(n.memory_pressure);
        f.nodes.disk_pressure += i64::from(n.disk_pressure);
        f.nodes.pid_pressure += i64::from(n.pid_pressure);
        f.nodes.network_unavailable += i64::from(n.network_unavailable);
        f.capacity.apply_list(&n.capacity, Sign::Add);
        f.allocatable.apply_list(&n.allocatable, Sign::Add);
    }
    let one_pod = ResourceEntry {
        name: intern_str("pods"),
        amount: Amount::from_units(1),
    };
    let mut stats: HashMap<Arc<str>, NodeStats> = HashMap::new();
    for p in pods {
        let restarts = p.restarts.clamp(0, i64::from(u32::MAX));
        f.pods.total += 1;
        match p.phase {
            PodPhase::Running => f.pods.running += 1,
            PodPhase::Pending => f.pods.pending += 1,
            PodPhase::Succeeded => f.pods.succeeded += 1,
            PodPhase::Failed => f.pods.failed += 1,
            PodPhase::Unknown => f.pods.unknown += 1,
        }
        f.pods.not_ready += i64::from(p.phase == PodPhase::Running && !p.ready);
        f.pods.restarts += restarts;
        f.pods.crash_looping += i64::from(p.crash_looping);
        let active = !matches!(p.phase, PodPhase::Succeeded | PodPhase::Failed);
        match &p.node_name {
            None if active => {
                f.allocating.apply_list(&p.requests, Sign::Add);
                f.allocating.apply_entry(&one_pod, Sign::Add);
            }
            None => {}
            Some(node) => {
                let s = stats.entry(Arc::clone(node)).or_default();
                s.pods += 1;
                s.running += i64::from(p.phase == PodPhase::Running);
                s.pending += i64::from(p.phase == PodPhase::Pending);
                s.failed += i64::from(p.phase == PodPhase::Failed);
                s.restarts += restarts;
                if active {
                    f.allocated.apply_list(&p.requests, Sign::Add);
                    f.allocated.apply_entry(&one_pod, Sign::Add);
                    s.allocated.apply_list(&p.requests, Sign::Add);
                    s.allocated.apply_entry(&one_pod, Sign::Add);
                }
            }
        }
    }
    (f, stats)
}

fn assert_consistent(
    index: &ClusterIndex,
    nodes: &BTreeMap<String, SlimNode>,
    pods: &BTreeMap<(String, String), SlimPod>,
    context: &str,
) {
    let (figures, stats) = recompute(nodes.values(), pods.values());
    assert_eq!(index.figures(), &figures, "{context}");
    let actual: HashMap<Arc<str>, NodeStats> = index
        .all_node_stats()
        .map(|(name, s)| (Arc::clone(name), s.clone()))
        .collect();
    assert_eq!(actual, stats, "{context}");
    assert_eq!(index.node_count(), nodes.len(), "{context}");
    assert_eq!(index.pod_count(), pods.len(), "{context}");
    assert_eq!(index.pods().count(), pods.len(), "{context}");
    for ((ns, name), p) in pods {
        let stored = index.pod(ns, name).expect(context);
        assert_eq!(stored.node_name, p.node_name, "{context}");
        assert_eq!(stored.requests, p.requests, "{context}");
    }
    for (name, n) in nodes {
        let kept = n.clone().without_metadata();
        assert_eq!(index.node(name), Some(&kept), "{context}");
    }
    // Pods grouped by controller: exactly the pods that name it, nothing left behind.
    let mut groups: Map<WorkloadKey, Set<Arc<str>>> = Map::default();
    for ((ns, name), p) in pods {
        if let Some(controller) = &p.controller {
            let key = WorkloadKey::of_controller(&intern_str(ns), controller);
            groups
                .entry(key)
                .or_default()
                .insert(Arc::from(name.as_str()));
        }
    }
    assert_eq!(index.by_controller.groups(), &groups, "{context}");
    for (key, names) in &groups {
        let found: Set<Arc<str>> = index
            .pods_of_controller(key)
            .map(|(name, _)| Arc::clone(name))
            .collect();
        assert_eq!(&found, names, "{context}");
    }
}

const RESOURCES: [&str; 5] = [
    "cpu",
    "memory",
    "pods",
    "nvidia.com/gpu",
    "ephemeral-storage",
];

fn random_list(rng: &mut Rng) -> ResourceList {
    let count = rng.index(4);
    let pairs: Vec<(&str, Amount)> = (0..count)
        .map(|_| {
            let amount = if rng.chance(1, 50) {
                Amount::from_milli(i128::MAX / 3)
            } else {
                Amount::from_milli(i128::from(rng.below(5_000_000)))
            };
            (*rng.pick(&RESOURCES), amount)
        })
        .collect();
    ResourceList::from_pairs(pairs)
}

fn random_node(rng: &mut Rng) -> SlimNode {
    let mut node = SlimNode::new(&format!("node-{}", rng.below(8)));
    node.ready = rng.chance(3, 4);
    node.unschedulable = rng.chance(1, 5);
    node.memory_pressure = rng.chance(1, 6);
    node.disk_pressure = rng.chance(1, 6);
    node.pid_pressure = rng.chance(1, 6);
    node.network_unavailable = rng.chance(1, 8);
    node.capacity = random_list(rng);
    node.allocatable = random_list(rng);
    node
}

fn random_pod(rng: &mut Rng) -> SlimPod {
    let namespace = format!("ns-{}", rng.below(3));
    let mut pod = SlimPod::new(&namespace, &format!("pod-{}", rng.below(40)));
    pod.node_name = match rng.below(10) {
        0..=2 => None,
        3 => Some(intern_str("ghost-node")),
        n => Some(intern_str(&format!("node-{}", n % 8))),
    };
    pod.phase = *rng.pick(&[
        PodPhase::Pending,
        PodPhase::Running,
        PodPhase::Running,
        PodPhase::Succeeded,
        PodPhase::Failed,
        PodPhase::Unknown,
    ]);
    pod.ready = rng.chance(1, 2);
    pod.restarts = rng.below(6) as i64 - 1;
    pod.crash_looping = rng.chance(1, 8);
    pod.requests = random_list(rng);
    if rng.chance(1, 2) {
        pod.controller = Some(intern_controller(ControllerRef {
            api_version: intern_str("apps/v1"),
            kind: intern_str("ReplicaSet"),
            name: Arc::from(format!("rs-{}", rng.below(3))),
            uid: Arc::from("uid"),
        }));
    }
    pod
}

fn key(pod: &SlimPod) -> (String, String) {
    (pod.namespace().to_string(), pod.name().to_owned())
}

/// One random event (or a whole relist), applied to both the index and the model.
fn step(
    rng: &mut Rng,
    index: &mut ClusterIndex,
    nodes: &mut BTreeMap<String, SlimNode>,
    pods: &mut BTreeMap<(String, String), SlimPod>,
) -> &'static str {
    match rng.below(20) {
        0..=3 => {
            let node = random_node(rng);
            nodes.insert(node.name().to_string(), node.clone());
            index.apply_node(node);
            "apply node"
        }
        4 => {
            let name = format!("node-{}", rng.below(8));
            assert_eq!(
                index.delete_node_named(&name),
                nodes.remove(&name).is_some()
            );
            "delete node"
        }
        5..=12 => {
            let pod = random_pod(rng);
            pods.insert(key(&pod), pod.clone());
            index.apply_pod(pod);
            "apply pod"
        }
        13..=16 => {
            let pod = random_pod(rng);
            let existed = pods.remove(&key(&pod)).is_some();
            assert_eq!(index.delete_pod(&pod), existed);
            "delete pod"
        }
        17 => {
            index.begin_resync_nodes();
            let mut listed = BTreeMap::new();
            for _ in 0..rng.below(8) {
                let node = random_node(rng);
                listed.insert(node.name().to_string(), node.clone());
                index.apply_node(node);
            }
            let removed = index.end_resync_nodes();
            let expected = nodes.keys().filter(|k| !listed.contains_key(*k)).count();
            assert_eq!(removed, expected);
            *nodes = listed;
            "relist nodes"
        }
        _ => {
            index.begin_resync_pods();
            let mut listed = BTreeMap::new();
            // Mostly the pods we have (some changed), plus a few new ones.
            for (k, p) in pods.iter() {
                if rng.chance(4, 5) {
                    let mut p = p.clone();
                    if rng.chance(1, 4) {
                        p.phase = PodPhase::Running;
                        p.ready = !p.ready;
                    }
                    listed.insert(k.clone(), p);
                }
            }
            for _ in 0..rng.below(5) {
                let pod = random_pod(rng);
                listed.insert(key(&pod), pod);
            }
            for pod in listed.values() {
                index.apply_pod(pod.clone());
            }
            let removed = index.end_resync_pods();
            assert_eq!(
                removed,
                pods.keys().filter(|k| !listed.contains_key(*k)).count()
            );
            *pods = listed;
            "relist pods"
        }
    }
}

#[test]
fn random_event_sequences_match_a_recomputation_after_every_step() {
    for seed in [1u64, 2, 3, 0xdead_beef] {
        let mut rng = Rng::new(seed);
        let mut index = ClusterIndex::new();
        let mut nodes = BTreeMap::new();
        let mut pods = BTreeMap::new();
        for i in 0..2_500 {
            let what = step(&mut rng, &mut index, &mut nodes, &mut pods);
            assert_consistent(
                &index,
                &nodes,
                &pods,
                &format!("seed {seed} step {i}: {what}"),
            );
        }
        // Tear down: everything back to zero, nothing left listed.
        for name in nodes.keys() {
            index.delete_node_named(name);
        }
        for (ns, name) in pods.keys() {
            index.delete_pod_named(ns, name);
        }
        assert_eq!(index.figures(), &ClusterFigures::default());
        assert_eq!(index.all_node_stats().count(), 0);
        assert!(index.by_controller.groups().is_empty());
    }
}
