//! A member whose metrics API hangs (an aggregated API whose backend never answers) must not
//! hold up anything else about that member: node changes keep arriving at the usual pace, and
//! the insight says its usage is stale. The member is reached through the cluster proxy
//! stand-in, which forwards everything to the member's real API server but never answers
//! `metrics.k8s.io`.

mod support;

use anyhow::Result;
use karmada_manager_api::{ClusterInsight, ClusterInsightStatus};
use kube::api::Api;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use support::eventually;
use testenv::bulk;
use testenv::cluster_proxy::ClusterProxy;
use testenv::nodes::node;

const WAIT: Duration = Duration::from_secs(30);

fn synced(status: &ClusterInsightStatus) -> bool {
    status
        .conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True" && c.reason == "Synced")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_metrics_api_holds_up_nothing_and_usage_says_stale() -> Result<()> {
    let env = support::environment(&["m1"]).await?;
    let hub = env.hub().client().await?;
    let m1 = env.member("m1").client().await?;
    testenv::metrics::install(&m1).await?;
    bulk::create_nodes(&m1, &[node("n1")]).await?;
    let proxy = ClusterProxy::start(HashMap::from([("m1".to_string(), m1.clone())])).await?;
    proxy.hang("/apis/metrics.k8s.io/");
    let _operator = support::start_operator(
        &env,
        &[
            "--connection-mode",
            "proxy",
            "--cluster-proxy-url",
            proxy.url(),
        ],
    )
    .await?;
    // The operator has synced its hub caches and starts watching m1 (and polling its metrics).
    let started = Instant::now();
    let insights = Api::<ClusterInsight>::all(hub.clone());
    let get = || async { Ok(insights.get("m1").await?.status.unwrap_or_default()) };
    eventually("m1 synced", WAIT, get, |s| synced(s) && s.nodes.total == 1).await?;
    let synced_after = started.elapsed();

    // The first metrics poll is hanging now; node changes must not wait for it.
    bulk::create_nodes(&m1, &[node("n2")]).await?;
    let created = Instant::now();
    eventually("n2 in the insight", WAIT, get, |s| s.nodes.total == 2).await?;
    let while_hanging = created.elapsed();

    let stale = eventually("usage stale", WAIT, get, |s| {
        s.usage.as_ref().is_some_and(|u| u.stale)
    })
    .await?;
    let stale_after = started.elapsed();
    assert!(
        synced(&stale),
        "a slow metrics API is no reason to be unready"
    );

    bulk::create_nodes(&m1, &[node("n3")]).await?;
    let created = Instant::now();
    eventually("n3 in the insight", WAIT, get, |s| s.nodes.total == 3).await?;
    eprintln!(
        "slow metrics: insight synced {synced_after:.1?} after the operator's caches; a node created while the first poll hung showed in {while_hanging:.1?}; usage stale {stale_after:.1?} after the operator's caches (poll timeout 10 s); a node created after that showed in {:.1?}",
        created.elapsed()
    );
    Ok(())
}
