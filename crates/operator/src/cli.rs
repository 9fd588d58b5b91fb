//! Command line. Every flag has an environment variable equivalent (for the Helm chart).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "karmada-manager",
    version,
    about = "Keeps a live, queryable picture of a Karmada fleet in custom resources on the hub"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the operator against the Karmada API server (the hub).
    Run(Box<RunArgs>),
    /// Print the CustomResourceDefinitions karmada-manager owns, as YAML.
    Crds,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub hub: HubArgs,
    #[command(flatten)]
    pub tuning: TuningArgs,
    #[command(flatten)]
    pub log: LogArgs,
    #[command(flatten)]
    pub admin: AdminArgs,
    #[command(flatten)]
    pub leader: LeaderArgs,
}

/// The admin HTTP server.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// Address of the admin server (`/metrics`, `/livez`, `/readyz`); port 0 picks a free one
    /// (logged).
    #[arg(
        long,
        env = "KARMADA_MANAGER_ADMIN_ADDRESS",
        default_value = "0.0.0.0:8080"
    )]
    pub admin_address: std::net::SocketAddr,
}

/// Several replicas: one writes (`--leader-elect`), or all share the members (`--sharding`).
#[derive(Debug, Args)]
pub struct LeaderArgs {
    /// Elect a leader through a coordination.k8s.io Lease on the hub; only the leader writes,
    /// standbys keep their hub caches warm. Needed when running more than one replica without
    /// `--sharding`.
    #[arg(
        long,
        env = "KARMADA_MANAGER_LEADER_ELECT",
        conflicts_with = "sharding"
    )]
    pub leader_elect: bool,
    /// Share the members between the replicas: each holds a Lease of its own (named after
    /// `--leader-election-lease-name`, timed by the `--leader-election-*` durations), watches
    /// only the members a rendezvous hash over the live replicas gives it, and writes their
    /// figures; every replica works, none stands by. See docs/scaling.md.
    #[arg(long, env = "KARMADA_MANAGER_SHARDING")]
    pub sharding: bool,
    /// Namespace of the Lease(s) on the hub (default: $POD_NAMESPACE, else `karmada-system`).
    #[arg(long, env = "KARMADA_MANAGER_LEADER_ELECTION_NAMESPACE")]
    pub leader_election_namespace: Option<String>,
    /// Name of the Lease; with `--sharding`, the prefix of each replica's Lease and the
    /// group's name.
    #[arg(
        long,
        env = "KARMADA_MANAGER_LEADER_ELECTION_LEASE_NAME",
        default_value = "karmada-manager"
    )]
    pub leader_election_lease_name: String,
    /// How long a Lease holds without renewal; a standby takes over after it (with
    /// `--sharding`: the others take a silent replica's members over after it).
    #[arg(
        long,
        env = "KARMADA_MANAGER_LEADER_ELECTION_LEASE_DURATION",
        default_value = "15s"
    )]
    pub leader_election_lease_duration: humantime::Duration,
    /// How long the leader (with `--sharding`, every replica) keeps trying to renew before it
    /// gives up (and exits).
    #[arg(
        long,
        env = "KARMADA_MANAGER_LEADER_ELECTION_RENEW_DEADLINE",
        default_value = "10s"
    )]
    pub leader_election_renew_deadline: humantime::Duration,
    /// Time between two attempts to acquire or renew.
    #[arg(
        long,
        env = "KARMADA_MANAGER_LEADER_ELECTION_RETRY_PERIOD",
        default_value = "2s"
    )]
    pub leader_election_retry_period: humantime::Duration,
}

/// Caps, intervals, grace periods and member access of the controllers.
#[derive(Debug, Args)]
pub struct TuningArgs {
    /// How members are reached: `direct` (spec.apiEndpoint + the Cluster's Secret; when that is
    /// impossible, figures come from Karmada's Cluster status), `direct-then-proxy` (Direct,
    /// else through the hub's cluster proxy), `proxy` (always through the cluster proxy). The
    /// proxy modes need RBAC on `clusters/proxy`.
    #[arg(long, env = "KARMADA_MANAGER_CONNECTION_MODE", value_enum, default_value_t = ConnectionMode::Direct)]
    pub connection_mode: ConnectionMode,
    /// Base URL of Karmada's aggregated API for the cluster proxy
    /// (`<url>/apis/cluster.karmada.io/v1alpha1/clusters/<name>/proxy`); default: the hub's URL.
    #[arg(long, env = "KARMADA_MANAGER_CLUSTER_PROXY_URL")]
    pub cluster_proxy_url: Option<http::Uri>,
    /// Most nodes listed in a ClusterInsight's `status.nodeDetails` (problem nodes first).
    #[arg(long, env = "KARMADA_MANAGER_NODE_DETAIL_LIMIT", default_value_t = 200)]
    pub node_detail_limit: usize,
    /// Size guard on a serialized status, in bytes; above it detail lists shrink.
    #[arg(long, env = "KARMADA_MANAGER_MAX_STATUS_BYTES", default_value_t = 512 * 1024)]
    pub max_status_bytes: usize,
    /// Most nodes listed per cluster in a WorkloadPlacement's `status.clusters[].nodes` (most
    /// pods first).
    #[arg(
        long,
        env = "KARMADA_MANAGER_PLACEMENT_NODE_LIMIT",
        default_value_t = 20
    )]
    pub placement_node_limit: usize,
    /// Most pods listed per cluster in a WorkloadPlacement's `status.clusters[].podList` (problem
    /// pods first).
    #[arg(
        long,
        env = "KARMADA_MANAGER_PLACEMENT_POD_LIMIT",
        default_value_t = 50
    )]
    pub placement_pod_limit: usize,
    /// WorkloadPlacements reconciled concurrently (0: no limit).
    #[arg(
        long,
        env = "KARMADA_MANAGER_PLACEMENT_CONCURRENCY",
        default_value_t = 8
    )]
    pub placement_concurrency: u16,
    /// Members doing their first list of nodes and pods at the same time (0: no limit). Bounds
    /// the memory of the initial sync of a large fleet; a turn ends when the member is listed,
    /// fails, or after a minute.
    #[arg(
        long,
        env = "KARMADA_MANAGER_MEMBER_SYNC_CONCURRENCY",
        default_value_t = 4
    )]
    pub member_sync_concurrency: u16,
    /// Most clusters listed in FleetInsight's `status.topClusters`.
    #[arg(long, env = "KARMADA_MANAGER_TOP_CLUSTERS_LIMIT", default_value_t = 10)]
    pub top_clusters_limit: usize,
    /// Minimum time between two status writes of one object (debounce), e.g. `1s`, `500ms`.
    #[arg(long, env = "KARMADA_MANAGER_WRITE_INTERVAL", default_value = "1s")]
    pub write_interval: humantime::Duration,
    /// The fleet's budget for ClusterInsight writes whose only changes are figures that drift
    /// while a cluster runs as it should (pods coming and going, their counts, restarts and
    /// readiness, allocation, headroom, measured usage), in KiB of status a second (0: no
    /// budget). Other changes (conditions, node health, pods failing or crash-looping, what the
    /// nodes offer) are written within `--write-interval` whatever this says. With `--sharding`
    /// each replica takes the share of it that its members are of the fleet.
    #[arg(
        long,
        env = "KARMADA_MANAGER_DRIFT_WRITES_KIB_PER_SECOND",
        default_value_t = 256
    )]
    pub drift_writes_kib_per_second: u32,
    /// How often the placements showing a cluster whose fits moved (its nodes, pods, Cluster
    /// object or published headroom) are looked at again: how far behind a `fitReplicas` may
    /// be when only other workloads moved it (at least 1s).
    #[arg(
        long,
        env = "KARMADA_MANAGER_FIT_REFRESH_INTERVAL",
        default_value = "60s",
        value_parser = at_least_a_second
    )]
    pub fit_refresh_interval: humantime::Duration,
    /// How long a member may be unreachable before its ClusterInsight turns Ready=False
    /// (reason MemberUnreachable); the last known figures stay.
    #[arg(long, env = "KARMADA_MANAGER_UNREACHABLE_GRACE", default_value = "30s")]
    pub unreachable_grace: humantime::Duration,
    /// How long a hub watch may fail without a break before `/readyz` says unready (at least
    /// 1s); ready again as soon as the hub answers.
    #[arg(
        long,
        env = "KARMADA_MANAGER_HUB_UNREADY_AFTER",
        default_value = "30s",
        value_parser = at_least_a_second
    )]
    pub hub_unready_after: humantime::Duration,
    /// How long a controller may have work queued without starting a reconcile before `/livez`
    /// fails (at least 1s).
    #[arg(
        long,
        env = "KARMADA_MANAGER_WEDGED_AFTER",
        default_value = "5m",
        value_parser = at_least_a_second
    )]
    pub wedged_after: humantime::Duration,
}

/// A duration of at least one second: a threshold of `/readyz` or `/livez` below it would flap
/// on ordinary latency, and fit refreshes more often than the default write interval would
/// only cost CPU.
fn at_least_a_second(value: &str) -> Result<humantime::Duration, String> {
    let duration: humantime::Duration = value.parse().map_err(|e| format!("{e}"))?;
    if *duration < std::time::Duration::from_secs(1) {
        return Err(format!("{value} is less than 1s"));
    }
    Ok(duration)
}

/// How to reach the hub. Without `--kubeconfig`: `$KUBECONFIG`, `~/.kube/config`, then the
/// in-cluster service account.
#[derive(Debug, Args)]
pub struct HubArgs {
    /// Kubeconfig of the Karmada API server.
    #[arg(long, env = "KARMADA_MANAGER_KUBECONFIG")]
    pub kubeconfig: Option<PathBuf>,
    /// Context to use from the kubeconfig (default: its current context).
    #[arg(long, env = "KARMADA_MANAGER_CONTEXT")]
    pub context: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Log format: `pretty` for people, `json` for log pipelines.
    #[arg(long, env = "KARMADA_MANAGER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
    /// Log filter in tracing-subscriber's EnvFilter syntax, e.g. `info` or `info,karmada_manager=debug`.
    #[arg(long, env = "KARMADA_MANAGER_LOG", default_value = "info")]
    pub log_level: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConnectionMode {
    Direct,
    DirectThenProxy,
    Proxy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn tuning(args: &[&str]) -> Result<TuningArgs, clap::Error> {
        let cli = Cli::try_parse_from(["karmada-manager", "run"].iter().chain(args))?;
        match cli.command {
            Command::Run(run) => Ok(run.tuning),
            Command::Crds => unreachable!("parsed `run`"),
        }
    }

    #[test]
    fn health_thresholds_default_and_parse() {
        let defaults = tuning(&[]).expect("defaults parse");
        assert_eq!(*defaults.hub_unready_after, Duration::from_secs(30));
        assert_eq!(*defaults.wedged_after, Duration::from_secs(300));
        assert_eq!(*defaults.fit_refresh_interval, Duration::from_secs(60));
        let set = tuning(&[
            "--hub-unready-after",
            "3s",
            "--wedged-after=1m 30s",
            "--fit-refresh-interval=5s",
        ])
        .expect("parses");
        assert_eq!(*set.hub_unready_after, Duration::from_secs(3));
        assert_eq!(*set.wedged_after, Duration::from_secs(90));
        assert_eq!(*set.fit_refresh_interval, Duration::from_secs(5));
    }

    #[test]
    fn health_thresholds_below_a_second_or_malformed_are_refused() {
        for args in [
            &["--hub-unready-after", "0s"][..],
            &["--hub-unready-after", "500ms"][..],
            &["--wedged-after", "0s"][..],
            &["--wedged-after", "soon"][..],
            &["--fit-refresh-interval", "100ms"][..],
        ] {
            let err = tuning(args).expect_err(&format!("{args:?} accepted"));
            assert!(err.to_string().contains(args[0]), "{err}");
        }
    }
}
