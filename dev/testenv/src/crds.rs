//! CustomResourceDefinitions installed on the hub: Karmada's own, read at run time from the
//! pinned Karmada Go module, and a stand-in for `clusters.cluster.karmada.io`.

use crate::{upstream, versions};
use anyhow::{Context, Result};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, PatchParams};
use kube::runtime::wait::{await_condition, conditions};
use serde_json::json;
use std::path::Path;
use std::time::Duration;

const FIELD_MANAGER: &str = "testenv";

/// Karmada's CRDs of the pinned release (`charts/karmada/_crds/bases/**.yaml`): bindings, Works,
/// policies and the rest of the bases, exactly as the Karmada chart installs them.
pub fn karmada_crds() -> Result<Vec<CustomResourceDefinition>> {
    let module = upstream::module_dir("github.com/karmada-io/karmada", versions::KARMADA)?;
    let bases = module.join("charts/karmada/_crds/bases");
    let mut files = Vec::new();
    collect_yaml(&bases, &mut files).with_context(|| format!("listing {}", bases.display()))?;
    files.sort();
    let mut crds = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        for doc in serde_yaml_ng::Deserializer::from_str(&text) {
            let crd: CustomResourceDefinition = serde::Deserialize::deserialize(doc)
                .with_context(|| format!("decoding {}", file.display()))?;
            crds.push(crd);
        }
    }
    Ok(crds)
}

fn collect_yaml(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
    Ok(())
}

/// A CRD standing in for Karmada's `Cluster`.
///
/// A real Karmada serves `clusters.cluster.karmada.io` from karmada-aggregated-apiserver, not from
/// a CRD. For what karmada-manager does (get, list, watch, and the status Karmada writes) a CRD
/// behaves the same. The schema preserves unknown fields so that any Cluster a real control plane
/// could hold, including malformed ones, can be stored. The aggregated `clusters/proxy`
/// subresource has no CRD equivalent; tests that need it put a reverse proxy in front.
pub fn cluster_stand_in() -> Result<CustomResourceDefinition> {
    let open = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
    Ok(serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "clusters.cluster.karmada.io"},
        "spec": {
            "group": "cluster.karmada.io",
            "names": {"kind": "Cluster", "listKind": "ClusterList", "plural": "clusters", "singular": "cluster"},
            "scope": "Cluster",
            "versions": [{
                "name": "v1alpha1",
                "served": true,
                "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": open, "status": open}}},
                "subresources": {"status": {}},
                "additionalPrinterColumns": [
                    {"name": "VERSION", "type": "string", "jsonPath": ".status.kubernetesVersion"},
                    {"name": "MODE", "type": "string", "jsonPath": ".spec.syncMode"},
                    {"name": "READY", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
                    {"name": "AGE", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                ],
            }],
        },
    }))?)
}

/// Server-side applies the CRDs and waits until every one is established.
pub async fn install(client: &kube::Client, crds: &[CustomResourceDefinition]) -> Result<()> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let params = PatchParams::apply(FIELD_MANAGER).force();
    for crd in crds {
        let name = crd.metadata.name.clone().context("CRD without a name")?;
        api.patch(&name, &params, &kube::api::Patch::Apply(crd))
            .await
            .with_context(|| format!("applying CRD {name}"))?;
    }
    for crd in crds {
        let name = crd.metadata.name.clone().unwrap_or_default();
        tokio::time::timeout(
            Duration::from_secs(30),
            await_condition(api.clone(), &name, conditions::is_crd_established()),
        )
        .await
        .with_context(|| format!("CRD {name} not established within 30s"))??;
    }
    Ok(())
}
