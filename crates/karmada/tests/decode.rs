//! Decoding realistic Karmada v1.17 objects: the fields the operator depends on come out right.

mod common;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use karmada_types::{
    ClaimingPolicy, Cluster, ClusterPropagationPolicy, ClusterResourceBinding, ConditionStatus,
    ConflictResolution, DynamicWeightFactor, PreemptionBehavior, PropagationPolicy, PurgeMode,
    ReplicaDivisionPreference, ReplicaSchedulingType, ReplicaStatus, ResourceBinding,
    ResourceHealth, SpreadByField, SyncMode, TaintEffect, Work, WorkOverrides, well_known,
};
use kube::core::Resource;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn q(s: &str) -> Quantity {
    Quantity(s.to_owned())
}

fn names(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

#[test]
fn push_cluster() {
    let c: Cluster = common::load("cluster-push.yaml");
    assert_eq!(c.metadata.name.as_deref(), Some("member-eu-1"));
    assert_eq!(c.spec.sync_mode, Some(SyncMode::Push));
    assert_eq!(c.spec.api_endpoint, "https://10.20.0.15:6443");
    let secret = c.spec.secret_ref.as_ref().unwrap();
    assert_eq!(
        (secret.namespace.as_str(), secret.name.as_str()),
        ("karmada-cluster", "member-eu-1")
    );
    assert_eq!(
        c.spec.impersonator_secret_ref.as_ref().unwrap().name,
        "member-eu-1-impersonator"
    );
    assert!(!c.spec.insecure_skip_tls_verification);
    assert_eq!(c.spec.proxy_url, "");
    assert!(c.spec.proxy_header.is_empty());
    assert_eq!(c.spec.provider, "aws");
    assert_eq!(c.spec.region, "eu-west-1");
    assert_eq!(c.spec.zone, "");
    assert_eq!(names(&c.spec.zones), ["eu-west-1a", "eu-west-1b"]);
    assert!(c.spec.taints.is_empty());

    assert_eq!(c.status.kubernetes_version, "v1.33.1");
    assert_eq!(c.status.conditions.len(), 2);
    let ready = c.status.ready_condition().unwrap();
    assert!(ready.is_true());
    assert_eq!(ready.reason, well_known::REASON_CLUSTER_READY);
    assert_eq!(
        ready.last_transition_time.as_ref().unwrap().0.to_string(),
        "2025-11-03T09:13:20Z"
    );
    let nodes = c.status.node_summary.unwrap();
    assert_eq!((nodes.total_num, nodes.ready_num), (6, 5));
    let res = c.status.resource_summary.unwrap();
    assert_eq!(res.allocatable.len(), 5);
    assert_eq!(res.allocatable["cpu"], q("23500m"));
    assert_eq!(res.allocatable["memory"], q("94284368Ki"));
    assert_eq!(res.allocatable["nvidia.com/gpu"], q("2"));
    assert_eq!(res.allocating["cpu"], q("500m"));
    assert_eq!(res.allocated["pods"], q("187"));
}

#[test]
fn pull_cluster() {
    let c: Cluster = common::load("cluster-pull.yaml");
    assert_eq!(c.spec.sync_mode, Some(SyncMode::Pull));
    assert!(c.spec.insecure_skip_tls_verification);
    assert_eq!(c.spec.proxy_url, "http://proxy.corp.example:3128");
    assert_eq!(
        c.spec.proxy_header,
        BTreeMap::from([
            (
                "Proxy-Authorization".to_owned(),
                "Basic ZWRnZTpzZWNyZXQ=".to_owned()
            ),
            ("X-Site".to_owned(), "shanghai-1".to_owned()),
        ])
    );
    assert!(c.spec.impersonator_secret_ref.is_none());
    assert_eq!(c.spec.zone, "cn-east-2");
    assert!(c.spec.zones.is_empty());
    assert_eq!(c.spec.taints.len(), 2);
    assert_eq!(c.spec.taints[0].key, "cluster.karmada.io/not-ready");
    assert_eq!(c.spec.taints[0].effect, TaintEffect::NoSchedule);
    assert!(c.spec.taints[0].time_added.is_some());
    assert_eq!(c.spec.taints[1].value, "edge");
    assert_eq!(c.spec.taints[1].effect, TaintEffect::PreferNoSchedule);

    let ready = c.status.ready_condition().unwrap();
    assert_eq!(ready.status, ConditionStatus::False);
    assert!(!ready.is_true());
    assert_eq!(ready.reason, well_known::REASON_CLUSTER_NOT_READY);
    assert_eq!(c.status.node_summary.unwrap().ready_num, 2);
    let res = c.status.resource_summary.unwrap();
    assert!(res.allocating.is_empty());
    assert_eq!(res.allocated["cpu"], q("3100m"));
}

#[test]
fn resource_binding_for_a_deployment() {
    let rb: ResourceBinding = common::load("rb-deployment.yaml");
    assert_eq!(rb.metadata.namespace.as_deref(), Some("shop"));
    assert_eq!(rb.metadata.generation, Some(7));
    assert_eq!(
        ClaimingPolicy::of(&rb.metadata),
        ClaimingPolicy::Propagation {
            namespace: "shop".into(),
            name: "web-pp".into()
        }
    );
    assert_eq!(
        rb.metadata.labels.as_ref().unwrap()[well_known::RESOURCE_BINDING_PERMANENT_ID_LABEL],
        "c6a91f02-7b3e-4d5c-8e4f-10b2d3a4c5e6"
    );

    let spec = &rb.spec;
    let r = &spec.resource;
    assert_eq!(
        (
            r.api_version.as_str(),
            r.kind.as_str(),
            r.namespace.as_str(),
            r.name.as_str()
        ),
        ("apps/v1", "Deployment", "shop", "web")
    );
    assert_eq!(r.uid, "71f3a2c9-0d4e-4b6a-95c8-e2d1f0a3b4c7");
    assert_eq!(r.resource_version, "204990");
    assert_eq!(
        karmada_types::binding_name(&r.kind, &r.name),
        rb.metadata.name.clone().unwrap()
    );
    assert_eq!(spec.replicas, 10);
    let req = spec.replica_requirements.as_ref().unwrap();
    assert_eq!(req.resource_request["cpu"], q("250m"));
    assert_eq!(req.resource_request["memory"], q("512Mi"));
    assert_eq!(req.priority_class_name, "shop-critical");
    let clusters: Vec<(&str, i32)> = spec
        .clusters
        .iter()
        .map(|c| (c.name.as_str(), c.replicas))
        .collect();
    assert_eq!(
        clusters,
        [("member-eu-1", 5), ("member-eu-2", 3), ("member-ap-1", 2)]
    );
    assert_eq!(spec.conflict_resolution, ConflictResolution::Abort);
    assert_eq!(spec.scheduler_name, "default-scheduler");

    // Placement: static weights by name and by label.
    let placement = spec.placement.as_ref().unwrap();
    let affinity = placement.cluster_affinity.as_ref().unwrap();
    assert_eq!(affinity.cluster_names.len(), 4);
    assert_eq!(names(&affinity.exclude), ["member-eu-legacy"]);
    assert!(placement.cluster_affinities.is_empty());
    assert_eq!(placement.cluster_tolerations.len(), 1);
    assert_eq!(
        placement.cluster_tolerations[0].toleration_seconds,
        Some(300)
    );
    assert_eq!(
        placement.replica_scheduling_type(),
        ReplicaSchedulingType::Divided
    );
    let rs = placement.replica_scheduling.as_ref().unwrap();
    assert_eq!(
        rs.replica_division_preference,
        Some(ReplicaDivisionPreference::Weighted)
    );
    let weights = rs.weight_preference.as_ref().unwrap();
    assert!(weights.dynamic_weight.is_none());
    assert_eq!(weights.static_weight_list.len(), 3);
    let by_name = &weights.static_weight_list[0];
    assert_eq!(
        names(&by_name.target_cluster.cluster_names),
        ["member-eu-1"]
    );
    assert!(by_name.target_cluster.label_selector.is_none());
    assert_eq!(by_name.weight, 3);
    let by_label = &weights.static_weight_list[1];
    assert!(by_label.target_cluster.cluster_names.is_empty());
    let labels = by_label
        .target_cluster
        .label_selector
        .as_ref()
        .unwrap()
        .match_labels
        .as_ref()
        .unwrap();
    assert_eq!(labels["tier"], "standard");
    assert_eq!(by_label.weight, 1);
    let by_expr = &weights.static_weight_list[2];
    let expr = &by_expr
        .target_cluster
        .label_selector
        .as_ref()
        .unwrap()
        .match_expressions
        .as_ref()
        .unwrap()[0];
    assert_eq!((expr.key.as_str(), expr.operator.as_str()), ("tier", "In"));
    assert_eq!(names(&by_expr.target_cluster.exclude), ["member-eu-1"]);
    assert_eq!(by_expr.weight, 2);

    // Eviction in progress.
    assert_eq!(spec.graceful_eviction_tasks.len(), 1);
    let task = &spec.graceful_eviction_tasks[0];
    assert_eq!(task.from_cluster, "member-us-1");
    assert_eq!(task.reason, "TaintUntolerated");
    assert_eq!(task.purge_mode, Some(PurgeMode::Gracefully));
    assert_eq!(task.producer, "TaintManager");
    assert!(task.message.contains("not tolerated"));

    // Status.
    let status = &rb.status;
    assert_eq!(status.scheduler_observed_generation, 7);
    assert_eq!(status.scheduler_observing_affinity_name, "");
    assert_eq!(
        status.last_scheduled_time.as_ref().unwrap().0.to_string(),
        "2026-02-02T10:41:38Z"
    );
    let scheduled = status.scheduled_condition().unwrap();
    assert!(scheduled.is_true());
    assert_eq!(scheduled.reason, "Success");
    let applied = status.fully_applied_condition().unwrap();
    assert_eq!(applied.status, ConditionStatus::False);
    assert_eq!(applied.reason, "FullyAppliedFailed");

    let agg = &status.aggregated_status;
    assert_eq!(agg.len(), 3);
    assert_eq!(agg[0].cluster_name, "member-eu-1");
    assert!(agg[0].applied);
    assert_eq!(agg[0].health, Some(ResourceHealth::Healthy));
    assert_eq!(
        agg[0].replica_status(),
        Some(ReplicaStatus {
            replicas: Some(5),
            ready_replicas: Some(5),
            available_replicas: Some(5),
            updated_replicas: Some(5),
            observed_generation: Some(9),
            generation: Some(9),
            resource_template_generation: Some(4),
        })
    );
    // The raw status keeps fields the typed accessor does not read.
    assert_eq!(agg[1].status.as_ref().unwrap()["unavailableReplicas"], 2);
    assert_eq!(agg[1].health, Some(ResourceHealth::Unhealthy));
    let eu2 = agg[1].replica_status().unwrap();
    assert_eq!(
        (
            eu2.replicas,
            eu2.ready_replicas,
            eu2.available_replicas,
            eu2.updated_replicas
        ),
        (Some(3), Some(1), Some(1), Some(3))
    );
    assert!(!agg[2].applied);
    assert!(agg[2].applied_message.contains("exceeded quota"));
    assert_eq!(agg[2].health, Some(ResourceHealth::Unknown));
    assert!(agg[2].status.is_none());
    assert_eq!(agg[2].replica_status(), None);
}

#[test]
fn cluster_resource_binding_for_a_namespace() {
    let crb: ClusterResourceBinding = common::load("crb-namespace.yaml");
    assert_eq!(crb.metadata.name.as_deref(), Some("shop-namespace"));
    assert_eq!(crb.metadata.namespace, None);
    assert_eq!(
        ClaimingPolicy::of(&crb.metadata),
        ClaimingPolicy::ClusterPropagation {
            name: "namespaces-everywhere".into()
        }
    );
    assert_eq!(crb.spec.resource.kind, "Namespace");
    assert_eq!(crb.spec.resource.namespace, "");
    assert_eq!(
        karmada_types::binding_name(&crb.spec.resource.kind, &crb.spec.resource.name),
        "shop-namespace"
    );
    assert_eq!(crb.spec.replicas, 0);
    assert!(crb.spec.replica_requirements.is_none());
    assert_eq!(crb.spec.clusters.len(), 2);
    assert!(crb.spec.clusters.iter().all(|c| c.replicas == 0));
    assert_eq!(crb.spec.conflict_resolution, ConflictResolution::Overwrite);
    let placement = crb.spec.placement.as_ref().unwrap();
    assert_eq!(
        placement.replica_scheduling_type(),
        ReplicaSchedulingType::Duplicated
    );
    let fields = &placement
        .cluster_affinity
        .as_ref()
        .unwrap()
        .field_selector
        .as_ref()
        .unwrap()
        .match_expressions;
    let fields: Vec<(&str, &str, Vec<String>)> = fields
        .iter()
        .map(|e| {
            (
                e.key.as_str(),
                e.operator.as_str(),
                e.values.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("provider", "In", vec!["aws".to_owned()]),
            ("region", "NotIn", vec!["us-east-1".to_owned()]),
        ]
    );
    assert!(crb.spec.graceful_eviction_tasks.is_empty());
    assert!(crb.status.fully_applied_condition().unwrap().is_true());
    let agg = &crb.status.aggregated_status[1];
    assert_eq!(agg.health, Some(ResourceHealth::Healthy));
    // A Namespace has a status but no replica counts.
    assert_eq!(agg.replica_status(), Some(ReplicaStatus::default()));
}

#[test]
fn propagation_policy_with_cluster_affinities() {
    let pp: PropagationPolicy = common::load("pp-cluster-affinities.yaml");
    assert_eq!(pp.metadata.namespace.as_deref(), Some("payments"));
    let spec = &pp.spec;
    assert_eq!(spec.priority, 10);
    assert_eq!(spec.preemption, PreemptionBehavior::Always);
    assert_eq!(spec.conflict_resolution, ConflictResolution::Overwrite);
    assert_eq!(spec.scheduler_name, "default-scheduler");

    assert_eq!(spec.resource_selectors.len(), 2);
    let by_name = &spec.resource_selectors[0];
    assert_eq!(
        (
            by_name.api_version.as_str(),
            by_name.kind.as_str(),
            by_name.name.as_str()
        ),
        ("apps/v1", "Deployment", "payments-api")
    );
    assert!(by_name.label_selector.is_none());
    let by_label = &spec.resource_selectors[1];
    assert_eq!(by_label.name, "");
    assert_eq!(
        by_label
            .label_selector
            .as_ref()
            .unwrap()
            .match_labels
            .as_ref()
            .unwrap()["app"],
        "payments"
    );

    let placement = &spec.placement;
    assert!(placement.cluster_affinity.is_none());
    let groups = &placement.cluster_affinities;
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].affinity_name, "primary");
    assert_eq!(
        names(&groups[0].affinity.cluster_names),
        ["member-eu-1", "member-eu-2"]
    );
    assert_eq!(names(&groups[0].affinity.exclude), ["member-eu-3"]);
    assert!(groups[0].affinity.field_selector.is_none());
    assert_eq!(groups[1].affinity_name, "backup");
    assert!(groups[1].affinity.cluster_names.is_empty());
    let expr = &groups[1]
        .affinity
        .label_selector
        .as_ref()
        .unwrap()
        .match_expressions
        .as_ref()
        .unwrap()[0];
    assert_eq!(
        expr.values.as_deref().unwrap(),
        ["standard".to_owned(), "premium".to_owned()]
    );
    let fields = &groups[1]
        .affinity
        .field_selector
        .as_ref()
        .unwrap()
        .match_expressions;
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0].key, "region");
    assert_eq!(fields[1].key, "provider");
    assert_eq!(fields[1].operator, "NotIn");

    assert_eq!(
        placement.cluster_tolerations[0].value.as_deref(),
        Some("payments")
    );
    let spread = &placement.spread_constraints;
    assert_eq!(spread.len(), 2);
    assert_eq!(spread[0].spread_by_field, Some(SpreadByField::Cluster));
    assert_eq!((spread[0].min_groups, spread[0].max_groups), (2, 3));
    assert_eq!(spread[1].spread_by_field, None);
    assert_eq!(spread[1].spread_by_label, "topology.example.com/site");
    let rs = placement.replica_scheduling.as_ref().unwrap();
    assert_eq!(rs.replica_scheduling_type, ReplicaSchedulingType::Divided);
    assert_eq!(
        rs.replica_division_preference,
        Some(ReplicaDivisionPreference::Aggregated)
    );
}

#[test]
fn cluster_propagation_policy_defaults_and_dynamic_weight() {
    let cpp: ClusterPropagationPolicy = common::load("cpp-dynamic-weight.yaml");
    assert_eq!(cpp.metadata.namespace, None);
    let spec = &cpp.spec;
    // Absent fields take Karmada's CRD defaults.
    assert_eq!(spec.priority, 0);
    assert_eq!(spec.preemption, PreemptionBehavior::Never);
    assert_eq!(spec.conflict_resolution, ConflictResolution::Abort);
    assert_eq!(spec.scheduler_name, "");
    assert_eq!(spec.resource_selectors[0].namespace, "analytics");
    let rs = spec.placement.replica_scheduling.as_ref().unwrap();
    // replicaScheduling present without a type means Divided.
    assert_eq!(rs.replica_scheduling_type, ReplicaSchedulingType::Divided);
    assert_eq!(
        spec.placement.replica_scheduling_type(),
        ReplicaSchedulingType::Divided
    );
    let weights = rs.weight_preference.as_ref().unwrap();
    assert_eq!(
        weights.dynamic_weight,
        Some(DynamicWeightFactor::AvailableReplicas)
    );
    assert_eq!(weights.static_weight_list.len(), 1);
}

#[test]
fn work_keeps_metadata_and_drops_manifests() {
    let work: Work = common::load("work-with-overrides.yaml");
    assert_eq!(
        work.metadata.namespace.as_deref(),
        Some("karmada-es-member-eu-1")
    );
    assert_eq!(
        karmada_types::cluster_of_execution_namespace(work.metadata.namespace.as_deref().unwrap()),
        Some("member-eu-1")
    );
    let labels = work.metadata.labels.as_ref().unwrap();
    assert_eq!(
        labels[well_known::RESOURCE_BINDING_PERMANENT_ID_LABEL],
        "c6a91f02-7b3e-4d5c-8e4f-10b2d3a4c5e6"
    );
    // Nothing of the manifest survives decoding.
    let json = serde_json::to_value(&work).unwrap();
    assert_eq!(json["spec"], serde_json::json!({}));
    assert!(
        !json
            .to_string()
            .contains("registry.eu.example.com/shop/web")
    );

    let overrides =
        WorkOverrides::from_annotations(work.metadata.annotations.as_ref().unwrap()).unwrap();
    let op: Vec<&str> = overrides
        .overrides
        .iter()
        .map(|o| o.policy_name.as_str())
        .collect();
    assert_eq!(op, ["web-eu-labels", "web-eu-registry"]);
    assert_eq!(
        overrides.overrides[1].overriders["imageOverrider"][0]["value"],
        "registry.eu.example.com"
    );
    assert_eq!(overrides.cluster_overrides.len(), 1);
    assert_eq!(
        overrides.cluster_overrides[0].policy_name,
        "registry-mirror"
    );
    assert_eq!(
        overrides.cluster_overrides[0].overriders["plaintext"][0]["operator"],
        "add"
    );
}

/// The same object read as `PartialObjectMeta<Work>` (what a metadata watch yields).
#[test]
fn work_as_partial_object_meta() {
    let meta: kube::core::PartialObjectMeta<Work> = common::load("work-with-overrides.yaml");
    assert_eq!(meta.metadata.name.as_deref(), Some("web-5c8d7f96b4"));
    assert_eq!(
        <kube::core::PartialObjectMeta<Work> as Resource>::plural(&()),
        "works"
    );
    assert!(<kube::core::PartialObjectMeta<Work> as Resource>::metadata_api());
}

fn round_trip<K>(fixture: &str)
where
    K: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug + Resource<DynamicType = ()>,
{
    let decoded: K = common::load(fixture);
    let json = serde_json::to_value(&decoded).unwrap_or_else(|e| panic!("{fixture}: {e}"));
    assert_eq!(
        json["apiVersion"],
        K::api_version(&()).as_ref(),
        "{fixture}"
    );
    assert_eq!(json["kind"], K::kind(&()).as_ref(), "{fixture}");
    let again: K = serde_json::from_value(json).unwrap_or_else(|e| panic!("{fixture}: {e}"));
    assert_eq!(decoded, again, "{fixture}");
}

#[test]
fn every_fixture_round_trips() {
    round_trip::<Cluster>("cluster-push.yaml");
    round_trip::<Cluster>("cluster-pull.yaml");
    round_trip::<Cluster>("cluster-future.json");
    round_trip::<ResourceBinding>("rb-deployment.yaml");
    round_trip::<ResourceBinding>("rb-future.json");
    round_trip::<ClusterResourceBinding>("crb-namespace.yaml");
    round_trip::<PropagationPolicy>("pp-cluster-affinities.yaml");
    round_trip::<ClusterPropagationPolicy>("cpp-dynamic-weight.yaml");
    round_trip::<Work>("work-with-overrides.yaml");
}
