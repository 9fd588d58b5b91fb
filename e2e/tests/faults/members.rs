//! Many members, some of them bad: 20 real member API servers, one of which flaps (stopped and
//! restarted over and over), plus a member that hangs (accepts TCP, never answers). The healthy
//! members' insights keep following their members meanwhile, and the bad ones carry precise
//! conditions naming the problem.

use super::common::{CONVERGE, alive, condition, insight, message, no_panics};
use crate::support::{self, eventually};
use anyhow::Result;
use karmada_manager_api::{ClusterInsight, ClusterInsightStatus, FleetInsight, InsightSource};
use kube::Client;
use kube::api::{Api, ListParams};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use testenv::bulk;
use testenv::hanging::Hanging;
use testenv::join::{JoinOptions, register};
use testenv::nodes::node;

const MEMBERS: usize = 20;
const FLAPPING: &str = "m20";
const HANGING: &str = "hang";

/// Resident memory of a process, from `/proc`.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Every insight, by name.
async fn insights(hub: &Client) -> Result<BTreeMap<String, ClusterInsightStatus>> {
    let list = Api::<ClusterInsight>::all(hub.clone())
        .list(&ListParams::default())
        .await?;
    Ok(list
        .items
        .into_iter()
        .map(|i| {
            (
                i.metadata.name.unwrap_or_default(),
                i.status.unwrap_or_default(),
            )
        })
        .collect())
}

fn synced(status: &ClusterInsightStatus) -> bool {
    condition(&status.conditions, "Ready") == Some(("True", "Synced"))
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_members_one_hanging_one_flapping() -> Result<()> {
    let names: Vec<String> = (1..=MEMBERS).map(|i| format!("m{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let starting = Instant::now();
    let mut env = support::environment(&refs).await?;
    let servers = std::iter::once(env.hub()).chain(env.members());
    let rss: Vec<f64> = servers.filter_map(|s| s.pid()).map(rss_mib).collect();
    eprintln!(
        "faults: hub + {MEMBERS} members up in {:.1?}; kube-apiserver RSS {:.0} MiB in all, {:.0} MiB per server on average",
        starting.elapsed(),
        rss.iter().sum::<f64>(),
        rss.iter().sum::<f64>() / rss.len() as f64
    );
    let hub = env.hub().client().await?;
    let mut clients = BTreeMap::new();
    for name in &names {
        let client = env.member(name).client().await?;
        bulk::create_nodes(&client, &[node("n1")]).await?;
        clients.insert(name.clone(), client);
    }
    let hanging = Hanging::start().await?;
    register(
        &hub,
        HANGING,
        hanging.url(),
        "token-of-a-member-that-never-answers",
        env.hub().ca_pem(),
        &JoinOptions::default(),
    )
    .await?;

    let mut operator = support::start_operator(&env, &[]).await?;
    let started = Instant::now();
    eventually(
        "every member synced",
        CONVERGE,
        || insights(&hub),
        |all| {
            names
                .iter()
                .all(|n| all.get(n).is_some_and(|s| synced(s) && s.nodes.total == 1))
        },
    )
    .await?;
    eprintln!(
        "faults: {MEMBERS} insights synced {:.1?} after the start",
        started.elapsed()
    );
    let hang = eventually(
        "the hanging member",
        CONVERGE,
        || insight(&hub, HANGING),
        |s| condition(&s.conditions, "Ready") == Some(("False", "MemberUnreachable")),
    )
    .await?;
    eprintln!(
        "faults: hanging member MemberUnreachable {:.1?} after the start: {}",
        started.elapsed(),
        message(&hang.conditions, "Ready")
    );
    let said = message(&hang.conditions, "Ready");
    let address = hanging.url().trim_start_matches("https://");
    assert!(
        said.contains(address) && said.contains("cannot reach"),
        "{said}"
    );
    assert_eq!(
        condition(&hang.conditions, "Reconciling"),
        Some(("True", "MemberUnreachable"))
    );
    assert_eq!(hang.source, Some(InsightSource::Direct));
    assert!(hanging.connections() >= 1, "the operator did try");

    // The flapper: m20 stopped for 6 s, back for 4 s, over and over.
    let stop = Arc::new(AtomicBool::new(false));
    let cycles = Arc::new(AtomicUsize::new(0));
    let flapping_url = env.member(FLAPPING).url();
    let flapper = {
        let (stop, cycles, server) = (stop.clone(), cycles.clone(), env.member_mut(FLAPPING));
        async move {
            while !stop.load(Ordering::Relaxed) {
                server.stop();
                tokio::time::sleep(Duration::from_secs(6)).await;
                server.restart().await?;
                cycles.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_secs(4)).await;
            }
            Ok::<_, anyhow::Error>(())
        }
    };
    let watch = Watch {
        hub: &hub,
        clients: &clients,
        names: &names,
        flapping_url: &flapping_url,
        hanging_url: hanging.url(),
    };
    // Freshness of the healthy members before the flapping, to compare with during it.
    let mut states = Vec::new();
    let mut calm = Vec::new();
    for round in 0..BASELINE_ROUNDS {
        calm.push(watch.round(round, "calm", &mut states).await?);
    }
    let checks = async {
        let result = watch.while_flapping(&cycles).await;
        stop.store(true, Ordering::Relaxed);
        result
    };
    let (flapped, observed) = tokio::join!(flapper, checks);
    flapped?;
    let (flapping, flap_states) = observed?;
    eprintln!(
        "faults: {} stop/restart cycles of {FLAPPING}; {FLAPPING}'s Ready went {flap_states:?}",
        cycles.load(Ordering::Relaxed)
    );
    eprintln!(
        "faults: a node created on a healthy member was in its insight after (median / max): {:.0?} / {:.0?} in {} rounds before the flapping, {:.0?} / {:.0?} in {} rounds during it",
        median(&calm),
        calm.iter().max(),
        calm.len(),
        median(&flapping),
        flapping.iter().max(),
        flapping.len()
    );
    // A restart is an outage, never a configuration problem: a kube-apiserver answers 403
    // while its RBAC caches fill, and that must not read as a broken grant (Stalled).
    assert!(
        flap_states
            .iter()
            .all(|(_, reason)| reason == "Synced" || reason == "MemberUnreachable"),
        "{FLAPPING}'s Ready went {flap_states:?}"
    );

    // The flapper is up again: a change on it arrives.
    let flapper = env.member(FLAPPING).client().await?;
    bulk::create_nodes(&flapper, &[node("after-flapping")]).await?;
    let recovered = Instant::now();
    eventually(
        "the flapper recovered",
        CONVERGE,
        || insight(&hub, FLAPPING),
        |s| synced(s) && s.nodes.total == 2,
    )
    .await?;
    eprintln!(
        "faults: a node created on {FLAPPING} after the flapping was in its insight {:.1?} later",
        recovered.elapsed()
    );
    let fleet = Api::<FleetInsight>::all(hub.clone());
    let want = (MEMBERS as i64 + 1, MEMBERS as i64);
    eventually(
        "the fleet counts 21 clusters, 20 ready",
        CONVERGE,
        || async {
            let clusters = fleet
                .get("fleet")
                .await?
                .status
                .unwrap_or_default()
                .clusters;
            Ok((clusters.total, clusters.ready))
        },
        |counts| *counts == want,
    )
    .await?;
    let hang = insight(&hub, HANGING).await?;
    assert_eq!(
        condition(&hang.conditions, "Ready"),
        Some(("False", "MemberUnreachable"))
    );
    alive(&mut operator)?;
    no_panics(operator.collect())?;
    Ok(())
}

/// What the checks during the flapping look at.
struct Watch<'a> {
    hub: &'a Client,
    clients: &'a BTreeMap<String, Client>,
    names: &'a [String],
    flapping_url: &'a str,
    hanging_url: &'a str,
}

/// Flap cycles to sit through.
const CYCLES: usize = 3;
/// Changes timed before the flapping starts.
const BASELINE_ROUNDS: usize = 8;

fn median(delays: &[Duration]) -> Duration {
    let mut sorted = delays.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

impl Watch<'_> {
    /// While the flapper flaps (at least [`CYCLES`] times, and until it has been seen
    /// unreachable and then back): round after round a change on a healthy member, each must
    /// arrive while every healthy insight stays Synced and the hanging member stays
    /// MemberUnreachable. Returns the rounds and the flapper's Ready transitions.
    async fn while_flapping(
        &self,
        cycles: &AtomicUsize,
    ) -> Result<(Vec<Duration>, Vec<(String, String)>)> {
        let mut transitions: Vec<(String, String)> = Vec::new();
        let mut delays = Vec::new();
        loop {
            let recovered = transitions
                .iter()
                .skip_while(|(_, reason)| reason != "MemberUnreachable")
                .any(|(_, reason)| reason == "Synced");
            if cycles.load(Ordering::Relaxed) >= CYCLES && recovered {
                return Ok((delays, transitions));
            }
            anyhow::ensure!(delays.len() < 100, "{FLAPPING} went only {transitions:?}");
            delays.push(self.round(delays.len(), "flap", &mut transitions).await?);
            // Rounds are spread over the flapping, which is what they are to be observed in.
            for _ in 0..10 {
                let all = insights(self.hub).await?;
                self.check(&all, &mut transitions)?;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }

    /// One change on a healthy member (a new node): how long until its insight shows it,
    /// checking every insight on the way.
    async fn round(
        &self,
        round: usize,
        label: &str,
        transitions: &mut Vec<(String, String)>,
    ) -> Result<Duration> {
        let healthy = self.healthy();
        let name = healthy[(round * 7) % healthy.len()];
        let client = &self.clients[name.as_str()];
        bulk::create_nodes(client, &[node(&format!("{label}-round-{round}"))]).await?;
        let created = Instant::now();
        let deadline = created + CONVERGE;
        let nodes = Api::<k8s_openapi::api::core::v1::Node>::all(client.clone())
            .list(&ListParams::default())
            .await?
            .items
            .len() as i64;
        loop {
            let all = insights(self.hub).await?;
            self.check(&all, transitions)?;
            if all[name.as_str()].nodes.total == nodes {
                return Ok(created.elapsed());
            }
            anyhow::ensure!(Instant::now() < deadline, "{name}'s new node never arrived");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn healthy(&self) -> Vec<&String> {
        self.names
            .iter()
            .filter(|n| n.as_str() != FLAPPING)
            .collect()
    }

    fn check(
        &self,
        all: &BTreeMap<String, ClusterInsightStatus>,
        transitions: &mut Vec<(String, String)>,
    ) -> Result<()> {
        for name in self.healthy() {
            let s = &all[name.as_str()];
            anyhow::ensure!(
                synced(s),
                "{name} not Synced while {FLAPPING} flaps: {:?}",
                s.conditions
            );
        }
        let hang = &all[HANGING];
        anyhow::ensure!(
            condition(&hang.conditions, "Ready") == Some(("False", "MemberUnreachable"))
                && message(&hang.conditions, "Ready")
                    .contains(self.hanging_url.trim_start_matches("https://")),
            "the hanging member: {:?}",
            hang.conditions
        );
        let flap = &all[FLAPPING];
        if let Some((status, reason)) = condition(&flap.conditions, "Ready") {
            if reason == "MemberUnreachable" {
                let said = message(&flap.conditions, "Ready");
                let address = self.flapping_url.trim_start_matches("https://");
                anyhow::ensure!(said.contains(address), "{said}");
            }
            let state = (status.to_owned(), reason.to_owned());
            if transitions.last() != Some(&state) {
                transitions.push(state);
            }
        }
        Ok(())
    }
}
