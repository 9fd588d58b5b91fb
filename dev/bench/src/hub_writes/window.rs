//! One measured window: `concurrency` writers send one kind of write back to back for a fixed
//! time, and the hub kube-apiserver's CPU time over the window is divided by the writes it
//! accepted. The writers keep the hub busy, so the CPU per write is what a write costs the hub
//! at saturation, the state the fleet benchmark found it in (section 7d of docs/benchmarks.md).

use super::summary::Raw;
use super::writer::{Kind, Writer};
use anyhow::Result;
use karmada_manager_api::ClusterInsightStatus;
use std::time::Duration;
use tokio::time::Instant;

/// How every window runs.
pub struct Plan {
    pub concurrency: usize,
    pub seconds: u64,
    /// The hub kube-apiserver's process id, whose CPU time is read from `/proc`.
    pub hub_pid: u32,
}

/// What one writer saw.
#[derive(Default)]
struct Tally {
    latencies_ms: Vec<f64>,
    errors: usize,
    first_error: Option<String>,
}

/// Writes of `kind` for `plan.seconds`; the window ends when the last write in flight returns,
/// and the CPU time is read over the same span.
pub async fn measure(
    writer: &Writer,
    kind: Kind,
    whole: &ClusterInsightStatus,
    plan: &Plan,
) -> Result<Raw> {
    let bench_pid = std::process::id();
    let (hub_before, bench_before) = (
        crate::cpu::process_secs(plan.hub_pid)?,
        crate::cpu::process_secs(bench_pid)?,
    );
    let started = Instant::now();
    let deadline = started + Duration::from_secs(plan.seconds);
    let writers = (0..plan.concurrency.max(1))
        .map(|first| run_writer(writer, kind, whole, first, plan.concurrency, deadline));
    let tallies = futures::future::join_all(writers).await;
    let seconds = started.elapsed().as_secs_f64();
    let hub_cpu_secs = crate::cpu::process_secs(plan.hub_pid)? - hub_before;
    let bench_cpu_secs = crate::cpu::process_secs(bench_pid)? - bench_before;
    let mut raw = Raw {
        seconds,
        hub_cpu_secs,
        bench_cpu_secs,
        ..Raw::default()
    };
    for tally in tallies {
        raw.latencies_ms.extend(tally.latencies_ms);
        raw.errors += tally.errors;
        raw.first_error = raw.first_error.or(tally.first_error);
    }
    Ok(raw)
}

/// One writer: objects `first`, `first + stride`, ... in turn until the deadline, so that the
/// writers spread over the objects rather than queue on one.
async fn run_writer(
    writer: &Writer,
    kind: Kind,
    whole: &ClusterInsightStatus,
    first: usize,
    stride: usize,
    deadline: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut i = first;
    while Instant::now() < deadline {
        let name = &writer.names[i % writer.names.len()];
        let sent = Instant::now();
        match writer.write(kind, whole, name).await {
            Ok(()) => tally.latencies_ms.push(sent.elapsed().as_secs_f64() * 1e3),
            Err(err) => {
                tally.errors += 1;
                tally.first_error.get_or_insert_with(|| err.to_string());
            }
        }
        i += stride.max(1);
    }
    tally
}
