//! One measured group: N replicas started together in a fresh shard group, the whole fleet's
//! initial sync, the fleet benchmark's steady churn, and at the end which replica owns and
//! watches which member.

use super::logs::{self, LogSummary};
use crate::fleet_scale::replicas::{self, Replica, Start, Synced};
use crate::fleet_scale::steady::{self, SteadyResult};
use crate::fleet_scale::{hub, testbed::Testbed};
use crate::live::operator::{Launch, sum};
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// What one group runs with.
pub struct Plan {
    /// 1-based, as printed.
    pub pair: usize,
    pub replicas: usize,
    /// `run` arguments of every replica: `--sharding` and the Lease settings.
    pub args: Vec<String>,
    /// Replica i's log goes to `<logs>-<pair>-<replicas>-<i>.log`.
    pub logs: PathBuf,
    pub sync_timeout: Duration,
    pub steady: steady::Plan,
}

#[derive(Debug, Serialize)]
pub struct Run {
    pub pair: usize,
    pub replicas: usize,
    pub sync: Synced,
    /// Absent when the steady phase failed (`steady_error` says why).
    pub steady: Option<SteadyResult>,
    pub steady_error: Option<String>,
    /// Each replica at the end of the group, in the order they were started.
    pub at_end: Vec<ReplicaEnd>,
    /// Members no replica watched at the end, and members more than one replica watched.
    pub unwatched: Vec<String>,
    pub watched_twice: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ReplicaEnd {
    pub pod_name: String,
    /// `karmada_manager_shard_members`: members it owns.
    pub owned_members: f64,
    /// `karmada_manager_shard_replicas`: live replicas it sees.
    pub replicas_seen: f64,
    /// Members with a `karmada_manager_member_watch_up` series: those it watches.
    pub watched_members: usize,
    /// `VmHWM` at the end: the peak over the sync and the churn.
    pub peak_rss_mib: f64,
    pub log: LogSummary,
}

pub async fn measure(bed: &mut Testbed, plan: &Plan) -> Result<Run> {
    hub::delete_insights(&bed.hub).await?;
    let starts: Vec<Start> = (0..plan.replicas)
        .map(|i| Start {
            launch: Launch {
                args: plan.args.clone(),
                env: vec![("POD_NAME".into(), pod_name(i))],
            },
            log: log_path(plan, i),
        })
        .collect();
    eprintln!(
        "bench: pair {}: {} replica(s), initial sync of the fleet",
        plan.pair, plan.replicas
    );
    let (mut group, sync) = replicas::start_and_sync(bed, &starts, plan.sync_timeout).await?;
    eprintln!(
        "bench: synced in {:.1} s; steady churn ({} of pods per minute)",
        sync.wall_seconds, plan.steady.churn.share_per_minute
    );
    let steady = steady::measure(&bed.hub, &group, &mut bed.sim, &plan.steady).await;
    // A failed window may have left the churn on, which would slow the next group's sync.
    bed.sim.set_churn(crate::sim::ChurnMix::default()).await?;
    let at_end = at_end(&mut group).await?;
    replicas::stop(group).await?;
    let (unwatched, watched_twice) = watchers(&bed.sim.endpoints.members, &at_end.1);
    Ok(Run {
        pair: plan.pair,
        replicas: plan.replicas,
        sync,
        steady_error: steady.as_ref().err().map(|e| format!("{e:#}")),
        steady: steady.ok(),
        at_end: at_end.0,
        unwatched,
        watched_twice,
    })
}

fn pod_name(i: usize) -> String {
    format!("bench-shard-{i}")
}

fn log_path(plan: &Plan, i: usize) -> PathBuf {
    let mut name = plan.logs.file_name().unwrap_or_default().to_owned();
    name.push(format!("-{}-{}-{i}.log", plan.pair, plan.replicas));
    plan.logs.with_file_name(name)
}

/// Each replica's shard figures, peak memory and log; and the members each one watches.
async fn at_end(group: &mut [Replica]) -> Result<(Vec<ReplicaEnd>, Vec<Vec<String>>)> {
    let metrics = replicas::metrics(group).await?;
    let since = group.first().map(|r| r.operator.started);
    let mut ends = Vec::with_capacity(group.len());
    let mut watched = Vec::with_capacity(group.len());
    for (i, (replica, metrics)) in group.iter_mut().zip(&metrics).enumerate() {
        let members = watched_members(metrics);
        let lines = replica.operator.drain_log();
        ends.push(ReplicaEnd {
            pod_name: pod_name(i),
            owned_members: sum(metrics, "karmada_manager_shard_members", &[]),
            replicas_seen: sum(metrics, "karmada_manager_shard_replicas", &[]),
            watched_members: members.len(),
            peak_rss_mib: replica.usage.now()?.peak_rss_mib,
            log: logs::summarize(&lines, since.unwrap_or(replica.operator.started)),
        });
        watched.push(members);
    }
    Ok((ends, watched))
}

/// The `cluster` label of every `karmada_manager_member_watch_up` series.
fn watched_members(metrics: &[(String, f64)]) -> Vec<String> {
    metrics
        .iter()
        .filter_map(|(series, _)| {
            let labels = series.strip_prefix("karmada_manager_member_watch_up{")?;
            let value = labels.split("cluster=\"").nth(1)?;
            Some(value.split('"').next()?.to_owned())
        })
        .collect()
}

/// Members watched by no replica, and by more than one.
fn watchers(
    members: &[crate::sim::Endpoint],
    watched: &[Vec<String>],
) -> (Vec<String>, Vec<String>) {
    let mut count: BTreeMap<&str, usize> = members.iter().map(|m| (m.name.as_str(), 0)).collect();
    for name in watched.iter().flatten() {
        *count.entry(name).or_insert(0) += 1;
    }
    let pick = |keep: fn(usize) -> bool| {
        count
            .iter()
            .filter(|(_, n)| keep(**n))
            .map(|(name, _)| (*name).to_owned())
            .collect()
    };
    (pick(|n| n == 0), pick(|n| n > 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_watched_members_from_the_metrics() {
        let metrics = vec![
            (
                "karmada_manager_member_watch_up{cluster=\"sim-001\"}".into(),
                1.0,
            ),
            (
                "karmada_manager_member_watch_up{cluster=\"sim-003\"}".into(),
                0.0,
            ),
            ("karmada_manager_shard_members".into(), 2.0),
        ];
        assert_eq!(watched_members(&metrics), ["sim-001", "sim-003"]);
        let member = |name: &str| crate::sim::Endpoint {
            name: name.into(),
            url: String::new(),
            nodes: 1,
            pods: 1,
        };
        let members = [member("sim-001"), member("sim-002"), member("sim-003")];
        let watched = [watched_members(&metrics), vec!["sim-003".into()]];
        let (none, twice) = watchers(&members, &watched);
        assert_eq!(
            (none, twice),
            (vec!["sim-002".into()], vec!["sim-003".into()])
        );
    }
}
