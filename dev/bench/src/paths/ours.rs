//! The operator's path: slim projections decoded from the watch line, applied to the member's
//! `MemberIndex` by the function the operator's member task (`crates/operator/src/members/
//! task.rs`) calls, `MemberIndex::apply_event` in the core.
//!
//! Around that call, kept from the member task's `apply`: the index behind the `RwLock` it
//! lives in (`MemberShared.index`), the last-event timestamp taken per event, and the
//! operator's own conversion of kube-runtime's `watcher::Event` into the core's `WatcherEvent`
//! (`karmada_manager::watch::core_event`). Left out: the health bookkeeping (an uncontended mutex and a clone of a
//! small struct per event) and the error arms, which a clean stream never reaches.

use std::sync::{Mutex, PoisonError, RwLock};
use std::time::Instant;

use anyhow::Result;
use karmada_manager::watch::core_event;
use karmada_manager_core::{MemberEvent, MemberIndex, SlimNode, SlimPod, WatcherEvent};
use kube::core::WatchEvent;

use super::{Sink, decode_as_operator, initial_watch_event};
use crate::generate::Kind;
use crate::results::Decode;

/// One member, as the operator's `MemberShared` holds it.
pub struct Ours {
    decode: Decode,
    index: RwLock<MemberIndex>,
    last_event: Mutex<Option<Instant>>,
}

impl Ours {
    pub fn new(decode: Decode) -> Ours {
        Ours {
            decode,
            index: RwLock::default(),
            last_event: Mutex::default(),
        }
    }

    /// Reads the index (for the status build and the object counts).
    pub fn with_index<T>(&self, f: impl FnOnce(&MemberIndex) -> T) -> T {
        f(&self.index.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// What the operator's trigger does at least once per write interval: hand the touched
    /// workloads to the placement controllers, which drop them once reconciled. Without it
    /// the touched set would grow for the whole run, which no running operator lets happen.
    pub fn take_touched(&self) {
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        drop(index.touched.take());
    }

    /// `apply` from the operator's member task, success arms only: the index calls are the
    /// operator's own, `MemberIndex::apply_event`.
    fn apply(&self, event: MemberEvent) {
        let Ok(mut index) = self.index.write() else {
            return;
        };
        if let Ok(mut last) = self.last_event.lock() {
            *last = Some(Instant::now());
        }
        index.apply_event(event);
    }
}

impl Sink for Ours {
    fn init(&mut self, kind: Kind) {
        self.apply(match kind {
            Kind::Node => MemberEvent::Node(WatcherEvent::Init),
            Kind::Pod => MemberEvent::Pod(WatcherEvent::Init),
        });
    }

    fn line(&mut self, kind: Kind, line: &[u8]) -> Result<()> {
        let update = match kind {
            Kind::Node => {
                let event = decode_as_operator::<WatchEvent<SlimNode>>(self.decode, line)?;
                initial_watch_event(event)?.map(|e| MemberEvent::Node(core_event(e)))
            }
            Kind::Pod => {
                let event = decode_as_operator::<WatchEvent<SlimPod>>(self.decode, line)?;
                initial_watch_event(event)?.map(|e| MemberEvent::Pod(core_event(e)))
            }
        };
        if let Some(update) = update {
            self.apply(update);
        }
        Ok(())
    }

    fn list_done(&mut self) {
        self.take_touched();
    }
}
