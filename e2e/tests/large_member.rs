//! A member the size of Karmada's published scale test (5,000 nodes, 20,000 pods): the insight
//! is valid, lists at most the configured number of nodes with the right `omitted`, fits under
//! the status size guard, and is written.

mod support;

use anyhow::Result;
use karmada_manager_api::ClusterInsight;
use kube::api::Api;
use std::time::{Duration, Instant};
use support::eventually;
use testenv::bulk;
use testenv::nodes::node;
use testenv::pods::pod;

const NODES: usize = 5_000;
const PODS_PER_NODE: usize = 4;

#[tokio::test(flavor = "multi_thread")]
async fn a_five_thousand_node_member_gets_a_bounded_complete_insight() -> Result<()> {
    let env = support::environment(&["big"]).await?;
    let hub = env.hub().client().await?;
    let member = env.member("big").client().await?;
    let started = Instant::now();
    let nodes: Vec<_> = (0..NODES)
        .map(|i| {
            let n = node(&format!("node-{i:05}")).zone(["a", "b", "c"][i % 3]);
            if i % 1000 == 7 { n.not_ready() } else { n }
        })
        .collect();
    bulk::create_nodes(&member, &nodes).await?;
    let pods: Vec<_> = (0..NODES * PODS_PER_NODE)
        .map(|i| {
            pod(&format!("ns-{}", i % 20), &format!("pod-{i:05}"))
                .on_node(nodes[i / PODS_PER_NODE].name())
                .requests(&[("cpu", "100m"), ("memory", "128Mi")])
                .running()
        })
        .collect();
    bulk::create_pods(&member, &pods).await?;
    eprintln!(
        "created {NODES} nodes and {} pods in {:.0?}",
        pods.len(),
        started.elapsed()
    );

    let _operator = support::start_operator(&env, &[]).await?;
    let insights = Api::<ClusterInsight>::all(hub.clone());
    let insight = eventually(
        "the big insight",
        Duration::from_secs(180),
        || async { Ok(insights.get("big").await?) },
        |i| {
            i.status.as_ref().is_some_and(|s| {
                s.nodes.total == NODES as i64 && s.pods.total == (NODES * PODS_PER_NODE) as i64
            })
        },
    )
    .await?;
    let status = insight.status.expect("status");
    assert_eq!(status.nodes.not_ready, 5);
    assert_eq!(status.pods.running, 20_000);
    // 20,000 × 100m and 20,000 × 128Mi, allocated on 5,000 × 3900m / 15872Mi.
    assert_eq!(status.resources["cpu"].allocated.0, "2k");
    assert_eq!(status.resources["cpu"].allocatable.0, "19500");
    assert_eq!(status.resources["memory"].allocated.0, "2500Gi");
    let details = &status.node_details;
    assert_eq!(
        (details.limit, details.items.len(), details.omitted),
        (200, 200, 4_800)
    );
    assert!(
        details.items[..5].iter().all(|n| !n.ready),
        "NotReady nodes come first"
    );
    let bytes = serde_json::to_vec(&status)?.len();
    assert!(bytes < 512 * 1024, "status is {bytes} bytes");
    Ok(())
}
