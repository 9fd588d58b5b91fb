//! Benchmarks 2 and 3, on real API servers: the local environment with a member
//! of ≥ 1,000 nodes and ≥ 30,000 pods, and the release operator run against it with default
//! settings.
//!
//! 2. Initial sync against a bare LIST of the same objects; freshness from a pod readiness
//!    change to the ClusterInsight and WorkloadPlacement showing it; reading a cluster summary
//!    from the ClusterInsight against LISTing and aggregating the member on request.
//! 3. Write amplification: sustained pod status churn across members, and the status writes
//!    that reach the hub.

pub mod churn;
mod fleet;
pub mod freshness;
pub mod operator;
mod report;
pub mod stats;
mod summary;
pub mod sync;

use anyhow::Result;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;
use testenv::demo_workloads::MEMBERS;

#[derive(clap::Args)]
pub struct LiveArgs {
    /// The full size (1,000 nodes and 30,000 pods on the big member, 60 s of churn) instead
    /// of the small one.
    #[arg(long)]
    pub full: bool,
    /// Nodes on the big member (default: 1,000 full, 200 small).
    #[arg(long)]
    pub nodes: Option<usize>,
    /// Pods on the big member (default: 30,000 full, 3,000 small).
    #[arg(long)]
    pub pods: Option<usize>,
    /// Readiness flips timed for freshness (default: 200 full, 40 small).
    #[arg(long)]
    pub samples: Option<usize>,
    /// Pod status updates per second during the churn, across members.
    #[arg(long, default_value_t = 1000.0)]
    pub churn_rate: f64,
    /// How long the churn lasts (default: 60 s full, 10 s small).
    #[arg(long)]
    pub churn_seconds: Option<u64>,
    /// Interleaved pairs for each ratio (initial sync: a bare LIST and a fresh operator
    /// process; summary: a LIST-and-aggregate and a read of the insight).
    #[arg(long, default_value_t = 5)]
    pub pairs: usize,
    /// Where to write the JSON result.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench/live.json"))]
    pub out: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct LiveResult {
    pub machine: crate::machine::Machine,
    pub size: fleet::Size,
    pub sync: sync::SyncResult,
    pub freshness: freshness::FreshnessResult,
    pub summary: summary::SummaryResult,
    pub churn: churn::ChurnResult,
}

pub fn run(args: LiveArgs) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_async(args))
}

async fn run_async(args: LiveArgs) -> Result<()> {
    let pick = |value: Option<usize>, full: usize, small: usize| {
        value.unwrap_or(if args.full { full } else { small })
    };
    let size = fleet::Size {
        nodes: pick(args.nodes, 1_000, 200).max(10),
        pods: pick(args.pods, 30_000, 3_000),
    };
    let samples = pick(args.samples, 200, 40);
    let churn_seconds = args
        .churn_seconds
        .unwrap_or(if args.full { 60 } else { 10 });
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let binary = operator::build(&root)?;

    eprintln!(
        "bench: starting the environment and creating {} nodes and {} pods",
        size.nodes, size.pods
    );
    let fleet = fleet::start(size).await?;
    let hub = fleet.env.hub().client().await?;
    let big = fleet.env.member(MEMBERS[0]).client().await?;

    let log = args.out.with_file_name("live-operator.log");
    eprintln!(
        "bench: 2a. initial sync, {} interleaved pairs of a bare LIST and a fresh operator (logs to {})",
        args.pairs,
        log.display()
    );
    let kubeconfig = fleet.env.hub().kubeconfig();
    let pairs = sync::pairs(&big, &binary, kubeconfig, MEMBERS[0], args.pairs, &log).await?;
    let operator = operator::Operator::start(&binary, kubeconfig, &log)?;
    let insight_filled = wait_for_insight(&hub, MEMBERS[0], pairs.pods).await?;
    let sync = sync::SyncResult {
        process_start_to_insight_ms: (insight_filled - operator.started).as_secs_f64() * 1e3,
        pairs,
    };

    eprintln!("bench: 2b. freshness ({samples} readiness flips)");
    let freshness = freshness::measure(&hub, &big, samples).await?;
    eprintln!("bench: 2c. cluster summary: the insight against LIST + aggregate");
    let summary = summary::measure(&hub, &big, MEMBERS[0], args.pairs).await?;

    eprintln!(
        "bench: 3. write amplification ({} updates/s for {churn_seconds} s)",
        args.churn_rate
    );
    let mut members = Vec::new();
    for (name, pods) in &fleet.load {
        members.push((fleet.env.member(name).client().await?, pods.clone()));
    }
    let targets = churn::targets(&members).await?;
    let churn = churn::measure(
        &hub,
        &operator,
        targets,
        args.churn_rate,
        Duration::from_secs(churn_seconds),
    )
    .await?;
    operator.stop().await?;

    let result = LiveResult {
        machine: crate::machine::describe(),
        size,
        sync,
        freshness,
        summary,
        churn,
    };
    report::print(&result);
    crate::output::write_json(&args.out, &result)?;
    eprintln!("bench: wrote {}", args.out.display());
    Ok(())
}

/// Waits until `cluster`'s insight counts `pods` pods; when it was seen.
async fn wait_for_insight(
    hub: &kube::Client,
    cluster: &str,
    pods: usize,
) -> Result<tokio::time::Instant> {
    use karmada_manager_api::ClusterInsight;
    let api: kube::Api<ClusterInsight> = kube::Api::all(hub.clone());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(600);
    loop {
        let status = api.get_opt(cluster).await?.and_then(|i| i.status);
        if status.is_some_and(|s| s.pods.total as usize >= pods) {
            return Ok(tokio::time::Instant::now());
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the insight of {cluster} never showed {pods} pods"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
