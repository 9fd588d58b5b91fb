//! The operator's hub identity exactly as the Helm chart grants it: the chart's hub RBAC and
//! ServiceAccount, rendered by a real `helm template`, applied to the hub, and a kubeconfig
//! with a token of that ServiceAccount. Every scenario runs the operator with it, which proves
//! the chart's permissions are enough — and, since it has nothing else, that nothing more is
//! used.

use anyhow::{Context, Result, ensure};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::GroupVersionKind;
use kube::discovery::{Scope, pinned_kind};
use serde::Deserialize;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use testenv::Environment;

/// Namespace of the release on the hub: the ServiceAccount and the leader Lease live there.
pub const RELEASE_NAMESPACE: &str = "karmada-system";

/// Applies the chart's hub RBAC for `connection_mode` and returns a kubeconfig of its identity.
pub async fn kubeconfig(env: &Environment, connection_mode: &str) -> Result<PathBuf> {
    kubeconfig_with(env, connection_mode, &[]).await
}

/// [`kubeconfig`] with further chart `values` (`--set` pairs, e.g. `sharding.enabled=true`).
/// The identity is the same ServiceAccount: what the values grant is added to what it had.
pub async fn kubeconfig_with(
    env: &Environment,
    connection_mode: &str,
    values: &[&str],
) -> Result<PathBuf> {
    let hub = env.hub().client().await?;
    testenv::join::apply_namespace(&hub, RELEASE_NAMESPACE).await?;
    testenv::join::apply_namespace(&hub, testenv::join::KARMADA_CLUSTER_NAMESPACE).await?;
    let rendered = render_with(connection_mode, values).await?;
    let mut service_account = None;
    for document in serde_yaml_ng::Deserializer::from_str(&rendered) {
        let object = Value::deserialize(document)?;
        if object.is_null() {
            continue;
        }
        if object["kind"] == "ServiceAccount" {
            service_account = object["metadata"]["name"].as_str().map(str::to_owned);
        }
        apply(&hub, object).await?;
    }
    let service_account = service_account.context("the chart rendered no ServiceAccount")?;
    let token = testenv::join::request_token_in(&hub, RELEASE_NAMESPACE, &service_account).await?;
    let path = env
        .dir()
        .join(format!("chart-identity-{connection_mode}.kubeconfig"));
    write_kubeconfig(&path, &env.hub().url(), env.hub().ca_pem(), &token)?;
    Ok(path)
}

/// The bearer token in the kubeconfig [`kubeconfig`] wrote for `connection_mode`.
pub fn token(env: &Environment, connection_mode: &str) -> Result<String> {
    let path = env
        .dir()
        .join(format!("chart-identity-{connection_mode}.kubeconfig"));
    let config: Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    config["users"][0]["user"]["token"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no token in {}", path.display()))
}

/// `helm template` of the hub RBAC and the ServiceAccount only, comments included: what
/// [`kubeconfig`] applies for `connection_mode`.
pub async fn render(connection_mode: &str) -> Result<String> {
    render_with(connection_mode, &[]).await
}

/// [`render`] with further chart `values` (`--set` pairs).
pub async fn render_with(connection_mode: &str, values: &[&str]) -> Result<String> {
    let helm = tokio::task::spawn_blocking(testenv::upstream::ensure_helm).await??;
    let chart = Path::new(env!("CARGO_MANIFEST_DIR")).join("../charts/karmada-manager");
    let home = tempfile::tempdir()?;
    let output = tokio::process::Command::new(helm)
        .arg("template")
        .arg("karmada-manager")
        .arg(&chart)
        .args(["--namespace", RELEASE_NAMESPACE])
        .args([
            "--set",
            "rbac.hub.create=true",
            "--set",
            "operator.enabled=false",
        ])
        .args(["--set", &format!("connectionMode={connection_mode}")])
        .args(values.iter().flat_map(|v| ["--set", v]))
        .args(["--show-only", "templates/hub-rbac.yaml"])
        .args(["--show-only", "templates/serviceaccount.yaml"])
        // Keep helm away from the user's own configuration.
        .env("HELM_CACHE_HOME", home.path())
        .env("HELM_CONFIG_HOME", home.path())
        .env("HELM_DATA_HOME", home.path())
        .output()
        .await?;
    ensure!(
        output.status.success(),
        "helm template failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8(output.stdout)?)
}

async fn apply(hub: &kube::Client, object: Value) -> Result<()> {
    let api_version = object["apiVersion"].as_str().context("apiVersion")?;
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let kind = object["kind"].as_str().context("kind")?;
    let (resource, capabilities) =
        pinned_kind(hub, &GroupVersionKind::gvk(group, version, kind)).await?;
    let name = object["metadata"]["name"]
        .as_str()
        .context("name")?
        .to_owned();
    let api: Api<DynamicObject> = match capabilities.scope {
        Scope::Namespaced => {
            let namespace = object["metadata"]["namespace"]
                .as_str()
                .unwrap_or(RELEASE_NAMESPACE);
            Api::namespaced_with(hub.clone(), namespace, &resource)
        }
        Scope::Cluster => Api::all_with(hub.clone(), &resource),
    };
    api.patch(
        &name,
        &PatchParams::apply("e2e-chart").force(),
        &Patch::Apply(&object),
    )
    .await
    .with_context(|| format!("applying {kind} {name} from the chart"))?;
    Ok(())
}

/// A kubeconfig of one context: `server` trusted through `ca_pem`, a bearer `token`.
pub fn write_kubeconfig(path: &Path, server: &str, ca_pem: &str, token: &str) -> Result<()> {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    let config = json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "hub", "cluster": {"server": server, "certificate-authority-data": ca}}],
        "users": [{"name": "karmada-manager", "user": {"token": token}}],
        "contexts": [{"name": "hub", "context": {"cluster": "hub", "user": "karmada-manager"}}],
        "current-context": "hub",
    });
    // JSON is YAML: kubeconfig readers accept it.
    std::fs::write(path, serde_json::to_vec_pretty(&config)?)?;
    Ok(())
}
