//! Replicas that share the members: each builds the status from its own members and what the
//! others published, and the parts they write make up the status one replica would write.

use karmada_manager_api::conditions::types;
use karmada_manager_api::{ClusterProblem, FitEstimator};

use super::*;

/// m1 and m2 both observed: pods, fits, a problem on m2 (it degrades the placement) and a
/// candidate (m3) whose fit is shown.
fn world() -> Fixture {
    let mut world = Fixture::new()
        .pods("m1", running_pods(6, "web-a", 2))
        .pods("m2", running_pods(3, "web-b", 1))
        .problems(
            "m2",
            vec![ClusterProblem {
                reason: "MemberUnreachable".into(),
                message: "m2 has not answered for 45s".into(),
            }],
        );
    for (cluster, replicas) in [("m1", 4), ("m2", 1), ("m3", 7)] {
        let fit = Fit {
            replicas,
            estimator: FitEstimator::Accurate,
            general: Some(replicas + 1),
        };
        world.fits.insert(cluster.into(), fit);
    }
    world
}

/// What the replica watching only `here` sees of the world: the others' pods, problems and
/// fits are not in its memory.
fn seen_from(world: &Fixture, here: &str) -> Fixture {
    let mut seen = world.clone();
    seen.pods.retain(|cluster, _| cluster == here);
    seen.problems.retain(|cluster, _| cluster == here);
    seen.fits
        .retain(|cluster, _| cluster == here || cluster == "m3");
    seen
}

#[test]
fn a_replica_watching_some_members_builds_what_one_replica_builds_once_the_others_published() {
    let whole = world().build();
    assert!(
        condition(&whole, types::DEGRADED).is_some(),
        "m2's problem shows"
    );
    for here in ["m1", "m2"] {
        let published = whole.status.clusters.clone();
        let built = seen_from(&world(), here).shared(&[here], published).build();
        assert_eq!(built.status, whole.status, "built by the watcher of {here}");
        assert_eq!(built.conditions, whole.conditions, "watcher of {here}");
        assert_eq!(built.state, whole.state);
    }
}

#[test]
fn observed_fields_of_clusters_watched_elsewhere_are_taken_never_computed() {
    // Nothing published yet for m2: its entry has Karmada's figures and nothing observed,
    // although pods and a fit of m2 are (wrongly) in this replica's inputs.
    let built = world().shared(&["m1"], Vec::new()).build();
    let m2 = entry(&built, "m2");
    assert_eq!(m2.replicas, 4);
    assert_eq!(m2.ready_replicas, Some(4));
    assert_eq!((m2.pods.as_ref(), m2.fit_replicas), (None, None));
    assert!(m2.problems.is_empty() && m2.division.is_none());
    assert!(entry(&built, "m1").pods.is_some());
    assert!(
        condition(&built, types::DEGRADED).is_none(),
        "m2's problem is its watcher's to publish"
    );
}
