//! `cargo xtask dev` / `cargo xtask env`: the local environment for humans. Files (kubeconfigs,
//! logs) go to `target/dev-env`, so their paths stay the same from run to run.

use anyhow::{Context, Result};
use std::process::Stdio;
use testenv::Environment;
use tokio::signal::unix::{SignalKind, signal};

pub fn run(with_operator: bool, karmada: bool) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_async(with_operator, karmada))
}

async fn run_async(with_operator: bool, karmada: bool) -> Result<()> {
    let root = crate::workspace_root();
    let operator = if with_operator {
        Some(build_operator(&root).await?)
    } else {
        None
    };

    let mut options = if karmada {
        testenv::demo_karmada::karmada_options()
    } else {
        testenv::demo::options()
    };
    options.crds = karmada_manager_api::crds();
    options.dir = Some(root.join("target/dev-env"));
    let env = Environment::start(options).await?;
    crate::suite::remove_go_build_cache()?;
    if karmada {
        testenv::demo_karmada::seed(&env).await?;
    } else {
        testenv::demo::seed(&env).await?;
    }

    let kubectl_dir = env
        .binaries()
        .kubectl
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    println!("\nThe environment is up. In another shell:\n");
    println!(
        "export PATH={kubectl_dir}:$PATH   # kubectl {}",
        testenv::versions::KUBERNETES
    );
    println!("{}", env.describe());
    println!(
        "# then, with the hub's KUBECONFIG:  kubectl get clusters; kubectl get clusterinsight; kubectl get fleetinsight;\n\
         #   kubectl get wp -A; kubectl get cwp   (or all of them: kubectl get karmada-manager -A)\n"
    );

    let mut child = match operator {
        Some(binary) => {
            println!(
                "Running {} against the hub (logs below). Ctrl-C stops everything.\n",
                binary.display()
            );
            Some(
                tokio::process::Command::new(&binary)
                    .arg("run")
                    .arg("--kubeconfig")
                    .arg(env.hub().kubeconfig())
                    .stdin(Stdio::null())
                    .kill_on_drop(true)
                    .spawn()
                    .context("starting the operator")?,
            )
        }
        None => {
            println!("Ctrl-C stops everything.");
            None
        }
    };

    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
        status = async { match child.as_mut() { Some(c) => c.wait().await, None => std::future::pending().await } } => {
            println!("the operator exited: {status:?}");
        }
    }
    if let Some(mut child) = child {
        let _ = child.start_kill();
        let _ = child.wait().await;
    }
    drop(env);
    println!("stopped; nothing is left running");
    Ok(())
}

async fn build_operator(root: &std::path::Path) -> Result<std::path::PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = tokio::process::Command::new(cargo)
        .args(["build", "--package", "karmada-manager"])
        .current_dir(root)
        .status()
        .await?;
    anyhow::ensure!(status.success(), "building karmada-manager failed");
    Ok(root.join("target/debug/karmada-manager"))
}
