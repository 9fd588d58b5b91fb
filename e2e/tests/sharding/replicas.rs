//! The operator's replicas as processes under the chart's hub identity, told apart by their
//! `POD_NAME` (which names them in their User-Agent), and what their `/metrics` say about who
//! watches which member.

use crate::exposition::{self, Sample};
use crate::support::{Operator, chart_identity, http_get};
use crate::world::MEMBERS;
use anyhow::{Context, Result, bail, ensure};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Short lease timings, as in the leader election test, so handoffs take seconds.
pub const LEASE_DURATION: Duration = Duration::from_secs(6);
const LEASE_TIMINGS: [&str; 6] = [
    "--leader-election-lease-duration",
    "6s",
    "--leader-election-renew-deadline",
    "3s",
    "--leader-election-retry-period",
    "500ms",
];
const STARTUP: Duration = Duration::from_secs(90);

pub struct Replica {
    pub name: String,
    pub operator: Operator,
    pub address: String,
}

/// Starts a replica and waits until it serves `/metrics`, has synced its hub caches and, when
/// `sharded`, has joined the shard group.
pub async fn start(kubeconfig: &str, name: &str, sharded: bool) -> Result<Replica> {
    let mut args = vec![
        "run",
        "--kubeconfig",
        kubeconfig,
        "--write-interval",
        "200ms",
        "--admin-address",
        "127.0.0.1:0",
    ];
    let mut awaited = vec!["admin server listening", "hub caches synced"];
    if sharded {
        args.extend(["--sharding", "--leader-election-namespace"]);
        args.push(chart_identity::RELEASE_NAMESPACE);
        args.extend(LEASE_TIMINGS);
        awaited.push("joined the shard group");
    }
    let mut operator = Operator::start_with_env(&args, &[("POD_NAME", name)]).await?;
    for needle in awaited {
        if !operator.collect().iter().any(|l| l.contains(needle)) {
            operator
                .wait_for_log(needle, STARTUP)
                .await
                .with_context(|| format!("starting {name}"))?;
        }
    }
    let address = operator.admin_address()?;
    Ok(Replica {
        name: name.to_owned(),
        operator,
        address,
    })
}

impl Replica {
    /// SIGKILL: no chance to release anything.
    pub async fn kill(&mut self) -> Result<()> {
        self.operator.child.kill().await?;
        Ok(())
    }

    /// SIGTERM, as a scale-down sends; it must exit cleanly.
    pub async fn terminate(&mut self) -> Result<()> {
        let status = self.operator.terminate(Duration::from_secs(30)).await?;
        ensure!(
            status.success(),
            "{} exited with {status} on SIGTERM",
            self.name
        );
        Ok(())
    }

    async fn samples(&self) -> Result<Vec<Sample>> {
        let (code, body) = http_get(&self.address, "/metrics").await?;
        ensure!(code == 200, "/metrics of {} answered {code}", self.name);
        exposition::parse(&body)
    }

    /// Its log lines at warning level or above, for a failure message.
    pub fn complaints(&mut self) -> Vec<String> {
        let name = self.name.clone();
        self.operator
            .collect()
            .iter()
            .filter(|l| l.contains("\"WARN\"") || l.contains("\"ERROR\""))
            .map(|l| format!("{name}: {l}"))
            .collect()
    }
}

/// Which replica watches each member, as the replicas' `/metrics` say.
pub type Owners = BTreeMap<String, String>;

/// Scrapes every replica until each member is watched (and up) on exactly one of them, their
/// `karmada_manager_shard_members` sum to the member count and each sees all of them live.
/// Fails after `deadline` with what was last wrong.
pub async fn await_partition(replicas: &[Replica], deadline: Instant) -> Result<Owners> {
    loop {
        let problems = match partition(replicas).await {
            Ok(owners) => return Ok(owners),
            Err(problems) => problems,
        };
        if Instant::now() > deadline {
            bail!("the members are not shared out: {problems:#}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn partition(replicas: &[Replica]) -> Result<Owners> {
    let mut watchers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut owned = 0.0;
    let mut problems = Vec::new();
    for replica in replicas {
        let samples = replica.samples().await?;
        for sample in exposition::find(&samples, "karmada_manager_member_watch_up", &[]) {
            let member = sample.labels.get("cluster").cloned().unwrap_or_default();
            if sample.value != 1.0 {
                problems.push(format!("{} watches {member} but it is down", replica.name));
            }
            watchers
                .entry(member)
                .or_default()
                .push(replica.name.clone());
        }
        owned += gauge(&samples, "karmada_manager_shard_members").unwrap_or(0.0);
        let live = gauge(&samples, "karmada_manager_shard_replicas");
        if live != Some(replicas.len() as f64) {
            problems.push(format!(
                "{} sees {live:?} replicas, {} live",
                replica.name,
                replicas.len()
            ));
        }
    }
    if owned != MEMBERS.len() as f64 {
        problems.push(format!(
            "karmada_manager_shard_members sum to {owned}, {} members",
            MEMBERS.len()
        ));
    }
    let mut owners = Owners::new();
    for member in MEMBERS {
        match watchers.get(member).map(Vec::as_slice) {
            Some([one]) => {
                owners.insert(member.to_owned(), one.clone());
            }
            Some(many) => problems.push(format!("{member} is watched by {}", many.join(" and "))),
            None => problems.push(format!("{member} is watched by no replica")),
        }
    }
    if problems.is_empty() {
        Ok(owners)
    } else {
        bail!("{}", problems.join("; "))
    }
}

fn gauge(samples: &[Sample], name: &str) -> Option<f64> {
    exposition::find(samples, name, &[])
        .first()
        .map(|s| s.value)
}

/// Members per replica, for the summary: `replica-a 3, replica-b 4, …`.
pub fn shares(owners: &Owners) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for replica in owners.values() {
        *counts.entry(replica).or_default() += 1;
    }
    let parts: Vec<String> = counts.iter().map(|(r, n)| format!("{r} {n}")).collect();
    parts.join(", ")
}
