//! Steady churn across the simulated fleet: a fleet-wide share of pods changing per minute,
//! the way running pods change. A share of the changes replaces a pod, as a rollout or a
//! rescheduling does (the pod deleted, a new running one created on another node: counts,
//! allocation and headroom move); the others change a running pod in place (the readiness
//! probe failing or recovering, a container restarting). Never the probe pods, and never a
//! `Failed` phase: the freshness probe's `Failed` is the one figure churn does not move.

use super::state::Member;
use crate::generate::PodState;
use prop_json::Rng;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often the churn task wakes; changes due in between are made together.
const TICK: Duration = Duration::from_millis(20);

/// How much churn, and of which kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct ChurnMix {
    /// Share of all pods changed per minute, fleet-wide (0.01 = 1%; 0 = off).
    pub share_per_minute: f64,
    /// Share of those changes that replace a pod (0–1); the rest change one in place.
    pub replaced: f64,
}

/// The churn (shared with the task) and how many changes it made.
#[derive(Default)]
pub struct Churn {
    /// `ChurnMix::share_per_minute`, as `f64` bits (0 = off).
    per_minute: AtomicU64,
    /// `ChurnMix::replaced`, as `f64` bits.
    replaced: AtomicU64,
    pub changes: AtomicU64,
}

impl Churn {
    pub fn set(&self, mix: ChurnMix) {
        let store = |to: &AtomicU64, value: f64| to.store(value.to_bits(), Ordering::Relaxed);
        store(&self.per_minute, mix.share_per_minute.max(0.0));
        store(&self.replaced, mix.replaced.clamp(0.0, 1.0));
    }

    fn rate(&self) -> f64 {
        f64::from_bits(self.per_minute.load(Ordering::Relaxed))
    }

    fn replaced(&self) -> f64 {
        f64::from_bits(self.replaced.load(Ordering::Relaxed))
    }
}

/// Changes pods at the configured rate until aborted.
pub async fn run(members: Vec<Arc<Member>>, churn: Arc<Churn>, seed: u64) {
    let pods: usize = members.iter().map(|m| m.objects.pods()).sum();
    if pods == 0 {
        return;
    }
    let mut rng = Rng::derive(seed, 0xC4_0000);
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = tokio::time::Instant::now();
    let mut due = 0.0;
    loop {
        ticks.tick().await;
        let now = tokio::time::Instant::now();
        due += churn.rate() * pods as f64 / 60.0 * (now - last).as_secs_f64();
        last = now;
        while due >= 1.0 {
            due -= 1.0;
            let replaced = churn.replaced();
            let replace = replaced > 0.0 && rng.per_mille((replaced * 1000.0).round() as u64);
            change_one(&members, &mut rng, replace);
            churn.changes.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// One change to a random running pod of a random member (members are the same size): its
/// replacement, or a change in place.
fn change_one(members: &[Arc<Member>], rng: &mut Rng, replace: bool) {
    let member = &members[rng.index(members.len())];
    let pods = member.objects.pods();
    if pods == 0 {
        return;
    }
    // 97% of pods run; a few draws find one.
    for _ in 0..16 {
        let i = rng.index(pods);
        if i == member.probe_pod || member.objects.pod_state(i) != PodState::Running {
            continue;
        }
        if replace {
            member.replace_pod(i);
            return;
        }
        let flip = rng.below(2) == 0;
        member.change_pod(i, |change| {
            if flip {
                change.unready = !change.unready;
            } else {
                change.restarts += 1;
            }
        });
        return;
    }
}
