//! The one loop every hub watch runs in, and the one conversion of kube-runtime's watch events
//! into the core's [`WatcherEvent`] (the core does not depend on kube-runtime, which brings a
//! client and an async runtime). Each hub index takes those events through its own
//! `apply_event`; what an event touched is then sent to the controllers (see `sources`).
//!
//! The driver also records which hub watches are failing, for `/readyz` ([`HubWatches`]).

use crate::health::HubWatches;
use futures::{Stream, StreamExt};
use karmada_manager_core::WatcherEvent;
use kube::api::ListParams;
use kube::runtime::reflector::{self, store::Writer};
use kube::runtime::watcher::{self, Event};
use kube::runtime::{WatchStreamExt, watcher::Config};
use kube::{Api, Resource};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// A failing watch's kind is asked for again after this, then twice as long each time...
const ASK_FIRST: Duration = Duration::from_millis(500);
/// ...up to this.
const ASK_AT_MOST_EVERY: Duration = Duration::from_secs(5);
/// How long one such request may take.
const ASK_TIMEOUT: Duration = Duration::from_secs(10);

/// kube-runtime's event as the core's indexes take it (the same variants).
pub fn core_event<K>(event: Event<K>) -> WatcherEvent<K> {
    match event {
        Event::Init => WatcherEvent::Init,
        Event::InitApply(o) => WatcherEvent::InitApply(o),
        Event::InitDone => WatcherEvent::InitDone,
        Event::Apply(o) => WatcherEvent::Apply(o),
        Event::Delete(o) => WatcherEvent::Delete(o),
    }
}

/// Watches `api` into `writer`'s store (the reconcilers' cache) and hands every event to
/// `on_event` once the store holds it. Runs until the process ends: an error is logged and
/// the watcher relists after kube's default backoff (0.8 s doubling to 30 s, with jitter).
///
/// During a relist the store is filled only at `InitDone`, so handlers that trigger
/// reconciles collect what `InitApply` touched and send it at `InitDone`.
pub async fn stored<K>(
    hub: Arc<HubWatches>,
    api: Api<K>,
    writer: Writer<K>,
    on_event: impl FnMut(WatcherEvent<K>),
) where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Default + Eq + Hash + Clone,
{
    let events = reflector::reflector(writer, watcher::watcher(api.clone(), Config::default()));
    let kind = K::kind(&Default::default()).into_owned();
    drive(hub, kind, api, events, on_event).await;
}

/// Like [`stored`], for a watch whose objects only feed an index (no store).
pub async fn unstored<K>(hub: Arc<HubWatches>, api: Api<K>, on_event: impl FnMut(WatcherEvent<K>))
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
    K::DynamicType: Default,
{
    let kind = K::kind(&Default::default()).into_owned();
    let events = watcher::watcher(api.clone(), Config::default());
    drive(hub, kind, api, events, on_event).await;
}

/// Hands `events` to `on_event`, and records in `hub` when the watch of `kind` fails
/// and when the hub answers it again.
async fn drive<K>(
    hub: Arc<HubWatches>,
    kind: String,
    api: Api<K>,
    events: impl Stream<Item = Result<Event<K>, watcher::Error>> + Send,
    mut on_event: impl FnMut(WatcherEvent<K>),
) where
    K: Clone + DeserializeOwned + Debug + Send + 'static,
{
    let events = events.default_backoff();
    let mut events = std::pin::pin!(events);
    let mut asking: Option<JoinHandle<()>> = None;
    while let Some(event) = events.next().await {
        match event {
            Ok(event) => {
                // `Init` comes before the list request: every other event is an answer.
                if !matches!(event, Event::Init) {
                    hub.answered(&kind);
                }
                on_event(core_event(event))
            }
            Err(err) => {
                tracing::warn!(%kind, error = %err, "hub watch failed; backing off and relisting");
                hub.failed(&kind, Instant::now());
                if asking.as_ref().is_none_or(JoinHandle::is_finished) {
                    let asked = ask_until_answered(hub.clone(), kind.clone(), api.clone());
                    asking = Some(tokio::spawn(asked));
                }
            }
        }
    }
}

/// While the watch of `kind` fails, asks the hub for one object of that kind (metadata only),
/// 0.5 s after the failure, doubling to every 5 s: a watch that resumes where it left off
/// delivers no event, so an idle kind would otherwise look failing until its next change.
async fn ask_until_answered<K>(hub: Arc<HubWatches>, kind: String, api: Api<K>)
where
    K: Clone + DeserializeOwned + Debug,
{
    let one = ListParams::default().limit(1);
    let mut wait = ASK_FIRST;
    loop {
        tokio::time::sleep(wait).await;
        if !hub.is_failing(&kind) {
            return;
        }
        let asked = Instant::now();
        let list = api.list_metadata(&one);
        if let Ok(Ok(_)) = tokio::time::timeout(ASK_TIMEOUT, list).await
            && hub.answered_since(&kind, asked)
        {
            tracing::info!(%kind, "the hub answers again");
            return;
        }
        wait = (wait * 2).min(ASK_AT_MOST_EVERY);
    }
}
