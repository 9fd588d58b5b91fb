//! What `/readyz` and `/livez` judge beyond "the process serves": whether a hub watch has been
//! failing for too long (readiness), and whether a controller has had work queued for too long
//! without starting a reconcile (liveness). Bookkeeping only, judged at given instants: the watch
//! driver (`watch.rs`), the triggers (`triggers.rs`) and the controllers' reconcile wrappers feed
//! it; the admin server (`admin.rs`) asks it.

use karmada_manager_core::BindingKind;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the health endpoints judge, and their thresholds (`--hub-unready-after`,
/// `--wedged-after`).
#[derive(Debug)]
pub struct Health {
    /// Every hub watch's failure, by kind: the watch driver (`watch.rs`) records, `/readyz`
    /// reads.
    pub hub: Arc<HubWatches>,
    /// Fed by `triggers` (work queued) and the reconcile wrappers (a reconcile started).
    pub progress: Progress,
    pub hub_unready_after: Duration,
    pub wedged_after: Duration,
}

impl Health {
    pub fn new(hub_unready_after: Duration, wedged_after: Duration) -> Self {
        Self {
            hub: Arc::default(),
            progress: Progress::new(),
            hub_unready_after,
            wedged_after,
        }
    }

    /// Why `/readyz` is unready although the caches are synced: the hub watches failing for
    /// longer than `--hub-unready-after`, with how long. `None` while none is.
    pub fn unready(&self, now: Instant) -> Option<String> {
        let failing = self.hub.failing_longer_than(self.hub_unready_after, now);
        if failing.is_empty() {
            return None;
        }
        let mut why = format!(
            "hub watches failing for longer than {}:",
            humantime::format_duration(self.hub_unready_after)
        );
        for (i, (kind, failing_for)) in failing.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            let _ = write!(why, "{sep}{kind} for {}", seconds(*failing_for));
        }
        why.push('\n');
        Some(why)
    }

    /// Why `/livez` fails: the controllers that have had work queued for longer than
    /// `--wedged-after` without starting a reconcile, with how long. `None` while none has.
    pub fn wedged(&self, now: Instant) -> Option<String> {
        let wedged = self.progress.waiting_longer_than(self.wedged_after, now);
        if wedged.is_empty() {
            return None;
        }
        let mut why = format!(
            "controllers wedged (work queued, no reconcile started for longer than {}):",
            humantime::format_duration(self.wedged_after)
        );
        for (i, (queue, waiting)) in wedged.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            let _ = write!(why, "{sep}{} for {}", queue.name(), seconds(*waiting));
        }
        why.push('\n');
        Some(why)
    }
}

/// `12.3s`
fn seconds(duration: Duration) -> String {
    format!("{:.1}s", duration.as_secs_f64())
}

/// The hub watches that are failing, by kind: since when (the first error after the watch last
/// answered) and when last. A watch that answers is not listed: an idle, healthy watch delivers
/// no events, so failures are judged, never silence.
#[derive(Debug, Default)]
pub struct HubWatches(Mutex<BTreeMap<String, Failing>>);

#[derive(Clone, Copy, Debug)]
struct Failing {
    since: Instant,
    last: Instant,
}

impl HubWatches {
    fn failing(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Failing>> {
        // Every update leaves the map consistent: a panic elsewhere poisons nothing here.
        crate::locks::lock(&self.0)
    }

    /// The watch of `kind` failed at `now`.
    pub fn failed(&self, kind: &str, now: Instant) {
        let mut failing = self.failing();
        match failing.get_mut(kind) {
            Some(failure) => failure.last = failure.last.max(now),
            None => {
                failing.insert(
                    kind.to_owned(),
                    Failing {
                        since: now,
                        last: now,
                    },
                );
            }
        }
    }

    /// The watch of `kind` delivered an event: the hub answers it.
    pub fn answered(&self, kind: &str) {
        let mut failing = self.failing();
        if !failing.is_empty() {
            failing.remove(kind);
        }
    }

    /// A request about `kind` sent at `asked` succeeded: its failure is over, unless the watch
    /// failed again after the request was sent. Whether that ended a failure.
    pub fn answered_since(&self, kind: &str, asked: Instant) -> bool {
        let mut failing = self.failing();
        match failing.get(kind) {
            Some(failure) if failure.last <= asked => failing.remove(kind).is_some(),
            _ => false,
        }
    }

    pub fn is_failing(&self, kind: &str) -> bool {
        self.failing().contains_key(kind)
    }

    /// The kinds whose watch has been failing for longer than `limit` at `now`, with how long,
    /// by kind.
    pub fn failing_longer_than(&self, limit: Duration, now: Instant) -> Vec<(String, Duration)> {
        self.failing()
            .iter()
            .map(|(kind, failure)| (kind.clone(), now.saturating_duration_since(failure.since)))
            .filter(|(_, failing_for)| *failing_for > limit)
            .collect()
    }
}

/// The controllers' queues that `triggers` feeds, one per controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    Cluster,
    WorkloadPlacement,
    ClusterWorkloadPlacement,
}

impl Queue {
    const ALL: [Queue; 3] = [
        Queue::Cluster,
        Queue::WorkloadPlacement,
        Queue::ClusterWorkloadPlacement,
    ];

    /// The queue of the placement controller of `kind`.
    pub fn placement(kind: BindingKind) -> Self {
        match kind {
            BindingKind::ResourceBinding => Queue::WorkloadPlacement,
            BindingKind::ClusterResourceBinding => Queue::ClusterWorkloadPlacement,
        }
    }

    /// The controller's name, as in the `controller` label of the reconcile metrics.
    pub fn name(self) -> &'static str {
        match self {
            Queue::Cluster => "cluster",
            Queue::WorkloadPlacement => "workloadplacement",
            Queue::ClusterWorkloadPlacement => "clusterworkloadplacement",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Per controller, when the oldest trigger not yet followed by a reconcile start was sent. A
/// trigger is recorded only when it is queued (the gate is open: a standby queues nothing), and
/// a requeue after a debounce is not a trigger, so neither ever waits here.
#[derive(Clone, Debug)]
pub struct Progress(Arc<Waiting>);

#[derive(Debug)]
struct Waiting {
    origin: Instant,
    /// Nanoseconds after `origin`, plus one; 0 when nothing waits.
    oldest: [AtomicU64; 3],
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress {
    pub fn new() -> Self {
        Self(Arc::new(Waiting {
            origin: Instant::now(),
            oldest: Default::default(),
        }))
    }

    /// A trigger is about to be queued for `queue`; call it before sending, since the reconcile
    /// may start before the send returns.
    pub fn queued(&self, queue: Queue) {
        self.queued_at(queue, Instant::now());
    }

    /// [`Progress::queued`] at `now`: kept unless an older trigger already waits.
    pub fn queued_at(&self, queue: Queue, now: Instant) {
        let nanos = now.saturating_duration_since(self.0.origin).as_nanos();
        let stamp = u64::try_from(nanos).unwrap_or(u64::MAX - 1) + 1;
        // Fails when an older trigger waits already: that one stays the oldest.
        let _ = self.0.oldest[queue.index()].compare_exchange(
            0,
            stamp,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }

    /// A reconcile of `queue`'s controller started (or a request for an object that is gone was
    /// handled): every trigger sent before it has been followed by progress.
    pub fn started(&self, queue: Queue) {
        self.0.oldest[queue.index()].store(0, Ordering::Release);
    }

    /// Since when `queue`'s oldest trigger not followed by a reconcile start waits.
    pub fn waiting_since(&self, queue: Queue) -> Option<Instant> {
        match self.0.oldest[queue.index()].load(Ordering::Acquire) {
            0 => None,
            stamp => Some(self.0.origin + Duration::from_nanos(stamp - 1)),
        }
    }

    /// The controllers whose oldest such trigger waits for longer than `limit` at `now`, with
    /// how long.
    pub fn waiting_longer_than(&self, limit: Duration, now: Instant) -> Vec<(Queue, Duration)> {
        Queue::ALL
            .into_iter()
            .filter_map(|queue| {
                let waiting = now.saturating_duration_since(self.waiting_since(queue)?);
                (waiting > limit).then_some((queue, waiting))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
