//! Running it like an operator: the admin server (`/metrics`, `/livez`, `/readyz`) and leader
//! election between two replicas — SIGKILL the leader and the standby takes over within the
//! lease duration with statuses still updating; SIGTERM releases the lease and exits cleanly.

mod support;

use anyhow::{Context, Result};
use k8s_openapi::api::coordination::v1::Lease;
use karmada_manager_api::ClusterInsight;
use kube::api::Api;
use std::time::{Duration, Instant};
use support::{eventually, http_get};
use testenv::bulk;
use testenv::nodes::node;
use testenv::pods::pod;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_server_reports_health_and_metrics() -> Result<()> {
    let env = support::environment(&["m1"]).await?;
    let m1 = env.member("m1").client().await?;
    bulk::create_nodes(&m1, &[node("n1").cpu("4").memory("8Gi")]).await?;
    bulk::create_pods(
        &m1,
        &[pod("shop", "web-1")
            .on_node("n1")
            .requests(&[("cpu", "1")])
            .running()],
    )
    .await?;
    let operator = support::start_operator(&env, &[]).await?;
    let address = operator.admin_address()?;
    assert_eq!(http_get(&address, "/livez").await?.0, 200);
    assert_eq!(http_get(&address, "/readyz").await?.0, 200, "caches synced");
    assert_eq!(http_get(&address, "/nope").await?.0, 404);
    let (_, metrics) = eventually(
        "metrics",
        WAIT,
        || http_get(&address, "/metrics"),
        |(_, text)| {
            text.contains(
                r#"karmada_manager_cluster_allocated_percent{cluster="m1",resource="cpu"} 25"#,
            )
        },
    )
    .await?;
    for line in [
        r#"karmada_manager_member_watch_up{cluster="m1"} 1"#,
        r#"karmada_manager_member_objects{cluster="m1",kind="node"} 1"#,
        r#"karmada_manager_member_objects{cluster="m1",kind="pod"} 1"#,
        r#"karmada_manager_fleet_clusters{state="total"} 1"#,
        r#"karmada_manager_status_writes_total{kind="ClusterInsight",outcome="written"}"#,
        r#"karmada_manager_reconciles_total{controller="cluster",result="success"}"#,
        "karmada_manager_leader 1",
        "karmada_manager_member_last_event_age_seconds{cluster=\"m1\"}",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }
    Ok(())
}

fn elect(namespace: &str) -> Vec<&str> {
    vec![
        "--leader-elect",
        "--leader-election-namespace",
        namespace,
        "--leader-election-lease-duration",
        "4s",
        "--leader-election-renew-deadline",
        "3s",
        "--leader-election-retry-period",
        "500ms",
    ]
}

async fn holder(leases: &Api<Lease>) -> Result<Option<String>> {
    Ok(leases
        .get_opt("karmada-manager")
        .await?
        .and_then(|l| l.spec)
        .and_then(|s| s.holder_identity))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_standby_takes_over_when_the_leader_dies() -> Result<()> {
    let env = support::environment(&["m1"]).await?;
    let hub = env.hub().client().await?;
    testenv::join::apply_namespace(&hub, "karmada-system").await?;
    let m1 = env.member("m1").client().await?;
    bulk::create_nodes(&m1, &[node("n1")]).await?;

    let mut first = support::start_operator(&env, &elect("karmada-system")).await?;
    first.wait_for_log("became leader", WAIT).await?;
    let mut second = support::start_operator(&env, &elect("karmada-system")).await?;
    second.wait_for_log("another replica leads", WAIT).await?;
    let standby_metrics = http_get(&second.admin_address()?, "/metrics").await?.1;
    assert!(
        standby_metrics.contains("karmada_manager_leader 0"),
        "{standby_metrics}"
    );
    assert_eq!(
        http_get(&second.admin_address()?, "/readyz").await?.0,
        200,
        "a standby keeps its caches warm and is ready"
    );
    // Its member watch is listed too, so a new leader does not start by relisting members.
    let standby = second.admin_address()?;
    eventually(
        "the standby watches m1",
        WAIT,
        || async { Ok(http_get(&standby, "/metrics").await?.1) },
        |m| {
            m.contains(r#"karmada_manager_member_watch_up{cluster="m1"} 1"#)
                && m.contains(r#"karmada_manager_member_objects{cluster="m1",kind="node"} 1"#)
        },
    )
    .await?;
    let insights = Api::<ClusterInsight>::all(hub.clone());
    eventually(
        "first leader writes",
        WAIT,
        || async { Ok(insights.get_opt("m1").await?.and_then(|i| i.status)) },
        |s| s.as_ref().is_some_and(|s| s.nodes.total == 1),
    )
    .await?;

    // SIGKILL: no chance to release the lease.
    first.child.start_kill()?;
    first.child.wait().await?;
    let killed = Instant::now();
    second.wait_for_log("became leader", WAIT).await?;
    let takeover = killed.elapsed();
    eprintln!("standby took over {takeover:?} after SIGKILL (lease duration 4s)");
    assert!(takeover < Duration::from_secs(10), "took {takeover:?}");
    bulk::create_nodes(&m1, &[node("n2")]).await?;
    let created = Instant::now();
    eventually(
        "the new leader writes",
        WAIT,
        || async { insights.get("m1").await?.status.context("status") },
        |s| s.nodes.total == 2,
    )
    .await?;
    eprintln!(
        "a node created after the takeover was in the insight {:?} later",
        created.elapsed()
    );

    // SIGTERM: the lease is released and the process exits 0.
    let leases = Api::<Lease>::namespaced(hub.clone(), "karmada-system");
    assert!(holder(&leases).await?.is_some());
    let exit = second.terminate(Duration::from_secs(20)).await?;
    assert!(exit.success(), "{exit:?}");
    assert_eq!(holder(&leases).await?, None, "released on shutdown");
    let started_watches = second
        .log
        .iter()
        .filter(|l| l.contains("watching member") || l.contains("reconnecting"))
        .count();
    assert_eq!(
        started_watches, 1,
        "the member watch started on standby is kept on taking over"
    );
    Ok(())
}
