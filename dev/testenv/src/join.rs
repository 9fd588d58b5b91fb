//! Registers a member with the hub the way `karmadactl join` does for a Push cluster: in the
//! member a ServiceAccount and a token for it from the TokenRequest API; on the hub a Secret in
//! `karmada-cluster` with `token` and `caBundle`, and a `Cluster` pointing at the member.
//!
//! Two identities, by [`Joiner`]:
//! - [`Joiner::StandIn`] (no Karmada runs): a least-privilege ServiceAccount that may only read
//!   nodes, pods, replicasets and jobs, and testenv writes the Cluster's status itself.
//! - [`Joiner::Karmada`] (Karmada's own controllers run): karmadactl's identity, allowed
//!   everything (karmada-controller-manager applies Works with it), and the Cluster's `spec.id`;
//!   Karmada's cluster status controller writes the status.

use crate::apiserver::ApiServer;
use anyhow::{Context, Result};
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding};
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::discovery::ApiResource;
use serde_json::json;
use std::collections::BTreeMap;

const FIELD_MANAGER: &str = "testenv";
/// Namespace of the member identity (in the member) and of the cluster Secrets (on the hub).
pub const KARMADA_CLUSTER_NAMESPACE: &str = "karmada-cluster";
/// ClusterRole granted to the member identity.
pub const MEMBER_READER_ROLE: &str = "karmada-manager:member-reader";

/// How the Cluster object describes the member.
#[derive(Clone, Debug, Default)]
pub struct JoinOptions {
    pub labels: BTreeMap<String, String>,
    pub provider: Option<String>,
    pub region: Option<String>,
    pub zones: Vec<String>,
    /// `spec.id`: karmadactl sets the UID of the member's `kube-system` namespace.
    pub id: Option<String>,
}

/// Who else uses the member identity, and who writes the Cluster's status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Joiner {
    /// Only karmada-manager reads the member; testenv plays the cluster status controller.
    #[default]
    StandIn,
    /// Karmada's control plane runs and manages the member, as after `karmadactl join`.
    Karmada,
}

/// What joining produced.
#[derive(Clone, Debug)]
pub struct Joined {
    pub cluster: String,
    /// The member ServiceAccount token stored in the hub Secret.
    pub token: String,
}

/// The Cluster API as the hub serves it.
pub fn cluster_api(hub: &kube::Client) -> Api<DynamicObject> {
    Api::all_with(hub.clone(), &cluster_resource())
}

pub fn cluster_resource() -> ApiResource {
    ApiResource {
        group: "cluster.karmada.io".into(),
        version: "v1alpha1".into(),
        api_version: "cluster.karmada.io/v1alpha1".into(),
        kind: "Cluster".into(),
        plural: "clusters".into(),
    }
}

pub async fn join(
    hub: &ApiServer,
    member: &ApiServer,
    options: &JoinOptions,
    joiner: Joiner,
) -> Result<Joined> {
    let cluster = member.name().to_string();
    let member_client = member.client().await?;
    let role = match joiner {
        Joiner::StandIn => reader_role()?,
        Joiner::Karmada => karmadactl_role(&cluster)?,
    };
    let token = member_identity(&member_client, &cluster, role)
        .await
        .with_context(|| format!("creating the identity of {cluster}"))?;
    let hub_client = hub.client().await?;
    let mut options = options.clone();
    if joiner == Joiner::Karmada {
        options.id = Some(cluster_id(&member_client).await?);
    }
    register(
        &hub_client,
        &cluster,
        &member.url(),
        &token,
        member.ca_pem(),
        &options,
    )
    .await?;
    if joiner == Joiner::StandIn {
        let version = member_version(&member_client).await?;
        set_cluster_ready(&hub_client, &cluster, &version).await?;
    }
    Ok(Joined { cluster, token })
}

/// The hub's side of joining: Secret `karmada-cluster/<cluster>` with `token` and `caBundle`,
/// and a Push `Cluster` whose `spec.apiEndpoint` is `endpoint`. Also registers endpoints that
/// are not real members (a server that never answers, for fault tests).
pub async fn register(
    hub: &kube::Client,
    cluster: &str,
    endpoint: &str,
    token: &str,
    ca_pem: &str,
    options: &JoinOptions,
) -> Result<()> {
    apply_namespace(hub, KARMADA_CLUSTER_NAMESPACE).await?;
    let secret: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": cluster, "namespace": KARMADA_CLUSTER_NAMESPACE},
        "type": "Opaque",
        "stringData": {"token": token, "caBundle": ca_pem},
    }))?;
    Api::<Secret>::namespaced(hub.clone(), KARMADA_CLUSTER_NAMESPACE)
        .patch(
            cluster,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&secret),
        )
        .await?;

    let mut spec = json!({
        "syncMode": "Push",
        "apiEndpoint": endpoint,
        "secretRef": {"namespace": KARMADA_CLUSTER_NAMESPACE, "name": cluster},
    });
    for (key, value) in [
        ("provider", &options.provider),
        ("region", &options.region),
        ("id", &options.id),
    ] {
        if let Some(value) = value {
            spec[key] = json!(value);
        }
    }
    if !options.zones.is_empty() {
        spec["zones"] = json!(options.zones);
    }
    let object = json!({
        "apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
        "metadata": {"name": cluster, "labels": options.labels},
        "spec": spec,
    });
    cluster_api(hub)
        .patch(
            cluster,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&object),
        )
        .await?;
    Ok(())
}

/// Plays karmada-controller-manager's cluster status controller: marks the Cluster Ready and
/// records the member's Kubernetes version.
pub async fn set_cluster_ready(
    hub: &kube::Client,
    cluster: &str,
    kubernetes_version: &str,
) -> Result<()> {
    let status = json!({
        "apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
        "status": {
            "kubernetesVersion": kubernetes_version,
            "conditions": [{
                "type": "Ready", "status": "True", "reason": "ClusterReady",
                "message": "cluster is healthy and ready to accept workloads",
                "lastTransitionTime": k8s_openapi::jiff::Timestamp::now().to_string(),
            }],
        },
    });
    cluster_api(hub)
        .patch_status(
            cluster,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&status),
        )
        .await?;
    Ok(())
}

/// ServiceAccount `karmada-<cluster>` in `karmada-cluster`, bound to `role`; returns a token for
/// it.
async fn member_identity(
    member: &kube::Client,
    cluster: &str,
    role: ClusterRole,
) -> Result<String> {
    let params = PatchParams::apply(FIELD_MANAGER).force();
    apply_namespace(member, KARMADA_CLUSTER_NAMESPACE).await?;
    let sa_name = format!("karmada-{cluster}");
    let sa: ServiceAccount = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": sa_name, "namespace": KARMADA_CLUSTER_NAMESPACE},
    }))?;
    let sas = Api::<ServiceAccount>::namespaced(member.clone(), KARMADA_CLUSTER_NAMESPACE);
    sas.patch(&sa_name, &params, &Patch::Apply(&sa)).await?;
    let role_name = role
        .metadata
        .name
        .clone()
        .context("ClusterRole without a name")?;
    Api::<ClusterRole>::all(member.clone())
        .patch(&role_name, &params, &Patch::Apply(&role))
        .await?;
    let binding: ClusterRoleBinding = serde_json::from_value(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": sa_name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_name},
        "subjects": [{"kind": "ServiceAccount", "name": sa_name, "namespace": KARMADA_CLUSTER_NAMESPACE}],
    }))?;
    Api::<ClusterRoleBinding>::all(member.clone())
        .patch(&sa_name, &params, &Patch::Apply(&binding))
        .await?;
    request_token(member, &sa_name).await
}

/// What karmada-manager needs and nothing more.
fn reader_role() -> Result<ClusterRole> {
    let read = json!(["get", "list", "watch"]);
    Ok(serde_json::from_value(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": MEMBER_READER_ROLE},
        "rules": [
            {"apiGroups": [""], "resources": ["nodes", "pods"], "verbs": read},
            {"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": read},
            {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": read},
            {"apiGroups": ["metrics.k8s.io"], "resources": ["nodes"], "verbs": ["get", "list"]},
        ],
    }))?)
}

/// karmadactl's ClusterRole (`ClusterPolicyRules` in Karmada's `pkg/util/credential.go`):
/// everything, and `get` on every non-resource URL.
fn karmadactl_role(cluster: &str) -> Result<ClusterRole> {
    Ok(serde_json::from_value(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": format!("karmada-controller-manager:karmada-{cluster}")},
        "rules": [
            {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
            {"nonResourceURLs": ["*"], "verbs": ["get"]},
        ],
    }))?)
}

/// The UID of the member's `kube-system` namespace, which karmadactl records as `spec.id`.
async fn cluster_id(member: &kube::Client) -> Result<String> {
    let ns = Api::<Namespace>::all(member.clone())
        .get("kube-system")
        .await?;
    ns.metadata.uid.context("kube-system has no uid")
}

/// A bound token for a ServiceAccount in `karmada-cluster`, valid for a week.
pub async fn request_token(member: &kube::Client, service_account: &str) -> Result<String> {
    request_token_in(member, KARMADA_CLUSTER_NAMESPACE, service_account).await
}

/// A bound token for ServiceAccount `namespace`/`service_account`, valid for a week.
pub async fn request_token_in(
    client: &kube::Client,
    namespace: &str,
    service_account: &str,
) -> Result<String> {
    let request = TokenRequest {
        spec: TokenRequestSpec {
            expiration_seconds: Some(7 * 24 * 3600),
            ..Default::default()
        },
        ..Default::default()
    };
    let sas = Api::<ServiceAccount>::namespaced(client.clone(), namespace);
    let response = sas
        .create_token_request(service_account, &PostParams::default(), &request)
        .await?;
    response
        .status
        .map(|s| s.token)
        .context("TokenRequest returned no token")
}

pub async fn apply_namespace(client: &kube::Client, name: &str) -> Result<()> {
    let ns: Namespace = serde_json::from_value(
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
    )?;
    Api::<Namespace>::all(client.clone())
        .patch(
            name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&ns),
        )
        .await?;
    Ok(())
}

async fn member_version(member: &kube::Client) -> Result<String> {
    let info = member.apiserver_version().await?;
    Ok(info.git_version)
}
