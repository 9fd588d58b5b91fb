//! The one loop every hub watch runs in, and the one conversion of kube-runtime's watch events
//! into the core's [`WatcherEvent`] (the core does not depend on kube-runtime, which brings a
//! client and an async runtime). Each hub index takes those events through its own
//! `apply_event`; what an event touched is then sent to the controllers (see `sources`).

use futures::{Stream, StreamExt};
use karmada_manager_core::WatcherEvent;
use kube::runtime::reflector::{self, store::Writer};
use kube::runtime::watcher::{self, Event};
use kube::runtime::{WatchStreamExt, watcher::Config};
use kube::{Api, Resource};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::hash::Hash;

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
pub async fn stored<K>(api: Api<K>, writer: Writer<K>, on_event: impl FnMut(WatcherEvent<K>))
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Default + Eq + Hash + Clone,
{
    let events = reflector::reflector(writer, watcher::watcher(api, Config::default()));
    drive(K::kind(&Default::default()).into_owned(), events, on_event).await;
}

/// Like [`stored`], for a watch whose objects only feed an index (no store).
pub async fn unstored<K>(api: Api<K>, on_event: impl FnMut(WatcherEvent<K>))
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
    K::DynamicType: Default,
{
    let kind = K::kind(&Default::default()).into_owned();
    drive(kind, watcher::watcher(api, Config::default()), on_event).await;
}

async fn drive<K>(
    kind: String,
    events: impl Stream<Item = Result<Event<K>, watcher::Error>> + Send,
    mut on_event: impl FnMut(WatcherEvent<K>),
) {
    let events = events.default_backoff();
    let mut events = std::pin::pin!(events);
    while let Some(event) = events.next().await {
        match event {
            Ok(event) => on_event(core_event(event)),
            Err(err) => {
                tracing::warn!(%kind, error = %err, "hub watch failed; backing off and relisting")
            }
        }
    }
}
