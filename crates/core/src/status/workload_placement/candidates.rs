//! `status.candidates`: every Karmada Cluster that is not a target of the binding, with the
//! reason it is not ([`ClusterFilter`], or why a cluster that passes every filter got no
//! replicas), counted per reason and listed up to a cap.

use std::collections::{BTreeMap, HashMap, HashSet};

use karmada_manager_api::candidate_reasons as reason;
use karmada_manager_api::{CandidateCluster, CandidateClusters, Weighting};
use karmada_types::{
    Cluster, Placement, ReplicaSchedulingType, ResourceBindingSpec, SpreadByField,
};

use super::FitSource;
use crate::placement::{ClusterFilter, Filtered, aggregated, resolve_weights, weighting};

/// What the candidate list is built from.
pub(super) struct CandidateSources<'a> {
    pub(super) spec: &'a ResourceBindingSpec,
    pub(super) placement: &'a Placement,
    /// The binding's `status.schedulerObservingAffinityName`.
    pub(super) affinity_name: &'a str,
    /// When the scheduler last placed the binding (RFC 3339), for the `NotSelected` message.
    pub(super) last_scheduled: Option<String>,
    /// Every Cluster on the hub.
    pub(super) clusters: &'a [&'a Cluster],
    /// The binding's target clusters and their replicas.
    pub(super) targets: &'a BTreeMap<&'a str, i64>,
    pub(super) fits: &'a dyn FitSource,
    /// Most clusters listed in `items`.
    pub(super) limit: usize,
}

/// The list, or `None` when every Cluster is a target.
pub(super) fn candidates(sources: &CandidateSources<'_>) -> Option<CandidateClusters> {
    let mut seen: HashSet<&str> = HashSet::new();
    let others: Vec<&Cluster> = sources
        .clusters
        .iter()
        .copied()
        .filter(|c| {
            let name = c.metadata.name.as_deref().unwrap_or_default();
            !name.is_empty() && !sources.targets.contains_key(name) && seen.insert(name)
        })
        .collect();
    if others.is_empty() {
        return None;
    }
    let divided = divided_replicas(sources.spec, sources.placement);
    let filter = ClusterFilter::new(sources.spec, sources.affinity_name);
    let mut fits = HashMap::new();
    let mut fit = |name: &str| {
        *fits
            .entry(name.to_owned())
            .or_insert_with(|| sources.fits.fit(name))
    };
    let mut explained: Vec<(usize, CandidateCluster)> = others
        .iter()
        .map(|cluster| {
            let name = cluster.metadata.name.clone().unwrap_or_default();
            let verdict = filter.first_failure(cluster).unwrap_or_else(|| {
                let no_room = divided && fit(&name).is_some_and(|f| f.replicas == 0);
                if no_room {
                    Filtered {
                        reason: reason::NO_REPLICA_FITS,
                        message: "passes every filter, but no replica of this shape fits there now"
                            .to_owned(),
                    }
                } else {
                    not_selected(sources, cluster)
                }
            });
            let entry = CandidateCluster {
                name,
                reason: verdict.reason.to_owned(),
                message: verdict.message,
                fit_replicas: None,
                estimator: None,
            };
            (rank(verdict.reason), entry)
        })
        .collect();
    let mut by_reason: BTreeMap<String, i64> = BTreeMap::new();
    for (_, entry) in &explained {
        *by_reason.entry(entry.reason.clone()).or_default() += 1;
    }
    explained.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
    let total = explained.len();
    explained.truncate(sources.limit);
    let items: Vec<CandidateCluster> = explained
        .into_iter()
        .map(|(_, mut entry)| {
            if let Some(f) = fit(&entry.name) {
                entry.fit_replicas = Some(i64::try_from(f.replicas).unwrap_or(i64::MAX));
                entry.estimator = Some(f.estimator);
            }
            entry
        })
        .collect();
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    Some(CandidateClusters {
        total: count(total),
        by_reason,
        omitted: count(total - items.len()),
        items,
    })
}

/// Karmada divides replicas between clusters, by the room it estimates in each: `Divided`
/// scheduling of a workload with replicas.
fn divided_replicas(spec: &ResourceBindingSpec, placement: &Placement) -> bool {
    spec.replicas > 0 && placement.replica_scheduling_type() == ReplicaSchedulingType::Divided
}

/// Why a cluster that passes every filter has no replicas, as far as the placement tells.
fn not_selected(sources: &CandidateSources<'_>, cluster: &Cluster) -> Filtered {
    let placement = sources.placement;
    let chosen = sources.targets.len();
    let cluster_cap = placement
        .spread_constraints
        .iter()
        .filter(|c| c.spread_by_field == Some(SpreadByField::Cluster) && c.max_groups > 0)
        .map(|c| c.max_groups)
        .min();
    if let Some(max) = cluster_cap
        && i64::try_from(chosen).unwrap_or(i64::MAX) >= max
    {
        return Filtered {
            reason: reason::SPREAD_CONSTRAINT,
            message: format!(
                "passes every filter, but the spread constraint by cluster allows at most {max} clusters and {chosen} were chosen"
            ),
        };
    }
    let since = sources
        .last_scheduled
        .as_deref()
        .map(|t| format!(" (last scheduled {t})"))
        .unwrap_or_default();
    let name = cluster.metadata.name.as_deref().unwrap_or_default();
    let message = match (
        divided_replicas(sources.spec, placement),
        weighting(placement),
    ) {
        (true, Weighting::Static) => {
            let candidates = sources.targets.keys().copied().chain([name]);
            let weights = resolve_weights(placement, candidates, [cluster]);
            if weights.weights.get(name).copied().unwrap_or(0) == 0 {
                "passes every filter, but its static weight is 0: no staticWeightList rule selects it".to_owned()
            } else {
                format!(
                    "passes every filter, but the division by static weight gave it no replicas{since}"
                )
            }
        }
        (true, Weighting::Unweighted) if aggregated(placement) => format!(
            "passes every filter, but Aggregated division packs the replicas into the clusters with the most room{since}"
        ),
        (true, Weighting::DynamicAvailableReplicas) => format!(
            "passes every filter, but the division by available replicas gave it none; Karmada keeps a division until the replicas change{since}"
        ),
        (true, Weighting::Equal) => {
            format!(
                "passes every filter, but the division by equal weights gave it no replicas{since}"
            )
        }
        (true, Weighting::Unweighted) | (false, _) => format!(
            "passes every filter now, but was not among the clusters when Karmada last scheduled the binding{since}"
        ),
    };
    Filtered {
        reason: reason::NOT_SELECTED,
        message,
    }
}

/// Most telling first: clusters that could take the workload, then states that may change,
/// then what the policy itself rules out.
fn rank(reason: &str) -> usize {
    const ORDER: [&str; 9] = [
        reason::NO_REPLICA_FITS,
        reason::NOT_SELECTED,
        reason::NOT_READY,
        reason::TAINT_NOT_TOLERATED,
        reason::API_NOT_ENABLED,
        reason::EVICTING,
        reason::DELETING,
        reason::SPREAD_CONSTRAINT,
        reason::AFFINITY_MISMATCH,
    ];
    ORDER
        .iter()
        .position(|r| *r == reason)
        .unwrap_or(ORDER.len())
}
