//! Steady churn across the simulated fleet: a fleet-wide share of pods changing per minute,
//! the way running pods change (the readiness probe failing or recovering, a container
//! restarting). Never the probe pods, and never a phase: the freshness probe's `Failed` is the
//! one figure churn does not move.

use super::state::Member;
use crate::generate::PodState;
use prop_json::Rng;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often the churn task wakes; changes due in between are made together.
const TICK: Duration = Duration::from_millis(20);

/// The churn rate (shared with the task) and how many changes it made.
#[derive(Default)]
pub struct Churn {
    /// Share of all pods changed per minute, as `f64` bits (0 = off).
    per_minute: AtomicU64,
    pub changes: AtomicU64,
}

impl Churn {
    pub fn set(&self, share_per_minute: f64) {
        self.per_minute
            .store(share_per_minute.max(0.0).to_bits(), Ordering::Relaxed);
    }

    fn rate(&self) -> f64 {
        f64::from_bits(self.per_minute.load(Ordering::Relaxed))
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
            change_one(&members, &mut rng);
            churn.changes.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// One change to a random running pod of a random member (members are the same size).
fn change_one(members: &[Arc<Member>], rng: &mut Rng) {
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
