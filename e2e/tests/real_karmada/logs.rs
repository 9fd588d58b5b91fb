//! Scenario 9: `kubectl karmada-insight logs` through Karmada's real cluster proxy
//! (karmada-aggregated-apiserver), as the hub's admin, from the containers kwok runs: each
//! member's kube-apiserver asks kwok's kubelet API for `containerLogs`, and kwok serves every
//! container there from one file the test writes (testenv::kubelet_api). A two-container
//! Deployment propagated to both members must give every line of its member's file from every
//! container of every pod the members run, each with its `[cluster/pod/container]` prefix;
//! `--tail 1` one line per pod; `--since` drops an old line; `--cluster` keeps one member; `-f`
//! shows a line appended after it started; a member that refuses is named while the other's
//! lines still come; a container no pod has, and an unknown workload, are errors.

use crate::fleet::{Fleet, WAIT};
use crate::support::{self, eventually};
use anyhow::{Context, Result, ensure};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::api::{Api, ListParams};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use testenv::join::apply_namespace;
use testenv::karmada_objects::{self, propagation_policies};
use tokio::io::{AsyncBufReadExt, BufReader};

const NAMESPACE: &str = "logs";
const MEMBERS: [&str; 2] = ["m1", "m2"];
const CONTAINERS: [&str; 2] = ["app", "sidecar"];
/// How long a line appended to the file may take to come out of `-f`: a bound on hangs.
const FOLLOW_BOUND: Duration = Duration::from_secs(15);

/// `(cluster, pod)` of every pod the members run for the Deployment.
type Pods = BTreeSet<(String, String)>;

pub async fn scenario(fleet: &Fleet) -> Result<()> {
    let started = Instant::now();
    propagate_web(fleet).await?;
    write_logs(fleet)?;
    let pods = running_pods(fleet).await?;
    let running = started.elapsed();
    eventually(
        "the placement of web names both members",
        WAIT,
        || fleet.placement_status(NAMESPACE, "web-deployment"),
        |s| s.clusters.iter().map(|c| c.name.as_str()).eq(MEMBERS),
    )
    .await?;
    eprintln!(
        "scenario 9: web's {} pods Running after {:.1}s, its placement written after {:.1}s",
        pods.len(),
        running.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let building = Instant::now();
    let plugin = Plugin::new(fleet).await?;
    let built = building.elapsed();
    let admin = testenv::accounts::proxied_identity(&fleet.hub).await?;
    let_impersonate(fleet, "m1", &admin).await?;
    refused_member_is_named(&plugin, &pods).await?;
    let_impersonate(fleet, "m2", &admin).await?;
    every_line_of_every_container(&plugin, &pods).await?;
    tail_since_and_cluster(&plugin, &pods).await?;
    follow_shows_an_appended_line(fleet, &plugin, &pods).await?;
    bad_input(&plugin).await?;
    eprintln!(
        "scenario 9: logs through the cluster proxy checked in {:.1}s, {:.1}s of it building the plugin",
        started.elapsed().as_secs_f64(),
        built.as_secs_f64()
    );
    Ok(())
}

/// Deployment web, two containers, duplicated to both members.
async fn propagate_web(fleet: &Fleet) -> Result<()> {
    apply_namespace(&fleet.hub, NAMESPACE).await?;
    let policy = karmada_objects::propagation_policy(
        "web",
        NAMESPACE,
        ("apps/v1", "Deployment", "web"),
        json!({"clusterAffinity": {"clusterNames": MEMBERS},
               "replicaScheduling": {"replicaSchedulingType": "Duplicated"}}),
    );
    karmada_objects::apply(&fleet.hub, &propagation_policies(), &policy).await?;
    let deployments =
        kube::discovery::ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&());
    karmada_objects::apply(&fleet.hub, &deployments, &deployment()).await?;
    Ok(())
}

/// Three lines in each member's container log: one stamped two hours back, two now.
fn write_logs(fleet: &Fleet) -> Result<()> {
    for member in MEMBERS {
        let log = log_file(fleet, member)?;
        let old = Timestamp::now().checked_sub(SignedDuration::from_hours(2))?;
        testenv::kubelet_api::append(&log, old, &format!("{member} old line"))?;
        for i in 1..=2 {
            testenv::kubelet_api::append(&log, Timestamp::now(), &format!("{member} line {i}"))?;
        }
    }
    Ok(())
}

/// Lets Karmada's impersonator in `member` act as the hub's admin, as a member grants a person.
async fn let_impersonate(
    fleet: &Fleet,
    member: &str,
    (user, groups): &(String, Vec<String>),
) -> Result<()> {
    let client = fleet.member(member).await?;
    testenv::accounts::grant_impersonation(&client, "hub-admin-logs", user, groups).await
}

/// m2 does not let Karmada's impersonator act as the admin yet: its refusal is named, m1's lines
/// still come, and the exit code is 5.
async fn refused_member_is_named(plugin: &Plugin, pods: &Pods) -> Result<()> {
    let ran = plugin.run("logs deploy/web -c app").await?;
    ensure!(ran.code == 5, "exit {}: {}", ran.code, ran.stderr);
    ensure!(
        ran.stderr.contains("error: forbidden: you cannot get deployments in cluster m2 through Karmada's cluster proxy"),
        "{}",
        ran.stderr
    );
    let shown: BTreeSet<&str> = ran
        .stdout
        .lines()
        .filter_map(|l| l.split(' ').next())
        .collect();
    let m1: BTreeSet<String> = pods
        .iter()
        .filter(|(c, _)| c == "m1")
        .map(|(c, p)| format!("[{c}/{p}]"))
        .collect();
    ensure!(
        shown == m1.iter().map(String::as_str).collect(),
        "only m1's pods, all of them: {}",
        ran.stdout
    );
    eprintln!(
        "scenario 9: m2 refusing:\n$ kubectl karmada-insight logs deploy/web -n logs -c app\n{}{}",
        ran.stdout, ran.stderr
    );
    Ok(())
}

/// Every line of each member's file, from every container of every pod there.
async fn every_line_of_every_container(plugin: &Plugin, pods: &Pods) -> Result<()> {
    let ran = plugin.ok("logs deploy/web").await?;
    let mut expected = Vec::new();
    for (cluster, pod) in pods {
        for container in CONTAINERS {
            for text in ["old line", "line 1", "line 2"] {
                expected.push(format!("[{cluster}/{pod}/{container}] {cluster} {text}"));
            }
        }
    }
    ensure!(
        sorted(ran.stdout.lines()) == sorted(expected),
        "{} pods × {} containers × 3 lines expected:\n{}",
        pods.len(),
        CONTAINERS.len(),
        ran.stdout
    );
    eprintln!(
        "scenario 9: {} lines from {} pods on {MEMBERS:?}:\n$ kubectl karmada-insight logs deploy/web -n logs\n{}",
        ran.stdout.lines().count(),
        pods.len(),
        ran.stdout
    );
    Ok(())
}

/// `--tail 1`: the last line once per pod; `--since 1h`: not the old line; `--cluster m2`: only
/// m2's pods.
async fn tail_since_and_cluster(plugin: &Plugin, pods: &Pods) -> Result<()> {
    let ran = plugin.ok("logs deploy/web -c app --tail 1").await?;
    let expected: Vec<String> = pods
        .iter()
        .map(|(c, p)| format!("[{c}/{p}] {c} line 2"))
        .collect();
    ensure!(
        sorted(ran.stdout.lines()) == sorted(expected),
        "{}",
        ran.stdout
    );
    eprintln!(
        "scenario 9:\n$ kubectl karmada-insight logs deploy/web -n logs -c app --tail 1\n{}",
        ran.stdout
    );

    let ran = plugin
        .ok("logs deploy/web -c app --since 1h --cluster m2")
        .await?;
    let expected: Vec<String> = pods
        .iter()
        .filter(|(c, _)| c == "m2")
        .flat_map(|(c, p)| [1, 2].map(|i| format!("[{c}/{p}] {c} line {i}")))
        .collect();
    ensure!(
        sorted(ran.stdout.lines()) == sorted(expected),
        "{}",
        ran.stdout
    );
    Ok(())
}

/// `-f` on m1: once every pod's lines have come, a line appended to the file comes from each.
async fn follow_shows_an_appended_line(fleet: &Fleet, plugin: &Plugin, pods: &Pods) -> Result<()> {
    let mut child = plugin
        .command("logs deploy/web -c app -f --cluster m1")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let m1: Vec<String> = pods
        .iter()
        .filter(|(c, _)| c == "m1")
        .map(|(c, p)| format!("[{c}/{p}]"))
        .collect();
    let from_each = |text: &str| m1.iter().map(|p| format!("{p} m1 {text}")).collect();
    wait_for_lines(&mut lines, from_each("line 2"))
        .await
        .context("the lines already there")?;
    let appended = Instant::now();
    testenv::kubelet_api::append(
        &log_file(fleet, "m1")?,
        Timestamp::now(),
        "m1 followed line",
    )?;
    wait_for_lines(&mut lines, from_each("followed line"))
        .await
        .context("the appended line")?;
    let took = appended.elapsed();
    ensure!(child.try_wait()?.is_none(), "-f ended by itself");
    child.kill().await?;
    eprintln!(
        "scenario 9: -f showed the appended line from all {} pods of m1 {:.1} ms after it was written",
        m1.len(),
        took.as_secs_f64() * 1000.0
    );
    Ok(())
}

/// Reads lines until each of `wanted` has come, within [`FOLLOW_BOUND`].
async fn wait_for_lines<R>(
    lines: &mut tokio::io::Lines<R>,
    mut wanted: BTreeSet<String>,
) -> Result<()>
where
    R: tokio::io::AsyncBufRead + Unpin,
{
    let deadline = tokio::time::Instant::now() + FOLLOW_BOUND;
    while !wanted.is_empty() {
        let line = tokio::time::timeout_at(deadline, lines.next_line())
            .await
            .with_context(|| format!("still waiting for {wanted:?}"))??
            .with_context(|| format!("-f ended before {wanted:?}"))?;
        wanted.remove(&line);
    }
    Ok(())
}

async fn bad_input(plugin: &Plugin) -> Result<()> {
    let ran = plugin.run("logs deploy/web -c nope").await?;
    ensure!(
        ran.code == 2
            && ran.stderr.contains(
                "no pod of Deployment/web has a container \"nope\"; its containers: app, sidecar"
            ),
        "exit {}: {}",
        ran.code,
        ran.stderr
    );
    let ran = plugin.run("logs deploy/ghost").await?;
    ensure!(
        ran.code == 3 && ran.stderr.contains("no placement describes deploy/ghost"),
        "exit {}: {}",
        ran.code,
        ran.stderr
    );
    Ok(())
}

/// The pods the members run for web, once both run two, all Running.
async fn running_pods(fleet: &Fleet) -> Result<Pods> {
    eventually(
        "both members run web's two pods",
        WAIT,
        || async {
            let mut running = Pods::new();
            for member in MEMBERS {
                let pods = Api::<Pod>::namespaced(fleet.member(member).await?, NAMESPACE)
                    .list(&ListParams::default().labels("app=web"))
                    .await?;
                for pod in pods.items {
                    let phase = pod.status.and_then(|s| s.phase).unwrap_or_default();
                    if phase == "Running" {
                        running.insert((member.to_owned(), pod.metadata.name.unwrap_or_default()));
                    }
                }
            }
            Ok(running)
        },
        |running| {
            MEMBERS
                .iter()
                .all(|m| running.iter().filter(|(c, _)| c == m).count() == 2)
        },
    )
    .await
}

fn log_file(fleet: &Fleet, member: &str) -> Result<PathBuf> {
    Ok(fleet
        .env
        .kubelet_api(member)
        .context("the fleet's members run kwok")?
        .log
        .clone())
}

fn sorted<S: Into<String>>(lines: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut lines: Vec<String> = lines.into_iter().map(Into::into).collect();
    lines.sort();
    lines
}

/// The plugin binary, run with the hub admin's kubeconfig in the scenario's namespace.
struct Plugin {
    binary: PathBuf,
    kubeconfig: PathBuf,
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Plugin {
    async fn new(fleet: &Fleet) -> Result<Self> {
        Ok(Self {
            binary: tokio::task::spawn_blocking(support::plugin_binary).await??,
            kubeconfig: fleet.env.hub().kubeconfig().to_path_buf(),
        })
    }

    /// The plugin with `args` (split at spaces).
    fn command(&self, args: &str) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.binary);
        command
            .args(args.split_whitespace())
            .args(["-n", NAMESPACE, "--kubeconfig"])
            .arg(&self.kubeconfig)
            .env("NO_COLOR", "1");
        command
    }

    async fn run(&self, args: &str) -> Result<Ran> {
        let output = tokio::time::timeout(Duration::from_secs(60), self.command(args).output())
            .await
            .with_context(|| format!("{args:?} did not end within 60 s"))??;
        Ok(Ran {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout)?,
            stderr: String::from_utf8(output.stderr)?,
        })
    }

    async fn ok(&self, args: &str) -> Result<Ran> {
        let ran = self.run(args).await?;
        ensure!(
            ran.code == 0,
            "{args:?} exited {}: {}",
            ran.code,
            ran.stderr
        );
        Ok(ran)
    }
}

fn deployment() -> Value {
    let container = |name: &str| json!({"name": name, "image": name, "resources": {"requests": {"cpu": "10m"}}});
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": NAMESPACE, "labels": {"app": "web"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                "containers": CONTAINERS.map(container)}},
        },
    })
}
