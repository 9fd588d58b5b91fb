//! `bench ingest`: runs each variant in a child process of this same binary (so that one
//! variant's peak RSS cannot leak into another's), checks they ingested the same bytes, then
//! reports.
//!
//! The variants take turns (floor, ours, naive, floor, …): each round is a pair of ours with
//! each baseline, and every ratio is the median of the per-round ratios (`paired.rs`).

use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};

use crate::IngestArgs;
use crate::report::{self, Report};
use crate::results::{Decode, Scale, Variant, VariantRun};

pub fn ingest(args: &IngestArgs) -> Result<()> {
    let scale = args.scale();
    ensure!(
        scale.clusters > 0 && scale.nodes > 0 && scale.pods > 0,
        "every size must be positive"
    );
    ensure!(
        scale.nodes <= 64_000,
        "at most 64,000 nodes per member (node IPs are 10.<cluster>.<x>.<y>)"
    );
    let naive = Scale {
        clusters: scale.clusters.min(args.naive_clusters.max(1)),
        ..scale
    };
    let started = Instant::now();
    let rounds = args.rounds();
    let mut runs = Vec::new();
    for round in 1..=rounds {
        for (variant, scale) in [
            (Variant::Floor, scale),
            (Variant::ReaderFloor, scale),
            (Variant::Ours, scale),
            (Variant::Naive, naive),
        ] {
            eprintln!(
                "bench: round {round}/{rounds}: {} over {} × {} nodes × {} pods, decode {:?} …",
                variant.label(),
                scale.clusters,
                scale.nodes,
                scale.pods,
                args.decode
            );
            let run_started = Instant::now();
            let run = measure(variant, scale, args)?;
            eprintln!("bench:   done in {:.1?}", run_started.elapsed());
            runs.push(run);
        }
    }
    check_same_bytes(&runs)?;
    let report = Report::new(args.size_name(), scale, args.seed, args.decode, &runs)?;
    report::print(&report);
    let written = crate::output::write_json(&args.out, &report)?;
    println!(
        "\nwrote {} (total {:.0?})",
        written.display(),
        started.elapsed()
    );
    Ok(())
}

/// Re-executes this binary with the hidden `measure` subcommand. Through `/proc/self/exe`,
/// which stays this very binary even if a rebuild replaces the file during a long run.
fn measure(variant: Variant, scale: Scale, args: &IngestArgs) -> Result<VariantRun> {
    let output = Command::new("/proc/self/exe")
        .arg("measure")
        .args(["--variant", variant_arg(variant)])
        .args(["--decode", decode_arg(args.decode)])
        .args(["--clusters", &scale.clusters.to_string()])
        .args(["--nodes", &scale.nodes.to_string()])
        .args(["--pods", &scale.pods.to_string()])
        .args(["--seed", &args.seed.to_string()])
        .args(["--builds", &args.builds.to_string()])
        .stderr(Stdio::inherit())
        .output()
        .context("running a measuring child")?;
    if !output.status.success() {
        bail!("measuring {variant:?} failed ({})", output.status);
    }
    serde_json::from_slice(&output.stdout).context("reading a measuring child's report")
}

fn variant_arg(variant: Variant) -> &'static str {
    match variant {
        Variant::Floor => "floor",
        Variant::ReaderFloor => "reader-floor",
        Variant::Ours => "ours",
        Variant::Naive => "naive",
    }
}

fn decode_arg(decode: Decode) -> &'static str {
    match decode {
        Decode::Slice => "slice",
        Decode::Lines => "lines",
    }
}

/// Every variant, in every round, must have seen exactly the same bytes for the members they
/// share.
fn check_same_bytes(runs: &[VariantRun]) -> Result<()> {
    let Some(first) = runs.first() else {
        return Ok(());
    };
    for run in runs {
        for (c, (a, b)) in first.clusters.iter().zip(&run.clusters).enumerate() {
            ensure!(
                a.checksum == b.checksum,
                "cluster {c}: {:?} and {:?} ingested different bytes",
                first.variant,
                run.variant
            );
        }
    }
    Ok(())
}
