//! `ready_disagreement`: Karmada's ready count of a workload on a cluster against the ready pods
//! observed there; and the `Degraded` condition a lasting difference gives.

use karmada_manager_api::conditions::reasons;

use super::*;
use crate::status::workload_placement::{ReadyCounts, disagreement_problem, ready_disagreement};

fn counts(world: &Fixture, cluster: &str) -> Option<ReadyCounts> {
    let binding: ResourceBinding = serde_json::from_value(world.binding.clone()).expect("binding");
    let pods = world.pods.get(cluster).cloned().unwrap_or_default();
    ready_disagreement(&binding.spec, &binding.status, cluster, &pods)
}

#[test]
fn karmadas_ready_replicas_against_the_ready_pods_seen() {
    // The fixture: Karmada reports 6 ready on m1 and 4 on m2.
    let world = Fixture::new()
        .pods("m1", running_pods(6, "web-a-", 3))
        .pods("m2", running_pods(1, "web-b-", 2));
    assert_eq!(counts(&world, "m1"), None, "6 and 6 agree");
    assert_eq!(
        counts(&world, "m2"),
        Some(ReadyCounts {
            karmada: 4,
            observed: 1
        })
    );
    // No report from Karmada for the cluster: nothing to compare.
    let unreported = world.clone().members(json!([]));
    assert_eq!(counts(&unreported, "m2"), None);
    // A Deployment's absent readyReplicas is 0.
    let zero = Fixture::new()
        .member(
            "m2",
            json!({"clusterName": "m2", "applied": true, "status": {"replicas": 4}}),
        )
        .pods("m2", running_pods(2, "web-b-", 2));
    assert_eq!(
        counts(&zero, "m2"),
        Some(ReadyCounts {
            karmada: 0,
            observed: 2
        })
    );
}

#[test]
fn a_lasting_difference_is_degraded_with_its_own_reason() {
    let problem = disagreement_problem(ReadyCounts {
        karmada: 6,
        observed: 0,
    });
    assert_eq!(problem.reason, reasons::READY_COUNTS_DISAGREE);
    let built = Fixture::new().problems("m2", vec![problem]).build();
    let degraded = condition(&built, "Degraded").expect("Degraded");
    assert_eq!(degraded.reason, reasons::READY_COUNTS_DISAGREE);
    assert!(
        degraded
            .message
            .contains("Karmada reports 6 ready replicas here, karmada-manager sees 0"),
        "{}",
        degraded.message
    );
}
