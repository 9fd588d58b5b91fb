//! Benchmark 9: the members shared across replicas (`run --sharding`). On the fleet
//! benchmark's simulated members and real hub (`crate::fleet_scale`), the release operator
//! runs as 1, 2 and 4 replicas, each a process of its own with a distinct `POD_NAME`. For each
//! group it measures the initial sync of the whole fleet (wall time, CPU and peak RSS of every
//! replica), then the fleet benchmark's steady churn (hub writes per minute, Lease renewals
//! included, steady RSS and CPU of every replica), and which replica watches which member.
//!
//! The groups run in interleaved pairs (1, 2, 4, then 4, 2, 1, …), every group against a
//! fresh shard group (a Lease name of its own), and each N-replica figure is compared with the
//! one-replica figure of the same pair (`crate::paired`).

mod compare;
mod group;
mod logs;
mod report;

use crate::fleet_scale::hub;
use crate::fleet_scale::testbed::{Size, Testbed};
use anyhow::{Context, Result, ensure};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Where the replicas' Leases live (the chart's namespace).
const LEASE_NAMESPACE: &str = "karmada-system";

#[derive(clap::Args)]
pub struct ShardArgs {
    /// Karmada's published scale: 100 members × 5,000 nodes × 20,000 pods (default: 16 × 500
    /// × 2,000, enough members that each of 4 replicas owns some).
    #[arg(long)]
    pub full: bool,
    #[arg(long)]
    pub members: Option<usize>,
    #[arg(long)]
    pub nodes: Option<usize>,
    #[arg(long)]
    pub pods: Option<usize>,
    /// Replica counts measured; the first must be 1, the baseline of every ratio.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 2, 4])]
    pub replicas: Vec<usize>,
    /// Interleaved pairs.
    #[arg(long, default_value_t = 5)]
    pub pairs: usize,
    #[command(flatten)]
    pub churn: crate::fleet_scale::steady::ChurnArgs,
    /// Length of each measured steady window (default: 30 s small, 60 s full).
    #[arg(long)]
    pub steady_seconds: Option<u64>,
    /// Probe changes timed for freshness in each window (default: 20 small, 40 full).
    #[arg(long)]
    pub samples: Option<usize>,
    /// `--leader-election-lease-duration` of the replicas.
    #[arg(long, default_value = "15s")]
    pub lease_duration: String,
    /// `--leader-election-renew-deadline` of the replicas.
    #[arg(long, default_value = "10s")]
    pub renew_deadline: String,
    /// `--leader-election-retry-period` of the replicas (one Lease renewal each).
    #[arg(long, default_value = "2s")]
    pub retry_period: String,
    #[arg(long, default_value_t = 6)]
    pub seed: u64,
    /// Where to write the JSON result (rewritten after every group, so an interrupted run
    /// keeps what it measured).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench/shard.json"))]
    pub out: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct ShardResult {
    pub machine: crate::machine::Machine,
    /// `/proc/loadavg` when the run began (the machine's figure is taken at the end).
    pub load_average_at_start: String,
    pub size: Size,
    pub lease_timings: [String; 3],
    pub churn_share_per_minute: f64,
    /// Share of the changes that replaced a pod.
    pub churn_replaced_share: f64,
    pub pairs: usize,
    /// Every group measured, in the order they ran.
    pub runs: Vec<group::Run>,
    /// Groups that could not be measured (e.g. a replica exited during the sync), and why:
    /// the others still run, and their pairs lack this one's figures.
    pub failed_groups: Vec<FailedGroup>,
    /// Each replica count against one replica, per pair.
    pub against_one: Vec<compare::AgainstOne>,
}

#[derive(Debug, Serialize)]
pub struct FailedGroup {
    pub pair: usize,
    pub replicas: usize,
    pub error: String,
}

pub fn run(args: ShardArgs) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_async(args))
}

async fn run_async(args: ShardArgs) -> Result<()> {
    ensure!(
        args.replicas.first() == Some(&1) && args.replicas.iter().all(|&n| n >= 1),
        "--replicas must start with 1 (the baseline) and hold positive counts"
    );
    let load_average_at_start = crate::machine::describe().load_average;
    let mut bed = setup(&args).await?;
    let mut result = ShardResult {
        machine: crate::machine::describe(),
        load_average_at_start,
        size: args.size(),
        lease_timings: [
            args.lease_duration.clone(),
            args.renew_deadline.clone(),
            args.retry_period.clone(),
        ],
        churn_share_per_minute: args.churn.churn,
        churn_replaced_share: args.churn.churn_replaced,
        pairs: args.pairs(),
        runs: Vec::new(),
        failed_groups: Vec::new(),
        against_one: Vec::new(),
    };
    for pair in 0..args.pairs() {
        // Every other pair in reverse, so that a drift of the machine's load over the run
        // favours no replica count.
        let mut order = args.replicas.clone();
        if pair % 2 == 1 {
            order.reverse();
        }
        for replicas in order {
            let plan = args.group_plan(&bed, pair, replicas);
            match group::measure(&mut bed, &plan).await {
                Ok(run) => {
                    eprintln!("bench: {}", report::one_line(&run));
                    result.runs.push(run);
                }
                Err(err) => {
                    let error = format!("{err:#}");
                    eprintln!(
                        "bench: pair {}, {replicas} replica(s) failed: {error}",
                        plan.pair
                    );
                    let (pair, replicas) = (plan.pair, replicas);
                    result.failed_groups.push(FailedGroup {
                        pair,
                        replicas,
                        error,
                    });
                }
            }
            result.against_one = compare::against_one(&result.runs, &args.replicas);
            result.machine = crate::machine::describe();
            crate::output::write_json(&args.out, &result)?;
        }
    }
    report::print(&result);
    let path = crate::output::write_json(&args.out, &result)?;
    eprintln!("bench: wrote {}", path.display());
    Ok(())
}

/// The testbed with every member registered, the Leases' namespace, and the operator copied
/// aside: every group runs the same build, even if the tree is rebuilt meanwhile.
async fn setup(args: &ShardArgs) -> Result<Testbed> {
    let size = args.size();
    let mut bed = Testbed::start(size, args.seed).await?;
    has_sharding(&bed.binary)?;
    let copy = args.out.with_file_name("shard-karmada-manager");
    std::fs::create_dir_all(copy.parent().context("no output directory")?)?;
    std::fs::copy(&bed.binary, &copy)
        .with_context(|| format!("copying the operator to {}", copy.display()))?;
    bed.binary = copy;
    testenv::join::apply_namespace(&bed.hub, LEASE_NAMESPACE).await?;
    hub::register_members(&bed.hub, &bed.sim.endpoints, 0..size.members).await?;
    Ok(bed)
}

/// Refuses to measure an operator without `--sharding`, rather than failing on its arguments.
fn has_sharding(binary: &Path) -> Result<()> {
    let help = Command::new(binary)
        .args(["run", "--help"])
        .output()
        .with_context(|| format!("running {} run --help", binary.display()))?;
    ensure!(
        String::from_utf8_lossy(&help.stdout).contains("--sharding"),
        "{} has no `run --sharding`: nothing to measure",
        binary.display()
    );
    Ok(())
}

impl ShardArgs {
    fn size(&self) -> Size {
        let small = Size {
            members: 16,
            nodes_per_member: 500,
            pods_per_member: 2_000,
        };
        Size::pick(self.full, small, [self.members, self.nodes, self.pods])
    }

    fn pairs(&self) -> usize {
        self.pairs.max(1)
    }

    /// What group `replicas` of pair `pair` runs with.
    fn group_plan(&self, bed: &Testbed, pair: usize, replicas: usize) -> group::Plan {
        let pick = |value: Option<u64>, full: u64, small: u64| {
            value.unwrap_or(if self.full { full } else { small })
        };
        let mut steady = crate::fleet_scale::steady::Plan::spread(
            &bed.sim.endpoints.members,
            self.churn.mix(),
            Duration::from_secs(if self.full { 30 } else { 10 }),
            Duration::from_secs(pick(self.steady_seconds, 60, 30)),
            self.samples.unwrap_or(if self.full { 40 } else { 20 }),
        );
        steady.lease_namespace = Some(LEASE_NAMESPACE.into());
        let lease_name = format!("bench-shard-{}-of-{replicas}", pair + 1);
        let mut args: Vec<String> = vec!["--sharding".into()];
        for (flag, value) in [
            ("--leader-election-namespace", LEASE_NAMESPACE),
            ("--leader-election-lease-name", &lease_name),
            ("--leader-election-lease-duration", &self.lease_duration),
            ("--leader-election-renew-deadline", &self.renew_deadline),
            ("--leader-election-retry-period", &self.retry_period),
        ] {
            args.extend([flag.to_owned(), value.to_owned()]);
        }
        group::Plan {
            pair: pair + 1,
            replicas,
            args,
            logs: self.out.with_file_name("shard-operator"),
            sync_timeout: Duration::from_secs(if self.full { 3_600 } else { 600 }),
            steady,
        }
    }
}
