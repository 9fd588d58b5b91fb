//! `candidates`: every Cluster that is not a target, with the first filter of Karmada's
//! scheduler it fails or why it got no replicas; and `clusters[].division`.

use karmada_manager_api::{CandidateCluster, FitEstimator, candidate_reasons as reason};

use super::*;
use crate::status::workload_placement::Fit;

fn with_cluster(mut world: Fixture, cluster: Value) -> Fixture {
    world
        .clusters
        .push(serde_json::from_value(cluster).expect("cluster"));
    world
}

/// A Cluster the default placement selects (`env=prod`), serving Deployments.
fn prod(name: &str) -> Value {
    json!({
        "metadata": {"name": name, "labels": {"env": "prod"}},
        "status": {
            "apiEnablements": [{"groupVersion": "apps/v1", "resources": [{"name": "deployments", "kind": "Deployment"}]}],
            "conditions": [{"type": "CompleteAPIEnablements", "status": "True"}]
        }
    })
}

fn candidate<'a>(built: &'a WorkloadPlacementBuild, name: &str) -> &'a CandidateCluster {
    let candidates = built.status.candidates.as_ref().expect("candidates");
    candidates
        .items
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name} not listed: {candidates:?}"))
}

fn fit(replicas: u64) -> Fit {
    Fit {
        replicas,
        estimator: FitEstimator::Accurate,
        general: None,
    }
}

#[test]
fn a_cluster_the_affinity_does_not_select_names_the_selector() {
    let built = Fixture::new().build();
    let candidates = built
        .status
        .candidates
        .as_ref()
        .expect("m3 is not a target");
    assert_eq!(candidates.total, 1);
    assert_eq!(
        candidates.by_reason.get(reason::AFFINITY_MISMATCH),
        Some(&1)
    );
    let m3 = candidate(&built, "m3");
    assert_eq!(m3.reason, reason::AFFINITY_MISMATCH);
    assert_eq!(
        m3.message,
        "clusterAffinity: its labels do not match labelSelector env=prod"
    );
}

#[test]
fn every_cluster_a_target_gives_no_candidates() {
    let world = Fixture {
        clusters: vec![
            cluster("m1", json!({"env": "prod"})),
            cluster("m2", json!({"env": "prod"})),
        ],
        ..Fixture::new()
    };
    assert_eq!(world.build().status.candidates, None);
}

#[test]
fn affinity_parts_and_the_group_in_use_are_named() {
    let mut m4 = prod("m4");
    m4["spec"] = json!({"region": "us"});
    let world = with_cluster(Fixture::new(), m4).placement(json!({"clusterAffinities": [
        {"affinityName": "primary", "clusterNames": ["m1", "m2"], "exclude": ["m3"]},
        {"affinityName": "backup", "fieldSelector": {"matchExpressions": [
            {"key": "region", "operator": "In", "values": ["eu"]}]}}
    ]}));
    let built = world.clone().build();
    assert_eq!(
        candidate(&built, "m3").message,
        "clusterAffinities group \"primary\" (the one in use): it is listed in exclude"
    );
    assert_eq!(
        candidate(&built, "m4").message,
        "clusterAffinities group \"primary\" (the one in use): clusterNames does not name it (m1, m2)"
    );
    let backup = world
        .set("/status/schedulerObservingAffinityName", json!("backup"))
        .build();
    assert_eq!(
        candidate(&backup, "m4").message,
        "clusterAffinities group \"backup\" (the one in use): its provider, region or zones do not match fieldSelector region in (eu)"
    );
}

#[test]
fn untolerated_taints_are_named_and_karmadas_readiness_taints_read_not_ready() {
    let mut gpu = prod("gpu");
    gpu["spec"] = json!({"taints": [
        {"key": "soft", "effect": "PreferNoSchedule"},
        {"key": "team", "value": "a", "effect": "NoSchedule"},
        {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
    ]});
    let mut down = prod("down");
    down["spec"] =
        json!({"taints": [{"key": "cluster.karmada.io/not-ready", "effect": "NoSchedule"}]});
    let world = with_cluster(with_cluster(Fixture::new(), gpu), down).set(
        "/spec/placement/clusterTolerations",
        json!([{"key": "team", "operator": "Equal", "value": "a", "effect": "NoSchedule"}]),
    );
    let built = world.build();
    let gpu = candidate(&built, "gpu");
    assert_eq!(gpu.reason, reason::TAINT_NOT_TOLERATED);
    assert_eq!(
        gpu.message,
        "taint dedicated=gpu:NoSchedule not tolerated by clusterTolerations"
    );
    let down = candidate(&built, "down");
    assert_eq!(down.reason, reason::NOT_READY);
    assert!(
        down.message
            .contains("cluster.karmada.io/not-ready:NoSchedule"),
        "{}",
        down.message
    );
}

#[test]
fn a_kind_the_member_does_not_serve_is_api_not_enabled() {
    let mut old = prod("old");
    old["status"]["apiEnablements"] =
        json!([{"groupVersion": "v1", "resources": [{"kind": "Pod"}]}]);
    let mut partial = old.clone();
    partial["metadata"]["name"] = json!("partial");
    partial["status"]["conditions"] =
        json!([{"type": "CompleteAPIEnablements", "status": "False"}]);
    let built = with_cluster(with_cluster(Fixture::new(), old), partial).build();
    let old = candidate(&built, "old");
    assert_eq!(old.reason, reason::API_NOT_ENABLED);
    assert_eq!(old.message, "the member does not serve apps/v1 Deployment");
    let partial = candidate(&built, "partial");
    assert_eq!(partial.reason, reason::API_NOT_ENABLED);
    assert!(
        partial.message.contains("incomplete"),
        "{}",
        partial.message
    );
}

#[test]
fn eviction_and_spread_fields_are_filters_too() {
    let world = with_cluster(with_cluster(Fixture::new(), prod("m4")), prod("m5"))
        .set(
            "/spec/gracefulEvictionTasks",
            json!([{"fromCluster": "m4", "reason": "TaintUntolerated"}]),
        )
        .set(
            "/spec/placement/spreadConstraints",
            json!([{"spreadByField": "region", "minGroups": 1}]),
        );
    let built = world.build();
    let m4 = candidate(&built, "m4");
    assert_eq!(
        (m4.reason.as_str(), m4.message.as_str()),
        (
            reason::EVICTING,
            "the workload is being evicted from it (TaintUntolerated)"
        )
    );
    let m5 = candidate(&built, "m5");
    assert_eq!(m5.reason, reason::SPREAD_CONSTRAINT);
    assert!(m5.message.contains("region"), "{}", m5.message);
}

#[test]
fn a_cluster_that_passes_every_filter_says_whether_anything_fits() {
    let mut world = with_cluster(with_cluster(Fixture::new(), prod("full")), prod("roomy"));
    world.fits.insert("full".into(), fit(0));
    world.fits.insert("roomy".into(), fit(7));
    let built = world.build();
    let full = candidate(&built, "full");
    assert_eq!(full.reason, reason::NO_REPLICA_FITS);
    assert_eq!(full.fit_replicas, Some(0));
    let roomy = candidate(&built, "roomy");
    assert_eq!(roomy.reason, reason::NOT_SELECTED);
    assert_eq!(
        (roomy.fit_replicas, roomy.estimator),
        (Some(7), Some(FitEstimator::Accurate))
    );
    // `env=prod` clusters weigh 2 in the fixture's static list.
    assert!(
        roomy.message.contains("division by static weight"),
        "{}",
        roomy.message
    );
    let candidates = built.status.candidates.as_ref().expect("candidates");
    let listed: Vec<&str> = candidates.items.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(listed, ["full", "roomy", "m3"], "most telling first");
}

#[test]
fn a_static_weight_of_zero_is_the_reason() {
    let world = with_cluster(Fixture::new(), prod("m4")).set(
        "/spec/placement/replicaScheduling/weightPreference/staticWeightList",
        json!([{"targetCluster": {"clusterNames": ["m1", "m2"]}, "weight": 1}]),
    );
    let m4 = world.build();
    let m4 = candidate(&m4, "m4");
    assert_eq!(m4.reason, reason::NOT_SELECTED);
    assert!(m4.message.contains("static weight is 0"), "{}", m4.message);
}

#[test]
fn thousands_of_clusters_are_counted_and_the_list_capped() {
    let mut world = Fixture::new();
    for i in 0..5000 {
        let labels = if i % 2 == 0 {
            json!({"env": "dev"})
        } else {
            json!({"env": "prod"})
        };
        world.clusters.push(serde_json::from_value(json!({
            "metadata": {"name": format!("c{i:04}"), "labels": labels},
            "spec": {"taints": [{"key": "k", "value": "x".repeat(2000), "effect": "NoSchedule"}]}
        })).expect("cluster"));
    }
    let built = world.build();
    let candidates = built.status.candidates.as_ref().expect("candidates");
    assert_eq!(candidates.total, 5001);
    assert_eq!(candidates.items.len(), 20);
    assert_eq!(candidates.omitted, 4981);
    assert_eq!(candidates.by_reason.values().sum::<i64>(), 5001);
    assert_eq!(
        candidates.by_reason.get(reason::TAINT_NOT_TOLERATED),
        Some(&2500)
    );
    let first = &candidates.items[0];
    assert_eq!(
        (first.name.as_str(), first.reason.as_str()),
        ("c0001", reason::TAINT_NOT_TOLERATED)
    );
    assert!(first.message.len() <= crate::text::PROBLEM_MESSAGE_LIMIT);
    let bytes = serde_json::to_vec(candidates).expect("json").len();
    assert!(bytes < 16 * 1024, "{bytes} bytes");
}

#[test]
fn the_division_is_explained_per_target() {
    let built = Fixture::new().build();
    assert_eq!(
        entry(&built, "m1").division.as_deref(),
        Some("static weight 3 of 5")
    );
    assert_eq!(
        entry(&built, "m2").division.as_deref(),
        Some("static weight 2 of 5")
    );

    let mut dynamic = Fixture::new()
        .set(
            "/spec/placement/replicaScheduling/weightPreference",
            json!({"dynamicWeight": "AvailableReplicas"}),
        )
        .pods("m1", running_pods(6, "web-", 2));
    dynamic.fits.insert(
        "m1".into(),
        Fit {
            general: Some(5),
            ..fit(8)
        },
    );
    dynamic.fits.insert(
        "m2".into(),
        Fit {
            replicas: 3,
            estimator: FitEstimator::General,
            general: Some(3),
        },
    );
    let built = dynamic.build();
    assert_eq!(
        entry(&built, "m1").division.as_deref(),
        Some(
            "by available replicas, the least of Karmada's estimates: general 5, accurate 8 now; 6 of its pods placed"
        )
    );
    assert_eq!(
        entry(&built, "m2").division.as_deref(),
        Some("by available replicas, the least of Karmada's estimates: general 3 now")
    );
    dynamic.fits.clear();
    assert_eq!(
        entry(&dynamic.build(), "m1").division.as_deref(),
        Some(
            "by available replicas, the least of Karmada's estimates (the room on this cluster is not known)"
        )
    );

    let equal = Fixture::new()
        .remove("/spec/placement/replicaScheduling/weightPreference")
        .build();
    assert_eq!(
        entry(&equal, "m2").division.as_deref(),
        Some("equal weight 1 of 2")
    );

    let duplicated = Fixture::new()
        .set(
            "/spec/placement/replicaScheduling",
            json!({"replicaSchedulingType": "Duplicated"}),
        )
        .build();
    assert_eq!(entry(&duplicated, "m1").division, None);
}
