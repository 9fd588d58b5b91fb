//! Registers a member with the hub the way `karmadactl join` does for a Push cluster: in the
//! member a ServiceAccount and a token for it from the TokenRequest API; on the hub a Secret in
//! `karmada-cluster` with `token` and `caBundle`, and a `Cluster` pointing at the member.
//!
//! Two identities, by [`Joiner`]:
//! - [`Joiner::StandIn`] (no Karmada runs): a least-privilege ServiceAccount that may only read
//!   nodes, pods, replicasets and jobs, and testenv writes the Cluster's status itself.
//! - [`Joiner::Karmada`] (Karmada's own controllers run): karmadactl's identity, allowed
//!   everything (karmada-controller-manager applies Works with it), the Cluster's `spec.id`, and
//!   karmadactl's impersonator: ServiceAccount `karmada-impersonator` in the member, its token in
//!   hub Secret `karmada-cluster/<cluster>-impersonator` and `spec.impersonatorSecretRef`, which
//!   karmada-aggregated-apiserver's cluster proxy sends requests with. Karmada's cluster status
//!   controller writes the status.
//!
//! A [`JoinOptions::pull`] member is registered as karmada-agent registers a Pull cluster that
//! reports only its impersonator (`--report-secrets=KubeImpersonator`): endpoint and impersonator,
//! no `secretRef`, so the hub holds no credentials of the member and only the cluster proxy
//! reaches it ([`crate::pull_agent`] plays the agent's other duties).

use crate::accounts;
pub use crate::accounts::{
    KARMADA_CLUSTER_NAMESPACE, apply_namespace, request_token, request_token_in,
};
use crate::apiserver::ApiServer;
use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::{Namespace, Secret, ServiceAccount};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::discovery::ApiResource;
use serde_json::json;
use std::collections::BTreeMap;

const FIELD_MANAGER: &str = "testenv";

/// How the Cluster object describes the member.
#[derive(Clone, Debug, Default)]
pub struct JoinOptions {
    pub labels: BTreeMap<String, String>,
    pub provider: Option<String>,
    pub region: Option<String>,
    pub zones: Vec<String>,
    /// `spec.id`: karmadactl sets the UID of the member's `kube-system` namespace.
    pub id: Option<String>,
    /// A Pull cluster without `secretRef`: only the cluster proxy reaches it.
    pub pull: bool,
    /// `spec.impersonatorSecretRef` names Secret `karmada-cluster/<this>`.
    pub impersonator_secret: Option<String>,
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
        Joiner::StandIn => accounts::reader_role()?,
        Joiner::Karmada => accounts::karmadactl_role(&cluster)?,
    };
    let token = accounts::member_identity(&member_client, &cluster, role)
        .await
        .with_context(|| format!("creating the identity of {cluster}"))?;
    let hub_client = hub.client().await?;
    let mut options = options.clone();
    if joiner == Joiner::Karmada {
        options.id = Some(cluster_id(&member_client).await?);
        let secret = impersonator(&member_client, &hub_client, &cluster)
            .await
            .with_context(|| format!("creating the impersonator of {cluster}"))?;
        options.impersonator_secret = Some(secret);
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
/// and a Push `Cluster` whose `spec.apiEndpoint` is `endpoint` (for a [`JoinOptions::pull`]
/// member, a Pull Cluster without Secret). Also registers endpoints that are not real members
/// (a server that never answers, for fault tests).
pub async fn register(
    hub: &kube::Client,
    cluster: &str,
    endpoint: &str,
    token: &str,
    ca_pem: &str,
    options: &JoinOptions,
) -> Result<()> {
    apply_namespace(hub, KARMADA_CLUSTER_NAMESPACE).await?;
    let mut spec = json!({"syncMode": "Push", "apiEndpoint": endpoint});
    if options.pull {
        spec["syncMode"] = json!("Pull");
        // Without a Secret the cluster proxy has no CA to check the member against; the agent
        // registers such clusters with verification off.
        spec["insecureSkipTLSVerification"] = json!(true);
    } else {
        let data = [("token", token), ("caBundle", ca_pem)];
        apply_secret(hub, cluster, &data).await?;
        spec["secretRef"] = json!({"namespace": KARMADA_CLUSTER_NAMESPACE, "name": cluster});
    }
    if let Some(name) = &options.impersonator_secret {
        spec["impersonatorSecretRef"] =
            json!({"namespace": KARMADA_CLUSTER_NAMESPACE, "name": name});
    }
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
        .await
        .with_context(|| format!("applying Cluster {cluster}: {object}"))?;
    Ok(())
}

/// Secret `karmada-cluster/<name>` on the hub with `data`.
async fn apply_secret(hub: &kube::Client, name: &str, data: &[(&str, &str)]) -> Result<()> {
    let data: BTreeMap<&str, &str> = data.iter().copied().collect();
    let secret: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": name, "namespace": KARMADA_CLUSTER_NAMESPACE},
        "type": "Opaque",
        "stringData": data,
    }))?;
    Api::<Secret>::namespaced(hub.clone(), KARMADA_CLUSTER_NAMESPACE)
        .patch(
            name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&secret),
        )
        .await?;
    Ok(())
}

/// karmadactl's impersonator: ServiceAccount `karmada-impersonator` in the member's
/// `karmada-cluster` (Karmada's unified-auth controller grants it `impersonate` through Works),
/// and its token in hub Secret `karmada-cluster/<cluster>-impersonator`, whose name it returns.
async fn impersonator(member: &kube::Client, hub: &kube::Client, cluster: &str) -> Result<String> {
    const SERVICE_ACCOUNT: &str = "karmada-impersonator";
    let sa: ServiceAccount = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": SERVICE_ACCOUNT, "namespace": KARMADA_CLUSTER_NAMESPACE},
    }))?;
    Api::<ServiceAccount>::namespaced(member.clone(), KARMADA_CLUSTER_NAMESPACE)
        .patch(
            SERVICE_ACCOUNT,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&sa),
        )
        .await?;
    let token = request_token(member, SERVICE_ACCOUNT).await?;
    apply_namespace(hub, KARMADA_CLUSTER_NAMESPACE).await?;
    let secret = format!("{cluster}-impersonator");
    apply_secret(hub, &secret, &[("token", &token)]).await?;
    Ok(secret)
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

/// The UID of the member's `kube-system` namespace, which karmadactl records as `spec.id`.
async fn cluster_id(member: &kube::Client) -> Result<String> {
    let ns = Api::<Namespace>::all(member.clone())
        .get("kube-system")
        .await?;
    ns.metadata.uid.context("kube-system has no uid")
}

async fn member_version(member: &kube::Client) -> Result<String> {
    let info = member.apiserver_version().await?;
    Ok(info.git_version)
}
