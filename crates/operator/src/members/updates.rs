//! A member's updates: its watches merged into one stream (`member_updates`), and how they
//! reach the member's shared state, in batches (`apply`): the index, the health, the
//! last-event time and the sync flag. The task's loop (`task.rs`) decides what to trigger.

use super::backoff::member_watch_backoff;
use super::health::Health;
use super::list_watch::{Wire, list_watch};
use super::shared::MemberShared;
use crate::watch::core_event;
use futures::{Stream, StreamExt, stream};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use karmada_manager_core::{MemberEvent, MemberIndex, OwnerKind, SlimNode, SlimPod};
use kube::Client;
use kube::core::PartialObjectMeta;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use std::sync::atomic::Ordering;
use std::task::Poll;
use tokio::time::Instant;

/// What applying watch updates did.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Applied {
    /// Anything the status shows may have changed.
    pub(super) changed: bool,
    /// What the ClusterInsight shows beyond its figures that drift may have changed (see
    /// `ClusterIndex::insight_changes`).
    pub(super) beyond_drift: bool,
    /// The member's health (failure, or listed) changed.
    pub(super) health_changed: bool,
    /// When the current failure of the node and pod watches began, if there is one.
    pub(super) failure_since: Option<std::time::Instant>,
}

pub(super) enum Update {
    Node(Result<Event<SlimNode>, watcher::Error>),
    Pod(Result<Event<SlimPod>, watcher::Error>),
    /// ReplicaSet or Job metadata. Watched apart from nodes and pods: a member identity that
    /// may not read them loses pod attribution, not its ClusterInsight.
    Owner(OwnerKind, Result<Event<ObjectMeta>, watcher::Error>),
}

/// Every watch of a member, merged: Nodes and Pods decoded into slim projections, and
/// ReplicaSet and Job metadata.
pub(super) fn member_updates(client: &Client) -> impl Stream<Item = Update> + Send + use<> {
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
pub(super) struct Listing {
    started: Instant,
    nodes: bool,
    pods: bool,
    announced: bool,
}

impl Listing {
    pub(super) fn new() -> Self {
        Listing {
            started: Instant::now(),
            nodes: false,
            pods: false,
            announced: false,
        }
    }

    /// Called before `update` is applied, so the index already holds the other kind.
    fn observe(&mut self, update: &Update, index: &MemberIndex, cluster: &str) {
        match update {
            Update::Node(Ok(Event::InitDone)) => self.nodes = true,
            Update::Pod(Ok(Event::InitDone)) => self.pods = true,
            _ => return,
        }
        if self.announced || !(self.nodes && self.pods) {
            return;
        }
        self.announced = true;
        let (nodes, pods) = (index.cluster.node_count(), index.cluster.pod_count());
        tracing::info!(
            cluster,
            nodes,
            pods,
            elapsed_ms = self.started.elapsed().as_millis() as u64,
            "member listed"
        );
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

/// Updates a list page makes ready at once, applied in one go: one lock, one pass of the
/// task's loop and one health comparison for up to this many, rather than one each.
pub(super) const BATCH: usize = 128;

/// Moves the updates that are ready now into `batch`, up to [`BATCH`], without waiting: polled
/// with the task's own waker, so one found not ready wakes the task as any wait would.
pub(super) async fn take_ready(
    mut updates: std::pin::Pin<&mut impl Stream<Item = Update>>,
    batch: &mut Vec<Update>,
) {
    std::future::poll_fn(|cx| {
        while batch.len() < BATCH {
            match updates.as_mut().poll_next(cx) {
                Poll::Ready(Some(update)) => batch.push(update),
                // Nothing more ready, or the end, which the task's next wait sees.
                Poll::Ready(None) | Poll::Pending => break,
            }
        }
        Poll::Ready(())
    })
    .await
}

/// Applies the updates of `batch` in order and empties it; tells what the status shows may
/// have changed and what became of the member's health. The index calls themselves are the
/// core's ([`MemberIndex::apply_event`]), which the ingest benchmark measures; this adds the
/// health, the last-event time and the sync flag.
///
/// Every successful node or pod event counts as a change, whatever the index says: it may
/// have cleared a failure or completed the initial sync, and that is what the status shows.
pub(super) fn apply(
    shared: &MemberShared,
    batch: &mut Vec<Update>,
    endpoint: &str,
    listing: &mut Listing,
    cluster: &str,
) -> Applied {
    let (index, health) = (&shared.index, &shared.health);
    let (Ok(mut index), Ok(mut health)) = (index.write(), health.lock()) else {
        batch.clear();
        return Applied::default(); // poisoned by a panic elsewhere; the process is going down
    };
    let before = health.clone();
    let listed_before = shared.listed();
    if let Ok(mut last) = shared.last_event.lock() {
        *last = Some(std::time::Instant::now());
    }
    let mut applied = Applied::default();
    for update in batch.drain(..) {
        listing.observe(&update, &index, cluster);
        let insight_changes = index.cluster.insight_changes();
        let is_owner = matches!(update, Update::Owner(..));
        applied.changed |= apply_one(&mut index, &mut health, update, endpoint);
        // Owner metadata moves placements, not the insight.
        applied.beyond_drift |= !is_owner && index.cluster.insight_changes() != insight_changes;
    }
    if index.cluster.is_synced() {
        shared.listed.store(true, Ordering::Relaxed);
    }
    let since = |failure: &Option<super::health::Failure>| failure.as_ref().map(|f| f.since);
    let owner_reason =
        |failure: &Option<super::health::Failure>| failure.as_ref().map(|f| f.reason);
    // A watch failure is a health change.
    applied.health_changed = since(&before.failure) != since(&health.failure)
        || owner_reason(&before.owner_failure) != owner_reason(&health.owner_failure)
        || listed_before != shared.listed();
    applied.failure_since = since(&health.failure);
    applied
}

/// Applies one update to the index and the health: whether what the status shows may have
/// changed.
fn apply_one(index: &mut MemberIndex, health: &mut Health, update: Update, endpoint: &str) -> bool {
    match update {
        Update::Node(Err(err)) | Update::Pod(Err(err)) => {
            let before = health.failure.clone();
            if let Some(error) = api_error(err, endpoint) {
                health.record_failure(&error, endpoint);
                tracing::debug!(member = %endpoint, error = %error, "member watch failed; backing off");
            }
            health.failure != before
        }
        Update::Owner(kind, Err(err)) => {
            let before = health.owner_failure.clone();
            if let Some(error) = api_error(err, endpoint) {
                health.record_owner_failure(kind, &error, endpoint);
                tracing::debug!(member = %endpoint, kind = kind.kind(), error = %error, "member watch failed; backing off");
            }
            health.owner_failure != before
        }
        Update::Node(Ok(event)) => {
            record_success(health, &event);
            index.apply_event(MemberEvent::Node(core_event(event)));
            true
        }
        Update::Pod(Ok(event)) => {
            record_success(health, &event);
            index.apply_event(MemberEvent::Pod(core_event(event)));
            true
        }
        Update::Owner(kind, Ok(event)) => {
            let had_failure = health.owner_failure.take().is_some();
            let event = MemberEvent::Owner(kind, core_event(event));
            index.apply_event(event) || had_failure
        }
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

    fn pods(count: usize) -> impl Iterator<Item = Update> {
        (0..count).map(|i| Update::Pod(Ok(Event::InitApply(SlimPod::new("ns", &format!("p{i}"))))))
    }

    #[tokio::test]
    async fn take_ready_takes_what_is_ready_up_to_a_batch_and_never_waits() {
        let mut batch = Vec::new();
        let mut many = std::pin::pin!(stream::iter(pods(300)).chain(stream::pending()));
        take_ready(many.as_mut(), &mut batch).await;
        assert_eq!(batch.len(), BATCH);

        batch.clear();
        let mut few = std::pin::pin!(stream::iter(pods(3)).chain(stream::pending()));
        take_ready(few.as_mut(), &mut batch).await;
        assert_eq!(batch.len(), 3, "stops at the first update not ready");
    }

    /// The updates of one member's first sync, with a failed pod list retried in between.
    fn first_sync() -> Vec<Update> {
        let refused = || {
            let status = kube::core::Status::failure("no", "Forbidden").with_code(403);
            watcher::Error::InitialListFailed(kube::Error::Api(status.boxed()))
        };
        let mut updates = vec![
            Update::Node(Ok(Event::Init)),
            Update::Node(Ok(Event::InitApply(SlimNode::new("n1")))),
            Update::Node(Ok(Event::InitDone)),
            Update::Pod(Ok(Event::Init)),
            Update::Pod(Err(refused())),
            Update::Pod(Ok(Event::Init)),
        ];
        updates.extend(pods(5));
        updates.push(Update::Pod(Ok(Event::InitDone)));
        updates
    }

    #[test]
    fn a_batch_leaves_the_index_and_health_as_its_updates_one_at_a_time_do() {
        let (one_by_one, batched) = (MemberShared::default(), MemberShared::default());
        let mut listing = Listing::new();
        let mut changed = false;
        for update in first_sync() {
            changed |= apply(&one_by_one, &mut vec![update], "m", &mut listing, "c").changed;
        }
        let mut batch = first_sync();
        let applied = apply(&batched, &mut batch, "m", &mut Listing::new(), "c");

        assert!(batch.is_empty());
        assert!(changed && applied.changed);
        for shared in [&one_by_one, &batched] {
            let index = shared.index.read().unwrap();
            assert_eq!(
                (index.cluster.node_count(), index.cluster.pod_count()),
                (1, 5)
            );
            assert!(shared.listed());
            assert!(
                shared.health().failure.is_none(),
                "the retry cleared the failure"
            );
        }
        // Listed for the first time: a health change, and no failure left to time.
        assert!(applied.health_changed && applied.beyond_drift);
        assert_eq!(applied.failure_since, None);
    }

    #[test]
    fn a_failure_left_at_the_end_of_a_batch_is_reported() {
        let shared = MemberShared::default();
        let mut batch = first_sync();
        batch.truncate(5); // up to the refused pod list
        let applied = apply(&shared, &mut batch, "m", &mut Listing::new(), "c");
        assert!(applied.health_changed);
        assert!(applied.failure_since.is_some());
        assert_eq!(shared.health().failure.map(|f| f.reason), Some("Forbidden"));
    }
}
