//! What one ClusterInsight status write costs the hub, by the size of the object.
//!
//! The fleet benchmark found the hub, not the operator, the bottleneck at Karmada's published
//! scale: 100 insights of about 100 KB each, rewritten on every change, saturate a hub
//! kube-apiserver. This benchmark isolates that cost. It starts a real hub (etcd and
//! kube-apiserver with our CRDs, no operator), creates N ClusterInsights, and for each status
//! size (`--details`: the number of `nodeDetails.items`, the part of a status that grows with
//! the member) and each kind of write ([`Kind`]) keeps the hub saturated for a window, then
//! divides the kube-apiserver's CPU time by the writes it accepted.
//!
//! The three kinds tell whether a writer could pay less by sending less: `apply` is the
//! operator's write (server-side apply of the whole status), `apply-part` and `merge-part`
//! change only `status.pods`. If the hub's cost follows the stored object rather than the
//! patch, only smaller objects (or fewer writes) lower it.
//!
//! Rounds are interleaved: each round applies each size's whole status to every object, then
//! runs one window of every kind, in an order rotated by one each round, so that no kind always
//! runs first after the objects were rewritten. Figures are medians over rounds
//! ([`summary`]).

mod report;
mod status;
mod summary;
mod window;
mod writer;

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::PathBuf;
use summary::{Line, Row, Sample, Size};
use window::Plan;
use writer::{Kind, Writer};

#[derive(clap::Args)]
pub struct WritesArgs {
    /// ClusterInsights written to (the fleet's members).
    #[arg(long, default_value_t = 100)]
    objects: usize,
    /// Writes in flight at once: enough to keep the hub busy.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Length of one window (one size and kind in one round), in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Status sizes, as node details listed (`nodeDetails.items`; the operator lists at most
    /// 200).
    #[arg(long, value_delimiter = ',', default_value = "200,50,0")]
    details: Vec<usize>,
    /// Kinds of write measured.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "apply,apply-part,merge-part"
    )]
    kinds: Vec<Kind>,
    /// Rounds; each visits every size and kind once.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Where to write the JSON result.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench/writes.json"))]
    out: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct WritesResult {
    pub machine: crate::machine::Machine,
    /// `/proc/loadavg` when the run began (the machine's figure is taken at the end).
    pub load_average_at_start: String,
    pub objects: usize,
    pub concurrency: usize,
    pub seconds: u64,
    pub rounds: usize,
    pub sizes: Vec<Size>,
    /// Per (size, kind), medians over the rounds.
    pub rows: Vec<Row>,
    /// Per kind, the CPU per write as fixed + per-KB cost.
    pub lines: Vec<Line>,
    /// Every window, in the order they ran.
    pub samples: Vec<Sample>,
}

pub fn run(args: WritesArgs) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_async(args))
}

async fn run_async(args: WritesArgs) -> Result<()> {
    anyhow::ensure!(
        !args.details.is_empty() && !args.kinds.is_empty(),
        "need a size and a kind"
    );
    let load_average_at_start = crate::machine::describe().load_average;
    let hub = crate::fleet_scale::hub::start().await?;
    let plan = Plan {
        concurrency: args.concurrency.max(1),
        seconds: args.seconds,
        hub_pid: hub
            .hub()
            .pid()
            .context("the hub kube-apiserver is not running")?,
    };
    let writer = Writer::create(hub.hub().client().await?, args.objects).await?;
    let mut sizes: Vec<Size> = args
        .details
        .iter()
        .map(|&details| {
            Ok(Size {
                details,
                status_bytes: serde_json::to_vec(&status::whole(details, 0))?.len(),
                object_bytes: 0,
            })
        })
        .collect::<Result<_>>()?;
    let rounds = args.rounds.max(1);
    let mut samples = Vec::new();
    for round in 0..rounds {
        for size in &mut sizes {
            samples.extend(size_round(&writer, &plan, size, &args.kinds, round, rounds).await?);
        }
    }
    let rows = summary::rows(&sizes, &args.kinds, &samples);
    let result = WritesResult {
        machine: crate::machine::describe(),
        load_average_at_start,
        objects: args.objects,
        concurrency: plan.concurrency,
        seconds: args.seconds,
        rounds,
        sizes,
        lines: summary::lines(&args.kinds, &rows),
        rows,
        samples,
    };
    report::print(&result);
    let written = crate::output::write_json(&args.out, &result)?;
    eprintln!("bench: wrote {}", written.display());
    Ok(())
}

/// One size in one round: the whole status applied to every object, its stored size read,
/// then one window of each kind, starting with kind `round` (mod the kinds).
async fn size_round(
    writer: &Writer,
    plan: &Plan,
    size: &mut Size,
    kinds: &[Kind],
    round: usize,
    rounds: usize,
) -> Result<Vec<Sample>> {
    let whole = status::whole(size.details, 0);
    writer.apply_everywhere(&whole, plan.concurrency).await?;
    size.object_bytes = writer.stored_bytes().await?;
    let mut samples = Vec::new();
    for &kind in kinds
        .iter()
        .cycle()
        .skip(round % kinds.len())
        .take(kinds.len())
    {
        let raw = window::measure(writer, kind, &whole, plan).await?;
        let sample = Sample::of(round, size.details, kind, raw);
        eprintln!(
            "bench: round {}/{rounds}, {} details ({:.1} KB), {:<10}: {:.1} writes/s, hub {:.1} ms/write ({:.2} cores), p50 {:.0} ms, p99 {:.0} ms, {} errors",
            round + 1,
            size.details,
            size.status_bytes as f64 / 1e3,
            kind.name(),
            sample.writes_per_sec,
            sample.hub_cpu_ms_per_write,
            sample.hub_cores,
            sample.p50_ms,
            sample.p99_ms,
            sample.errors
        );
        samples.push(sample);
    }
    Ok(samples)
}
