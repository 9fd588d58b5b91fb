//! The hub benchmark's figures, and how a human reads them.

use super::HubResult;
use super::measure::Reading;
use crate::paired::Line;
use serde::Serialize;

/// From the operator's start until every WorkloadPlacement was written.
#[derive(Debug, Serialize)]
pub struct FirstWrite {
    pub workloads: usize,
    pub seconds: f64,
    pub placements_per_sec: f64,
    /// The operator's CPU seconds (user + system) from its start to that moment.
    pub cpu_secs: f64,
    pub peak_rss_mib: f64,
}

impl std::fmt::Display for FirstWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} placements written {:.1} s after the operator's start ({:.0}/s), {:.1} CPU s, peak RSS {:.0} MiB",
            self.workloads, self.seconds, self.placements_per_sec, self.cpu_secs, self.peak_rss_mib
        )
    }
}

/// One churn window on one hub.
#[derive(Clone, Debug, Serialize)]
pub struct Window {
    pub workloads: usize,
    pub changed: usize,
    pub seconds: f64,
    pub cpu_secs_per_min: f64,
    pub writes_per_min: f64,
    pub fleet_rebuilds: f64,
    /// Mean time of one FleetInsight reconcile in the window (build and write).
    pub fleet_rebuild_ms: f64,
    pub rss_mib: f64,
}

impl Window {
    pub fn between(workloads: usize, changed: usize, before: &Reading, after: &Reading) -> Window {
        let seconds = (after.at - before.at).as_secs_f64();
        let per_min = |delta: f64| delta * 60.0 / seconds;
        let rebuilds = after.fleet_rebuilds - before.fleet_rebuilds;
        let rebuild_secs = after.fleet_rebuild_secs - before.fleet_rebuild_secs;
        Window {
            workloads,
            changed,
            seconds,
            cpu_secs_per_min: per_min(after.cpu_secs - before.cpu_secs),
            writes_per_min: per_min(after.placement_writes - before.placement_writes),
            fleet_rebuilds: rebuilds,
            fleet_rebuild_ms: if rebuilds > 0.0 {
                rebuild_secs * 1e3 / rebuilds
            } else {
                0.0
            },
            rss_mib: after.rss_kib as f64 / 1024.0,
        }
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} workloads, {} changed in {:.0} s: {:.2} CPU s/min, {:.0} placement writes/min, {} fleet rebuilds of {:.1} ms",
            self.workloads,
            self.changed,
            self.seconds,
            self.cpu_secs_per_min,
            self.writes_per_min,
            self.fleet_rebuilds,
            self.fleet_rebuild_ms
        )
    }
}

pub fn print(r: &HubResult) {
    let m = &r.machine;
    println!(
        "\n## The hub at scale: {} clusters; {} CPUs ({}), load average {}",
        r.clusters, m.cpus, m.cpu_model, m.load_average
    );
    for first in &r.first_write {
        println!("- first write: {first}");
    }
    if let Some(first) = r.first_write.first() {
        println!(
            "  target: every placement within 120 s — {}",
            if first.seconds <= 120.0 {
                "met"
            } else {
                "MISSED"
            }
        );
    }
    println!(
        "\nchurn: {} bindings changed per {} s window (the same on both hubs), windows interleaved:",
        r.changed_per_window, r.window_secs
    );
    for (i, [a, b]) in r.windows.iter().enumerate() {
        println!("- pair {}: {a}\n          {b}", i + 1);
    }
    println!(
        "\n2N ÷ N per pair: CPU {} — writes {}",
        r.cpu_ratio.describe(2),
        r.writes_ratio.describe(2)
    );
    println!(
        "  cost follows the changed bindings (CPU ratio ≤ 1.3): {}",
        r.cpu_ratio.verdict(Line::AtMost(1.3))
    );
    println!(
        "steady RSS: {:.0} MiB (N), {:.0} MiB (2N)",
        r.steady_rss_mib[0], r.steady_rss_mib[1]
    );
}
