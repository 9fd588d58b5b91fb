//! `cargo xtask bench`: the operator's benchmarks, always in release (docs/benchmarks.md).
//!
//! 1. `bench ingest`: the synthetic ingest core against its baselines (`target/bench/ingest.json`).
//! 2. and 3. `bench live`: real API servers — initial sync, freshness, cluster summary and write
//!    amplification (`target/bench/live.json`).
//!    `bench fleet`: 2 and 3 for the operator process at fleet scale, against simulated
//!    members — initial sync of one member against a bare LIST and of the whole fleet, RSS,
//!    CPU, and freshness and hub writes under steady churn (`target/bench/fleet.json`;
//!    `--full`: 100 members × 5,000 nodes × 20,000 pods).
//! 5. `bench fit`: the fit estimates of 1,000 shapes on a 5,000-node member, cached against
//!    recounted (`target/bench/fit.json`).
//! 6. `bench dashboard`: the kubectl plugin's dashboard at 1,000 clusters and a 5,000-node
//!    member, in headless Chromium (`target/bench/dashboard.json`); one size, which already
//!    runs in a few minutes.
//! 8. `bench hub`: the hub at scale — every WorkloadPlacement of N bindings written, and the
//!    steady cost of binding churn on N against 2N bindings (`target/bench/hub.json`;
//!    `--full`: 10,000 bindings over 100 clusters).
//! 9. `bench shard`: the members shared across 1, 2 and 4 replicas (`run --sharding`) on the
//!    simulated fleet — initial sync, RSS and CPU per replica, hub writes under steady churn,
//!    each against one replica (`target/bench/shard.json`; `--full`: the fleet of `bench fleet
//!    --full`).
//!
//! The small sizes run in a few minutes on 2 cores; `--full` is Karmada's published scale for
//! ingest and a 1,000-node, 30,000-pod member for live, and takes much longer.

use crate::suite::cargo;
use anyhow::Result;

/// Runs `bench ingest`, `bench live`, `bench fleet`, `bench hub`, `bench shard` (`--full` for
/// the full sizes), `bench writes` (shorter windows at small size), `bench fit`, then
/// `bench dashboard`, passing `extra` arguments through to
/// `ingest` (e.g. `--rounds 5`; see `cargo run -p bench -- ingest --help`).
pub fn run(full: bool, extra: &[String]) -> Result<()> {
    // One build of the three binaries: the dependencies are compiled once, with the same
    // features.
    cargo(&[
        "build",
        "--release",
        "--package",
        "bench",
        "--package",
        "karmada-manager",
        "--package",
        "kubectl-karmada-insight",
    ])?;
    let mut ingest = vec!["run", "--release", "--package", "bench", "--", "ingest"];
    let mut live = vec!["run", "--release", "--package", "bench", "--", "live"];
    let mut fleet = vec!["run", "--release", "--package", "bench", "--", "fleet"];
    let mut hub = vec!["run", "--release", "--package", "bench", "--", "hub"];
    let mut shard = vec!["run", "--release", "--package", "bench", "--", "shard"];
    let mut writes = vec!["run", "--release", "--package", "bench", "--", "writes"];
    if full {
        for command in [&mut ingest, &mut live, &mut fleet, &mut hub, &mut shard] {
            command.push("--full");
        }
    } else {
        // One size of hub write takes a window per kind and round: short ones keep the
        // small run to about two minutes.
        writes.extend(["--seconds", "5"]);
    }
    ingest.extend(extra.iter().map(String::as_str));
    cargo(&ingest)?;
    cargo(&live)?;
    cargo(&fleet)?;
    cargo(&hub)?;
    cargo(&shard)?;
    cargo(&writes)?;
    cargo(&["run", "--release", "--package", "bench", "--", "fit"])?;
    cargo(&["run", "--release", "--package", "bench", "--", "dashboard"])
}
