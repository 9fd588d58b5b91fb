//! Least privilege, proven from the API servers' own audit logs: the operator, with the chart's
//! hub identity and the read-only member identity `testenv::join` creates, works a load of
//! propagated workloads through a few changes; then every request it made is read back from
//! the audit log of each server. In the members it only read nodes, pods, ReplicaSets, Jobs
//! and NodeMetrics — and wrote nothing; on the hub it wrote only its own resources, Events and
//! its leader Lease.

use super::common::{CONVERGE, alive, member_clients, no_panics};
use super::load::{Load, converged};
use crate::support::{self, chart_identity, eventually};
use anyhow::{Context, Result, ensure};
use base64::Engine;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use testenv::audit::{self, Entry};
use testenv::nodes::node;
use testenv::pods::pod;
use testenv::{EnvOptions, Environment, bulk};

const MEMBERS: [&str; 2] = ["m1", "m2"];
/// The operator's Lease (its default name) and its default retry period.
const LEASE: &str = "karmada-manager";
const RETRY_PERIOD: Duration = Duration::from_secs(2);
/// Pods in the members that belong to no propagated workload.
const LOOSE: &str = "loose";

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
    let lease = [
        "--leader-elect",
        "--leader-election-namespace",
        chart_identity::RELEASE_NAMESPACE,
    ];
    let mut operator = support::start_operator(&env, &lease).await?;
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
    check_hub(&env)?;
    Ok(())
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

/// On the hub, the chart identity wrote only its own resources, Events and Leases.
fn check_hub(env: &Environment) -> Result<()> {
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
    Ok(())
}

fn hub_write_allowed(entry: &Entry) -> bool {
    let Some(o) = &entry.object_ref else {
        return false;
    };
    match (o.api_group.as_str(), o.resource.as_str()) {
        (karmada_manager_api::GROUP, _) => true,
        ("" | "events.k8s.io", "events") => o.subresource.is_empty(),
        ("coordination.k8s.io", "leases") => o.subresource.is_empty(),
        _ => false,
    }
}

/// The user the chart identity's token authenticates as: its `sub` claim.
fn chart_user(env: &Environment) -> Result<String> {
    let token = chart_identity::token(env, "direct")?;
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
