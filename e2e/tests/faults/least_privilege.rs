//! Least privilege, proven from the API servers' own audit logs: the operator, with the chart's
//! hub identity and the read-only member identity `testenv::join` creates, works a load of
//! propagated workloads through a few changes, and the rarer paths (a ClusterResourceBinding, a
//! Cluster reached through the hub's cluster proxy, both deleted again with their orphans);
//! then every request it made is read back from the audit log of each server. In the members
//! it only read nodes, pods, ReplicaSets, Jobs and NodeMetrics — and wrote nothing; on the hub
//! it wrote only its own resources, Events and its leader Lease, and used every verb the chart
//! grants it there (`grants.rs`): the grants are minimal, not only sufficient.

use super::common::{CONVERGE, alive, member_clients, no_panics};
use super::grants;
use super::load::{self, Load, converged};
use crate::support::{self, chart_identity, eventually, eventually_gone};
use anyhow::{Context, Result, ensure};
use base64::Engine;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use karmada_manager_api::{ClusterInsight, ClusterWorkloadPlacement, InsightSource};
use kube::api::{Api, DeleteParams, DynamicObject};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use testenv::audit::{self, Entry};
use testenv::karmada_objects::{self as karmada, MemberReport, Template};
use testenv::nodes::node;
use testenv::pods::pod;
use testenv::{EnvOptions, Environment, bulk};

const MEMBERS: [&str; 2] = ["m1", "m2"];
/// The operator's Lease (its default name) and its default retry period.
const LEASE: &str = "karmada-manager";
const RETRY_PERIOD: Duration = Duration::from_secs(2);
/// Pods in the members that belong to no propagated workload.
const LOOSE: &str = "loose";
/// Members with a Secret are reached directly, a Cluster without one through the hub's cluster
/// proxy: the chart then grants `clusters/proxy`, and the scenario uses it.
const MODE: &str = "direct-then-proxy";
/// A Pull Cluster without Secret or endpoint, reached through the cluster proxy at the hub's
/// URL. The test hub serves Clusters from a CRD, without Karmada's aggregated proxy: it
/// authorizes each such request (the audit log records the decision) and then answers 404.
const PROXIED: &str = "proxied";

#[tokio::test(flavor = "multi_thread")]
async fn audit_logs_show_reads_only_in_members_and_own_writes_on_the_hub() -> Result<()> {
    let env = Environment::start(EnvOptions {
        crds: karmada_manager_api::crds(),
        audit: true,
        ..EnvOptions::members(&MEMBERS)
    })
    .await?;
    let hub = env.hub().client().await?;
    let members = member_clients(&env, &MEMBERS).await?;
    let mut load = Load::seed(&hub, &members, 4).await?;
    for (_, member) in &members {
        bulk::create_nodes(member, &[node("n2").zone("a").cpu("4")]).await?;
        bulk::create_pods(
            member,
            &[
                pod(LOOSE, "p-0")
                    .on_node("n2")
                    .requests(&[("cpu", "500m")])
                    .running(),
                pod(LOOSE, "p-1").on_node("n2").running().ready(false),
            ],
        )
        .await?;
    }
    let args = [
        "--connection-mode",
        MODE,
        "--leader-elect",
        "--leader-election-namespace",
        chart_identity::RELEASE_NAMESPACE,
    ];
    let mut operator = support::start_operator(&env, &args).await?;
    let started = Instant::now();
    converged(&hub, &members, &load, "converged").await?;

    // Changes on both sides: readiness, a rescheduling, a pod replaced, a workload added and
    // one removed (its placement is deleted), a node added, a loose pod gone.
    load.set_ready("w00", 0, 0, false).await?;
    load.scale_up("w01", 1, 2).await?;
    load.replace_pod("w02", 0, 0).await?;
    load.add_all(&["w04".into()]).await?;
    load.delete("w03").await?;
    bulk::create_nodes(&members[1].1, &[node("n3")]).await?;
    bulk::delete_pod(&Api::<Pod>::namespaced(members[0].1.clone(), LOOSE), "p-1").await?;
    converged(&hub, &members, &load, "converged again").await?;
    rare_paths(&env, &hub).await?;

    // Status churn (pods flipping readiness, bindings' status following) while the leader
    // renews its Lease a few times: the steady state's requests are in the logs too.
    let stop = Arc::new(AtomicBool::new(false));
    let churn = {
        let (mut load, stop) = (load.clone(), stop.clone());
        tokio::spawn(async move {
            let steps = load.churn(stop).await?;
            Ok::<_, anyhow::Error>((load, steps))
        })
    };
    let renewed = eventually(
        "three lease renewals",
        CONVERGE,
        || renewals(&hub),
        |n| *n >= 3,
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    let (churned, steps) = churn.await??;
    load = churned;
    let renewed = renewed?;
    converged(&hub, &members, &load, "converged after churn").await?;
    eprintln!("faults: {steps} churn steps while the Lease was renewed {renewed} times");
    alive(&mut operator)?;
    // A clean stop: the Lease is released and the watches end, so every request is complete.
    operator.terminate(Duration::from_secs(30)).await?;
    no_panics(&operator.log)?;
    eprintln!(
        "faults: the operator ran {:.1?}, converging three times; reading the audit logs",
        started.elapsed()
    );

    for name in MEMBERS {
        check_member(&env, name)?;
    }
    check_hub(&env).await?;
    Ok(())
}

/// What the load does not do: a ClusterResourceBinding (the load's Namespace claimed by a
/// ClusterPropagationPolicy) gets its ClusterWorkloadPlacement and a Cluster without Secret its
/// ClusterInsight, through the cluster proxy; then Karmada deletes both, and the operator their
/// orphans.
async fn rare_paths(env: &Environment, hub: &kube::Client) -> Result<()> {
    let policy = json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "ClusterPropagationPolicy",
        "metadata": {"name": "namespaces"},
        "spec": {"resourceSelectors": [{"apiVersion": "v1", "kind": "Namespace"}],
                 "placement": {"clusterAffinity": {"clusterNames": MEMBERS}}},
    });
    karmada::apply(hub, &karmada::cluster_propagation_policies(), &policy).await?;
    let namespace = Api::<Namespace>::all(hub.clone())
        .get(load::NAMESPACE)
        .await?;
    let template = Template {
        api_version: "v1".into(),
        kind: "Namespace".into(),
        namespace: None,
        name: load::NAMESPACE.into(),
        uid: namespace.metadata.uid.context("a Namespace without uid")?,
    };
    let clusters: Vec<(&str, i64)> = MEMBERS.iter().map(|m| (*m, 0)).collect();
    let binding = karmada::binding(&template, &policy, "namespace-permanent-id", 0, &clusters);
    let reports: Vec<MemberReport> = MEMBERS.iter().map(|m| MemberReport::healthy(m)).collect();
    karmada::apply_binding(hub, &binding, |g| karmada::scheduled_status(g, &reports)).await?;
    let cluster = json!({
        "apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
        "metadata": {"name": PROXIED}, "spec": {"syncMode": "Pull"},
    });
    karmada::apply(hub, &testenv::join::cluster_resource(), &cluster).await?;

    let name = template.binding_name();
    let placements = Api::<ClusterWorkloadPlacement>::all(hub.clone());
    eventually(
        "the ClusterWorkloadPlacement written",
        CONVERGE,
        || async { Ok(placements.get_opt(&name).await?.and_then(|p| p.status)) },
        Option::is_some,
    )
    .await?;
    let insights = Api::<ClusterInsight>::all(hub.clone());
    eventually(
        "the proxied Cluster's ClusterInsight",
        CONVERGE,
        || async {
            let insight = insights.get_opt(PROXIED).await?;
            Ok(insight.and_then(|i| i.status).and_then(|s| s.source))
        },
        |source| *source == Some(InsightSource::ClusterProxy),
    )
    .await?;
    let (log, user) = (env.hub().audit_log(), chart_user(env)?);
    eventually(
        "a request through the cluster proxy in the hub's audit log",
        CONVERGE,
        || async { Ok(through_proxy(&read_log(log)?, &user)) },
        |n| *n > 0,
    )
    .await?;

    Api::<DynamicObject>::all_with(hub.clone(), &karmada::cluster_resource_bindings())
        .delete(&name, &DeleteParams::default())
        .await?;
    testenv::join::cluster_api(hub)
        .delete(PROXIED, &DeleteParams::default())
        .await?;
    eventually_gone("the orphaned ClusterWorkloadPlacement", &placements, &name).await?;
    eventually_gone("the orphaned ClusterInsight", &insights, PROXIED).await?;
    Ok(())
}

/// How many of `user`'s requests went through the cluster proxy to [`PROXIED`].
fn through_proxy(entries: &[Entry], user: &str) -> usize {
    audit::requests(entries)
        .into_iter()
        .filter(|e| e.username() == user)
        .filter(|e| {
            e.object_ref.as_ref().is_some_and(|o| {
                o.resource == "clusters" && o.subresource == "proxy" && o.name == PROXIED
            })
        })
        .count()
}

/// How often the leader renewed its Lease since it acquired it (whole retry periods between
/// `acquireTime` and `renewTime`).
async fn renewals(hub: &kube::Client) -> Result<i64> {
    let leases = Api::<Lease>::namespaced(hub.clone(), chart_identity::RELEASE_NAMESPACE);
    let spec = leases.get(LEASE).await?.spec.unwrap_or_default();
    let (Some(acquired), Some(renewed)) = (spec.acquire_time, spec.renew_time) else {
        return Ok(0);
    };
    let span = renewed.0.as_millisecond() - acquired.0.as_millisecond();
    Ok(span / RETRY_PERIOD.as_millis() as i64)
}

/// In member `name`, its ServiceAccount only read what the operator needs, and read something.
fn check_member(env: &Environment, name: &str) -> Result<()> {
    let user = format!(
        "system:serviceaccount:{}:karmada-{name}",
        testenv::join::KARMADA_CLUSTER_NAMESPACE
    );
    let entries = read_log(env.member(name).audit_log())?;
    let all = audit::requests(&entries);
    let ours: Vec<&Entry> = all
        .iter()
        .copied()
        .filter(|e| e.username() == user)
        .collect();
    let unexpected: Vec<String> = ours
        .iter()
        .filter(|e| !member_read(e))
        .map(|e| describe(e))
        .collect();
    let writes = ours.iter().filter(|e| e.is_write()).count();
    eprintln!(
        "faults: member {name}: {} of {} requests by {user} checked, {writes} writes, {} outside the allowed reads; {}",
        ours.len(),
        all.len(),
        unexpected.len(),
        tally(&ours)
    );
    ensure!(
        !ours.is_empty(),
        "no request by {user} in the audit log of {name}: the check would pass vacuously"
    );
    ensure!(
        unexpected.is_empty(),
        "in member {name}, {user} made requests beyond reading nodes, pods, ReplicaSets, Jobs and NodeMetrics:\n{}",
        unexpected.join("\n")
    );
    Ok(())
}

/// get/list/watch of nodes, pods, ReplicaSets, Jobs or NodeMetrics.
fn member_read(entry: &Entry) -> bool {
    let Some(o) = &entry.object_ref else {
        return false;
    };
    let read = matches!(entry.verb.as_str(), "get" | "list" | "watch");
    let allowed = matches!(
        (o.api_group.as_str(), o.resource.as_str()),
        ("", "nodes" | "pods")
            | ("apps", "replicasets")
            | ("batch", "jobs")
            | ("metrics.k8s.io", "nodes")
    );
    read && allowed && o.subresource.is_empty()
}

/// On the hub, the chart identity wrote only its own resources, Events and Leases, and used
/// every verb the chart grants it.
async fn check_hub(env: &Environment) -> Result<()> {
    let user = chart_user(env)?;
    let entries = read_log(env.hub().audit_log())?;
    let all = audit::requests(&entries);
    let ours: Vec<&Entry> = all
        .iter()
        .copied()
        .filter(|e| e.username() == user)
        .collect();
    let (writes, reads): (Vec<&Entry>, Vec<&Entry>) = ours.iter().partition(|e| e.is_write());
    let unexpected: Vec<String> = writes
        .iter()
        .filter(|e| !hub_write_allowed(e))
        .map(|e| describe(e))
        .collect();
    // The chart grants Secrets in the cluster Secret namespace only; the operator asks for no
    // others.
    let secrets_elsewhere: Vec<String> = reads
        .iter()
        .filter(|e| {
            e.object_ref.as_ref().is_some_and(|o| {
                o.api_group.is_empty()
                    && o.resource == "secrets"
                    && o.namespace != testenv::join::KARMADA_CLUSTER_NAMESPACE
            })
        })
        .map(|e| describe(e))
        .collect();
    let denied: Vec<String> = ours
        .iter()
        .filter(|e| e.code() == Some(403))
        .map(|e| describe(e))
        .collect();
    eprintln!(
        "faults: hub: {} of {} requests by {user} checked, {} writes ({} outside its own resources, events and leases), {} denied",
        ours.len(),
        all.len(),
        writes.len(),
        unexpected.len(),
        denied.len()
    );
    eprintln!("faults: hub writes: {}", tally(&writes));
    eprintln!("faults: hub reads: {}", tally(&reads));
    if !denied.is_empty() {
        eprintln!("faults: hub requests denied:\n{}", denied.join("\n"));
    }
    ensure!(
        !writes.is_empty(),
        "no write by {user} in the hub's audit log: the check would pass vacuously"
    );
    ensure!(
        secrets_elsewhere.is_empty(),
        "on the hub, {user} read Secrets outside {}:\n{}",
        testenv::join::KARMADA_CLUSTER_NAMESPACE,
        secrets_elsewhere.join("\n")
    );
    ensure!(
        unexpected.is_empty(),
        "on the hub, {user} wrote beyond its own resources, events and leases:\n{}",
        unexpected.join("\n")
    );

    let rendered = chart_identity::render(MODE).await?;
    let figures = grants::check(&rendered, &ours)?;
    let other: Vec<&Entry> = ours
        .iter()
        .copied()
        .filter(|e| e.object_ref.is_none())
        .collect();
    eprintln!(
        "faults: hub grants: {} resource requests used {} distinct (group, resource, verb), the chart grants {}: every grant used; {}",
        figures.requests, figures.used, figures.granted, figures.table
    );
    eprintln!(
        "faults: hub requests outside the chart's grants (Kubernetes' discovery roles): {}",
        tally(&other)
    );
    Ok(())
}

fn hub_write_allowed(entry: &Entry) -> bool {
    let Some(o) = &entry.object_ref else {
        return false;
    };
    match (o.api_group.as_str(), o.resource.as_str()) {
        (karmada_manager_api::GROUP, _) => true,
        ("events.k8s.io", "events") => o.subresource.is_empty(),
        ("coordination.k8s.io", "leases") => o.subresource.is_empty(),
        _ => false,
    }
}

/// The user the chart identity's token authenticates as: its `sub` claim.
fn chart_user(env: &Environment) -> Result<String> {
    let token = chart_identity::token(env, MODE)?;
    let claims = token.split('.').nth(1).context("the token is no JWT")?;
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims)?;
    let claims: serde_json::Value = serde_json::from_slice(&claims)?;
    claims["sub"]
        .as_str()
        .map(str::to_owned)
        .context("no sub claim in the token")
}

fn read_log(path: Option<&Path>) -> Result<Vec<Entry>> {
    audit::read(path.context("the environment was started without audit logs")?)
}

/// `verb target namespace/name -> code`.
fn describe(entry: &Entry) -> String {
    let object = entry
        .object_ref
        .as_ref()
        .map(|o| format!(" {}/{}", o.namespace, o.name))
        .unwrap_or_default();
    format!(
        "{} {}{object} -> {:?} ({})",
        entry.verb,
        entry.target(),
        entry.code(),
        entry.request_uri
    )
}

/// `verb target ×count`, sorted, comma-separated; with the status code when it is no success,
/// e.g. `list metrics.k8s.io/nodes (404) ×1`.
fn tally(entries: &[&Entry]) -> String {
    let mut counts: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for entry in entries {
        let code = match entry.code() {
            Some(200..=299) => String::new(),
            Some(code) => format!(" ({code})"),
            None => " (no answer)".to_string(),
        };
        *counts
            .entry((entry.verb.clone(), entry.target(), code))
            .or_default() += 1;
    }
    counts
        .iter()
        .map(|((verb, target, code), n)| format!("{verb} {target}{code} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
