//! What this replica writes of a placement. One replica writes the whole status. When replicas
//! share the members, the binding's owner writes the summary (all but the observed fields of
//! the cluster entries) and the watcher of each member the observed fields of its entry, each
//! under its own field manager; each part is written only when it differs from the placement
//! as last seen.

use super::MirroredBinding;
use crate::context::Context;
use crate::members::Connection;
use crate::metrics::WriteOutcome;
use crate::settings::FIELD_MANAGER;
use crate::shards::member_field_manager;
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
        // A member just taken over shows what its previous watcher published until its first
        // list is done (its end triggers every workload there): never fewer pods meanwhile.
        let published = |c: &str| previous.is_some_and(|p| p.clusters.iter().any(|e| e.name == c));
        clusters.retain(|c| ctx.shards.owns_member(c) && !(published(c) && first_listing(ctx, c)));
        Roles {
            summary: ctx.shards.owns_binding(key),
            members: clusters,
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.summary && self.members.is_empty()
    }
}

/// Whether this replica's watch of member `cluster` is still in its first list.
fn first_listing(ctx: &Context, cluster: &str) -> bool {
    match ctx.members.connection(cluster) {
        Some(Connection::Watched { shared, .. }) => shared.first_listing(),
        _ => false,
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
            previous.is_some_and(|p| owns_entry(p, &manager, cluster))
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

/// Whether `manager` owns fields of the entry of `cluster` in `placement` (its
/// `managedFields`, `f:status` → `f:clusters` → `k:{"name":"<cluster>"}`). A manager that
/// applied an empty part keeps an entry of its own with nothing under `f:clusters`.
fn owns_entry<P: Resource>(placement: &P, manager: &str, cluster: &str) -> bool {
    let key = format!("k:{}", serde_json::json!({ "name": cluster }));
    placement
        .meta()
        .managed_fields
        .iter()
        .flatten()
        .filter(|f| f.manager.as_deref() == Some(manager))
        .filter_map(|f| f.fields_v1.as_ref())
        .any(|fields| fields.0["f:status"]["f:clusters"].get(&key).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{FieldsV1, ManagedFieldsEntry};
    use karmada_manager_api::WorkloadPlacement;
    use serde_json::json;

    fn placement(manager: &str, fields: serde_json::Value) -> WorkloadPlacement {
        let mut placement = WorkloadPlacement::new("web", Default::default());
        placement.metadata.managed_fields = Some(vec![ManagedFieldsEntry {
            manager: Some(manager.into()),
            fields_v1: Some(FieldsV1(fields)),
            ..ManagedFieldsEntry::default()
        }]);
        placement
    }

    #[test]
    fn a_manager_owns_an_entry_only_while_it_has_fields_under_its_key() {
        let manager = "karmada-manager-member-m1";
        let entry = json!({"f:status": {"f:clusters": {
            "k:{\"name\":\"m1\"}": {".": {}, "f:pods": {}}
        }}});
        assert!(owns_entry(
            &placement(manager, entry.clone()),
            manager,
            "m1"
        ));
        assert!(!owns_entry(&placement(manager, entry), manager, "m2"));
        // What the hub keeps after the manager applied an empty part.
        let emptied = placement(manager, json!({"f:status": {}}));
        assert!(!owns_entry(&emptied, manager, "m1"));
        let other = placement(
            "karmada-manager",
            json!({"f:status": {"f:clusters": {
                "k:{\"name\":\"m1\"}": {}
            }}}),
        );
        assert!(!owns_entry(&other, manager, "m1"));
    }
}
