//! The look at a binding no change asked for. Its `fitReplicas` move with every other workload
//! on its clusters, which triggers nothing of its own, so when a cluster's fits may have moved
//! the placements showing it are looked at again (`looks`). Such a look compares the fits of the
//! clusters the status shows (the targets and the candidates listed) with those the last build
//! used, and builds only when they moved: a look costs a fit lookup per cluster shown (the fit
//! cache replays only the nodes changed since), not a whole build.
//!
//! A full build happens anyway after `RESYNC` since the last one (the safety net), and while a
//! ready-count disagreement is being timed (its grace ends without a trigger). What a look
//! cannot see is a candidate beyond the listed ones turning `NoReplicaFits` (only its count in
//! `byReason` is shown): that waits for the next change or the safety net.

use super::fits::MemberFits;
use crate::context::Context;
use crate::locks::lock;
use karmada_manager_api::WorkloadPlacementStatus;
use karmada_manager_core::{BindingRef, BindingSource, FitSource};
use karmada_types::Cluster;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};

/// Whether the placement of `binding` (`reference`, log key `key`) would be built as it was last
/// time: its last build is younger than `resync`, no disagreement is being timed, and the fits
/// of the clusters `previous` shows are those it was built with.
pub fn unchanged(
    ctx: &Context,
    reference: &BindingRef,
    key: &str,
    binding: &BindingSource<'_>,
    previous: Option<&WorkloadPlacementStatus>,
    resync: Duration,
) -> bool {
    let Some(previous) = previous else {
        return false;
    };
    let last = lock(&ctx.indexes.fit_marks).get(reference);
    let timing = lock(&ctx.indexes.disagreements).timing(key);
    let fits_now = || fingerprint(ctx, binding, previous);
    same_as_built(last, timing, fits_now, resync, Instant::now())
}

/// The decision of [`unchanged`]: a last build (`last`: its fits and when) younger than
/// `resync`, no disagreement being timed, and the same fits now (computed last, as it costs
/// the most).
fn same_as_built(
    last: Option<(u64, Instant)>,
    timing: bool,
    fits_now: impl FnOnce() -> u64,
    resync: Duration,
    now: Instant,
) -> bool {
    let Some((fits, built)) = last else {
        return false;
    };
    now.saturating_duration_since(built) < resync && !timing && fits_now() == fits
}

/// Notes that the placement of `binding` (`reference`) was just built into `status` (and
/// written, if it changed): with what fits, and which clusters it shows.
pub fn record(
    ctx: &Context,
    reference: &BindingRef,
    binding: &BindingSource<'_>,
    status: &WorkloadPlacementStatus,
) {
    let fits = fingerprint(ctx, binding, status);
    let shown = shown_clusters(status);
    lock(&ctx.indexes.fit_marks).record(reference, fits, Instant::now(), shown);
}

/// A hash of the fits, now, of the clusters `status` shows: its entries and its listed
/// candidates, by name.
fn fingerprint(
    ctx: &Context,
    binding: &BindingSource<'_>,
    status: &WorkloadPlacementStatus,
) -> u64 {
    let objects = ctx.caches.clusters.state();
    let clusters: Vec<&Cluster> = objects.iter().filter_map(|c| c.0.as_ref().ok()).collect();
    let fits = MemberFits::new(ctx, binding, &clusters);
    let mut hasher = DefaultHasher::new();
    for name in shown_clusters(status) {
        (name, fits.fit(name)).hash(&mut hasher);
    }
    hasher.finish()
}

/// The clusters `status` shows a fit for: its entries and its listed candidates, by name.
fn shown_clusters(status: &WorkloadPlacementStatus) -> impl Iterator<Item = &str> {
    let listed = status.candidates.iter().flat_map(|c| &c.items);
    status
        .clusters
        .iter()
        .map(|e| e.name.as_str())
        .chain(listed.map(|c| c.name.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESYNC: Duration = Duration::from_secs(600);

    #[test]
    fn a_periodic_look_builds_only_when_something_it_cannot_see_may_have_moved() {
        let built = Instant::now();
        let later = built + Duration::from_secs(60);
        let last = Some((7, built));
        assert!(same_as_built(last, false, || 7, RESYNC, later));
        assert!(
            !same_as_built(last, false, || 8, RESYNC, later),
            "a fit moved"
        );
        assert!(
            !same_as_built(None, false, || 7, RESYNC, later),
            "never built"
        );
        assert!(
            !same_as_built(last, true, || 7, RESYNC, later),
            "a disagreement's grace ends unseen"
        );
        let stale = built + RESYNC;
        assert!(
            !same_as_built(last, false, || 7, RESYNC, stale),
            "safety net"
        );
    }
}
