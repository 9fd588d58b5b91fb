//! Benchmark 4: the fit estimates of many workload shapes on one large member, in this process.
//! A member of `--nodes` nodes (four node pools, some tainted) and `--pods` pods, and `--shapes`
//! distinct replica shapes (cpu and memory requests, a third with a node selector, a tenth with
//! a toleration). It measures:
//! - the cost of a pod event and of a node event in the member's index, which now also logs the
//!   node for the fit estimates (the events only, no estimate asked);
//! - after 1% of the pods changed, catching every shape's estimate up (`FitCache`, which replays
//!   only the changed nodes) against recounting every shape over every node
//!   (`FitShape::in_member`), in interleaved pairs: the median of the per-pair ratios, with its
//!   min–max;
//! - the memory the cache holds for all shapes (RSS growth while it fills).

use std::time::Instant;

use anyhow::{Context, Result, ensure};
use clap::Args;
use karmada_manager_core::fit::{FitCache, FitShape};
use karmada_manager_core::projection::{NodeLabelSet, Taint, TaintEffect};
use karmada_manager_core::{
    MemberEvent, MemberIndex, PodPhase, ResourceList, SlimNode, SlimPod, WatcherEvent,
};
use karmada_types::ReplicaRequirements;
use prop_json::Rng;
use serde::Serialize;
use serde_json::json;

use crate::machine::{self, Machine};
use crate::memory;
use crate::paired::PairedRatio;

#[derive(Args)]
pub struct FitArgs {
    #[arg(long, default_value_t = 5_000)]
    nodes: usize,
    #[arg(long, default_value_t = 20_000)]
    pods: usize,
    #[arg(long, default_value_t = 1_000)]
    shapes: usize,
    /// Interleaved pairs of (catch up every shape, recount every shape).
    #[arg(long, default_value_t = 5)]
    pairs: usize,
    #[arg(long, default_value_t = 4)]
    seed: u64,
    /// Where to write the JSON result.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench/fit.json"))]
    out: std::path::PathBuf,
}

/// What `bench fit` measured.
#[derive(Serialize)]
struct FitResult {
    machine: Machine,
    nodes: usize,
    pods: usize,
    shapes: usize,
    seed: u64,
    node_event_us: f64,
    pod_event_us: f64,
    first_estimate_ms: f64,
    cache_held_mib: f64,
    changed_pods_per_pair: usize,
    catch_up_ms: Vec<f64>,
    recount_ms: Vec<f64>,
    catch_up_over_recount: PairedRatio,
}

const POOLS: [&str; 4] = ["general", "general", "memory", "gpu"];

pub fn run(args: &FitArgs) -> Result<()> {
    ensure!(
        args.pairs >= 1 && args.nodes >= 1,
        "need at least one pair and one node"
    );
    let mut rng = Rng::new(args.seed);
    let mut index = MemberIndex::default();
    let nodes: Vec<SlimNode> = (0..args.nodes).map(|i| node(i, &mut rng)).collect();
    let started = Instant::now();
    for node in &nodes {
        index.apply_event(MemberEvent::Node(WatcherEvent::Apply(node.clone())));
    }
    let node_event = started.elapsed() / u32::try_from(args.nodes)?;
    let started = Instant::now();
    for i in 0..args.pods {
        index.apply_event(MemberEvent::Pod(WatcherEvent::Apply(pod(
            i, args.nodes, &mut rng,
        ))));
    }
    let pod_event = started.elapsed() / u32::try_from(args.pods.max(1))?;
    let shapes: Vec<FitShape> = (0..args.shapes).map(shape).collect::<Result<_>>()?;

    let before = memory::now()?;
    let mut cache = FitCache::default();
    let started = Instant::now();
    for shape in &shapes {
        cache.fit(&index.cluster, shape);
    }
    let fill = started.elapsed();
    let held_kib = memory::now()?.rss_kib.saturating_sub(before.rss_kib);

    let churn = (args.pods / 100).max(1);
    let mut pairs = Vec::new();
    let (mut catch_up_ms, mut recount_ms) = (Vec::new(), Vec::new());
    for round in 0..args.pairs {
        for _ in 0..churn {
            let which = rng.index(args.pods);
            index.apply_event(MemberEvent::Pod(WatcherEvent::Apply(pod(
                which, args.nodes, &mut rng,
            ))));
        }
        let started = Instant::now();
        let cached: Vec<u64> = shapes
            .iter()
            .map(|s| cache.fit(&index.cluster, s))
            .collect();
        let catch_up = started.elapsed();
        let started = Instant::now();
        let counted: Vec<u64> = shapes.iter().map(|s| s.in_member(&index.cluster)).collect();
        let recount = started.elapsed();
        ensure!(
            cached == counted,
            "round {round}: the cache and the recount disagree"
        );
        pairs.push((catch_up.as_secs_f64(), recount.as_secs_f64()));
        catch_up_ms.push(catch_up.as_secs_f64() * 1e3);
        recount_ms.push(recount.as_secs_f64() * 1e3);
    }
    let ratio = PairedRatio::of(&pairs).context("a pair too short to time")?;
    println!(
        "fit: {} nodes, {} pods, {} shapes on one member (seed {})",
        args.nodes, args.pods, args.shapes, args.seed
    );
    println!(
        "  node event {node_event:.2?}, pod event {pod_event:.2?} (index and change log, no estimate asked)"
    );
    println!(
        "  first estimate of every shape {fill:.0?} ({:.1?} per shape); cache holds {:.1} MiB (RSS growth)",
        fill / u32::try_from(args.shapes.max(1))?,
        held_kib as f64 / 1024.0
    );
    println!(
        "  after {churn} pod changes (1%): catch up every shape {} ms, recount every shape {} ms",
        fmt(&catch_up_ms),
        fmt(&recount_ms)
    );
    println!(
        "  catch-up / recount, interleaved pairs: median {}",
        ratio.describe(4)
    );
    let result = FitResult {
        machine: machine::describe(),
        nodes: args.nodes,
        pods: args.pods,
        shapes: args.shapes,
        seed: args.seed,
        node_event_us: node_event.as_secs_f64() * 1e6,
        pod_event_us: pod_event.as_secs_f64() * 1e6,
        first_estimate_ms: fill.as_secs_f64() * 1e3,
        cache_held_mib: held_kib as f64 / 1024.0,
        changed_pods_per_pair: churn,
        catch_up_ms,
        recount_ms,
        catch_up_over_recount: ratio,
    };
    let written = crate::output::write_json(&args.out, &result)?;
    println!("wrote {}", written.display());
    Ok(())
}

fn fmt(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{v:.1}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn node(i: usize, rng: &mut Rng) -> SlimNode {
    let pool = *rng.pick(&POOLS);
    let mut node = SlimNode::new(&format!("node-{i:05}"));
    node.ready = !rng.per_mille(5);
    node.unschedulable = rng.per_mille(5);
    let gpus = if pool == "gpu" { "8" } else { "0" };
    let (cpu, memory) = if pool == "memory" {
        ("32", "256Gi")
    } else {
        ("16", "64Gi")
    };
    node.allocatable = ResourceList::parse([
        ("cpu", cpu),
        ("memory", memory),
        ("pods", "110"),
        ("nvidia.com/gpu", gpus),
    ])
    .unwrap_or_default();
    node.capacity = node.allocatable.clone();
    let labels = vec![
        ("pool".into(), pool.into()),
        (
            "topology.kubernetes.io/zone".into(),
            format!("zone-{}", i % 3).into(),
        ),
    ];
    node.labels = NodeLabelSet::from_pairs(labels);
    if pool == "gpu" {
        node.taints = vec![Taint {
            key: "dedicated".into(),
            value: "gpu".into(),
            effect: TaintEffect::NoSchedule,
        }];
    }
    node
}

fn pod(i: usize, nodes: usize, rng: &mut Rng) -> SlimPod {
    let node = format!("node-{:05}", rng.index(nodes));
    let mut pod = SlimPod::new("shop", &format!("pod-{i:06}")).on_node(&node);
    pod.phase = if rng.per_mille(50) {
        PodPhase::Succeeded
    } else {
        PodPhase::Running
    };
    let cpu = format!("{}m", 100 * rng.range(1, 20));
    let memory = format!("{}Mi", 128 * rng.range(1, 16));
    pod.requests = ResourceList::parse([("cpu", cpu.as_str()), ("memory", memory.as_str())])
        .unwrap_or_default();
    pod
}

/// Shape `i`: distinct by its cpu request; every third selects a pool, every tenth tolerates a
/// taint.
fn shape(i: usize) -> Result<FitShape> {
    let mut requirements =
        json!({"resourceRequest": {"cpu": format!("{}m", 50 + i), "memory": "256Mi"}});
    if i.is_multiple_of(3) {
        requirements["nodeClaim"]["nodeSelector"] = json!({"pool": POOLS[i % POOLS.len()]});
    }
    if i.is_multiple_of(10) {
        requirements["nodeClaim"]["tolerations"] =
            json!([{"key": "dedicated", "operator": "Exists"}]);
    }
    let requirements: ReplicaRequirements = serde_json::from_value(requirements)?;
    FitShape::new(&requirements).map_err(anyhow::Error::msg)
}
