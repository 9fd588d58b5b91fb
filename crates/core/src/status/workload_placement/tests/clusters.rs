//! Cluster entries: evictions, malformed member statuses, cluster-scoped bindings and the
//! problems karmada-manager meets on a member.

use karmada_manager_api::EvictionInfo;
use karmada_manager_api::conditions::{reasons, status, types};
use serde_json::json;

use super::*;

#[test]
fn clusters_being_evicted_are_listed_but_do_not_count() {
    let built = Fixture::new()
        .targets(json!([{"name": "m2", "replicas": 10}]))
        .set("/spec/gracefulEvictionTasks", json!([
            {"fromCluster": "m1", "reason": "TaintUntolerated", "purgeMode": "Gracefully", "producer": "TaintManager"},
            {"fromCluster": "m1", "reason": "Duplicate", "purgeMode": "Directly"},
            {"fromCluster": "m9", "reason": "ApplicationFailure"}
        ]))
        .members(json!([
            {"clusterName": "m1", "applied": true, "health": "Healthy", "status": {"readyReplicas": 6}},
            {"clusterName": "m2", "applied": true, "health": "Healthy", "status": {"readyReplicas": 4}}
        ]))
        .build();
    let names = names_of(&built);
    assert_eq!(names, ["m1", "m2", "m9"]);
    let m1 = entry(&built, "m1");
    assert_eq!(m1.replicas, 0);
    assert_eq!(m1.weight, None, "not a candidate of the scheduler any more");
    assert_eq!(
        m1.eviction,
        Some(EvictionInfo {
            reason: "TaintUntolerated".into(),
            purge_mode: Some("Gracefully".into())
        })
    );
    assert_eq!(m1.ready_replicas, Some(6), "still reported per cluster");
    let m9 = entry(&built, "m9");
    assert_eq!(
        (m9.eviction.as_ref().map(|e| e.purge_mode.clone())),
        Some(None)
    );
    assert_eq!(m9.applied, None);
    assert_eq!(entry(&built, "m2").eviction, None);
    // Only the target cluster counts: 4 of 10, not 10 of 10.
    assert_eq!(built.status.replicas.ready, 4);
    assert_eq!(built.status.clusters_display, "m2:10");
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::REPLICAS_NOT_READY)
    );
    // m9 never reported, but it is not a target: Applied does not wait for it.
    assert_eq!(
        state_of(&built, types::APPLIED),
        (status::TRUE, reasons::FULLY_APPLIED)
    );
    // Static weights were resolved over the target only: m2 alone matches `env=prod` → 2.
    assert_eq!(entry(&built, "m2").weight, Some(2));
}

#[test]
fn malformed_or_absent_member_status() {
    let built = Fixture::new()
        .members(json!([
            {"clusterName": "m1", "applied": true, "health": "Healthy", "status": "not an object"},
            {"clusterName": "m2", "applied": true, "health": "Healthy",
             "status": {"readyReplicas": "4", "availableReplicas": 4.5, "updatedReplicas": 4, "replicas": -3}},
            {"clusterName": "m2", "applied": false, "appliedMessage": "a duplicate entry: the first wins"},
            {"clusterName": "stale", "applied": true}
        ]))
        .build();
    let m1 = entry(&built, "m1");
    assert_eq!(
        (
            m1.ready_replicas,
            m1.available_replicas,
            m1.updated_replicas
        ),
        (None, None, None)
    );
    let m2 = entry(&built, "m2");
    // Counts that are not integers read as absent, i.e. 0 for a Deployment.
    assert_eq!(
        (
            m2.ready_replicas,
            m2.available_replicas,
            m2.updated_replicas
        ),
        (Some(0), Some(0), Some(4))
    );
    assert_eq!(m2.applied, Some(true));
    assert!(built.status.clusters.iter().all(|c| c.name != "stale"));
    assert_eq!(built.status.replicas.ready, 0);
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::REPLICAS_NOT_READY)
    );

    // No aggregatedStatus at all.
    let built = Fixture::new().remove("/status/aggregatedStatus").build();
    assert!(
        built
            .status
            .clusters
            .iter()
            .all(|c| c.applied.is_none() && c.ready_replicas.is_none())
    );
    assert_eq!(
        state_of(&built, types::APPLIED),
        (status::UNKNOWN, reasons::APPLY_PENDING)
    );
}

#[test]
fn a_cluster_resource_binding() {
    let built = Fixture::new()
        .set("/kind", json!("ClusterResourceBinding"))
        .set(
            "/metadata",
            json!({"name": "ops-namespace", "generation": 1,
            "annotations": {"clusterpropagationpolicy.karmada.io/name": "baseline"}}),
        )
        .resource(json!({"apiVersion": "v1", "kind": "Namespace", "name": "ops"}))
        .set("/status/schedulerObservedGeneration", json!(1))
        .no_cluster_objects()
        .build();
    assert_eq!(built.status.binding.kind, "ClusterResourceBinding");
    assert_eq!(built.status.workload.namespace, None);
    assert_eq!(built.status.workload.display, "Namespace/ops");
    assert_eq!(
        built.status.policy.as_ref().map(|p| p.kind.as_str()),
        Some("ClusterPropagationPolicy")
    );
    // Without Cluster objects the static rules (on labels) match nothing: every weight is 1.
    assert_eq!(entry(&built, "m1").weight, Some(1));
}

#[test]
fn problems_on_a_cluster_show_in_its_entry_and_as_degraded() {
    let problem = |reason: &str, message: &str| ClusterProblem {
        reason: reason.into(),
        message: message.into(),
    };
    let world = Fixture::new().problems(
        "m2",
        vec![problem(
            reasons::MALFORMED_OVERRIDES,
            "Work karmada-es-m2/w: bad",
        )],
    );
    let built = world.build();
    assert_eq!(
        entry(&built, "m2").problems,
        [problem("MalformedOverrides", "Work karmada-es-m2/w: bad")]
    );
    assert!(entry(&built, "m1").problems.is_empty());
    assert_eq!(
        state_of(&built, types::DEGRADED),
        (status::TRUE, reasons::MALFORMED_OVERRIDES)
    );
    // Readiness is Karmada's verdict, not ours.
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::WORKLOAD_READY)
    );
    assert_eq!(built.state, WorkloadState::Ready);

    // A member that cannot be watched outranks a bad annotation in the reason.
    let world = world.problems(
        "m1",
        vec![problem(
            reasons::MEMBER_UNREACHABLE,
            "cannot reach https://m1",
        )],
    );
    let built = world.build();
    let degraded = condition(&built, types::DEGRADED).expect("degraded");
    assert_eq!(degraded.reason, reasons::MEMBER_NOT_OBSERVED);
    assert!(
        degraded
            .message
            .contains("m1 (MemberUnreachable: cannot reach https://m1)")
            && degraded.message.contains("m2 (MalformedOverrides"),
        "{}",
        degraded.message
    );

    let world = world.no_problems();
    assert_eq!(state_of(&world.build(), types::DEGRADED), ("-", "-"));
}
