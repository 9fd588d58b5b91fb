//! The hub of the fleet benchmark: real etcd and kube-apiserver with Karmada's and our CRDs (no
//! member API servers: the members are simulated), Clusters registered as `karmadactl join`
//! registers Push members, and a watch that says when every ClusterInsight counts everything.

use crate::sim::Endpoints;
use anyhow::{Context, Result, bail};
use futures::StreamExt;
use karmada_manager_api::ClusterInsight;
use kube::api::{Api, DeleteParams, ListParams};
use kube::runtime::watcher::{self, Event};
use std::collections::HashSet;
use std::time::Duration;
use testenv::join::{JoinOptions, register, set_cluster_ready};
use testenv::{EnvOptions, Environment};
use tokio::time::Instant;

/// The Kubernetes version Clusters report (what the simulated members answer on `/version`).
const MEMBER_VERSION: &str = "v1.35.0";

pub async fn start() -> Result<Environment> {
    let options = EnvOptions {
        crds: karmada_manager_api::crds(),
        ..EnvOptions::default()
    };
    Environment::start(options)
        .await
        .context("starting the hub")
}

/// Registers members `range` of `endpoints`: Secret with token and CA, Push Cluster, Ready.
pub async fn register_members(
    hub: &kube::Client,
    endpoints: &Endpoints,
    range: std::ops::Range<usize>,
) -> Result<()> {
    let options = JoinOptions::default();
    for member in &endpoints.members[range] {
        let (name, url) = (&member.name, &member.url);
        register(
            hub,
            name,
            url,
            &endpoints.token,
            &endpoints.ca_pem,
            &options,
        )
        .await
        .with_context(|| format!("registering {name}"))?;
        set_cluster_ready(hub, name, MEMBER_VERSION).await?;
    }
    Ok(())
}

/// Deletes every ClusterInsight, so that the next operator's are seen being written.
pub async fn delete_insights(hub: &kube::Client) -> Result<()> {
    let api: Api<ClusterInsight> = Api::all(hub.clone());
    let (delete, list) = (DeleteParams::default(), ListParams::default());
    tokio::time::timeout(
        Duration::from_secs(60),
        api.delete_collection(&delete, &list),
    )
    .await
    .context("deleting the ClusterInsights timed out")?
    .context("deleting the ClusterInsights")?;
    Ok(())
}

/// Resolves when the ClusterInsight of every member of `endpoints` counts all its nodes and
/// pods; when that was seen.
pub async fn all_synced(
    hub: &kube::Client,
    endpoints: &Endpoints,
    timeout: Duration,
) -> Result<Instant> {
    let api: Api<ClusterInsight> = Api::all(hub.clone());
    let mut events = watcher::watcher(api, watcher::Config::default()).boxed();
    let mut synced: HashSet<String> = HashSet::new();
    let deadline = Instant::now() + timeout;
    while synced.len() < endpoints.members.len() {
        tokio::select! {
            event = events.next() => match event.context("the insight watch ended")? {
                Ok(Event::Apply(insight) | Event::InitApply(insight)) => {
                    if counts_everything(&insight, endpoints) {
                        synced.insert(insight.metadata.name.clone().unwrap_or_default());
                    }
                }
                Ok(_) => {}
                Err(err) => eprintln!("bench: insight watch: {err}"),
            },
            () = tokio::time::sleep_until(deadline) => bail!(
                "{} of {} ClusterInsights complete after {timeout:?}",
                synced.len(),
                endpoints.members.len()
            ),
        }
    }
    Ok(Instant::now())
}

fn counts_everything(insight: &ClusterInsight, endpoints: &Endpoints) -> bool {
    let name = insight.metadata.name.as_deref().unwrap_or_default();
    let Some(member) = endpoints.members.iter().find(|m| m.name == name) else {
        return false;
    };
    insight.status.as_ref().is_some_and(|s| {
        s.nodes.total as usize == member.nodes && s.pods.total as usize == member.pods
    })
}
