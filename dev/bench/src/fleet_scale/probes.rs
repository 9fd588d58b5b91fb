//! The steady phase's probes: changes made to a probed member's reserved pod and timed until
//! a watch on the hub shows them. Failure probes (`pods.failed`, a figure churn never moves,
//! written within the write interval) measure freshness; drift probes (`pods.restarts`, a
//! figure that waits for the budget's turn) measure how late drifting figures are.

use crate::live::freshness::{Seen, wait_any};
use crate::live::stats::Distribution;
use crate::sim::process::SimProcess;
use anyhow::Result;
use std::time::Duration;
use tokio::time::Instant;

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
pub(super) async fn probe(
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
pub(super) fn drift_window_per_probe(members: usize) -> Duration {
    Duration::from_millis(members as u64 * 450)
        .clamp(Duration::from_millis(2_500), Duration::from_secs(45))
}

/// `samples` drift probes, each timed from the command to the sim until a watch on the
/// hub shows the member's `pods.restarts` grown by at least half the restarts added.
///
/// The budget gives turns in a steady order, and a member's write of its drift is its turn. A
/// probe started when an earlier one was shown would start at a turn, and its lag would be
/// the distance between two turns, not the wait of a drift that arrives at any time. So no
/// probe's start depends on another's end: the probed members are probed side by side, and
/// each member's starts are drawn in advance, uniformly over a window (`Schedule`). Probes of
/// one member may overlap; each is shown by the first write of the restarts of every probe up
/// to it, which is the turn it waited for.
pub(super) async fn probe_drift(
    sim: &mut SimProcess,
    probed: &[(usize, String)],
    seen: &mut [Seen],
    samples: usize,
    window_per_probe: Duration,
) -> Result<Probes> {
    let sim = tokio::sync::Mutex::new(sim);
    let members = probed.iter().zip(seen.iter_mut()).enumerate();
    let schedules = members.map(|(m, (member, seen))| {
        // Probes are shared out: the first `samples % members` members take one more.
        let count = samples / probed.len() + usize::from(m < samples % probed.len());
        let schedule = Schedule {
            count,
            window_per_probe,
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
    let watch = async move {
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
    let (sent, result) = tokio::join!(send, watch);
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
