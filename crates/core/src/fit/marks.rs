//! [`FitMarks`]: what each placement was last built with, and which placements show each
//! cluster, so that the placements to look at again follow the clusters whose fits moved
//! rather than the number of placements.
//!
//! A placement's `fitReplicas` move with every other workload on its clusters, which trigger
//! nothing of theirs. The I/O shell tells the marks which clusters' fits may have moved (a
//! member's nodes or pods, a Cluster's resource summary, a published headroom) and, once per
//! refresh period, takes the placements that show one of them: each is looked at once, and
//! built only when the hash of its clusters' fits differs from the one it was built with.

use crate::keys::BindingRef;
use crate::multimap::MultiMap;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Default)]
pub struct FitMarks {
    built: HashMap<BindingRef, Built>,
    /// cluster → the placements whose status shows it (its entries and listed candidates).
    showing: MultiMap<Arc<str>, BindingRef>,
    /// Clusters whose fits may have moved since the last [`FitMarks::take_looks`].
    moved: HashSet<Arc<str>>,
}

#[derive(Debug)]
struct Built {
    /// A hash of the fits of `clusters` when it was built; `None` until its build is written.
    fits: Option<u64>,
    at: Instant,
    clusters: Vec<Arc<str>>,
}

impl FitMarks {
    /// The fits hash and build time of `binding`'s placement, if its last build was written.
    pub fn get(&self, binding: &BindingRef) -> Option<(u64, Instant)> {
        let built = self.built.get(binding)?;
        Some((built.fits?, built.at))
    }

    /// `binding`'s placement was built at `at` with `fits` (a hash of the fits of `clusters`,
    /// the clusters its status shows).
    pub fn record<'a>(
        &mut self,
        binding: &BindingRef,
        fits: u64,
        at: Instant,
        clusters: impl IntoIterator<Item = &'a str>,
    ) {
        let mut clusters: Vec<Arc<str>> = clusters.into_iter().map(Arc::from).collect();
        clusters.sort_unstable();
        clusters.dedup();
        self.unlink(binding);
        for cluster in &clusters {
            self.showing.insert(cluster.clone(), binding.clone());
        }
        let built = Built {
            fits: Some(fits),
            at,
            clusters,
        };
        self.built.insert(binding.clone(), built);
    }

    /// The next look at `binding` builds (a build under way, not written yet), while it stays
    /// among the placements its clusters' moves find.
    pub fn invalidate(&mut self, binding: &BindingRef) {
        if let Some(built) = self.built.get_mut(binding) {
            built.fits = None;
        }
    }

    /// The binding is gone.
    pub fn forget(&mut self, binding: &BindingRef) {
        self.unlink(binding);
        self.built.remove(binding);
    }

    /// The fits on `cluster` may have moved.
    pub fn moved(&mut self, cluster: &str) {
        if !self.moved.contains(cluster) {
            self.moved.insert(Arc::from(cluster));
        }
    }

    /// The placements showing a cluster whose fits moved since the last call, each once: the
    /// ones to look at again.
    pub fn take_looks(&mut self) -> Vec<BindingRef> {
        let mut looks = HashSet::new();
        for cluster in self.moved.drain() {
            looks.extend(self.showing.get(&cluster).cloned());
        }
        let mut looks: Vec<BindingRef> = looks.into_iter().collect();
        looks.sort_unstable();
        looks
    }

    fn unlink(&mut self, binding: &BindingRef) {
        if let Some(before) = self.built.get(binding) {
            for cluster in &before.clusters {
                self.showing.remove(cluster, binding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::BindingKind;

    fn binding(name: &str) -> BindingRef {
        BindingRef {
            kind: BindingKind::ResourceBinding,
            namespace: "shop".into(),
            name: name.into(),
        }
    }

    #[test]
    fn a_move_finds_only_the_placements_showing_that_cluster_once() {
        let mut marks = FitMarks::default();
        let now = Instant::now();
        marks.record(&binding("web"), 1, now, ["m1", "m2"]);
        marks.record(&binding("db"), 2, now, ["m2", "m3"]);
        marks.record(&binding("cache"), 3, now, ["m3"]);
        assert!(marks.take_looks().is_empty(), "nothing moved");
        marks.moved("m2");
        marks.moved("m2");
        marks.moved("m9");
        assert_eq!(marks.take_looks(), vec![binding("db"), binding("web")]);
        assert!(marks.take_looks().is_empty(), "each move is taken once");
    }

    #[test]
    fn a_rebuild_replaces_the_clusters_and_a_forgotten_binding_is_never_looked_at() {
        let mut marks = FitMarks::default();
        let now = Instant::now();
        marks.record(&binding("web"), 1, now, ["m1", "m2"]);
        marks.record(&binding("web"), 4, now, ["m2", "m3"]);
        marks.moved("m1");
        assert!(marks.take_looks().is_empty(), "m1 no longer shown");
        marks.moved("m3");
        assert_eq!(marks.take_looks(), vec![binding("web")]);
        assert_eq!(marks.get(&binding("web")), Some((4, now)));
        marks.forget(&binding("web"));
        marks.moved("m2");
        assert!(marks.take_looks().is_empty());
        assert_eq!(marks.get(&binding("web")), None);
    }

    #[test]
    fn an_unwritten_build_is_looked_at_and_builds_again() {
        let mut marks = FitMarks::default();
        let now = Instant::now();
        marks.record(&binding("web"), 1, now, ["m1"]);
        marks.invalidate(&binding("web"));
        assert_eq!(marks.get(&binding("web")), None, "builds on the next look");
        marks.moved("m1");
        assert_eq!(marks.take_looks(), vec![binding("web")], "still found");
    }
}
