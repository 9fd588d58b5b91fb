//! One member's watch task: Nodes and Pods, decoded straight into the core's slim projections,
//! and ReplicaSet/Job metadata (who owns them), fed into the member's [`MemberIndex`]. Errors
//! back off and relist; they never end the task, and a slow or dead member holds up nothing but
//! its own task.

use super::backoff::member_watch_backoff;
use super::first_lists::Turn;
use super::health::Health;
use super::list_watch::{Wire, list_watch};
use super::shared::MemberShared;
use super::trigger::Trigger;
use crate::watch::core_event;
use futures::{Stream, StreamExt, stream};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use karmada_manager_core::{MemberEvent, OwnerKind, SlimNode, SlimPod};
use kube::Client;
use kube::core::PartialObjectMeta;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::task::AbortOnDropHandle;

/// What applying one watch update did.
#[derive(Clone, Copy, Debug, Default)]
struct Applied {
    /// Anything the status shows may have changed.
    changed: bool,
    /// What the ClusterInsight shows beyond its figures that drift may have changed (see
    /// `ClusterIndex::insight_changes`).
    beyond_drift: bool,
    /// The member's health (failure, or listed) changed.
    health_changed: bool,
    /// When the current failure of the node and pod watches began, if there is one.
    failure_since: Option<std::time::Instant>,
}

enum Update {
    Node(Result<Event<SlimNode>, watcher::Error>),
    Pod(Result<Event<SlimPod>, watcher::Error>),
    /// ReplicaSet or Job metadata. Watched apart from nodes and pods: a member identity that
    /// may not read them loses pod attribution, not its ClusterInsight.
    Owner(OwnerKind, Result<Event<ObjectMeta>, watcher::Error>),
}

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
    loop {
        let deadline = last_fired.map_or_else(Instant::now, |t| t + trigger.interval);
        tokio::select! {
            update = updates.next() => {
                let Some(update) = update else { break };
                listing.observe(&update, &shared, &trigger.cluster);
                let applied = apply(&shared, update, &endpoint);
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

/// Every watch of a member, merged: Nodes and Pods decoded into slim projections, and
/// ReplicaSet and Job metadata.
fn member_updates(client: &Client) -> impl Stream<Item = Update> + Send + use<> {
    let nodes = list_watch::<SlimNode>(client.clone(), Wire::Objects)
        .backoff(member_watch_backoff())
        .map(Update::Node);
    let pods = list_watch::<SlimPod>(client.clone(), Wire::Objects)
        .backoff(member_watch_backoff())
        .map(Update::Pod);
    // Metadata only: owner references are all attribution needs.
    let replica_sets = list_watch::<PartialObjectMeta<ReplicaSet>>(client.clone(), Wire::Metadata)
        .backoff(member_watch_backoff())
        .map(|e| Update::Owner(OwnerKind::ReplicaSet, e.map(metadata_of)));
    let jobs = list_watch::<PartialObjectMeta<Job>>(client.clone(), Wire::Metadata)
        .backoff(member_watch_backoff())
        .map(|e| Update::Owner(OwnerKind::Job, e.map(metadata_of)));
    let owners = stream::select(replica_sets, jobs);
    stream::select(stream::select(nodes, pods), owners)
}

/// Logs once, when this connection has listed the member's nodes and pods for the first time:
/// how long the initial sync took, and what it found.
struct Listing {
    started: Instant,
    nodes: bool,
    pods: bool,
    announced: bool,
}

impl Listing {
    fn new() -> Self {
        Listing {
            started: Instant::now(),
            nodes: false,
            pods: false,
            announced: false,
        }
    }

    /// Called before `update` is applied, so the index already holds the other kind.
    fn observe(&mut self, update: &Update, shared: &MemberShared, cluster: &str) {
        match update {
            Update::Node(Ok(Event::InitDone)) => self.nodes = true,
            Update::Pod(Ok(Event::InitDone)) => self.pods = true,
            _ => return,
        }
        if self.announced || !(self.nodes && self.pods) {
            return;
        }
        self.announced = true;
        let (nodes, pods) = match shared.index.read() {
            Ok(index) => (index.cluster.node_count(), index.cluster.pod_count()),
            Err(_) => return,
        };
        tracing::info!(
            cluster,
            nodes,
            pods,
            elapsed_ms = self.started.elapsed().as_millis() as u64,
            "member listed"
        );
    }
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

/// The metadata of a metadata-only watch event: both owner kinds are handled alike.
fn metadata_of<K>(event: Event<PartialObjectMeta<K>>) -> Event<ObjectMeta> {
    match event {
        Event::Apply(o) => Event::Apply(o.metadata),
        Event::Delete(o) => Event::Delete(o.metadata),
        Event::Init => Event::Init,
        Event::InitApply(o) => Event::InitApply(o.metadata),
        Event::InitDone => Event::InitDone,
    }
}

/// Applies one watch update: what the status shows may have changed, and the member's health.
/// The index calls themselves are the core's ([`MemberIndex::apply_event`]), which the ingest
/// benchmark measures; this adds the health, the last-event time and the sync flag.
///
/// Every successful node or pod event counts as a change, whatever the index says: it may
/// have cleared a failure or completed the initial sync, and that is what the status shows.
fn apply(shared: &MemberShared, update: Update, endpoint: &str) -> Applied {
    let (index, health) = (&shared.index, &shared.health);
    let (Ok(mut index), Ok(mut health)) = (index.write(), health.lock()) else {
        return Applied::default(); // poisoned by a panic elsewhere; the process is going down
    };
    let before = health.clone();
    let listed_before = shared.listed();
    if let Ok(mut last) = shared.last_event.lock() {
        *last = Some(std::time::Instant::now());
    }
    let insight_changes = index.cluster.insight_changes();
    let is_owner = matches!(update, Update::Owner(..));
    let changed = match update {
        Update::Node(Err(err)) | Update::Pod(Err(err)) => {
            if let Some(error) = api_error(err, endpoint) {
                health.record_failure(&error, endpoint);
                tracing::debug!(member = %endpoint, error = %error, "member watch failed; backing off");
            }
            health.failure != before.failure
        }
        Update::Owner(kind, Err(err)) => {
            if let Some(error) = api_error(err, endpoint) {
                health.record_owner_failure(kind, &error, endpoint);
                tracing::debug!(member = %endpoint, kind = kind.kind(), error = %error, "member watch failed; backing off");
            }
            health.owner_failure != before.owner_failure
        }
        Update::Node(Ok(event)) => {
            record_success(&mut health, &event);
            index.apply_event(MemberEvent::Node(core_event(event)));
            true
        }
        Update::Pod(Ok(event)) => {
            record_success(&mut health, &event);
            index.apply_event(MemberEvent::Pod(core_event(event)));
            true
        }
        Update::Owner(kind, Ok(event)) => {
            health.owner_failure = None;
            let event = MemberEvent::Owner(kind, core_event(event));
            index.apply_event(event) || before.owner_failure.is_some()
        }
    };
    if index.cluster.is_synced() {
        shared.listed.store(true, Ordering::Relaxed);
    }
    let since = |failure: &Option<super::health::Failure>| failure.as_ref().map(|f| f.since);
    let owner_reason =
        |failure: &Option<super::health::Failure>| failure.as_ref().map(|f| f.reason);
    // Owner metadata moves placements, not the insight; a watch failure is a health change.
    let beyond_drift = !is_owner && index.cluster.insight_changes() != insight_changes;
    Applied {
        changed,
        beyond_drift,
        health_changed: since(&before.failure) != since(&health.failure)
            || owner_reason(&before.owner_failure) != owner_reason(&health.owner_failure)
            || listed_before != shared.listed(),
        failure_since: since(&health.failure),
    }
}

/// A node or pod event is a sign that the member answers, except `Init`: that is the watcher
/// starting a list, before any answer. Counting it as one cleared the failure on every retry,
/// so an insight of a member that hangs or refuses alternated between its failure and
/// InitialSync (found by the fault tests).
fn record_success<K>(health: &mut Health, event: &Event<K>) {
    if !matches!(event, Event::Init) {
        health.record_success();
    }
}

/// The API error behind a watch error; `None` (logged) for errors that are not about the
/// member's answer.
fn api_error(err: watcher::Error, endpoint: &str) -> Option<kube::Error> {
    match err {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => Some(e),
        watcher::Error::WatchError(status) => Some(kube::Error::Api(status)),
        other => {
            tracing::warn!(member = %endpoint, error = %other, "member watch error");
            None
        }
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
