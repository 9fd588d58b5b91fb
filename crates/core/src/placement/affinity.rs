//! Cluster selection: Karmada's `util.ClusterMatches`, in Rust.
//!
//! Reproduced rather than approximated because the weights and the affinity summary must agree
//! with what the scheduler did: a cluster the operator thinks matches a weight rule but the
//! scheduler did not would show a weight that explains nothing.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::NodeSelectorRequirement;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use karmada_types::{Cluster, ClusterAffinity, FieldSelector};

/// Whether `cluster` is selected by `affinity`.
///
/// A cluster named in `exclude` never matches. Otherwise every part that is set must pass:
/// `labelSelector` (on the Cluster's labels) AND `fieldSelector` (on `provider`, `region`,
/// `zone`) AND `clusterNames` (empty = any name). An empty affinity matches every cluster. As
/// in Karmada, an invalid requirement (unknown operator, `In` without values, `Exists` with
/// values) makes its selector match nothing.
pub fn cluster_matches(cluster: &Cluster, affinity: &ClusterAffinity) -> bool {
    affinity_miss(cluster, affinity).is_none()
}

/// The part of an affinity that leaves a cluster out, checked in [`cluster_matches`]'s order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AffinityMiss {
    /// Named in `exclude`.
    Excluded,
    /// `labelSelector` does not match the Cluster's labels.
    LabelSelector,
    /// `fieldSelector` does not match its provider, region or zones.
    FieldSelector,
    /// `clusterNames` does not name it.
    ClusterNames,
}

/// Why `affinity` does not select `cluster`; `None` when it does.
pub fn affinity_miss(cluster: &Cluster, affinity: &ClusterAffinity) -> Option<AffinityMiss> {
    let name = cluster.metadata.name.as_deref().unwrap_or_default();
    if affinity.exclude.iter().any(|excluded| excluded == name) {
        return Some(AffinityMiss::Excluded);
    }
    if let Some(selector) = &affinity.label_selector
        && !label_selector_matches(selector, cluster.metadata.labels.as_ref())
    {
        return Some(AffinityMiss::LabelSelector);
    }
    if let Some(selector) = &affinity.field_selector
        && !field_selector_matches(selector, cluster)
    {
        return Some(AffinityMiss::FieldSelector);
    }
    let named =
        affinity.cluster_names.is_empty() || affinity.cluster_names.iter().any(|n| n == name);
    (!named).then_some(AffinityMiss::ClusterNames)
}

/// `metav1.LabelSelectorAsSelector(selector).Matches(labels)`: every `matchLabels` pair and
/// every `matchExpressions` requirement must hold; an empty selector matches everything.
fn label_selector_matches(
    selector: &LabelSelector,
    labels: Option<&BTreeMap<String, String>>,
) -> bool {
    let value = |key: &str| labels.and_then(|l| l.get(key)).map(String::as_str);
    let pairs = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(key, wanted)| value(key) == Some(wanted.as_str()));
    pairs
        && selector.match_expressions.iter().flatten().all(|r| {
            let values = r.values.as_deref().unwrap_or_default();
            // Label selectors know only the four set operators (no Gt/Lt).
            matches!(
                r.operator.as_str(),
                "In" | "NotIn" | "Exists" | "DoesNotExist"
            ) && requirement_matches(&r.operator, values, value(&r.key))
        })
}

/// The field selector: `zone` requirements are matched against the cluster's zones (see
/// [`zones_match`]); the others (`provider`, `region`) like node selector requirements on a
/// label set holding the non-empty ones. No requirements at all: matches.
fn field_selector_matches(selector: &FieldSelector, cluster: &Cluster) -> bool {
    selector
        .match_expressions
        .iter()
        .all(|r| match r.key.as_str() {
            "zone" => zones_match(r, &zones(cluster)),
            key => requirement_matches(
                &r.operator,
                r.values.as_deref().unwrap_or_default(),
                field(cluster, key),
            ),
        })
}

/// The value of a cluster field, `None` when unset (Karmada leaves empty fields out of the set).
fn field<'a>(cluster: &'a Cluster, key: &str) -> Option<&'a str> {
    let value = match key {
        "provider" => cluster.spec.provider.as_str(),
        "region" => cluster.spec.region.as_str(),
        _ => "",
    };
    (!value.is_empty()).then_some(value)
}

/// The cluster's zones: `spec.zones`, or the deprecated single `spec.zone` on a cluster that has
/// no `zones` (older members and hand-written Clusters still set only that).
fn zones(cluster: &Cluster) -> Vec<&str> {
    let zones: Vec<&str> = cluster
        .spec
        .zones
        .iter()
        .map(String::as_str)
        .filter(|z| !z.is_empty())
        .collect();
    if zones.is_empty() && !cluster.spec.zone.is_empty() {
        return vec![cluster.spec.zone.as_str()];
    }
    zones
}

/// Karmada's `matchZones`: `In` needs every zone of the cluster among the values (and at least
/// one zone); `NotIn` needs none of them among the values; `Exists` / `DoesNotExist` test for
/// any zone. A single-zone cluster therefore matches `zone In (a, b)` when its zone is a or b;
/// a cluster spanning a and c does not.
fn zones_match(requirement: &NodeSelectorRequirement, zones: &[&str]) -> bool {
    let values = requirement.values.as_deref().unwrap_or_default();
    let listed = |zone: &&str| values.iter().any(|v| v == zone);
    match requirement.operator.as_str() {
        "In" => !zones.is_empty() && zones.iter().all(listed),
        "NotIn" => !zones.iter().any(listed),
        "Exists" => !zones.is_empty(),
        "DoesNotExist" => zones.is_empty(),
        _ => false,
    }
}

/// One requirement against the value of its key (`None` when the key is absent), with
/// apimachinery's `labels.Requirement` semantics, including its validation: `In`/`NotIn` need
/// values, `Exists`/`DoesNotExist` take none, `Gt`/`Lt` take exactly one integer. An invalid
/// requirement matches nothing, because Go fails to build the selector.
fn requirement_matches(operator: &str, values: &[String], value: Option<&str>) -> bool {
    let listed = |v: &str| values.iter().any(|x| x == v);
    match operator {
        "In" => !values.is_empty() && value.is_some_and(listed),
        "NotIn" => !values.is_empty() && !value.is_some_and(listed),
        "Exists" => values.is_empty() && value.is_some(),
        "DoesNotExist" => values.is_empty() && value.is_none(),
        "Gt" | "Lt" => {
            let [bound] = values else { return false };
            let (Ok(bound), Some(Ok(actual))) =
                (bound.parse::<i64>(), value.map(str::parse::<i64>))
            else {
                return false;
            };
            if operator == "Gt" {
                actual > bound
            } else {
                actual < bound
            }
        }
        _ => false,
    }
}
