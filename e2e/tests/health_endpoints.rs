//! What `/readyz` and `/livez` say when the hub goes away. The hub's kube-apiserver is stopped:
//! `/readyz` turns unready once the hub watches have failed for `--hub-unready-after`, `/livez`
//! stays up while a member changes (reconciles fail fast, which is progress; a restart would not
//! bring the hub back), and `/readyz` is ok again once the hub is back.
//! The hub's kube-apiserver is frozen (SIGSTOP: connections open, nothing answered) while a
//! member changes: the ClusterInsight write hangs, the next trigger waits behind it, and `/livez`
//! fails after `--wedged-after`; it recovers when the hub resumes. Figures on stderr
//! ("health: ...").

mod support;

use anyhow::{Context, Result, bail};
use karmada_manager_api::ClusterInsight;
use kube::api::Api;
use std::time::{Duration, Instant};
use support::{eventually, http_get};
use testenv::bulk;
use testenv::nodes::node;

/// Bounds a wait; generous on purpose (a shared 2-core machine): it bounds a hang, it asserts
/// no speed.
const WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread")]
async fn readyz_is_unready_while_the_hub_is_down_and_livez_stays_up() -> Result<()> {
    let mut env = support::environment(&["m1"]).await?;
    let m1 = env.member("m1").client().await?;
    bulk::create_nodes(&m1, &[node("n1")]).await?;
    let hub_unready_after = Duration::from_secs(3);
    // A short --wedged-after too: reconciles failing on a hub that is down are progress.
    let args = ["--hub-unready-after", "3s", "--wedged-after", "3s"];
    let operator = support::start_operator(&env, &args).await?;
    let address = operator.admin_address()?;
    eventually(
        "/readyz ok once synced",
        WAIT,
        || http_get(&address, "/readyz"),
        |(status, _)| *status == 200,
    )
    .await?;
    assert_eq!(http_get(&address, "/livez").await?.0, 200);

    // Timed from before the stop: the operator's watches may fail while the hub is being
    // killed, before `stop` returns.
    let stopped = Instant::now();
    env.hub_mut().stop();
    let (_, why) = poll_until(&address, "/readyz", 503, stopped).await?;
    let unready = stopped.elapsed();
    eprintln!(
        "health: readyz unready {:.1}s after the hub stopped (--hub-unready-after 3s): {}",
        unready.as_secs_f64(),
        why.trim()
    );
    assert!(
        unready >= hub_unready_after,
        "unready too early: {unready:?}"
    );
    assert!(
        why.contains("hub watches failing for longer than 3s"),
        "{why}"
    );
    // Each watch notices the hub gone at its own next read; the Cluster watch is among them.
    eventually(
        "/readyz names the Cluster watch",
        WAIT,
        || http_get(&address, "/readyz"),
        |(status, why)| *status == 503 && why.contains("Cluster for"),
    )
    .await?;
    // The hub stays down longer than --wedged-after while m1 changes, triggering reconciles
    // that fail on the hub: still unready, still alive.
    let hold = Instant::now() + Duration::from_secs(5);
    let mut created = 1;
    while Instant::now() < hold {
        created += 1;
        bulk::create_nodes(&m1, &[node(&format!("n{created}"))]).await?;
        assert_eq!(http_get(&address, "/readyz").await?.0, 503);
        let (status, why) = http_get(&address, "/livez").await?;
        assert_eq!(status, 200, "not alive without a hub: {why}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    env.hub_mut().restart().await?;
    let back = Instant::now();
    eprintln!(
        "health: the hub was down {:.1}s",
        (back - stopped).as_secs_f64()
    );
    poll_until(&address, "/readyz", 200, back).await?;
    eprintln!(
        "health: readyz ready {:.1}s after the hub was back (restarted and ready)",
        back.elapsed().as_secs_f64()
    );
    assert_eq!(http_get(&address, "/livez").await?.0, 200);
    let insights = Api::<ClusterInsight>::all(env.hub().client().await?);
    let nodes = || async {
        let insight = insights.get("m1").await?;
        Ok(insight.status.context("no status")?.nodes.total)
    };
    let total = i64::from(created);
    eventually("m1's insight current", WAIT, nodes, |t| *t == total).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn livez_fails_while_a_frozen_hub_wedges_the_cluster_controller() -> Result<()> {
    let env = support::environment(&["m1"]).await?;
    let hub = env.hub().client().await?;
    let m1 = env.member("m1").client().await?;
    bulk::create_nodes(&m1, &[node("n1")]).await?;
    let operator = support::start_operator(&env, &["--wedged-after", "3s"]).await?;
    let address = operator.admin_address()?;
    let insights = Api::<ClusterInsight>::all(hub.clone());
    let nodes = || async {
        let insight = insights.get("m1").await?;
        Ok(insight.status.context("no status yet")?.nodes.total)
    };
    eventually("m1's insight written", WAIT, nodes, |total| *total == 1).await?;
    assert_eq!(http_get(&address, "/livez").await?.0, 200);

    let frozen = Frozen::freeze(env.hub().pid().context("the hub is not running")?)?;
    let since = Instant::now();
    // Each new node triggers m1's reconcile: the first one's write hangs on the frozen hub, the
    // following triggers wait behind it.
    let mut created = 1;
    let (status, why) = loop {
        created += 1;
        bulk::create_nodes(&m1, &[node(&format!("n{created}"))]).await?;
        let answer = http_get(&address, "/livez").await?;
        if answer.0 != 200 || since.elapsed() > WAIT {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let wedged = since.elapsed();
    assert_eq!(
        status, 503,
        "/livez still ok {wedged:?} after the hub froze: {why}"
    );
    eprintln!(
        "health: livez failing {:.1}s after the hub froze (--wedged-after 3s), {} nodes created: {}",
        wedged.as_secs_f64(),
        created - 1,
        why.trim()
    );
    assert!(
        wedged >= Duration::from_secs(3),
        "wedged too early: {wedged:?}"
    );
    assert!(
        why.contains("controllers wedged") && why.contains("cluster for"),
        "{why}"
    );
    let readyz = http_get(&address, "/readyz").await?.0;
    eprintln!("health: readyz said {readyz} while the hub was frozen (no watch had failed)");

    drop(frozen);
    let resumed = Instant::now();
    poll_until(&address, "/livez", 200, resumed).await?;
    eprintln!(
        "health: livez ok {:.1}s after the hub resumed",
        resumed.elapsed().as_secs_f64()
    );
    let total = i64::from(created);
    eventually("m1's insight current", WAIT, nodes, |t| *t == total).await?;
    assert_eq!(http_get(&address, "/readyz").await?.0, 200);
    Ok(())
}

/// Polls `path` every 100 ms until it answers `status`; the body then.
async fn poll_until(
    address: &str,
    path: &str,
    status: u16,
    from: Instant,
) -> Result<(u16, String)> {
    loop {
        let answer = http_get(address, path).await?;
        if answer.0 == status {
            return Ok(answer);
        }
        if from.elapsed() > WAIT {
            bail!("{path} not {status} within {WAIT:?}; last: {answer:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A process stopped with SIGSTOP (its sockets stay open, nothing is answered), continued
/// when dropped, also when the test fails.
struct Frozen(u32);

impl Frozen {
    fn freeze(pid: u32) -> Result<Self> {
        signal("-STOP", pid)?;
        Ok(Self(pid))
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        let _ = signal("-CONT", self.0);
    }
}

fn signal(signal: &str, pid: u32) -> Result<()> {
    let status = std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()?;
    anyhow::ensure!(status.success(), "kill {signal} {pid} failed");
    Ok(())
}
