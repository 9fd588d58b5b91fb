//! Objects from a newer Karmada (new fields, new enum values) still decode, keep the unknown
//! enum values verbatim and write them back unchanged.

mod common;

use karmada_types::{
    ClaimingPolicy, Cluster, ClusterPropagationPolicy, ConditionStatus, ConflictResolution,
    DynamicWeightFactor, IgnoredSpec, OverridePolicy, PreemptionBehavior, PropagationPolicy,
    PurgeMode, ReplicaDivisionPreference, ReplicaSchedulingType, ResourceBinding, ResourceHealth,
    SpreadByField, SyncMode, TaintEffect, Work,
};
use serde_json::json;

#[test]
fn future_cluster_decodes_and_keeps_unknown_values() {
    let c: Cluster = common::load("cluster-future.json");
    assert_eq!(c.spec.sync_mode, Some(SyncMode::Other("Hybrid".into())));
    assert_eq!(c.spec.secret_ref.as_ref().unwrap().name, "member-next");
    assert_eq!(
        c.spec.taints[0].effect,
        TaintEffect::Other("NoRoute".into())
    );
    assert!(!c.spec.taints[0].effect.is_known());
    let ready = c.status.ready_condition().unwrap();
    assert_eq!(ready.status, ConditionStatus::Other("Degraded".into()));
    assert!(!ready.is_true());
    // A condition with nothing but a type still decodes.
    let upgrading = &c.status.conditions[1];
    assert_eq!(upgrading.type_, "Upgrading");
    assert_eq!(upgrading.status, ConditionStatus::Unknown);
    assert!(upgrading.last_transition_time.is_none());
    assert_eq!(c.status.node_summary.as_ref().unwrap().total_num, 12);

    let out = serde_json::to_value(&c).unwrap();
    assert_eq!(out["spec"]["syncMode"], "Hybrid");
    assert_eq!(out["spec"]["taints"][0]["effect"], "NoRoute");
    assert_eq!(out["status"]["conditions"][0]["status"], "Degraded");
    // Unknown fields are dropped, not carried.
    assert!(out["spec"].get("trafficWeight").is_none());
}

#[test]
fn future_binding_decodes_and_keeps_unknown_values() {
    let rb: ResourceBinding = common::load("rb-future.json");
    let spec = &rb.spec;
    assert_eq!(spec.resource.kind, "PyTorchJob");
    assert_eq!(spec.replicas, 4);
    assert_eq!(spec.clusters[0].name, "gpu-a");
    assert_eq!(spec.clusters[0].replicas, 4);
    assert_eq!(
        spec.conflict_resolution,
        ConflictResolution::Other("Merge".into())
    );

    let placement = spec.placement.as_ref().unwrap();
    assert_eq!(placement.cluster_affinities[0].affinity_name, "gpu");
    assert_eq!(
        placement.cluster_affinities[0].affinity.cluster_names,
        ["gpu-a", "gpu-b"]
    );
    assert_eq!(
        placement.spread_constraints[0].spread_by_field,
        Some(SpreadByField::Other("rack".into()))
    );
    let rs = placement.replica_scheduling.as_ref().unwrap();
    assert_eq!(
        rs.replica_scheduling_type,
        ReplicaSchedulingType::Other("Elastic".into())
    );
    assert_eq!(
        placement.replica_scheduling_type(),
        ReplicaSchedulingType::Other("Elastic".into())
    );
    assert_eq!(
        rs.replica_division_preference,
        Some(ReplicaDivisionPreference::Other("Balanced".into()))
    );
    assert_eq!(
        rs.weight_preference.as_ref().unwrap().dynamic_weight,
        Some(DynamicWeightFactor::Other("AvailableResources".into()))
    );
    let task = &spec.graceful_eviction_tasks[0];
    assert_eq!(task.purge_mode, Some(PurgeMode::Other("Eventually".into())));
    assert_eq!(task.reason, "NodeDrain");

    let status = &rb.status;
    assert_eq!(status.scheduler_observing_affinity_name, "gpu");
    let item = &status.aggregated_status[0];
    assert_eq!(item.health, Some(ResourceHealth::Other("Degraded".into())));
    // A mistyped count is skipped on its own; the accessor still answers.
    let replicas = item.replica_status().unwrap();
    assert_eq!(replicas.ready_replicas, None);
    assert_eq!(replicas.replicas, None);
    assert_eq!(item.status.as_ref().unwrap()["readyReplicas"], "all");

    // PP name without the namespace annotation: the binding's namespace is the policy's.
    assert_eq!(
        ClaimingPolicy::of(&rb.metadata),
        ClaimingPolicy::Propagation {
            namespace: "ml".into(),
            name: "gpu-pp".into()
        }
    );

    // Every raw value is written back exactly.
    let out = serde_json::to_value(&rb).unwrap();
    let p = &out["spec"]["placement"];
    assert_eq!(p["replicaScheduling"]["replicaSchedulingType"], "Elastic");
    assert_eq!(
        p["replicaScheduling"]["replicaDivisionPreference"],
        "Balanced"
    );
    assert_eq!(
        p["replicaScheduling"]["weightPreference"]["dynamicWeight"],
        "AvailableResources"
    );
    assert_eq!(p["spreadConstraints"][0]["spreadByField"], "rack");
    assert_eq!(out["spec"]["conflictResolution"], "Merge");
    assert_eq!(
        out["spec"]["gracefulEvictionTasks"][0]["purgeMode"],
        "Eventually"
    );
    assert_eq!(out["status"]["aggregatedStatus"][0]["health"], "Degraded");
    // The flattened ClusterAffinity of a term comes back inline.
    assert_eq!(p["clusterAffinities"][0]["affinityName"], "gpu");
    assert_eq!(p["clusterAffinities"][0]["clusterNames"][1], "gpu-b");
}

#[test]
fn every_enum_round_trips_known_and_unknown_values() {
    fn check<E>(known: &[E])
    where
        E: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
        E: for<'a> From<&'a str> + AsRef<str>,
    {
        for value in known {
            let json = serde_json::to_string(value).unwrap();
            assert_eq!(json, format!("\"{}\"", value.as_ref()));
            assert_eq!(&serde_json::from_str::<E>(&json).unwrap(), value);
            assert_eq!(&E::from(value.as_ref()), value);
        }
        // Unknown, differently cased and empty values are all kept verbatim.
        for raw in ["SomethingNew", "push", "divided", ""] {
            let decoded: E = serde_json::from_value(json!(raw)).unwrap();
            assert_eq!(decoded.as_ref(), raw);
            assert_eq!(serde_json::to_value(&decoded).unwrap(), json!(raw));
        }
        // Non-strings are an error, not a silent fallback.
        let err = serde_json::from_value::<E>(json!(3)).unwrap_err();
        assert!(err.to_string().contains("expected a string"), "{err}");
    }
    check(SyncMode::KNOWN);
    check(ResourceHealth::KNOWN);
    check(PurgeMode::KNOWN);
    check(ConflictResolution::KNOWN);
    check(PreemptionBehavior::KNOWN);
    check(ReplicaSchedulingType::KNOWN);
    check(ReplicaDivisionPreference::KNOWN);
    check(DynamicWeightFactor::KNOWN);
    check(SpreadByField::KNOWN);
    check(ConditionStatus::KNOWN);
    check(TaintEffect::KNOWN);
}

#[test]
fn enum_values_match_karmada_spelling() {
    assert_eq!(PurgeMode::from("Graciously"), PurgeMode::Graciously);
    assert_eq!(PurgeMode::from("Directly"), PurgeMode::Directly);
    assert_eq!(SpreadByField::Region.as_str(), "region");
    assert_eq!(
        SpreadByField::from("Region"),
        SpreadByField::Other("Region".into())
    );
    assert_eq!(
        ReplicaSchedulingType::default(),
        ReplicaSchedulingType::Divided
    );
    assert_eq!(ConflictResolution::default(), ConflictResolution::Abort);
    assert_eq!(PreemptionBehavior::default(), PreemptionBehavior::Never);
    assert_eq!("Pull".parse::<SyncMode>(), Ok(SyncMode::Pull));
    assert_eq!(ResourceHealth::Unhealthy.to_string(), "Unhealthy");
}

#[test]
fn absent_and_null_parts_default() {
    // No spec, no status, no metadata: still an object.
    let c: Cluster = serde_json::from_value(json!({"kind": "Cluster"})).unwrap();
    assert_eq!(c, Cluster::default());
    let rb: ResourceBinding =
        serde_json::from_value(json!({"metadata": {"name": "x"}, "spec": null, "status": null}))
            .unwrap();
    assert_eq!(rb.spec.replicas, 0);
    assert!(rb.status.aggregated_status.is_empty());
    // Go writes `null` for a nil resourceSelectors slice.
    let pp: PropagationPolicy =
        serde_json::from_value(json!({"spec": {"resourceSelectors": null, "placement": {}}}))
            .unwrap();
    assert!(pp.spec.resource_selectors.is_empty());
    assert_eq!(
        pp.spec.placement.replica_scheduling_type(),
        ReplicaSchedulingType::Duplicated
    );
    let cpp: ClusterPropagationPolicy = serde_json::from_value(json!({"spec": {}})).unwrap();
    assert_eq!(cpp.spec.conflict_resolution, ConflictResolution::Abort);
}

#[test]
fn override_policies_are_names_only() {
    let op: OverridePolicy = serde_json::from_value(json!({
        "apiVersion": "policy.karmada.io/v1alpha1",
        "kind": "OverridePolicy",
        "metadata": {"name": "web-eu-registry", "namespace": "shop"},
        "spec": {
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
            "overrideRules": [{"targetCluster": {"clusterNames": ["member-eu-1"]},
                               "overriders": {"imageOverrider": [{"component": "Registry", "operator": "replace", "value": "r.example.com"}]}}]
        }
    }))
    .unwrap();
    assert_eq!(op.metadata.name.as_deref(), Some("web-eu-registry"));
    assert_eq!(op.spec, IgnoredSpec {});
    assert_eq!(serde_json::to_value(&op).unwrap()["spec"], json!({}));
}

#[test]
fn work_spec_of_any_shape_is_ignored() {
    for spec in [
        json!({"workload": {"manifests": [{"kind": "Secret", "data": {"k": "dmFsdWU="}}]}}),
        json!({"workload": {"manifests": "not even a list"}, "suspendDispatching": true}),
        json!(null),
    ] {
        let work: Work = serde_json::from_value(json!({
            "metadata": {"name": "w", "namespace": "karmada-es-a"},
            "spec": spec
        }))
        .unwrap();
        assert_eq!(work.metadata.name.as_deref(), Some("w"));
        assert_eq!(work.spec, IgnoredSpec {});
    }
}
