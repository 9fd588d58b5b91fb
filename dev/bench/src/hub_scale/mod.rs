//! Benchmark 8: the hub at scale. Two real hubs (etcd and kube-apiserver, Karmada's CRDs), one
//! holding N workloads and the other 2N, each as Karmada leaves them (a PropagationPolicy, a
//! scheduled ResourceBinding with its members' status, a Work per cluster), and the release
//! operator with default settings against each. It measures:
//! - from the operator's start until every WorkloadPlacement is written, the operator's peak RSS
//!   meanwhile and its CPU seconds;
//! - steady state under churn: the same number of bindings changes per minute on both hubs (1%
//!   of N: a member's ready count moves), in interleaved windows, one hub at a time. The
//!   operator's CPU and hub writes per minute on 2N against N, per pair of windows: about 1
//!   when the cost follows the changed bindings, about 2 if it followed the fleet;
//! - one FleetInsight rebuild (its reconcile: build and write), from `/metrics`.

mod measure;
mod objects;
mod report;

use crate::live::operator::{self, Operator};
use crate::paired::PairedRatio;
use anyhow::{Context, Result};
use futures::future::try_join;
use objects::Workload;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use testenv::{EnvOptions, Environment};
use tokio::time::Instant;

#[derive(clap::Args)]
pub struct HubArgs {
    /// Karmada's published scale: 10,000 workloads (20,000 on the second hub) over 100
    /// clusters, 60 s windows. The default is 1,000 over 10 clusters, 20 s windows.
    #[arg(long)]
    pub full: bool,
    /// Workloads on the first hub (the second has twice as many).
    #[arg(long)]
    pub bindings: Option<usize>,
    #[arg(long)]
    pub clusters: Option<usize>,
    /// Interleaved pairs of churn windows (one on each hub).
    #[arg(long, default_value_t = 5)]
    pub pairs: usize,
    /// Length of one churn window, in seconds.
    #[arg(long)]
    pub window: Option<u64>,
    /// Bindings changed per minute, in percent of the first hub's workloads.
    #[arg(long, default_value_t = 1.0)]
    pub churn_percent: f64,
    /// Workloads created at a time.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench/hub.json"))]
    pub out: PathBuf,
}

/// One hub, its workloads and the operator against it.
struct Hub {
    env: Environment,
    client: kube::Client,
    workloads: usize,
    operator: Option<Operator>,
    /// Workloads whose ready count the churn has lowered, and the next change's turn.
    lowered: Vec<bool>,
    turn: usize,
}

#[derive(Debug, Serialize)]
pub struct HubResult {
    pub machine: crate::machine::Machine,
    pub clusters: usize,
    pub first_write: Vec<report::FirstWrite>,
    pub changed_per_window: usize,
    pub window_secs: u64,
    pub windows: Vec<[report::Window; 2]>,
    /// 2N ÷ N per pair of windows.
    pub cpu_ratio: PairedRatio,
    pub writes_ratio: PairedRatio,
    pub steady_rss_mib: [f64; 2],
}

pub fn run(args: HubArgs) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_async(args))
}

async fn run_async(args: HubArgs) -> Result<()> {
    let n = args
        .bindings
        .unwrap_or(if args.full { 10_000 } else { 1_000 });
    let clusters = args.clusters.unwrap_or(if args.full { 100 } else { 10 });
    let window = args.window.unwrap_or(if args.full { 60 } else { 20 });
    anyhow::ensure!(n > 0 && clusters >= 2, "need a workload and two clusters");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let binary = operator::build(&root)?;
    eprintln!(
        "bench: starting two hubs; writing {n} and {} workloads over {clusters} clusters",
        2 * n
    );
    let (small, large) = try_join(
        Hub::start(n, clusters, args.concurrency),
        Hub::start(2 * n, clusters, args.concurrency),
    )
    .await?;
    let mut hubs = [small, large];
    let mut first_write = Vec::new();
    for (i, hub) in hubs.iter_mut().enumerate() {
        let log = args.out.with_file_name(format!("hub-operator-{i}.log"));
        first_write.push(hub.first_write(&binary, &log).await?);
        eprintln!("bench: {}", first_write[i]);
    }
    let changed = ((n as f64 * args.churn_percent / 100.0) * window as f64 / 60.0).round() as usize;
    let mut windows = Vec::new();
    for pair in 1..=args.pairs {
        let mut pair_windows = Vec::new();
        for hub in &mut hubs {
            let w = hub.churn_window(clusters, n, changed, window).await?;
            eprintln!("bench: pair {pair}/{}: {w}", args.pairs);
            pair_windows.push(w);
        }
        windows.push([pair_windows[0].clone(), pair_windows[1].clone()]);
    }
    let ratio_of = |figure: fn(&report::Window) -> f64| {
        let pairs: Vec<(f64, f64)> = windows
            .iter()
            .map(|[a, b]| (figure(b), figure(a)))
            .collect();
        PairedRatio::of(&pairs).context("a window without any figure")
    };
    let mut steady = [0.0; 2];
    for (i, hub) in hubs.iter().enumerate() {
        let operator = hub.operator.as_ref().context("no operator")?;
        steady[i] = measure::read(operator).await?.rss_kib as f64 / 1024.0;
    }
    let result = HubResult {
        machine: crate::machine::describe(),
        clusters,
        first_write,
        changed_per_window: changed,
        window_secs: window,
        cpu_ratio: ratio_of(|w| w.cpu_secs_per_min)?,
        writes_ratio: ratio_of(|w| w.writes_per_min)?,
        windows,
        steady_rss_mib: steady,
    };
    report::print(&result);
    let written = crate::output::write_json(&args.out, &result)?;
    eprintln!("bench: wrote {}", written.display());
    for hub in &mut hubs {
        if let Some(operator) = hub.operator.take() {
            operator.stop().await?;
        }
    }
    Ok(())
}

impl Hub {
    async fn start(workloads: usize, clusters: usize, concurrency: usize) -> Result<Hub> {
        let env = Environment::start(EnvOptions {
            crds: karmada_manager_api::crds(),
            ..EnvOptions::default()
        })
        .await?;
        let client = env.hub().client().await?;
        let started = Instant::now();
        objects::create_clusters(&client, clusters).await?;
        objects::create_workloads(&client, 0..workloads, clusters, concurrency).await?;
        eprintln!(
            "bench: hub of {workloads} workloads written in {:.0?}",
            started.elapsed()
        );
        Ok(Hub {
            env,
            client,
            workloads,
            operator: None,
            lowered: vec![false; workloads],
            turn: 0,
        })
    }

    /// Starts the operator and waits until every placement is written.
    async fn first_write(&mut self, binary: &Path, log: &Path) -> Result<report::FirstWrite> {
        let operator = Operator::start(binary, self.env.hub().kubeconfig(), log)?;
        let since = operator.started;
        let timeout = Duration::from_secs(1_800);
        let took = measure::all_written(&self.client, self.workloads, since, timeout).await?;
        let reading = measure::read(&operator).await?;
        self.operator = Some(operator);
        Ok(report::FirstWrite {
            workloads: self.workloads,
            seconds: took.as_secs_f64(),
            placements_per_sec: self.workloads as f64 / took.as_secs_f64(),
            cpu_secs: reading.cpu_secs,
            peak_rss_mib: reading.hwm_kib as f64 / 1024.0,
        })
    }

    /// Changes `changed` of the first `among` bindings evenly over `secs` seconds (each flips
    /// its ready count), and reads what the operator spent meanwhile, its last writes included.
    async fn churn_window(
        &mut self,
        clusters: usize,
        among: usize,
        changed: usize,
        secs: u64,
    ) -> Result<report::Window> {
        let operator = self.operator.as_ref().context("no operator")?;
        let before = measure::read(operator).await?;
        let step = Duration::from_secs(secs) / u32::try_from(changed.max(1))?;
        let mut next = Instant::now();
        for _ in 0..changed {
            // A prime stride walks the workloads without favourites.
            let i = self.turn * 7_919 % among.min(self.workloads);
            self.turn += 1;
            self.lowered[i] = !self.lowered[i];
            let ready = if self.lowered[i] { 1 } else { 2 };
            objects::set_ready(&self.client, &Workload::nth(i, clusters), ready).await?;
            next += step;
            tokio::time::sleep_until(next).await;
        }
        let end = before.at + Duration::from_secs(secs);
        tokio::time::sleep_until(end.max(Instant::now())).await;
        // The last change's write lands within one write interval (1 s by default).
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let after = measure::read(operator).await?;
        Ok(report::Window::between(
            self.workloads,
            changed,
            &before,
            &after,
        ))
    }
}
