//! `--connection-mode proxy` through Karmada's real cluster proxy: karmada-aggregated-apiserver
//! serves `clusters/<name>/proxy` on the hub and forwards each request to the member with the
//! Cluster's impersonator token, impersonating the operator. The operator runs with the chart's
//! hub identity; Karmada's unified-auth controller sees the chart grant `clusters/proxy` and sends
//! every member an impersonation ClusterRole as Works; each member lets that identity read, as
//! docs/install.md tells.
//!
//! - `m1` is a Push member (karmadactl join): Karmada applies its Works.
//! - `m2` is a Pull member registered with its impersonator only: the hub holds no credentials
//!   of it, so the cluster proxy is the only way in (the agent's stand-in applies its Works).

mod support;

use anyhow::{Context, Result, ensure};
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use karmada_manager_api::{ClusterInsight, ClusterInsightStatus, InsightSource};
use kube::api::{Api, PostParams};
use std::time::Duration;
use support::eventually;
use testenv::accounts::grant_proxied_reader;
use testenv::audit::{Entry, read as read_log};
use testenv::join::JoinOptions;
use testenv::nodes::node;
use testenv::pods::pod;
use testenv::{EnvOptions, Environment, MemberOptions, bulk};

/// Karmada syncs the impersonation Works within seconds; a bound on hangs, not a speed claim.
const WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread")]
async fn members_through_karmadas_own_cluster_proxy() -> Result<()> {
    let env = Environment::start(EnvOptions {
        members: vec![
            MemberOptions::joined("m1", JoinOptions::default()),
            MemberOptions::joined(
                "m2",
                JoinOptions {
                    pull: true,
                    ..JoinOptions::default()
                },
            ),
        ],
        crds: karmada_manager_api::crds(),
        karmada: true,
        audit: true,
        ..EnvOptions::default()
    })
    .await?;
    let hub = env.hub().client().await?;
    ensure!(
        env.hub().audit_log().is_some(),
        "the hub must audit: the test reads who went through the proxy"
    );
    let kubeconfig = support::chart_identity::kubeconfig(&env, "proxy").await?;
    let (user, groups) = identity(&kubeconfig).await?;
    for (member, nodes) in [("m1", 2), ("m2", 3)] {
        let client = env.member(member).client().await?;
        grant_proxied_reader(&client, &user, &groups).await?;
        let builders: Vec<_> = (1..=nodes)
            .map(|i| node(&format!("{member}-node-{i}")).cpu("4").memory("16Gi"))
            .collect();
        bulk::create_nodes(&client, &builders).await?;
    }

    let _operator =
        support::start_operator_as(&kubeconfig, &["--connection-mode", "proxy"]).await?;

    for (member, nodes) in [("m1", 2), ("m2", 3)] {
        synced_through_proxy(&hub, member, nodes, 0).await?;
    }

    // A change in the Pull member reaches its insight through the proxy's watch.
    let m2 = env.member("m2").client().await?;
    bulk::create_pods(
        &m2,
        &[pod("shop", "web-1")
            .on_node("m2-node-1")
            .requests(&[("cpu", "1")])
            .running()],
    )
    .await?;
    synced_through_proxy(&hub, "m2", 3, 1).await?;

    impersonation_in_the_audit_logs(&env, &user)
}

/// Waits until the ClusterInsight of `member` is Ready from the cluster proxy with `nodes` nodes
/// and `pods` pods.
async fn synced_through_proxy(
    hub: &kube::Client,
    member: &str,
    nodes: i64,
    pods: i64,
) -> Result<ClusterInsightStatus> {
    let insights = Api::<ClusterInsight>::all(hub.clone());
    eventually(
        &format!("{member} through Karmada's cluster proxy"),
        WAIT,
        || async { insights.get(member).await?.status.context("no status yet") },
        |s| {
            s.source == Some(InsightSource::ClusterProxy)
                && s.conditions
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status == "True")
                && s.nodes.total == nodes
                && s.pods.total == pods
        },
    )
    .await
}

/// The hub saw the operator ask `clusters/<member>/proxy`; each member saw Karmada's
/// impersonator act as the operator, and never the operator itself.
fn impersonation_in_the_audit_logs(env: &Environment, user: &str) -> Result<()> {
    let hub_log = read_log(env.hub().audit_log().context("hub audit log")?)?;
    for member in ["m1", "m2"] {
        let proxied = hub_log
            .iter()
            .filter(|e| e.username() == user && is_proxy_of(e, member))
            .count();
        ensure!(
            proxied > 0,
            "no request of {user} to clusters/{member}/proxy on the hub"
        );

        let log = read_log(env.member(member).audit_log().context("member audit log")?)?;
        let acting_as_operator: Vec<&Entry> = log
            .iter()
            .filter(|e| {
                e.impersonated_user
                    .as_ref()
                    .is_some_and(|u| u.username == user)
            })
            .collect();
        ensure!(
            !acting_as_operator.is_empty(),
            "{member} saw no request made as {user}"
        );
        let impersonator = "system:serviceaccount:karmada-cluster:karmada-impersonator";
        ensure!(
            acting_as_operator
                .iter()
                .all(|e| e.username() == impersonator),
            "{member}: requests as {user} came from someone other than Karmada's impersonator"
        );
        ensure!(
            log.iter().all(|e| e.username() != user),
            "{member}: the operator reached the member directly"
        );
        println!(
            "{member}: {proxied} proxy requests on the hub, {} requests as the operator in the member",
            acting_as_operator.len()
        );
    }
    Ok(())
}

fn is_proxy_of(entry: &Entry, member: &str) -> bool {
    entry.object_ref.as_ref().is_some_and(|o| {
        o.api_group == "cluster.karmada.io"
            && o.resource == "clusters"
            && o.subresource == "proxy"
            && o.name == member
    })
}

/// Whom the kubeconfig authenticates as, asked of the hub: the user name and the groups the
/// cluster proxy impersonates with it (Karmada leaves out `system:authenticated`).
async fn identity(kubeconfig: &std::path::Path) -> Result<(String, Vec<String>)> {
    let client = kube::Client::try_from(testenv::kubeconfig::client_config(kubeconfig).await?)?;
    let review = Api::<SelfSubjectReview>::all(client)
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await?;
    let info = review
        .status
        .and_then(|s| s.user_info)
        .context("SelfSubjectReview without user info")?;
    let user = info.username.context("no username")?;
    let groups = info
        .groups
        .unwrap_or_default()
        .into_iter()
        .filter(|g| g != "system:authenticated")
        .collect();
    Ok((user, groups))
}
