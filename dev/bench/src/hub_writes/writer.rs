//! The three kinds of status write, sent to the hub as the operator or a second writer would.

use super::status;
use anyhow::{Context, Result};
use futures::{StreamExt, TryStreamExt};
use karmada_manager_api::{API_VERSION, ClusterInsight, ClusterInsightStatus};
use kube::api::{Api, Patch, PatchParams};
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};

/// The operator's field manager: the whole status is its.
const OPERATOR: &str = "karmada-manager";
/// A second server-side-apply writer owning only `status.pods`, as a second replica would own
/// its part of a shared object.
const PART_OWNER: &str = "karmada-manager-part";
/// The field manager recorded for the merge patches.
const MERGER: &str = "karmada-manager-merge";

/// What one write sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Server-side apply of the whole status by the operator's field manager: what the
    /// operator does on every change.
    Apply,
    /// Server-side apply of `status.pods` alone by a second field manager, on an object whose
    /// whole status the operator applied: does a small part cost less than the whole?
    ApplyPart,
    /// JSON merge patch of `status.pods` alone: the same small change without server-side
    /// apply's field ownership.
    MergePart,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Apply => "apply",
            Kind::ApplyPart => "apply-part",
            Kind::MergePart => "merge-part",
        }
    }
}

/// The benchmark's ClusterInsights and the change counter every write takes a number from, so
/// that no two writes send the same content.
pub struct Writer {
    client: kube::Client,
    api: Api<ClusterInsight>,
    pub names: Vec<String>,
    next: AtomicU64,
}

impl Writer {
    /// Creates `objects` ClusterInsights with an empty spec, as the operator creates them.
    pub async fn create(client: kube::Client, objects: usize) -> Result<Writer> {
        anyhow::ensure!(objects > 0, "need at least one object");
        let api: Api<ClusterInsight> = Api::all(client.clone());
        let names: Vec<String> = (0..objects).map(|i| format!("member-{i:03}")).collect();
        for name in &names {
            let object = json!({"apiVersion": API_VERSION, "kind": "ClusterInsight",
                "metadata": {"name": name}, "spec": {}});
            let params = PatchParams::apply(OPERATOR).force();
            api.patch(name, &params, &Patch::Apply(&object))
                .await
                .with_context(|| format!("creating {name}"))?;
        }
        Ok(Writer {
            client,
            api,
            names,
            next: AtomicU64::new(1),
        })
    }

    /// One write of `kind` to `name`; `whole` is the status the `apply` kind sends, changed.
    pub async fn write(
        &self,
        kind: Kind,
        whole: &ClusterInsightStatus,
        name: &str,
    ) -> Result<(), kube::Error> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let part = || body(json!({"pods": status::pods(n)}));
        match kind {
            Kind::Apply => {
                let mut changed = whole.clone();
                status::touch(&mut changed, n);
                self.apply(name, OPERATOR, &body(&changed)).await
            }
            Kind::ApplyPart => self.apply(name, PART_OWNER, &part()).await,
            Kind::MergePart => {
                let params = PatchParams {
                    field_manager: Some(MERGER.into()),
                    ..PatchParams::default()
                };
                let patch = Patch::Merge(part());
                self.api.patch_status(name, &params, &patch).await.map(drop)
            }
        }
    }

    /// Applies `whole` (changed) to every object as the operator, `concurrency` at a time: the
    /// state every kind then writes to.
    pub async fn apply_everywhere(
        &self,
        whole: &ClusterInsightStatus,
        concurrency: usize,
    ) -> Result<()> {
        futures::stream::iter(&self.names)
            .map(|name| async move {
                self.write(Kind::Apply, whole, name)
                    .await
                    .with_context(|| format!("applying the status of {name}"))
            })
            .buffer_unordered(concurrency.max(1))
            .try_collect::<()>()
            .await
    }

    /// The size of the first object as the hub stores and serves it (JSON, `managedFields`
    /// included).
    pub async fn stored_bytes(&self) -> Result<usize> {
        let uri = format!("/apis/{API_VERSION}/clusterinsights/{}", self.names[0]);
        let request = http::Request::get(uri).body(Vec::new())?;
        Ok(self.client.request_text(request).await?.len())
    }

    async fn apply(&self, name: &str, manager: &str, body: &Value) -> Result<(), kube::Error> {
        let params = PatchParams::apply(manager).force();
        self.api
            .patch_status(name, &params, &Patch::Apply(body))
            .await
            .map(drop)
    }
}

/// A status patch: what the operator sends (`crates/operator/src/write/apply.rs`).
fn body(status: impl Serialize) -> Value {
    json!({"apiVersion": API_VERSION, "kind": "ClusterInsight", "status": status})
}
