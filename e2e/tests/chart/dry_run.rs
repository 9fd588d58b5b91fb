//! The rendered manifests taken by real API servers in a server-side dry run (host half by a
//! stand-in host cluster, hub RBAC by the hub), and the pod admitted by the `restricted` Pod
//! Security Standard.

use super::helm::{Helm, chart, kinds, one, parse_documents};
use super::values::FULL_VALUES;
use super::{NAMESPACE, RELEASE};
use crate::support;
use anyhow::{Context, Result, bail, ensure};
use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use kube::discovery::{Discovery, Scope};
use serde_json::{Value, json};

/// Server-side applies every object through discovery, as a dry run unless `persist`.
async fn apply_all(client: &kube::Client, objects: &[Value], persist: bool) -> Result<()> {
    let discovery = Discovery::new(client.clone()).run().await?;
    let params = if persist {
        PatchParams::apply("chart-test").force()
    } else {
        PatchParams::apply("chart-test").dry_run()
    };
    for object in objects {
        let api_version = object["apiVersion"].as_str().context("no apiVersion")?;
        let kind = object["kind"].as_str().context("no kind")?;
        let name = object["metadata"]["name"].as_str().context("no name")?;
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (resource, capabilities) = discovery
            .resolve_gvk(&gvk)
            .with_context(|| format!("the API server does not serve {api_version} {kind}"))?;
        let api: Api<DynamicObject> = match capabilities.scope {
            Scope::Namespaced => {
                let namespace = object["metadata"]["namespace"]
                    .as_str()
                    .with_context(|| format!("{kind} {name} has no namespace"))?;
                Api::namespaced_with(client.clone(), namespace, &resource)
            }
            Scope::Cluster => Api::all_with(client.clone(), &resource),
        };
        api.patch(name, &params, &Patch::Apply(object))
            .await
            .with_context(|| {
                format!("server-side apply (dry run: {}) of {kind} {name}", !persist)
            })?;
    }
    Ok(())
}

/// A minimal stand-in for the Prometheus Operator's ServiceMonitor CRD (the test API servers
/// serve no monitoring.coreos.com), enough for the API server to take the rendered object.
fn service_monitor_stand_in() -> Result<CustomResourceDefinition> {
    let open = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
    Ok(serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "servicemonitors.monitoring.coreos.com"},
        "spec": {
            "group": "monitoring.coreos.com",
            "names": {"kind": "ServiceMonitor", "listKind": "ServiceMonitorList", "plural": "servicemonitors", "singular": "servicemonitor"},
            "scope": "Namespaced",
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": open}}},
            }],
        },
    }))?)
}

/// The chart's crds/*.yaml, parsed.
fn chart_crds() -> Result<Vec<Value>> {
    let mut crds = Vec::new();
    for entry in std::fs::read_dir(chart().join("crds"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml") {
            crds.extend(parse_documents(&std::fs::read_to_string(&path)?)?);
        }
    }
    ensure!(crds.len() == 4, "expected the 4 CRDs in the chart's crds/");
    Ok(crds)
}

fn pod_from_template(objects: &[Value], namespace: &str) -> Result<Pod> {
    let template = &one(objects, "Deployment")?["spec"]["template"];
    Ok(serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "karmada-manager-pss", "namespace": namespace, "labels": template["metadata"]["labels"]},
        "spec": template["spec"],
    }))?)
}

pub async fn rendered_manifests_pass_a_server_side_dry_run_on_host_and_hub() -> Result<()> {
    let (host_default, host_full, host_other, hub_full, hub_default, crds) =
        tokio::task::block_in_place(|| -> Result<_> {
            let helm = Helm::new()?;
            Ok((
                helm.template(&[], &[])?,
                helm.template(&[FULL_VALUES], &["rbac.hub.create=false"])?,
                // The other branches: a NetworkPolicy admitting nobody, maxUnavailable.
                helm.template(
                    &[],
                    &[
                        "networkPolicy.enabled=true",
                        "replicaCount=3",
                        "podDisruptionBudget.maxUnavailable=1",
                    ],
                )?,
                helm.template(&[FULL_VALUES], &["operator.enabled=false"])?,
                helm.template(&[], &["operator.enabled=false", "rbac.hub.create=true"])?,
                chart_crds()?,
            ))
        })?;
    // Sharding: the Deployment with --sharding, the hub's sharding Lease Role.
    let sharding = "sharding:\n  enabled: true\n";
    let (host_sharded, hub_sharded) = tokio::task::block_in_place(|| -> Result<_> {
        let helm = Helm::new()?;
        Ok((
            helm.template(&[FULL_VALUES, sharding], &["rbac.hub.create=false"])?,
            helm.template(&[FULL_VALUES, sharding], &["operator.enabled=false"])?,
        ))
    })?;
    assert!(!kinds(&host_full).contains("ClusterRole"));
    assert!(!kinds(&hub_full).contains("Deployment"));

    let env = support::environment(&["m1"]).await?;
    // m1 stands in for the Karmada host cluster, the hub is the hub.
    let host = env.member("m1").client().await?;
    let hub = env.hub().client().await?;
    testenv::join::apply_namespace(&host, NAMESPACE).await?;
    testenv::join::apply_namespace(&hub, NAMESPACE).await?;
    testenv::crds::install(&host, &[service_monitor_stand_in()?]).await?;

    apply_all(&host, &host_default, false).await?;
    apply_all(&host, &host_full, false).await?;
    assert_eq!(
        one(&host_other, "NetworkPolicy")?["spec"]["ingress"],
        json!([])
    );
    assert_eq!(
        one(&host_other, "PodDisruptionBudget")?["spec"]["maxUnavailable"],
        1
    );
    apply_all(&host, &host_other, false).await?;
    apply_all(&hub, &hub_full, false).await?;
    apply_all(&hub, &hub_default, false).await?;
    apply_all(&host, &host_sharded, false).await?;
    apply_all(&hub, &hub_sharded, false).await?;
    // The chart's CRDs are valid CRDs where none are installed yet.
    apply_all(&host, &crds, false).await?;

    // Helm's own server-side dry run of the host half, NOTES included.
    let full = tokio::task::block_in_place(|| -> Result<String> {
        let helm = Helm::new()?;
        let values = helm.values_file(FULL_VALUES)?;
        helm.install(
            env.member("m1").kubeconfig(),
            &[
                "--skip-crds",
                "--dry-run=server",
                "--values",
                &values.display().to_string(),
                "--set",
                "rbac.hub.create=false",
            ],
        )
    })?;
    assert!(
        full.contains("with the kubeconfig in Secret karmada-kubeconfig"),
        "{full}"
    );

    // A dry run changes nothing.
    let sas = Api::<ServiceAccount>::namespaced(hub.clone(), NAMESPACE);
    assert!(sas.get_opt(RELEASE).await?.is_none());

    // The pod meets the restricted Pod Security Standard: the API server's PodSecurity admission
    // takes it in an enforcing namespace, and refuses the same pod made privileged-escalating.
    let restricted = "chart-restricted";
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": restricted,
        "labels": {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
        },
    }});
    apply_all(&host, &[namespace], true).await?;
    let pods = Api::<Pod>::namespaced(host.clone(), restricted);
    let dry_run = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    for objects in [&host_default, &host_full] {
        pods.create(&dry_run, &pod_from_template(objects, restricted)?)
            .await
            .context("the restricted PodSecurity level refused the chart's pod")?;
    }
    let mut escalating = serde_json::to_value(pod_from_template(&host_full, restricted)?)?;
    escalating["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"] =
        json!(true);
    let refused = pods
        .create(&dry_run, &serde_json::from_value(escalating)?)
        .await;
    match refused {
        Err(kube::Error::Api(status)) if status.code == 403 => {
            assert!(status.message.contains("PodSecurity"), "{}", status.message)
        }
        other => bail!("PodSecurity admission is not enforcing here: {other:?}"),
    }
    Ok(())
}
