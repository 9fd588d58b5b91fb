//! One simulated member's state: its generated objects, which never change, and the pods
//! changed since (only those, each with a short history), the event log watches are served
//! from, and the resourceVersion counter. Memory grows with the changes kept, not with the
//! member's size.

use crate::generate::{MemberObjects, PodChange, PodState};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use tokio::sync::watch;

/// resourceVersions of generated objects start here; the member's list RV is above them all.
const FIRST_RV: u64 = 1_000;

/// The requested resourceVersion is older than the kept history (HTTP 410 Gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gone {
    pub oldest: u64,
}

/// A pod's state at some resourceVersion: the RV its object carries, and what changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PodAt {
    pub index: usize,
    pub rv: u64,
    pub change: PodChange,
}

/// What a watch says happened to a pod at an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodEvent {
    Added,
    Modified,
    Deleted,
}

impl PodEvent {
    /// The event that took a pod from `before` to `after`.
    fn between(before: PodChange, after: PodChange) -> PodEvent {
        if after.deleted {
            PodEvent::Deleted
        } else if before.deleted || before.generation != after.generation {
            PodEvent::Added
        } else {
            PodEvent::Modified
        }
    }
}

pub struct Member {
    pub objects: MemberObjects,
    /// The pod the freshness probe changes; churn leaves it alone.
    pub probe_pod: usize,
    /// Pod watches open now: a probe that never shows says more with this beside it.
    pub pod_watches: std::sync::atomic::AtomicUsize,
    state: Mutex<State>,
    /// The latest resourceVersion, for watches to wake on.
    latest: watch::Sender<u64>,
}

struct State {
    rv: u64,
    /// Changed pods: their history, oldest first, one entry at or below `oldest` at most.
    changes: BTreeMap<usize, Vec<(u64, PodChange)>>,
    /// Pod events (RV, pod), in RV order, from `oldest` (exclusive) on.
    log: VecDeque<(u64, usize)>,
    /// Watches and continuations from below this RV are gone.
    oldest: u64,
    /// Events kept at most (the simulated etcd's compaction).
    capacity: usize,
}

impl Member {
    pub fn new(objects: MemberObjects, log_capacity: usize) -> Member {
        let base = FIRST_RV + (objects.nodes() + objects.pods() + objects.workloads().len()) as u64;
        let probe_pod = (0..objects.pods())
            .find(|&i| objects.pod_state(i) == PodState::Running)
            .unwrap_or(0);
        Member {
            objects,
            probe_pod,
            pod_watches: Default::default(),
            state: Mutex::new(State {
                rv: base,
                changes: BTreeMap::new(),
                log: VecDeque::new(),
                oldest: base,
                capacity: log_capacity.max(1),
            }),
            latest: watch::channel(base).0,
        }
    }

    /// The resourceVersion generated node `i` carries.
    pub fn node_rv(&self, i: usize) -> u64 {
        FIRST_RV + i as u64
    }

    /// The resourceVersion generated ReplicaSet `j` carries.
    pub fn replica_set_rv(&self, j: usize) -> u64 {
        FIRST_RV + (self.objects.nodes() + self.objects.pods() + j) as u64
    }

    fn pod_rv(&self, i: usize) -> u64 {
        FIRST_RV + (self.objects.nodes() + i) as u64
    }

    pub fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.latest.subscribe()
    }

    /// Changes pod `i` by `edit` on top of its current change; the new resourceVersion.
    pub fn change_pod(&self, i: usize, edit: impl FnOnce(&mut PodChange)) -> u64 {
        let rv = {
            let mut state = self.lock();
            state.rv += 1;
            let rv = state.rv;
            let history = state.changes.entry(i).or_default();
            let mut change = history.last().map(|(_, c)| *c).unwrap_or_default();
            edit(&mut change);
            history.push((rv, change));
            state.log.push_back((rv, i));
            state.compact();
            rv
        };
        self.latest.send_replace(rv);
        rv
    }

    /// Replaces pod `i`, as a rollout does: its pod is deleted, then a new one is created in its
    /// slot (two events); the resourceVersion of the second.
    pub fn replace_pod(&self, i: usize) -> u64 {
        self.change_pod(i, |change| change.deleted = true);
        self.change_pod(i, |change| {
            *change = PodChange {
                generation: change.generation.wrapping_add(1),
                ..PodChange::default()
            }
        })
    }

    /// Pods `range` as of resourceVersion `at` that exist then: each pod's object RV and
    /// change (a deleted pod whose replacement is not created yet is left out, so a page may
    /// hold fewer than `range` pods).
    pub fn pods_at(&self, range: std::ops::Range<usize>, at: u64) -> Result<Vec<PodAt>, Gone> {
        let state = self.lock();
        state.check(at)?;
        let mut pods: Vec<PodAt> = range
            .clone()
            .map(|index| PodAt {
                index,
                rv: self.pod_rv(index),
                change: PodChange::default(),
            })
            .collect();
        for (&index, history) in state.changes.range(range.clone()) {
            if let Some(&(rv, change)) = history.iter().rev().find(|(rv, _)| *rv <= at) {
                pods[index - range.start] = PodAt { index, rv, change };
            }
        }
        pods.retain(|pod| !pod.change.deleted);
        Ok(pods)
    }

    /// The pod events after resourceVersion `after`, with each pod's state at its event.
    pub fn events_after(&self, after: u64) -> Result<Vec<(PodEvent, PodAt)>, Gone> {
        let state = self.lock();
        state.check(after)?;
        let start = state.log.partition_point(|(rv, _)| *rv <= after);
        Ok(state
            .log
            .range(start..)
            .map(|&(rv, index)| {
                let history = state.changes.get(&index).map_or(&[][..], Vec::as_slice);
                // Compaction keeps the entry before any event still in the log.
                let at = history.iter().position(|(at, _)| *at == rv);
                let change = at.map_or_else(PodChange::default, |k| history[k].1);
                let before = at
                    .and_then(|k| k.checked_sub(1))
                    .map_or_else(PodChange::default, |k| history[k].1);
                let pod = PodAt { index, rv, change };
                (PodEvent::between(before, change), pod)
            })
            .collect())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data (every update is one push).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl State {
    fn check(&self, rv: u64) -> Result<(), Gone> {
        if rv < self.oldest {
            return Err(Gone {
                oldest: self.oldest,
            });
        }
        Ok(())
    }

    /// Drops the oldest events beyond the capacity, and the history no RV still reachable
    /// needs: per pod, only the last entry at or below `oldest` stays.
    fn compact(&mut self) {
        while self.log.len() > self.capacity {
            let Some((rv, index)) = self.log.pop_front() else {
                return;
            };
            self.oldest = rv;
            if let Some(history) = self.changes.get_mut(&index) {
                let keep_from = history
                    .partition_point(|(at, _)| *at <= rv)
                    .saturating_sub(1);
                history.drain(..keep_from);
            }
        }
    }
}
