//! Memory does not creep. A member goes through thousands of rollouts (a new ReplicaSet and
//! new pods each), CronJob runs (a new Job and pod each) and hundreds of node replacements (new
//! node names, as an autoscaled fleet gets them), with the old objects deleted, as in a cluster
//! that lives for months. Once the operator's insight has caught up, the interning tables it
//! reports on `/metrics` hold what they held before, and its resident memory is back near its
//! baseline.
//!
//! `cargo test -p e2e --test soak -- --nocapture`: figures on stderr ("soak: ...").

mod support;

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Node, Pod};
use karmada_manager_api::ClusterInsight;
use kube::Client;
use kube::api::{Api, DeleteParams, PostParams};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use support::{eventually, http_get};
use testenv::bulk;
use testenv::nodes::node;
use testenv::pods::{Phase, PodBuilder, pod};
use testenv::workloads::{self, Owner};

const NAMESPACE: &str = "soak";
const NODES: usize = 20;
const DEPLOYMENTS: usize = 10;
const REPLICAS: usize = 2;
const CRONJOBS: usize = 5;
/// Each round replaces `NODES_PER_ROUND` nodes, rolls out every Deployment and runs every
/// CronJob once.
const ROUNDS: usize = 120;
const NODES_PER_ROUND: usize = 5;
const WAIT: Duration = Duration::from_secs(60);
/// Interned values that may still await a purge once the churn is over. A deletion frees what
/// the deleted object held last at once, unless something else held it for a moment then (a
/// workload key the shell has not taken yet, a reconcile in flight): that waits for the next
/// purge, after at least 1,024 more changes, which a quiet member may not make for a while.
/// Here nothing else holds them (one namespace, no bindings) and every run measured 0; a creep
/// would be 20 values a round (15 controllers, 5 node names), 2,400 in all.
const INTERNED_TOLERANCE: i64 = 8;
/// Resident memory the operator may keep above its baseline after the churn. What it holds at
/// the end is the same world under other names; the margin is for the allocator, which keeps
/// some of what the churn's decoding used for reuse (runs measured 0.6 to 0.8 MiB).
const RSS_MARGIN_KIB: i64 = 8 * 1024;

/// The member as the test last left it: the current names.
struct World {
    deployments: Vec<Owner>,
    cronjobs: Vec<Owner>,
    nodes: Vec<String>,
    /// The current ReplicaSet of each Deployment and its pods.
    replica_sets: Vec<(String, Vec<String>)>,
    /// The current Job of each CronJob and its pod.
    jobs: Vec<(String, String)>,
}

fn node_name(round: usize, slot: usize) -> String {
    format!("soak-{round}-{slot}")
}

/// Creates a pod and reports its status, as the scheduler and kubelet would.
async fn create_pod(member: &Client, pod: PodBuilder) -> Result<()> {
    let api: Api<Pod> = Api::namespaced(member.clone(), NAMESPACE);
    api.create(&PostParams::default(), &pod.build())
        .await
        .with_context(|| format!("creating pod {}", pod.name()))?;
    bulk::set_pod_status(&api, &pod).await
}

fn web_pod(replica_set: &Owner, k: usize, node: &str) -> PodBuilder {
    pod(NAMESPACE, &format!("{}-{k}", replica_set.name))
        .owned_by("ReplicaSet", &replica_set.name, &replica_set.uid)
        .on_node(node)
        .requests(&[("cpu", "100m"), ("memory", "128Mi")])
        .running()
}

fn job_pod(job: &Owner, node: &str) -> PodBuilder {
    pod(NAMESPACE, &format!("{}-run", job.name))
        .owned_by("Job", &job.name, &job.uid)
        .on_node(node)
        .requests(&[("cpu", "100m"), ("memory", "128Mi")])
        .phase(Phase::Succeeded)
}

/// A new ReplicaSet of `deployment` with its pods running, then the old pods and ReplicaSet
/// deleted (no controller runs in the member: the test plays the Deployment controller).
async fn roll_out(
    member: Client,
    deployment: Owner,
    name: String,
    nodes: Vec<String>,
    old: Option<(String, Vec<String>)>,
) -> Result<(String, Vec<String>)> {
    let rs = workloads::create(
        &member,
        "ReplicaSet",
        NAMESPACE,
        &name,
        REPLICAS as i32,
        Some(&deployment),
    )
    .await?;
    let mut pods = Vec::new();
    for (k, node) in nodes.iter().enumerate() {
        let pod = web_pod(&rs, k, node);
        pods.push(pod.name().to_owned());
        create_pod(&member, pod).await?;
    }
    if let Some((old, old_pods)) = old {
        let api: Api<Pod> = Api::namespaced(member.clone(), NAMESPACE);
        for pod in old_pods {
            bulk::delete_pod(&api, &pod).await?;
        }
        Api::<ReplicaSet>::namespaced(member, NAMESPACE)
            .delete(&old, &DeleteParams::default())
            .await
            .with_context(|| format!("deleting ReplicaSet {old}"))?;
    }
    Ok((name, pods))
}

/// A new Job of `cronjob` whose pod has completed, then the previous run deleted.
async fn run_cronjob(
    member: Client,
    cronjob: Owner,
    name: String,
    node: String,
    old: Option<(String, String)>,
) -> Result<(String, String)> {
    let job = workloads::create(&member, "Job", NAMESPACE, &name, 1, Some(&cronjob)).await?;
    let pod = job_pod(&job, &node);
    let pod_name = pod.name().to_owned();
    create_pod(&member, pod).await?;
    if let Some((old, old_pod)) = old {
        bulk::delete_pod(&Api::namespaced(member.clone(), NAMESPACE), &old_pod).await?;
        // Background: a Job's default (orphan) waits for a garbage collector none runs here.
        Api::<Job>::namespaced(member, NAMESPACE)
            .delete(&old, &DeleteParams::background())
            .await
            .with_context(|| format!("deleting Job {old}"))?;
    }
    Ok((name, pod_name))
}

impl World {
    async fn seed(member: &Client) -> Result<World> {
        let nodes: Vec<String> = (0..NODES).map(|slot| node_name(0, slot)).collect();
        let builders: Vec<_> = nodes.iter().map(|n| node(n)).collect();
        bulk::create_nodes(member, &builders).await?;
        let mut world = World {
            deployments: Vec::new(),
            cronjobs: Vec::new(),
            nodes,
            replica_sets: Vec::new(),
            jobs: Vec::new(),
        };
        for d in 0..DEPLOYMENTS {
            let name = format!("web{d}");
            let deployment =
                workloads::create(member, "Deployment", NAMESPACE, &name, 2, None).await?;
            world.deployments.push(deployment);
        }
        for c in 0..CRONJOBS {
            let name = format!("backup{c}");
            let cronjob = workloads::create(member, "CronJob", NAMESPACE, &name, 1, None).await?;
            world.cronjobs.push(cronjob);
        }
        world.round(member, 0).await?;
        Ok(world)
    }

    /// One round: nodes replaced (round > 0), every Deployment rolled out on the current
    /// nodes, every CronJob run.
    async fn round(&mut self, member: &Client, round: usize) -> Result<()> {
        if round > 0 {
            let slots: Vec<usize> = (0..NODES_PER_ROUND)
                .map(|i| (round * NODES_PER_ROUND + i) % NODES)
                .collect();
            let new: Vec<_> = slots.iter().map(|&s| node(&node_name(round, s))).collect();
            bulk::create_nodes(member, &new).await?;
            let api: Api<Node> = Api::all(member.clone());
            for &slot in &slots {
                let old = std::mem::replace(&mut self.nodes[slot], node_name(round, slot));
                api.delete(&old, &DeleteParams::default())
                    .await
                    .with_context(|| format!("deleting node {old}"))?;
            }
        }
        let mut rollouts = tokio::task::JoinSet::new();
        for (d, deployment) in self.deployments.iter().enumerate() {
            let nodes = (0..REPLICAS)
                .map(|k| self.nodes[(d + k + round) % NODES].clone())
                .collect();
            let old = self.replica_sets.get(d).cloned();
            let task = roll_out(
                member.clone(),
                deployment.clone(),
                format!("web{d}-{round}"),
                nodes,
                old,
            );
            rollouts.spawn(async move { (d, task.await) });
        }
        let mut runs = tokio::task::JoinSet::new();
        for (c, cronjob) in self.cronjobs.iter().enumerate() {
            let node = self.nodes[(c + round) % NODES].clone();
            let old = self.jobs.get(c).cloned();
            let task = run_cronjob(
                member.clone(),
                cronjob.clone(),
                format!("backup{c}-{round}"),
                node,
                old,
            );
            runs.spawn(async move { (c, task.await) });
        }
        let mut replica_sets = vec![None; DEPLOYMENTS];
        while let Some(done) = rollouts.join_next().await {
            let (d, current) = done?;
            replica_sets[d] = Some(current?);
        }
        self.replica_sets = replica_sets.into_iter().flatten().collect();
        let mut jobs = vec![None; CRONJOBS];
        while let Some(done) = runs.join_next().await {
            let (c, current) = done?;
            jobs[c] = Some(current?);
        }
        self.jobs = jobs.into_iter().flatten().collect();
        Ok(())
    }
}

/// What the operator reports and holds at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sample {
    /// `karmada_manager_interned_values`: strings, resource lists, controllers, node label sets.
    interned: [i64; 4],
    rss_kib: i64,
}

impl Sample {
    fn interned_total(&self) -> i64 {
        self.interned.iter().sum()
    }

    /// The larger of each figure.
    fn max(self, other: Sample) -> Sample {
        let mut interned = self.interned;
        for (top, value) in interned.iter_mut().zip(other.interned) {
            *top = (*top).max(value);
        }
        Sample {
            interned,
            rss_kib: self.rss_kib.max(other.rss_kib),
        }
    }
}

/// Samples every 250 ms until `stop`, returning the largest figures seen.
async fn peak(address: String, pid: u32, first: Sample, stop: Arc<AtomicBool>) -> Sample {
    let mut peak = first;
    while !stop.load(Ordering::Relaxed) {
        if let Ok(now) = sample(&address, pid).await {
            peak = peak.max(now);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    peak
}

fn gauge(metrics: &str, series: &str) -> Result<i64> {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .with_context(|| format!("no {series} in\n{metrics}"))?
        .trim()
        .parse()
        .with_context(|| format!("{series} is not an integer"))
}

fn rss_kib(pid: u32) -> Result<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("no VmRSS")?;
    line.split_whitespace()
        .nth(1)
        .context("no VmRSS figure")?
        .parse()
        .context("VmRSS is not a number")
}

async fn sample(address: &str, pid: u32) -> Result<Sample> {
    let (_, metrics) = http_get(address, "/metrics").await?;
    let mut interned = [0; 4];
    let tables = [
        "strings",
        "resource_lists",
        "controllers",
        "node_label_sets",
    ];
    for (slot, table) in interned.iter_mut().zip(tables) {
        *slot = gauge(
            &metrics,
            &format!("karmada_manager_interned_values{{table=\"{table}\"}}"),
        )?;
    }
    Ok(Sample {
        interned,
        rss_kib: rss_kib(pid)?,
    })
}

/// The insight and the operator's index show exactly the world the test left: its nodes by
/// name, and as many pods, ReplicaSets and Jobs.
async fn converged(hub: &Client, address: &str, world: &World) -> Result<()> {
    let insights = Api::<ClusterInsight>::all(hub.clone());
    let pods = (DEPLOYMENTS * REPLICAS + CRONJOBS) as i64;
    let mut nodes = world.nodes.clone();
    nodes.sort();
    eventually(
        "the insight shows the member's nodes and pods",
        WAIT,
        || async { Ok(insights.get_opt("m1").await?.and_then(|i| i.status)) },
        |s| {
            s.as_ref().is_some_and(|s| {
                let mut listed: Vec<_> = s.node_details.items.iter().map(|n| &n.name).collect();
                listed.sort();
                s.nodes.total == NODES as i64
                    && s.pods.total == pods
                    && listed == nodes.iter().collect::<Vec<_>>()
            })
        },
    )
    .await?;
    let held = [
        ("node", NODES),
        ("pod", DEPLOYMENTS * REPLICAS + CRONJOBS),
        ("replicaset", DEPLOYMENTS),
        ("job", CRONJOBS),
    ];
    eventually(
        "the operator holds the member's objects",
        WAIT,
        || async { Ok(http_get(address, "/metrics").await?.1) },
        |metrics| {
            held.iter().all(|(kind, count)| {
                let series =
                    format!("karmada_manager_member_objects{{cluster=\"m1\",kind=\"{kind}\"}}");
                gauge(metrics, &series).ok() == Some(*count as i64)
            })
        },
    )
    .await?;
    Ok(())
}

fn mib(kib: i64) -> f64 {
    kib as f64 / 1024.0
}

#[tokio::test(flavor = "multi_thread")]
async fn churn_leaves_interned_values_and_memory_at_their_baseline() -> Result<()> {
    let started = Instant::now();
    let env = support::environment(&["m1"]).await?;
    let hub = env.hub().client().await?;
    let member = env.member("m1").client().await?;
    let mut world = World::seed(&member).await?;
    let seeded = started.elapsed();
    let operator = support::start_operator(&env, &[]).await?;
    let operator_up = started.elapsed();
    let address = operator.admin_address()?;
    let pid = operator.child.id().context("the operator exited")?;
    converged(&hub, &address, &world).await?;
    // Let the first writes and their watch events pass before measuring.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = sample(&address, pid).await?;
    let setup = started.elapsed();

    let churning = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn(peak(address.clone(), pid, before, stop.clone()));
    let mut halfway = None;
    for round in 1..=ROUNDS {
        world.round(&member, round).await?;
        if round == ROUNDS / 2 {
            halfway = Some(sample(&address, pid).await?);
        }
    }
    let churn = churning.elapsed();
    converged(&hub, &address, &world).await?;
    let caught_up = churning.elapsed();
    let after = eventually(
        "the interned values are back at their baseline",
        Duration::from_secs(20),
        || sample(&address, pid),
        |s| (s.interned_total() - before.interned_total()).abs() <= INTERNED_TOLERANCE,
    )
    .await?;
    stop.store(true, Ordering::Relaxed);
    let peak = sampler.await?;
    // Settle: the allocator may keep freed memory for a moment.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let settled = sample(&address, pid).await?;

    let halfway = halfway.context("no sample halfway")?;
    eprintln!(
        "soak: {} rollouts and {} CronJob runs ({} pods replaced), {} node replacements in \
         {churn:.1?} (insight caught up after {caught_up:.1?}; setup {setup:.1?}: member seeded \
         {seeded:.1?}, operator up {operator_up:.1?}; total {:.1?}); interned values (strings, \
         resource lists, controllers, node label sets) before {:?} = {}, peak {:?}, after {:?} = {}; operator \
         RSS before {:.1} MiB, halfway {:.1} MiB, peak {:.1} MiB, after {:.1} MiB",
        ROUNDS * DEPLOYMENTS,
        ROUNDS * CRONJOBS,
        ROUNDS * (DEPLOYMENTS * REPLICAS + CRONJOBS),
        ROUNDS * NODES_PER_ROUND,
        started.elapsed(),
        before.interned,
        before.interned_total(),
        peak.interned,
        after.interned,
        after.interned_total(),
        mib(before.rss_kib),
        mib(halfway.rss_kib),
        mib(peak.rss_kib),
        mib(settled.rss_kib),
    );
    assert!(
        settled.rss_kib - before.rss_kib <= RSS_MARGIN_KIB,
        "RSS {:.1} MiB after the churn, {:.1} MiB before",
        mib(settled.rss_kib),
        mib(before.rss_kib)
    );
    Ok(())
}
