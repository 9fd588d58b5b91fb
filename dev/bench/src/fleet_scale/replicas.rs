//! The operator processes under a fleet run: one for the fleet benchmark, several sharing the
//! members for the shard benchmark. Each replica is a release operator process with its own
//! RSS and CPU sampler; what the hub sees is summed over the replicas.

use super::hub;
use super::testbed::Testbed;
use super::usage::{Sampler, Usage};
use crate::live::operator::{Launch, Operator, sum};
use anyhow::{Context, Result, bail};
use futures::future::try_join_all;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;
use tokio::time::Instant;

/// One operator process and the sampler of its resources.
pub struct Replica {
    pub operator: Operator,
    pub usage: Sampler,
}

/// How to start one replica: its settings and where its log is copied.
pub struct Start {
    pub launch: Launch,
    pub log: PathBuf,
}

/// The whole fleet's initial sync by a group of replicas started together.
#[derive(Debug, Serialize)]
pub struct Synced {
    /// First replica's start → every ClusterInsight counts every node and pod.
    pub wall_seconds: f64,
    /// The simulated members' CPU time over the same span (generating and encrypting the
    /// lists): the machine's other big consumer.
    pub sim_cpu_seconds: f64,
    /// Each replica's CPU time and memory at that moment, in the order they were started.
    pub replicas: Vec<Usage>,
}

/// Starts one replica per entry of `starts`, all at once, and waits until every ClusterInsight
/// of the fleet counts everything (at most `timeout`).
pub async fn start_and_sync(
    bed: &Testbed,
    starts: &[Start],
    timeout: Duration,
) -> Result<(Vec<Replica>, Synced)> {
    let sim_pid = bed.sim.pid().context("`bench sim` has exited")?;
    let sim_cpu = crate::cpu::process_secs(sim_pid)?;
    let started = Instant::now();
    let mut replicas = Vec::with_capacity(starts.len());
    for start in starts {
        let operator =
            Operator::start_with(&bed.binary, bed.kubeconfig(), &start.log, &start.launch)?;
        let usage = Sampler::start(operator.pid().context("the operator has exited")?);
        replicas.push(Replica { operator, usage });
    }
    let synced = until_synced(bed, &mut replicas, timeout).await?;
    let usage = replicas
        .iter()
        .map(|r| r.usage.now())
        .collect::<Result<Vec<_>>>()?;
    let synced = Synced {
        wall_seconds: (synced - started).as_secs_f64(),
        sim_cpu_seconds: crate::cpu::process_secs(sim_pid)? - sim_cpu,
        replicas: usage,
    };
    Ok((replicas, synced))
}

/// When every ClusterInsight counts everything; an error as soon as a replica exits, rather
/// than at the timeout (e.g. a replica that could not renew its Lease in time).
async fn until_synced(
    bed: &Testbed,
    replicas: &mut [Replica],
    timeout: Duration,
) -> Result<Instant> {
    let synced = hub::all_synced(&bed.hub, &bed.sim.endpoints, timeout);
    let mut synced = std::pin::pin!(synced);
    let mut every = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            at = &mut synced => return at,
            _ = every.tick() => {
                for (i, replica) in replicas.iter_mut().enumerate() {
                    if let Some(status) = replica.operator.exited() {
                        bail!("replica {i} exited ({status}) before the fleet synced: {}", last_words(replica).await);
                    }
                }
            }
        }
    }
}

/// What an exited replica said last: the error its `main` printed, else its last log line.
async fn last_words(replica: &mut Replica) -> String {
    // The log copy reads to the end of stderr shortly after the exit.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let lines: Vec<String> = replica
        .operator
        .drain_log()
        .into_iter()
        .map(|(_, line)| line)
        .collect();
    let error = lines.iter().rev().find(|l| l.starts_with("error:"));
    error.or(lines.last()).cloned().unwrap_or_default()
}

/// Every replica's `/metrics`, in order.
pub async fn metrics(replicas: &[Replica]) -> Result<Vec<Vec<(String, f64)>>> {
    try_join_all(replicas.iter().map(|r| r.operator.metrics())).await
}

/// The sum over all replicas of the series `name` whose labels contain every one of `labels`.
pub fn sum_all(metrics: &[Vec<(String, f64)>], name: &str, labels: &[&str]) -> f64 {
    metrics.iter().map(|m| sum(m, name, labels)).sum()
}

/// Stops every replica (SIGKILL: nothing of a replica's state is kept between runs).
pub async fn stop(replicas: Vec<Replica>) -> Result<()> {
    for replica in replicas {
        drop(replica.usage);
        replica.operator.stop().await?;
    }
    Ok(())
}
