//! Scenario 4: end-to-end freshness with the operator's default settings. A change on the hub
//! (the Deployment scaled) goes through Karmada's detector and scheduler into the binding, and
//! from there into the WorkloadPlacement; then the members run the new pods and the placement
//! reports them ready. Printed for docs/benchmarks.md, never asserted.

use crate::changes::NEW_WEIGHTS;
use crate::fleet::{Fleet, WAIT};
use crate::placement::{self, BINDING, NAMESPACE, apply_web, targets, wait_agreement};
use anyhow::{Result, bail};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Rounds per kind: right after the previous round settled, and after a quiet spell.
const ROUNDS: usize = 4;

/// Longer than the default write window (1 s): the previous write no longer holds the next one.
const QUIET: Duration = Duration::from_millis(1500);

/// Milliseconds from the hub change to each observation, per round.
struct Round {
    /// The placement shows the new desired replica count (Karmada's detector has updated the
    /// binding's `spec.replicas`; the scheduler may not have split them yet).
    desired: u128,
    binding: u128,
    placement: u128,
    ready: u128,
}

pub async fn scenario(fleet: &Fleet) -> Result<()> {
    let (mut busy, mut quiet) = (Vec::new(), Vec::new());
    for round in 0..2 * ROUNDS {
        // 9 ↔ 12 replicas, weights 1:2: 3/6 ↔ 4/8.
        let replicas = if round % 2 == 0 { 12 } else { 9 };
        let expected = targets(replicas / 3, replicas * 2 / 3);
        if round % 4 < 2 {
            busy.push(measure(fleet, replicas, &expected).await?);
        } else {
            tokio::time::sleep(QUIET).await;
            quiet.push(measure(fleet, replicas, &expected).await?);
        }
    }
    for (when, rounds) in [
        ("right after the previous round", &busy),
        ("after 1.5 s of quiet", &quiet),
    ] {
        let column = |f: fn(&Round) -> u128| {
            let mut v: Vec<u128> = rounds.iter().map(f).collect();
            v.sort_unstable();
            (v[v.len() / 2], v[v.len() - 1])
        };
        let (desired, binding, placement, ready) = (
            column(|r| r.desired),
            column(|r| r.binding),
            column(|r| r.placement),
            column(|r| r.ready),
        );
        eprintln!(
            "scenario 4 (freshness, {ROUNDS} changes {when}; median / max ms after the hub change): \
             WorkloadPlacement shows the new desired count {} / {}; \
             Karmada's binding scheduled {} / {}; WorkloadPlacement shows the split {} / {}; \
             WorkloadPlacement Ready with every pod ready {} / {}",
            desired.0, desired.1, binding.0, binding.1, placement.0, placement.1, ready.0, ready.1
        );
    }
    Ok(())
}

/// Scales `web` to `replicas` and polls every 20 ms until the binding, then the placement,
/// show `expected`, then until the placement agrees with the members and is Ready.
async fn measure(fleet: &Fleet, replicas: i64, expected: &BTreeMap<String, i64>) -> Result<Round> {
    let started = Instant::now();
    apply_web(fleet, replicas).await?;
    let (mut binding, mut desired) = (None, None);
    let placement = loop {
        if binding.is_none()
            && placement::binding_targets(fleet).await.ok().as_ref() == Some(expected)
        {
            binding = Some(started.elapsed().as_millis());
        }
        let status = fleet.placement_status(NAMESPACE, BINDING).await?;
        if desired.is_none() && status.replicas.desired == replicas {
            desired = Some(started.elapsed().as_millis());
        }
        let ours: std::collections::BTreeMap<String, i64> = status
            .clusters
            .iter()
            .map(|c| (c.name.clone(), c.replicas))
            .collect();
        if &ours == expected && status.replicas.desired == replicas {
            break started.elapsed().as_millis();
        }
        if started.elapsed() > WAIT {
            bail!("the placement did not show {expected:?} within {WAIT:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    wait_agreement(fleet, &NEW_WEIGHTS, expected, "True").await?;
    Ok(Round {
        desired: desired.unwrap_or(placement),
        binding: binding.unwrap_or(placement),
        placement,
        ready: started.elapsed().as_millis(),
    })
}
