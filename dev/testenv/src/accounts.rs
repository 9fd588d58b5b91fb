//! ServiceAccounts, their tokens and what they may do: the member identity joining creates
//! (least privilege for the played Karmada, karmadactl's for the real one), and the grants a
//! member gives an operator that reads it through Karmada's cluster proxy.

use anyhow::{Context, Result};
use k8s_openapi::api::authentication::v1::{SelfSubjectReview, TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

const FIELD_MANAGER: &str = "testenv";
/// Namespace of the member identity (in the member) and of the cluster Secrets (on the hub).
pub const KARMADA_CLUSTER_NAMESPACE: &str = "karmada-cluster";
/// ClusterRole granted to the member identity.
pub const MEMBER_READER_ROLE: &str = "karmada-manager:member-reader";

/// ServiceAccount `karmada-<cluster>` in `karmada-cluster`, bound to `role`; returns a token for
/// it.
pub(crate) async fn member_identity(
    member: &kube::Client,
    cluster: &str,
    role: ClusterRole,
) -> Result<String> {
    apply_namespace(member, KARMADA_CLUSTER_NAMESPACE).await?;
    let sa_name = format!("karmada-{cluster}");
    let sa: ServiceAccount = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": sa_name, "namespace": KARMADA_CLUSTER_NAMESPACE},
    }))?;
    Api::<ServiceAccount>::namespaced(member.clone(), KARMADA_CLUSTER_NAMESPACE)
        .patch(
            &sa_name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&sa),
        )
        .await?;
    let subject =
        json!({"kind": "ServiceAccount", "name": sa_name, "namespace": KARMADA_CLUSTER_NAMESPACE});
    bind_cluster_role(member, role, &sa_name, subject).await?;
    request_token(member, &sa_name).await
}

/// What a member grants an operator that reads it through Karmada's cluster proxy, as
/// docs/install.md tells: ClusterRole [`MEMBER_READER_ROLE`] bound to the operator's hub `user`,
/// and Karmada's impersonator allowed to impersonate the user's `groups` (Karmada's unified-auth
/// controller grants it the user, but not the groups of a ServiceAccount).
pub async fn grant_proxied_reader(
    member: &kube::Client,
    user: &str,
    groups: &[String],
) -> Result<()> {
    let user_subject =
        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user});
    bind_cluster_role(member, reader_role()?, MEMBER_READER_ROLE, user_subject).await?;
    let impersonate_groups: ClusterRole = serde_json::from_value(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "karmada-manager:impersonate-groups"},
        "rules": [{"apiGroups": [""], "resources": ["groups"], "verbs": ["impersonate"], "resourceNames": groups}],
    }))?;
    let impersonator = json!({"kind": "ServiceAccount", "name": "karmada-impersonator", "namespace": KARMADA_CLUSTER_NAMESPACE});
    bind_cluster_role(
        member,
        impersonate_groups,
        "karmada-manager:impersonate-groups",
        impersonator,
    )
    .await
}

/// Whom `hub` authenticates as, asked of the hub: the user name and the groups Karmada's
/// cluster proxy impersonates with it (it leaves out `system:authenticated`).
pub async fn proxied_identity(hub: &kube::Client) -> Result<(String, Vec<String>)> {
    let review = Api::<SelfSubjectReview>::all(hub.clone())
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await?;
    let info = review
        .status
        .and_then(|s| s.user_info)
        .context("SelfSubjectReview without user info")?;
    let user = info.username.context("no username")?;
    let groups = info
        .groups
        .unwrap_or_default()
        .into_iter()
        .filter(|g| g != "system:authenticated")
        .collect();
    Ok((user, groups))
}

/// Lets Karmada's impersonator in `member` impersonate `user` and its `groups`: what a member
/// grants so that a person reaches it through Karmada's cluster proxy (ClusterRole and binding
/// both named `name`). What the user may then do is the member's RBAC for that user.
pub async fn grant_impersonation(
    member: &kube::Client,
    name: &str,
    user: &str,
    groups: &[String],
) -> Result<()> {
    let role: ClusterRole = serde_json::from_value(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": name},
        "rules": [
            {"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"], "resourceNames": [user]},
            {"apiGroups": [""], "resources": ["groups"], "verbs": ["impersonate"], "resourceNames": groups},
        ],
    }))?;
    let impersonator = json!({"kind": "ServiceAccount", "name": "karmada-impersonator", "namespace": KARMADA_CLUSTER_NAMESPACE});
    bind_cluster_role(member, role, name, impersonator).await
}

/// Applies `role`, and ClusterRoleBinding `binding` of it to `subject`.
async fn bind_cluster_role(
    client: &kube::Client,
    role: ClusterRole,
    binding: &str,
    subject: Value,
) -> Result<()> {
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let role_name = role
        .metadata
        .name
        .clone()
        .context("ClusterRole without a name")?;
    Api::<ClusterRole>::all(client.clone())
        .patch(&role_name, &params, &Patch::Apply(&role))
        .await?;
    let object: ClusterRoleBinding = serde_json::from_value(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": binding},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_name},
        "subjects": [subject],
    }))?;
    Api::<ClusterRoleBinding>::all(client.clone())
        .patch(binding, &params, &Patch::Apply(&object))
        .await?;
    Ok(())
}

/// What karmada-manager needs and nothing more.
pub(crate) fn reader_role() -> Result<ClusterRole> {
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
pub(crate) fn karmadactl_role(cluster: &str) -> Result<ClusterRole> {
    Ok(serde_json::from_value(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": format!("karmada-controller-manager:karmada-{cluster}")},
        "rules": [
            {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
            {"nonResourceURLs": ["*"], "verbs": ["get"]},
        ],
    }))?)
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
