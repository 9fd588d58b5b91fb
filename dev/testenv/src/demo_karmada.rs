//! The demo with the real Karmada (`cargo xtask dev --karmada`): the demo's members and nodes,
//! and on the hub only what a user writes, the templates and the policies of
//! [`demo_workloads`](crate::demo_workloads). Karmada's own controllers make the bindings and
//! Works, the members' controllers the ReplicaSets and pods, kube-scheduler places them and kwok
//! runs them.
//!
//! Nodes are kwok's: it reports every node Ready and healthy, so the demo's NotReady and
//! memory-pressure nodes are healthy here; the cordoned one stays cordoned.
//!
//! The cluster-scoped example is a ClusterRole, not the Namespace `shop` of the plain demo:
//! Karmada's namespace sync controller already propagates every namespace with a Work of the
//! same name, so a ClusterResourceBinding for a namespace never sees its Works applied.

use crate::demo::{self, options};
use crate::demo_workloads::{cache_policy, report_policy, web_gold_override, web_policy};
use crate::join::apply_namespace;
use crate::karmada_objects::{self as karmada, apply};
use crate::{EnvOptions, Environment, bulk, workloads};
use anyhow::{Context, Result};
use k8s_openapi::api::rbac::v1::ClusterRole;
use serde_json::{Value, json};

/// The demo's [`options`] with Karmada's control plane running.
pub fn karmada_options() -> EnvOptions {
    EnvOptions {
        karmada: true,
        ..options()
    }
}

/// Creates each member's demo nodes, then on the hub the namespaces, policies and templates.
pub async fn seed(env: &Environment) -> Result<()> {
    for (index, member) in env.members().iter().enumerate() {
        let (nodes, _) = demo::member_objects(index);
        bulk::create_nodes(&member.client().await?, &nodes)
            .await
            .with_context(|| format!("creating the nodes of {}", member.name()))?;
    }
    let hub = env.hub().client().await?;
    for namespace in ["shop", "batch"] {
        apply_namespace(&hub, namespace).await?;
    }
    // Policies before templates, so that each template is claimed as soon as it exists.
    apply(&hub, &karmada::propagation_policies(), &web_policy()).await?;
    apply(&hub, &karmada::override_policies(), &web_gold_override()).await?;
    apply(&hub, &karmada::propagation_policies(), &cache_policy()).await?;
    apply(&hub, &karmada::propagation_policies(), &report_policy()).await?;
    apply(
        &hub,
        &karmada::cluster_propagation_policies(),
        &cluster_role_policy(),
    )
    .await?;
    let cluster_roles = kube::discovery::ApiResource::erase::<ClusterRole>(&());
    apply(&hub, &cluster_roles, &shop_reader()).await?;
    for (kind, namespace, name, replicas) in [
        ("Deployment", "shop", "web", 12),
        ("StatefulSet", "shop", "cache", 2),
        ("CronJob", "batch", "report", 0),
    ] {
        workloads::create(&hub, kind, namespace, name, replicas, None).await?;
    }
    Ok(())
}

/// ClusterRole `shop-reader`, a cluster-scoped resource for a ClusterResourceBinding.
fn shop_reader() -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "shop-reader"},
        "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]}],
    })
}

/// ClusterPropagationPolicy `demo-cluster-roles`: ClusterRole `shop-reader` to every demo member.
fn cluster_role_policy() -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "ClusterPropagationPolicy",
        "metadata": {"name": "demo-cluster-roles"},
        "spec": {
            "resourceSelectors": [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "name": "shop-reader"}],
            "placement": {"clusterAffinity": {"labelSelector": {"matchLabels": {"env": "demo"}}}},
        },
    })
}
