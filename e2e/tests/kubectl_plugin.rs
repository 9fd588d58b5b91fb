//! `kubectl karmada-insight` against real API servers: the demo fleet (`cargo xtask dev`'s),
//! karmada-manager filling its resources, and the plugin's binary run the way kubectl runs it.
//! Every figure it prints is checked against the resources and the members' own objects, and
//! each bad input ends in its documented exit code with a message.

mod support;
#[path = "kubectl_plugin/what_if.rs"]
mod what_if;

use anyhow::{Context, Result, ensure};
use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use karmada_manager_api::{ClusterInsight, WorkloadPlacement};
use kube::api::{Api, ListParams, PostParams};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::eventually;
use testenv::Environment;

const WAIT: Duration = Duration::from_secs(60);

/// The plugin's binary and the kubeconfig it is given.
struct Plugin {
    binary: PathBuf,
    kubeconfig: PathBuf,
}

/// Exit code, stdout, stderr.
type Ran = (i32, String, String);

impl Plugin {
    fn run(&self, args: &[&str]) -> Result<Ran> {
        self.run_with(&self.kubeconfig, args)
    }

    fn run_with(&self, kubeconfig: &Path, args: &[&str]) -> Result<Ran> {
        let output = std::process::Command::new(&self.binary)
            .args(args)
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .env("NO_COLOR", "1")
            .output()?;
        Ok((
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stdout)?,
            String::from_utf8(output.stderr)?,
        ))
    }

    /// Runs a command that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> Result<String> {
        let (code, out, err) = self.run(args)?;
        ensure!(code == 0, "{args:?} exited {code}: {err}");
        Ok(out)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plugin_agrees_with_the_resources_and_the_members() -> Result<()> {
    let fleet = support::demo_fleet::start(WAIT).await?;
    let (env, hub, placements) = (&fleet.env, &fleet.hub, &fleet.placements);
    let plugin = Plugin {
        binary: tokio::task::spawn_blocking(support::plugin_binary).await??,
        kubeconfig: env.hub().kubeconfig().to_path_buf(),
    };

    status(&plugin, env, hub).await?;
    top(&plugin, env, hub).await?;
    where_and_fit(&plugin, env, placements).await?;
    why_and_wait(&plugin).await?;
    trace(&plugin, env).await?;
    what_if::what_if(&plugin, env, hub, placements).await?;
    what_if::watch(&plugin, env).await?;
    bad_input(&plugin, env, hub).await?;
    Ok(())
}

/// `status`: one row per cluster with the insight's node display, and the member's real pod
/// count; the workloads that are not Ready with the placement's reason.
async fn status(plugin: &Plugin, env: &Environment, hub: &kube::Client) -> Result<()> {
    let out = plugin.ok(&["status"])?;
    for insight in Api::<ClusterInsight>::all(hub.clone())
        .list(&ListParams::default())
        .await?
    {
        let name = insight.metadata.name.clone().unwrap_or_default();
        let status = insight.status.context("insight without status")?;
        let pods = Api::<Pod>::all(env.member(&name).client().await?)
            .list(&ListParams::default())
            .await?
            .items
            .len();
        let row = out
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .with_context(|| format!("no row for {name}:\n{out}"))?;
        let cells: Vec<&str> = row.split_whitespace().collect();
        ensure!(cells[1] == "True", "{row}");
        ensure!(
            cells[3] == status.nodes.display,
            "{row} vs {}",
            status.nodes.display
        );
        ensure!(
            cells[4] == pods.to_string(),
            "{row}: the member has {pods} pods"
        );
        let cpu = status
            .resources
            .get("cpu")
            .context("cpu")?
            .allocated_percent;
        ensure!(row.contains(&format!("{cpu:>3}%")), "{row}: cpu {cpu}%");
    }
    let web = out
        .lines()
        .find(|l| l.contains("Deployment/web"))
        .with_context(|| format!("web is not listed as not ready:\n{out}"))?;
    ensure!(web.contains("ReplicasNotReady"), "{web}");
    let json: Value = serde_json::from_str(&plugin.ok(&["status", "-o", "json"])?)?;
    ensure!(
        json["clusters"].as_array().map(Vec::len) == Some(2),
        "{json}"
    );
    eprintln!("kubectl karmada-insight status:\n{out}");
    Ok(())
}

/// `top nodes`: every node an insight lists, its pods (bound, as the member holds them) over
/// its capacity, most pods first.
async fn top(plugin: &Plugin, env: &Environment, hub: &kube::Client) -> Result<()> {
    let out = plugin.ok(&[
        "top",
        "nodes",
        "--cluster",
        "member1",
        "--sort",
        "pods",
        "--no-headers",
    ])?;
    let insight = Api::<ClusterInsight>::all(hub.clone())
        .get("member1")
        .await?;
    let listed = insight.status.context("no status")?.node_details.items;
    ensure!(out.lines().count() == listed.len(), "{out}");
    let pods = Api::<Pod>::all(env.member("member1").client().await?)
        .list(&ListParams::default())
        .await?;
    let mut previous = i64::MAX;
    for line in out.lines() {
        let cells: Vec<&str> = line.split_whitespace().collect();
        let node = cells[1];
        let bound = pods
            .items
            .iter()
            .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
            .count();
        let shown = line
            .split_whitespace()
            .find(|c| c.contains('/') && !c.starts_with('['))
            .context("no pods cell")?;
        let total: i64 = shown.split('/').next().unwrap_or_default().parse()?;
        ensure!(
            total == i64::try_from(bound)?,
            "{line}: the member binds {bound} pods to {node}"
        );
        ensure!(total <= previous, "not sorted by pods: {out}");
        previous = total;
    }
    let wide = plugin.ok(&["top", "clusters", "-o", "wide"])?;
    ensure!(wide.lines().count() == 3, "{wide}");
    eprintln!("kubectl karmada-insight top clusters -o wide:\n{wide}");
    eprintln!("kubectl karmada-insight top nodes --cluster member1 --sort pods:\n{out}");
    Ok(())
}

/// `where`: each target's assigned replicas, and exactly the workload's pods the member runs;
/// `fit`: the placement's own figures.
async fn where_and_fit(
    plugin: &Plugin,
    env: &Environment,
    placements: &Api<WorkloadPlacement>,
) -> Result<()> {
    let out = plugin.ok(&["where", "deploy/web", "-n", "shop"])?;
    let status = placements
        .get("web-deployment")
        .await?
        .status
        .context("no status")?;
    for cluster in &status.clusters {
        ensure!(
            out.contains(&format!("{}: {} assigned", cluster.name, cluster.replicas)),
            "{}: {out}",
            cluster.name
        );
        let member_pods: Vec<String> =
            Api::<Pod>::namespaced(env.member(&cluster.name).client().await?, "shop")
                .list(&ListParams::default())
                .await?
                .items
                .into_iter()
                .filter_map(|p| p.metadata.name)
                .filter(|n| n.starts_with("web-"))
                .collect();
        ensure!(!member_pods.is_empty(), "no web pods on {}", cluster.name);
        for pod in &member_pods {
            ensure!(
                out.contains(pod.as_str()),
                "{pod} on {} not shown:\n{out}",
                cluster.name
            );
        }
    }
    let rows: Vec<Value> =
        serde_json::from_str(&plugin.ok(&["fit", "deploy/web", "-n", "shop", "-o", "json"])?)?;
    for cluster in &status.clusters {
        let row = rows
            .iter()
            .find(|r| r["cluster"] == cluster.name.as_str())
            .with_context(|| format!("no fit row for {}", cluster.name))?;
        ensure!(
            row["fitReplicas"].as_i64() == cluster.fit_replicas,
            "{row} vs {:?}",
            cluster.fit_replicas
        );
        ensure!(row["assigned"].as_i64() == Some(cluster.replicas), "{row}");
        ensure!(
            cluster.fit_replicas.is_some_and(|f| f > 0),
            "{row}: the demo's nodes have room"
        );
    }
    eprintln!("kubectl karmada-insight where deploy/web -n shop:\n{out}");
    let table = plugin.ok(&["fit", "deploy/web", "-n", "shop"])?;
    eprintln!("kubectl karmada-insight fit deploy/web -n shop:\n{table}");
    Ok(())
}

/// `why` in sentences; `wait` returns for a ready workload and times out (exit 7) for one
/// that stays not ready.
async fn why_and_wait(plugin: &Plugin) -> Result<()> {
    let out = plugin.ok(&["why", "deploy/web", "-n", "shop"])?;
    ensure!(
        out.contains("member1 runs 8 assigned replicas (static weight 2 of 3)"),
        "{out}"
    );
    ensure!(
        out.contains("member2 runs 4 assigned replicas (static weight 1 of 3)"),
        "{out}"
    );
    let only = plugin.ok(&["why", "deploy/web", "-n", "shop", "--cluster", "member2"])?;
    ensure!(!only.contains("member1 runs"), "{only}");
    plugin.ok(&[
        "wait",
        "sts/cache",
        "-n",
        "shop",
        "--for=ready",
        "--timeout=60s",
    ])?;
    let (code, _, err) = plugin.run(&["wait", "deploy/web", "-n", "shop", "--timeout=2s"])?;
    ensure!(
        code == 7 && err.contains("ReplicasNotReady"),
        "{code}: {err}"
    );
    eprintln!("kubectl karmada-insight why deploy/web -n shop:\n{out}");
    Ok(())
}

/// `trace pod`: a pod of web's list, followed to the node the member binds it to, the node's
/// problems, the workload, its policy and the override applied on that member.
async fn trace(plugin: &Plugin, env: &Environment) -> Result<()> {
    let pod = "web-6b8f7c9d5-hz2cv";
    let out = plugin.ok(&["trace", "pod", &format!("shop/{pod}")])?;
    let bound = Api::<Pod>::namespaced(env.member("member1").client().await?, "shop")
        .get(pod)
        .await?
        .spec
        .and_then(|s| s.node_name)
        .context("the pod is not bound")?;
    for expected in [
        "(cluster member1, from the placement): Running, not ready, 3 restarts".to_owned(),
        format!("node {bound}: Ready (MemoryPressure)"),
        "workload Deployment/web: Ready=False (ReplicasNotReady)".to_owned(),
        "policy PropagationPolicy shop/web-pp".to_owned(),
        "overrides on member1: OverridePolicy shop/web-gold".to_owned(),
    ] {
        ensure!(out.contains(&expected), "{expected:?} not in:\n{out}");
    }
    eprintln!("kubectl karmada-insight trace pod shop/{pod}:\n{out}");
    Ok(())
}

/// Each bad input: its exit code and a message saying what is wrong.
async fn bad_input(plugin: &Plugin, env: &Environment, hub: &kube::Client) -> Result<()> {
    let expect = |args: &[&str], code: i32, says: &str| -> Result<()> {
        let (got, _, err) = plugin.run(args)?;
        ensure!(
            got == code && err.contains(says),
            "{args:?}: exit {got}, {err}"
        );
        Ok(())
    };
    expect(
        &["where", "deploy/nowhere", "-n", "shop"],
        3,
        "no placement describes deploy/nowhere",
    )?;
    expect(
        &["why", "deploy/web", "-n", "shop", "--cluster", "member9"],
        3,
        "member9",
    )?;
    expect(
        &["top", "nodes", "--cluster", "member9"],
        3,
        "no ClusterInsight member9",
    )?;
    expect(&["where", "web"], 2, "is not <kind>/<name>")?;
    let completion = plugin.ok(&["completion", "bash"])?;
    ensure!(
        completion.contains("kubectl-karmada_insight"),
        "completion script"
    );

    // Someone the hub knows but grants nothing.
    let nobody: ServiceAccount = serde_json::from_value(json!({"metadata": {"name": "nobody"}}))?;
    Api::<ServiceAccount>::namespaced(hub.clone(), "default")
        .create(&PostParams::default(), &nobody)
        .await?;
    let token = testenv::join::request_token_in(hub, "default", "nobody").await?;
    let denied = env.dir().join("nobody.kubeconfig");
    support::chart_identity::write_kubeconfig(
        &denied,
        &env.hub().url(),
        env.hub().ca_pem(),
        &token,
    )?;
    let (code, _, err) = plugin.run_with(&denied, &["status"])?;
    ensure!(
        code == 5 && err.contains("forbidden: you cannot get fleetinsights"),
        "{code}: {err}"
    );

    // A hub that does not answer.
    let nowhere = env.dir().join("nowhere.kubeconfig");
    // A port nothing listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let closed = format!("https://127.0.0.1:{port}");
    support::chart_identity::write_kubeconfig(&nowhere, &closed, env.hub().ca_pem(), &token)?;
    let (code, _, err) = plugin.run_with(&nowhere, &["top", "clusters", "--request-timeout=3s"])?;
    ensure!(code == 6 && err.contains("unreachable"), "{code}: {err}");

    // A hub without karmada-manager: its CRDs removed last.
    let crds = Api::<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition>::all(hub.clone());
    crds.delete(
        "clusterinsights.insight.karmada-manager.io",
        &Default::default(),
    )
    .await?;
    let gone = eventually(
        "the ClusterInsight CRD is gone",
        WAIT,
        || async { plugin.run(&["top", "clusters"]) },
        |(code, _, _)| *code == 4,
    )
    .await?;
    ensure!(
        gone.2.contains("karmada-manager is not installed"),
        "{}",
        gone.2
    );
    Ok(())
}
