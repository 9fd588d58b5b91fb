//! Steady churn across the simulated fleet, with the operator in sync: how fresh a probe's
//! change is on the hub (a probe pod marked `Failed` or running again → its member's
//! ClusterInsight `pods.failed`, a figure churn never moves), how many status writes reach the
//! hub per minute, and the operator's RSS and CPU meanwhile.

use super::usage::Sampler;
use crate::live::churn::count_changes;
use crate::live::freshness::{Seen, follow, wait_any};
use crate::live::operator::{Operator, sum};
use crate::live::stats::Distribution;
use crate::sim::process::SimProcess;
use anyhow::Result;
use karmada_manager_api::ClusterInsight;
use kube::api::Api;
use kube::core::PartialObjectMeta;
use serde::Serialize;
use std::time::Duration;
use tokio::time::Instant;

pub struct Plan {
    /// Share of all pods changed per minute, fleet-wide.
    pub churn: f64,
    /// Churn before measuring, so that the operator is in its steady state.
    pub settle: Duration,
    /// The measured window lasts at least this long (and as long as the probes take).
    pub window: Duration,
    pub samples: usize,
    /// Members whose probe pods are changed, in turn.
    pub probed: Vec<(usize, String)>,
}

#[derive(Debug, Serialize)]
pub struct SteadyResult {
    pub churn_share_per_minute: f64,
    /// Pod changes the simulated members made per minute during the window.
    pub pod_changes_per_minute: f64,
    pub seconds: f64,
    pub freshness: Distribution,
    /// Probes never shown within the probe timeout (counted as that long in `freshness`).
    pub missed_probes: Vec<String>,
    pub probed_members: usize,
    pub writes: Writes,
    /// Median of the RSS samples over the window.
    pub steady_rss_mib: f64,
    /// Operator CPU seconds per minute of churn.
    pub cpu_seconds_per_minute: f64,
}

#[derive(Debug, Serialize)]
pub struct Writes {
    /// `karmada_manager_status_writes_total{outcome="written"}`, all kinds, per minute.
    pub total_per_minute: f64,
    pub cluster_insight_per_minute: f64,
    pub skipped_per_minute: f64,
    /// Changes a reader watching the hub saw, all ClusterInsights, per minute.
    pub insight_changes_seen_per_minute: f64,
    /// The most any one ClusterInsight changed, per second.
    pub busiest_insight_changes_per_s: f64,
}

pub async fn measure(
    hub: &kube::Client,
    operator: &Operator,
    sim: &mut SimProcess,
    usage: &Sampler,
    plan: &Plan,
) -> Result<SteadyResult> {
    sim.set_churn(plan.churn).await?;
    tokio::time::sleep(plan.settle).await;
    let insights: Api<ClusterInsight> = Api::all(hub.clone());
    // Metadata only: every change is counted without shipping 100 large statuses to us.
    let seen_changes = count_changes(Api::<PartialObjectMeta<ClusterInsight>>::all(hub.clone()));
    let mut seen: Vec<Seen> = plan
        .probed
        .iter()
        .map(|(_, name)| {
            follow(insights.clone(), name, |i| {
                i.status.as_ref().map(|s| s.pods.failed)
            })
        })
        .collect();
    // Let the watches list before counting starts.
    tokio::time::sleep(Duration::from_secs(2)).await;
    seen_changes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clear();
    let (metrics, changes, cpu) = (
        operator.metrics().await?,
        sim.churn_changes().await?,
        usage.now()?,
    );
    let started = Instant::now();
    let probes = probe(sim, &plan.probed, &mut seen, plan.samples).await?;
    tokio::time::sleep_until(started + plan.window).await;
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let after = operator.metrics().await?;
    let changes = sim.churn_changes().await? - changes;
    let cpu = usage.now()?.cpu_seconds - cpu.cpu_seconds;
    sim.set_churn(0.0).await?;
    let delta = |labels: &[&str]| {
        let name = "karmada_manager_status_writes_total";
        (sum(&after, name, labels) - sum(&metrics, name, labels)) / minutes
    };
    let counts = seen_changes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let writes = Writes {
        total_per_minute: delta(&["outcome=\"written\""]),
        cluster_insight_per_minute: delta(&["kind=\"ClusterInsight\"", "outcome=\"written\""]),
        skipped_per_minute: delta(&["outcome=\"skipped\""]),
        insight_changes_seen_per_minute: counts.values().sum::<usize>() as f64 / minutes,
        busiest_insight_changes_per_s: counts.values().max().copied().unwrap_or(0) as f64
            / (minutes * 60.0),
    };
    Ok(SteadyResult {
        churn_share_per_minute: plan.churn,
        pod_changes_per_minute: changes as f64 / minutes,
        seconds: minutes * 60.0,
        freshness: probes.freshness,
        missed_probes: probes.missed,
        probed_members: plan.probed.len(),
        writes,
        steady_rss_mib: usage.median_rss_since(started),
        cpu_seconds_per_minute: cpu / minutes,
    })
}

/// How long a probe may take to show before it counts as missed (and as this long).
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);
/// Misses in a row after which probing stops: the hub is not keeping up, and more probes
/// would only say so again, a probe timeout each.
const MISSES_IN_A_ROW: usize = 3;

/// What the probes measured.
pub struct Probes {
    pub freshness: Distribution,
    /// Probes not shown within [`PROBE_TIMEOUT`], counted at that duration.
    pub missed: Vec<String>,
}

/// `samples` probe changes, members in turn, each timed from the command to the sim until a
/// watch on the hub shows the member's `pods.failed` at its new value; pauses of 0–1.5 s
/// between them so that changes land both inside and outside the write window.
async fn probe(
    sim: &mut SimProcess,
    probed: &[(usize, String)],
    seen: &mut [Seen],
    samples: usize,
) -> Result<Probes> {
    // What each insight showed before any probe: the expected figure is relative to it, so
    // that one probe never shown does not shift the next ones.
    let mut baseline = Vec::with_capacity(seen.len());
    for s in seen.iter_mut() {
        baseline.push(wait_any(s).await?);
    }
    let mut failed = vec![false; probed.len()];
    let (mut took, mut missed) = (Vec::with_capacity(samples), Vec::new());
    for k in 0..samples {
        let m = k % probed.len();
        let (index, name) = &probed[m];
        failed[m] = !failed[m];
        let expected = baseline[m] + i64::from(failed[m]);
        let sent = Instant::now();
        sim.probe(*index, failed[m]).await?;
        let shown = tokio::time::timeout(
            PROBE_TIMEOUT,
            seen[m].wait_for(|s| s.is_some_and(|(_, v)| v == expected)),
        )
        .await
        .ok()
        .and_then(Result::ok)
        .and_then(|shown| shown.map(|(at, _)| at));
        match shown {
            Some(at) => took.push(at - sent),
            None => {
                let last = seen[m].borrow().map(|(_, v)| v);
                let watches = sim.pod_watches(*index).await?;
                let note = format!(
                    "probe {k}: {name}'s pods.failed never showed {expected} in {PROBE_TIMEOUT:?} (last seen {last:?}; the member has {watches} pod watch(es) open)"
                );
                eprintln!("bench: {note}");
                missed.push(note);
                took.push(PROBE_TIMEOUT);
                if missed.len() >= MISSES_IN_A_ROW
                    && took
                        .iter()
                        .rev()
                        .take(MISSES_IN_A_ROW)
                        .all(|t| *t == PROBE_TIMEOUT)
                {
                    eprintln!("bench: {MISSES_IN_A_ROW} probes missed in a row; probing stops");
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis((k as u64 * 373) % 1500)).await;
    }
    Ok(Probes {
        freshness: Distribution::of(&took),
        missed,
    })
}
