//! Cluster selection, weight resolution and the placement summary, against Karmada's rules.

use karmada_manager_api::{
    ClusterAffinitySummary, DivisionPreference, ReplicaScheduling, SpreadConstraintSummary,
    Weighting,
};
use karmada_types::{Cluster, ClusterAffinity, Placement};
use serde_json::{Value, json};

use super::*;

fn cluster(name: &str, labels: Value, spec: Value) -> Cluster {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": labels},
        "spec": spec,
    }))
    .expect("cluster")
}

/// Four members with distinct labels, providers, regions and zones.
fn fleet() -> Vec<Cluster> {
    vec![
        cluster(
            "m1",
            json!({"env": "prod", "tier": "gold"}),
            json!({"provider": "aws", "region": "eu-west-1", "zones": ["eu-west-1a"]}),
        ),
        cluster(
            "m2",
            json!({"env": "prod"}),
            json!({"provider": "gcp", "region": "us-east1", "zones": ["us-east1-b", "us-east1-c"]}),
        ),
        cluster(
            "m3",
            json!({"env": "dev"}),
            // Only the deprecated single zone.
            json!({"provider": "aws", "region": "eu-west-1", "zone": "eu-west-1b"}),
        ),
        cluster("m4", json!({}), json!({})),
    ]
}

fn affinity(value: Value) -> ClusterAffinity {
    serde_json::from_value(value).expect("affinity")
}

fn placement(value: Value) -> Placement {
    serde_json::from_value(value).expect("placement")
}

/// The names of the clusters of [`fleet`] that `affinity` selects.
fn selected(value: Value) -> Vec<String> {
    let affinity = affinity(value);
    fleet()
        .iter()
        .filter(|c| cluster_matches(c, &affinity))
        .map(|c| c.metadata.name.clone().unwrap_or_default())
        .collect()
}

#[test]
fn empty_affinity_and_empty_parts_select_every_cluster() {
    assert_eq!(selected(json!({})), ["m1", "m2", "m3", "m4"]);
    assert_eq!(
        selected(json!({"labelSelector": {}})),
        ["m1", "m2", "m3", "m4"]
    );
    assert_eq!(
        selected(json!({"fieldSelector": {"matchExpressions": []}})),
        ["m1", "m2", "m3", "m4"]
    );
}

#[test]
fn label_selectors() {
    assert_eq!(
        selected(json!({"labelSelector": {"matchLabels": {"env": "prod"}}})),
        ["m1", "m2"]
    );
    let expression = |operator: &str, values: Value| {
        selected(json!({"labelSelector": {"matchExpressions": [
            {"key": "env", "operator": operator, "values": values}
        ]}}))
    };
    assert_eq!(expression("In", json!(["dev", "qa"])), ["m3"]);
    // NotIn also selects clusters without the label, as in Kubernetes.
    assert_eq!(expression("NotIn", json!(["prod"])), ["m3", "m4"]);
    assert_eq!(expression("Exists", json!([])), ["m1", "m2", "m3"]);
    assert_eq!(expression("DoesNotExist", json!(null)), ["m4"]);
    // Invalid requirements select nothing (Go fails to build the selector).
    assert!(expression("In", json!([])).is_empty());
    assert!(expression("Exists", json!(["prod"])).is_empty());
    assert!(expression("Gt", json!(["1"])).is_empty());
    assert!(expression("Matches", json!(["prod"])).is_empty());
    // matchLabels AND matchExpressions.
    assert_eq!(
        selected(json!({"labelSelector": {
            "matchLabels": {"env": "prod"},
            "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]
        }})),
        ["m2"]
    );
}

#[test]
fn field_selectors_on_provider_region_and_zone() {
    let fields = |key: &str, operator: &str, values: Value| {
        selected(json!({"fieldSelector": {"matchExpressions": [
            {"key": key, "operator": operator, "values": values}
        ]}}))
    };
    assert_eq!(fields("provider", "In", json!(["aws"])), ["m1", "m3"]);
    assert_eq!(fields("provider", "NotIn", json!(["aws"])), ["m2", "m4"]);
    assert_eq!(
        fields("region", "In", json!(["eu-west-1", "us-east1"])),
        ["m1", "m2", "m3"]
    );
    assert_eq!(fields("region", "Exists", json!([])), ["m1", "m2", "m3"]);
    // Zones: spec.zones, or the deprecated spec.zone when zones is empty (m3).
    assert_eq!(
        fields("zone", "In", json!(["eu-west-1a", "eu-west-1b"])),
        ["m1", "m3"]
    );
    // A multi-zone cluster matches In only when every one of its zones is listed.
    assert_eq!(
        fields("zone", "In", json!(["us-east1-b"])),
        Vec::<String>::new()
    );
    assert_eq!(
        fields("zone", "In", json!(["us-east1-b", "us-east1-c"])),
        ["m2"]
    );
    // NotIn: none of its zones listed.
    assert_eq!(
        fields("zone", "NotIn", json!(["us-east1-c"])),
        ["m1", "m3", "m4"]
    );
    assert_eq!(fields("zone", "Exists", json!([])), ["m1", "m2", "m3"]);
    assert_eq!(fields("zone", "DoesNotExist", json!([])), ["m4"]);
    // An unknown field is never set.
    assert!(fields("flavour", "In", json!(["x"])).is_empty());
    // Every expression must hold.
    assert_eq!(
        selected(json!({"fieldSelector": {"matchExpressions": [
            {"key": "provider", "operator": "In", "values": ["aws"]},
            {"key": "zone", "operator": "In", "values": ["eu-west-1b"]}
        ]}})),
        ["m3"]
    );
}

#[test]
fn names_exclude_and_all_parts_together() {
    assert_eq!(
        selected(json!({"clusterNames": ["m2", "m4", "gone"]})),
        ["m2", "m4"]
    );
    // Exclude wins over everything else.
    assert_eq!(
        selected(json!({"clusterNames": ["m1", "m2"], "exclude": ["m1"]})),
        ["m2"]
    );
    assert_eq!(selected(json!({"exclude": ["m1", "m4"]})), ["m2", "m3"]);
    // labelSelector AND clusterNames AND fieldSelector.
    assert_eq!(
        selected(json!({
            "labelSelector": {"matchLabels": {"env": "prod"}},
            "clusterNames": ["m1", "m2", "m3"],
            "fieldSelector": {"matchExpressions": [
                {"key": "provider", "operator": "In", "values": ["gcp", "aws"]}
            ]}
        })),
        ["m1", "m2"]
    );
}

fn weighted(rules: Value) -> Placement {
    placement(json!({"replicaScheduling": {
        "replicaSchedulingType": "Divided",
        "replicaDivisionPreference": "Weighted",
        "weightPreference": {"staticWeightList": rules}
    }}))
}

fn weights_of(placement: &Placement, candidates: &[&str]) -> ResolvedWeights {
    let clusters = fleet();
    resolve_weights(placement, candidates.iter().copied(), &clusters)
}

fn pairs(resolved: &ResolvedWeights) -> Vec<(&str, i64)> {
    resolved
        .weights
        .iter()
        .map(|(name, weight)| (name.as_str(), *weight))
        .collect()
}

#[test]
fn static_weights_take_the_largest_matching_rule() {
    let placement = weighted(json!([
        {"targetCluster": {"labelSelector": {"matchLabels": {"env": "prod"}}}, "weight": 2},
        {"targetCluster": {"clusterNames": ["m1"]}, "weight": 5},
        {"targetCluster": {"clusterNames": ["m1"]}, "weight": 3},
        {"targetCluster": {"fieldSelector": {"matchExpressions": [
            {"key": "region", "operator": "In", "values": ["eu-west-1"]}
        ]}}, "weight": 1}
    ]));
    let resolved = weights_of(&placement, &["m1", "m2", "m3", "m4"]);
    assert_eq!(resolved.weighting, Weighting::Static);
    // m4 matches nothing while others match: 0 (Karmada gives it no replicas).
    assert_eq!(
        pairs(&resolved),
        [("m1", 5), ("m2", 2), ("m3", 1), ("m4", 0)]
    );
}

#[test]
fn no_match_gives_every_candidate_weight_one() {
    let placement = weighted(json!([
        {"targetCluster": {"clusterNames": ["elsewhere"]}, "weight": 7},
        {"targetCluster": {"labelSelector": {"matchLabels": {"env": "prod"}}, "exclude": ["m1", "m2"]}, "weight": 3}
    ]));
    let resolved = weights_of(&placement, &["m2", "m1"]);
    assert_eq!(pairs(&resolved), [("m1", 1), ("m2", 1)]);
}

#[test]
fn weights_of_zero_and_below() {
    // Only zero-weight matches: every candidate falls back to 1.
    let zero = weighted(json!([
        {"targetCluster": {"clusterNames": ["m1"]}, "weight": 0},
        {"targetCluster": {"clusterNames": ["m2"]}, "weight": -4}
    ]));
    assert_eq!(
        pairs(&weights_of(&zero, &["m1", "m2"])),
        [("m1", 1), ("m2", 1)]
    );
    // A zero rule next to a positive one: the zero cluster stays at 0.
    let mixed = weighted(json!([
        {"targetCluster": {"clusterNames": ["m1"]}, "weight": 0},
        {"targetCluster": {"clusterNames": ["m2"]}, "weight": 4}
    ]));
    assert_eq!(
        pairs(&weights_of(&mixed, &["m1", "m2"])),
        [("m1", 0), ("m2", 4)]
    );
}

#[test]
fn candidates_are_deduplicated_and_unknown_clusters_match_by_name() {
    let placement = weighted(json!([
        {"targetCluster": {"clusterNames": ["ghost"]}, "weight": 3},
        {"targetCluster": {"labelSelector": {"matchLabels": {"env": "prod"}}}, "weight": 9}
    ]));
    let resolved = weights_of(&placement, &["m1", "ghost", "m1"]);
    // `ghost` has no Cluster object: its name matches, its (absent) labels do not.
    assert_eq!(pairs(&resolved), [("ghost", 3), ("m1", 9)]);
    assert!(weights_of(&placement, &[]).weights.is_empty());
}

#[test]
fn dynamic_weight_overrides_the_static_list() {
    let placement = placement(json!({"replicaScheduling": {
        "replicaSchedulingType": "Divided",
        "replicaDivisionPreference": "Weighted",
        "weightPreference": {
            "staticWeightList": [{"targetCluster": {"clusterNames": ["m1"]}, "weight": 5}],
            "dynamicWeight": "AvailableReplicas"
        }
    }}));
    let resolved = weights_of(&placement, &["m1", "m2"]);
    assert_eq!(resolved.weighting, Weighting::DynamicAvailableReplicas);
    assert!(resolved.weights.is_empty());
}

#[test]
fn weighting_of_each_scheduling_type() {
    let weighting_of = |value: Value| weighting(&placement(value));
    // No replicaScheduling at all: Karmada duplicates.
    assert_eq!(weighting_of(json!({})), Weighting::Unweighted);
    assert_eq!(
        weighting_of(json!({"replicaScheduling": {"replicaSchedulingType": "Duplicated"}})),
        Weighting::Unweighted
    );
    // Divided without a preference defaults to Weighted, without weights: Equal.
    assert_eq!(
        weighting_of(json!({"replicaScheduling": {}})),
        Weighting::Equal
    );
    assert_eq!(
        weighting_of(
            json!({"replicaScheduling": {"replicaDivisionPreference": "Weighted",
            "weightPreference": {"staticWeightList": []}}})
        ),
        Weighting::Equal
    );
    assert_eq!(
        weighting_of(
            json!({"replicaScheduling": {"replicaDivisionPreference": "Aggregated",
            "weightPreference": {"staticWeightList": [{"targetCluster": {}, "weight": 2}]}}})
        ),
        Weighting::Unweighted
    );
    assert_eq!(
        weighting_of(json!({"replicaScheduling": {"replicaDivisionPreference": "Sideways"}})),
        Weighting::Unweighted
    );
    assert_eq!(
        weighting_of(json!({"replicaScheduling": {"replicaSchedulingType": "Spread"}})),
        Weighting::Unweighted
    );
    // An unknown dynamic factor is ignored, as Karmada does: the static list applies.
    assert_eq!(
        weighting_of(json!({"replicaScheduling": {"weightPreference": {
            "dynamicWeight": "Magic",
            "staticWeightList": [{"targetCluster": {}, "weight": 2}]}}})),
        Weighting::Static
    );
    // Equal and dynamic weightings resolve no per-cluster weight.
    assert!(
        weights_of(&placement(json!({"replicaScheduling": {}})), &["m1"])
            .weights
            .is_empty()
    );
}

#[test]
fn summary_of_each_replica_scheduling_type() {
    let duplicated = placement_summary(&placement(json!({})), "");
    assert_eq!(duplicated.replica_scheduling, ReplicaScheduling::Duplicated);
    assert_eq!(duplicated.division_preference, None);
    assert_eq!(duplicated.weighting, Some(Weighting::Unweighted));
    assert_eq!(duplicated.cluster_affinity, None);

    let divided = placement_summary(&placement(json!({"replicaScheduling": {}})), "");
    assert_eq!(divided.replica_scheduling, ReplicaScheduling::Divided);
    assert_eq!(
        divided.division_preference,
        Some(DivisionPreference::Weighted)
    );
    assert_eq!(divided.weighting, Some(Weighting::Equal));

    let aggregated = placement_summary(
        &placement(json!({"replicaScheduling": {
            "replicaSchedulingType": "Divided", "replicaDivisionPreference": "Aggregated"}})),
        "",
    );
    assert_eq!(
        aggregated.division_preference,
        Some(DivisionPreference::Aggregated)
    );
    assert_eq!(aggregated.weighting, Some(Weighting::Unweighted));

    let explicit_duplicated = placement_summary(
        &placement(json!({"replicaScheduling": {
            "replicaSchedulingType": "Duplicated", "replicaDivisionPreference": "Weighted"}})),
        "",
    );
    assert_eq!(
        explicit_duplicated.replica_scheduling,
        ReplicaScheduling::Duplicated
    );
    assert_eq!(explicit_duplicated.division_preference, None);

    let unknown = placement_summary(
        &placement(json!({"replicaScheduling": {"replicaSchedulingType": "Spread"}})),
        "",
    );
    assert_eq!(unknown.replica_scheduling, ReplicaScheduling::Divided);
    assert_eq!(unknown.division_preference, None);
    assert_eq!(unknown.weighting, Some(Weighting::Unweighted));
}

#[test]
fn summary_of_a_single_affinity_with_selectors_in_kubectl_form() {
    let summary = placement_summary(
        &placement(json!({
            "clusterAffinity": {
                "clusterNames": ["m2", "m1"],
                "labelSelector": {
                    "matchLabels": {"tier": "gold", "env": "prod"},
                    "matchExpressions": [
                        {"key": "team", "operator": "In", "values": ["b", "a"]},
                        {"key": "env", "operator": "NotIn", "values": ["dev"]},
                        {"key": "gpu", "operator": "Exists"},
                        {"key": "legacy", "operator": "DoesNotExist"}
                    ]
                },
                "fieldSelector": {"matchExpressions": [
                    {"key": "region", "operator": "In", "values": ["eu-west-1"]},
                    {"key": "provider", "operator": "NotIn", "values": ["gcp", "azure"]}
                ]},
                "exclude": ["m9"]
            },
            "spreadConstraints": [
                {"spreadByField": "cluster", "minGroups": 2, "maxGroups": 3},
                {"spreadByLabel": "topology/rack", "maxGroups": 0}
            ]
        })),
        "",
    );
    assert_eq!(
        summary.cluster_affinity,
        Some(ClusterAffinitySummary {
            cluster_names: vec!["m2".into(), "m1".into()],
            label_selector: Some(
                "env=prod,env notin (dev),gpu,!legacy,team in (a,b),tier=gold".into()
            ),
            field_selector: Some("provider notin (azure,gcp),region in (eu-west-1)".into()),
            exclude: vec!["m9".into()],
        })
    );
    assert_eq!(summary.affinity_name, None);
    assert_eq!(
        summary.spread_constraints,
        [
            SpreadConstraintSummary {
                spread_by_field: Some("cluster".into()),
                spread_by_label: None,
                min_groups: Some(2),
                max_groups: Some(3),
            },
            SpreadConstraintSummary {
                spread_by_field: None,
                spread_by_label: Some("topology/rack".into()),
                min_groups: None,
                max_groups: None,
            }
        ]
    );
}

#[test]
fn cluster_affinities_use_the_group_the_scheduler_observed() {
    let placement = placement(json!({
        "clusterAffinity": {"clusterNames": ["ignored"]},
        "clusterAffinities": [
            {"affinityName": "primary", "clusterNames": ["m1"]},
            {"affinityName": "backup", "labelSelector": {"matchLabels": {"env": "dr"}}, "exclude": ["m3"]}
        ]
    }));
    let second = placement_summary(&placement, "backup");
    assert_eq!(second.affinity_name.as_deref(), Some("backup"));
    assert_eq!(
        second.cluster_affinity,
        Some(ClusterAffinitySummary {
            label_selector: Some("env=dr".into()),
            exclude: vec!["m3".into()],
            ..ClusterAffinitySummary::default()
        })
    );
    // Not reported yet, or a group that no longer exists: the first group.
    for name in ["", "renamed"] {
        let first = placement_summary(&placement, name);
        assert_eq!(
            first.cluster_affinity.map(|a| a.cluster_names),
            Some(vec!["m1".to_owned()]),
            "{name:?}"
        );
    }
    assert_eq!(
        effective_affinity(&placement, "backup").map(|a| a.exclude.clone()),
        Some(vec!["m3".to_owned()])
    );
}

#[test]
fn selector_text_of_odd_requirements() {
    let affinity = affinity(json!({
        "labelSelector": {"matchExpressions": [
            {"key": "b", "operator": "Matches", "values": ["x"]},
            {"key": "a", "operator": "In", "values": ["only"]}
        ]},
        "fieldSelector": {"matchExpressions": [
            {"key": "zone", "operator": "Gt", "values": ["3"]}
        ]}
    }));
    let selector = affinity.label_selector.as_ref().expect("selector");
    assert_eq!(
        label_selector_text(selector).as_deref(),
        Some("a in (only),b Matches (x)")
    );
    let fields = affinity.field_selector.as_ref().expect("fields");
    assert_eq!(field_selector_text(fields).as_deref(), Some("zone>3"));
    let empty = self::affinity(json!({"labelSelector": {"matchLabels": {}}}));
    assert_eq!(
        label_selector_text(empty.label_selector.as_ref().expect("selector")),
        None
    );
}
