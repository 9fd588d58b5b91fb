//! `cargo xtask test`: every check CI makes, in order, each announced with its duration, so that
//! a cold first run says what it is doing while it builds the world.

use anyhow::{Result, bail};
use std::process::Command;
use std::time::Instant;

pub fn run() -> Result<()> {
    let started = Instant::now();
    step("formatting", || cargo(&["fmt", "--all", "--check"]))?;
    step("generated CRDs, docs and rules file are up to date", || {
        crate::crds::run(true)?;
        crate::docs::run(true)?;
        crate::rules::run(true)
    })?;
    step("clippy", || {
        cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
    })?;
    step(
        "upstream binaries (cold: built from Go modules, several minutes)",
        prepare,
    )?;
    step("unit and e2e tests", || {
        cargo(&["test", "--workspace", "--no-fail-fast"])
    })?;
    println!("\nxtask: all checks passed in {:.0?}", started.elapsed());
    Ok(())
}

/// Builds and caches the upstream binaries and Karmada's module, printing progress.
pub fn prepare() -> Result<()> {
    let binaries = testenv::upstream::ensure_binaries()?;
    // The kstatus checker the GitOps health-check tests run (Go, from sigs.k8s.io/cli-utils).
    health_checks::prepare()?;
    // helm, for the chart's tests (e2e/tests/chart.rs).
    let helm = testenv::upstream::ensure_helm()?;
    // libfaketime, for the leader-election test with a skewed clock (e2e/tests/leader_election.rs).
    let faketime = testenv::faketime::library()?;
    let crds = testenv::crds::karmada_crds()?;
    // Karmada's own control plane and the members' controllers, for e2e/tests/real_karmada.rs
    // and e2e/tests/cluster_proxy.rs.
    let karmada = testenv::upstream::ensure_karmada()?;
    let members = testenv::upstream::ensure_member_binaries()?;
    // krew and its manifest validator, for the plugin's krew manifest (e2e/tests/krew.rs).
    let krew = testenv::upstream::ensure_krew()?;
    // promtool, for the chart's alerting rules and their unit tests (e2e/tests/alerts.rs).
    let promtool = testenv::upstream::ensure_promtool()?;
    remove_go_build_cache()?;
    println!(
        "karmada-aggregated-apiserver: {}\nkarmada-controller-manager: {}\nkarmada-scheduler: {}\nkarmada-webhook: {}\nkube-controller-manager: {}\nkube-scheduler: {}\nkwok: {}",
        karmada.aggregated_apiserver.display(),
        karmada.controller_manager.display(),
        karmada.scheduler.display(),
        karmada.webhook.display(),
        members.kube_controller_manager.display(),
        members.kube_scheduler.display(),
        members.kwok.display()
    );
    println!(
        "etcd: {}\nkube-apiserver: {}\nkubectl: {}\nhelm: {}\nkrew: {}\nvalidate-krew-manifest: {}\npromtool: {}\nlibfaketime: {}\nKarmada CRDs: {} from github.com/karmada-io/karmada@{}",
        binaries.etcd.display(),
        binaries.kube_apiserver.display(),
        binaries.kubectl.display(),
        helm.display(),
        krew.krew.display(),
        krew.validate_manifest.display(),
        promtool.display(),
        faketime.display(),
        crds.len(),
        testenv::versions::KARMADA
    );
    Ok(())
}

/// Go's compiled packages from the upstream builds are not needed once the binaries are: a
/// cold run leaves several GB of them.
pub fn remove_go_build_cache() -> Result<()> {
    let bytes = testenv::cache::GoBuildCache::remove_unused()?;
    if bytes > 0 {
        println!(
            "removed Go's build cache of the upstream builds ({:.1} GB); the binaries are kept",
            bytes as f64 / 1e9
        );
    }
    Ok(())
}

fn step(name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    println!("\n==> {name}");
    let started = Instant::now();
    let result = f();
    println!(
        "<== {name}: {} in {:.1?}",
        if result.is_ok() { "ok" } else { "FAILED" },
        started.elapsed()
    );
    result
}

/// Runs cargo with `args` in the workspace root; fails when it does.
pub fn cargo(args: &[&str]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(args)
        .current_dir(crate::workspace_root())
        .status()?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}
