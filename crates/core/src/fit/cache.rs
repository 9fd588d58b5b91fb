//! [`FitCache`]: the accurate estimate of many shapes on one member, kept up to date lazily. Each
//! shape keeps its fit per node (by the index's dense node ids) and the total; a query replays
//! only the nodes changed since that shape's last query ([`NodeChanges`]), so a pod event costs
//! one log entry, whatever the number of shapes, and a query costs the nodes changed meanwhile.

use std::collections::HashMap;

use super::FitShape;
use crate::index::{ClusterIndex, NodeChanges, Position};

/// Queries after which shapes not asked for since are dropped.
const SWEEP_EVERY: u64 = 4096;

/// The estimates of one member, by shape.
#[derive(Debug, Default)]
pub struct FitCache {
    shapes: HashMap<FitShape, Estimate>,
    queries: u64,
}

#[derive(Debug, Default)]
struct Estimate {
    seen: Position,
    /// Per node id; a node holds at most its free pod slots, so `u16` saturates only beyond
    /// 65,535 of them.
    per_node: Vec<u16>,
    total: u64,
    last_query: u64,
}

impl FitCache {
    /// Replicas of `shape` that fit in the member `index` describes now; equal to
    /// [`FitShape::in_member`].
    pub fn fit(&mut self, index: &ClusterIndex, shape: &FitShape) -> u64 {
        self.queries += 1;
        let queries = self.queries;
        if queries.is_multiple_of(SWEEP_EVERY) {
            self.shapes
                .retain(|_, e| queries - e.last_query < SWEEP_EVERY);
        }
        let estimate = self.shapes.entry(shape.clone()).or_default();
        let changes = index.node_changes();
        match changes.since(estimate.seen) {
            Some(ids) => estimate.update(index, shape, &ids),
            None => estimate.rebuild(index, changes, shape),
        }
        estimate.seen = changes.position();
        estimate.last_query = queries;
        estimate.total
    }

    /// Shapes held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    /// `true` when no shape is held.
    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }
}

impl Estimate {
    fn rebuild(&mut self, index: &ClusterIndex, changes: &NodeChanges, shape: &FitShape) {
        self.per_node.clear();
        self.total = 0;
        let ids: Vec<u32> = (0..changes.id_bound())
            .filter_map(|id| u32::try_from(id).ok())
            .collect();
        self.update(index, shape, &ids);
    }

    fn update(&mut self, index: &ClusterIndex, shape: &FitShape, ids: &[u32]) {
        for &id in ids {
            let fit = index.node_by_id(id).map_or(0, |(node, stats)| {
                shape.on_node(node, stats.map(|s| &s.allocated))
            });
            let fit = u16::try_from(fit).unwrap_or(u16::MAX);
            let slot = id as usize;
            if self.per_node.len() <= slot {
                self.per_node.resize(slot + 1, 0);
            }
            let old = std::mem::replace(&mut self.per_node[slot], fit);
            self.total = self.total - u64::from(old) + u64::from(fit);
        }
    }
}
