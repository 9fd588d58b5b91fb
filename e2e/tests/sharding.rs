//! Sharding: replicas started with `--sharding` share the members out, and hand them over
//! when one dies, joins or leaves, without a stale status or two writers.
//!
//! Nine members and a few bindings (`sharding/world.rs`). First the single replica, without
//! `--sharding`, runs through the same sequence of changes (`sharding/steps.rs`) and its
//! statuses after each are recorded: the reference. Then the world is put back, every status
//! object deleted, and the sharded replicas go through five membership changes: 3 start, the
//! busiest is SIGKILLed, a replacement starts, 3 → 5, 5 → 2 by SIGTERM. After each change the
//! world changes too (a node and pods in every member), and within the bound — lease duration,
//! plus one member sync as the single replica took, plus a margin — every member must show the
//! node, every status must equal the reference (clock fields aside) and stay so, and the
//! replicas' `/metrics` must show each member watched by exactly one of them. Once the bound
//! has passed, a second change (the node fails, the pods restart) makes every member's figures
//! be written again; the hub's audit log must show them written only by the member's watcher
//! (`sharding/writers.rs`).

mod support;

// The scrape parser; its promtool helpers are the alert test's.
#[allow(dead_code)]
#[path = "alerts/exposition.rs"]
mod exposition;
#[path = "sharding/replicas.rs"]
mod replicas;
#[path = "sharding/statuses.rs"]
mod statuses;
#[path = "sharding/steps.rs"]
mod steps;
#[path = "sharding/world.rs"]
mod world;
#[path = "sharding/writers.rs"]
mod writers;

use anyhow::{Context, Result, ensure};
use k8s_openapi::jiff::Timestamp;
use replicas::{LEASE_DURATION, Owners, Replica};
use statuses::Snapshot;
use std::time::{Duration, Instant};
use support::chart_identity;
use testenv::{EnvOptions, Environment, audit};
use world::{MEMBERS, World};
use writers::Settled;

/// Beyond lease duration and member sync: the write interval, a retry period, and the time a
/// loaded two-core machine takes to notice, list and write.
const MARGIN: Duration = Duration::from_secs(6);
/// How long statuses must stay right once converged, before the next step.
const HOLD: Duration = Duration::from_secs(2);
/// Generous: bounds a hang of the single replica, asserts nothing.
const SETTLE: Duration = Duration::from_secs(60);

enum Change {
    Start(&'static [&'static str]),
    /// SIGKILL of the replica that watches the most members.
    Kill,
    /// SIGTERM of the replicas that watch the most members, as a scale-down.
    Terminate(usize),
}

const PLAN: [(&str, Change); 5] = [
    (
        "3 replicas start",
        Change::Start(&["replica-a", "replica-b", "replica-c"]),
    ),
    ("SIGKILL", Change::Kill),
    ("a replacement starts", Change::Start(&["replica-d"])),
    ("scale 3 → 5", Change::Start(&["replica-e", "replica-f"])),
    ("scale 5 → 2 by SIGTERM", Change::Terminate(3)),
];

#[tokio::test(flavor = "multi_thread")]
async fn members_are_handed_over_without_stale_statuses_or_two_writers() -> Result<()> {
    // Built first, so that the figures measure the scenario, not a link.
    tokio::task::spawn_blocking(support::operator_binary).await??;
    let started = Instant::now();
    let env = Environment::start(EnvOptions {
        crds: karmada_manager_api::crds(),
        audit: true,
        ..EnvOptions::members(&MEMBERS)
    })
    .await?;
    let hub = env.hub().client().await?;
    let world = world::seed(&env).await?;
    let kubeconfig = chart_identity::kubeconfig(&env, "direct").await?;
    let kubeconfig = kubeconfig.display().to_string();
    let recorded = Instant::now();
    let (reference, sync) = reference(&hub, &world, &kubeconfig).await?;
    let recorded = recorded.elapsed();
    world.revert(PLAN.len()).await?;
    statuses::delete_all(&hub).await?;
    // The chart grants the shard Leases only with sharding on; the same ServiceAccount.
    let sharded = ["sharding.enabled=true"];
    let kubeconfig = chart_identity::kubeconfig_with(&env, "direct", &sharded).await?;
    let kubeconfig = kubeconfig.display().to_string();
    let bound = LEASE_DURATION + sync + MARGIN;
    eprintln!(
        "sharding: the single replica synced the 9 members in {sync:.1?} and went through the {} steps in {recorded:.1?}; bound {bound:.1?}",
        2 * PLAN.len()
    );

    let mut scenario = Scenario {
        hub,
        world,
        kubeconfig,
        reference,
        bound,
        live: Vec::new(),
        names: Vec::new(),
        owners: Owners::new(),
        periods: Vec::new(),
        figures: Vec::new(),
    };
    for (index, (label, change)) in PLAN.iter().enumerate() {
        if let Err(err) = scenario.phase(index, label, change).await {
            let logged = scenario.complaints();
            return Err(err.context(format!(
                "phase {index} ({label}); warnings the live replicas logged:\n{logged}"
            )));
        }
    }
    let log = env.hub().audit_log().context("audit log")?;
    let tallies = writers::check(&audit::read(log)?, &scenario.names, &scenario.periods)?;
    let writes: usize = tallies.iter().map(|t| t.writes).sum();
    let combined: usize = tallies.iter().map(|t| t.combined).sum();
    let summaries: usize = tallies.iter().map(|t| t.summaries).sum();
    ensure!(
        combined > 0,
        "no placement had entries written by two replicas: the test proves nothing of combining"
    );
    eprintln!(
        "sharding: 9 members, bound {bound:.1?} (lease {LEASE_DURATION:?} + member sync {sync:.1?} + margin {MARGIN:?}); {}; audit: {writes} writes of member figures in {} settled periods, each by the member's watcher only, {summaries} of summaries, each object by one replica; {combined} times a placement's entries came from several replicas; {:.0?} in all",
        scenario.figures.join("; "),
        tallies.len(),
        started.elapsed()
    );
    Ok(())
}

/// The single replica's statuses after each step, `2 * phase + touched`; and how long it took
/// to sync every member once its hub caches were synced.
async fn reference(
    hub: &kube::Client,
    world: &World,
    kubeconfig: &str,
) -> Result<(Vec<Snapshot>, Duration)> {
    let mut single = replicas::start(kubeconfig, "single", false).await?;
    let since = Instant::now();
    let nodes = i64::try_from(world::NODES.len())?;
    let seeded = (nodes, nodes);
    steps::nodes_seen(hub, seeded, since, since + SETTLE).await?;
    let sync = since.elapsed();
    let mut snapshots = Vec::new();
    for index in 0..PLAN.len() {
        let deadline = Instant::now() + SETTLE;
        world.pick_up(hub, index, Instant::now(), deadline).await?;
        let step = steps::Step {
            index,
            touched: false,
        };
        snapshots.push(statuses::settle(hub, |s| steps::reflects(s, step), SETTLE).await?);
        world.touch(hub, index, Instant::now() + SETTLE).await?;
        let step = steps::Step {
            index,
            touched: true,
        };
        snapshots.push(statuses::settle(hub, |s| steps::reflects(s, step), SETTLE).await?);
    }
    single.terminate().await?;
    Ok((snapshots, sync))
}

struct Scenario {
    hub: kube::Client,
    world: World,
    kubeconfig: String,
    reference: Vec<Snapshot>,
    bound: Duration,
    live: Vec<Replica>,
    /// Every replica started, for the audit log.
    names: Vec<String>,
    owners: Owners,
    periods: Vec<Settled>,
    figures: Vec<String>,
}

impl Scenario {
    /// One membership change, then the pick-up, the convergence and the settled period.
    async fn phase(&mut self, index: usize, label: &str, change: &Change) -> Result<()> {
        let (since, left) = self.change(change).await?;
        let (owners, figure, last) = self.pick_up(index, since).await?;
        let from = Timestamp::now();
        let touched = self.touch(index).await?;
        // A moment for a scrape to answer, not for the members to move.
        let grace = Instant::now() + Duration::from_secs(2);
        let after = replicas::await_partition(&self.live, grace).await?;
        ensure!(
            after == owners,
            "the members moved without a membership change: {owners:?} then {after:?}"
        );
        let figure = format!(
            "{label}{left} ({}): {figure}, touch {touched:.1?}",
            replicas::shares(&owners)
        );
        eprintln!("sharding: {figure}{last}");
        self.figures.push(figure);
        self.periods.push(Settled {
            label: label.to_owned(),
            from,
            to: Timestamp::now(),
            owners: owners.clone(),
        });
        self.owners = owners;
        Ok(())
    }

    /// Within the bound after the change, every member shows the new node, the statuses are
    /// the reference's and each member has one watcher; they stay so until the bound. Who
    /// watches what, the figures, and what converged last.
    async fn pick_up(&mut self, index: usize, since: Instant) -> Result<(Owners, String, String)> {
        let deadline = since + self.bound;
        let expected = &self.reference[2 * index];
        let seen = self
            .world
            .pick_up(&self.hub, index, since, deadline)
            .await?;
        let converged = statuses::converge(&self.hub, expected, since, self.bound).await?;
        let owners = replicas::await_partition(&self.live, deadline).await?;
        // Those of a replica that left too: their watcher changed.
        let moved: Vec<&str> = MEMBERS
            .into_iter()
            .filter(|m| self.owners.get(*m) != owners.get(*m))
            .collect();
        let picked_up = moved.iter().filter_map(|m| seen.get(*m)).max();
        statuses::hold(&self.hub, expected, deadline).await?;
        let figure = format!(
            "{} member(s) moved, node seen in {}, statuses as the single replica's in {:.1?}",
            moved.len(),
            picked_up.map_or("-".to_owned(), |d| format!("{d:.1?}")),
            converged.after,
        );
        let last = converged
            .last
            .map_or(String::new(), |l| format!(" (last: {l})"));
        Ok((owners, figure, last))
    }

    /// The node fails and the pods restart: every member's figures are written again, by its
    /// watcher alone. How long until the statuses were the reference's.
    async fn touch(&mut self, index: usize) -> Result<Duration> {
        let since = Instant::now();
        self.world
            .touch(&self.hub, index, since + self.bound)
            .await?;
        let expected = &self.reference[2 * index + 1];
        let touched = statuses::converge(&self.hub, expected, since, self.bound).await?;
        statuses::hold(&self.hub, expected, Instant::now() + HOLD).await?;
        Ok(touched.after)
    }

    /// Makes the change; when the handoff starts, and who left.
    async fn change(&mut self, change: &Change) -> Result<(Instant, String)> {
        match change {
            Change::Start(names) => {
                for name in *names {
                    let replica = replicas::start(&self.kubeconfig, name, true).await?;
                    self.names.push(replica.name.clone());
                    self.live.push(replica);
                }
                Ok((Instant::now(), String::new()))
            }
            Change::Kill => {
                let mut leaving = self.leave(1);
                let since = Instant::now();
                leaving[0].kill().await?;
                Ok((since, format!(" of {}", leaving[0].name)))
            }
            Change::Terminate(count) => {
                let leaving = self.leave(*count);
                let names: Vec<&str> = leaving.iter().map(|r| r.name.as_str()).collect();
                let left = format!(" of {}", names.join(", "));
                let since = Instant::now();
                let mut exits = tokio::task::JoinSet::new();
                for mut replica in leaving {
                    exits.spawn(async move { replica.terminate().await });
                }
                while let Some(exit) = exits.join_next().await {
                    exit??;
                }
                Ok((since, left))
            }
        }
    }

    /// Takes the `count` replicas watching the most members out of the live ones.
    fn leave(&mut self, count: usize) -> Vec<Replica> {
        let watched = |r: &Replica| self.owners.values().filter(|o| **o == r.name).count();
        let mut order: Vec<(usize, usize)> = self
            .live
            .iter()
            .enumerate()
            .map(|(i, r)| (watched(r), i))
            .collect();
        order.sort_by(|a, b| b.cmp(a));
        let mut chosen: Vec<usize> = order.iter().take(count).map(|(_, i)| *i).collect();
        chosen.sort_by(|a, b| b.cmp(a));
        chosen.into_iter().map(|i| self.live.remove(i)).collect()
    }

    fn complaints(&mut self) -> String {
        let lines: Vec<String> = self
            .live
            .iter_mut()
            .flat_map(|r| {
                let all = r.complaints();
                let skip = all.len().saturating_sub(20);
                all.into_iter().skip(skip)
            })
            .collect();
        lines.join("\n")
    }
}
