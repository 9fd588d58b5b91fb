//! `kubectl karmada-insight`: the fleet as karmada-manager's custom resources describe it —
//! status, top, where, why, fit, wait read from the hub only; trace pod (beyond the pod lists),
//! logs, cordon, uncordon and label node go through Karmada's cluster proxy as the user. kubectl's conventions throughout.
//! Depends on the API crate alone, never on the operator.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod cli;
mod commands;
mod dashboard;
mod error;
mod hub;
mod manifest;
mod placement;
mod render;
mod watch;
mod workload;

use clap::{CommandFactory, Parser};
use cli::{Cli, Command, Label, NodeArgs, Top};
use commands::nodes::Change;
use error::Result;
use hub::Hub;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let global = &cli.global;
    if let Command::Completion { shell } = cli.command {
        let mut command = Cli::command();
        clap_complete::generate(
            shell,
            &mut command,
            "kubectl-karmada_insight",
            &mut std::io::stdout(),
        );
        return Ok(());
    }
    let hub = Hub::connect(global).await?;
    if global.watch {
        if !watchable(&cli.command) {
            return Err(error::PluginError::Usage(
                "-w works with status, top, where, why and fit <kind>/<name>".into(),
            ));
        }
        return watch::run(&hub, || dispatch(&hub, &cli)).await;
    }
    dispatch(&hub, &cli).await
}

/// The commands whose answer `-w` can draw again: those that only read the resources.
fn watchable(command: &Command) -> bool {
    match command {
        Command::Status | Command::Top { .. } | Command::Where(_) | Command::Why(_) => true,
        Command::Fit(args) => args.workload.is_some(),
        _ => false,
    }
}

async fn dispatch(hub: &Hub, cli: &Cli) -> Result<()> {
    let (hub, global) = (hub, &cli.global);
    match &cli.command {
        Command::Status => commands::status::run(hub, global).await,
        Command::Top {
            what: Top::Clusters,
        } => commands::top::clusters(hub, global).await,
        Command::Top {
            what: Top::Nodes { cluster, sort },
        } => commands::top::nodes(hub, global, cluster.as_deref(), *sort).await,
        Command::Where(args) => commands::where_::run(hub, global, &args.workload).await,
        Command::Why(args) => {
            commands::why::run(hub, global, &args.workload, args.cluster.as_deref()).await
        }
        Command::Fit(args) => match (&args.workload, &args.filename) {
            (Some(workload), _) => commands::fit::run(hub, global, workload).await,
            (None, Some(file)) => commands::what_if::run(hub, global, file).await,
            (None, None) => Err(error::PluginError::Usage(
                "name a workload or give -f".into(),
            )),
        },
        Command::Wait(args) => commands::wait::run(hub, global, args).await,
        Command::Trace {
            what: cli::Trace::Pod { pod, cluster },
        } => commands::trace::run(hub, global, pod, cluster.as_deref()).await,
        Command::Logs(args) => commands::logs::run(hub, global, args).await,
        Command::Cordon(args) => node(hub, global, args, Change::Cordon).await,
        Command::Uncordon(args) => node(hub, global, args, Change::Uncordon).await,
        Command::Label {
            what: Label::Node { node: args, labels },
        } => node(hub, global, args, Change::Label(labels)).await,
        Command::Dashboard(args) => dashboard::run(hub, global, args).await,
        Command::Completion { .. } => Ok(()),
    }
}

async fn node(hub: &Hub, global: &cli::Global, args: &NodeArgs, change: Change<'_>) -> Result<()> {
    commands::nodes::run(hub, global, &args.node, &args.cluster, change).await
}
