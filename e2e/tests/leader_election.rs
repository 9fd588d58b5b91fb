//! Never two writers. The leader reaches the hub through a proxy that the test freezes, so
//! the hub stops answering the leader only (the standby is connected directly): the leader
//! must step down within its renew deadline, the standby take over only after that, and the
//! hub's audit log must show no write by the old leader after it stepped down and no write by
//! the standby before it took the Lease. The two replicas share the chart's identity; their
//! User-Agent (which names the replica) tells them apart.

mod support;

use anyhow::{Context, Result, ensure};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::jiff::Timestamp;
use karmada_manager_api::ClusterInsight;
use kube::api::Api;
use std::time::{Duration, Instant};
use support::{Operator, chart_identity, eventually};
use testenv::audit::{self, Entry};
use testenv::nodes::node;
use testenv::tcp_proxy::TcpProxy;
use testenv::{EnvOptions, Environment, bulk};

const WAIT: Duration = Duration::from_secs(60);
const LEASE_DURATION: &str = "6s";
const RENEW_DEADLINE: &str = "3s";
const RETRY_PERIOD: &str = "500ms";

/// `run` arguments with leader election and short lease timings.
fn args(kubeconfig: &str) -> Vec<&str> {
    vec![
        "run",
        "--kubeconfig",
        kubeconfig,
        "--write-interval",
        "200ms",
        "--admin-address",
        "127.0.0.1:0",
        "--leader-elect",
        "--leader-election-namespace",
        chart_identity::RELEASE_NAMESPACE,
        "--leader-election-lease-duration",
        LEASE_DURATION,
        "--leader-election-renew-deadline",
        RENEW_DEADLINE,
        "--leader-election-retry-period",
        RETRY_PERIOD,
    ]
}

/// The audit entries of the replica named `pod` (its User-Agent names it).
fn by<'a>(entries: &'a [Entry], pod: &str) -> Vec<&'a Entry> {
    let agent = format!("({pod}_");
    entries
        .iter()
        .filter(|e| e.user_agent.contains(&agent))
        .collect()
}

fn received(entry: &Entry) -> Result<Timestamp> {
    entry
        .request_received_timestamp
        .parse()
        .with_context(|| format!("audit timestamp {:?}", entry.request_received_timestamp))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_leader_cut_off_from_the_hub_steps_down_before_the_standby_takes_over() -> Result<()> {
    let env = Environment::start(EnvOptions {
        crds: karmada_manager_api::crds(),
        audit: true,
        ..EnvOptions::members(&["m1"])
    })
    .await?;
    let hub = env.hub().client().await?;
    let m1 = env.member("m1").client().await?;
    bulk::create_nodes(&m1, &[node("n1")]).await?;

    // The chart's identity, and a copy of its kubeconfig that goes through the proxy.
    let direct = chart_identity::kubeconfig(&env, "direct").await?;
    let proxy = TcpProxy::start(format!("127.0.0.1:{}", env.hub().port()).parse()?).await?;
    let proxied = env.dir().join("leader-through-proxy.kubeconfig");
    let text = std::fs::read_to_string(&direct)?;
    let through = format!("https://{}", proxy.address());
    ensure!(text.contains(&env.hub().url()), "no hub URL in {text}");
    std::fs::write(&proxied, text.replace(&env.hub().url(), &through))?;
    let (direct, proxied) = (direct.display().to_string(), proxied.display().to_string());

    let leader_env = [("POD_NAME", "leader-a")];
    let mut leader = Operator::start_with_env(&args(&proxied), &leader_env).await?;
    leader.wait_for_log("became leader", WAIT).await?;
    let standby_env = [("POD_NAME", "standby-b")];
    let mut standby = Operator::start_with_env(&args(&direct), &standby_env).await?;
    standby.wait_for_log("another replica leads", WAIT).await?;
    let insights = Api::<ClusterInsight>::all(hub.clone());
    let total = || async {
        Ok(insights
            .get_opt("m1")
            .await?
            .and_then(|i| i.status)
            .map_or(0, |s| s.nodes.total))
    };
    eventually("the leader writes", WAIT, total, |n| *n == 1).await?;
    // Several renews go through the proxy before it freezes.
    tokio::time::sleep(Duration::from_secs(2)).await;

    proxy.freeze();
    let frozen = Instant::now();
    leader.wait_for_log("stepping down", WAIT).await?;
    let stepped_down = Timestamp::now();
    let step_down = frozen.elapsed();
    let status = leader.wait(WAIT).await?;
    ensure!(
        !status.success(),
        "a leader that lost the Lease exits with an error"
    );
    standby.wait_for_log("became leader", WAIT).await?;
    let took_over = Timestamp::now();
    let takeover = frozen.elapsed();
    ensure!(
        step_down < takeover,
        "stepped down {step_down:?} after the freeze, but the standby took over after {takeover:?}"
    );
    bulk::create_nodes(&m1, &[node("n2")]).await?;
    eventually("the new leader writes", WAIT, total, |n| *n == 2).await?;

    let log = env.hub().audit_log().context("audit log")?;
    let entries = audit::read(log)?;
    let old = by(&entries, "leader-a");
    let new = by(&entries, "standby-b");
    ensure!(
        !old.is_empty() && !new.is_empty(),
        "both replicas in the audit log"
    );
    let renews = old
        .iter()
        .filter(|e| e.verb == "update" && e.target().ends_with("leases"))
        .count();
    ensure!(
        renews >= 2,
        "the leader renewed {renews} times before the freeze"
    );
    let mut late = Vec::new();
    for entry in old.iter().filter(|e| e.is_write()) {
        if received(entry)? >= stepped_down {
            late.push(entry.target());
        }
    }
    ensure!(
        late.is_empty(),
        "the old leader wrote after stepping down: {late:?}"
    );
    let mut early = Vec::new();
    for entry in new.iter().filter(|e| e.is_write()) {
        let lease = entry.target().ends_with("leases");
        if received(entry)? < took_over && !lease {
            early.push(entry.target());
        }
    }
    ensure!(
        early.is_empty(),
        "the standby wrote before leading: {early:?}"
    );
    let leader_writes = old.iter().filter(|e| e.is_write()).count();
    let standby_writes = new.iter().filter(|e| e.is_write()).count();
    eprintln!(
        "leader election: the cut-off leader stepped down {step_down:.1?} after the freeze (renew deadline {RENEW_DEADLINE}); the standby took over {takeover:.1?} after it (lease duration {LEASE_DURATION}); audit: {leader_writes} writes by the old leader ({renews} of them renews), none after it stepped down; {standby_writes} by the new one, none but the Lease before it led"
    );
    Ok(())
}

/// The leader's wall clock is a minute behind (its `renewTime`s are a minute old when they are
/// written). A standby that judged expiry from `renewTime` would take over at once and the two
/// would flap; judged by how long the record stays unchanged on the standby's own clock, the
/// Lease never expires while the leader renews.
#[tokio::test(flavor = "multi_thread")]
async fn a_leader_with_a_skewed_clock_keeps_the_lease() -> Result<()> {
    let env = support::environment(&["m1"]).await?;
    let hub = env.hub().client().await?;
    let kubeconfig = chart_identity::kubeconfig(&env, "direct").await?;
    let kubeconfig = kubeconfig.display().to_string();
    let mut skewed: Vec<(String, String)> = testenv::faketime::skewed_clock(-1)?;
    skewed.push(("POD_NAME".into(), "skewed-a".into()));
    let skewed: Vec<(&str, &str)> = skewed
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut leader = Operator::start_with_env(&args(&kubeconfig), &skewed).await?;
    leader.wait_for_log("became leader", WAIT).await?;

    // The skew is real: the Lease says it was renewed about a minute ago.
    let leases = Api::<Lease>::namespaced(hub.clone(), chart_identity::RELEASE_NAMESPACE);
    let lease = leases.get("karmada-manager").await?;
    let renewed = lease
        .spec
        .as_ref()
        .and_then(|s| s.renew_time.as_ref())
        .context("renewTime")?;
    let behind = Timestamp::now().duration_since(renewed.0);
    ensure!(
        behind.as_secs() >= 30,
        "the leader's clock is not skewed: renewTime {behind:?} behind"
    );

    let standby_env = [("POD_NAME", "standby-b")];
    let mut standby = Operator::start_with_env(&args(&kubeconfig), &standby_env).await?;
    standby.wait_for_log("another replica leads", WAIT).await?;
    // Three lease durations: a standby judging by renewTime would have taken over by now.
    tokio::time::sleep(Duration::from_secs(18)).await;
    let standby_log = standby.collect().join("\n");
    ensure!(
        !standby_log.contains("became leader"),
        "the standby took over from a live leader"
    );
    let leader_log = leader.collect().join("\n");
    ensure!(
        !leader_log.contains("another replica took the lease")
            && !leader_log.contains("stepping down"),
        "the leader lost the lease"
    );
    let spec = leases
        .get("karmada-manager")
        .await?
        .spec
        .unwrap_or_default();
    ensure!(
        spec.holder_identity
            .as_deref()
            .is_some_and(|h| h.starts_with("skewed-a_"))
            && spec.lease_transitions == Some(0),
        "the Lease changed hands: {spec:?}"
    );
    eprintln!(
        "leader election: a leader whose clock is {}s behind kept the lease for 18 s with a standby (lease duration {LEASE_DURATION}); 0 transitions",
        behind.as_secs()
    );
    Ok(())
}
