//! `kubectl karmada-insight dashboard` in a real browser: Debian's headless Chromium, driven
//! through ChromeDriver, against the demo fleet (`cargo xtask dev`'s) with karmada-manager
//! running. Each page must load without console errors and show the resources' own figures; a
//! pod made not ready and a node gone NotReady in a member must reach the open pages without a
//! reload. Screenshots of every page are saved in `target/test-artifacts/dashboard/`.

mod support;

use anyhow::{Context, Result, ensure};
use k8s_openapi::api::core::v1::{Node, Pod};
use karmada_manager_api::{ClusterInsight, FleetInsight, WorkloadPlacement};
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use testenv::Environment;
use testenv::browser::Browser;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// A bound on hangs, not a speed claim (the time a change took to show is printed).
const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_shows_the_resources_live_in_a_real_browser() -> Result<()> {
    let fleet = support::demo_fleet::start(WAIT).await?;
    let (env, hub, placements) = (&fleet.env, &fleet.hub, &fleet.placements);
    let (mut dashboard, url) = start_dashboard(env).await?;
    let browser = Browser::start(env.dir().join("chromedriver.log"), 1300, 1000).await?;
    let shots = artifacts()?;

    fleet_page(&browser, &url, hub).await?;
    browser.screenshot(&shots.join("fleet.png")).await?;
    cluster_page(&browser, &url, hub).await?;
    browser.screenshot(&shots.join("cluster.png")).await?;
    workload_page(&browser, &url, placements).await?;
    browser.screenshot(&shots.join("workload.png")).await?;
    live_changes(&browser, &url, env, placements).await?;
    browser
        .screenshot(&shots.join("cluster-after-node-down.png"))
        .await?;
    security(&url).await?;
    dashboard.kill().await?;
    eprintln!("screenshots in {}", shots.display());
    Ok(())
}

/// The plugin's `dashboard` on a free port; the child and the page's address.
async fn start_dashboard(env: &Environment) -> Result<(tokio::process::Child, String)> {
    let binary = tokio::task::spawn_blocking(support::plugin_binary).await??;
    let mut child = tokio::process::Command::new(binary)
        .args(["dashboard", "--port", "0", "--kubeconfig"])
        .arg(env.hub().kubeconfig())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().context("stdout")?;
    let line = BufReader::new(stdout)
        .lines()
        .next_line()
        .await?
        .context("the dashboard printed nothing")?;
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .with_context(|| format!("no address in {line:?}"))?
        .to_owned();
    Ok((child, url))
}

fn artifacts() -> Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-artifacts/dashboard");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Opens `page` and waits for its first drawing; fails on any console error.
async fn open(browser: &Browser, url: &str, page: &str, ready: &str) -> Result<()> {
    browser.goto(&format!("{url}#/{page}")).await?;
    browser
        .wait_for(
            &format!("the {page} page"),
            &format!("return document.body.dataset.draws > 0 && ({ready});"),
            WAIT,
        )
        .await?;
    let errors: Vec<String> = browser
        .console()
        .await?
        .into_iter()
        .filter(|m| m.starts_with("SEVERE") || m.starts_with("WARNING"))
        .collect();
    ensure!(errors.is_empty(), "console of the {page} page: {errors:?}");
    Ok(())
}

/// Every cluster as a tile with its Ready state and cpu allocation; the fleet's totals.
async fn fleet_page(browser: &Browser, url: &str, hub: &kube::Client) -> Result<()> {
    let insights = Api::<ClusterInsight>::all(hub.clone())
        .list(&Default::default())
        .await?;
    open(
        browser,
        url,
        "",
        "document.querySelectorAll('[data-cluster]').length > 0",
    )
    .await?;
    let tiles = browser
        .eval(
            "return [...document.querySelectorAll('.tile')].map(t => ({name: t.dataset.cluster, \
             ready: t.dataset.ready, cpu: t.querySelector('[data-resource=cpu]')?.dataset.percent}));",
        )
        .await?;
    let tiles = tiles.as_array().context("tiles")?;
    ensure!(tiles.len() == insights.items.len(), "{tiles:?}");
    for insight in &insights.items {
        let name = insight.metadata.name.as_deref().unwrap_or_default();
        let status = insight.status.as_ref().context("no status")?;
        let tile = tiles
            .iter()
            .find(|t| t["name"] == name)
            .context("no tile")?;
        let ready = status
            .conditions
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        let cpu = status
            .resources
            .get("cpu")
            .context("no cpu")?
            .allocated_percent;
        ensure!(
            tile["ready"] == ready.to_string().as_str() && tile["cpu"] == cpu.to_string().as_str(),
            "{name}: tile {tile} vs Ready {ready}, cpu {cpu}%"
        );
    }
    let fleet = Api::<FleetInsight>::all(hub.clone())
        .get(karmada_manager_api::FLEET_INSIGHT_NAME)
        .await?;
    let clusters = fleet.status.context("no fleet status")?.clusters.display;
    let shown = browser
        .eval("return document.querySelector('[data-total=clusters]').textContent;")
        .await?;
    ensure!(shown == clusters.as_str(), "clusters {shown} vs {clusters}");
    Ok(())
}

/// member1's heatmap: a cell per listed node with its problems, the omitted count.
async fn cluster_page(browser: &Browser, url: &str, hub: &kube::Client) -> Result<()> {
    let insight = Api::<ClusterInsight>::all(hub.clone())
        .get("member1")
        .await?;
    let details = insight.status.context("no status")?.node_details;
    open(
        browser,
        url,
        "cluster/member1",
        "document.querySelector('.heat') !== null",
    )
    .await?;
    let cells = browser
        .eval(
            "return [...document.querySelectorAll('.cell')].map(c => [c.dataset.node, c.dataset.problems]);",
        )
        .await?;
    let expected: Vec<Value> = details
        .items
        .iter()
        .map(|n| {
            let problems: Vec<String> = n.problems.iter().map(wire).collect();
            json!([n.name, problems.join(",")])
        })
        .collect();
    ensure!(
        cells == Value::Array(expected.clone()),
        "cells {cells} vs {expected:?}"
    );
    let omitted = browser
        .eval("return Number(document.querySelector('.heat').dataset.omitted);")
        .await?;
    // Reachable with Tab and named for a screen reader, problems in words as well as colour.
    let accessible = browser
        .eval(
            "return [...document.querySelectorAll('.cell')].every(c => c.tabIndex === 0 \
             && c.getAttribute('aria-label').startsWith(c.dataset.node + ':') \
             && (c.dataset.problems === '' || c.getAttribute('aria-label').includes(c.dataset.problems.split(',')[0])));",
        )
        .await?;
    ensure!(accessible == true, "a heatmap cell without focus or label");
    ensure!(
        omitted == details.omitted,
        "omitted {omitted} vs {}",
        details.omitted
    );
    Ok(())
}

fn wire<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// web's clusters and exactly the pods its placement lists, each with its readiness.
async fn workload_page(
    browser: &Browser,
    url: &str,
    placements: &Api<WorkloadPlacement>,
) -> Result<()> {
    let status = placements
        .get("web-deployment")
        .await?
        .status
        .context("no status")?;
    let page = "workload/WorkloadPlacement/shop/web-deployment";
    open(
        browser,
        url,
        page,
        "document.querySelectorAll('[data-target]').length > 0",
    )
    .await?;
    let shown = browser
        .eval(
            "return [...document.querySelectorAll('[data-target]')].map(t => [t.dataset.target, \
             [...t.querySelectorAll('[data-pod]')].map(p => [p.dataset.pod, p.dataset.ready]).sort()]);",
        )
        .await?;
    let expected: Vec<Value> = status
        .clusters
        .iter()
        .map(|c| {
            let mut pods: Vec<Value> = c
                .pod_list
                .iter()
                .map(|p| json!([p.name, p.ready.to_string()]))
                .collect();
            pods.sort_by_key(|p| p.to_string());
            json!([c.name, pods])
        })
        .collect();
    ensure!(
        shown == Value::Array(expected.clone()),
        "{shown} vs {expected:?}"
    );
    Ok(())
}

/// A pod made not ready reaches the open workload page, a node gone NotReady the cluster page.
async fn live_changes(
    browser: &Browser,
    url: &str,
    env: &Environment,
    placements: &Api<WorkloadPlacement>,
) -> Result<()> {
    let status = placements
        .get("web-deployment")
        .await?
        .status
        .context("no status")?;
    let member1 = status
        .clusters
        .iter()
        .find(|c| c.name == "member1")
        .context("member1")?;
    let pod = member1
        .pod_list
        .iter()
        .find(|p| p.ready)
        .context("a ready pod")?;
    let member = env.member("member1").client().await?;
    let patch = |kind_status: Value| Patch::Strategic(json!({"status": kind_status}));
    let not_ready = patch(json!({"conditions": [{"type": "Ready", "status": "False"}]}));
    let started = Instant::now();
    Api::<Pod>::namespaced(member.clone(), "shop")
        .patch_status(&pod.name, &PatchParams::default(), &not_ready)
        .await?;
    let selector = format!("[data-pod=\"{}\"]", pod.name);
    browser
        .wait_for(
            "the pod not ready",
            &format!("return document.querySelector('{selector}')?.dataset.ready === 'false';"),
            WAIT,
        )
        .await?;
    eprintln!(
        "pod {} shown not ready {:.1}s after the change",
        pod.name,
        started.elapsed().as_secs_f64()
    );

    open(
        browser,
        url,
        "cluster/member1",
        "document.querySelector('.heat') !== null",
    )
    .await?;
    let node = pod.node.clone().context("the pod's node")?;
    let down = patch(
        json!({"conditions": [{"type": "Ready", "status": "False", "reason": "KubeletStopped"}]}),
    );
    let started = Instant::now();
    Api::<Node>::all(member)
        .patch_status(&node, &PatchParams::default(), &down)
        .await?;
    browser
        .wait_for(
            "the node NotReady",
            &format!(
                "return (document.querySelector('[data-node=\"{node}\"]')?.dataset.problems || '').includes('NotReady');"
            ),
            WAIT,
        )
        .await?;
    eprintln!(
        "node {node} shown NotReady {:.1}s after the change",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Only the page's own address is served; nothing but GET; no path reaches the API server.
async fn security(url: &str) -> Result<()> {
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    let (code, _) = testenv::http::get(address, "/api/v1/namespaces").await?;
    ensure!(code == 404, "an API server path answered {code}");
    let (code, _) = testenv::http::post_json(address, "/api/fleet", &json!({})).await?;
    ensure!(code == 405, "POST answered {code}");
    let (code, body) = testenv::http::get(address, "/api/fleet").await?;
    ensure!(code == 200 && !body.contains("token"), "{code}");
    // A page of another site reaching this port through a name of its own (DNS rebinding).
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    stream
        .write_all(b"GET /api/fleet HTTP/1.0\r\nHost: evil.example:80\r\n\r\n")
        .await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    ensure!(answer.starts_with("HTTP/1.0 421"), "{answer:.80}");
    Ok(())
}
