//! `dashboard`: a read-only web page of the fleet, served on loopback with the user's
//! kubeconfig. It reads karmada-manager's resources through one watch per kind
//! ([`live`]), turns them into small views ([`views`], [`cluster_view`], [`workload_view`])
//! and pushes each page's view to the browser on every change ([`server`]). The page's
//! script and style are embedded in the binary: no CDN, no build step, no node.js.

mod cluster_view;
mod live;
mod server;
mod views;
mod workload_view;

use crate::cli::{DashboardArgs, Global};
use crate::error::{PluginError, Result};
use crate::hub::Hub;
use tokio::net::TcpListener;

pub async fn run(hub: &Hub, global: &Global, args: &DashboardArgs) -> Result<()> {
    let address = args.address;
    if !address.is_loopback() && !args.allow_remote {
        return Err(PluginError::Usage(format!(
            "--address {address} is not a loopback address: anyone who can reach it would see the fleet as you. Add --allow-remote to serve it there anyway"
        )));
    }
    let listener = TcpListener::bind((address, args.port)).await.map_err(|e| {
        PluginError::Usage(format!("cannot listen on {address}:{}: {e}", args.port))
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| PluginError::Usage(format!("cannot listen on {address}: {e}")))?;
    let port = bound.port();
    let hosts = if address.is_loopback() {
        vec![bound.to_string(), format!("localhost:{port}")]
    } else {
        eprintln!(
            "warning: serving on {bound}, beyond this machine: anyone who can reach it sees the fleet with your permissions"
        );
        Vec::new()
    };
    // `-n` limits the workloads to one namespace; by default the page shows every namespace.
    let live = live::Live::start(&hub.watch_client()?, global.namespace.as_deref());
    println!("Serving the fleet on http://{bound}/ (Ctrl-C to stop)");
    tokio::select! {
        () = server::serve(listener, live, hosts) => Ok(()),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
