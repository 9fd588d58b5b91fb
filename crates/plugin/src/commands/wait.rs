//! `wait <kind>/<name> --for=ready`: returns once the workload's placement is Ready for its
//! current generation, or fails with exit code 7 at the timeout (for pipelines).

use crate::cli::{Global, WaitArgs};
use crate::error::{PluginError, Result};
use crate::hub::{Hub, Placement};
use crate::render::ready;
use crate::workload::WorkloadRef;
use std::time::{Duration, Instant};

/// How often the placement is read again.
const POLL: Duration = Duration::from_secs(1);

pub async fn run(hub: &Hub, _global: &Global, args: &WaitArgs) -> Result<()> {
    let wanted = WorkloadRef::parse(&args.workload)?;
    let deadline = Instant::now() + args.timeout;
    loop {
        let placements = hub.placements().await?;
        let last = match wanted.find(&placements, &hub.scope()) {
            Ok(placement) if is_ready(placement) => {
                println!("{} condition met", placement.display());
                return Ok(());
            }
            Ok(placement) => describe(placement),
            // Not written yet: keep waiting, as `kubectl wait` does for an object to appear.
            Err(PluginError::NotFound(message)) => message,
            Err(other) => return Err(other),
        };
        if Instant::now() >= deadline {
            return Err(PluginError::TimedOut(format!(
                "timed out after {:?} waiting for {} to be ready: {last}",
                args.timeout, args.workload
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Ready is True and computed for the placement's current status (`observedGeneration`).
fn is_ready(placement: &Placement) -> bool {
    let status = &placement.status;
    ready(&status.conditions).is_some_and(|c| {
        c.status == "True"
            && status
                .observed_generation
                .is_none_or(|g| c.observed_generation.is_none_or(|o| o >= g))
    })
}

fn describe(placement: &Placement) -> String {
    ready(&placement.status.conditions).map_or("no Ready condition yet".to_owned(), |c| {
        format!("Ready={} ({}): {}", c.status, c.reason, c.message)
    })
}
