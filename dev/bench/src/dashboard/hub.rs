//! Writing karmada-manager's resources to the hub as the operator does: create the object (its
//! spec is empty), then its status subresource. `concurrency` requests at a time, so that the
//! API server is busy but not flooded.

use std::time::Instant;

use anyhow::{Context, Result};
use futures::{StreamExt, TryStreamExt, stream};
use k8s_openapi::api::core::v1::Namespace;
use karmada_manager_api::{
    ClusterInsight, ClusterInsightSpec, ClusterInsightStatus, FLEET_INSIGHT_NAME, FleetInsight,
    FleetInsightSpec, FleetInsightStatus, WorkloadPlacement, WorkloadPlacementSpec,
};
use kube::api::{Api, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Client, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::placements::Placement;

/// What was written and how long it took.
#[derive(Clone, Debug, Serialize)]
pub struct Written {
    pub cluster_insights: usize,
    pub workload_placements: usize,
    /// Bytes of every status written, as JSON.
    pub status_bytes: usize,
    pub seconds: f64,
}

pub async fn write(
    client: &Client,
    insights: &[(String, ClusterInsightStatus)],
    placements: &[Placement],
    fleet: &FleetInsightStatus,
    concurrency: usize,
) -> Result<Written> {
    let started = Instant::now();
    namespaces(client, placements).await?;
    let mut status_bytes = 0;
    let cluster_scoped: Api<ClusterInsight> = Api::all(client.clone());
    let writes = insights.iter().map(|(name, status)| {
        let object = ClusterInsight::new(name, ClusterInsightSpec::default());
        create_with_status(cluster_scoped.clone(), object, status)
    });
    status_bytes += run(writes, concurrency).await?;
    let writes = placements.iter().map(|p| {
        let mut object = WorkloadPlacement::new(&p.name, WorkloadPlacementSpec::default());
        object.metadata.namespace = Some(p.namespace.clone());
        create_with_status(
            Api::namespaced(client.clone(), &p.namespace),
            object,
            &p.status,
        )
    });
    status_bytes += run(writes, concurrency).await?;
    let fleet_object = FleetInsight::new(FLEET_INSIGHT_NAME, FleetInsightSpec::default());
    status_bytes += create_with_status(Api::all(client.clone()), fleet_object, fleet).await?;
    Ok(Written {
        cluster_insights: insights.len(),
        workload_placements: placements.len(),
        status_bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Runs `writes`, `concurrency` at a time; the status bytes they wrote.
async fn run(
    writes: impl Iterator<Item = impl Future<Output = Result<usize>>>,
    concurrency: usize,
) -> Result<usize> {
    stream::iter(writes)
        .buffer_unordered(concurrency.max(1))
        .try_fold(0, |total, bytes| async move { Ok(total + bytes) })
        .await
}

/// Creates `object`, then writes `status` to its status subresource (a merge patch, as the
/// operator's writer sends); the bytes of the status.
async fn create_with_status<K, S>(api: Api<K>, object: K, status: &S) -> Result<usize>
where
    K: Resource + Clone + Serialize + DeserializeOwned + std::fmt::Debug,
    S: Serialize,
{
    let name = object.meta().name.clone().unwrap_or_default();
    api.create(&PostParams::default(), &object)
        .await
        .with_context(|| format!("creating {name}"))?;
    let status = serde_json::to_value(status)?;
    let bytes = status.to_string().len();
    api.patch_status(
        &name,
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({ "status": status })),
    )
    .await
    .with_context(|| format!("writing the status of {name}"))?;
    Ok(bytes)
}

async fn namespaces(client: &Client, placements: &[Placement]) -> Result<()> {
    let mut names: Vec<&str> = placements.iter().map(|p| p.namespace.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let api: Api<Namespace> = Api::all(client.clone());
    for name in names {
        let namespace = Namespace {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        };
        api.create(&PostParams::default(), &namespace)
            .await
            .with_context(|| format!("creating namespace {name}"))?;
    }
    Ok(())
}
