//! The operator itself run with exactly the arguments the chart's Deployment passes, as the
//! ServiceAccount the chart's hub RBAC (installed by `helm install` on the hub) binds.

use super::helm::{Helm, args};
use super::rbac::{ACCESS, SHARDED_LEASE_ACCESS, allowed};
use super::values::FULL_VALUES;
use super::{NAMESPACE, RELEASE};
use crate::support::{self, eventually};
use anyhow::{Context, Result};
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use karmada_manager_api::{ClusterInsight, FleetInsight};
use kube::api::{Api, PostParams};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Bounds each wait for the operator (its log, the statuses it writes, its exit).
const WAIT: Duration = Duration::from_secs(60);

/// A kubeconfig for the hub authenticating with a bearer token, with the context name the full
/// values ask for.
fn token_kubeconfig(dir: &Path, server: &str, ca_pem: &str, token: &str) -> Result<PathBuf> {
    let ca = dir.join("hub-ca.pem");
    std::fs::write(&ca, ca_pem)?;
    let config = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "karmada", "cluster": {"server": server, "certificate-authority": ca}}],
        "users": [{"name": "karmada-manager", "user": {"token": token}}],
        "contexts": [{"name": "karmada-apiserver", "context": {"cluster": "karmada", "user": "karmada-manager"}}],
        "current-context": "elsewhere",
    });
    let path = dir.join("hub-kubeconfig");
    std::fs::write(&path, serde_json::to_vec_pretty(&config)?)?;
    Ok(path)
}

pub async fn the_operator_runs_with_the_charts_arguments_and_only_the_hub_rbac() -> Result<()> {
    // The hub RBAC of the full values (proxy mode, so clusters/proxy is granted); the operator's
    // arguments of the full values but Direct: the test hub has no aggregated cluster proxy.
    let direct = "connectionMode: direct\nclusterProxyURL: \"\"\n";
    let (host, helm) = tokio::task::block_in_place(|| -> Result<_> {
        let helm = Helm::new()?;
        Ok((
            helm.template(&[FULL_VALUES, direct], &["rbac.hub.create=false"])?,
            helm,
        ))
    })?;
    let env = support::environment(&["m1"]).await?;
    let hub = env.hub().client().await?;
    // The hub half installed as docs/install.md says: a release on the hub. Our CRDs are there
    // already (the environment installs them), which Helm accepts.
    let full = helm.values_file(FULL_VALUES)?;
    let installed = tokio::task::block_in_place(|| {
        helm.install(
            env.hub().kubeconfig(),
            &[
                "--create-namespace",
                "--values",
                &full.display().to_string(),
                "--set",
                "operator.enabled=false",
            ],
        )
    })?;
    assert!(installed.contains("STATUS: deployed"), "{installed}");
    assert!(
        installed.contains("hub RBAC of karmada-manager is installed"),
        "{installed}"
    );

    let user = format!("system:serviceaccount:{NAMESPACE}:{RELEASE}");
    for line in ACCESS {
        let (sign, access) = line.split_at(1);
        assert_eq!(
            allowed(&hub, &user, access).await?,
            sign == "+",
            "{user}: {line}"
        );
    }

    // The operator as the ServiceAccount, with exactly the arguments the Deployment passes
    // (kubeconfig path and admin address moved to this machine).
    let token = Api::<ServiceAccount>::namespaced(hub.clone(), NAMESPACE)
        .create_token_request(
            RELEASE,
            &PostParams::default(),
            &TokenRequest {
                spec: TokenRequestSpec {
                    expiration_seconds: Some(3600),
                    ..TokenRequestSpec::default()
                },
                ..TokenRequest::default()
            },
        )
        .await?
        .status
        .context("no token")?
        .token;
    let kubeconfig = token_kubeconfig(
        helm.dir.path(),
        &env.hub().url(),
        env.hub().ca_pem(),
        &token,
    )?;
    let args: Vec<String> = args(&host)?
        .into_iter()
        .map(|arg| {
            if arg.starts_with("--kubeconfig=") {
                format!("--kubeconfig={}", kubeconfig.display())
            } else if arg.starts_with("--admin-address=") {
                "--admin-address=127.0.0.1:0".into()
            } else {
                arg
            }
        })
        .collect();
    assert!(args.iter().any(|a| a == "--leader-elect"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut operator = support::Operator::start(&args).await?;
    operator.wait_for_log("hub caches synced", WAIT).await?;
    operator.wait_for_log("became leader", WAIT).await?;
    let insights = Api::<ClusterInsight>::all(hub.clone());
    eventually(
        "ClusterInsight m1 Ready",
        WAIT,
        || async { Ok::<_, anyhow::Error>(insights.get_opt("m1").await?.and_then(|i| i.status)) },
        |status| {
            status.as_ref().is_some_and(|s| {
                s.conditions
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status == "True")
            })
        },
    )
    .await?;
    let fleet = Api::<FleetInsight>::all(hub.clone());
    eventually(
        "FleetInsight fleet",
        WAIT,
        || async { Ok::<_, anyhow::Error>(fleet.get_opt("fleet").await?) },
        |f| f.is_some(),
    )
    .await?;
    let address = operator.admin_address()?;
    for path in ["/livez", "/readyz", "/metrics"] {
        assert_eq!(support::http_get(&address, path).await?.0, 200, "{path}");
    }
    let exit = operator.terminate(WAIT).await?;
    assert!(exit.success(), "SIGTERM: {exit}");
    let denied: Vec<_> = operator
        .log
        .iter()
        .filter(|l| l.contains("forbidden") || l.contains("Forbidden"))
        .collect();
    assert!(
        denied.is_empty(),
        "the hub RBAC denied something:\n{denied:#?}"
    );

    // The hub release upgraded to sharding, as the values say to do first: the Leases of the
    // namespace for every verb sharding uses (the leader's included, for pods not yet rolled
    // over), nothing more, the rest as before.
    let upgraded = tokio::task::block_in_place(|| {
        helm.run(&[
            "upgrade",
            RELEASE,
            &super::helm::chart().display().to_string(),
            "--kubeconfig",
            &env.hub().kubeconfig().display().to_string(),
            "--namespace",
            NAMESPACE,
            "--values",
            &full.display().to_string(),
            "--set",
            "operator.enabled=false",
            "--set",
            "sharding.enabled=true",
        ])
    })?;
    assert!(
        upgraded.contains("hold their Leases in namespace karmada-system"),
        "{upgraded}"
    );
    let lines: Vec<&str> = ACCESS
        .iter()
        .filter(|l| !l.contains("/leases"))
        .chain(SHARDED_LEASE_ACCESS)
        .copied()
        .collect();
    // The authorizer sees the new Role once its informer has it: retried until then.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let mut wrong = Vec::new();
        for line in &lines {
            let (sign, access) = line.split_at(1);
            if allowed(&hub, &user, access).await? != (sign == "+") {
                wrong.push(*line);
            }
        }
        if wrong.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{user} with sharding, not as expected: {wrong:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}
