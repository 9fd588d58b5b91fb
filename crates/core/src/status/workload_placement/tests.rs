//! The `WorkloadPlacement` builder: status fields, conditions and fleet state, fed with
//! Karmada objects as the hub serves them.

use std::collections::BTreeMap;

use karmada_manager_api::conditions::{reasons, status, types};
use karmada_manager_api::{
    ClusterPlacement, ClusterProblem, DivisionPreference, EvictionInfo, NodePods, PodSummary,
    ReplicaScheduling, Weighting, WorkloadHealth, WorkloadPodCounts,
};
use karmada_types::{
    Cluster, ClusterPropagationPolicy, PropagationPolicy, PropagationSpec, ResourceBinding,
    WorkOverrides,
};
use kube::core::DeserializeGuard;
use serde_json::{Value, json};

use super::*;
use crate::projection::PodPhase;
use crate::status::fleet_workload_counts;
use crate::workload::WorkloadPod;

/// `web` (Deployment, 10 replicas) in `shop`, divided 6/4 over m1/m2 by static weights 3 and
/// 2, scheduled, applied and ready everywhere, claimed by PropagationPolicy shop/web-pp.
fn web() -> Value {
    json!({
        "apiVersion": "work.karmada.io/v1alpha2",
        "kind": "ResourceBinding",
        "metadata": {
            "name": "web-deployment", "namespace": "shop", "generation": 3,
            "annotations": {
                "propagationpolicy.karmada.io/name": "web-pp",
                "propagationpolicy.karmada.io/namespace": "shop"
            }
        },
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop",
                         "name": "web", "uid": "u-web", "resourceVersion": "42"},
            "replicas": 10,
            "clusters": [{"name": "m2", "replicas": 4}, {"name": "m1", "replicas": 6}],
            "placement": {
                "clusterAffinity": {"labelSelector": {"matchLabels": {"env": "prod"}}},
                "replicaScheduling": {
                    "replicaSchedulingType": "Divided",
                    "replicaDivisionPreference": "Weighted",
                    "weightPreference": {"staticWeightList": [
                        {"targetCluster": {"labelSelector": {"matchLabels": {"tier": "gold"}}}, "weight": 3},
                        {"targetCluster": {"labelSelector": {"matchLabels": {"env": "prod"}}}, "weight": 2}
                    ]}
                },
                "spreadConstraints": [{"spreadByField": "cluster", "minGroups": 2}]
            }
        },
        "status": {
            "schedulerObservedGeneration": 3,
            "lastScheduledTime": "2025-06-01T10:00:00Z",
            "conditions": [
                {"type": "Scheduled", "status": "True", "reason": "Success",
                 "message": "Binding has been scheduled successfully."},
                {"type": "FullyApplied", "status": "True", "reason": "FullyAppliedSuccess",
                 "message": "All works have been successfully applied"}
            ],
            "aggregatedStatus": [
                {"clusterName": "m1", "applied": true, "health": "Healthy",
                 "status": {"replicas": 6, "readyReplicas": 6, "availableReplicas": 6,
                            "updatedReplicas": 6, "generation": 4, "observedGeneration": 4}},
                {"clusterName": "m2", "applied": true, "health": "Healthy",
                 "status": {"replicas": 4, "readyReplicas": 4, "availableReplicas": 4,
                            "updatedReplicas": 4}}
            ]
        }
    })
}

fn cluster(name: &str, labels: Value) -> Cluster {
    serde_json::from_value(json!({"metadata": {"name": name, "labels": labels}})).expect("cluster")
}

fn policy() -> PropagationSpec {
    serde_json::from_value(json!({"priority": 5, "conflictResolution": "Overwrite"}))
        .expect("policy")
}

fn running(name: &str, node: &str) -> WorkloadPod {
    WorkloadPod {
        node: Some(node.into()),
        phase: PodPhase::Running,
        ready: true,
        ..WorkloadPod::new(name)
    }
}

/// Everything the builder reads, owned.
struct World {
    binding: Value,
    /// The claimed policy as the shell's cache holds it: absent, decoded, or the decoder's
    /// message.
    policy: Option<Result<PropagationSpec, String>>,
    clusters: Vec<Cluster>,
    overrides: BTreeMap<String, WorkOverrides>,
    pods: BTreeMap<String, Vec<WorkloadPod>>,
    problems: BTreeMap<String, Vec<ClusterProblem>>,
    options: PlacementOptions,
}

impl World {
    fn new(binding: Value) -> World {
        World {
            binding,
            policy: Some(Ok(policy())),
            clusters: vec![
                cluster("m1", json!({"env": "prod", "tier": "gold"})),
                cluster("m2", json!({"env": "prod"})),
                cluster("m3", json!({"env": "dev"})),
            ],
            overrides: BTreeMap::new(),
            pods: BTreeMap::new(),
            problems: BTreeMap::new(),
            options: PlacementOptions::default(),
        }
    }

    fn build(&self) -> WorkloadPlacementBuild {
        let binding: ResourceBinding =
            serde_json::from_value(self.binding.clone()).expect("binding decodes");
        let clusters: Vec<&Cluster> = self.clusters.iter().collect();
        workload_placement_status(
            &PlacementInputs {
                binding: BindingSource::from(&binding),
                policy: match &self.policy {
                    None => PolicyLookup::Missing,
                    Some(Ok(spec)) => PolicyLookup::Found(spec),
                    Some(Err(error)) => PolicyLookup::Malformed(error),
                },
                clusters: &clusters,
                overrides: &self.overrides,
                pods: &self.pods,
                problems: &self.problems,
            },
            &self.options,
        )
    }
}

fn build(binding: Value) -> WorkloadPlacementBuild {
    World::new(binding).build()
}

fn condition<'a>(built: &'a WorkloadPlacementBuild, type_: &str) -> Option<&'a DesiredCondition> {
    built.conditions.iter().find(|c| c.type_ == type_)
}

/// `(status, reason)` of a condition, `("-", "-")` when absent.
fn state_of(built: &WorkloadPlacementBuild, type_: &str) -> (&'static str, &'static str) {
    condition(built, type_).map_or(("-", "-"), |c| (c.status, c.reason))
}

fn entry<'a>(built: &'a WorkloadPlacementBuild, name: &str) -> &'a ClusterPlacement {
    built
        .status
        .clusters
        .iter()
        .find(|c| c.name == name)
        .expect("cluster entry")
}

fn types_of(built: &WorkloadPlacementBuild) -> Vec<&str> {
    built.conditions.iter().map(|c| c.type_).collect()
}

#[test]
fn a_ready_weighted_deployment() {
    let mut world = World::new(web());
    world.overrides.insert(
        "m1".into(),
        WorkOverrides::from_annotations(&BTreeMap::from([
            (
                "policy.karmada.io/applied-overrides".to_owned(),
                r#"[{"policyName":"web-eu","overriders":{}}]"#.to_owned(),
            ),
            (
                "policy.karmada.io/applied-cluster-overrides".to_owned(),
                r#"[{"policyName":"registry-mirror","overriders":{}},{"policyName":"labels"}]"#
                    .to_owned(),
            ),
        ]))
        .expect("annotations"),
    );
    world.pods.insert(
        "m1".into(),
        (0..6)
            .map(|i| running(&format!("web-{i}"), &format!("n{}", i % 2)))
            .collect(),
    );
    let built = world.build();
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

    let names: Vec<&str> = s.clusters.iter().map(|c| c.name.as_str()).collect();
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
    let mut binding = web();
    binding["spec"]["placement"] =
        json!({"replicaScheduling": {"replicaSchedulingType": "Duplicated"}});
    binding["spec"]["clusters"] =
        json!([{"name": "m1", "replicas": 10}, {"name": "m2", "replicas": 10}]);
    binding["status"]["aggregatedStatus"] = json!([
        {"clusterName": "m1", "applied": true, "health": "Healthy", "status": {"readyReplicas": 10, "updatedReplicas": 10}},
        {"clusterName": "m2", "applied": true, "health": "Healthy", "status": {"readyReplicas": 7, "updatedReplicas": 10}}
    ]);
    let built = build(binding);
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
    let mut binding = web();
    binding["spec"]["placement"] = json!({});
    let built = build(binding);
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
        let mut binding = web();
        binding["spec"]["placement"]["replicaScheduling"] = preference;
        let built = build(binding);
        let placement = built.status.placement.as_ref().expect("placement");
        assert_eq!(placement.weighting, Some(weighting));
        assert!(built.status.clusters.iter().all(|c| c.weight.is_none()));
        assert_eq!(built.status.replicas.desired, 10, "Divided");
    }
}

#[test]
fn scheduling_failed_is_stalled() {
    let mut binding = web();
    binding["metadata"]["generation"] = json!(4);
    binding["status"]["conditions"][0] = json!({"type": "Scheduled", "status": "False",
        "reason": "NoClusterFit", "message": "0/3 clusters are available: 3 cluster(s) did not match the placement cluster affinity constraint."});
    let built = build(binding);
    assert_eq!(
        types_of(&built),
        ["Ready", "Scheduled", "Applied", "Stalled"]
    );
    assert_eq!(
        state_of(&built, types::SCHEDULED),
        (status::FALSE, reasons::SCHEDULING_FAILED)
    );
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::SCHEDULING_FAILED)
    );
    assert_eq!(
        state_of(&built, types::STALLED),
        (status::TRUE, reasons::SCHEDULING_FAILED)
    );
    let message = &condition(&built, types::SCHEDULED)
        .expect("scheduled")
        .message;
    assert!(
        message.contains("NoClusterFit: 0/3 clusters are available"),
        "{message}"
    );
    assert_eq!(built.state, WorkloadState::Failed);
}

#[test]
fn scheduling_pending_is_reconciling() {
    // The scheduler has not seen generation 4 yet (its last success was generation 3).
    let mut binding = web();
    binding["metadata"]["generation"] = json!(4);
    let built = build(binding);
    assert_eq!(
        types_of(&built),
        ["Ready", "Scheduled", "Applied", "Reconciling"]
    );
    assert_eq!(
        state_of(&built, types::SCHEDULED),
        (status::FALSE, reasons::SCHEDULING_PENDING)
    );
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::SCHEDULING_PENDING)
    );
    assert_eq!(
        state_of(&built, types::RECONCILING),
        (status::TRUE, reasons::SCHEDULING_PENDING)
    );
    let message = &condition(&built, types::SCHEDULED)
        .expect("scheduled")
        .message;
    assert!(
        message.contains("Generation 4") && message.contains("generation 3"),
        "{message}"
    );
    assert_eq!(built.state, WorkloadState::Progressing);

    // A brand-new binding: no status at all.
    let mut binding = web();
    binding["status"] = json!(null);
    binding["spec"]
        .as_object_mut()
        .expect("spec")
        .remove("clusters");
    let built = build(binding);
    assert_eq!(
        state_of(&built, types::SCHEDULED),
        (status::FALSE, reasons::SCHEDULING_PENDING)
    );
    assert_eq!(
        state_of(&built, types::APPLIED),
        (status::UNKNOWN, reasons::APPLY_PENDING)
    );
    assert_eq!(built.status.binding.scheduler_observed_generation, None);
    assert_eq!(built.status.clusters_display, "");
    assert!(built.status.clusters.is_empty());

    // Observed, but no Scheduled condition: Unknown.
    let mut binding = web();
    binding["status"]["conditions"] = json!([]);
    let built = build(binding);
    assert_eq!(
        state_of(&built, types::SCHEDULED),
        (status::UNKNOWN, reasons::SCHEDULING_PENDING)
    );
}

#[test]
fn apply_failures_and_pending_members() {
    let mut binding = web();
    binding["status"]["aggregatedStatus"][1] = json!({"clusterName": "m2", "applied": false,
        "appliedMessage": "admission webhook \"quota.example\" denied the request", "health": "Unknown"});
    binding["status"]["conditions"][1]["status"] = json!("False");
    let built = build(binding);
    assert_eq!(
        state_of(&built, types::APPLIED),
        (status::FALSE, reasons::APPLY_FAILED)
    );
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::APPLY_FAILED)
    );
    assert_eq!(state_of(&built, types::RECONCILING), ("-", "-"));
    let message = &condition(&built, types::APPLIED).expect("applied").message;
    assert!(message.contains("m2 (\"admission webhook"), "{message}");
    assert_eq!(
        entry(&built, "m2").applied_message.as_deref(),
        Some("admission webhook \"quota.example\" denied the request")
    );
    assert_eq!(built.state, WorkloadState::Failed);

    // m2 has not reported at all, and another reports applied=false without a message.
    let mut binding = web();
    binding["spec"]["clusters"] = json!([{"name": "m1", "replicas": 4}, {"name": "m2", "replicas": 3}, {"name": "m3", "replicas": 3}]);
    binding["status"]["aggregatedStatus"] = json!([
        {"clusterName": "m1", "applied": true, "health": "Healthy", "status": {"readyReplicas": 4}},
        {"clusterName": "m3", "applied": false}
    ]);
    let built = build(binding);
    assert_eq!(
        state_of(&built, types::APPLIED),
        (status::UNKNOWN, reasons::APPLY_PENDING)
    );
    assert_eq!(
        state_of(&built, types::RECONCILING),
        (status::TRUE, reasons::APPLY_PENDING)
    );
    let message = &condition(&built, types::APPLIED).expect("applied").message;
    assert!(message.contains("Waiting for m2 and m3"), "{message}");
    assert_eq!(entry(&built, "m2").applied, None);
    assert_eq!(entry(&built, "m2").health, None);
    assert_eq!(built.state, WorkloadState::Progressing);

    // Every member reports applied but Karmada's FullyApplied has not caught up.
    let mut binding = web();
    binding["status"]["conditions"][1]["status"] = json!("False");
    let built = build(binding);
    assert_eq!(
        state_of(&built, types::APPLIED),
        (status::UNKNOWN, reasons::APPLY_PENDING)
    );
}

#[test]
fn unhealthy_clusters_fail_unless_a_rollout_explains_them() {
    let mut binding = web();
    binding["status"]["aggregatedStatus"][1]["health"] = json!("Unhealthy");
    let built = build(binding);
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::CLUSTERS_UNHEALTHY)
    );
    let message = &condition(&built, types::READY).expect("ready").message;
    assert!(message.contains("m2 Unhealthy"), "{message}");
    assert_eq!(built.state, WorkloadState::Failed);

    // Karmada marks a Deployment Unhealthy while its rollout is incomplete.
    let mut binding = web();
    binding["status"]["aggregatedStatus"][1]["health"] = json!("Unhealthy");
    binding["status"]["aggregatedStatus"][1]["status"]["updatedReplicas"] = json!(2);
    let built = build(binding);
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::REPLICAS_NOT_READY)
    );
    assert_eq!(
        state_of(&built, types::RECONCILING),
        (status::TRUE, reasons::REPLICAS_NOT_READY)
    );
    assert_eq!(built.state, WorkloadState::Progressing);

    // A member copy that has not observed its generation yet: ready, but reconciling.
    let mut binding = web();
    binding["status"]["aggregatedStatus"][0]["status"]["generation"] = json!(5);
    let built = build(binding);
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::WORKLOAD_READY)
    );
    assert_eq!(
        state_of(&built, types::RECONCILING),
        (status::TRUE, reasons::REPLICAS_NOT_READY)
    );
    let message = &condition(&built, types::RECONCILING)
        .expect("reconciling")
        .message;
    assert!(
        message.contains("The copy on m1 has not observed"),
        "{message}"
    );
    // An unknown health value reads as Unknown.
    let mut binding = web();
    binding["status"]["aggregatedStatus"][0]["health"] = json!("Degraded");
    let built = build(binding);
    assert_eq!(entry(&built, "m1").health, Some(WorkloadHealth::Unknown));
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::CLUSTERS_UNHEALTHY)
    );
}

#[test]
fn clusters_being_evicted_are_listed_but_do_not_count() {
    let mut binding = web();
    binding["spec"]["clusters"] = json!([{"name": "m2", "replicas": 10}]);
    binding["spec"]["gracefulEvictionTasks"] = json!([
        {"fromCluster": "m1", "reason": "TaintUntolerated", "purgeMode": "Gracefully", "producer": "TaintManager"},
        {"fromCluster": "m1", "reason": "Duplicate", "purgeMode": "Directly"},
        {"fromCluster": "m9", "reason": "ApplicationFailure"}
    ]);
    binding["status"]["aggregatedStatus"] = json!([
        {"clusterName": "m1", "applied": true, "health": "Healthy", "status": {"readyReplicas": 6}},
        {"clusterName": "m2", "applied": true, "health": "Healthy", "status": {"readyReplicas": 4}}
    ]);
    let built = build(binding);
    let names: Vec<&str> = built
        .status
        .clusters
        .iter()
        .map(|c| c.name.as_str())
        .collect();
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
    let mut binding = web();
    binding["status"]["aggregatedStatus"] = json!([
        {"clusterName": "m1", "applied": true, "health": "Healthy", "status": "not an object"},
        {"clusterName": "m2", "applied": true, "health": "Healthy",
         "status": {"readyReplicas": "4", "availableReplicas": 4.5, "updatedReplicas": 4, "replicas": -3}},
        {"clusterName": "m2", "applied": false, "appliedMessage": "a duplicate entry: the first wins"},
        {"clusterName": "stale", "applied": true}
    ]);
    let built = build(binding);
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
    let mut binding = web();
    binding["status"]
        .as_object_mut()
        .expect("status")
        .remove("aggregatedStatus");
    let built = build(binding);
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
fn duplicate_target_clusters_are_merged() {
    let mut binding = web();
    binding["spec"]["clusters"] = json!([
        {"name": "m1", "replicas": 6}, {"name": "m2", "replicas": 2},
        {"name": "m2", "replicas": 2}, {"name": "", "replicas": 5}, {"name": "m1", "replicas": -1}
    ]);
    let built = build(binding.clone());
    let names: Vec<&str> = built
        .status
        .clusters
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["m1", "m2"]);
    assert_eq!(entry(&built, "m2").replicas, 4);
    assert_eq!(entry(&built, "m1").replicas, 6);
    assert_eq!(built.status.replicas.scheduled, 10);
    assert_eq!(built.status.clusters_display, "m1:6,m2:4");
    // Duplicated: desired counts each cluster once.
    binding["spec"]["placement"] = json!({});
    assert_eq!(build(binding).status.replicas.desired, 20);
}

#[test]
fn policy_claims() {
    // No claim annotations: no policy block, nothing stalled.
    let mut binding = web();
    binding["metadata"]["annotations"] = json!({});
    let mut world = World::new(binding);
    world.policy = None;
    let built = world.build();
    assert_eq!(built.status.policy, None);
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::WORKLOAD_READY)
    );
    assert_eq!(state_of(&built, types::STALLED), ("-", "-"));

    // Claimed by a ClusterPropagationPolicy that no longer exists.
    let mut binding = web();
    binding["metadata"]["annotations"] =
        json!({"clusterpropagationpolicy.karmada.io/name": "global"});
    let mut world = World::new(binding);
    world.policy = None;
    let built = world.build();
    let policy = built.status.policy.as_ref().expect("policy named");
    assert_eq!(
        (policy.kind.as_str(), policy.name.as_str()),
        ("ClusterPropagationPolicy", "global")
    );
    assert_eq!((policy.namespace.as_ref(), policy.priority), (None, None));
    assert_eq!(policy.conflict_resolution, None);
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::POLICY_NOT_FOUND)
    );
    assert_eq!(
        state_of(&built, types::STALLED),
        (status::TRUE, reasons::POLICY_NOT_FOUND)
    );
    let message = &condition(&built, types::STALLED).expect("stalled").message;
    assert!(
        message.contains("ClusterPropagationPolicy global, which does not exist"),
        "{message}"
    );
    assert_eq!(built.state, WorkloadState::Failed);

    // A PropagationPolicy claim without the namespace annotation: the binding's namespace.
    let mut binding = web();
    binding["metadata"]["annotations"] = json!({"propagationpolicy.karmada.io/name": "web-pp"});
    let built = build(binding);
    let policy = built.status.policy.as_ref().expect("policy");
    assert_eq!(policy.namespace.as_deref(), Some("shop"));
}

/// The decoder's message for a policy the hub holds but the operator cannot decode, as the
/// shell's cache (`DeserializeGuard`) keeps it.
fn undecodable<K: kube::Resource + serde::de::DeserializeOwned>(object: Value) -> String {
    let guard: DeserializeGuard<K> = serde_json::from_value(object).expect("a guard decodes");
    match guard.0 {
        Ok(_) => panic!("the policy decodes"),
        Err(invalid) => invalid.error,
    }
}

#[test]
fn a_policy_that_exists_but_does_not_decode() {
    // Karmada's CRD lets a priority beyond 32 bits through (`format: int32` is not enforced).
    let error = undecodable::<PropagationPolicy>(json!({
        "metadata": {"name": "web-pp", "namespace": "shop"},
        "spec": {"priority": 3_000_000_000_u64, "conflictResolution": "Overwrite"}
    }));
    let mut world = World::new(web());
    world.policy = Some(Err(error));
    let built = world.build();
    // Not "not found": it exists. Named, without the figures that could not be read.
    let named = built.status.policy.as_ref().expect("policy named");
    assert_eq!(
        (
            named.kind.as_str(),
            named.namespace.as_deref(),
            named.name.as_str()
        ),
        ("PropagationPolicy", Some("shop"), "web-pp")
    );
    assert_eq!(
        (named.priority, named.conflict_resolution.as_ref()),
        (None, None)
    );
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::MALFORMED_POLICY)
    );
    assert_eq!(
        state_of(&built, types::STALLED),
        (status::TRUE, reasons::MALFORMED_POLICY)
    );
    assert_eq!(state_of(&built, types::RECONCILING), ("-", "-"));
    let message = &condition(&built, types::READY).expect("ready").message;
    assert_eq!(
        message,
        "The binding names PropagationPolicy shop/web-pp, which exists but cannot be decoded \
         (spec.priority: Invalid value integer `3000000000`. Expected i32): the workload runs as \
         last scheduled, and status.policy shows no priority or conflict resolution. Fix that \
         field of the policy on the hub (kubectl edit propagationpolicy web-pp -n shop)."
    );
    assert_eq!(
        &condition(&built, types::STALLED).expect("stalled").message,
        message
    );
    assert_eq!(built.state, WorkloadState::Failed);

    // A ClusterPropagationPolicy, deep down a list; a rollout in progress keeps Ready's reason.
    let mut binding = web();
    binding["metadata"]["annotations"] =
        json!({"clusterpropagationpolicy.karmada.io/name": "global"});
    binding["status"]["aggregatedStatus"][0]["status"]["readyReplicas"] = json!(5);
    let mut world = World::new(binding);
    world.policy = Some(Err(undecodable::<ClusterPropagationPolicy>(json!({
        "metadata": {"name": "global"},
        "spec": {"placement": {"spreadConstraints": [{"maxGroups": 2}, {"maxGroups": 1e19}]}}
    }))));
    let built = world.build();
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::REPLICAS_NOT_READY)
    );
    assert_eq!(
        state_of(&built, types::STALLED),
        (status::TRUE, reasons::MALFORMED_POLICY)
    );
    let message = &condition(&built, types::STALLED).expect("stalled").message;
    assert!(
        message.starts_with(
            "The binding names ClusterPropagationPolicy global, which exists but cannot be \
             decoded (spec.placement.spreadConstraints[1].maxGroups: "
        ),
        "{message}"
    );
    assert!(
        message.ends_with("(kubectl edit clusterpropagationpolicy global)."),
        "{message}"
    );

    // Fixed on the hub: the figures are back, nothing is stalled.
    world.policy = Some(Ok(policy()));
    world.binding["status"]["aggregatedStatus"][0]["status"]["readyReplicas"] = json!(6);
    let built = world.build();
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::WORKLOAD_READY)
    );
    assert_eq!(state_of(&built, types::STALLED), ("-", "-"));
    assert_eq!(
        built.status.policy.as_ref().and_then(|p| p.priority),
        Some(5)
    );
}

#[test]
fn workloads_without_replicas() {
    let mut binding = web();
    binding["spec"]["resource"] =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "namespace": "shop", "name": "settings"});
    binding["spec"]["replicas"] = json!(0);
    binding["spec"]["placement"] = json!({"clusterAffinity": {"clusterNames": ["m1", "m2"]}});
    binding["spec"]["clusters"] = json!([{"name": "m2"}, {"name": "m1"}]);
    binding["status"]["aggregatedStatus"] = json!([
        {"clusterName": "m1", "applied": true, "health": "Healthy"},
        {"clusterName": "m2", "applied": true, "health": "Healthy", "status": {}}
    ]);
    let built = build(binding.clone());
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
    binding["status"]["aggregatedStatus"][0]["health"] = json!("Unknown");
    let built = build(binding);
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::CLUSTERS_UNHEALTHY)
    );

    // A Job reports no readyReplicas: judged by Karmada's health verdict, counts left absent.
    let mut job = web();
    job["spec"]["resource"] =
        json!({"apiVersion": "batch/v1", "kind": "Job", "namespace": "shop", "name": "migrate"});
    job["status"]["aggregatedStatus"] = json!([
        {"clusterName": "m1", "applied": true, "health": "Healthy", "status": {"active": 6}},
        {"clusterName": "m2", "applied": true, "health": "Healthy", "status": {"succeeded": 4}}
    ]);
    let built = build(job);
    assert_eq!(entry(&built, "m1").ready_replicas, None);
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::WORKLOAD_READY)
    );
    assert_eq!(state_of(&built, types::RECONCILING), ("-", "-"));
}

/// Regression (property `workload_placement_keeps_its_invariants`): two pods named alike on
/// the same node, one Running and one Succeeded (same tier, same restarts and readiness),
/// compared equal, so the pod list followed the order of the input.
#[test]
fn the_pod_list_order_is_total_even_for_duplicate_names() {
    let running_pod = WorkloadPod {
        restarts: 4,
        ..running("web-5", "node-3")
    };
    let succeeded = WorkloadPod {
        phase: PodPhase::Succeeded,
        ..running_pod.clone()
    };
    let one_way = super::pods::pod_view(&[running_pod.clone(), succeeded.clone()], 20, 50);
    let other_way = super::pods::pod_view(&[succeeded, running_pod], 20, 50);
    assert_eq!(one_way, other_way);
    assert_eq!(one_way.pod_list[0].phase, "Running");
}

#[test]
fn pods_and_nodes_are_capped_problem_pods_first() {
    let mut world = World::new(web());
    world.options.node_limit = 2;
    world.options.pod_limit = 4;
    let mut pods: Vec<WorkloadPod> = (0..6)
        .map(|i| running(&format!("web-{i}"), if i < 3 { "n-b" } else { "n-c" }))
        .collect();
    pods.push(WorkloadPod {
        restarts: 7,
        ..running("web-restarty", "n-a")
    });
    pods.push(WorkloadPod {
        ready: false,
        ..running("web-unready", "n-a")
    });
    pods.push(WorkloadPod::new("web-pending"));
    pods.push(WorkloadPod {
        phase: PodPhase::Failed,
        ..running("web-failed", "n-d")
    });
    pods.push(WorkloadPod {
        phase: PodPhase::Succeeded,
        ready: false,
        ..running("web-done", "n-d")
    });
    world.pods.insert("m1".into(), pods.clone());
    let built = world.build();
    let m1 = entry(&built, "m1");
    assert_eq!(
        m1.pods,
        Some(WorkloadPodCounts {
            total: 11,
            running: 8,
            ready: 8,
            pending: 1,
            failed: 1,
            restarts: 7
        })
    );
    let listed: Vec<&str> = m1.pod_list.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        listed,
        ["web-failed", "web-pending", "web-unready", "web-restarty"]
    );
    assert_eq!(m1.omitted_pods, 7);
    assert_eq!(
        m1.pod_list[1],
        PodSummary {
            name: "web-pending".into(),
            node: None,
            phase: "Pending".into(),
            ready: false,
            restarts: 0
        }
    );
    // n-b and n-c have 3 pods each, n-a and n-d 2: the top two, ties by name.
    let nodes: Vec<(&str, i64)> = m1.nodes.iter().map(|n| (n.name.as_str(), n.pods)).collect();
    assert_eq!(nodes, [("n-b", 3), ("n-c", 3)]);
    assert_eq!(m1.omitted_nodes, 2);

    // The order of the pods given does not matter.
    pods.reverse();
    world.pods.insert("m1".into(), pods);
    assert_eq!(world.build(), built);
}

#[test]
fn same_inputs_give_byte_identical_json() {
    let json = |world: &World| serde_json::to_string(&world.build().status).expect("json");
    let mut world = World::new(web());
    world.pods.insert(
        "m1".into(),
        (0..30)
            .map(|i| running(&format!("p{i}"), &format!("n{}", i % 7)))
            .collect(),
    );
    world.pods.insert(
        "m2".into(),
        vec![WorkloadPod::new("p-x"), running("p-y", "n0")],
    );
    let first = json(&world);
    assert_eq!(json(&world), first);
    // Permuted inputs: cluster objects, pods, aggregated statuses, spec.clusters.
    world.clusters.reverse();
    for pods in world.pods.values_mut() {
        pods.reverse();
    }
    let mut binding = web();
    let statuses = binding["status"]["aggregatedStatus"]
        .as_array_mut()
        .expect("array");
    statuses.reverse();
    world.binding = binding;
    assert_eq!(json(&world), first);
}

#[test]
fn a_cluster_resource_binding() {
    let mut value = web();
    value["kind"] = json!("ClusterResourceBinding");
    value["metadata"] = json!({"name": "ops-namespace", "generation": 1,
        "annotations": {"clusterpropagationpolicy.karmada.io/name": "baseline"}});
    value["spec"]["resource"] = json!({"apiVersion": "v1", "kind": "Namespace", "name": "ops"});
    value["status"]["schedulerObservedGeneration"] = json!(1);
    let binding: karmada_types::ClusterResourceBinding =
        serde_json::from_value(value).expect("binding");
    let clusters = [];
    let built = workload_placement_status(
        &PlacementInputs {
            binding: BindingSource::from(&binding),
            policy: PolicyLookup::Found(&policy()),
            clusters: &clusters,
            overrides: &BTreeMap::new(),
            pods: &BTreeMap::new(),
            problems: &BTreeMap::new(),
        },
        &PlacementOptions::default(),
    );
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
fn a_truncated_status_says_so_in_ready() {
    let mut world = World::new(web());
    world.options.max_status_bytes = 4_000;
    world.pods.insert(
        "m1".into(),
        (0..50)
            .map(|i| running(&format!("web-pod-{i:03}"), &format!("node-{i:03}")))
            .collect(),
    );
    let built = world.build();
    let truncation = built.truncation.as_ref().expect("truncated");
    assert!(truncation.fits(), "{truncation:?}");
    let m1 = entry(&built, "m1");
    assert_eq!(m1.pod_list.len() as i64 + m1.omitted_pods, 50);
    assert_eq!(m1.nodes.len() as i64 + m1.omitted_nodes, 50);
    assert_eq!(truncation.pods_listed, m1.pod_list.len());
    assert_eq!(truncation.pods_dropped, 50 - m1.pod_list.len());
    assert_eq!(truncation.nodes_dropped, 20 - m1.nodes.len());
    assert!(serde_json::to_vec(&built.status).expect("json").len() <= 4_000);
    assert_eq!(
        state_of(&built, types::READY),
        (status::TRUE, reasons::STATUS_TRUNCATED)
    );
    assert_eq!(
        condition(&built, types::READY).expect("ready").message,
        truncation.message()
    );
    assert_eq!(built.state, WorkloadState::Ready);
}

#[test]
fn fleet_counts_agree_with_the_placements() {
    let ready = build(web());
    let mut failing = web();
    failing["status"]["conditions"][0]["status"] = json!("False");
    let failed = build(failing);
    let mut pending = web();
    pending["metadata"]["generation"] = json!(9);
    let progressing = build(pending);
    let states = [
        ready.state,
        failed.state,
        progressing.state,
        WorkloadState::of_status(None),
    ];
    let counts = fleet_workload_counts(states);
    assert_eq!(
        (
            counts.total,
            counts.ready,
            counts.progressing,
            counts.failed
        ),
        (4, 1, 2, 1)
    );
    assert_eq!(counts.display, "1/4");

    // A written status classifies the same as the builder's own verdict.
    for built in [&ready, &failed, &progressing] {
        let written: Vec<k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition> = built
            .conditions
            .iter()
            .map(
                |c| k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
                    type_: c.type_.into(),
                    status: c.status.into(),
                    reason: c.reason.into(),
                    message: c.message.clone(),
                    last_transition_time: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                        Default::default(),
                    ),
                    observed_generation: None,
                },
            )
            .collect();
        assert_eq!(WorkloadState::of_conditions(&written), built.state);
    }
    // Ready False for a failing reason, without Stalled, is failed too.
    assert_eq!(
        WorkloadState::classify([(types::READY, status::FALSE, reasons::APPLY_FAILED)]),
        WorkloadState::Failed
    );
    assert_eq!(
        WorkloadState::classify([(types::READY, status::UNKNOWN, reasons::INITIAL_SYNC)]),
        WorkloadState::Progressing
    );
}

#[test]
fn problems_on_a_cluster_show_in_its_entry_and_as_degraded() {
    let mut world = World::new(web());
    let problem = |reason: &str, message: &str| ClusterProblem {
        reason: reason.into(),
        message: message.into(),
    };
    world.problems.insert(
        "m2".into(),
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
    world.problems.insert(
        "m1".into(),
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

    world.problems.clear();
    assert_eq!(state_of(&world.build(), types::DEGRADED), ("-", "-"));
}
