//! What the turns for a member's first list buy: interleaved pairs of the whole fleet's
//! initial sync by a fresh operator with `--member-sync-concurrency N` and by one with no
//! limit (`0`), each followed by a settle window. The order within a pair
//! alternates, so that neither variant always runs on a machine the other just warmed.

use super::hub;
use super::replicas::{self, Start};
use super::testbed::Testbed;
use crate::live::operator::Launch;
use crate::paired::{PairedRatio, per_pair};
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;
use tokio::time::Instant;

/// How long RSS is sampled after the sync: steady RSS is the median over it.
const SETTLE: Duration = Duration::from_secs(30);

/// One fleet sync by one fresh operator.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Run {
    pub wall_seconds: f64,
    pub cpu_seconds: f64,
    /// `VmHWM` at the end of the settle window.
    pub peak_rss_mib: f64,
    /// The median RSS over the settle window.
    pub steady_rss_mib: f64,
}

#[derive(Debug, Serialize)]
pub struct FirstListPairs {
    /// `--member-sync-concurrency` of the runs with turns.
    pub turns: u16,
    pub with_turns: Vec<Run>,
    pub without_limit: Vec<Run>,
    /// With turns ÷ without a limit, per pair.
    pub peak_rss: PairedRatio,
    pub steady_rss: PairedRatio,
    pub wall: PairedRatio,
    pub cpu: PairedRatio,
}

/// `pairs` interleaved pairs of the fleet's initial sync (every member registered).
pub async fn pairs(
    bed: &Testbed,
    turns: u16,
    pairs: usize,
    timeout: Duration,
    log: &Path,
) -> Result<FirstListPairs> {
    let (mut with_turns, mut without_limit) = (Vec::new(), Vec::new());
    for pair in 1..=pairs {
        let turns_first = pair % 2 == 1;
        for limited in [turns_first, !turns_first] {
            let concurrency = if limited { turns } else { 0 };
            let run = one_sync(bed, concurrency, timeout, log).await?;
            eprintln!(
                "bench:   pair {pair}/{pairs}, --member-sync-concurrency {concurrency}: {run:?}"
            );
            if limited {
                with_turns.push(run);
            } else {
                without_limit.push(run);
            }
        }
    }
    let ratio = |figure: fn(&Run) -> f64| {
        let pairs: Vec<(f64, f64)> = with_turns
            .iter()
            .zip(&without_limit)
            .map(|(ours, base)| (figure(ours), figure(base)))
            .collect();
        PairedRatio::of(&pairs).context("no pair")
    };
    Ok(FirstListPairs {
        turns,
        peak_rss: ratio(|r| r.peak_rss_mib)?,
        steady_rss: ratio(|r| r.steady_rss_mib)?,
        wall: ratio(|r| r.wall_seconds)?,
        cpu: ratio(|r| r.cpu_seconds)?,
        with_turns,
        without_limit,
    })
}

/// A fresh operator with `--member-sync-concurrency concurrency` syncs the whole fleet, then
/// settles for [`SETTLE`].
async fn one_sync(bed: &Testbed, concurrency: u16, timeout: Duration, log: &Path) -> Result<Run> {
    hub::delete_insights(&bed.hub).await?;
    let start = Start {
        launch: Launch {
            args: vec!["--member-sync-concurrency".into(), concurrency.to_string()],
            env: vec![],
        },
        log: log.to_owned(),
    };
    let (group, synced) = replicas::start_and_sync(bed, &[start], timeout).await?;
    let settled_from = Instant::now();
    tokio::time::sleep(SETTLE).await;
    let replica = &group[0];
    let end = replica.usage.now()?;
    let run = Run {
        wall_seconds: synced.wall_seconds,
        cpu_seconds: synced.replicas[0].cpu_seconds,
        peak_rss_mib: end.peak_rss_mib,
        steady_rss_mib: replica.usage.median_rss_since(settled_from),
    };
    replicas::stop(group).await?;
    Ok(run)
}

impl FirstListPairs {
    pub fn print(&self) {
        let figures =
            |runs: &[Run], f: fn(&Run) -> f64| per_pair(&runs.iter().map(f).collect::<Vec<_>>());
        println!(
            "  {} at once: peak RSS {} MiB, steady {} MiB, sync {} s",
            self.turns,
            figures(&self.with_turns, |r| r.peak_rss_mib),
            figures(&self.with_turns, |r| r.steady_rss_mib),
            figures(&self.with_turns, |r| r.wall_seconds)
        );
        println!(
            "  no limit:  peak RSS {} MiB, steady {} MiB, sync {} s",
            figures(&self.without_limit, |r| r.peak_rss_mib),
            figures(&self.without_limit, |r| r.steady_rss_mib),
            figures(&self.without_limit, |r| r.wall_seconds)
        );
        println!(
            "  {} at once ÷ no limit: peak RSS {}, steady RSS {}, sync wall {}, sync CPU {}",
            self.turns,
            self.peak_rss.describe(2),
            self.steady_rss.describe(2),
            self.wall.describe(2),
            self.cpu.describe(2)
        );
    }
}
