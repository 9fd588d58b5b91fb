//! Processes dying under the operator: the operator itself SIGKILLed while it writes, the hub's
//! API server restarted, a member's API server restarted with etcd compacted meanwhile. Changes
//! are made while the operator cannot see them; afterwards every status must say what the
//! hub and the members hold, with nothing left over and nothing missing.

use super::common::{
    CONVERGE, alive, condition, insight, member_clients, message, metric, no_panics,
};
use super::load::{Load, NAMESPACE, converged, world_mismatches};
use crate::support::{self, eventually, http_get};
use anyhow::Result;
use karmada_manager_api::WorkloadPlacement;
use kube::api::Api;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use testenv::bulk;
use testenv::nodes::node;
use testenv::pods::pod;

const WRITTEN_WP: &str =
    r#"karmada_manager_status_writes_total{kind="WorkloadPlacement",outcome="written"}"#;
const WRITTEN_CI: &str =
    r#"karmada_manager_status_writes_total{kind="ClusterInsight",outcome="written"}"#;

/// SIGKILL in the middle of heavy status writing (30 bindings whose pods and aggregated status
/// flip continuously), changes while it is down, then a fresh start: every placement and
/// insight converges to the truth, one placement per binding, the placements of bindings
/// deleted meanwhile are deleted, no condition is stale.
#[tokio::test(flavor = "multi_thread")]
async fn a_sigkilled_operator_restarts_into_the_truth() -> Result<()> {
    let env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    let members = member_clients(&env, &["m1", "m2"]).await?;
    let seeding = Instant::now();
    let load = Load::seed(&hub, &members, 30).await?;
    eprintln!(
        "faults: seeded 30 bindings with Works and 60 pods in {:.1?}",
        seeding.elapsed()
    );
    let mut operator = support::start_operator(&env, &[]).await?;
    let started = Instant::now();
    converged(&hub, &members, &load, "the load placed").await?;
    eprintln!(
        "faults: 30 placements converged {:.1?} after start",
        started.elapsed()
    );

    let stop = Arc::new(AtomicBool::new(false));
    let churn = {
        let (mut load, stop) = (load.clone(), stop.clone());
        tokio::spawn(async move {
            let steps = load.churn(stop).await?;
            Ok::<_, anyhow::Error>((load, steps))
        })
    };
    let address = operator.admin_address()?;
    let written = |text: &str| metric(text, WRITTEN_WP) + metric(text, WRITTEN_CI);
    let before = written(&http_get(&address, "/metrics").await?.1);
    let (_, text) = eventually(
        "status writes under churn",
        CONVERGE,
        || http_get(&address, "/metrics"),
        |(_, text)| written(text) >= before + 40.0,
    )
    .await?;
    operator.child.start_kill()?;
    operator.child.wait().await?;
    eprintln!(
        "faults: SIGKILLed after {} status writes under churn",
        written(&text) - before
    );

    // The churn goes on while the operator is down, then the hub changes under it too.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut load, steps) = churn.await??;
    for name in ["w27", "w28", "w29"] {
        load.delete(name).await?;
    }
    load.add_all(&["w30".into(), "w31".into()]).await?;
    load.scale_up("w00", 0, 1).await?;
    load.set_ready("w01", 1, 0, false).await?;
    let not_ready = load
        .workloads
        .values()
        .filter(|w| w.ready() < w.desired())
        .count();
    eprintln!(
        "faults: {steps} churn steps; then 3 bindings deleted, 2 added, 1 rescheduled; {not_ready} workloads not ready"
    );

    let restarted = Instant::now();
    let mut operator = support::start_operator(&env, &[]).await?;
    converged(&hub, &members, &load, "converged after the restart").await?;
    eprintln!(
        "faults: converged {:.1?} after the restart",
        restarted.elapsed()
    );
    let placements = Api::<WorkloadPlacement>::namespaced(hub.clone(), NAMESPACE);
    for name in ["w27", "w28", "w29"] {
        let orphan = placements.get_opt(&format!("{name}-deployment")).await?;
        assert!(orphan.is_none(), "{name}'s placement outlived its binding");
    }
    // And it stays so: no late write from a stale view.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        world_mismatches(&hub, &members, &load).await?,
        Vec::<String>::new()
    );
    alive(&mut operator)?;
    no_panics(operator.collect())?;
    Ok(())
}

/// The hub's API server is stopped: the members change meanwhile (the operator sees it but
/// cannot write), etcd is compacted, and right after the restart the hub changes before the
/// operator's watches are back. Everything converges.
#[tokio::test(flavor = "multi_thread")]
async fn the_hub_restarting_loses_nothing() -> Result<()> {
    let mut env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    let members = member_clients(&env, &["m1", "m2"]).await?;
    let mut load = Load::seed(&hub, &members, 6).await?;
    let mut operator = support::start_operator(&env, &[]).await?;
    converged(&hub, &members, &load, "placed").await?;

    let before = operator
        .collect()
        .iter()
        .filter(|l| l.contains("hub watch failed"))
        .count();
    env.hub_mut().stop();
    let stopped = Instant::now();
    operator.wait_for_log("hub watch failed", CONVERGE).await?;
    assert_eq!(before, 0, "hub watch failures before the stop");
    eprintln!(
        "faults: the operator saw the hub go {:.1?} after the stop",
        stopped.elapsed()
    );
    // Member changes the operator observes but cannot write.
    load.replace_pod("w00", 0, 0).await?;
    load.replace_pod("w02", 1, 0).await?;
    bulk::create_nodes(&members[1].1, &[node("n2")]).await?;
    bulk::create_pods(
        &members[0].1,
        &[pod("other", "stray").on_node("n1").running()],
    )
    .await?;
    let revision = env.compact_etcd().await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    env.hub_mut().restart().await?;
    let restarted = Instant::now();
    eprintln!(
        "faults: hub down {:.1?}; etcd compacted at revision {revision}",
        restarted - stopped
    );
    // Hub changes right away, racing with the operator's watches coming back.
    load.delete("w05").await?;
    load.add_all(&["w06".into()]).await?;
    load.set_ready("w01", 1, 0, false).await?;

    converged(&hub, &members, &load, "converged").await?;
    eprintln!(
        "faults: converged {:.1?} after the hub restart",
        restarted.elapsed()
    );
    let placements = Api::<WorkloadPlacement>::namespaced(hub.clone(), NAMESPACE);
    assert!(placements.get_opt("w05-deployment").await?.is_none());
    alive(&mut operator)?;
    let log = operator.collect();
    let failures = log
        .iter()
        .filter(|l| l.contains("hub watch failed"))
        .count();
    let expired = log
        .iter()
        .filter(|l| l.contains("hub watch failed") && (l.contains("410") || l.contains("too old")))
        .count();
    eprintln!("faults: {failures} hub watch failures logged, {expired} of them 410 Gone");
    no_panics(log)?;
    Ok(())
}

/// A member's API server is stopped until its insight says `MemberUnreachable`, the hub
/// changes meanwhile, etcd is compacted, and the member changes right after its restart: the
/// operator's watches resume from a compacted revision (410 Gone), relist, and miss nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_member_restarting_after_compaction_loses_nothing() -> Result<()> {
    let mut env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    let members = member_clients(&env, &["m1", "m2"]).await?;
    let mut load = Load::seed(&hub, &members, 6).await?;
    let debug = [("KARMADA_MANAGER_LOG", "info,karmada_manager=debug")];
    let mut operator = support::start_operator_with_env(&env, &[], &debug).await?;
    converged(&hub, &members, &load, "placed").await?;

    let endpoint = env.member("m2").url();
    env.member_mut("m2").stop();
    let stopped = Instant::now();
    let down = eventually(
        "m2 unreachable",
        CONVERGE,
        || insight(&hub, "m2"),
        |s| condition(&s.conditions, "Ready") == Some(("False", "MemberUnreachable")),
    )
    .await?;
    eprintln!(
        "faults: m2 MemberUnreachable {:.1?} after the stop (grace 4s)",
        stopped.elapsed()
    );
    let said = message(&down.conditions, "Ready");
    assert!(
        said.contains(endpoint.trim_start_matches("https://")) && said.contains("last known"),
        "{said}"
    );
    assert_eq!(
        condition(&down.conditions, "Reconciling"),
        Some(("True", "MemberUnreachable")),
        "the operator retries: kstatus must see it in progress, as documented"
    );
    // Placements on m2 say that m2 is not observed.
    let placements = Api::<WorkloadPlacement>::namespaced(hub.clone(), NAMESPACE);
    let degraded = eventually(
        "w00 degraded",
        CONVERGE,
        || async {
            Ok(placements
                .get("w00-deployment")
                .await?
                .status
                .unwrap_or_default())
        },
        |s| condition(&s.conditions, "Degraded") == Some(("True", "MemberNotObserved")),
    )
    .await?;
    assert!(message(&degraded.conditions, "Degraded").contains("m2"));

    // The hub changes while m2 is down; etcd is compacted; m2 comes back and changes at once.
    load.delete("w05").await?;
    load.replace_pod("w01", 0, 0).await?;
    let revision = env.compact_etcd().await?;
    env.member_mut("m2").restart().await?;
    let restarted = Instant::now();
    load.replace_pod("w02", 1, 0).await?;
    bulk::create_nodes(&members[1].1, &[node("n2")]).await?;
    bulk::create_pods(
        &members[1].1,
        &[pod("other", "stray").on_node("n2").running()],
    )
    .await?;
    eprintln!(
        "faults: m2 down {:.1?}; etcd compacted at revision {revision}",
        restarted - stopped
    );
    converged(&hub, &members, &load, "converged").await?;
    eprintln!(
        "faults: converged {:.1?} after m2's restart",
        restarted.elapsed()
    );
    let back = insight(&hub, "m2").await?;
    assert_eq!(condition(&back.conditions, "Reconciling"), None);
    alive(&mut operator)?;
    let log = operator.collect();
    let failed: Vec<&String> = log
        .iter()
        .filter(|l| l.contains("member watch failed") && l.contains(&endpoint))
        .collect();
    let expired = failed
        .iter()
        .filter(|l| l.contains("410") || l.contains("too old"))
        .count();
    eprintln!(
        "faults: {} m2 watch failures logged, {expired} of them 410 Gone",
        failed.len()
    );
    assert!(!failed.is_empty(), "the outage never reached the operator");
    assert!(expired >= 1, "no watch resumed from a compacted revision");
    no_panics(log)?;
    Ok(())
}
