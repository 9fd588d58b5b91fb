//! `fit -f`: a what-if from each cluster's published headroom, equal to the operator's own
//! `fitReplicas` for a manifest of a workload that exists; and `-w`, drawing again on a change.

use super::{Plugin, WAIT};
use crate::support::eventually;
use anyhow::{Context, Result, ensure};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Node;
use karmada_manager_api::{ClusterInsight, WorkloadPlacement};
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde_json::{Value, json};
use std::process::Stdio;
use testenv::Environment;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The hub's own `web` Deployment, as a manifest: the what-if must give each of its clusters
/// the `fitReplicas` its placement shows; a Service beside it is skipped.
pub async fn what_if(
    plugin: &Plugin,
    env: &Environment,
    hub: &kube::Client,
    placements: &Api<WorkloadPlacement>,
) -> Result<()> {
    let mut web = Api::<Deployment>::namespaced(hub.clone(), "shop")
        .get("web")
        .await?;
    web.metadata.managed_fields = None;
    web.status = None;
    let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}});
    let manifest = env.dir().join("web.yaml");
    let text = format!(
        "{}---\n{}",
        serde_yaml_ng::to_string(&service)?,
        serde_yaml_ng::to_string(&web)?
    );
    std::fs::write(&manifest, text)?;
    let file = manifest.to_str().context("path")?;
    let agreed = eventually(
        "the what-if equals each target's fitReplicas",
        WAIT,
        || async {
            let rows: Vec<Value> =
                serde_json::from_str(&plugin.ok(&["fit", "-f", file, "-o", "json"])?)?;
            let status = placements
                .get("web-deployment")
                .await?
                .status
                .context("no status")?;
            Ok((rows, status))
        },
        |(rows, status)| {
            status.clusters.iter().all(|c| {
                rows.iter().any(|r| {
                    r["cluster"] == c.name.as_str()
                        && r["fitReplicas"].as_i64() == c.fit_replicas
                        && r["estimator"] == "Accurate"
                        && r["atLeast"] == false
                })
            })
        },
    )
    .await?;
    ensure!(agreed.1.clusters.len() == 2, "web runs on both members");
    let table = plugin.ok(&["fit", "-f", file])?;
    ensure!(table.starts_with("deployment/web: "), "{table}");
    eprintln!("kubectl karmada-insight fit -f web.yaml:\n{table}");

    // Bigger than any node: no room anywhere. On a label the headroom does not publish: no
    // accurate figure, and the note says which label.
    let huge = template_with(
        &web,
        json!({"containers": [{"name": "app", "image": "x",
        "resources": {"requests": {"cpu": "1000"}}}]}),
    )?;
    for row in what_if_rows(plugin, env, "huge", &huge)? {
        ensure!(
            row["fitReplicas"] == 0 && row["estimator"] == "Accurate",
            "{row}"
        );
    }
    let pooled = template_with(
        &web,
        json!({"nodeSelector": {"pool": "gpu"},
        "containers": [{"name": "app", "image": "x"}]}),
    )?;
    for row in what_if_rows(plugin, env, "pooled", &pooled)? {
        let note = row["note"].as_str().unwrap_or_default();
        ensure!(
            row["estimator"] != "Accurate" && note.contains("pool"),
            "{row}"
        );
    }
    headroom_counts_the_ready_nodes(env, hub).await?;
    bad_manifests(plugin, env)
}

/// member1's headroom holds every node the member reports Ready (the demo's nodes all have free
/// pod slots), in shapes whose counts add up.
async fn headroom_counts_the_ready_nodes(env: &Environment, hub: &kube::Client) -> Result<()> {
    let member = Api::<Node>::all(env.member("member1").client().await?);
    let ready = member
        .list(&ListParams::default())
        .await?
        .items
        .iter()
        .filter(|n| {
            let conditions = n.status.as_ref().and_then(|s| s.conditions.as_ref());
            conditions
                .into_iter()
                .flatten()
                .any(|c| c.type_ == "Ready" && c.status == "True")
        })
        .count();
    let insight = Api::<ClusterInsight>::all(hub.clone())
        .get("member1")
        .await?;
    let headroom = insight
        .status
        .and_then(|s| s.headroom)
        .context("member1 publishes no headroom")?;
    let shaped: i64 = headroom.shapes.iter().map(|s| s.count).sum();
    ensure!(
        headroom.nodes == i64::try_from(ready)? && shaped + headroom.omitted == headroom.nodes,
        "{ready} Ready nodes in member1: {headroom:?}"
    );
    eprintln!(
        "kubectl get clusterinsight member1 -o yaml (status.headroom):\n{}",
        serde_yaml_ng::to_string(&headroom)?
    );
    Ok(())
}

fn template_with(web: &Deployment, spec: Value) -> Result<Value> {
    let mut manifest = serde_json::to_value(web)?;
    manifest["spec"]["template"]["spec"] = spec;
    Ok(manifest)
}

fn what_if_rows(
    plugin: &Plugin,
    env: &Environment,
    name: &str,
    manifest: &Value,
) -> Result<Vec<Value>> {
    let path = env.dir().join(format!("{name}.yaml"));
    std::fs::write(&path, serde_yaml_ng::to_string(manifest)?)?;
    let out = plugin.ok(&["fit", "-f", path.to_str().context("path")?, "-o", "json"])?;
    let rows: Vec<Value> = serde_json::from_str(&out)?;
    ensure!(rows.len() == 2, "a row per cluster: {out}");
    Ok(rows)
}

/// Each bad manifest exits 8 and says what is wrong where.
fn bad_manifests(plugin: &Plugin, env: &Environment) -> Result<()> {
    let cases = [
        (
            "broken",
            "kind: Deployment\nspec: [unclosed\n",
            "document 1",
        ),
        (
            "config",
            "kind: ConfigMap\nmetadata: {name: x}\n",
            "holds no Deployment",
        ),
        (
            "quantity",
            "kind: Deployment\nmetadata: {name: q}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        resources: {requests: {cpu: lots}}\n",
            "deployment/q",
        ),
        (
            "field",
            "kind: Deployment\nspec: {replicas: many}\n",
            "spec.replicas",
        ),
    ];
    for (name, text, says) in cases {
        let path = env.dir().join(format!("{name}.yaml"));
        std::fs::write(&path, text)?;
        let (code, _, err) = plugin.run(&["fit", "-f", path.to_str().context("path")?])?;
        ensure!(
            code == 8 && err.contains(says),
            "{name}: exit {code}, {err}"
        );
    }
    let (code, _, err) = plugin.run(&["fit", "-f", "/nonexistent/web.yaml"])?;
    ensure!(
        code == 8 && err.contains("cannot read"),
        "exit {code}, {err}"
    );
    Ok(())
}

/// `top nodes -w`, piped: a node cordoned in the member shows up in a new answer.
pub async fn watch(plugin: &Plugin, env: &Environment) -> Result<()> {
    let member = env.member("member1").client().await?;
    let nodes = Api::<Node>::all(member);
    let node = nodes
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .find_map(|n| n.metadata.name)
        .context("member1 has nodes")?;
    let mut child = tokio::process::Command::new(&plugin.binary)
        .args([
            "top",
            "nodes",
            "--cluster",
            "member1",
            "-w",
            "--no-headers",
            "--kubeconfig",
        ])
        .arg(&plugin.kubeconfig)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
    let first = next_answer(&mut lines).await?;
    ensure!(first.contains(&node) && !cordoned(&first, &node), "{first}");
    let cordon = |on: bool| Patch::Merge(json!({"spec": {"unschedulable": on}}));
    nodes
        .patch(&node, &PatchParams::default(), &cordon(true))
        .await?;
    let started = std::time::Instant::now();
    let drawn = tokio::time::timeout(WAIT, async {
        loop {
            let answer = next_answer(&mut lines).await?;
            if cordoned(&answer, &node) {
                return anyhow::Ok(answer);
            }
        }
    })
    .await
    .context("no new answer showed the cordon")??;
    eprintln!(
        "top nodes -w drew the cordon of {node} {:.1}s after it:\n{drawn}",
        started.elapsed().as_secs_f64()
    );
    nodes
        .patch(&node, &PatchParams::default(), &cordon(false))
        .await?;
    child.kill().await?;
    Ok(())
}

/// The lines up to the next blank line: one answer of a piped `-w`.
async fn next_answer(
    lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
) -> Result<String> {
    let mut answer = String::new();
    while let Some(line) = lines.next_line().await? {
        if line.is_empty() {
            return Ok(answer);
        }
        answer.push_str(&line);
        answer.push('\n');
    }
    anyhow::bail!("the plugin ended: {answer}")
}

fn cordoned(answer: &str, node: &str) -> bool {
    answer
        .lines()
        .any(|l| l.split_whitespace().nth(1) == Some(node) && l.contains("Cordoned"))
}
