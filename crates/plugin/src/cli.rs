//! The command line, kubectl's conventions: `--kubeconfig`, `--context`, `-n`/`-A`, `-o`,
//! `--no-headers`, `--request-timeout`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// The fleet as karmada-manager's custom resources describe it, in one command.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl karmada-insight",
    bin_name = "kubectl karmada-insight",
    version,
    after_help = "Exit codes: 0 ok, 1 unexpected API error, 2 usage, 3 not found, 4 karmada-manager not installed, 5 forbidden, 6 hub unreachable or kubeconfig unusable, 7 wait timed out, 8 manifest unreadable (fit -f)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Path to the kubeconfig file of the Karmada hub (default: $KUBECONFIG, ~/.kube/config).
    #[arg(long, global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// Namespace of the workload (default: the context's).
    #[arg(short = 'n', long, global = true)]
    pub namespace: Option<String>,
    /// Every namespace.
    #[arg(short = 'A', long, global = true)]
    pub all_namespaces: bool,
    /// Output format: a table (default), `wide`, `json` or `yaml`.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = Output::Table)]
    pub output: Output,
    /// Leave out table headers.
    #[arg(long, global = true)]
    pub no_headers: bool,
    /// Draw the answer again whenever karmada-manager's resources change (status, top, where,
    /// why, fit), until Ctrl-C.
    #[arg(short = 'w', long, global = true)]
    pub watch: bool,
    /// How long to wait for each answer of the hub, e.g. `10s`, `1m`.
    #[arg(long, global = true, default_value = "10s", value_parser = parse_duration)]
    pub request_timeout: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Human-readable tables and sentences.
    Table,
    /// Tables with more columns.
    Wide,
    /// The underlying status objects as JSON.
    Json,
    /// The underlying status objects as YAML.
    Yaml,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The fleet on one screen: clusters, allocation, problem nodes, workloads not ready.
    Status,
    /// Allocation (and usage, where the member serves metrics) of clusters or nodes.
    Top {
        #[command(subcommand)]
        what: Top,
    },
    /// Where a workload runs: policy, clusters, nodes and pods, problem pods first.
    Where(WorkloadArgs),
    /// Why a workload runs where it does, and not elsewhere, in sentences.
    Why(WhyArgs),
    /// How many more replicas of a workload fit on each cluster; with `-f`, of a workload not
    /// applied yet (what-if).
    Fit(FitArgs),
    /// Wait until a workload's placement is Ready (for pipelines).
    Wait(WaitArgs),
    /// Follow a pod to its node, cluster, workload, binding, policy and overrides.
    Trace {
        #[command(subcommand)]
        what: Trace,
    },
    /// The logs of a workload's pods on every cluster it runs on, through Karmada's cluster
    /// proxy, as you; each line prefixed with `[cluster/pod]`.
    Logs(LogsArgs),
    /// Mark a member's node unschedulable, through Karmada's cluster proxy, as you.
    Cordon(NodeArgs),
    /// Mark a member's node schedulable again, through Karmada's cluster proxy, as you.
    Uncordon(NodeArgs),
    /// Set (`key=value`) or remove (`key-`) labels of a member's node, through the proxy.
    Label {
        #[command(subcommand)]
        what: Label,
    },
    /// Serve a live, read-only web page of the fleet on this machine (loopback by default).
    Dashboard(DashboardArgs),
    /// Print a shell completion script.
    Completion {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum Top {
    /// One line per cluster.
    Clusters,
    /// One line per node, from the nodes each ClusterInsight lists.
    Nodes {
        /// Only this cluster's nodes.
        #[arg(long)]
        cluster: Option<String>,
        /// Sort by allocated share of `cpu`, `memory` or by `pods` (most first).
        #[arg(long, value_enum, default_value_t = SortBy::Cpu)]
        sort: SortBy,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SortBy {
    Cpu,
    Memory,
    Pods,
}

#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The node's name in the member.
    pub node: String,
    /// The Karmada Cluster (member) the node belongs to.
    #[arg(long)]
    pub cluster: String,
}

#[derive(Debug, Subcommand)]
pub enum Trace {
    /// A pod, `<namespace>/<name>` (or `<name>` in the context's namespace). Found in the
    /// placements' pod lists, else read live through Karmada's cluster proxy.
    Pod {
        pod: String,
        /// The member to look in (default: the placements' lists, then every member).
        #[arg(long)]
        cluster: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum Label {
    /// Labels of a member's node.
    Node {
        #[command(flatten)]
        node: NodeArgs,
        /// `key=value` to set, `key-` to remove.
        #[arg(required = true)]
        labels: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct WorkloadArgs {
    /// The workload, `<kind>/<name>`, e.g. `deployment/web` or `deploy/web`.
    pub workload: String,
}

#[derive(Debug, Args)]
pub struct FitArgs {
    /// The workload, `<kind>/<name>`.
    #[arg(required_unless_present = "filename", conflicts_with = "filename")]
    pub workload: Option<String>,
    /// A manifest (YAML or JSON; `-` for standard input) of a Deployment, StatefulSet,
    /// ReplicaSet, Job or Pod: how many of its replicas would fit, from each cluster's
    /// published headroom.
    #[arg(short = 'f', long)]
    pub filename: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct WhyArgs {
    /// The workload, `<kind>/<name>`.
    pub workload: String,
    /// Only what concerns this cluster.
    #[arg(long)]
    pub cluster: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The workload, `<kind>/<name>`: a Deployment, StatefulSet, DaemonSet, ReplicaSet or Job.
    pub workload: String,
    /// Only the pods on this cluster (default: every cluster the workload is placed on).
    #[arg(long)]
    pub cluster: Option<String>,
    /// Only this container (default: every container of each pod, named in the prefix when a
    /// pod has several).
    #[arg(short = 'c', long)]
    pub container: Option<String>,
    /// Stream new lines until Ctrl-C, or until every stream ends.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Lines of each container's log to show, counted from its end (default -1: all).
    #[arg(long, allow_negative_numbers = true)]
    pub tail: Option<i64>,
    /// Only lines newer than this, e.g. `5s`, `2m`, `1h`, `1h30m`.
    #[arg(long, value_parser = parse_since)]
    pub since: Option<Duration>,
    /// At most this many logs are read at once; `-f` refuses to follow more.
    #[arg(long, default_value_t = 50)]
    pub max_log_requests: usize,
}

#[derive(Debug, Args)]
pub struct DashboardArgs {
    /// Port to serve on (0: any free port).
    #[arg(long, default_value_t = 7373)]
    pub port: u16,
    /// Address to serve on. Anything but loopback also needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    pub address: std::net::IpAddr,
    /// Serve on a non-loopback --address: whoever reaches it sees the fleet as you do.
    #[arg(long)]
    pub allow_remote: bool,
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The workload, `<kind>/<name>`.
    pub workload: String,
    /// The condition to wait for; only `ready` (the placement's Ready condition is True for
    /// its current generation).
    #[arg(long = "for", value_enum, default_value_t = WaitFor::Ready)]
    pub for_: WaitFor,
    /// Give up after this long (exit code 7).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub timeout: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WaitFor {
    Ready,
}

/// A duration as kubectl and Go write them: `30s`, `5m`, `1h`, `1h30m`, `500ms` (a bare number
/// is seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("{text:?} is not a duration like 30s, 5m, 1h or 1h30m");
    if text.is_empty() {
        return Err(invalid());
    }
    let mut rest = text;
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_end = rest[digits..]
            .find(|c: char| c.is_ascii_digit())
            .map_or(rest.len(), |u| digits + u);
        let number: u64 = rest[..digits].parse().map_err(|_| invalid())?;
        total += match &rest[digits..unit_end] {
            "ms" => Duration::from_millis(number),
            "" | "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number * 60),
            "h" => Duration::from_secs(number * 3600),
            _ => return Err(invalid()),
        };
        rest = &rest[unit_end..];
    }
    Ok(total)
}

/// `--since`: a [`parse_duration`] above zero.
pub fn parse_since(text: &str) -> Result<Duration, String> {
    match parse_duration(text)? {
        since if since.is_zero() => Err(format!(
            "{text:?}: --since takes a duration above zero, like 5s, 2m or 1h"
        )),
        since => Ok(since),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn since_reads_go_durations() {
        assert_eq!(parse_since("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_since("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_since("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_since("1m500ms"), Ok(Duration::from_millis(60_500)));
        for bad in ["", "0s", "soon", "5d", "h"] {
            assert!(parse_since(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_read_like_kubectls() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
    }
}
