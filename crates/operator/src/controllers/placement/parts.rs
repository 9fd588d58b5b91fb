//! What this replica writes of a placement. One replica writes the whole status. When replicas
//! share the members, the binding's owner writes the summary (all but the observed fields of
//! the cluster entries) and the watcher of each member the observed fields of its entry, each
//! under its own field manager; each part is written only when it differs from the placement
//! as last seen.

use super::MirroredBinding;
use crate::context::Context;
use crate::metrics::WriteOutcome;
use crate::settings::FIELD_MANAGER;
use crate::shard::member_field_manager;
use crate::write::apply::{apply_status_if_changed, apply_status_part};
use karmada_manager_api::WorkloadPlacementStatus;
use karmada_manager_core::{BindingRef, involved_clusters, observed_part, summary_part};
use kube::Resource;
use kube::api::Api;
use kube::core::DeserializeGuard;
use std::collections::BTreeSet;

/// The parts of one placement this replica writes.
pub struct Roles {
    /// The summary (and creating or deleting the object): this replica owns the binding.
    pub summary: bool,
    /// The clusters among the placement's, before and now, whose members this replica
    /// watches: it writes (or, once a cluster has no entry, removes) their observed fields.
    pub members: BTreeSet<String>,
}

impl Roles {
    /// Everything, without sharding; else this replica's share of `binding`'s placement.
    pub fn of<B: MirroredBinding>(
        ctx: &Context,
        binding: &DeserializeGuard<B>,
        key: &BindingRef,
        previous: Option<&WorkloadPlacementStatus>,
    ) -> Roles {
        let mut clusters: BTreeSet<String> = previous
            .map(|p| p.clusters.iter().map(|e| e.name.clone()).collect())
            .unwrap_or_default();
        if let Ok(binding) = &binding.0 {
            clusters.extend(involved_clusters(binding.source().spec));
        }
        clusters.retain(|c| ctx.shards.owns_member(c));
        Roles {
            summary: ctx.shards.owns_binding(key),
            members: clusters,
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.summary && self.members.is_empty()
    }
}

/// Writes this replica's parts of `status` where they differ from `previous` (the placement as
/// last seen); returns whether anything was written.
pub async fn write<B: MirroredBinding>(
    ctx: &Context,
    api: &Api<B::Placement>,
    name: &str,
    previous: Option<&B::Placement>,
    status: &WorkloadPlacementStatus,
    roles: &Roles,
) -> Result<bool, kube::Error> {
    let before = previous.and_then(B::status);
    if !ctx.shards.is_sharded() {
        return apply_status_if_changed(api, name, before, status, &ctx.metrics).await;
    }
    let mut written = false;
    if roles.summary {
        let part = summary_part(status);
        if before.map(summary_part).as_ref() != Some(&part) {
            apply_status_part(api, name, FIELD_MANAGER, &part, &ctx.metrics).await?;
            written = true;
        }
    }
    for cluster in &roles.members {
        let manager = member_field_manager(cluster);
        let part = observed_part(status, cluster);
        let stale = if part.as_object().is_some_and(|p| p.is_empty()) {
            // No entry any more: remove what this member's manager wrote, if anything.
            previous.is_some_and(|p| manages(p, &manager))
        } else {
            before.map(|b| observed_part(b, cluster)).as_ref() != Some(&part)
        };
        if stale {
            apply_status_part(api, name, &manager, &part, &ctx.metrics).await?;
            written = true;
        }
    }
    if !written {
        let kind = <B::Placement as Resource>::kind(&());
        ctx.metrics.write(kind.as_ref(), WriteOutcome::Skipped);
    }
    Ok(written)
}

/// Whether `manager` owns fields of `placement`.
fn manages<P: Resource>(placement: &P, manager: &str) -> bool {
    placement
        .meta()
        .managed_fields
        .iter()
        .flatten()
        .any(|f| f.manager.as_deref() == Some(manager))
}
