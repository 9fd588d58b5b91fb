//! One member's watch task: Nodes and Pods, decoded straight into the core's slim projections,
//! and ReplicaSet/Job metadata (who owns them), fed into the member's index (`updates.rs`), and
//! what that asks of the controllers. Errors back off and relist; they never end the task, and
//! a slow or dead member holds up nothing but its own task.

use super::first_lists::Turn;
use super::shared::MemberShared;
use super::trigger::Trigger;
use super::updates::{BATCH, Listing, apply, member_updates, take_ready};
use futures::StreamExt;
use kube::Client;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::task::AbortOnDropHandle;

pub async fn watch_member(
    client: Client,
    endpoint: String,
    shared: Arc<MemberShared>,
    trigger: Trigger,
) {
    let mut turn = first_list_turn(&shared, &trigger).await;
    let mut updates = std::pin::pin!(member_updates(&client));
    // Polled beside the watches, never in their way: a metrics API that hangs must not delay
    // the node and pod events. Aborted with this task.
    let metrics = AbortOnDropHandle::new(tokio::spawn(super::metrics_poll::poll_metrics(
        client.clone(),
        shared.clone(),
        endpoint.clone(),
        trigger.sender.clone(),
        trigger.cluster.clone(),
    )));
    let mut last_fired: Option<Instant> = None;
    let mut pending = false;
    // Something beyond the insight's drifting figures changed since the last trigger.
    let mut beyond_drift = false;
    // The member's health changed since the last trigger: every placement on it may show it
    // differently (observed or not), whichever workloads the events touched.
    let mut health_changed = false;
    let mut grace = GraceTimer::default();
    let mut listing = Listing::new();
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let deadline = last_fired.map_or_else(Instant::now, |t| t + trigger.interval);
        tokio::select! {
            update = updates.next() => {
                let Some(update) = update else { break };
                batch.push(update);
                take_ready(updates.as_mut(), &mut batch).await;
                let applied = apply(&shared, &mut batch, &endpoint, &mut listing, &trigger.cluster);
                if shared.listed() || applied.failure_since.is_some() {
                    turn.end();
                }
                pending |= applied.changed;
                beyond_drift |= applied.beyond_drift || applied.health_changed;
                health_changed |= applied.health_changed;
                grace.follow(applied.failure_since, trigger.unreachable_grace);
            }
            _ = tokio::time::sleep_until(deadline), if pending => {}
            () = grace.elapsed(), if grace.is_running() => {
                health_changed = true;
                beyond_drift = true;
                pending = true;
            }
            () = turn.expired() => {
                tracing::info!(cluster = %trigger.cluster, "member still listing after its turn's time; the next member may start");
                turn.end();
            }
        }
        if pending && last_fired.is_none_or(|t| t.elapsed() >= trigger.interval) {
            let health_changed = std::mem::take(&mut health_changed);
            if !trigger.fire(&shared, health_changed, std::mem::take(&mut beyond_drift)) {
                break; // the controllers are gone: we are shutting down
            }
            last_fired = Some(Instant::now());
            pending = false;
        }
    }
    drop(metrics);
}

/// Waits for a turn for the member's first list; a member listed before (a reconnect) takes
/// none. Once the turn is given, the Cluster is reconciled so that its insight stops saying it
/// waits.
async fn first_list_turn(shared: &MemberShared, trigger: &Trigger) -> Turn {
    if shared.listed() {
        return Turn::none();
    }
    let turn = trigger.first_lists.take().await;
    if shared.waiting_for_turn.swap(false, Ordering::Relaxed) {
        trigger.sender.send(&trigger.cluster);
    }
    turn
}

/// Wakes the task once when the current failure of the node and pod watches has lasted the
/// unreachable grace period: the member then counts as not observed, with no new event to say so.
#[derive(Default)]
struct GraceTimer {
    /// The start of the failure being timed, and when its grace period ends.
    timing: Option<(std::time::Instant, Instant)>,
    /// The start of the failure whose grace period already ended.
    elapsed_for: Option<std::time::Instant>,
}

impl GraceTimer {
    /// Times the failure that began at `since` (`None`: no failure), unless it is already timed
    /// or its grace period already ended.
    fn follow(&mut self, since: Option<std::time::Instant>, grace: Duration) {
        match since {
            None => *self = Self::default(),
            Some(since) if self.elapsed_for == Some(since) => {}
            Some(since) if self.timing.is_some_and(|(timed, _)| timed == since) => {}
            Some(since) => self.timing = Some((since, Instant::from_std(since) + grace)),
        }
    }

    fn is_running(&self) -> bool {
        self.timing.is_some()
    }

    /// Resolves when the grace period ends (never while nothing is timed).
    async fn elapsed(&mut self) {
        let Some((since, ends)) = self.timing else {
            return std::future::pending().await;
        };
        tokio::time::sleep_until(ends).await;
        self.timing = None;
        self.elapsed_for = Some(since);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Short enough for a unit test, long enough that scheduling noise does not matter.
    const GRACE: Duration = Duration::from_millis(300);

    /// Whether the timer fires within `within`.
    async fn fires(timer: &mut GraceTimer, within: Duration) -> bool {
        timer.is_running() && tokio::time::timeout(within, timer.elapsed()).await.is_ok()
    }

    #[tokio::test]
    async fn the_grace_timer_fires_once_per_failure_whatever_else_changes() {
        let mut timer = GraceTimer::default();
        let since = std::time::Instant::now();
        timer.follow(Some(since), GRACE);
        // Another health change (an owner watch failing) while the same failure lasts must not
        // cancel the timer.
        tokio::time::sleep(Duration::from_millis(200)).await;
        timer.follow(Some(since), GRACE);
        assert!(fires(&mut timer, Duration::from_secs(2)).await);
        timer.follow(Some(since), GRACE);
        assert!(!timer.is_running(), "the same failure does not fire twice");

        let later = since + Duration::from_secs(10);
        timer.follow(Some(later), GRACE);
        assert!(timer.is_running(), "a new failure is timed afresh");
        timer.follow(None, GRACE);
        assert!(!timer.is_running(), "a cleared failure is not timed");
    }
}
