//! Scenario 6: why a workload is not on a cluster. Three workloads that karmada-scheduler keeps
//! off m2 for three different filters — the policy's cluster affinity names only m1, m2 carries
//! a taint the policy does not tolerate, m2 does not serve the workload's kind (a CRD installed
//! on the hub and m1 only) — must each be placed on m1 alone by Karmada, and their placements
//! must list m2 as a candidate with that filter's reason. Then the taint goes and the reason
//! goes with it.

use crate::fleet::{Fleet, WAIT};
use crate::support::eventually;
use anyhow::{Context, Result};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use karmada_manager_api::{CandidateCluster, WorkloadPlacement, candidate_reasons as reason};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};
use testenv::join::{apply_namespace, cluster_api};
use testenv::karmada_objects::{self, propagation_policies, resource_bindings};

const NAMESPACE: &str = "why";

pub async fn scenario(fleet: &Fleet) -> Result<()> {
    apply_namespace(&fleet.hub, NAMESPACE).await?;
    install_widgets(fleet).await?;
    taint_m2(
        fleet,
        json!([{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]),
    )
    .await?;

    let deployments =
        kube::discovery::ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&());
    let policies = propagation_policies();
    // Only m1 by name.
    karmada_objects::apply(
        &fleet.hub,
        &policies,
        &policy(
            "only-m1",
            "Deployment",
            json!({"clusterNames": ["m1"]}),
            &[],
        ),
    )
    .await?;
    karmada_objects::apply(&fleet.hub, &deployments, &deployment("only-m1")).await?;
    // Both by name, but m2 is tainted.
    let both = json!({"clusterNames": ["m1", "m2"]});
    karmada_objects::apply(
        &fleet.hub,
        &policies,
        &policy("untolerated", "Deployment", both.clone(), &[]),
    )
    .await?;
    karmada_objects::apply(&fleet.hub, &deployments, &deployment("untolerated")).await?;
    // Both by name, tolerating the taint, but m2 has no Widget API.
    let tolerate = [json!({"key": "dedicated", "operator": "Exists"})];
    karmada_objects::apply(
        &fleet.hub,
        &policies,
        &policy("gadget", "Widget", both, &tolerate),
    )
    .await?;
    karmada_objects::apply(&fleet.hub, &widgets(), &widget("gadget")).await?;

    let expectations = [
        (
            "only-m1-deployment",
            reason::AFFINITY_MISMATCH,
            "clusterAffinity: clusterNames does not name it (m1)".to_owned(),
        ),
        (
            "untolerated-deployment",
            reason::TAINT_NOT_TOLERATED,
            "taint dedicated=gpu:NoSchedule not tolerated by clusterTolerations".to_owned(),
        ),
        (
            "gadget-widget",
            reason::API_NOT_ENABLED,
            "the member does not serve why.example.io/v1 Widget".to_owned(),
        ),
    ];
    for (binding, expected_reason, expected_message) in &expectations {
        let karmada = scheduled_on(fleet, binding).await?;
        anyhow::ensure!(
            karmada == ["m1"],
            "Karmada placed {binding} on {karmada:?}, not on m1 alone"
        );
        let m2 = eventually(
            &format!("{binding}: m2 listed as {expected_reason}"),
            WAIT,
            || candidate(fleet, binding, "m2"),
            |m2| {
                m2.as_ref()
                    .is_some_and(|c| c.reason == *expected_reason && c.message == *expected_message)
            },
        )
        .await?;
        eprintln!("scenario 6: {binding} on {karmada:?} (Karmada); m2: {m2:?}");
    }

    eprintln!(
        "scenario 6: kubectl get -o yaml:\n{}",
        crate::support::kubectl_get_yaml(
            &fleet.env,
            "workloadplacement",
            NAMESPACE,
            "untolerated-deployment"
        )
        .await?
    );

    // The taint goes: m2 is no longer kept out by it (Karmada may now add it, or leave it).
    taint_m2(fleet, json!([])).await?;
    let after = eventually(
        "untolerated: m2 no longer TaintNotTolerated",
        WAIT,
        || candidate(fleet, "untolerated-deployment", "m2"),
        |m2| {
            m2.as_ref()
                .is_none_or(|c| c.reason != reason::TAINT_NOT_TOLERATED)
        },
    )
    .await?;
    eprintln!("scenario 6: taint removed; m2 for untolerated: {after:?}");
    Ok(())
}

/// The clusters Karmada scheduled `binding` to, once it has.
async fn scheduled_on(fleet: &Fleet, binding: &str) -> Result<Vec<String>> {
    let bindings =
        Api::<DynamicObject>::namespaced_with(fleet.hub.clone(), NAMESPACE, &resource_bindings());
    eventually(
        &format!("Karmada schedules {binding}"),
        WAIT,
        || async {
            let object = bindings.get(binding).await?;
            Ok(object.data["spec"]["clusters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["name"].as_str().map(str::to_owned))
                .collect::<Vec<_>>())
        },
        |clusters| !clusters.is_empty(),
    )
    .await
}

/// `cluster` among the candidates of the placement named after `binding`; `None` when it is not
/// listed (a target, or no status yet).
async fn candidate(
    fleet: &Fleet,
    binding: &str,
    cluster: &str,
) -> Result<Option<CandidateCluster>> {
    let placement = Api::<WorkloadPlacement>::namespaced(fleet.hub.clone(), NAMESPACE)
        .get(binding)
        .await?;
    let status = placement.status.context("no placement status yet")?;
    Ok(status
        .candidates
        .into_iter()
        .flat_map(|c| c.items)
        .find(|c| c.name == cluster))
}

async fn taint_m2(fleet: &Fleet, taints: Value) -> Result<()> {
    cluster_api(&fleet.hub)
        .patch(
            "m2",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"taints": taints}})),
        )
        .await
        .context("tainting Cluster m2")?;
    Ok(())
}

/// The Widget CRD on the hub (where its template lives) and on m1, then waits until Karmada's
/// cluster status controller has seen m1 serve it: scheduled before that, the Widget would fit
/// nowhere.
async fn install_widgets(fleet: &Fleet) -> Result<()> {
    let crd: CustomResourceDefinition = serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.why.example.io"},
        "spec": {
            "group": "why.example.io", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]
        }
    }))?;
    testenv::crds::install(&fleet.hub, std::slice::from_ref(&crd)).await?;
    testenv::crds::install(&fleet.member("m1").await?, std::slice::from_ref(&crd)).await?;
    eventually(
        "Karmada sees m1 serve why.example.io/v1 Widget",
        WAIT,
        || async {
            let m1 = crate::fleet::cluster(&fleet.hub, "m1").await?;
            Ok(m1["status"]["apiEnablements"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|api| api["groupVersion"] == "why.example.io/v1"))
        },
        |served| *served,
    )
    .await?;
    Ok(())
}

fn widgets() -> kube::discovery::ApiResource {
    karmada_objects::resource("why.example.io", "v1", "Widget", "widgets")
}

fn widget(name: &str) -> Value {
    json!({
        "apiVersion": "why.example.io/v1", "kind": "Widget",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {"size": 3},
    })
}

fn deployment(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"app": name}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [
                {"name": "app", "image": "app", "resources": {"requests": {"cpu": "100m"}}}]}},
        },
    })
}

fn policy(name: &str, kind: &str, affinity: Value, tolerations: &[Value]) -> Value {
    let api_version = if kind == "Widget" {
        "why.example.io/v1"
    } else {
        "apps/v1"
    };
    let placement = json!({
        "clusterAffinity": affinity,
        "clusterTolerations": tolerations,
        "replicaScheduling": {"replicaSchedulingType": "Duplicated"},
    });
    karmada_objects::propagation_policy(name, NAMESPACE, (api_version, kind, name), placement)
}
