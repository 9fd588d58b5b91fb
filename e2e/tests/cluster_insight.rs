//! ClusterInsight and FleetInsight against real API servers: figures equal what the test computes
//! from the objects it created, changes propagate, outages and bad input become precise
//! conditions, and deleting a Cluster removes its insight.

mod support;

use anyhow::Result;
use k8s_openapi::api::core::v1::{Node, Pod, Secret};
use karmada_manager_api::{ClusterInsight, ClusterInsightStatus, FleetInsight};
use karmada_types::Cluster;
use kube::Client;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use serde_json::json;
use std::time::Duration;
use support::eventually;
use testenv::nodes::{Pressure, node};
use testenv::pods::{Phase, pod};
use testenv::{Environment, bulk};

const WAIT: Duration = Duration::from_secs(30);

async fn insight(hub: &Client, name: &str) -> Result<ClusterInsightStatus> {
    Ok(Api::<ClusterInsight>::all(hub.clone())
        .get(name)
        .await?
        .status
        .unwrap_or_default())
}

fn condition<'a>(status: &'a ClusterInsightStatus, type_: &str) -> Option<(&'a str, &'a str)> {
    status
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| (c.status.as_str(), c.reason.as_str()))
}

fn figure(status: &ClusterInsightStatus, resource: &str, field: &str) -> Option<String> {
    let figures = serde_json::to_value(status.resources.get(resource)?).ok()?;
    figures.get(field).map(|v| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    })
}

/// m1: four nodes (one NotReady, one cordoned under memory pressure, one with GPUs) and pods of
/// every kind the arithmetic must handle. The expected figures are worked out by hand below.
async fn seed_m1(env: &Environment) -> Result<()> {
    let m1 = env.member("m1").client().await?;
    bulk::create_nodes(
        &m1,
        &[
            node("n1").zone("eu-west-1a"),
            node("n2").not_ready(),
            node("n3").cordoned().pressure(Pressure::Memory),
            node("gpu")
                .instance_type("p3.2xlarge")
                .resource("nvidia.com/gpu", "4", "4"),
        ],
    )
    .await?;
    bulk::create_pods(
        &m1,
        &[
            pod("shop", "web-1")
                .on_node("n1")
                .requests(&[("cpu", "500m"), ("memory", "1Gi")])
                .running(),
            pod("shop", "web-2")
                .on_node("n1")
                .requests(&[("cpu", "500m"), ("memory", "1Gi")])
                .phase(Phase::Running)
                .restarts(2),
            // init 2 CPUs > app 1 CPU: effective 2, plus 250m overhead.
            pod("shop", "migrate")
                .on_node("n1")
                .requests(&[("cpu", "1")])
                .init_container("init", &[("cpu", "2")])
                .overhead(&[("cpu", "250m")])
                .running(),
            // sidecar (restartable init) adds to the app: 1 + 0.5.
            pod("shop", "meshed")
                .on_node("n3")
                .requests(&[("cpu", "1")])
                .sidecar("proxy", &[("cpu", "500m")])
                .running(),
            pod("shop", "pending").requests(&[("cpu", "3")]),
            pod("batch", "failed")
                .on_node("n1")
                .requests(&[("cpu", "1")])
                .phase(Phase::Failed),
            pod("batch", "done")
                .on_node("n1")
                .requests(&[("cpu", "1")])
                .phase(Phase::Succeeded),
            pod("ml", "train")
                .on_node("gpu")
                .requests(&[("cpu", "1"), ("nvidia.com/gpu", "2")])
                .running(),
            pod("shop", "flaky")
                .on_node("n1")
                .requests(&[("cpu", "100m")])
                .phase(Phase::Running)
                .restarts(5)
                .crash_looping(),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn insights_match_the_objects_follow_changes_and_go_with_their_cluster() -> Result<()> {
    let env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    seed_m1(&env).await?;
    let m2 = env.member("m2").client().await?;
    bulk::create_nodes(
        &m2,
        &[
            node("a").cpu("8").memory("32Gi"),
            node("b").cpu("8").memory("32Gi"),
        ],
    )
    .await?;
    bulk::create_pods(
        &m2,
        &[pod("shop", "web-1")
            .on_node("a")
            .requests(&[("cpu", "2"), ("memory", "4Gi")])
            .running()],
    )
    .await?;
    let mut operator = support::start_operator(&env, &[]).await?;

    let m1 = eventually(
        "m1 insight synced",
        WAIT,
        || insight(&hub, "m1"),
        |s| s.pods.total == 9 && s.nodes.total == 4,
    )
    .await?;
    // Nodes: n2 NotReady, n3 cordoned and under memory pressure.
    assert_eq!(
        (
            m1.nodes.total,
            m1.nodes.ready,
            m1.nodes.not_ready,
            m1.nodes.unschedulable,
            m1.nodes.memory_pressure
        ),
        (4, 3, 1, 1, 1)
    );
    assert_eq!(m1.nodes.display, "3/4");
    // Pods: 6 running (web-2 and flaky not ready), 1 pending, 1 failed, 1 succeeded.
    let p = &m1.pods;
    assert_eq!(
        (
            p.total,
            p.running,
            p.pending,
            p.failed,
            p.succeeded,
            p.not_ready,
            p.restarts,
            p.crash_looping
        ),
        (9, 6, 1, 1, 1, 2, 7, 1)
    );
    // CPU: allocatable 4 × 3900m; allocated 500m + 500m + (2 + 250m) + (1 + 500m) + 1 + 100m;
    // allocating the pending 3; Failed and Succeeded pods count for nothing.
    assert_eq!(figure(&m1, "cpu", "allocatable").as_deref(), Some("15600m"));
    assert_eq!(figure(&m1, "cpu", "allocated").as_deref(), Some("5850m"));
    assert_eq!(figure(&m1, "cpu", "allocating").as_deref(), Some("3"));
    assert_eq!(figure(&m1, "cpu", "available").as_deref(), Some("6750m"));
    assert_eq!(
        figure(&m1, "cpu", "allocatedPercent").as_deref(),
        Some("37")
    );
    assert_eq!(
        figure(&m1, "memory", "allocatable").as_deref(),
        Some("62Gi")
    );
    assert_eq!(figure(&m1, "memory", "allocated").as_deref(), Some("2Gi"));
    assert_eq!(
        figure(&m1, "nvidia.com/gpu", "allocated").as_deref(),
        Some("2")
    );
    assert_eq!(
        figure(&m1, "nvidia.com/gpu", "allocatable").as_deref(),
        Some("4")
    );
    assert_eq!(figure(&m1, "pods", "allocated").as_deref(), Some("6"));
    assert_eq!(condition(&m1, "Ready"), Some(("True", "Synced")));
    assert_eq!(condition(&m1, "Degraded"), Some(("True", "NodesDegraded")));
    // Problem nodes first: NotReady, then pressure/cordoned.
    let order: Vec<_> = m1
        .node_details
        .items
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(order[..2], ["n2", "n3"], "{order:?}");

    let fleet = Api::<FleetInsight>::all(hub.clone());
    let f = eventually(
        "fleet sums both",
        WAIT,
        || async { Ok(fleet.get("fleet").await?.status.unwrap_or_default()) },
        |f| f.clusters.total == 2 && f.nodes.total == 6,
    )
    .await?;
    assert_eq!((f.clusters.ready, f.pods.total), (2, 10));
    assert_eq!(f.resources["cpu"].allocated.0, "7850m");

    // Changes propagate: a pod becomes ready, a node recovers, a pod goes, a node comes.
    let m1_admin = env.member("m1").client().await?;
    let pods = Api::<Pod>::namespaced(m1_admin.clone(), "shop");
    bulk::set_pod_status(
        &pods,
        &pod("shop", "web-2")
            .on_node("n1")
            .requests(&[("cpu", "500m")])
            .running(),
    )
    .await?;
    bulk::set_node_status(&Api::<Node>::all(m1_admin.clone()), &node("n2")).await?;
    bulk::delete_pod(&pods, "web-1").await?;
    bulk::create_nodes(&m1_admin, &[node("n5")]).await?;
    let m1 = eventually(
        "m1 follows",
        WAIT,
        || insight(&hub, "m1"),
        |s| s.nodes.total == 5 && s.nodes.ready == 5 && s.pods.total == 8 && s.pods.not_ready == 1,
    )
    .await?;
    assert_eq!(figure(&m1, "cpu", "allocated").as_deref(), Some("5350m"));

    // Deleting a Cluster deletes its insight, and the fleet drops it.
    Api::<Cluster>::all(hub.clone())
        .delete("m2", &DeleteParams::default())
        .await?;
    let insights = Api::<ClusterInsight>::all(hub.clone());
    eventually(
        "m2 insight deleted",
        WAIT,
        || async { Ok(insights.get_opt("m2").await?.is_none()) },
        |gone| *gone,
    )
    .await?;
    eventually(
        "fleet without m2",
        WAIT,
        || async { Ok(fleet.get("fleet").await?.status.unwrap_or_default()) },
        |f| f.clusters.total == 1,
    )
    .await?;

    let status = operator.terminate(Duration::from_secs(10)).await?;
    assert!(status.success(), "{status}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_member_keeps_its_last_figures_and_recovers() -> Result<()> {
    let mut env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    for member in ["m1", "m2"] {
        bulk::create_nodes(&env.member(member).client().await?, &[node("n1")]).await?;
    }
    let _operator = support::start_operator(&env, &[]).await?;
    eventually(
        "both ready",
        WAIT,
        || insight(&hub, "m1"),
        |s| condition(s, "Ready") == Some(("True", "Synced")),
    )
    .await?;

    env.member_mut("m1").stop();
    let down = eventually(
        "m1 unreachable",
        WAIT,
        || insight(&hub, "m1"),
        |s| condition(s, "Ready") == Some(("False", "MemberUnreachable")),
    )
    .await?;
    assert_eq!(down.nodes.total, 1, "the last known figures stay");

    // The other member keeps updating meanwhile.
    bulk::create_nodes(&env.member("m2").client().await?, &[node("n2")]).await?;
    eventually(
        "m2 still live",
        WAIT,
        || insight(&hub, "m2"),
        |s| s.nodes.total == 2,
    )
    .await?;

    env.member_mut("m1").restart().await?;
    bulk::create_nodes(&env.member("m1").client().await?, &[node("n2")]).await?;
    eventually(
        "m1 recovered",
        WAIT,
        || insight(&hub, "m1"),
        |s| condition(s, "Ready") == Some(("True", "Synced")) && s.nodes.total == 2,
    )
    .await?;
    Ok(())
}

/// Each bad input gives its condition; restoring the input recovers.
#[tokio::test(flavor = "multi_thread")]
async fn bad_cluster_input_becomes_a_precise_condition_and_recovers() -> Result<()> {
    let env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    bulk::create_nodes(&env.member("m1").client().await?, &[node("n1")]).await?;
    let _operator = support::start_operator(&env, &[]).await?;
    let healthy = |s: &ClusterInsightStatus| {
        condition(s, "Ready") == Some(("True", "Synced")) && s.nodes.total == 1
    };
    eventually("m1 ready", WAIT, || insight(&hub, "m1"), healthy).await?;

    let secrets = Api::<Secret>::namespaced(hub.clone(), "karmada-cluster");
    let clusters = Api::<Cluster>::all(hub.clone());
    let good = secrets.get("m1").await?;
    let good_data = good.data.clone().unwrap_or_default();
    let other_ca = secrets.get("m2").await?.data.unwrap_or_default()["caBundle"].clone();
    let endpoint = env.member("m1").url();
    let silent = std::net::TcpListener::bind("127.0.0.1:0")?; // accepts connections, never answers
    let hanging = format!("https://{}", silent.local_addr()?);
    let closed = format!("https://127.0.0.1:{}", testenv::free_port()?);

    let set_secret = |data: serde_json::Value| {
        let secrets = secrets.clone();
        async move {
            let patch = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "m1", "namespace": "karmada-cluster"}, "data": data});
            secrets
                .patch(
                    "m1",
                    &PatchParams::apply("e2e").force(),
                    &Patch::Apply(&patch),
                )
                .await
        }
    };
    let b64 = |bytes: &[u8]| k8s_openapi::ByteString(bytes.to_vec());
    let encode = |map: &std::collections::BTreeMap<String, k8s_openapi::ByteString>| {
        serde_json::to_value(map)
    };
    let set_endpoint = |url: String| {
        let clusters = clusters.clone();
        async move {
            clusters
                .patch(
                    "m1",
                    &PatchParams::default(),
                    &Patch::Merge(json!({"spec": {"apiEndpoint": url}})),
                )
                .await
        }
    };

    let mut without_token = good_data.clone();
    without_token.remove("token");
    let mut wrong_token = good_data.clone();
    wrong_token.insert("token".into(), b64(b"not-a-token"));
    let mut not_a_cert = good_data.clone();
    not_a_cert.insert("caBundle".into(), b64(b"hello"));
    let mut foreign_ca = good_data.clone();
    foreign_ca.insert("caBundle".into(), other_ca);

    for (what, reason, data) in [
        ("token missing", "SecretKeyMissing", without_token),
        ("wrong token", "Unauthorized", wrong_token),
        ("caBundle not a certificate", "InvalidCABundle", not_a_cert),
        ("CA of another server", "InvalidCABundle", foreign_ca),
    ] {
        secrets.delete("m1", &DeleteParams::default()).await?;
        set_secret(encode(&data)?).await?;
        let s = eventually(
            what,
            WAIT,
            || insight(&hub, "m1"),
            |s| condition(s, "Ready") == Some(("False", reason)),
        )
        .await?;
        assert_eq!(condition(&s, "Stalled"), Some(("True", reason)), "{what}");
        let message = &s.conditions[0].message;
        assert!(
            !message.contains("not-a-token"),
            "no credentials in messages: {message}"
        );
        secrets.delete("m1", &DeleteParams::default()).await?;
        set_secret(encode(&good_data)?).await?;
        eventually(
            &format!("{what}: recovered"),
            WAIT,
            || insight(&hub, "m1"),
            healthy,
        )
        .await?;
    }

    secrets.delete("m1", &DeleteParams::default()).await?;
    let s = eventually(
        "Secret missing",
        WAIT,
        || insight(&hub, "m1"),
        |s| condition(s, "Ready") == Some(("False", "SecretNotFound")),
    )
    .await?;
    assert!(s.conditions[0].message.contains("karmada-cluster/m1"));
    set_secret(encode(&good_data)?).await?;
    eventually("Secret back", WAIT, || insight(&hub, "m1"), healthy).await?;

    for (what, url, reason) in [
        (
            "endpoint unparsable",
            "https://exa mple:6443".to_string(),
            "InvalidEndpoint",
        ),
        ("nobody listens", closed, "MemberUnreachable"),
        ("hanging endpoint", hanging, "MemberUnreachable"),
    ] {
        set_endpoint(url).await?;
        eventually(
            what,
            Duration::from_secs(60),
            || insight(&hub, "m1"),
            |s| condition(s, "Ready") == Some(("False", reason)),
        )
        .await?;
        set_endpoint(endpoint.clone()).await?;
        eventually(
            &format!("{what}: recovered"),
            WAIT,
            || insight(&hub, "m1"),
            healthy,
        )
        .await?;
    }
    // m2 stayed correct throughout.
    assert_eq!(
        condition(&insight(&hub, "m2").await?, "Ready"),
        Some(("True", "Synced"))
    );
    drop(silent);
    Ok(())
}

/// An insight whose Cluster went away while the operator was down is deleted at start-up, and a
/// Cluster that skips TLS verification is reached without a usable caBundle.
#[tokio::test(flavor = "multi_thread")]
async fn orphans_from_before_a_restart_are_deleted_and_tls_skip_is_honoured() -> Result<()> {
    let env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    bulk::create_nodes(&env.member("m1").client().await?, &[node("n1")]).await?;
    let mut operator = support::start_operator(&env, &[]).await?;
    let insights = Api::<ClusterInsight>::all(hub.clone());
    eventually(
        "m2 insight exists",
        WAIT,
        || async { Ok(insights.get_opt("m2").await?.is_some()) },
        |found| *found,
    )
    .await?;
    assert!(operator.terminate(Duration::from_secs(10)).await?.success());

    // While the operator is down: m2's Cluster is deleted, and m1 switches to skipping TLS
    // verification with a caBundle that would not verify anything.
    Api::<Cluster>::all(hub.clone())
        .delete("m2", &DeleteParams::default())
        .await?;
    let clusters = Api::<Cluster>::all(hub.clone());
    clusters
        .patch(
            "m1",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"insecureSkipTLSVerification": true}})),
        )
        .await?;
    let secrets = Api::<Secret>::namespaced(hub.clone(), "karmada-cluster");
    let patch = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "m1", "namespace": "karmada-cluster"}, "stringData": {"caBundle": "not a certificate"}});
    secrets
        .patch(
            "m1",
            &PatchParams::apply("e2e").force(),
            &Patch::Apply(&patch),
        )
        .await?;

    let _operator = support::start_operator(&env, &[]).await?;
    eventually(
        "orphan deleted",
        WAIT,
        || async { Ok(insights.get_opt("m2").await?.is_none()) },
        |gone| *gone,
    )
    .await?;
    eventually(
        "m1 without TLS verification",
        WAIT,
        || insight(&hub, "m1"),
        |s| condition(s, "Ready") == Some(("True", "Synced")) && s.nodes.total == 1,
    )
    .await?;
    Ok(())
}
