//! The operator process at fleet scale, against simulated members (`crate::sim`, in a process
//! of its own): a real hub (etcd + kube-apiserver), N Clusters registered with the simulated
//! members' endpoints, token and CA, and the release operator with default settings. Measured
//! against the same simulated servers in one run:
//! 1. initial sync of one member against a bare LIST of it, in interleaved pairs of a fresh
//!    operator process and a LIST (only that member registered);
//! 2. initial sync of the whole fleet: wall time and operator CPU until every ClusterInsight
//!    counts every node and pod, and peak RSS;
//! 3. steady churn: freshness of a probe change, hub writes per minute, steady RSS;
//!
//! and, when asked (`--first-list-pairs`), what the turns for a member's first list buy:
//! interleaved pairs of the fleet's initial sync with and without them (`first_lists`).

mod first_lists;
pub mod hub;
mod probes;
pub mod replicas;
mod report;
pub mod steady;
pub mod testbed;
pub mod usage;

use crate::live::operator::Launch;
use crate::live::sync::{self, Pairs};
use anyhow::Result;
use replicas::Start;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use testbed::{Size, Testbed};
use usage::Usage;

#[derive(clap::Args)]
pub struct FleetArgs {
    /// Karmada's published scale: 100 members × 5,000 nodes × 20,000 pods (default: 4 ×
    /// 1,000 × 4,000).
    #[arg(long)]
    pub full: bool,
    #[arg(long)]
    pub members: Option<usize>,
    #[arg(long)]
    pub nodes: Option<usize>,
    #[arg(long)]
    pub pods: Option<usize>,
    /// Interleaved pairs of a fresh operator and a bare LIST of one member.
    #[arg(long, default_value_t = 5)]
    pub pairs: usize,
    #[command(flatten)]
    pub churn: crate::fleet_scale::steady::ChurnArgs,
    /// Length of the measured steady window (default: 60 s small, 180 s full).
    #[arg(long)]
    pub steady_seconds: Option<u64>,
    /// Probe changes timed for freshness (default: 40 small, 100 full).
    #[arg(long)]
    pub samples: Option<usize>,
    /// Drift probes timed after them (a million restarts added to a probe pod → the member's
    /// `pods.restarts`): how late figures that drift are (default: 10 small, 20 full).
    #[arg(long)]
    pub drift_samples: Option<usize>,
    #[arg(long, default_value_t = 6)]
    pub seed: u64,
    /// Interleaved pairs of the fleet's initial sync with `--first-list-turns` members listing
    /// at once and with no limit (0: not measured).
    #[arg(long, default_value_t = 0)]
    pub first_list_pairs: usize,
    /// `--member-sync-concurrency` of the runs with turns.
    #[arg(long, default_value_t = 4)]
    pub first_list_turns: u16,
    /// Where to write the JSON result.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench/fleet.json"))]
    pub out: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct FleetResult {
    pub machine: crate::machine::Machine,
    /// `/proc/loadavg` when the run began (the machine's figure is taken at the end).
    pub load_average_at_start: String,
    pub size: Size,
    pub one_member_sync: OneMember,
    pub fleet_sync: FleetSync,
    /// Present when asked for.
    pub first_lists: Option<first_lists::FirstListPairs>,
    /// Absent when the steady phase failed (`steady_error` says why): the figures before it
    /// are kept.
    pub steady: Option<steady::SteadyResult>,
    pub steady_error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OneMember {
    pub member: String,
    #[serde(flatten)]
    pub pairs: Pairs,
}

#[derive(Debug, Serialize)]
pub struct FleetSync {
    /// Operator process start → every ClusterInsight counts every node and pod.
    pub wall_seconds: f64,
    /// The operator's CPU time (all threads, user + system) over the same span.
    pub cpu_seconds: f64,
    /// The simulated members' CPU time over the same span (generating and encrypting the
    /// lists): the machine's other big consumer.
    pub sim_cpu_seconds: f64,
    pub at_synced: Usage,
}

pub fn run(args: FleetArgs) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_async(args))
}

async fn run_async(args: FleetArgs) -> Result<()> {
    let load_average_at_start = crate::machine::describe().load_average;
    let size = args.size();
    let mut bed = Testbed::start(size, args.seed).await?;
    let log = args.out.with_file_name("fleet-operator.log");

    let one_member = one_member(&bed, args.pairs, &log).await?;
    eprintln!(
        "bench: operator ÷ LIST {}",
        one_member.pairs.operator_over_list.describe(2)
    );

    hub::register_members(&bed.hub, &bed.sim.endpoints, 1..size.members).await?;
    let timeout = Duration::from_secs(if args.full { 3_600 } else { 600 });
    let first_lists = if args.first_list_pairs > 0 {
        eprintln!(
            "bench: {} pairs of the fleet's initial sync, {} members listing at once and no limit",
            args.first_list_pairs, args.first_list_turns
        );
        let turns = args.first_list_turns;
        Some(first_lists::pairs(&bed, turns, args.first_list_pairs, timeout, &log).await?)
    } else {
        None
    };
    hub::delete_insights(&bed.hub).await?;
    eprintln!("bench: whole-fleet initial sync");
    let start = Start {
        launch: Launch::default(),
        log,
    };
    let (replicas, synced) = replicas::start_and_sync(&bed, &[start], timeout).await?;
    let at_synced = synced.replicas[0];
    let fleet_sync = FleetSync {
        wall_seconds: synced.wall_seconds,
        cpu_seconds: at_synced.cpu_seconds,
        sim_cpu_seconds: synced.sim_cpu_seconds,
        at_synced,
    };
    eprintln!("bench: fleet synced: {fleet_sync:?}");

    let plan = args.steady_plan(&bed);
    eprintln!(
        "bench: steady churn ({} of pods per minute, {} of them replaced)",
        plan.churn.share_per_minute, plan.churn.replaced
    );
    let steady = steady::measure(&bed.hub, &replicas, &mut bed.sim, &plan).await;
    replicas::stop(replicas).await?;
    let result = FleetResult {
        machine: crate::machine::describe(),
        load_average_at_start,
        size,
        one_member_sync: one_member,
        fleet_sync,
        first_lists,
        steady_error: steady.as_ref().err().map(|e| format!("{e:#}")),
        steady: steady.ok(),
    };
    report::print(&result);
    let path = crate::output::write_json(&args.out, &result)?;
    eprintln!("bench: wrote {}", path.display());
    Ok(())
}

/// Interleaved pairs against the first member, registered alone.
async fn one_member(bed: &Testbed, pairs: usize, log: &Path) -> Result<OneMember> {
    hub::register_members(&bed.hub, &bed.sim.endpoints, 0..1).await?;
    let member = bed.sim.endpoints.client(0)?;
    let name = bed.sim.endpoints.members[0].name.clone();
    eprintln!("bench: {pairs} pairs of a fresh operator and a bare LIST of {name}");
    let (binary, kubeconfig) = (&bed.binary, bed.kubeconfig());
    let pairs = sync::pairs(&member, binary, kubeconfig, &name, pairs, log).await?;
    Ok(OneMember {
        member: name,
        pairs,
    })
}

impl FleetArgs {
    fn size(&self) -> Size {
        let small = Size {
            members: 4,
            nodes_per_member: 1_000,
            pods_per_member: 4_000,
        };
        Size::pick(self.full, small, [self.members, self.nodes, self.pods])
    }

    fn steady_plan(&self, bed: &Testbed) -> steady::Plan {
        let pick = |value: Option<u64>, full: u64, small: u64| {
            value.unwrap_or(if self.full { full } else { small })
        };
        let mut plan = steady::Plan::spread(
            &bed.sim.endpoints.members,
            self.churn.mix(),
            Duration::from_secs(if self.full { 60 } else { 15 }),
            Duration::from_secs(pick(self.steady_seconds, 180, 60)),
            self.samples.unwrap_or(if self.full { 100 } else { 40 }),
        );
        plan.drift_samples = self
            .drift_samples
            .unwrap_or(if self.full { 20 } else { 10 });
        plan
    }
}
