//! karmada-manager benchmarks: does the operator keep up with a large fleet? `bench ingest` is
//! benchmark 1, the synthetic ingest core: realistic watch-event JSON for a fleet, pushed through
//! the operator's decode → index → status path and through two baselines, each variant in its own
//! child process.
//!
//! ```sh
//! cargo xtask bench            # small size (2 × 5,000 nodes × 20,000 pods)
//! cargo xtask bench --full     # Karmada's published scale (100 × 5,000 × 20,000)
//! ```

/// The operator's own allocator (`crates/operator/src/main.rs`).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

mod child;
mod cpu;
mod dashboard;
mod fit;
mod fleet_scale;
mod generate;
mod hub_scale;
mod hub_writes;
mod live;
mod machine;
mod memory;
mod output;
mod paired;
mod paths;
mod report;
mod results;
mod run;
mod shard_scale;
mod sim;
mod status_build;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use results::{Decode, Scale, Variant};

#[derive(Parser)]
#[command(name = "bench", about = "karmada-manager benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Benchmark 1: synthetic ingest core (decode → index → status) against its baselines.
    Ingest(IngestArgs),
    /// Benchmark 5: the fit estimates of many shapes on one large member, cached against
    /// recounted.
    Fit(fit::FitArgs),
    /// Benchmarks 2 and 3: a real API server — initial sync, freshness, cluster summary, and
    /// write amplification under churn.
    Live(live::LiveArgs),
    /// Benchmark 8: the hub at scale — every WorkloadPlacement written for 10,000 bindings,
    /// and the steady cost of binding churn on N against 2N bindings.
    Hub(hub_scale::HubArgs),
    /// Benchmark 6: the kubectl plugin's dashboard at 1,000 clusters and a 5,000-node member —
    /// page weight, time to first drawing in headless Chromium, listing time, peak RSS.
    Dashboard(dashboard::DashboardArgs),
    /// The operator process at fleet scale against simulated members: initial sync of one
    /// member against a bare LIST, of the whole fleet, and freshness, hub writes and RSS under
    /// steady churn.
    Fleet(fleet_scale::FleetArgs),
    /// Benchmark 9: the members shared across 1, 2 and 4 replicas (`run --sharding`) on the
    /// simulated fleet — initial sync, RSS and CPU per replica, hub writes under steady churn,
    /// each against one replica.
    Shard(shard_scale::ShardArgs),
    /// Simulated member API servers in this process, until stdin closes (run by `fleet`; see
    /// `src/sim/process.rs` for the commands it takes on stdin).
    Sim(sim::SimOptions),
    /// What one ClusterInsight status write costs the hub kube-apiserver, by the size of the
    /// object: CPU per write, writes/s and latency for whole and partial writes.
    Writes(hub_writes::WritesArgs),
    /// One variant in this process, reporting JSON on stdout (run by `ingest`).
    #[command(hide = true)]
    Measure {
        #[arg(long, value_enum)]
        variant: Variant,
        #[arg(long, value_enum)]
        decode: Decode,
        #[command(flatten)]
        scale: Scale,
        #[arg(long)]
        seed: u64,
        #[arg(long)]
        builds: usize,
    },
}

#[derive(clap::Args)]
pub struct IngestArgs {
    /// Karmada's published scale (100 clusters × 5,000 nodes × 20,000 pods) instead of the
    /// small one (2 clusters of the same size).
    #[arg(long)]
    full: bool,
    /// Override the number of member clusters.
    #[arg(long)]
    clusters: Option<usize>,
    /// Override the nodes per member.
    #[arg(long)]
    nodes: Option<usize>,
    /// Override the pods per member.
    #[arg(long)]
    pods: Option<usize>,
    /// Most members the naive baseline ingests: full objects for the whole fleet would not fit
    /// in this machine's memory, and its per-object figures do not depend on the member count.
    #[arg(long, default_value_t = 2)]
    naive_clusters: usize,
    /// How every variant decodes a line: `slice` = `serde_json::from_slice`; `lines` = what
    /// kube-client does (UTF-8 check and copy of the line, then `serde_json::from_str`).
    #[arg(long, value_enum, default_value = "slice")]
    decode: Decode,
    /// Seed of the generated fleet; the same seed yields the same bytes.
    #[arg(long, default_value_t = 6)]
    seed: u64,
    /// Rounds of all three variants, interleaved: each round pairs ours with each baseline,
    /// and every ratio is the median of the per-round ratios.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Status builds timed (the median is reported).
    #[arg(long, default_value_t = 15)]
    builds: usize,
    /// Where to write the JSON result.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench/ingest.json"))]
    out: PathBuf,
}

impl IngestArgs {
    fn scale(&self) -> Scale {
        let base = if self.full { Scale::FULL } else { Scale::SMALL };
        Scale {
            clusters: self.clusters.unwrap_or(base.clusters),
            nodes: self.nodes.unwrap_or(base.nodes),
            pods: self.pods.unwrap_or(base.pods),
        }
    }

    fn rounds(&self) -> usize {
        self.rounds.max(1)
    }

    /// `small`, `full`, or `custom` when a size was overridden.
    fn size_name(&self) -> &'static str {
        match (self.scale(), self.full) {
            (s, true) if s == Scale::FULL => "full",
            (s, false) if s == Scale::SMALL => "small",
            _ => "custom",
        }
    }
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Ingest(args) => run::ingest(&args),
        Command::Live(args) => live::run(args),
        Command::Fit(args) => fit::run(&args),
        Command::Dashboard(args) => dashboard::run(args),
        Command::Fleet(args) => fleet_scale::run(args),
        Command::Sim(options) => sim::process::serve(&options),
        Command::Writes(args) => hub_writes::run(args),
        Command::Hub(args) => hub_scale::run(args),
        Command::Shard(args) => shard_scale::run(args),
        Command::Measure {
            variant,
            decode,
            scale,
            seed,
            builds,
        } => {
            let run = child::run(variant, decode, scale, seed, builds)?;
            serde_json::to_writer(std::io::stdout().lock(), &run)?;
            Ok(())
        }
    }
}
