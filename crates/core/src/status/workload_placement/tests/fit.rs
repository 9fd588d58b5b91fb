//! `clusters[].fitReplicas`, `.estimator` and `.fitMessage`: what the shell estimated, on the
//! target clusters only, and why there is no usable figure.

use karmada_manager_api::FitEstimator;

use super::*;
use crate::status::workload_placement::Fit;

fn fit(replicas: u64, estimator: FitEstimator) -> Fit {
    Fit {
        replicas,
        estimator,
        general: None,
    }
}

#[test]
fn target_clusters_show_the_estimate_and_how_it_was_made() {
    let mut world = Fixture::new().set(
        "/spec/replicaRequirements",
        json!({"resourceRequest": {"cpu": "500m"}}),
    );
    world
        .fits
        .insert("m1".into(), fit(14, FitEstimator::Accurate));
    world
        .fits
        .insert("m2".into(), fit(3, FitEstimator::General));
    // Not a target: never shown.
    world
        .fits
        .insert("m3".into(), fit(99, FitEstimator::Accurate));
    let built = world.build();
    let m1 = entry(&built, "m1");
    assert_eq!(
        (m1.fit_replicas, m1.estimator),
        (Some(14), Some(FitEstimator::Accurate))
    );
    let m2 = entry(&built, "m2");
    assert_eq!(
        (m2.fit_replicas, m2.estimator),
        (Some(3), Some(FitEstimator::General))
    );
    assert!(built.status.clusters.iter().all(|c| c.name != "m3"));
    assert!(m1.fit_message.is_none());
}

#[test]
fn unreadable_requirements_say_why_on_every_target() {
    let built = Fixture::new()
        .set(
            "/spec/replicaRequirements",
            json!({"resourceRequest": {"cpu": "lots"}}),
        )
        .build();
    for cluster in &built.status.clusters {
        assert_eq!(cluster.fit_replicas, None);
        let message = cluster.fit_message.as_deref().unwrap_or_default();
        assert!(message.contains("resourceRequest[cpu]"), "{message}");
    }
    let affinity = json!({"nodeClaim": {"hardNodeAffinity": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "gpu", "operator": "Teleport"}]},
    ]}}});
    let built = Fixture::new()
        .set("/spec/replicaRequirements", affinity)
        .build();
    let message = entry(&built, "m1").fit_message.clone().unwrap_or_default();
    assert!(message.contains("Teleport"), "{message}");
}

#[test]
fn a_binding_without_requirements_shows_no_fit() {
    let built = Fixture::new().build();
    assert!(
        built
            .status
            .clusters
            .iter()
            .all(|c| c.fit_replicas.is_none() && c.fit_message.is_none())
    );
}
