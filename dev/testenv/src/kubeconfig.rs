//! Kubeconfig files for the servers of the environment, usable by kubectl and by kube-rs alike.

use anyhow::{Context, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::json;
use std::path::Path;

/// Writes a kubeconfig with one cluster, user and context, all named `name`, authenticating with
/// a client certificate.
pub fn write(
    path: &Path,
    name: &str,
    server: &str,
    ca_pem: &str,
    client_cert_pem: &str,
    client_key_pem: &str,
) -> Result<()> {
    let config = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": server, "certificate-authority-data": STANDARD.encode(ca_pem)}}],
        "users": [{"name": name, "user": {
            "client-certificate-data": STANDARD.encode(client_cert_pem),
            "client-key-data": STANDARD.encode(client_key_pem),
        }}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
    });
    std::fs::write(path, serde_yaml_ng::to_string(&config)?)
        .with_context(|| format!("writing {}", path.display()))
}

/// A kube-rs client configuration read from a kubeconfig file.
pub async fn client_config(path: &Path) -> Result<kube::Config> {
    let kubeconfig =
        Kubeconfig::read_from(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await?)
}
