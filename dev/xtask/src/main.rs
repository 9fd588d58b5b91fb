//! Developer tasks for karmada-manager, run as `cargo xtask <task>`.
//!
//! - `dev`:   bring up the local environment (hub + 2 members with nodes and pods) and run the
//!   operator against it, until Ctrl-C.
//! - `env`:   the same environment without the operator, for running it yourself.
//!   Both take `--karmada`: Karmada's own control plane propagates the demo workloads.
//! - `test`:  everything CI checks: formatting, CRDs up to date, clippy, unit and e2e tests.
//! - `crds`:  regenerate `crds/*.yaml`, the chart's CRDs, `docs/crd-reference.md` and
//!   `docs/troubleshooting.md` from the Rust types, and the chart's plain rules file
//!   (`charts/karmada-manager/rules/`) from its PrometheusRule with `helm` (`--check` fails when
//!   stale).
//! - `prepare`: build and cache the upstream binaries (etcd, kube-apiserver, kubectl, helm,
//!   Karmada's components, kube-controller-manager, kube-scheduler, kwok, krew, promtool) and the
//!   kstatus checker.
//! - `krew`: build the kubectl plugin in release, pack it for krew and write its krew manifest
//!   (`target/krew/karmada-insight.yaml`; `--archive os/arch=PATH` adds other platforms' archives,
//!   see docs/kubectl-plugin.md).
//! - `bench`: the benchmarks in release: synthetic ingest, then the live API-server benchmarks
//!   (`--full` for the full sizes; results in `target/bench/`, see docs/benchmarks.md).

mod bench;
mod crds;
mod dev;
mod docs;
mod krew;
mod reference;
mod rules;
mod suite;
mod troubleshooting;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "karmada-manager developer tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Bring up hub + members with demo nodes and pods, and run the operator against the hub.
    Dev {
        /// Run Karmada's own control plane and the members' controllers and kwok, and let them
        /// propagate the demo workloads (instead of the environment playing Karmada).
        #[arg(long)]
        karmada: bool,
    },
    /// Bring up hub + members with demo nodes and pods, print kubeconfigs, wait for Ctrl-C.
    Env {
        /// As for `dev`.
        #[arg(long)]
        karmada: bool,
    },
    /// Run the whole test suite, e2e included (what CI runs).
    Test,
    /// Regenerate crds/*.yaml, the chart's CRDs and the generated docs from the API types, and
    /// the chart's plain rules file from its PrometheusRule.
    Crds {
        /// Do not write; fail if the committed files differ from the generated ones.
        #[arg(long)]
        check: bool,
    },
    /// Build and cache etcd, kube-apiserver, kubectl, helm, the kstatus checker, Karmada's
    /// components, kube-controller-manager, kube-scheduler, kwok, krew and promtool from Go
    /// modules.
    Prepare,
    /// Build the kubectl plugin in release, pack it into a .tar.gz and write its krew manifest
    /// (karmada-insight.yaml) beside it.
    Krew {
        /// Where the archives and the manifest go [default: target/krew].
        #[arg(long, value_name = "DIR")]
        out: Option<std::path::PathBuf>,
        /// The archive of another platform, built elsewhere (repeatable): the manifest lists
        /// it beside this machine's.
        #[arg(long = "archive", value_name = "OS/ARCH=PATH", value_parser = krew::parse_archive)]
        archives: Vec<(krew::Platform, std::path::PathBuf)>,
        /// Pack this plugin binary, built already for this machine, instead of building one.
        #[arg(long, value_name = "PATH")]
        binary: Option<std::path::PathBuf>,
    },
    /// Run the benchmarks in release: the ingest core against its baselines, then the live
    /// benchmarks on real API servers (initial sync, freshness, summary, write amplification).
    Bench {
        /// Karmada's published scale (100 clusters × 5,000 nodes × 20,000 pods; many minutes)
        /// instead of the small, CI-sized run.
        #[arg(long)]
        full: bool,
        /// Further arguments for `bench ingest` (e.g. `--decode lines`, `--rounds 5`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().task {
        Task::Dev { karmada } => dev::run(true, karmada),
        Task::Env { karmada } => dev::run(false, karmada),
        Task::Test => suite::run(),
        Task::Crds { check } => crds::run(check)
            .and_then(|()| docs::run(check))
            .and_then(|()| rules::run(check)),
        Task::Prepare => suite::prepare(),
        Task::Krew {
            out,
            archives,
            binary,
        } => krew::run(krew::Options {
            out,
            others: archives,
            binary,
        }),
        Task::Bench { full, args } => bench::run(full, &args),
    }
}

/// The workspace root (xtask lives in `dev/xtask`).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| ".".into())
}
