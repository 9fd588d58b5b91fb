//! `cordon`, `uncordon` and `label node`: change a member's node through Karmada's cluster
//! proxy, as the user. Karmada impersonates the user in the member, so the member's RBAC
//! decides; a refusal (by the hub's `clusters/proxy` grant or the member's) says which.

use crate::cli::Global;
use crate::error::{PluginError, Result};
use crate::hub::Hub;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Map, Value, json};

/// What to change on the node.
pub enum Change<'a> {
    Cordon,
    Uncordon,
    /// `key=value` sets, `key-` removes.
    Label(&'a [String]),
}

pub async fn run(
    hub: &Hub,
    _global: &Global,
    node: &str,
    cluster: &str,
    change: Change<'_>,
) -> Result<()> {
    hub.require_cluster(cluster).await?;
    let (patch, done) = match change {
        Change::Cordon => (json!({"spec": {"unschedulable": true}}), "cordoned"),
        Change::Uncordon => (json!({"spec": {"unschedulable": null}}), "uncordoned"),
        Change::Label(labels) => (
            json!({"metadata": {"labels": label_changes(labels)?}}),
            "labeled",
        ),
    };
    let nodes: Api<Node> = Api::all(hub.member_client(cluster)?);
    nodes
        .patch(node, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| refusal(e, node, cluster))?;
    println!("node/{node} {done} (cluster {cluster})");
    Ok(())
}

/// `k=v` → set, `k-` → remove, as `kubectl label` reads them.
fn label_changes(labels: &[String]) -> Result<Map<String, Value>> {
    if labels.is_empty() {
        return Err(PluginError::Usage(
            "give at least one label: key=value, or key- to remove it".into(),
        ));
    }
    labels
        .iter()
        .map(
            |label| match (label.split_once('='), label.strip_suffix('-')) {
                (Some((key, value)), _) if !key.is_empty() => Ok((key.to_owned(), json!(value))),
                (None, Some(key)) if !key.is_empty() => Ok((key.to_owned(), Value::Null)),
                _ => Err(PluginError::Usage(format!(
                    "{label:?} is neither key=value nor key-"
                ))),
            },
        )
        .collect()
}

/// The error of a request through the proxy, saying whose grant is missing.
fn refusal(error: kube::Error, node: &str, cluster: &str) -> PluginError {
    match error {
        kube::Error::Api(status) if status.code == 404 && status.message.contains("nodes") => {
            PluginError::NotFound(format!("node {node} not found in cluster {cluster}"))
        }
        other => PluginError::from_proxy(
            other,
            cluster,
            "patch",
            &format!("node {node}"),
            "the hub must grant clusters/proxy, the member patch on nodes",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_like_kubectl_label() {
        let changes = label_changes(&["disk=ssd".into(), "old-".into(), "empty=".into()]).unwrap();
        assert_eq!(
            Value::Object(changes),
            json!({"disk": "ssd", "old": null, "empty": ""})
        );
        assert!(label_changes(&["=x".into()]).is_err());
        assert!(label_changes(&["nothing".into()]).is_err());
        assert!(label_changes(&[]).is_err());
    }
}
