//! `-w`: the command's answer again each time karmada-manager's resources change, until
//! Ctrl-C. A watch on each kind the commands read (ClusterInsights, the placements of the
//! command's namespace, the FleetInsight) wakes it; changes that arrive together are drawn
//! once. On a terminal each answer replaces the last; piped, answers follow one another,
//! separated by a blank line.

use crate::error::{PluginError, Result};
use crate::hub::Hub;
use futures::{Stream, StreamExt, stream};
use karmada_manager_api::{
    ClusterInsight, ClusterWorkloadPlacement, FleetInsight, WorkloadPlacement,
};
use kube::Resource;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};
use serde::de::DeserializeOwned;
use std::io::IsTerminal;
use std::pin::pin;
use std::time::Duration;

/// Changes that arrive within this of each other are drawn once.
const SETTLE: Duration = Duration::from_millis(300);

/// Draws with `render`, then again after every change, until interrupted or the hub's watches
/// end. An error of one drawing (the hub briefly unreachable) is reported and the next change
/// draws again; one that no change can mend (no permission, not installed) ends the command.
pub async fn run<F, Fut>(hub: &Hub, mut render: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let terminal = std::io::stdout().is_terminal();
    let mut changes = pin!(changes(hub)?);
    loop {
        if terminal {
            // Home the cursor and clear the screen, as `watch` does.
            print!("\x1b[H\x1b[2J");
        }
        match render().await {
            Ok(()) => {}
            Err(e @ (PluginError::Unreachable(_) | PluginError::Api(_))) => {
                eprintln!("error: {e}");
            }
            Err(other) => return Err(other),
        }
        if !terminal {
            println!();
        }
        tokio::select! {
            next = changes.next() => if next.is_none() { return Ok(()) },
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
        // Let a burst of changes (one write touching several objects) settle, then draw once.
        let settle = tokio::time::sleep(SETTLE);
        let mut settle = pin!(settle);
        loop {
            tokio::select! {
                () = &mut settle => break,
                next = changes.next() => if next.is_none() { break },
            }
        }
    }
}

/// One item per change of any resource the commands read (not for the initial listing).
fn changes(hub: &Hub) -> Result<impl Stream<Item = ()> + use<>> {
    let client = hub.watch_client()?;
    let placements = match &hub.namespace {
        Some(ns) => Api::<WorkloadPlacement>::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    Ok(stream::select_all([
        changes_of(Api::<ClusterInsight>::all(client.clone())),
        changes_of(placements),
        changes_of(Api::<ClusterWorkloadPlacement>::all(client.clone())),
        changes_of(Api::<FleetInsight>::all(client)),
    ]))
}

fn changes_of<K>(api: Api<K>) -> stream::BoxStream<'static, ()>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    watcher(api, watcher::Config::default())
        .default_backoff()
        .filter_map(|event| async move {
            match event {
                Ok(watcher::Event::Apply(_) | watcher::Event::Delete(_)) => Some(()),
                Ok(_) => None,
                Err(e) => {
                    // The watcher retries with backoff; say why the screen may be stale.
                    eprintln!("warning: watching {}: {e}", K::plural(&()));
                    None
                }
            }
        })
        .boxed()
}
