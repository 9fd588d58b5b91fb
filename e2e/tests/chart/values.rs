//! The chart's values: the "full" set and the arguments it must produce, linting with both, the
//! schema refusing what it should, and every flag of `karmada-manager run` settable and
//! documented.

use super::RELEASE;
use super::helm::{Helm, chart};
use super::render::sharded_full_args;
use crate::support;
use anyhow::{Result, ensure};
use std::collections::BTreeSet;
use std::process::Command;

/// Everything switched on and every flag set, most of them away from their defaults.
pub const FULL_VALUES: &str = r#"
replicaCount: 2
karmadaKubeconfig:
  secretName: karmada-kubeconfig
  secretKey: karmada.config
  context: karmada-apiserver
connectionMode: proxy
clusterProxyURL: https://karmada-aggregated-apiserver.karmada-system.svc:443
nodeDetailLimit: 150
maxStatusBytes: 1048576
placementNodeLimit: 10
placementPodLimit: 25
placementConcurrency: 4
memberSyncConcurrency: 2
topClustersLimit: 5
writeInterval: 2s
driftWritesKibPerSecond: 512
fitRefreshInterval: 2m
unreachableGrace: 1m
hubUnreadyAfter: 45s
wedgedAfter: 10m
log:
  format: json
  level: info,karmada_manager=debug
admin:
  port: 9090
leaderElection:
  namespace: karmada-system
  leaseName: karmada-manager-chart-test
  leaseDuration: 20s
  renewDeadline: 12s
  retryPeriod: 3s
extraArgs: []
serviceMonitor:
  enabled: true
  labels:
    release: prometheus
networkPolicy:
  enabled: true
  allowedNamespaces: [monitoring]
  allowedPodSelectors:
    - matchLabels:
        app.kubernetes.io/name: prometheus
grafanaDashboard:
  enabled: true
  annotations:
    grafana_folder: Karmada
rbac:
  hub:
    create: true
    serviceAccountTokenSecret: true
"#;

/// The arguments [`FULL_VALUES`] must produce, in this order.
pub const FULL_ARGS: &[&str] = &[
    "run",
    "--kubeconfig=/etc/karmada-manager/hub/kubeconfig",
    "--context=karmada-apiserver",
    "--connection-mode=proxy",
    "--cluster-proxy-url=https://karmada-aggregated-apiserver.karmada-system.svc:443",
    "--node-detail-limit=150",
    "--max-status-bytes=1048576",
    "--placement-node-limit=10",
    "--placement-pod-limit=25",
    "--placement-concurrency=4",
    "--member-sync-concurrency=2",
    "--top-clusters-limit=5",
    "--write-interval=2s",
    "--drift-writes-kib-per-second=512",
    "--fit-refresh-interval=2m",
    "--unreachable-grace=1m",
    "--hub-unready-after=45s",
    "--wedged-after=10m",
    "--log-format=json",
    "--log-level=info,karmada_manager=debug",
    "--admin-address=0.0.0.0:9090",
    "--leader-elect",
    "--leader-election-namespace=karmada-system",
    "--leader-election-lease-name=karmada-manager-chart-test",
    "--leader-election-lease-duration=20s",
    "--leader-election-renew-deadline=12s",
    "--leader-election-retry-period=3s",
];

pub fn the_chart_lints_strictly_with_default_and_full_values() -> Result<()> {
    let helm = Helm::new()?;
    let chart = chart().display().to_string();
    let full = helm.values_file(FULL_VALUES)?.display().to_string();
    helm.run(&["lint", &chart])?;
    helm.run(&["lint", "--strict", &chart])?;
    let out = helm.run(&["lint", "--strict", &chart, "--values", &full])?;
    assert!(out.contains("0 chart(s) failed"), "{out}");
    for hub_only in [
        &[
            "--set",
            "operator.enabled=false",
            "--set",
            "rbac.hub.create=true",
        ][..],
        &[
            "--set",
            "rbac.hub.create=true",
            "--set",
            "connectionMode=direct-then-proxy",
        ][..],
    ] {
        let mut args = vec!["lint", "--strict", &chart];
        args.extend_from_slice(hub_only);
        helm.run(&args)?;
    }
    let sharding = ["--values", &full, "--set", "sharding.enabled=true"];
    helm.run(&[&["lint", "--strict", &chart][..], &sharding].concat())?;
    Ok(())
}

pub fn the_schema_rejects_unknown_and_invalid_values() -> Result<()> {
    let helm = Helm::new()?;
    let chart = chart().display().to_string();
    for (set, complaint) in [
        ("connectionMode=sometimes", "connectionMode"),
        ("log.format=xml", "format"),
        ("writeInterval=soon", "writeInterval"),
        ("fitRefreshInterval=often", "fitRefreshInterval"),
        ("admin.port=0", "port"),
        ("replicas=2", "replicas"), // a typo of replicaCount
        ("leaderElection.enable=true", "enable"),
        ("sharding.enabled=yes", "sharding/enabled"),
        ("sharding.enable=true", "enable"),
        ("sharding=true", "sharding"),
    ] {
        let (ok, _, stderr) = helm.output(&["template", RELEASE, &chart, "--set", set])?;
        assert!(!ok, "--set {set} was accepted");
        assert!(
            stderr.contains(complaint),
            "--set {set}: the error does not name {complaint}:\n{stderr}"
        );
    }
    Ok(())
}

pub fn every_flag_of_run_is_set_by_the_chart_and_documented() -> Result<()> {
    let binary = support::operator_binary()?;
    let help = Command::new(&binary).args(["run", "--help"]).output()?;
    ensure!(help.status.success(), "karmada-manager run --help failed");
    let help = String::from_utf8(help.stdout)?;
    let flags: BTreeSet<&str> = help
        .split_whitespace()
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|f| *f != "--help")
        .collect();
    ensure!(
        flags.len() >= 20,
        "too few flags parsed from --help:\n{help}"
    );
    // The full values, and the same with sharding (its flag conflicts with --leader-elect).
    let set: BTreeSet<&str> = FULL_ARGS
        .iter()
        .chain(&sharded_full_args())
        .map(|arg| arg.split_once('=').map_or(*arg, |(flag, _)| flag))
        .collect();
    let configuration = std::fs::read_to_string(chart().join("../../docs/configuration.md"))?;
    for flag in &flags {
        assert!(
            set.contains(flag),
            "`karmada-manager run {flag}` is not set by the chart (values → args)"
        );
        assert!(
            configuration.contains(&format!("`{flag}`")),
            "{flag} is not in docs/configuration.md"
        );
    }
    // Every environment variable too.
    let variables: Vec<&str> = help
        .split("[env: ")
        .skip(1)
        .filter_map(|rest| rest.split_once('=').map(|(name, _)| name))
        .collect();
    ensure!(
        variables.len() == flags.len(),
        "one variable per flag: {variables:?}"
    );
    for variable in variables {
        assert!(
            configuration.contains(&format!("`{variable}`")),
            "{variable} is not in docs/configuration.md"
        );
    }
    Ok(())
}
