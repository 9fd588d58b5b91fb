//! A stand-in for metrics-server on a member: `metrics.k8s.io/v1beta1` NodeMetrics served by a
//! CRD, filled by the test. A real member serves this API from metrics-server through the
//! aggregation layer; list and get behave the same for a reader.

use crate::crds;
use anyhow::Result;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::discovery::ApiResource;
use serde_json::json;

fn node_metrics_resource() -> ApiResource {
    ApiResource {
        group: "metrics.k8s.io".into(),
        version: "v1beta1".into(),
        api_version: "metrics.k8s.io/v1beta1".into(),
        kind: "NodeMetrics".into(),
        plural: "nodes".into(),
    }
}

/// Makes the member serve `metrics.k8s.io/v1beta1` `nodes`.
pub async fn install(member: &kube::Client) -> Result<()> {
    let crd: CustomResourceDefinition = serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": "nodes.metrics.k8s.io",
            // *.k8s.io groups are reserved for reviewed APIs; a stand-in has to say it is not one.
            "annotations": {"api-approved.kubernetes.io": "unapproved, test stand-in for metrics-server"},
        },
        "spec": {
            "group": "metrics.k8s.io",
            "names": {"kind": "NodeMetrics", "listKind": "NodeMetricsList", "plural": "nodes", "singular": "node"},
            "scope": "Cluster",
            "versions": [{
                "name": "v1beta1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
            }],
        },
    }))?;
    crds::install(member, &[crd]).await
}

/// Reports a node's usage the way metrics-server does (`timestamp`, `window`, `usage`).
pub async fn set_node_usage(
    member: &kube::Client,
    node: &str,
    cpu: &str,
    memory: &str,
) -> Result<()> {
    let api: Api<DynamicObject> = Api::all_with(member.clone(), &node_metrics_resource());
    let object = json!({
        "apiVersion": "metrics.k8s.io/v1beta1", "kind": "NodeMetrics",
        "metadata": {"name": node},
        "timestamp": k8s_openapi::jiff::Timestamp::now().to_string(),
        "window": "20s",
        "usage": {"cpu": cpu, "memory": memory},
    });
    api.patch(
        node,
        &PatchParams::apply("testenv").force(),
        &Patch::Apply(&object),
    )
    .await?;
    Ok(())
}
