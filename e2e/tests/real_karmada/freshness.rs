//! Scenario 4: end-to-end freshness with the operator's default settings. A change on the hub
//! (the Deployment scaled) goes through Karmada's detector and scheduler into the binding, and
//! from there into the WorkloadPlacement; then the members run the new pods and the placement
//! reports them ready. Printed for docs/benchmarks.md, never asserted.

use crate::changes::NEW_WEIGHTS;
use crate::fleet::{Fleet, WAIT, apply};
use crate::placement::{self, BINDING, NAMESPACE, targets, wait_agreement, web};
use anyhow::{Result, bail};
use std::time::{Duration, Instant};

const ROUNDS: usize = 6;

/// Milliseconds from the hub change to each observation, per round.
struct Round {
    binding: u128,
    placement: u128,
    ready: u128,
}

pub async fn scenario(fleet: &Fleet) -> Result<()> {
    let mut rounds = Vec::new();
    for round in 0..ROUNDS {
        // 9 ↔ 12 replicas, weights 1:2: 3/6 ↔ 4/8.
        let replicas = if round % 2 == 0 { 12 } else { 9 };
        let expected = [("m1", replicas / 3), ("m2", replicas * 2 / 3)];
        rounds.push(measure(fleet, replicas, &expected).await?);
    }
    let column = |f: fn(&Round) -> u128| {
        let mut v: Vec<u128> = rounds.iter().map(f).collect();
        v.sort_unstable();
        (v[v.len() / 2], v[v.len() - 1])
    };
    let (binding, placement, ready) = (
        column(|r| r.binding),
        column(|r| r.placement),
        column(|r| r.ready),
    );
    eprintln!(
        "scenario 4 (freshness, {ROUNDS} rounds, median / max ms after the hub change): \
         Karmada's binding scheduled {} / {}; WorkloadPlacement shows it {} / {}; \
         WorkloadPlacement Ready with every pod ready {} / {}",
        binding.0, binding.1, placement.0, placement.1, ready.0, ready.1
    );
    Ok(())
}

/// Scales `web` to `replicas` and polls every 20 ms until the binding, then the placement,
/// show `expected`, then until the placement agrees with the members and is Ready.
async fn measure(fleet: &Fleet, replicas: i64, expected: &[(&str, i64)]) -> Result<Round> {
    let expected = targets(expected[0].1, expected[1].1);
    let started = Instant::now();
    apply(&fleet.hub, &web(replicas)).await?;
    let mut binding = None;
    let placement = loop {
        if binding.is_none()
            && placement::binding_targets(fleet).await.ok() == Some(expected.clone())
        {
            binding = Some(started.elapsed().as_millis());
        }
        let status = fleet.placement_status(NAMESPACE, BINDING).await?;
        let ours: std::collections::BTreeMap<String, i64> = status
            .clusters
            .iter()
            .map(|c| (c.name.clone(), c.replicas))
            .collect();
        if ours == expected && status.replicas.desired == replicas {
            break started.elapsed().as_millis();
        }
        if started.elapsed() > WAIT {
            bail!("the placement did not show {expected:?} within {WAIT:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    wait_agreement(fleet, &NEW_WEIGHTS, &expected, "True").await?;
    Ok(Round {
        binding: binding.unwrap_or(placement),
        placement,
        ready: started.elapsed().as_millis(),
    })
}
