//! `bench dashboard`: does `kubectl karmada-insight dashboard` stay fast and light at a
//! 1,000-cluster fleet and with a 5,000-node member?
//!
//! A real hub API server (testenv, no members, no operator) gets karmada-manager's resources
//! written directly, their statuses built by the operator's own code ([`objects`]): a
//! ClusterInsight per member (member 0 has 5,000 nodes, of which the operator lists 200), a few
//! hundred WorkloadPlacements (the first spread over 20 clusters) and the FleetInsight. Then the
//! release plugin's `dashboard` runs against it, and for each page the benchmark measures its
//! weight, how long its view takes to serve and, in Debian's headless Chromium, the time to its
//! first drawing and to the end of that drawing's frame ([`pages`]); also the time until the
//! dashboard lists every cluster, and its peak RSS.

mod hub;
mod members;
mod objects;
mod pages;
mod placements;
mod plugin;
mod report;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use serde::Serialize;
use testenv::browser::Browser;
use testenv::{EnvOptions, Environment};
use tokio::time::Instant;

use crate::paired::Spread;
use objects::Objects;
use pages::{Page, PageResult};

/// Longest wait for the dashboard to list what was written.
const LIST_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(clap::Args)]
pub struct DashboardArgs {
    /// ClusterInsights in the fleet.
    #[arg(long, default_value_t = 1_000)]
    pub clusters: usize,
    /// Nodes of the big member (member-0000), whose cluster page is measured.
    #[arg(long, default_value_t = 5_000)]
    pub nodes: usize,
    /// WorkloadPlacements; the first is the one whose page is measured.
    #[arg(long, default_value_t = 300)]
    pub placements: usize,
    /// Clusters the measured placement is spread over.
    #[arg(long, default_value_t = 20)]
    pub spread: usize,
    /// Measured page loads per page (after one warm-up round).
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Objects written to the hub at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Seed of the generated fleet.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Where to write the JSON result.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench/dashboard.json"))]
    pub out: PathBuf,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Size {
    pub clusters: usize,
    /// Nodes of the big member.
    pub nodes: usize,
    pub placements: usize,
    pub spread: usize,
    pub rounds: usize,
}

#[derive(Debug, Serialize)]
pub struct DashboardResult {
    pub machine: crate::machine::Machine,
    pub size: Size,
    pub seed: u64,
    pub written: hub::Written,
    /// Nodes the big member's ClusterInsight lists, and leaves out.
    pub big_member_listed: usize,
    pub big_member_omitted: i64,
    /// From the last object written until `/api/fleet` lists every cluster: the dashboard's
    /// process start and its watches' initial lists.
    pub written_to_listed_ms: f64,
    pub pages: Vec<PageResult>,
    /// The dashboard's resident memory at the end, and at its peak (VmHWM).
    pub rss_kib: u64,
    pub peak_rss_kib: u64,
}

pub fn run(args: DashboardArgs) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_async(args))
}

async fn run_async(args: DashboardArgs) -> Result<()> {
    let size = Size {
        clusters: args.clusters.max(1),
        nodes: args.nodes.max(1),
        placements: args.placements.max(1),
        spread: args.spread.clamp(1, args.clusters.max(1)),
        rounds: args.rounds.max(1),
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let binary = plugin::build(&root)?;
    let objects = build(size, args.seed).await?;
    let env = Environment::start(EnvOptions {
        crds: karmada_manager_api::crds(),
        ..EnvOptions::default()
    })
    .await?;
    let written = write(&env, &objects, args.concurrency).await?;
    let log = args.out.with_file_name("dashboard-plugin.log");
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let measured = measure(&env, &binary, &objects, size, &log).await?;
    let big = &objects.big().context("no cluster")?.1.node_details;
    let result = DashboardResult {
        machine: crate::machine::describe(),
        size,
        seed: args.seed,
        written,
        big_member_listed: big.items.len(),
        big_member_omitted: big.omitted,
        written_to_listed_ms: measured.written_to_listed_ms,
        pages: measured.pages,
        rss_kib: measured.memory.rss_kib,
        peak_rss_kib: measured.memory.hwm_kib,
    };
    report::print(&result);
    let written = crate::output::write_json(&args.out, &result)?;
    eprintln!("bench: wrote {}", written.display());
    Ok(())
}

/// Builds every status with the operator's code (a few seconds of CPU: off the runtime).
async fn build(size: Size, seed: u64) -> Result<Objects> {
    let started = std::time::Instant::now();
    let objects = tokio::task::spawn_blocking(move || Objects::build(&size, seed)).await??;
    eprintln!(
        "bench: built {} ClusterInsights and {} WorkloadPlacements with the operator's code in {:.1} s",
        objects.insights.len(),
        objects.placements.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(objects)
}

async fn write(env: &Environment, objects: &Objects, concurrency: usize) -> Result<hub::Written> {
    let hub = env.hub().client().await?;
    eprintln!("bench: writing them to the hub, {concurrency} at a time");
    let written = hub::write(
        &hub,
        &objects.insights,
        &objects.placements,
        &objects.fleet,
        concurrency,
    )
    .await?;
    eprintln!(
        "bench: wrote {:.1} MiB of statuses in {:.1} s",
        written.status_bytes as f64 / (1024.0 * 1024.0),
        written.seconds
    );
    Ok(written)
}

/// What the running dashboard showed.
struct Measured {
    written_to_listed_ms: f64,
    pages: Vec<PageResult>,
    memory: crate::memory::Memory,
}

/// Starts the dashboard right after the last write, times its listing, then measures each page.
async fn measure(
    env: &Environment,
    binary: &Path,
    objects: &Objects,
    size: Size,
    log: &Path,
) -> Result<Measured> {
    let written_at = Instant::now();
    let dashboard = plugin::Dashboard::start(binary, env.hub().kubeconfig(), log).await?;
    let clusters = objects.insights.len();
    let listed_at = dashboard
        .wait_for(
            "fleet",
            |view| {
                view["clusters"]
                    .as_array()
                    .is_some_and(|c| c.len() == clusters)
            },
            LIST_TIMEOUT,
        )
        .await?;
    let written_to_listed_ms = (listed_at - written_at).as_secs_f64() * 1e3;
    eprintln!(
        "bench: the dashboard listed {clusters} clusters {written_to_listed_ms:.0} ms after the last write"
    );
    let pages = pages_of(objects, size.spread)?;
    let weights = whole_views(&dashboard, objects, &pages, size.rounds).await?;
    eprintln!(
        "bench: loading each page {} times in headless Chromium",
        size.rounds
    );
    let browser_log = log.with_file_name("dashboard-chromedriver.log");
    let browser = Browser::start(browser_log, 1300, 1000).await?;
    let draws = pages::first_draws(&browser, &dashboard.url, &pages, size.rounds).await?;
    drop(browser);
    let memory = dashboard.memory()?;
    dashboard.stop().await?;
    let pages = pages
        .into_iter()
        .zip(weights)
        .zip(draws)
        .map(|((page, (weight, view_ms)), draws)| {
            let first_draw_ms: Vec<f64> = draws.iter().map(|d| d.first_draw_ms).collect();
            PageResult {
                first_draw: Spread::of(&first_draw_ms),
                page,
                weight,
                view_ms,
                first_draw_ms,
                frame_end_ms: draws.iter().map(|d| d.frame_end_ms).collect(),
            }
        })
        .collect();
    Ok(Measured {
        written_to_listed_ms,
        pages,
        memory,
    })
}

/// Waits until every page's view is whole (the FleetInsight and placement watches list in
/// parallel with the ClusterInsights'), so that each round measures the same drawing; then
/// weighs each page and times `samples` requests for its view.
async fn whole_views(
    dashboard: &plugin::Dashboard,
    objects: &Objects,
    pages: &[Page],
    samples: usize,
) -> Result<Vec<(pages::Weight, Spread)>> {
    let fleet_display = objects.fleet.clusters.display.as_str();
    dashboard
        .wait_for(
            "fleet",
            |v| v["totals"]["clusters"] == fleet_display,
            LIST_TIMEOUT,
        )
        .await?;
    let mut weights = Vec::new();
    for page in pages {
        let api = page.view.trim_start_matches("/api/");
        dashboard
            .wait_for(api, |v| !v.is_null(), LIST_TIMEOUT)
            .await?;
        let weight = pages::weight(dashboard, page).await?;
        weights.push((weight, pages::serve_times(dashboard, page, samples).await?));
    }
    Ok(weights)
}

/// The three pages, each with what it must show once drawn: every cluster's tile, every node
/// the big member's ClusterInsight lists, every cluster of the measured placement.
fn pages_of(objects: &Objects, spread: usize) -> Result<Vec<Page>> {
    let clusters = objects.insights.len();
    let (big, status) = objects.big().context("no cluster")?;
    let listed = status.node_details.items.len();
    let featured = placements::featured_key(&objects.placements).context("no placement")?;
    Ok(vec![
        Page {
            name: "fleet",
            fragment: "#/".into(),
            view: "/api/fleet".into(),
            check: format!(
                "return document.querySelectorAll('.tile[data-cluster]').length === {clusters};"
            ),
        },
        Page {
            name: "cluster",
            fragment: format!("#/cluster/{big}"),
            view: format!("/api/cluster/{big}"),
            check: format!(
                "return document.querySelectorAll('.heat [data-node]').length === {listed};"
            ),
        },
        Page {
            name: "workload",
            fragment: format!("#/workload/{featured}"),
            view: format!("/api/workload/{featured}"),
            check: format!(
                "return document.querySelectorAll('[data-target]').length === {spread};"
            ),
        },
    ])
}
