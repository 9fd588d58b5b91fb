//! Steady churn across the simulated fleet, with the operator in sync: how fresh a probe's
//! change is on the hub (a probe pod marked `Failed` or running again → its member's
//! ClusterInsight `pods.failed`, a figure churn never moves), how late a figure that drifts
//! is (a million restarts added to a probe pod → `pods.restarts`, after the failure probes,
//! when nothing but drift moves), how many status writes reach the hub per minute, and the
//! operator's RSS and CPU meanwhile (each replica's, when several share the members).

use super::probes::{drift_window_per_probe, probe, probe_drift};
use super::replicas::{self, Replica};
use crate::live::churn::{Counts, count_changes};
use crate::live::freshness::{Seen, follow};
use crate::live::stats::Distribution;
use crate::sim::process::SimProcess;
use crate::sim::{ChurnMix, Endpoint};
use anyhow::Result;
use k8s_openapi::api::coordination::v1::Lease;
use karmada_manager_api::ClusterInsight;
use kube::api::Api;
use kube::core::PartialObjectMeta;
use serde::Serialize;
use std::time::Duration;
use tokio::time::Instant;

/// The steady phase's churn, as the fleet and shard benchmarks take it.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct ChurnArgs {
    /// Share of all pods changed per minute during the steady phase.
    #[arg(long, default_value_t = 0.01)]
    pub churn: f64,
    /// Share of those changes that replace a pod (deleted, and a new running pod created on
    /// another node, as in a rollout); the rest change a running pod in place (readiness,
    /// restarts).
    #[arg(long, default_value_t = 0.5)]
    pub churn_replaced: f64,
}

impl ChurnArgs {
    pub fn mix(&self) -> ChurnMix {
        ChurnMix {
            share_per_minute: self.churn,
            replaced: self.churn_replaced,
        }
    }
}

pub struct Plan {
    pub churn: ChurnMix,
    /// Churn before measuring, so that the operator is in its steady state.
    pub settle: Duration,
    /// The measured window lasts at least this long (and as long as the probes take).
    pub window: Duration,
    pub samples: usize,
    /// Drift probes, after the failure probes (0: none).
    pub drift_samples: usize,
    /// A member's drift probes start at times drawn over this much time per probe (see
    /// `probe_drift`).
    pub drift_window_per_probe: Duration,
    /// Members whose probe pods are changed, in turn.
    pub probed: Vec<(usize, String)>,
    /// Where the replicas' Leases are, to count their renewals as hub writes too.
    pub lease_namespace: Option<String>,
}

impl Plan {
    /// Up to 10 members probed, spread over the fleet; no Leases counted.
    pub fn spread(
        members: &[Endpoint],
        churn: ChurnMix,
        settle: Duration,
        window: Duration,
        samples: usize,
    ) -> Plan {
        let probed_count = members.len().min(10);
        let probed = (0..probed_count)
            .map(|k| k * members.len() / probed_count)
            .map(|i| (i, members[i].name.clone()))
            .collect();
        Plan {
            churn,
            settle,
            window,
            samples: samples.max(1),
            drift_samples: 0,
            drift_window_per_probe: drift_window_per_probe(members.len()),
            probed,
            lease_namespace: None,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SteadyResult {
    pub churn_share_per_minute: f64,
    /// Share of the changes that replaced a pod (the rest changed one in place).
    pub churn_replaced_share: f64,
    /// Pod changes the simulated members made per minute during the window.
    pub pod_changes_per_minute: f64,
    pub seconds: f64,
    pub freshness: Distribution,
    /// Probes never shown within the probe timeout (counted as that long in `freshness`).
    pub missed_probes: Vec<String>,
    /// How late a drifting figure showed (`pods.restarts`), when drift probes were asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift_freshness: Option<Distribution>,
    /// Drift probes never shown within their timeout (probing stopped there).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missed_drift_probes: Vec<String>,
    pub probed_members: usize,
    pub writes: Writes,
    /// Median of the RSS samples over the window (with several replicas, the sum of their
    /// medians).
    pub steady_rss_mib: f64,
    /// Operator CPU seconds per minute of churn (all replicas together).
    pub cpu_seconds_per_minute: f64,
    /// The same two figures for each replica, in the order they were started.
    pub per_replica: Vec<ReplicaSteady>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct ReplicaSteady {
    pub steady_rss_mib: f64,
    pub cpu_seconds_per_minute: f64,
}

#[derive(Debug, Serialize)]
pub struct Writes {
    /// `karmada_manager_status_writes_total{outcome="written"}`, all kinds, per minute.
    pub total_per_minute: f64,
    pub cluster_insight_per_minute: f64,
    pub skipped_per_minute: f64,
    /// ClusterInsight writes whose only changes drift, held back for their turn in the
    /// budget (`outcome="deferred"`, once per turn), per minute.
    pub deferred_per_minute: f64,
    /// Changes a reader watching the hub saw, all ClusterInsights, per minute.
    pub insight_changes_seen_per_minute: f64,
    /// The most any one ClusterInsight changed, per second.
    pub busiest_insight_changes_per_s: f64,
    /// Lease changes (renewals) a watch on the Leases' namespace saw, per minute; only when
    /// the plan names that namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_changes_seen_per_minute: Option<f64>,
}

pub async fn measure(
    hub: &kube::Client,
    replicas: &[Replica],
    sim: &mut SimProcess,
    plan: &Plan,
) -> Result<SteadyResult> {
    sim.set_churn(plan.churn).await?;
    tokio::time::sleep(plan.settle).await;
    let mut watches = Watches::start(hub, plan);
    // Let the watches list before counting starts.
    tokio::time::sleep(Duration::from_secs(2)).await;
    watches.reset();
    let before = Snapshot::take(replicas, sim).await?;
    let started = Instant::now();
    let probes = probe(sim, &plan.probed, &mut watches.probes, plan.samples).await?;
    let drifts = probe_drift(
        sim,
        &plan.probed,
        &mut watches.restarts,
        plan.drift_samples,
        plan.drift_window_per_probe,
    )
    .await?;
    tokio::time::sleep_until(started + plan.window).await;
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let after = Snapshot::take(replicas, sim).await?;
    sim.set_churn(ChurnMix::default()).await?;
    let per_replica: Vec<ReplicaSteady> = replicas
        .iter()
        .zip(before.cpu.iter().zip(&after.cpu))
        .map(|(replica, (b, a))| ReplicaSteady {
            steady_rss_mib: replica.usage.median_rss_since(started),
            cpu_seconds_per_minute: (a - b) / minutes,
        })
        .collect();
    Ok(SteadyResult {
        churn_share_per_minute: plan.churn.share_per_minute,
        churn_replaced_share: plan.churn.replaced,
        pod_changes_per_minute: (after.changes - before.changes) as f64 / minutes,
        seconds: minutes * 60.0,
        freshness: probes.freshness,
        missed_probes: probes.missed,
        drift_freshness: (plan.drift_samples > 0).then_some(drifts.freshness),
        missed_drift_probes: drifts.missed,
        probed_members: plan.probed.len(),
        writes: writes(&before, &after, &watches, minutes),
        steady_rss_mib: per_replica.iter().map(|r| r.steady_rss_mib).sum(),
        cpu_seconds_per_minute: per_replica.iter().map(|r| r.cpu_seconds_per_minute).sum(),
        per_replica,
    })
}

/// What the window's watches on the hub see.
struct Watches {
    /// Changes per ClusterInsight.
    insights: Counts,
    /// Changes per Lease, when the plan names their namespace.
    leases: Option<Counts>,
    /// Each probed member's `pods.failed`.
    probes: Vec<Seen>,
    /// Each probed member's `pods.restarts` (empty without drift probes).
    restarts: Vec<Seen>,
}

impl Watches {
    fn start(hub: &kube::Client, plan: &Plan) -> Watches {
        let insights: Api<ClusterInsight> = Api::all(hub.clone());
        let follow_all = |figure: fn(&ClusterInsight) -> Option<i64>| {
            plan.probed
                .iter()
                .map(|(_, name)| follow(insights.clone(), name, figure))
                .collect()
        };
        let probes = follow_all(|i| i.status.as_ref().map(|s| s.pods.failed));
        // Only when drift probes are asked for: each is a watch of whole insights on the hub.
        let restarts = match plan.drift_samples {
            0 => Vec::new(),
            _ => follow_all(|i| i.status.as_ref().map(|s| s.pods.restarts)),
        };
        // Metadata only: every change is counted without shipping 100 large statuses to us.
        let meta = |api| count_changes::<PartialObjectMeta<ClusterInsight>>(api);
        let leases = plan
            .lease_namespace
            .as_deref()
            .map(|ns| count_changes(Api::<PartialObjectMeta<Lease>>::namespaced(hub.clone(), ns)));
        Watches {
            insights: meta(Api::all(hub.clone())),
            leases,
            probes,
            restarts,
        }
    }

    fn reset(&self) {
        for counts in std::iter::once(&self.insights).chain(&self.leases) {
            counts.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }
}

/// The replicas' counters, the simulated members' churn and the replicas' CPU at one moment.
struct Snapshot {
    metrics: Vec<Vec<(String, f64)>>,
    changes: u64,
    cpu: Vec<f64>,
}

impl Snapshot {
    async fn take(replicas: &[Replica], sim: &mut SimProcess) -> Result<Snapshot> {
        let metrics = replicas::metrics(replicas).await?;
        let changes = sim.churn_changes().await?;
        let cpu = replicas
            .iter()
            .map(|r| Ok(r.usage.now()?.cpu_seconds))
            .collect::<Result<Vec<f64>>>()?;
        Ok(Snapshot {
            metrics,
            changes,
            cpu,
        })
    }
}

fn writes(before: &Snapshot, after: &Snapshot, watches: &Watches, minutes: f64) -> Writes {
    let delta = |labels: &[&str]| {
        let name = "karmada_manager_status_writes_total";
        let total = |s: &Snapshot| replicas::sum_all(&s.metrics, name, labels);
        (total(after) - total(before)) / minutes
    };
    let total_changes = |counts: &Counts| {
        let counts = counts.lock().unwrap_or_else(|e| e.into_inner());
        (
            counts.values().map(|c| c.count).sum::<usize>(),
            counts.values().map(|c| c.count).max().unwrap_or(0),
        )
    };
    let (insight_changes, busiest) = total_changes(&watches.insights);
    Writes {
        total_per_minute: delta(&["outcome=\"written\""]),
        cluster_insight_per_minute: delta(&["kind=\"ClusterInsight\"", "outcome=\"written\""]),
        skipped_per_minute: delta(&["outcome=\"skipped\""]),
        deferred_per_minute: delta(&["outcome=\"deferred\""]),
        insight_changes_seen_per_minute: insight_changes as f64 / minutes,
        busiest_insight_changes_per_s: busiest as f64 / (minutes * 60.0),
        lease_changes_seen_per_minute: watches
            .leases
            .as_ref()
            .map(|leases| total_changes(leases).0 as f64 / minutes),
    }
}
