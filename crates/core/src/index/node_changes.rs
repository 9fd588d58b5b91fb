//! Which nodes changed, for readers that keep something per node and catch up lazily (the fit
//! estimates, `crate::fit::FitCache`). Each known node has a dense id, reused after the node is
//! deleted; every change to a node, or to the pods it counts, appends its id to a bounded log.
//! A reader remembers where it stopped and replays the ids after it, or, when the log no longer
//! reaches back that far (or the index was rebuilt), starts over.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Log entries kept at least; more while the member has more nodes, so that one change to every
/// node is always replayable.
const MIN_LOG: usize = 4096;

/// Tells indexes apart, so that a reader of one never replays another's log.
static GENERATIONS: AtomicU64 = AtomicU64::new(1);

#[derive(Clone, Debug)]
pub struct NodeChanges {
    generation: u64,
    /// Position of the first entry of `log` since the index began.
    start: u64,
    log: VecDeque<u32>,
    /// id → node name; `None` while free.
    names: Vec<Option<Arc<str>>>,
    free: Vec<u32>,
}

impl Default for NodeChanges {
    fn default() -> Self {
        NodeChanges {
            generation: GENERATIONS.fetch_add(1, Ordering::Relaxed),
            start: 0,
            log: VecDeque::new(),
            names: Vec::new(),
            free: Vec::new(),
        }
    }
}

/// Where a reader stopped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    generation: u64,
    end: u64,
}

impl NodeChanges {
    /// A dense id for a node the index now holds.
    pub(super) fn assign(&mut self, name: &Arc<str>) -> u32 {
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.names.push(None);
                u32::try_from(self.names.len() - 1).unwrap_or(u32::MAX)
            }
        };
        if let Some(slot) = self.names.get_mut(id as usize) {
            *slot = Some(Arc::clone(name));
        }
        self.record(id);
        id
    }

    /// The node `id` left the index; its id may be reused.
    pub(super) fn release(&mut self, id: u32) {
        if let Some(slot) = self.names.get_mut(id as usize) {
            *slot = None;
            self.free.push(id);
        }
        self.record(id);
    }

    /// Something of node `id` changed (the node, or its pods' requests).
    pub(super) fn record(&mut self, id: u32) {
        self.log.push_back(id);
        let keep = MIN_LOG.max(2 * self.names.len());
        while self.log.len() > keep {
            self.log.pop_front();
            self.start += 1;
        }
    }

    /// The name of the node holding `id`, if any.
    pub fn name(&self, id: u32) -> Option<&Arc<str>> {
        self.names.get(id as usize).and_then(Option::as_ref)
    }

    /// One more than the highest id in use so far: readers size per-node tables by it.
    pub fn id_bound(&self) -> usize {
        self.names.len()
    }

    /// Where a reader that has seen everything stands.
    pub fn position(&self) -> Position {
        Position {
            generation: self.generation,
            end: self.start + self.log.len() as u64,
        }
    }

    /// The ids changed since `from`, each once, or `None` when the log cannot tell (another
    /// index, or changes no longer kept): the reader must start over.
    pub fn since(&self, from: Position) -> Option<Vec<u32>> {
        if from.generation != self.generation || from.end < self.start {
            return None;
        }
        let skip = usize::try_from(from.end - self.start).ok()?;
        let mut ids: Vec<u32> = self.log.iter().skip(skip).copied().collect();
        ids.sort_unstable();
        ids.dedup();
        Some(ids)
    }
}
