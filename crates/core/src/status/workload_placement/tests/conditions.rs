//! Scheduled, Applied, Ready, Reconciling and Stalled, and the fleet state they classify as.

use karmada_manager_api::WorkloadHealth;
use karmada_manager_api::conditions::{reasons, status, types};
use serde_json::json;

use super::*;
use crate::status::fleet_workload_counts;

#[test]
fn scheduling_failed_is_stalled() {
    let built = Fixture::new()
        .generation(4)
        .scheduled_condition(json!({"type": "Scheduled", "status": "False",
            "reason": "NoClusterFit", "message": "0/3 clusters are available: 3 cluster(s) did not match the placement cluster affinity constraint."}))
        .build();
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
    let built = Fixture::new().generation(4).build();
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
    let built = Fixture::new()
        .set("/status", json!(null))
        .remove("/spec/clusters")
        .build();
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
    let built = Fixture::new().set("/status/conditions", json!([])).build();
    assert_eq!(
        state_of(&built, types::SCHEDULED),
        (status::UNKNOWN, reasons::SCHEDULING_PENDING)
    );
}

#[test]
fn apply_failures_and_pending_members() {
    let built = Fixture::new()
        .member("m2", json!({"clusterName": "m2", "applied": false,
            "appliedMessage": "admission webhook \"quota.example\" denied the request", "health": "Unknown"}))
        .karmada_condition_status("FullyApplied", "False")
        .build();
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
    let built = Fixture::new()
        .targets(json!([{"name": "m1", "replicas": 4}, {"name": "m2", "replicas": 3}, {"name": "m3", "replicas": 3}]))
        .members(json!([
            {"clusterName": "m1", "applied": true, "health": "Healthy", "status": {"readyReplicas": 4}},
            {"clusterName": "m3", "applied": false}
        ]))
        .build();
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
    let built = Fixture::new()
        .karmada_condition_status("FullyApplied", "False")
        .build();
    assert_eq!(
        state_of(&built, types::APPLIED),
        (status::UNKNOWN, reasons::APPLY_PENDING)
    );
}

#[test]
fn unhealthy_clusters_fail_unless_a_rollout_explains_them() {
    let unhealthy_m2 = Fixture::new().member_health("m2", "Unhealthy");
    let built = unhealthy_m2.build();
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::CLUSTERS_UNHEALTHY)
    );
    let message = &condition(&built, types::READY).expect("ready").message;
    assert!(message.contains("m2 Unhealthy"), "{message}");
    assert_eq!(built.state, WorkloadState::Failed);

    // Karmada marks a Deployment Unhealthy while its rollout is incomplete.
    let built = unhealthy_m2
        .member_status("m2", "updatedReplicas", 2)
        .build();
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
    let built = Fixture::new().member_status("m1", "generation", 5).build();
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
    let built = Fixture::new().member_health("m1", "Degraded").build();
    assert_eq!(entry(&built, "m1").health, Some(WorkloadHealth::Unknown));
    assert_eq!(
        state_of(&built, types::READY),
        (status::FALSE, reasons::CLUSTERS_UNHEALTHY)
    );
}

#[test]
fn fleet_counts_agree_with_the_placements() {
    let ready = Fixture::new().build();
    let failed = Fixture::new()
        .karmada_condition_status("Scheduled", "False")
        .build();
    let progressing = Fixture::new().generation(9).build();
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
