//! Which weights divided replicas follow, and each target cluster's static weight.
//!
//! Mirrors the strategy choice in Karmada's scheduler (`newAssignState`) and its
//! `getStaticWeightInfoList`, so that `clusters[].weight` explains the replicas the scheduler
//! actually assigned.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use karmada_manager_api::Weighting;
use karmada_types::{
    Cluster, DynamicWeightFactor, Placement, ReplicaDivisionPreference, ReplicaSchedulingType,
};

use super::affinity::cluster_matches;

/// The weighting of a placement and, for [`Weighting::Static`], the resolved weights.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedWeights {
    /// Where the weights come from.
    pub weighting: Weighting,
    /// For `Static` only: the weight of every candidate cluster, by name (0 for a cluster that
    /// only matches rules of weight 0, or none while others match; Karmada gives it no
    /// replicas). Empty for every other weighting.
    pub weights: BTreeMap<String, i64>,
}

/// The weighting Karmada's scheduler applies for `placement`:
///
/// - `Duplicated` (including an absent `replicaScheduling`, see
///   [`Placement::replica_scheduling_type`]) and `Aggregated` division: [`Weighting::Unweighted`].
/// - `Weighted` division (also Karmada's webhook default when `Divided` names no preference):
///   `DynamicAvailableReplicas` when `weightPreference.dynamicWeight` is `AvailableReplicas`
///   (which overrides a static list), `Static` when the static list has rules, `Equal`
///   otherwise (no weightPreference, or an empty one: every candidate weighs 1).
/// - A scheduling type or division preference this operator does not know: `Unweighted`
///   (Karmada's scheduler refuses to assign replicas for it).
pub fn weighting(placement: &Placement) -> Weighting {
    let Some(strategy) = &placement.replica_scheduling else {
        return Weighting::Unweighted;
    };
    if strategy.replica_scheduling_type != ReplicaSchedulingType::Divided {
        return Weighting::Unweighted;
    }
    match strategy
        .replica_division_preference
        .as_ref()
        .unwrap_or(&ReplicaDivisionPreference::Weighted)
    {
        ReplicaDivisionPreference::Weighted => match &strategy.weight_preference {
            Some(p) if p.dynamic_weight == Some(DynamicWeightFactor::AvailableReplicas) => {
                Weighting::DynamicAvailableReplicas
            }
            Some(p) if !p.static_weight_list.is_empty() => Weighting::Static,
            _ => Weighting::Equal,
        },
        ReplicaDivisionPreference::Aggregated | ReplicaDivisionPreference::Other(_) => {
            Weighting::Unweighted
        }
    }
}

/// `Divided` with the `Aggregated` preference: the replicas are packed into the clusters with
/// the most room.
pub fn aggregated(placement: &Placement) -> bool {
    placement.replica_scheduling_type() == ReplicaSchedulingType::Divided
        && placement
            .replica_scheduling
            .as_ref()
            .and_then(|s| s.replica_division_preference.as_ref())
            == Some(&ReplicaDivisionPreference::Aggregated)
}

/// Resolves the weighting of `placement` over `candidates` (cluster names; duplicates count
/// once), looking each one up among `clusters` (any superset of the candidates; extra ones are
/// ignored).
///
/// With a static weight list, each candidate takes the largest weight among the rules whose
/// `targetCluster` selects it (0 if none, negative weights count as 0); if that leaves every
/// candidate at 0, every candidate gets 1. A candidate without a `Cluster` object (deleted
/// since it was scheduled) is matched by name only: `clusterNames` and `exclude` still apply,
/// label and field requirements see no labels and no fields.
///
/// The candidates should be the binding's `spec.clusters`: Karmada computed the weights over
/// the clusters that passed its filters, and the scheduled ones are the closest record of
/// those. (Clusters being evicted from are not candidates: the scheduler filtered them out.)
pub fn resolve_weights<'a>(
    placement: &Placement,
    candidates: impl IntoIterator<Item = &'a str>,
    clusters: impl IntoIterator<Item = &'a Cluster>,
) -> ResolvedWeights {
    let weighting = weighting(placement);
    let rules = match (&weighting, &placement.replica_scheduling) {
        (Weighting::Static, Some(strategy)) => strategy
            .weight_preference
            .as_ref()
            .map(|p| p.static_weight_list.as_slice())
            .unwrap_or_default(),
        _ => {
            return ResolvedWeights {
                weighting,
                weights: BTreeMap::new(),
            };
        }
    };
    let known: HashMap<&str, &Cluster> = clusters
        .into_iter()
        .filter_map(|c| c.metadata.name.as_deref().map(|name| (name, c)))
        .collect();
    let mut weights = BTreeMap::new();
    for name in candidates {
        if weights.contains_key(name) {
            continue;
        }
        let placeholder;
        let cluster = match known.get(name) {
            Some(cluster) => *cluster,
            None => {
                placeholder = named_cluster(name);
                &placeholder
            }
        };
        let weight = rules
            .iter()
            .filter(|rule| cluster_matches(cluster, &rule.target_cluster))
            .map(|rule| rule.weight)
            .fold(0, i64::max);
        weights.insert(name.to_owned(), weight);
    }
    if weights.values().all(|w| *w == 0) {
        weights.values_mut().for_each(|w| *w = 1);
    }
    ResolvedWeights { weighting, weights }
}

/// A `Cluster` that has nothing but its name.
fn named_cluster(name: &str) -> Cluster {
    Cluster {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            ..ObjectMeta::default()
        },
        ..Cluster::default()
    }
}
