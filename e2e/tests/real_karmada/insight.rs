//! Scenario 2: each ClusterInsight's allocatable, allocated and allocating, and its node counts,
//! equal what Karmada's own cluster status controller puts in `Cluster.status.resourceSummary`
//! and `nodeSummary` for the same member (its pods have no init containers).

use crate::fleet::{Fleet, WAIT, cluster};
use crate::support::eventually;
use anyhow::{Context, Result};
use karmada_manager_core::Amount;
use serde_json::Value;

/// Every way member `name`'s ClusterInsight disagrees with Karmada's Cluster status (empty:
/// agrees).
pub async fn disagreements(fleet: &Fleet, name: &str) -> Result<Vec<String>> {
    let karmada = cluster(&fleet.hub, name).await?;
    let insight = fleet.insight(name).await?.status.context("no status yet")?;
    let mut out = Vec::new();
    let nodes = &karmada["status"]["nodeSummary"];
    // Karmada omits zero counts (`omitempty`).
    let count = |field: &str| nodes[field].as_i64().unwrap_or(0);
    let theirs = (count("totalNum"), count("readyNum"));
    let ours = (insight.nodes.total, insight.nodes.ready);
    if ours != theirs {
        out.push(format!(
            "nodes (total, ready): ours {ours:?}, Karmada's {theirs:?}"
        ));
    }
    let summary = &karmada["status"]["resourceSummary"];
    for (field, figure) in [
        ("allocatable", Figure::Allocatable),
        ("allocated", Figure::Allocated),
        ("allocating", Figure::Allocating),
    ] {
        let theirs = summary[field].as_object().cloned().unwrap_or_default();
        let mut resources: Vec<&String> = theirs.keys().collect();
        resources.extend(insight.resources.keys());
        resources.sort();
        resources.dedup();
        for resource in resources {
            let theirs = amount(theirs.get(resource))?;
            let ours = insight
                .resources
                .get(resource)
                .map(|f| figure.of(f))
                .map(Amount::from_quantity)
                .transpose()?
                .unwrap_or_default();
            // Karmada leaves out what sums to zero; a missing figure is 0 on both sides.
            if theirs != ours {
                out.push(format!(
                    "{field} {resource}: ours {ours:?}, Karmada's {theirs:?}"
                ));
            }
        }
    }
    Ok(out)
}

#[derive(Clone, Copy)]
enum Figure {
    Allocatable,
    Allocated,
    Allocating,
}

impl Figure {
    fn of(
        self,
        f: &karmada_manager_api::ResourceFigures,
    ) -> &k8s_openapi::apimachinery::pkg::api::resource::Quantity {
        match self {
            Self::Allocatable => &f.allocatable,
            Self::Allocated => &f.allocated,
            Self::Allocating => &f.allocating,
        }
    }
}

fn amount(value: Option<&Value>) -> Result<Amount> {
    Ok(match value.and_then(Value::as_str) {
        Some(text) => Amount::parse(text)?,
        None => Amount::default(),
    })
}

/// Waits until both members' insights agree with Karmada (after Karmada's next status refresh).
pub async fn wait_agreement(fleet: &Fleet, what: &str) -> Result<()> {
    for member in ["m1", "m2"] {
        eventually(
            &format!("ClusterInsight {member} agrees with Karmada's Cluster status ({what})"),
            WAIT,
            || disagreements(fleet, member),
            Vec::is_empty,
        )
        .await?;
    }
    Ok(())
}

/// The pods Karmada counts as allocated in member `name`.
pub async fn karmada_allocated_pods(fleet: &Fleet, name: &str) -> Result<i64> {
    let karmada = cluster(&fleet.hub, name).await?;
    let pods = amount(karmada["status"]["resourceSummary"]["allocated"].get("pods"))?;
    Ok(pods.units_ceil_i64())
}

pub async fn scenario(fleet: &Fleet) -> Result<()> {
    // Karmada refreshes every 10 s: wait until its summary counts web's pods, so that the
    // comparison below is not between two empty summaries.
    for (member, pods) in [("m1", 4), ("m2", 2)] {
        eventually(
            &format!("Karmada counts web's {pods} pods in {member}"),
            WAIT,
            || karmada_allocated_pods(fleet, member),
            |counted| *counted == pods,
        )
        .await?;
    }
    wait_agreement(fleet, "web running").await?;
    for member in ["m1", "m2"] {
        let karmada = cluster(&fleet.hub, member).await?;
        eprintln!(
            "scenario 2: ClusterInsight {member} agrees with Karmada's nodeSummary {} and resourceSummary {}",
            karmada["status"]["nodeSummary"], karmada["status"]["resourceSummary"]
        );
    }
    Ok(())
}
