//! The benchmark's fleet: the demo environment (hub, `member1`, `member2`, the demo's workloads
//! propagated as Karmada would), with `member1` grown to the benchmark's size and `member2`
//! given a tenth of it, so that churn can run across members.

use anyhow::{Context, Result};
use testenv::demo_workloads::MEMBERS;
use testenv::nodes::{NodeBuilder, node};
use testenv::pods::{PodBuilder, pod};
use testenv::{Environment, bulk};
use tokio::time::Instant;

/// Size of the big member.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Size {
    pub nodes: usize,
    pub pods: usize,
}

/// Namespaces the load pods are spread over.
const NAMESPACES: usize = 20;

/// The demo's `shop/web` pod on `member1` whose readiness the freshness benchmark flips: ready
/// in the demo, on `m1-node-0`, owned by the ReplicaSet `web-6b8f7c9d5`.
pub const PROBE_POD: (&str, &str) = ("shop", "web-6b8f7c9d5-2xk9p");
/// Its node: a status is only that of a scheduled pod with the node set.
pub const PROBE_NODE: &str = "m1-node-0";

pub struct Fleet {
    pub env: Environment,
    /// Load pods per member, as created (their builders, to write their status again).
    pub load: Vec<(String, Vec<PodBuilder>)>,
}

pub async fn start(size: Size) -> Result<Fleet> {
    let mut options = testenv::demo::options();
    options.crds = karmada_manager_api::crds();
    let env = Environment::start(options).await?;
    testenv::demo::seed(&env)
        .await
        .context("seeding the demo")?;
    let mut load = Vec::new();
    for (member, share) in [(MEMBERS[0], 1), (MEMBERS[1], 10)] {
        let size = Size {
            nodes: size.nodes / share,
            pods: size.pods / share,
        };
        let started = Instant::now();
        let client = env.member(member).client().await?;
        let (nodes, pods) = objects(member, size);
        bulk::create_nodes(&client, &nodes).await?;
        bulk::create_pods(&client, &pods).await?;
        eprintln!(
            "bench: {member}: created {} nodes and {} pods in {:.1}s",
            nodes.len(),
            pods.len(),
            started.elapsed().as_secs_f64()
        );
        load.push((member.to_owned(), pods));
    }
    Ok(Fleet { env, load })
}

/// `size.nodes` nodes over three zones and `size.pods` running pods spread evenly over them,
/// with requests, in [`NAMESPACES`] namespaces.
fn objects(member: &str, size: Size) -> (Vec<NodeBuilder>, Vec<PodBuilder>) {
    let nodes: Vec<NodeBuilder> = (0..size.nodes)
        .map(|i| node(&format!("{member}-load-{i:05}")).zone(["a", "b", "c"][i % 3]))
        .collect();
    let pods = (0..size.pods)
        .map(|i| {
            pod(&format!("load-{}", i % NAMESPACES), &format!("load-{i:06}"))
                .on_node(nodes[i % nodes.len().max(1)].name())
                .requests(&[("cpu", "100m"), ("memory", "128Mi")])
                .container("sidecar", &[("cpu", "10m"), ("memory", "32Mi")])
                .running()
        })
        .collect();
    (nodes, pods)
}
