//! A member the size of Karmada's published scale test (5,000 nodes, 20,000 pods): the insight
//! is valid, lists at most the configured number of nodes with the right `omitted`, fits under
//! the status size guard, and is written. Its figures that only drift (a container restart, a
//! pod deleted as a rollout does) wait for the fleet's budget for such writes, while a pod
//! failing is written at once and takes the drift along.

mod support;

use anyhow::{Context, Result, ensure};
use k8s_openapi::api::core::v1::Pod;
use karmada_manager_api::ClusterInsight;
use kube::api::{Api, DeleteParams, PostParams};
use std::time::{Duration, Instant};
use support::eventually;
use testenv::bulk;
use testenv::nodes::node;
use testenv::pods::pod;

const NODES: usize = 5_000;
const PODS_PER_NODE: usize = 4;
/// The budget for writes that only drift: this member's ~100 KB status waits about 25 s for its
/// turn, far longer than a significant change may take.
const DRIFT_KIB_PER_SECOND: &str = "4";
const DEFERRED: &str =
    r#"karmada_manager_status_writes_total{kind="ClusterInsight",outcome="deferred"}"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_five_thousand_node_member_gets_a_bounded_complete_insight_whose_drift_waits()
-> Result<()> {
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

    let operator = support::start_operator(
        &env,
        &["--drift-writes-kib-per-second", DRIFT_KIB_PER_SECOND],
    )
    .await?;
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
    assert_eq!(status.pods.restarts, 0);

    let pods = |namespace: &str| Api::<Pod>::namespaced(member.clone(), namespace);
    restart_container(&pods("ns-0"), "pod-00000").await?;
    let address = operator.admin_address()?;
    eventually(
        "the restart deferred",
        Duration::from_secs(20),
        || async { Ok(support::http_get(&address, "/metrics").await?.1) },
        |text| deferred(text) >= 1.0,
    )
    .await?;
    // A pod deleted, as a rollout does: the counts it moves drift too. The turn is about 25 s
    // away; any change written at once would show within a few seconds.
    pods("ns-2")
        .delete("pod-00002", &DeleteParams::default().grace_period(0))
        .await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let shown = insights.get("big").await?.status.context("status")?;
    assert_eq!(
        (shown.pods.restarts, shown.pods.total),
        (0, 20_000),
        "drifts wait for their turn"
    );

    let failing = Instant::now();
    fail_pod(&pods("ns-1"), "pod-00001").await?;
    let insight = eventually(
        "the failed pod shown",
        Duration::from_secs(15),
        || async { Ok(insights.get("big").await?) },
        |i| i.status.as_ref().is_some_and(|s| s.pods.failed == 1),
    )
    .await?;
    eprintln!(
        "the failed pod was shown {:.1?} after the change",
        failing.elapsed()
    );
    let status = insight.status.context("status")?;
    assert_eq!(
        (status.pods.restarts, status.pods.total),
        (1, 19_999),
        "the drifts went along"
    );
    Ok(())
}

fn deferred(metrics: &str) -> f64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(DEFERRED))
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or(0.0)
}

/// The pod's first container restarted once more, as its kubelet reports it.
async fn restart_container(pods: &Api<Pod>, name: &str) -> Result<()> {
    let mut pod = pods.get_status(name).await?;
    let statuses = pod
        .status
        .as_mut()
        .and_then(|s| s.container_statuses.as_mut())
        .context("container statuses")?;
    ensure!(!statuses.is_empty(), "{name} has no container status");
    statuses[0].restart_count += 1;
    pods.replace_status(name, &PostParams::default(), &pod)
        .await?;
    Ok(())
}

/// The pod's phase turned `Failed`, as its kubelet reports it.
async fn fail_pod(pods: &Api<Pod>, name: &str) -> Result<()> {
    let mut pod = pods.get_status(name).await?;
    pod.status.as_mut().context("status")?.phase = Some("Failed".into());
    pods.replace_status(name, &PostParams::default(), &pod)
        .await?;
    Ok(())
}
