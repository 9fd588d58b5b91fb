//! Each replica count against one replica, with the repository's one statistic: per pair, the
//! N-replica group's figure over the one-replica group's of the same pair; the median of those
//! ratios with their min–max (`crate::paired`).

use super::group::Run;
use crate::paired::PairedRatio;
use serde::Serialize;

/// One figure of a group, when it was measured.
pub type Figure = fn(&Run) -> Option<f64>;

/// The figures compared, as named in the JSON and as printed.
pub const FIGURES: [(&str, &str, Figure); 8] = [
    (
        "sync_wall",
        "initial sync of the fleet, wall time",
        sync_wall,
    ),
    (
        "sync_cpu_all",
        "initial sync, CPU of all replicas",
        sync_cpu_all,
    ),
    (
        "peak_rss_largest",
        "peak RSS, largest replica",
        peak_rss_largest,
    ),
    ("peak_rss_all", "peak RSS, all replicas", peak_rss_all),
    (
        "steady_rss_largest",
        "steady RSS, largest replica",
        steady_rss_largest,
    ),
    (
        "steady_cpu_all",
        "steady CPU per minute, all replicas",
        steady_cpu_all,
    ),
    ("status_writes", "status writes per minute", status_writes),
    (
        "hub_writes",
        "hub writes per minute, Lease renewals included",
        hub_writes,
    ),
];

pub fn sync_wall(run: &Run) -> Option<f64> {
    Some(run.sync.wall_seconds)
}

pub fn sync_cpu_all(run: &Run) -> Option<f64> {
    Some(run.sync.replicas.iter().map(|u| u.cpu_seconds).sum())
}

/// `VmHWM` at the end of the group: the peak over the sync and the churn.
pub fn peak_rss_largest(run: &Run) -> Option<f64> {
    run.at_end.iter().map(|e| e.peak_rss_mib).reduce(f64::max)
}

pub fn peak_rss_all(run: &Run) -> Option<f64> {
    Some(run.at_end.iter().map(|e| e.peak_rss_mib).sum())
}

pub fn steady_rss_largest(run: &Run) -> Option<f64> {
    let steady = run.steady.as_ref()?;
    steady
        .per_replica
        .iter()
        .map(|p| p.steady_rss_mib)
        .reduce(f64::max)
}

pub fn steady_cpu_all(run: &Run) -> Option<f64> {
    Some(run.steady.as_ref()?.cpu_seconds_per_minute)
}

/// `karmada_manager_status_writes_total{outcome="written"}` of all replicas, per minute.
pub fn status_writes(run: &Run) -> Option<f64> {
    Some(run.steady.as_ref()?.writes.total_per_minute)
}

/// Lease changes a watch on the hub saw per minute (each replica's renewals).
pub fn lease_writes(run: &Run) -> Option<f64> {
    run.steady.as_ref()?.writes.lease_changes_seen_per_minute
}

/// Status writes and Lease changes per minute.
pub fn hub_writes(run: &Run) -> Option<f64> {
    Some(status_writes(run)? + lease_writes(run).unwrap_or(0.0))
}

#[derive(Debug, Serialize)]
pub struct AgainstOne {
    pub replicas: usize,
    /// N ÷ 1 per figure of [`FIGURES`], by its name; absent without a complete pair.
    pub ratios: Vec<(String, Option<PairedRatio>)>,
}

/// Every replica count but 1 against 1, over the pairs measured so far.
pub fn against_one(runs: &[Run], counts: &[usize]) -> Vec<AgainstOne> {
    counts
        .iter()
        .filter(|&&n| n != 1)
        .map(|&n| AgainstOne {
            replicas: n,
            ratios: FIGURES
                .iter()
                .map(|(name, _, figure)| (name.to_string(), ratio(runs, n, *figure)))
                .collect(),
        })
        .collect()
}

/// `figure` of the N-replica group over that of the one-replica group, in each pair that has
/// both.
fn ratio(runs: &[Run], n: usize, figure: Figure) -> Option<PairedRatio> {
    let of = |pair: usize, replicas: usize| {
        runs.iter()
            .find(|r| r.pair == pair && r.replicas == replicas)
            .and_then(figure)
    };
    let mut pairs: Vec<usize> = runs.iter().map(|r| r.pair).collect();
    pairs.dedup();
    let values: Vec<(f64, f64)> = pairs
        .into_iter()
        .filter_map(|p| Some((of(p, n)?, of(p, 1)?)))
        .collect();
    PairedRatio::of(&values)
}

/// The median over the groups of `replicas` of `figure` (None without any).
pub fn median(runs: &[Run], replicas: usize, figure: Figure) -> Option<f64> {
    let mut values: Vec<f64> = runs
        .iter()
        .filter(|r| r.replicas == replicas)
        .filter_map(figure)
        .collect();
    values.sort_by(f64::total_cmp);
    (!values.is_empty()).then(|| crate::paired::median_of_sorted(&values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet_scale::replicas::Synced;

    fn run(pair: usize, replicas: usize, wall_seconds: f64) -> Run {
        Run {
            pair,
            replicas,
            sync: Synced {
                wall_seconds,
                sim_cpu_seconds: 0.0,
                replicas: Vec::new(),
            },
            steady: None,
            steady_error: Some("not measured".into()),
            at_end: Vec::new(),
            unwatched: Vec::new(),
            watched_twice: Vec::new(),
        }
    }

    #[test]
    fn each_group_is_compared_with_one_replica_of_its_own_pair() {
        // Pair 2 ran in reverse order and on a slower machine: its ratio is still 0.5.
        let runs = [
            run(1, 1, 10.0),
            run(1, 2, 5.0),
            run(2, 2, 20.0),
            run(2, 1, 40.0),
            run(3, 1, 10.0),
        ];
        let against = against_one(&runs, &[1, 2]);
        assert_eq!(against.len(), 1);
        let (name, wall) = &against[0].ratios[0];
        assert_eq!(name, "sync_wall");
        assert_eq!(
            wall.as_ref().map(|r| r.ratios.clone()),
            Some(vec![0.5, 0.5])
        );
        // Without a steady phase there is nothing to compare.
        assert!(against[0].ratios[6].1.is_none());
        assert_eq!(median(&runs, 1, sync_wall), Some(10.0));
    }
}
