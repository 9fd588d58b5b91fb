//! Steady churn across the simulated fleet, with the operator in sync: how fresh a probe's
//! change is on the hub (a probe pod marked `Failed` or running again → its member's
//! ClusterInsight `pods.failed`, a figure churn never moves), how late a figure that drifts
//! is (a million restarts added to a probe pod → `pods.restarts`, after the failure probes,
//! when nothing but drift moves), how many status writes reach the hub per minute, and the
//! operator's RSS and CPU meanwhile (each replica's, when several share the members).

use super::replicas::{self, Replica};
use crate::live::churn::count_changes;
use crate::live::freshness::{Seen, follow, wait_any};
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
    let drifts = probe_drift(sim, plan, &mut watches.restarts).await?;
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

type Counts = std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, usize>>>;

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
            counts.values().sum::<usize>(),
            counts.values().max().copied().unwrap_or(0),
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
        match shown(&mut seen[m], expected).await {
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
                if took
                    .iter()
                    .rev()
                    .take(MISSES_IN_A_ROW)
                    .filter(|t| **t == PROBE_TIMEOUT)
                    .count()
                    == MISSES_IN_A_ROW
                {
                    eprintln!("bench: {MISSES_IN_A_ROW} probes missed in a row; probing stops");
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis((k as u64 * 373) % 1500)).await;
    }
    // Every probe pod running again, as found: a later window against the same simulated
    // members (the shard benchmark's next group) starts from the same baseline.
    for (m, (index, _)) in probed.iter().enumerate() {
        if failed[m] {
            sim.probe(*index, false).await?;
        }
    }
    Ok(Probes {
        freshness: Distribution::of(&took),
        missed,
    })
}

/// How long a drift probe may take to show: at full size a drift waits about half a minute for
/// its turn in the budget.
const DRIFT_PROBE_TIMEOUT: Duration = Duration::from_secs(120);
/// Restarts a drift probe adds: far more than churn moves a member's count by meanwhile
/// (restarts added in place, and taken away with the pods replaced).
const DRIFT_PROBE_RESTARTS: u32 = 1_000_000;
/// Over how much time per probe a member's drift probes start in a fleet of `members`: 0.45 s
/// per member, at least 2.5 s and at most 45 s. Two probes at full size then start within
/// 90 s, more than two cycles of the budget's turns when every member's insight is as large as
/// there (a cycle of about 35 s for 100 such members at the default budget).
fn drift_window_per_probe(members: usize) -> Duration {
    Duration::from_millis(members as u64 * 450)
        .clamp(Duration::from_millis(2_500), Duration::from_secs(45))
}

/// `plan.drift_samples` drift probes, each timed from the command to the sim until a watch on the
/// hub shows the member's `pods.restarts` grown by at least half the restarts added.
///
/// The budget gives turns in a steady order, and a member's write of its drift is its turn. A
/// probe started when an earlier one was shown would start at a turn, and its lag would be
/// the distance between two turns, not the wait of a drift that arrives at any time. So no
/// probe's start depends on another's end: the probed members are probed side by side, and
/// each member's starts are drawn in advance, uniformly over a window (`Schedule`). Probes of
/// one member may overlap; each is shown by the first write of the restarts of every probe up
/// to it, which is the turn it waited for.
async fn probe_drift(sim: &mut SimProcess, plan: &Plan, seen: &mut [Seen]) -> Result<Probes> {
    let (probed, samples) = (&plan.probed, plan.drift_samples);
    if probed.is_empty() || samples == 0 {
        return Ok(Probes {
            freshness: Distribution::of(&[]),
            missed: Vec::new(),
        });
    }
    let sim = tokio::sync::Mutex::new(sim);
    let members = probed.iter().zip(seen.iter_mut()).enumerate();
    let schedules = members.map(|(m, (member, seen))| {
        // Probes are shared out: the first `samples % members` members take one more.
        let count = samples / probed.len() + usize::from(m < samples % probed.len());
        let schedule = Schedule {
            count,
            window_per_probe: plan.drift_window_per_probe,
            stream: m as u64,
        };
        probe_member_drift(&sim, member, seen, schedule)
    });
    let mut took = Vec::with_capacity(samples);
    let mut missed = Vec::new();
    for (member_took, member_missed) in futures::future::try_join_all(schedules).await? {
        took.extend(member_took);
        missed.extend(member_missed);
    }
    Ok(Probes {
        freshness: Distribution::of(&took),
        missed,
    })
}

/// One member's drift probes: how many, over how much time per probe they start, and the
/// random stream their starts are drawn from.
struct Schedule {
    count: usize,
    window_per_probe: Duration,
    stream: u64,
}

impl Schedule {
    /// The probes' start times from `now`: drawn uniformly over `count × window_per_probe`,
    /// sorted.
    fn starts(&self, now: Instant) -> Vec<Instant> {
        let mut rng = prop_json::Rng::derive(0xD21F7, self.stream);
        let window = self.window_per_probe.as_millis() as u64 * self.count as u64;
        let mut offsets: Vec<u64> = (0..self.count).map(|_| rng.below(window.max(1))).collect();
        offsets.sort_unstable();
        offsets
            .into_iter()
            .map(|ms| now + Duration::from_millis(ms))
            .collect()
    }
}

/// One member's drift probes, on its own schedule drawn in advance (see [`probe_drift`]): how
/// long each took to show, and a note for the miss that ends them early. One part sends them
/// at their times; the other waits for each to show, the `k`-th when the member's restarts
/// exceed what they were before the first by `k` probes and a half.
async fn probe_member_drift(
    sim: &tokio::sync::Mutex<&mut SimProcess>,
    (index, name): &(usize, String),
    seen: &mut Seen,
    schedule: Schedule,
) -> Result<(Vec<Duration>, Option<String>)> {
    let before = wait_any(seen).await?;
    let starts = schedule.starts(Instant::now());
    let (sent_tx, mut sent_rx) = tokio::sync::mpsc::unbounded_channel();
    let send = async move {
        for start in starts {
            tokio::time::sleep_until(start).await;
            let sent = Instant::now();
            sim.lock()
                .await
                .restart_probe(*index, DRIFT_PROBE_RESTARTS)
                .await?;
            if sent_tx.send(sent).is_err() {
                break; // a probe was missed and the member's probing stopped
            }
        }
        anyhow::Ok(())
    };
    let shown = async move {
        let mut took = Vec::with_capacity(schedule.count);
        let restarts = i64::from(DRIFT_PROBE_RESTARTS);
        for k in 0..schedule.count as i64 {
            let Some(sent) = sent_rx.recv().await else {
                break;
            };
            let expected = before + k * restarts + restarts / 2;
            let shown = tokio::time::timeout_at(
                sent + DRIFT_PROBE_TIMEOUT,
                seen.wait_for(|s| s.is_some_and(|(_, v)| v >= expected)),
            )
            .await;
            match shown
                .ok()
                .and_then(Result::ok)
                .and_then(|s| s.map(|(at, _)| at))
            {
                Some(at) => {
                    let lag = at.saturating_duration_since(sent);
                    eprintln!("bench: drift probe {k} of {name}: {lag:.1?}");
                    took.push(lag);
                }
                None => {
                    let note = format!(
                        "drift probe {k} of {name}: pods.restarts never reached {expected} in {DRIFT_PROBE_TIMEOUT:?}"
                    );
                    eprintln!("bench: {note}");
                    took.push(DRIFT_PROBE_TIMEOUT);
                    return (took, Some(note));
                }
            }
        }
        (took, None)
    };
    let (sent, result) = tokio::join!(send, shown);
    sent?;
    Ok(result)
}

/// When `seen` shows `expected`, within [`PROBE_TIMEOUT`].
async fn shown(seen: &mut Seen, expected: i64) -> Option<Instant> {
    tokio::time::timeout(
        PROBE_TIMEOUT,
        seen.wait_for(|s| s.is_some_and(|(_, v)| v == expected)),
    )
    .await
    .ok()
    .and_then(Result::ok)
    .and_then(|shown| shown.map(|(at, _)| at))
}
