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
    // Bound by name and left to kwok, which runs it: writing its status here as well would race
    // kwok's own status writes.
    let m2 = env.member("m2").client().await?;
    testenv::join::apply_namespace(&m2, "shop").await?;
    let web = pod("shop", "web-1")
        .on_node("m2-node-1")
        .requests(&[("cpu", "1")]);
    Api::<k8s_openapi::api::core::v1::Pod>::namespaced(m2, "shop")
        .create(&PostParams::default(), &web.build())
        .await?;
    synced_through_proxy(&hub, "m2", 3, 1).await?;

    plugin_changes_a_node_as_the_user(&env, &hub, &kubeconfig).await?;
    impersonation_in_the_audit_logs(&env, &user)
}

/// `kubectl karmada-insight cordon|uncordon|label node` through the real cluster proxy, as the
/// hub's admin: the member's node changes and the insight shows it. The operator's own identity
/// may only read through the proxy, so its attempt is refused (exit code 5).
async fn plugin_changes_a_node_as_the_user(
    env: &Environment,
    hub: &kube::Client,
    operator_kubeconfig: &std::path::Path,
) -> Result<()> {
    let admin = env.hub().kubeconfig();
    let (user, groups) = identity(admin).await?;
    let m1 = env.member("m1").client().await?;
    testenv::accounts::grant_impersonation(&m1, "hub-admin-through-proxy", &user, &groups).await?;
    let plugin = tokio::task::spawn_blocking(support::plugin_binary).await??;
    let run = |kubeconfig: &std::path::Path, args: &[&str]| run_plugin(&plugin, kubeconfig, args);
    let nodes = Api::<k8s_openapi::api::core::v1::Node>::all(m1.clone());
    let insights = Api::<ClusterInsight>::all(hub.clone());
    let cordoned = |status: &ClusterInsightStatus| {
        status.node_details.items.iter().any(|n| {
            n.name == "m1-node-1"
                && n.problems
                    .contains(&karmada_manager_api::NodeProblem::Cordoned)
        })
    };

    let (code, out) = run(admin, &["cordon", "m1-node-1", "--cluster", "m1"])?;
    ensure!(
        code == 0 && out.contains("node/m1-node-1 cordoned"),
        "{code}: {out}"
    );
    let node = nodes.get("m1-node-1").await?;
    ensure!(
        node.spec.and_then(|s| s.unschedulable) == Some(true),
        "not cordoned in the member"
    );
    eventually(
        "the insight shows the cordon",
        WAIT,
        || async { insights.get("m1").await?.status.context("no status") },
        cordoned,
    )
    .await?;

    let (code, out) = run(
        admin,
        &["label", "node", "m1-node-1", "disk=ssd", "--cluster", "m1"],
    )?;
    ensure!(code == 0, "{code}: {out}");
    let labels = nodes
        .get("m1-node-1")
        .await?
        .metadata
        .labels
        .unwrap_or_default();
    ensure!(
        labels.get("disk").map(String::as_str) == Some("ssd"),
        "{labels:?}"
    );

    let (code, out) = run(admin, &["uncordon", "m1-node-1", "--cluster", "m1"])?;
    ensure!(code == 0, "{code}: {out}");
    eventually(
        "the insight shows the cordon lifted",
        WAIT,
        || async { insights.get("m1").await?.status.context("no status") },
        |s| !cordoned(s),
    )
    .await?;

    let (code, refused) = run(
        operator_kubeconfig,
        &["cordon", "m1-node-1", "--cluster", "m1"],
    )?;
    ensure!(
        code == 5 && refused.contains("forbidden"),
        "the operator's read-only identity: {code}: {refused}"
    );
    let (code, out) = run(admin, &["cordon", "no-such-node", "--cluster", "m1"])?;
    ensure!(
        code == 3 && out.contains("node no-such-node not found in cluster m1"),
        "{code}: {out}"
    );
    let (code, out) = run(admin, &["cordon", "m1-node-1", "--cluster", "m9"])?;
    ensure!(code == 3 && out.contains("no cluster m9"), "{code}: {out}");
    eprintln!(
        "kubectl karmada-insight cordon/label/uncordon through Karmada's cluster proxy: done; refused for the read-only identity: {refused}"
    );
    plugin_traces_a_pod_live(env, &plugin, &user, &groups).await
}

/// `trace pod` of a pod no placement lists reads it live, wherever it is: web-1 runs bare on
/// m2, and m1 is looked at first.
async fn plugin_traces_a_pod_live(
    env: &Environment,
    plugin: &std::path::Path,
    user: &str,
    groups: &[String],
) -> Result<()> {
    let admin = env.hub().kubeconfig();
    let m2 = env.member("m2").client().await?;
    testenv::accounts::grant_impersonation(&m2, "hub-admin-through-proxy", user, groups).await?;
    let (code, out) = run_plugin(plugin, admin, &["trace", "pod", "shop/web-1"])?;
    let bound = Api::<k8s_openapi::api::core::v1::Pod>::namespaced(m2, "shop")
        .get("web-1")
        .await?
        .spec
        .and_then(|s| s.node_name)
        .context("web-1 is not bound")?;
    ensure!(
        code == 0
            && out.contains("pod shop/web-1 (cluster m2, from the member)")
            && out.contains(&format!("node {bound}"))
            && out.contains("no controller: not a workload Karmada propagates"),
        "{code}: {out}"
    );
    eprintln!("kubectl karmada-insight trace pod shop/web-1, through the proxy:\n{out}");
    let (code, out) = run_plugin(
        plugin,
        admin,
        &["trace", "pod", "shop/ghost", "--cluster", "m1"],
    )?;
    ensure!(
        code == 3 && out.contains("pod shop/ghost not found in cluster m1"),
        "{code}: {out}"
    );
    Ok(())
}

/// Runs the plugin with `kubeconfig`: its exit code, and stdout then stderr.
fn run_plugin(
    plugin: &std::path::Path,
    kubeconfig: &std::path::Path,
    args: &[&str],
) -> Result<(i32, String)> {
    let output = std::process::Command::new(plugin)
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    Ok((output.status.code().unwrap_or(-1), text))
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

/// Whom the kubeconfig authenticates as, and the groups the cluster proxy impersonates.
async fn identity(kubeconfig: &std::path::Path) -> Result<(String, Vec<String>)> {
    let client = kube::Client::try_from(testenv::kubeconfig::client_config(kubeconfig).await?)?;
    testenv::accounts::proxied_identity(&client).await
}
