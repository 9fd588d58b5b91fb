//! Bindings that make no sense, beside a sensible one.

use super::{
    WAIT, apply_binding, binding, condition, place, ready, scheduled_status, status, weights,
};
use crate::support::{self, eventually};
use anyhow::Result;
use serde_json::json;

/// Hub objects that make no sense: a binding scheduled to a Cluster that does not exist, the
/// same cluster twice, a static weight of 0. Each is said plainly or refused, and the sensible
/// workload beside them stays correct.
#[tokio::test(flavor = "multi_thread")]
async fn nonsense_bindings_are_said_plainly() -> Result<()> {
    let env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    testenv::join::apply_namespace(&hub, "shop").await?;
    let static_weights = |m1: i64, m2: i64| {
        json!({
            "clusterAffinity": {"clusterNames": ["m1", "m2"]},
            "replicaScheduling": {
                "replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
                "weightPreference": {"staticWeightList": [
                    {"targetCluster": {"clusterNames": ["m1"]}, "weight": m1},
                    {"targetCluster": {"clusterNames": ["m2"]}, "weight": m2}]}},
        })
    };
    let only = |clusters: &[&str]| json!({"clusterAffinity": {"clusterNames": clusters}});
    place(
        &hub,
        "sane",
        2,
        &[("m1", 1), ("m2", 1)],
        static_weights(1, 1),
    )
    .await?;
    place(
        &hub,
        "ghost",
        1,
        &[("m1", 1), ("ghost", 1)],
        only(&["m1", "ghost"]),
    )
    .await?;
    place(&hub, "twice", 2, &[("m1", 1), ("m1", 1)], only(&["m1"])).await?;
    // A weight of 0 never reaches the operator: Karmada's CRDs refuse it, in the policy and in
    // the binding's copy of the placement alike.
    let zero = apply_binding(
        &hub,
        binding("zero", 2, &[("m1", 2)], static_weights(1, 0)),
        |g| scheduled_status(g, &[("m1", 2, 2)]),
    )
    .await
    .expect_err("a static weight of 0 is refused");
    assert!(
        format!("{zero:#}").contains("greater than or equal to 1"),
        "{zero:#}"
    );
    let _operator = support::start_operator(&env, &[]).await?;

    let sane = ready(&hub, "sane-deployment").await?;
    assert_eq!(condition(&sane, "Degraded"), None);
    assert_eq!(
        weights(&sane),
        [("m1".into(), Some(1)), ("m2".into(), Some(1))]
    );

    let ghost = eventually(
        "ghost",
        WAIT,
        || status(&hub, "ghost-deployment"),
        |s| condition(s, "Degraded") == Some(("True", "MemberNotObserved")),
    )
    .await?;
    let entry = ghost
        .clusters
        .iter()
        .find(|c| c.name == "ghost")
        .expect("ghost");
    assert_eq!(entry.problems[0].reason, "ClusterNotFound");
    assert!(
        entry.problems[0].message.contains("no Cluster ghost"),
        "{entry:?}"
    );
    let degraded = &ghost
        .conditions
        .iter()
        .find(|c| c.type_ == "Degraded")
        .expect("Degraded");
    assert!(
        degraded.message.contains("ghost (ClusterNotFound"),
        "{}",
        degraded.message
    );
    let m1 = ghost.clusters.iter().find(|c| c.name == "m1").expect("m1");
    assert!(m1.problems.is_empty(), "{m1:?}");

    // The same cluster twice: one entry, the replicas added up.
    let twice = eventually(
        "twice",
        WAIT,
        || status(&hub, "twice-deployment"),
        |s| !s.clusters.is_empty(),
    )
    .await?;
    let names: Vec<(&str, i64)> = twice
        .clusters
        .iter()
        .map(|c| (c.name.as_str(), c.replicas))
        .collect();
    assert_eq!(names, [("m1", 2)]);
    assert_eq!(twice.clusters_display, "m1:2");
    Ok(())
}
