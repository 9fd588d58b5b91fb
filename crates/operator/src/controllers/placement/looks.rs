//! Which placements to look at again, because the fits of a cluster they show may have moved:
//! once every `--fit-refresh-interval`, the placements showing a cluster whose fits moved since the last
//! round are sent as looks (built only if their fits did move, `refresh`). So a steady fleet
//! costs nothing, and the cost follows the clusters that change, not the number of bindings.
//!
//! What moves a cluster's fits:
//! - a watched member's nodes, or the pods they count: its index's node-change log moved
//!   (noted here, by comparing each round with the last);
//! - a member watched or no longer watched here (its fits change estimator): noted here too;
//! - its Cluster object (the general estimate reads its resource summary and models) and,
//!   with sharding, its ClusterInsight's published headroom: noted by `sources` as they change.

use crate::context::Context;
use crate::locks::lock;
use karmada_manager_core::index::Position;
use std::collections::HashMap;
use std::sync::Arc;

/// Where each watched member's index stood at the last round: synced or not, and its node-change
/// log's position.
type Seen = HashMap<String, (bool, Position)>;

/// Sends the looks, every `--fit-refresh-interval`, until the process ends.
pub async fn run(ctx: Arc<Context>) {
    let mut seen = Seen::new();
    let mut every = tokio::time::interval(ctx.settings.fit_refresh_interval);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let moved = moved_members(&ctx, &mut seen);
        let looks = {
            let mut marks = lock(&ctx.indexes.fit_marks);
            for name in &moved {
                marks.moved(name);
            }
            marks.take_looks()
        };
        if !looks.is_empty() {
            tracing::debug!(
                clusters = moved.len(),
                placements = looks.len(),
                "fits moved; looking at the placements showing them"
            );
        }
        ctx.triggers.placements.look(&looks);
    }
}

/// The members whose index moved since the last round, or which started or stopped being
/// watched here; `seen` is brought up to date.
fn moved_members(ctx: &Context, seen: &mut Seen) -> Vec<String> {
    let now: Seen = ctx
        .members
        .all()
        .into_iter()
        .map(|(name, shared)| {
            let index = crate::locks::read(&shared.index);
            let at = (
                index.cluster.is_synced(),
                index.cluster.node_changes().position(),
            );
            (name, at)
        })
        .collect();
    let mut moved: Vec<String> = now
        .iter()
        .filter(|(name, at)| seen.get(*name) != Some(at))
        .map(|(name, _)| name.clone())
        .collect();
    moved.extend(seen.keys().filter(|n| !now.contains_key(*n)).cloned());
    *seen = now;
    moved
}
