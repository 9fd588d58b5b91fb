//! Our own objects heal: a ClusterInsight, a WorkloadPlacement or the FleetInsight deleted by
//! hand is recreated, and a status edited by hand is rewritten, without a restart. The test
//! plays Karmada: it writes one scheduled, applied binding itself.

mod support;

use anyhow::Result;
use karmada_manager_api::{ClusterInsight, FleetInsight, WorkloadPlacement};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::fmt::Debug;
use std::time::{Duration, Instant};
use support::{apply, eventually, resource};

const WAIT: Duration = Duration::from_secs(30);

fn binding() -> Value {
    json!({
        "apiVersion": "work.karmada.io/v1alpha2", "kind": "ResourceBinding",
        "metadata": {"name": "web-deployment", "namespace": "shop"},
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"},
            "replicas": 2,
            "clusters": [{"name": "m1", "replicas": 2}],
        },
        "status": {
            "schedulerObservedGeneration": 1,
            "conditions": [
                {"type": "Scheduled", "status": "True", "reason": "Success", "message": "scheduled", "lastTransitionTime": "2026-01-01T00:00:00Z"},
                {"type": "FullyApplied", "status": "True", "reason": "FullyAppliedSuccess", "message": "applied", "lastTransitionTime": "2026-01-01T00:00:00Z"},
            ],
            "aggregatedStatus": [{"clusterName": "m1", "applied": true, "health": "Healthy", "status": {"replicas": 2, "readyReplicas": 2}}],
        },
    })
}

/// Deletes `name` and waits until the operator has recreated it (a new uid) with a status
/// that `healed` accepts; returns how long that took.
async fn recreated<K>(api: &Api<K>, name: &str, healed: impl Fn(&K) -> bool) -> Result<Duration>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug,
{
    let before = api.get(name).await?.uid();
    api.delete(name, &DeleteParams::default()).await?;
    let deleted = Instant::now();
    eventually(
        &format!("{} {name} recreated", K::kind(&())),
        WAIT,
        || async { Ok(api.get_opt(name).await?) },
        |object| {
            object
                .as_ref()
                .is_some_and(|o| o.uid() != before && healed(o))
        },
    )
    .await?;
    Ok(deleted.elapsed())
}

/// Overwrites part of `name`'s status as another field manager would, and waits until the
/// operator has written its own again (`healed`); returns how long that took.
async fn rewritten<K>(
    api: &Api<K>,
    name: &str,
    edit: Value,
    healed: impl Fn(&K) -> bool,
) -> Result<Duration>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug,
{
    let dt = ();
    let patch = json!({"apiVersion": K::api_version(&dt), "kind": K::kind(&dt), "status": edit});
    // The patch's answer is the object as edited: a GET after it may already see the
    // operator's repair, which comes within a write interval.
    let object = api
        .patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await?;
    let edited = Instant::now();
    anyhow::ensure!(!healed(&object), "the edit did not take: {object:?}");
    eventually(
        &format!("{} {name} rewritten", K::kind(&dt)),
        WAIT,
        || async { Ok(api.get(name).await?) },
        |o| healed(o),
    )
    .await?;
    Ok(edited.elapsed())
}

#[tokio::test(flavor = "multi_thread")]
async fn our_objects_deleted_or_edited_by_hand_heal() -> Result<()> {
    let env = support::environment(&["m1"]).await?;
    let hub = env.hub().client().await?;
    testenv::join::apply_namespace(&hub, "shop").await?;
    let bindings = resource(
        "work.karmada.io",
        "v1alpha2",
        "ResourceBinding",
        "resourcebindings",
    );
    apply(&hub, &bindings, Some("shop"), binding()).await?;
    let _operator = support::start_operator(&env, &[]).await?;

    let insights = Api::<ClusterInsight>::all(hub.clone());
    let placements = Api::<WorkloadPlacement>::namespaced(hub.clone(), "shop");
    let fleets = Api::<FleetInsight>::all(hub.clone());
    let ready = |conditions: &[k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition]| {
        conditions
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True")
    };
    let synced = eventually(
        "insight",
        WAIT,
        || async { Ok(insights.get("m1").await?) },
        |i| i.status.as_ref().is_some_and(|s| ready(&s.conditions)),
    )
    .await?;
    // Whatever the member has, the operator's figure is the truth to come back to.
    let nodes = synced.status.map(|s| s.nodes.total).unwrap_or_default();
    let insight_ok = |i: &ClusterInsight| {
        i.status
            .as_ref()
            .is_some_and(|s| ready(&s.conditions) && s.nodes.total == nodes)
    };
    let placement_ok =
        |p: &WorkloadPlacement| p.status.as_ref().is_some_and(|s| s.replicas.desired == 2);
    let fleet_ok = |f: &FleetInsight| f.status.as_ref().is_some_and(|s| s.clusters.total == 1);
    let placement = || async { Ok(placements.get("web-deployment").await?) };
    eventually("placement", WAIT, placement, placement_ok).await?;
    let fleet = || async { Ok(fleets.get("fleet").await?) };
    eventually("fleet", WAIT, fleet, fleet_ok).await?;

    let insight = recreated(&insights, "m1", insight_ok).await?;
    let placement = recreated(&placements, "web-deployment", placement_ok).await?;
    let fleet = recreated(&fleets, "fleet", fleet_ok).await?;
    eprintln!(
        "healing: recreated after deletion in {insight:.1?} (ClusterInsight), {placement:.1?} (WorkloadPlacement), {fleet:.1?} (FleetInsight); write interval 200ms"
    );

    let edit = json!({"nodes": {"total": nodes + 7}});
    let insight = rewritten(&insights, "m1", edit, insight_ok).await?;
    let edit = json!({"replicas": {"desired": 999}});
    let placement = rewritten(&placements, "web-deployment", edit, placement_ok).await?;
    let fleet = rewritten(
        &fleets,
        "fleet",
        json!({"clusters": {"total": 999}}),
        fleet_ok,
    )
    .await?;
    eprintln!(
        "healing: rewritten after a hand edit in {insight:.1?} (ClusterInsight), {placement:.1?} (WorkloadPlacement), {fleet:.1?} (FleetInsight)"
    );
    Ok(())
}
