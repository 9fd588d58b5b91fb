//! The fleet's ClusterInsights, built by the operator's own code: each member is a synthetic
//! index of nodes and pods (`SlimNode`/`SlimPod`, what the member watches decode) fed through
//! `MemberIndex::apply_event`, then `cluster_insight_status` with the operator's default options
//! (200 node details, 512 KiB guard) and `stamp_status`. So the node list of the 5,000-node
//! member is capped, ordered (problem nodes first) and counted exactly as the operator writes
//! it, and every figure on a page is one the operator could have written.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use karmada_manager_api::conditions::reasons;
use karmada_manager_api::{ClusterInsightStatus, InsightSource};
use karmada_manager_core::projection::NodeLabelSet;
use karmada_manager_core::{
    Amount, ClusterInsightInputs, ClusterInsightOptions, MemberEvent, MemberFailure, MemberHealth,
    MemberIndex, MemberView, NodeUsage, PodPhase, ResourceList, SlimNode, SlimPod, WatcherEvent,
    cluster_insight_status, stamp_status,
};
use karmada_types::Cluster;
use prop_json::Rng;
use serde_json::json;

const REGIONS: &[&str] = &["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"];
/// The operator's default `--unreachable-grace`.
const UNREACHABLE_GRACE: Duration = Duration::from_secs(30);

/// A node type: name, allocatable cpu (millicores), memory (KiB), GPUs.
struct Instance {
    name: &'static str,
    cpu_milli: i64,
    memory_kib: i64,
    gpus: u32,
}

const GENERAL: Instance = Instance {
    name: "m6i.4xlarge",
    cpu_milli: 15_890,
    memory_kib: 63_734_340,
    gpus: 0,
};
const GPU: Instance = Instance {
    name: "g5.12xlarge",
    cpu_milli: 47_810,
    memory_kib: 192_000_000,
    gpus: 4,
};

/// One member of the fleet, as planned.
#[derive(Clone, Debug)]
pub struct Member {
    pub index: usize,
    pub name: String,
    pub nodes: usize,
    /// Pods per node, on average.
    pods_per_node: u64,
    /// How full its nodes are, in percent of cpu and memory requested.
    fill: u64,
    /// One node in eight is a GPU node.
    gpu: bool,
    /// Unreachable for ten minutes: Ready False, last figures kept.
    reachable: bool,
    /// Serves metrics.k8s.io (usage marks on the bars).
    metrics: bool,
}

pub fn name(index: usize) -> String {
    format!("member-{index:04}")
}

/// `ip-10-<a>-<b>-<c>.<region>.compute.internal`, as EC2 names nodes (names are long, and the
/// pages carry them).
pub fn node_name(member: usize, node: usize) -> String {
    let region = REGIONS[member % REGIONS.len()];
    format!(
        "ip-10-{}-{}-{}.{region}.compute.internal",
        member % 256,
        (node / 250) % 256,
        node % 250 + 4
    )
}

/// The fleet: member 0 has `big_nodes` nodes; the others have 3–500, log-uniform (a median of
/// about 40: a fleet of a thousand clusters is mostly small ones, with a long tail of large
/// ones; the 18% above 200 nodes list the operator's full 200). 8–29 pods a node.
pub fn plan(clusters: usize, big_nodes: usize, seed: u64) -> Vec<Member> {
    (0..clusters)
        .map(|index| {
            let mut rng = Rng::derive(seed, index as u64);
            let unit = rng.below(1_000_000) as f64 / 1e6;
            let nodes = if index == 0 {
                big_nodes
            } else {
                (3.0 * (500.0f64 / 3.0).powf(unit)).round() as usize
            };
            Member {
                index,
                name: name(index),
                nodes,
                pods_per_node: rng.range(8, 25),
                fill: rng.range(20, 92),
                gpu: rng.per_mille(200),
                reachable: index == 0 || !rng.per_mille(20),
                metrics: rng.per_mille(800),
            }
        })
        .collect()
}

/// The Karmada `Cluster` of `member`, as the hub would have it.
pub fn karmada_cluster(index: usize) -> Result<Cluster> {
    let region = REGIONS[index % REGIONS.len()];
    serde_json::from_value(json!({
        "apiVersion": "cluster.karmada.io/v1alpha1",
        "kind": "Cluster",
        "metadata": {"name": name(index)},
        "spec": {
            "syncMode": "Push", "apiEndpoint": format!("https://{}.example.com:6443", name(index)),
            "provider": "aws", "region": region,
            "zones": [format!("{region}a"), format!("{region}b"), format!("{region}c")]
        },
        "status": {
            "kubernetesVersion": "v1.35.0-eks-aeac579",
            "conditions": [{"type": "Ready", "status": "True", "reason": "ClusterReady"}]
        }
    }))
    .context("the benchmark's Cluster fixture")
}

/// The status the operator would write for `member`.
pub fn insight(member: &Member, seed: u64, now: &Time) -> Result<ClusterInsightStatus> {
    let mut rng = Rng::derive(seed ^ 0xDA5B_0A2D, member.index as u64);
    let nodes: Vec<SlimNode> = (0..member.nodes)
        .map(|i| node(member, i, &mut rng))
        .collect::<Result<_>>()?;
    let mut index = MemberIndex::new();
    index.apply_event(MemberEvent::Node(WatcherEvent::Init));
    for node in &nodes {
        index.apply_event(MemberEvent::Node(WatcherEvent::InitApply(node.clone())));
    }
    index.apply_event(MemberEvent::Node(WatcherEvent::InitDone));
    index.apply_event(MemberEvent::Pod(WatcherEvent::Init));
    let requests = Requests::of(member)?;
    for node in &nodes {
        for pod in pods(member, node, &requests, &mut rng) {
            index.apply_event(MemberEvent::Pod(WatcherEvent::InitApply(pod)));
        }
    }
    index.apply_event(MemberEvent::Pod(WatcherEvent::InitDone));

    let cluster = karmada_cluster(member.index)?;
    let metrics = member.metrics.then(|| usage(member, &nodes, &mut rng));
    let failure = (!member.reachable).then(|| MemberFailure {
        reason: reasons::MEMBER_UNREACHABLE,
        message: format!("{}: connection timed out", endpoint(member)),
        age: Duration::from_secs(600),
        stalled: false,
    });
    let endpoint = endpoint(member);
    let inputs = ClusterInsightInputs {
        cluster: &cluster,
        member: MemberView::Watched {
            index: &index.cluster,
            health: MemberHealth {
                failure: failure.as_ref(),
                listed: true,
                waiting_for_turn: false,
            },
            source: InsightSource::Direct,
            endpoint: &endpoint,
            metrics: metrics.as_deref(),
            metrics_stale: failure.is_some(),
        },
        scheduled: Default::default(),
        unreachable_grace: UNREACHABLE_GRACE,
    };
    let build = cluster_insight_status(&inputs, &ClusterInsightOptions::default());
    Ok(stamp_status(
        build.status,
        None,
        build.conditions,
        Some(1),
        now,
    ))
}

fn endpoint(member: &Member) -> String {
    format!("https://{}.example.com:6443", member.name)
}

/// About 1% of nodes NotReady, 0.5% under pressure, 0.5% cordoned: a few problem nodes per
/// hundred, which the operator lists first.
fn node(member: &Member, i: usize, rng: &mut Rng) -> Result<SlimNode> {
    let instance = instance(member, i);
    let mut node = SlimNode::new(&node_name(member.index, i));
    let roll = rng.below(1000);
    node.ready = roll >= 10;
    node.memory_pressure = (10..13).contains(&roll);
    node.disk_pressure = (13..15).contains(&roll);
    node.unschedulable = (15..20).contains(&roll);
    let region = REGIONS[member.index % REGIONS.len()];
    let zone: Arc<str> = Arc::from(format!("{region}{}", ["a", "b", "c"][i % 3]));
    let itype: Arc<str> = Arc::from(instance.name);
    node.labels = NodeLabelSet::from_pairs([
        (Arc::from("node.kubernetes.io/instance-type"), itype.clone()),
        (Arc::from("topology.kubernetes.io/zone"), zone.clone()),
    ]);
    node.zone = Some(zone);
    node.instance_type = Some(itype);
    node.kubelet_version = Some(Arc::from("v1.35.0-eks-aeac579"));
    let cpu = format!("{}m", instance.cpu_milli);
    let memory = format!("{}Ki", instance.memory_kib);
    let gpus = instance.gpus.to_string();
    let mut resources = vec![
        ("cpu", cpu.as_str()),
        ("memory", memory.as_str()),
        ("pods", "110"),
    ];
    if instance.gpus > 0 {
        resources.push(("nvidia.com/gpu", gpus.as_str()));
    }
    node.allocatable = ResourceList::parse(resources.iter().copied())?;
    node.capacity = node.allocatable.clone();
    Ok(node)
}

fn instance(member: &Member, i: usize) -> &'static Instance {
    if member.gpu && i % 8 == 7 {
        &GPU
    } else {
        &GENERAL
    }
}

/// The few request shapes of a member's pods, sized so that its nodes are `fill`% requested.
struct Requests {
    general: Vec<ResourceList>,
    gpu: Vec<ResourceList>,
}

impl Requests {
    fn of(member: &Member) -> Result<Requests> {
        let shapes = |instance: &Instance, gpu: bool| -> Result<Vec<ResourceList>> {
            let per_pod =
                |total: i64| total * member.fill as i64 / 100 / member.pods_per_node as i64;
            [1, 2, 3]
                .iter()
                .map(|scale| {
                    let cpu = format!("{}m", per_pod(instance.cpu_milli) * scale / 2);
                    let memory = format!("{}Ki", per_pod(instance.memory_kib) * scale / 2);
                    let mut pairs = vec![("cpu", cpu.as_str()), ("memory", memory.as_str())];
                    if gpu {
                        pairs.push(("nvidia.com/gpu", "1"));
                    }
                    Ok(ResourceList::parse(pairs.iter().copied())?)
                })
                .collect()
        };
        Ok(Requests {
            general: shapes(&GENERAL, false)?,
            gpu: shapes(&GPU, true)?,
        })
    }
}

/// A node's pods: mostly running and ready; a few pending, finished, failed, not ready or
/// restarting. On a GPU node, its first pods take one GPU each.
fn pods(member: &Member, node: &SlimNode, requests: &Requests, rng: &mut Rng) -> Vec<SlimPod> {
    let count = member.pods_per_node + rng.below(5);
    let gpus = node.allocatable.amount("nvidia.com/gpu").units_ceil_i64();
    (0..count)
        .map(|p| {
            let mut pod = SlimPod::new("apps", &format!("{}-{p}", node.name()));
            let shapes = if (p as i64) < gpus {
                &requests.gpu
            } else {
                &requests.general
            };
            pod.requests = rng.pick(shapes).clone();
            let roll = rng.below(1000);
            pod.phase = match roll {
                0..5 => PodPhase::Pending,
                5..15 => PodPhase::Succeeded,
                15..20 => PodPhase::Failed,
                _ => PodPhase::Running,
            };
            if roll >= 3 {
                pod.node_name = Some(node.name().clone());
            }
            pod.ready = pod.phase == PodPhase::Running && !rng.per_mille(8);
            if rng.per_mille(30) {
                pod.restarts = rng.range(1, 40) as i64;
                pod.crash_looping = !pod.ready && pod.restarts > 20;
            }
            pod
        })
        .collect()
}

/// NodeMetrics: each node uses 40–90% of what its pods request.
fn usage(member: &Member, nodes: &[SlimNode], rng: &mut Rng) -> Vec<NodeUsage> {
    nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let instance = instance(member, i);
            let share = member.fill as i64 * rng.range(40, 90) as i64;
            NodeUsage {
                name: node.name().to_string(),
                cpu: Some(Amount::from_milli(
                    i128::from(instance.cpu_milli) * i128::from(share) / 10_000,
                )),
                memory: Some(Amount::from_units(
                    instance.memory_kib * 1024 / 10_000 * share,
                )),
                timestamp: Some("2026-12-05T03:00:00Z".into()),
            }
        })
        .collect()
}
