//! Replica counts, weights and the CLUSTERS column, for every way Karmada divides replicas.

use karmada_manager_api::conditions::{reasons, status, types};
use karmada_manager_api::{
    DivisionPreference, NodePods, ReplicaScheduling, Weighting, WorkloadHealth, WorkloadPodCounts,
};
use serde_json::json;

use super::*;

#[test]
fn a_ready_weighted_deployment() {
    let built = Fixture::new()
        .overrides(
            "m1",
            &[
                (
                    "policy.karmada.io/applied-overrides",
                    r#"[{"policyName":"web-eu","overriders":{}}]"#,
                ),
                (
                    "policy.karmada.io/applied-cluster-overrides",
                    r#"[{"policyName":"registry-mirror","overriders":{}},{"policyName":"labels"}]"#,
                ),
            ],
        )
        .pods("m1", running_pods(6, "web-", 2))
        .build();
    let s = &built.status;

    assert_eq!(s.workload.api_version, "apps/v1");
    assert_eq!(s.workload.namespace.as_deref(), Some("shop"));
    assert_eq!(s.workload.uid.as_deref(), Some("u-web"));
    assert_eq!(s.workload.display, "Deployment/web");
    assert_eq!(s.binding.kind, "ResourceBinding");
    assert_eq!(s.binding.name, "web-deployment");
    assert_eq!(
        (
            s.binding.generation,
            s.binding.scheduler_observed_generation
        ),
        (3, Some(3))
    );
    assert!(s.binding.last_scheduled_time.is_some());
    let policy = s.policy.as_ref().expect("policy");
    assert_eq!(policy.kind, "PropagationPolicy");
    assert_eq!(
        (policy.namespace.as_deref(), policy.name.as_str()),
        (Some("shop"), "web-pp")
    );
    assert_eq!(policy.priority, Some(5));
    assert_eq!(policy.conflict_resolution.as_deref(), Some("Overwrite"));

    let placement = s.placement.as_ref().expect("placement");
    assert_eq!(placement.replica_scheduling, ReplicaScheduling::Divided);
    assert_eq!(
        placement.division_preference,
        Some(DivisionPreference::Weighted)
    );
    assert_eq!(placement.weighting, Some(Weighting::Static));
    assert_eq!(
        placement
            .cluster_affinity
            .as_ref()
            .and_then(|a| a.label_selector.as_deref()),
        Some("env=prod")
    );
    assert_eq!(placement.spread_constraints.len(), 1);

    assert_eq!(
        (s.replicas.desired, s.replicas.scheduled, s.replicas.ready),
        (10, 10, 10)
    );
    assert_eq!((s.replicas.available, s.replicas.updated), (10, 10));
    assert_eq!(s.replicas.display, "10/10");
    assert_eq!(s.clusters_display, "m1:6,m2:4");

    let names = names_of(&built);
    assert_eq!(names, ["m1", "m2"], "sorted by name, m3 not targeted");
    let m1 = entry(&built, "m1");
    assert_eq!((m1.weight, m1.replicas), (Some(3), 6));
    assert_eq!(
        (m1.applied, m1.applied_message.as_deref()),
        (Some(true), None)
    );
    assert_eq!(m1.health, Some(WorkloadHealth::Healthy));
    assert_eq!(
        (
            m1.ready_replicas,
            m1.available_replicas,
            m1.updated_replicas
        ),
        (Some(6), Some(6), Some(6))
    );
    // Application order: ClusterOverridePolicies, then the namespace's OverridePolicies.
    assert_eq!(
        m1.overrides,
        [
            "ClusterOverridePolicy registry-mirror",
            "ClusterOverridePolicy labels",
            "OverridePolicy shop/web-eu"
        ]
    );
    assert_eq!(m1.eviction, None);
    assert_eq!(
        m1.pods,
        Some(WorkloadPodCounts {
            total: 6,
            running: 6,
            ready: 6,
            ..WorkloadPodCounts::default()
        })
    );
    assert_eq!(
        m1.nodes,
        [
            NodePods {
                name: "n0".into(),
                pods: 3
            },
            NodePods {
                name: "n1".into(),
                pods: 3
            }
        ]
    );
    assert_eq!(m1.pod_list.len(), 6);
    let m2 = entry(&built, "m2");
    assert_eq!(m2.weight, Some(2));
    assert_eq!(
        m2.pods, None,
        "no pods given for m2: its pods are not visible"
    );
    assert!(m2.overrides.is_empty());

    assert_eq!(types_of(&built), ["Ready", "Scheduled", "Applied"]);
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::WORKLOAD_READY)
    );
    assert_eq!(
        state_of(&built, types::SCHEDULED),
        (status::TRUE, reasons::BINDING_SCHEDULED)
    );
    assert_eq!(
        state_of(&built, types::APPLIED),
        (status::TRUE, reasons::FULLY_APPLIED)
    );
    assert_eq!(built.state, WorkloadState::Ready);
    assert_eq!(built.truncation, None);
    let ready = condition(&built, types::READY).expect("ready");
    assert!(
        ready
            .message
            .contains("10 of 10 replicas ready on 2 clusters"),
        "{}",
        ready.message
    );
}

#[test]
fn duplicated_desires_replicas_on_every_cluster() {
    let built = Fixture::new()
        .placement(json!({"replicaScheduling": {"replicaSchedulingType": "Duplicated"}}))
        .targets(json!([{"name": "m1", "replicas": 10}, {"name": "m2", "replicas": 10}]))
        .members(json!([
            {"clusterName": "m1", "applied": true, "health": "Healthy", "status": {"readyReplicas": 10, "updatedReplicas": 10}},
            {"clusterName": "m2", "applied": true, "health": "Healthy", "status": {"readyReplicas": 7, "updatedReplicas": 10}}
        ]))
        .build();
    let s = &built.status;
    assert_eq!(
        (s.replicas.desired, s.replicas.scheduled, s.replicas.ready),
        (20, 20, 17)
    );
    assert_eq!(s.replicas.display, "17/20");
    assert_eq!(s.clusters_display, "m1:10,m2:10");
    assert_eq!(entry(&built, "m1").weight, None, "weights only for Static");
    // availableReplicas absent from a Deployment's status means 0.
    assert_eq!(entry(&built, "m1").available_replicas, Some(0));
    let placement = s.placement.as_ref().expect("placement");
    assert_eq!(placement.replica_scheduling, ReplicaScheduling::Duplicated);
    assert_eq!(placement.weighting, Some(Weighting::Unweighted));
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::REPLICAS_NOT_READY)
    );
    assert_eq!(
        state_of(&built, types::RECONCILING),
        (status::TRUE, reasons::REPLICAS_NOT_READY)
    );
    let message = &condition(&built, types::READY).expect("ready").message;
    assert!(
        message.contains("17 of 20 replicas ready, 20 updated (m2 7/10)"),
        "{message}"
    );
    assert_eq!(built.state, WorkloadState::Progressing);

    // No replicaScheduling at all is Duplicated too (Karmada's rule).
    let built = Fixture::new().placement(json!({})).build();
    assert_eq!(built.status.replicas.desired, 20);
}

#[test]
fn aggregated_and_equal_weightings_resolve_no_weights() {
    for (preference, weighting) in [
        (
            json!({"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Aggregated"}),
            Weighting::Unweighted,
        ),
        (
            json!({"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted"}),
            Weighting::Equal,
        ),
        (
            json!({"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
                "weightPreference": {"dynamicWeight": "AvailableReplicas",
                    "staticWeightList": [{"targetCluster": {}, "weight": 4}]}}),
            Weighting::DynamicAvailableReplicas,
        ),
    ] {
        let built = Fixture::new()
            .set("/spec/placement/replicaScheduling", preference)
            .build();
        let placement = built.status.placement.as_ref().expect("placement");
        assert_eq!(placement.weighting, Some(weighting));
        assert!(built.status.clusters.iter().all(|c| c.weight.is_none()));
        assert_eq!(built.status.replicas.desired, 10, "Divided");
    }
}

#[test]
fn duplicate_target_clusters_are_merged() {
    let fixture = Fixture::new().targets(json!([
        {"name": "m1", "replicas": 6}, {"name": "m2", "replicas": 2},
        {"name": "m2", "replicas": 2}, {"name": "", "replicas": 5}, {"name": "m1", "replicas": -1}
    ]));
    let built = fixture.build();
    let names = names_of(&built);
    assert_eq!(names, ["m1", "m2"]);
    assert_eq!(entry(&built, "m2").replicas, 4);
    assert_eq!(entry(&built, "m1").replicas, 6);
    assert_eq!(built.status.replicas.scheduled, 10);
    assert_eq!(built.status.clusters_display, "m1:6,m2:4");
    // Duplicated: desired counts each cluster once.
    let duplicated = fixture.placement(json!({}));
    assert_eq!(duplicated.build().status.replicas.desired, 20);
}

#[test]
fn workloads_without_replicas() {
    let config_map = Fixture::new()
        .resource(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "namespace": "shop", "name": "settings"}),
        )
        .set("/spec/replicas", json!(0))
        .placement(json!({"clusterAffinity": {"clusterNames": ["m1", "m2"]}}))
        .targets(json!([{"name": "m2"}, {"name": "m1"}]))
        .members(json!([
            {"clusterName": "m1", "applied": true, "health": "Healthy"},
            {"clusterName": "m2", "applied": true, "health": "Healthy", "status": {}}
        ]));
    let built = config_map.build();
    assert_eq!(built.status.clusters_display, "m1,m2");
    assert_eq!(built.status.replicas.display, "0/0");
    assert!(
        built
            .status
            .clusters
            .iter()
            .all(|c| c.ready_replicas.is_none())
    );
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::WORKLOAD_READY)
    );
    assert_eq!(
        condition(&built, types::READY).expect("ready").message,
        "Applied and healthy on 2 clusters."
    );
    let built = config_map.member_health("m1", "Unknown").build();
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::CLUSTERS_UNHEALTHY)
    );

    // A Job reports no readyReplicas: judged by Karmada's health verdict, counts left absent.
    let built = Fixture::new()
        .resource(
            json!({"apiVersion": "batch/v1", "kind": "Job", "namespace": "shop", "name": "migrate"}),
        )
        .members(json!([
            {"clusterName": "m1", "applied": true, "health": "Healthy", "status": {"active": 6}},
            {"clusterName": "m2", "applied": true, "health": "Healthy", "status": {"succeeded": 4}}
        ]))
        .build();
    assert_eq!(entry(&built, "m1").ready_replicas, None);
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::WORKLOAD_READY)
    );
    assert_eq!(state_of(&built, types::RECONCILING), ("-", "-"));
}
