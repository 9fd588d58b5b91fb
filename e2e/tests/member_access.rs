//! The other two ways of seeing a member, besides a direct connection: through the hub's cluster proxy (a
//! path-prefixed base URL; a reverse proxy stands in for karmada-aggregated-apiserver), and from
//! Karmada's own `Cluster.status` for a Pull cluster the operator cannot reach.

mod support;

use anyhow::Result;
use karmada_manager_api::{ClusterInsight, ClusterInsightStatus, InsightSource};
use karmada_types::Cluster;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;
use support::eventually;
use testenv::bulk;
use testenv::cluster_proxy::ClusterProxy;
use testenv::nodes::node;
use testenv::pods::pod;

const WAIT: Duration = Duration::from_secs(30);

fn ready_reason(status: &ClusterInsightStatus) -> Option<&str> {
    status
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready" && c.status == "True")
        .map(|c| c.reason.as_str())
}

#[tokio::test(flavor = "multi_thread")]
async fn members_through_the_cluster_proxy_and_pull_clusters_from_karmadas_status() -> Result<()> {
    let env = support::environment(&["m1"]).await?;
    let hub = env.hub().client().await?;
    let m1 = env.member("m1").client().await?;
    bulk::create_nodes(&m1, &[node("n1"), node("n2")]).await?;
    bulk::create_pods(
        &m1,
        &[pod("shop", "web-1")
            .on_node("n1")
            .requests(&[("cpu", "1")])
            .running()],
    )
    .await?;
    // m1 serves metrics.k8s.io: usage appears in its insight.
    testenv::metrics::install(&m1).await?;
    for n in ["n1", "n2"] {
        testenv::metrics::set_node_usage(&m1, n, "1950m", "3968Mi").await?;
    }

    // A Pull cluster: no endpoint, no Secret; karmada-agent reports its status to the hub.
    let clusters = Api::<Cluster>::all(hub.clone());
    let pull = json!({"apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster", "metadata": {"name": "pull1"},
                      "spec": {"syncMode": "Pull", "provider": "onprem", "region": "dc1"}});
    clusters
        .patch("pull1", &PatchParams::apply("e2e"), &Patch::Apply(&pull))
        .await?;
    let status = json!({"apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster", "status": {
        "kubernetesVersion": "v1.34.2",
        "conditions": [{"type": "Ready", "status": "True", "reason": "ClusterReady", "message": "ok", "lastTransitionTime": "2026-01-01T00:00:00Z"}],
        "nodeSummary": {"totalNum": 3, "readyNum": 2},
        "resourceSummary": {
            "allocatable": {"cpu": "12", "memory": "48Gi", "pods": "330"},
            "allocated": {"cpu": "4", "memory": "8Gi", "pods": "20"},
            "allocating": {"cpu": "1"},
        },
    }});
    clusters
        .patch_status(
            "pull1",
            &PatchParams::apply("e2e").force(),
            &Patch::Apply(&status),
        )
        .await?;

    let insights = Api::<ClusterInsight>::all(hub.clone());
    let get = |name: &'static str| {
        let insights = insights.clone();
        async move { Ok(insights.get(name).await?.status.unwrap_or_default()) }
    };

    // Default mode: m1 directly, pull1 from Karmada's status.
    let mut operator = support::start_operator(&env, &[]).await?;
    let direct = eventually(
        "m1 direct",
        WAIT,
        || get("m1"),
        |s| ready_reason(s) == Some("Synced") && s.nodes.total == 2,
    )
    .await?;
    assert_eq!(direct.source, Some(InsightSource::Direct));
    // 2 × 1950m of 2 × 3900m; 2 × 3968Mi of 2 × 15872Mi.
    let usage = direct.usage.clone().expect("usage from NodeMetrics");
    let (cpu, memory) = (usage.cpu.expect("cpu"), usage.memory.expect("memory"));
    assert_eq!((cpu.used.0.as_str(), cpu.percent), ("3900m", 50));
    assert_eq!((memory.used.0.as_str(), memory.percent), ("7936Mi", 25));
    assert!(usage.observed_at.is_some());
    let pulled = eventually(
        "pull1 from Cluster.status",
        WAIT,
        || get("pull1"),
        |s| ready_reason(s) == Some("ClusterStatusFallback"),
    )
    .await?;
    assert_eq!(pulled.source, Some(InsightSource::ClusterStatus));
    assert_eq!((pulled.nodes.total, pulled.nodes.ready), (3, 2));
    assert_eq!(pulled.resources["cpu"].allocatable.0, "12");
    assert_eq!(pulled.resources["cpu"].allocated.0, "4");
    assert!(
        pulled.node_details.items.is_empty(),
        "no per-node detail without a connection"
    );
    assert!(pulled.usage.is_none());
    assert!(operator.terminate(Duration::from_secs(10)).await?.success());

    // Proxy mode: the same figures for m1, now through the path-prefixed proxy URL.
    let proxy = ClusterProxy::start(HashMap::from([("m1".to_string(), m1.clone())])).await?;
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
    let proxied = eventually(
        "m1 through the proxy",
        WAIT,
        || get("m1"),
        |s| s.source == Some(InsightSource::ClusterProxy) && ready_reason(s) == Some("Synced"),
    )
    .await?;
    assert_eq!((proxied.nodes.total, proxied.pods.total), (2, 1));
    assert_eq!(
        proxied.resources["cpu"].allocated.0,
        direct.resources["cpu"].allocated.0
    );
    Ok(())
}

/// A Cluster's `spec.proxyURL` and `spec.proxyHeader`: the member is reached through the proxy,
/// and the CONNECT carries the headers. A header that is not valid HTTP is a precise condition.
#[tokio::test(flavor = "multi_thread")]
async fn proxy_headers_reach_the_clusters_proxy() -> Result<()> {
    let env = support::environment(&["m1"]).await?;
    let hub = env.hub().client().await?;
    bulk::create_nodes(&env.member("m1").client().await?, &[node("n1")]).await?;
    let proxy = testenv::connect_proxy::ConnectProxy::start().await?;
    let clusters = Api::<Cluster>::all(hub.clone());
    let set_proxy = |header: &'static str| {
        let (clusters, url) = (clusters.clone(), proxy.url().to_string());
        async move {
            let patch = json!({"spec": {"proxyURL": url, "proxyHeader": {header: "team-a"}}});
            clusters
                .patch("m1", &PatchParams::default(), &Patch::Merge(&patch))
                .await
        }
    };
    set_proxy("X-Karmada-Tenant").await?;
    let _operator = support::start_operator(&env, &[]).await?;
    let insights = Api::<ClusterInsight>::all(hub.clone());
    let get = || async { Ok(insights.get("m1").await?.status.unwrap_or_default()) };
    eventually("m1 through its proxy", WAIT, get, |s| {
        ready_reason(s) == Some("Synced") && s.nodes.total == 1
    })
    .await?;
    let member_authority = env
        .member("m1")
        .url()
        .trim_start_matches("https://")
        .to_string();
    let connects = proxy.seen();
    assert!(
        connects.iter().any(|c| c.target == member_authority
            && c.headers
                .contains(&("x-karmada-tenant".to_string(), "team-a".to_string()))),
        "{connects:?}"
    );

    set_proxy("Bad Header").await?;
    let s = eventually("bad proxy header", WAIT, get, |s| {
        s.conditions
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "False" && c.message.contains("proxyHeader"))
    })
    .await?;
    assert_eq!(s.conditions[0].reason, "InvalidEndpoint");
    Ok(())
}
