//! Server-side apply of our objects and their status. The only writes karmada-manager makes.

use crate::metrics::{Metrics, WriteOutcome};
use crate::settings::FIELD_MANAGER;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::Resource;
use kube::api::{Api, Patch, PatchParams};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::fmt::Debug;

/// Creates the object (empty spec, owner reference) if it does not exist yet, and returns its
/// generation. Idempotent: applying the same object again changes nothing.
pub async fn ensure_object<K>(
    api: &Api<K>,
    name: &str,
    owner: Option<OwnerReference>,
) -> Result<Option<i64>, kube::Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug,
{
    let object = json!({
        "apiVersion": K::api_version(&()),
        "kind": K::kind(&()),
        "metadata": {"name": name, "ownerReferences": owner.into_iter().collect::<Vec<_>>()},
        "spec": {},
    });
    let applied = api
        .patch(
            name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&object),
        )
        .await?;
    Ok(applied.meta().generation)
}

/// Applies the whole status of an object through its status subresource.
pub async fn apply_status<K, S>(api: &Api<K>, name: &str, status: &S) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug,
    S: Serialize,
{
    apply_as(api, name, FIELD_MANAGER, status).await
}

/// Applies `status` as field manager `manager`: the fields it sets become that manager's, and
/// those the manager set before and leaves out now are removed.
async fn apply_as<K, S>(
    api: &Api<K>,
    name: &str,
    manager: &str,
    status: &S,
) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug,
    S: Serialize,
{
    let patch = json!({"apiVersion": K::api_version(&()), "kind": K::kind(&()), "status": status});
    api.patch_status(
        name,
        &PatchParams::apply(manager).force(),
        &Patch::Apply(&patch),
    )
    .await?;
    Ok(())
}

/// Applies one writer's part of a status (replicas sharing the members) as `manager`, counting
/// the outcome in the metrics like [`apply_status_if_changed`]; the caller has compared.
pub async fn apply_status_part<K>(
    api: &Api<K>,
    name: &str,
    manager: &str,
    part: &serde_json::Value,
    metrics: &Metrics,
) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug,
{
    let kind = K::kind(&());
    let result = apply_as(api, name, manager, part).await;
    let outcome = if result.is_ok() {
        WriteOutcome::Written
    } else {
        WriteOutcome::Failed
    };
    metrics.write(kind.as_ref(), outcome);
    result
}

/// Applies `status` unless it equals `previous` (the last status seen), counting the outcome
/// in the metrics under `kind`. Returns whether a write was sent.
pub async fn apply_status_if_changed<K, S>(
    api: &Api<K>,
    name: &str,
    previous: Option<&S>,
    status: &S,
    metrics: &Metrics,
) -> Result<bool, kube::Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug,
    S: Serialize + PartialEq,
{
    let kind = K::kind(&());
    let kind = kind.as_ref();
    if previous == Some(status) {
        metrics.write(kind, WriteOutcome::Skipped);
        return Ok(false);
    }
    match apply_status(api, name, status).await {
        Ok(()) => {
            metrics.write(kind, WriteOutcome::Written);
            Ok(true)
        }
        Err(err) => {
            metrics.write(kind, WriteOutcome::Failed);
            Err(err)
        }
    }
}
