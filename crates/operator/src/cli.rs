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
    Run(RunArgs),
    /// Print the CustomResourceDefinitions karmada-manager owns, as YAML.
    Crds,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub hub: HubArgs,
    #[command(flatten)]
    pub log: LogArgs,
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
pub enum LogFormat {
    Pretty,
    Json,
}
