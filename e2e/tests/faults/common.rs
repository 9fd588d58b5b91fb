//! What the fault scenarios share: reading statuses and metrics, the truth as the members hold
//! it, and checks on the operator process and its log.

use anyhow::{Result, ensure};
use k8s_openapi::api::core::v1::{Node, Pod, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use karmada_manager_api::{ClusterInsight, ClusterInsightStatus};
use kube::Client;
use kube::api::{Api, ListParams};
use std::time::Duration;

/// Bounds a wait for convergence after a fault; generous on purpose (a shared 2-core machine),
/// it bounds a hang and asserts no speed.
pub const CONVERGE: Duration = Duration::from_secs(120);

pub async fn insight(hub: &Client, name: &str) -> Result<ClusterInsightStatus> {
    Ok(Api::<ClusterInsight>::all(hub.clone())
        .get(name)
        .await?
        .status
        .unwrap_or_default())
}

/// `(status, reason)` of the condition `type_`.
pub fn condition<'a>(conditions: &'a [Condition], type_: &str) -> Option<(&'a str, &'a str)> {
    conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| (c.status.as_str(), c.reason.as_str()))
}

/// The message of the condition `type_`, empty if there is none.
pub fn message<'a>(conditions: &'a [Condition], type_: &str) -> &'a str {
    conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map_or("", |c| c.message.as_str())
}

/// One figure of the operator's `/metrics`: the value of the series `series` (name and
/// labels exactly as exported), 0 when absent.
pub fn metric(text: &str, series: &str) -> f64 {
    text.lines()
        .filter_map(|l| l.strip_prefix(series))
        .filter_map(|rest| rest.trim().parse().ok())
        .next()
        .unwrap_or(0.0)
}

/// The operator process has not exited.
pub fn alive(operator: &mut crate::support::Operator) -> Result<()> {
    let exited = operator.child.try_wait()?;
    ensure!(
        exited.is_none(),
        "the operator exited ({exited:?}); log:\n{}",
        operator.collect().join("\n")
    );
    Ok(())
}

/// No panic, and no error-level line of the operator's own, in the log. (kube's client logs
/// every failed request at ERROR itself, e.g. while a member is down: not counted.)
pub fn no_panics(log: &[String]) -> Result<()> {
    let bad: Vec<&String> = log
        .iter()
        .filter(|l| {
            l.contains("panicked")
                || (l.contains(r#""level":"ERROR""#) && l.contains(r#""target":"karmada_manager"#))
        })
        .collect();
    ensure!(bad.is_empty(), "panics or errors in the log:\n{bad:#?}");
    Ok(())
}

/// What a member holds, listed from its API server.
#[derive(Debug, PartialEq, Eq)]
pub struct Truth {
    pub nodes: i64,
    pub pods: i64,
    pub not_ready: i64,
}

pub async fn truth(member: &Client) -> Result<Truth> {
    let nodes = Api::<Node>::all(member.clone())
        .list(&ListParams::default())
        .await?;
    let pods = Api::<Pod>::all(member.clone())
        .list(&ListParams::default())
        .await?;
    let ready = |p: &Pod| {
        p.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
    };
    let running = |p: &Pod| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
    Ok(Truth {
        nodes: nodes.items.len() as i64,
        pods: pods.items.len() as i64,
        not_ready: pods
            .items
            .iter()
            .filter(|p| running(p) && !ready(p))
            .count() as i64,
    })
}

/// The insight says what the member holds, and Ready=Synced.
pub fn insight_matches(status: &ClusterInsightStatus, truth: &Truth) -> bool {
    status.nodes.total == truth.nodes
        && status.pods.total == truth.pods
        && status.pods.not_ready == truth.not_ready
        && condition(&status.conditions, "Ready") == Some(("True", "Synced"))
}

/// Every token the Secrets in `karmada-cluster` on the hub hold right now.
pub async fn member_tokens(hub: &Client) -> Result<Vec<String>> {
    let secrets = Api::<Secret>::namespaced(hub.clone(), testenv::join::KARMADA_CLUSTER_NAMESPACE)
        .list(&ListParams::default())
        .await?;
    Ok(secrets
        .items
        .iter()
        .filter_map(|s| s.data.as_ref()?.get("token"))
        .map(|t| String::from_utf8_lossy(&t.0).trim().to_string())
        .collect())
}

/// A client for each of the environment's members `names`, paired with its name.
pub async fn member_clients<'a>(
    env: &testenv::Environment,
    names: &[&'a str],
) -> Result<Vec<(&'a str, Client)>> {
    let mut clients = Vec::new();
    for name in names {
        clients.push((*name, env.member(name).client().await?));
    }
    Ok(clients)
}
