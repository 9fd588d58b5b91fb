//! The gauges read from the placements' statuses as last seen (the watch store of our own
//! WorkloadPlacements and ClusterWorkloadPlacements): which are not Ready and why, replicas
//! assigned to a member that its scheduler did not place, and how many more replicas fit. The
//! statuses were computed by the core; this only counts what they say, bounded: per cluster and
//! per reason always, per placement for the [`OBJECT_SERIES_LIMIT`] that matter most.

use crate::metrics::{
    ClusterLabels, OBJECT_SERIES_LIMIT, PlacementClusterLabels, PlacementLabels, ReasonLabels,
    StateGauges,
};
use k8s_openapi::jiff::Timestamp;
use karmada_manager_api::WorkloadPlacementStatus;
use karmada_manager_api::conditions::{status, types};
use std::collections::BTreeMap;

/// What the placements say, per cluster, per reason and per placement.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct PlacementFigures {
    pub(crate) clusters: BTreeMap<String, ClusterFigures>,
    pub(crate) not_ready_by_reason: BTreeMap<String, i64>,
    /// `(kind, placement, reason, seconds not Ready)`
    pub(crate) not_ready: Vec<(&'static str, String, String, f64)>,
    /// `(kind, placement, cluster, unscheduled replicas)`
    pub(crate) unschedulable: Vec<(&'static str, String, String, i64)>,
}

#[derive(Debug, Default, PartialEq)]
pub(crate) struct ClusterFigures {
    pub(crate) unschedulable: i64,
    /// The smallest `fitReplicas` among the placements on the cluster: its largest workload's.
    pub(crate) fit_min: Option<i64>,
    pub(crate) without_headroom: i64,
}

impl PlacementFigures {
    /// Every cluster in `clusters` gets its per-cluster series, at 0 when no placement says
    /// otherwise: "nothing unschedulable" is then a value, not a missing series.
    pub(crate) fn with_clusters(clusters: impl IntoIterator<Item = String>) -> Self {
        Self {
            clusters: clusters
                .into_iter()
                .map(|c| (c, ClusterFigures::default()))
                .collect(),
            ..Self::default()
        }
    }

    /// Counts one placement's status, read at `now`.
    pub(crate) fn add(
        &mut self,
        kind: &'static str,
        placement: String,
        status: &WorkloadPlacementStatus,
        now: Timestamp,
    ) {
        for target in &status.clusters {
            let figures = self.clusters.entry(target.name.clone()).or_default();
            let unscheduled = target.pods.as_ref().map_or(0, |p| p.unscheduled);
            if unscheduled > 0 {
                figures.unschedulable += unscheduled;
                self.unschedulable.push((
                    kind,
                    placement.clone(),
                    target.name.clone(),
                    unscheduled,
                ));
            }
            if let Some(fit) = target.fit_replicas {
                figures.fit_min = Some(figures.fit_min.map_or(fit, |m| m.min(fit)));
                figures.without_headroom += i64::from(fit == 0);
            }
        }
        let ready = status.conditions.iter().find(|c| c.type_ == types::READY);
        if let Some(ready) = ready.filter(|c| c.status != status::TRUE) {
            *self
                .not_ready_by_reason
                .entry(ready.reason.clone())
                .or_default() += 1;
            let since = ready.last_transition_time.0;
            let seconds = (now.as_millisecond() - since.as_millisecond()).max(0) as f64 / 1000.0;
            self.not_ready
                .push((kind, placement, ready.reason.clone(), seconds));
        }
    }

    /// Keeps the per-placement series that matter most: the longest not Ready, the most
    /// replicas unschedulable; ties by name, so that the same ones stay from scrape to scrape.
    pub(crate) fn cap(&mut self, limit: usize) {
        self.not_ready.sort_by(|a, b| {
            b.3.total_cmp(&a.3)
                .then_with(|| (a.0, &a.1).cmp(&(b.0, &b.1)))
        });
        self.not_ready.truncate(limit);
        self.unschedulable.sort_by(|a, b| {
            b.3.cmp(&a.3)
                .then_with(|| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)))
        });
        self.unschedulable.truncate(limit);
    }

    /// Sets the gauges to these figures, dropping every series they no longer have.
    pub(crate) fn set(mut self, gauges: &StateGauges) {
        self.cap(OBJECT_SERIES_LIMIT);
        gauges.unschedulable.clear();
        gauges.fit_min.clear();
        gauges.without_headroom.clear();
        for (cluster, figures) in self.clusters {
            let labels = ClusterLabels { cluster };
            let unschedulable = gauges.unschedulable.get_or_create(&labels);
            unschedulable.set(figures.unschedulable);
            let without = gauges.without_headroom.get_or_create(&labels);
            without.set(figures.without_headroom);
            if let Some(fit) = figures.fit_min {
                gauges.fit_min.get_or_create(&labels).set(fit);
            }
        }
        gauges.not_ready_by_reason.clear();
        for (reason, count) in self.not_ready_by_reason {
            let labels = ReasonLabels { reason };
            gauges.not_ready_by_reason.get_or_create(&labels).set(count);
        }
        gauges.not_ready.clear();
        for (kind, placement, reason, seconds) in self.not_ready {
            let labels = PlacementLabels {
                kind,
                placement,
                reason,
            };
            gauges.not_ready.get_or_create(&labels).set(seconds);
        }
        gauges.placement_unschedulable.clear();
        for (kind, placement, cluster, replicas) in self.unschedulable {
            let labels = PlacementClusterLabels {
                kind,
                placement,
                cluster,
            };
            let gauge = gauges.placement_unschedulable.get_or_create(&labels);
            gauge.set(replicas);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
    use karmada_manager_api::target_cluster::{ClusterPlacement, WorkloadPodCounts};

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).expect("in range")
    }

    fn ready(status: &str, reason: &str, since: i64) -> Condition {
        Condition {
            type_: types::READY.into(),
            status: status.into(),
            reason: reason.into(),
            message: String::new(),
            last_transition_time: Time(at(since)),
            observed_generation: None,
        }
    }

    fn target(name: &str, unscheduled: i64, fit: Option<i64>) -> ClusterPlacement {
        ClusterPlacement {
            name: name.into(),
            fit_replicas: fit,
            pods: Some(WorkloadPodCounts {
                unscheduled,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn status(ready: Condition, clusters: Vec<ClusterPlacement>) -> WorkloadPlacementStatus {
        WorkloadPlacementStatus {
            conditions: vec![ready],
            clusters,
            ..Default::default()
        }
    }

    #[test]
    fn placements_are_counted_per_cluster_and_reason() {
        let mut figures = PlacementFigures::with_clusters(["m1".into(), "idle".into()]);
        let web = status(
            ready("False", "ReplicasNotReady", 100),
            vec![target("m1", 2, Some(0)), target("m2", 0, Some(7))],
        );
        let api = status(
            ready("True", "WorkloadReady", 50),
            vec![target("m1", 0, Some(3))],
        );
        figures.add("WorkloadPlacement", "shop/web".into(), &web, at(160));
        figures.add("ClusterWorkloadPlacement", "api".into(), &api, at(160));
        let m1 = &figures.clusters["m1"];
        assert_eq!(
            (m1.unschedulable, m1.fit_min, m1.without_headroom),
            (2, Some(0), 1)
        );
        assert_eq!(figures.clusters["m2"].fit_min, Some(7));
        assert_eq!(figures.clusters["idle"], ClusterFigures::default());
        assert_eq!(
            figures.not_ready_by_reason,
            BTreeMap::from([("ReplicasNotReady".into(), 1)])
        );
        assert_eq!(
            figures.not_ready,
            [(
                "WorkloadPlacement",
                "shop/web".into(),
                "ReplicasNotReady".into(),
                60.0
            )]
        );
        assert_eq!(
            figures.unschedulable,
            [("WorkloadPlacement", "shop/web".into(), "m1".into(), 2)]
        );
    }

    #[test]
    fn the_cap_keeps_the_longest_not_ready_and_the_most_unschedulable() {
        let mut figures = PlacementFigures::default();
        for (name, since, unscheduled) in [("a", 30, 1), ("b", 10, 5), ("c", 20, 3)] {
            let s = status(
                ready("False", "ApplyFailed", since),
                vec![target("m1", unscheduled, None)],
            );
            figures.add("WorkloadPlacement", format!("ns/{name}"), &s, at(100));
        }
        figures.cap(2);
        let names: Vec<_> = figures.not_ready.iter().map(|n| n.1.as_str()).collect();
        assert_eq!(names, ["ns/b", "ns/c"]);
        let names: Vec<_> = figures.unschedulable.iter().map(|u| u.1.as_str()).collect();
        assert_eq!(names, ["ns/b", "ns/c"]);
        assert_eq!(
            figures.not_ready_by_reason["ApplyFailed"], 3,
            "counts cover all"
        );
    }
}
