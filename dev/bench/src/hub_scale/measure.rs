//! What the hub benchmark reads while the operator runs: when every WorkloadPlacement is
//! written (a watch on the hub), the operator's memory and CPU (`/proc`), and its status
//! writes (`/metrics`).

use crate::live::operator::{Operator, sum};
use crate::{cpu, memory};
use anyhow::{Context, Result, bail};
use futures::StreamExt;
use karmada_manager_api::WorkloadPlacement;
use kube::api::Api;
use kube::runtime::watcher::{self, Event};
use std::collections::HashSet;
use std::time::Duration;
use tokio::time::Instant;

/// Resolves when `expected` WorkloadPlacements have a status that places their workload on
/// two clusters; the time from `since`.
pub async fn all_written(
    hub: &kube::Client,
    expected: usize,
    since: Instant,
    timeout: Duration,
) -> Result<Duration> {
    let api: Api<WorkloadPlacement> = Api::all(hub.clone());
    let mut events = watcher::watcher(api, watcher::Config::default()).boxed();
    let mut written: HashSet<(String, String)> = HashSet::new();
    let deadline = Instant::now() + timeout;
    while written.len() < expected {
        tokio::select! {
            event = events.next() => {
                match event.context("the placement watch ended")? {
                    Ok(Event::Apply(p) | Event::InitApply(p)) => note(&mut written, &p),
                    Ok(_) => {}
                    Err(err) => eprintln!("bench: placement watch: {err}"),
                }
            }
            () = tokio::time::sleep_until(deadline) => {
                bail!("{} of {expected} placements written after {timeout:?}", written.len())
            }
        }
    }
    Ok(since.elapsed())
}

fn note(written: &mut HashSet<(String, String)>, placement: &WorkloadPlacement) {
    let placed = placement
        .status
        .as_ref()
        .is_some_and(|s| s.clusters.len() == 2);
    if placed {
        let meta = &placement.metadata;
        written.insert((
            meta.namespace.clone().unwrap_or_default(),
            meta.name.clone().unwrap_or_default(),
        ));
    }
}

/// The operator's counters and resources at one moment.
#[derive(Clone, Copy, Debug)]
pub struct Reading {
    pub at: Instant,
    pub cpu_secs: f64,
    pub rss_kib: u64,
    /// Peak RSS since the process started (`VmHWM`).
    pub hwm_kib: u64,
    pub placement_writes: f64,
    pub fleet_rebuilds: f64,
    pub fleet_rebuild_secs: f64,
}

pub async fn read(operator: &Operator) -> Result<Reading> {
    let pid = operator.pid().context("the operator has exited")?;
    let metrics = operator.metrics().await?;
    let memory = memory::of(pid)?;
    let fleet = "controller=\"fleet\"";
    Ok(Reading {
        at: Instant::now(),
        cpu_secs: cpu::process_secs(pid)?,
        rss_kib: memory.rss_kib,
        hwm_kib: memory.hwm_kib,
        placement_writes: sum(
            &metrics,
            "karmada_manager_status_writes_total",
            &["kind=\"WorkloadPlacement\"", "outcome=\"written\""],
        ),
        fleet_rebuilds: sum(
            &metrics,
            "karmada_manager_reconcile_duration_seconds_count",
            &[fleet],
        ),
        fleet_rebuild_secs: sum(
            &metrics,
            "karmada_manager_reconcile_duration_seconds_sum",
            &[fleet],
        ),
    })
}
