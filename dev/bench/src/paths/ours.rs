//! The operator's path: slim projections decoded from the watch line, applied to the member's
//! `MemberIndex` by a copy of `apply` in `crates/operator/src/members/task.rs` (the operator
//! crate is an I/O shell with a private API, so the bench mirrors it rather than links it).
//!
//! Kept from the original: the index behind the `RwLock` it lives in (`MemberShared.index`),
//! the last-event timestamp taken per event, the per-kind `watcher::Event` match and the
//! interner purge after a relist that removed pods. Left out: the health bookkeeping (an
//! uncontended mutex and a clone of a small struct per event) and the error arms, which a
//! clean stream never reaches.

use std::sync::{Mutex, PoisonError, RwLock};
use std::time::Instant;

use anyhow::Result;
use karmada_manager_core::{MemberIndex, SlimNode, SlimPod};
use kube::core::WatchEvent;
use kube::runtime::watcher::Event;

use super::{Sink, decode, initial_watch_event};
use crate::generate::Kind;
use crate::results::Decode;

/// One member, as the operator's `MemberShared` holds it.
pub struct Ours {
    decode: Decode,
    index: RwLock<MemberIndex>,
    last_event: Mutex<Option<Instant>>,
}

// Events by value, as kube's watcher yields them to the operator: boxing the larger variant
// would add an allocation per pod that the operator's path does not make.
#[allow(clippy::large_enum_variant)]
enum Update {
    Node(Event<SlimNode>),
    Pod(Event<SlimPod>),
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

    /// `apply` from the operator's member task, success arms only.
    fn apply(&self, update: Update) {
        let Ok(mut index) = self.index.write() else {
            return;
        };
        if let Ok(mut last) = self.last_event.lock() {
            *last = Some(Instant::now());
        }
        match update {
            Update::Node(event) => match event {
                Event::Init => index.begin_resync_nodes(),
                Event::InitApply(node) | Event::Apply(node) => {
                    index.apply_node(node);
                }
                Event::InitDone => {
                    index.end_resync_nodes();
                }
                Event::Delete(node) => {
                    index.delete_node(&node);
                }
            },
            Update::Pod(event) => match event {
                Event::Init => index.begin_resync_pods(),
                Event::InitApply(pod) | Event::Apply(pod) => {
                    index.apply_pod(pod);
                }
                Event::InitDone => {
                    if index.end_resync_pods() > 0 {
                        karmada_manager_core::intern::purge_unused();
                    }
                }
                Event::Delete(pod) => {
                    index.delete_pod(&pod);
                }
            },
        }
    }
}

impl Sink for Ours {
    fn init(&mut self, kind: Kind) {
        self.apply(match kind {
            Kind::Node => Update::Node(Event::Init),
            Kind::Pod => Update::Pod(Event::Init),
        });
    }

    fn line(&mut self, kind: Kind, line: &[u8]) -> Result<()> {
        let update = match kind {
            Kind::Node => {
                let event = decode::<WatchEvent<SlimNode>>(self.decode, line)?;
                initial_watch_event(event)?.map(Update::Node)
            }
            Kind::Pod => {
                let event = decode::<WatchEvent<SlimPod>>(self.decode, line)?;
                initial_watch_event(event)?.map(Update::Pod)
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
