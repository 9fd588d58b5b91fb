//! Why Karmada's scheduler leaves a cluster out for a binding: its filter plugins
//! (`ClusterAffinity`, `ClusterEviction`, `TaintToleration`, `APIEnablement`,
//! `SpreadConstraint`) and the deleting-cluster check that precedes them, in Rust.
//!
//! Karmada keeps its plugins in a Go map, so when several fail, which one its log names varies
//! from run to run. Here they run in a fixed order, most fundamental first: a cluster the
//! policy does not select is `AffinityMismatch` whatever else is wrong with it.

use karmada_manager_api::candidate_reasons as reason;
use karmada_types::well_known::{TAINT_CLUSTER_NOT_READY, TAINT_CLUSTER_UNREACHABLE};
use karmada_types::{Cluster, ResourceBindingSpec, SpreadByField, Taint, TaintEffect};

use super::affinity::{AffinityMiss, affinity_miss};
use super::selector_text::{field_selector_text, label_selector_text};
use super::summary::effective_affinity;
use crate::projection::TaintEffect as Effect;
use crate::text::{PROBLEM_MESSAGE_LIMIT, bounded};
use crate::toleration::{Tolerates, tolerated};

/// Most `clusterNames` an `AffinityMismatch` message lists.
const NAMES_IN_MESSAGE: usize = 5;

/// A cluster the scheduler filters out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filtered {
    /// One of [`karmada_manager_api::candidate_reasons`].
    pub reason: &'static str,
    /// The detail, bounded.
    pub message: String,
}

/// The first filter `cluster` fails for the binding `spec` (whose scheduler uses the
/// `clusterAffinities` group `affinity_name`, see [`effective_affinity`]); `None` when it
/// passes them all.
///
/// Meant for clusters that are not targets: Karmada lets a target pass the taint and API
/// filters (a new taint evicts through the taint manager instead), and so would this.
pub fn filter_cluster(
    cluster: &Cluster,
    spec: &ResourceBindingSpec,
    affinity_name: &str,
) -> Option<Filtered> {
    let filtered = |reason, message: String| {
        Some(Filtered {
            reason,
            message: bounded(&message, PROBLEM_MESSAGE_LIMIT),
        })
    };
    let name = cluster.metadata.name.as_deref().unwrap_or_default();
    let placement = spec.placement.clone().unwrap_or_default();
    if cluster.metadata.deletion_timestamp.is_some() {
        return filtered(reason::DELETING, "the Cluster is being deleted".to_owned());
    }
    if let Some(message) = affinity_message(cluster, &placement, affinity_name) {
        return filtered(reason::AFFINITY_MISMATCH, message);
    }
    if let Some(task) = spec
        .graceful_eviction_tasks
        .iter()
        .find(|t| t.from_cluster == name)
    {
        let why = if task.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", task.reason)
        };
        return filtered(
            reason::EVICTING,
            format!("the workload is being evicted from it{why}"),
        );
    }
    let tolerations: Vec<Tolerates> = placement
        .cluster_tolerations
        .iter()
        .map(Tolerates::new)
        .collect();
    if let Some(taint) = untolerated_taint(&cluster.spec.taints, &tolerations) {
        let text = taint_text(taint);
        return if [TAINT_CLUSTER_NOT_READY, TAINT_CLUSTER_UNREACHABLE].contains(&taint.key.as_str())
        {
            filtered(
                reason::NOT_READY,
                format!(
                    "Karmada tainted the cluster {text} and clusterTolerations do not tolerate it"
                ),
            )
        } else {
            filtered(
                reason::TAINT_NOT_TOLERATED,
                format!("taint {text} not tolerated by clusterTolerations"),
            )
        };
    }
    let resource = &spec.resource;
    match cluster
        .status
        .api_enabled(&resource.api_version, &resource.kind)
    {
        Some(true) => {}
        Some(false) => {
            return filtered(
                reason::API_NOT_ENABLED,
                format!(
                    "the member does not serve {} {}",
                    resource.api_version, resource.kind
                ),
            );
        }
        None => {
            return filtered(
                reason::API_NOT_ENABLED,
                format!(
                    "{} {} is not among the member's APIs Karmada collected, and the list is incomplete (CompleteAPIEnablements is not True)",
                    resource.api_version, resource.kind
                ),
            );
        }
    }
    spread_field_missing(cluster, &placement).and_then(|field| {
        filtered(
            reason::SPREAD_CONSTRAINT,
            format!("a spread constraint groups clusters by {field}, and the cluster has none"),
        )
    })
}

/// `FindMatchingUntoleratedTaint` over the `NoSchedule` and `NoExecute` taints: the first one,
/// in the Cluster's order, that no toleration tolerates.
fn untolerated_taint<'a>(taints: &'a [Taint], tolerations: &[Tolerates]) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|t| matches!(t.effect, TaintEffect::NoSchedule | TaintEffect::NoExecute))
        .find(|t| {
            !tolerated(
                tolerations,
                &t.key,
                &t.value,
                Effect::from(t.effect.as_str()),
            )
        })
}

/// `key=value:effect`, or `key:effect` without a value, as `Taint.ToString` writes it.
fn taint_text(taint: &Taint) -> String {
    if taint.value.is_empty() {
        format!("{}:{}", taint.key, taint.effect.as_str())
    } else {
        format!("{}={}:{}", taint.key, taint.value, taint.effect.as_str())
    }
}

/// Which affinity part leaves `cluster` out, and in which `clusterAffinities` group.
fn affinity_message(
    cluster: &Cluster,
    placement: &karmada_types::Placement,
    affinity_name: &str,
) -> Option<String> {
    let affinity = effective_affinity(placement, affinity_name)?;
    let part = match affinity_miss(cluster, affinity)? {
        AffinityMiss::Excluded => "it is listed in exclude".to_owned(),
        AffinityMiss::LabelSelector => format!(
            "its labels do not match labelSelector {}",
            affinity
                .label_selector
                .as_ref()
                .and_then(label_selector_text)
                .unwrap_or_default()
        ),
        AffinityMiss::FieldSelector => format!(
            "its provider, region or zones do not match fieldSelector {}",
            affinity
                .field_selector
                .as_ref()
                .and_then(field_selector_text)
                .unwrap_or_default()
        ),
        AffinityMiss::ClusterNames => {
            let names = &affinity.cluster_names;
            let mut listed = names
                .iter()
                .take(NAMES_IN_MESSAGE)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if names.len() > NAMES_IN_MESSAGE {
                listed.push_str(&format!(" and {} more", names.len() - NAMES_IN_MESSAGE));
            }
            format!("clusterNames does not name it ({listed})")
        }
    };
    if placement.cluster_affinities.is_empty() {
        return Some(format!("clusterAffinity: {part}"));
    }
    let group = placement
        .cluster_affinities
        .iter()
        .find(|g| !affinity_name.is_empty() && g.affinity_name == affinity_name)
        .or_else(|| placement.cluster_affinities.first())
        .map(|g| g.affinity_name.as_str())
        .unwrap_or_default();
    Some(format!(
        "clusterAffinities group {group:?} (the one in use): {part}"
    ))
}

/// The `SpreadConstraint` filter: a constraint by provider, region or zone needs the cluster
/// to have one (zones: the `zones` list; Karmada ignores the older single `zone` here).
fn spread_field_missing(
    cluster: &Cluster,
    placement: &karmada_types::Placement,
) -> Option<&'static str> {
    placement
        .spread_constraints
        .iter()
        .find_map(|c| match c.spread_by_field.as_ref()? {
            SpreadByField::Provider if cluster.spec.provider.is_empty() => Some("provider"),
            SpreadByField::Region if cluster.spec.region.is_empty() => Some("region"),
            SpreadByField::Zone if cluster.spec.zones.is_empty() => Some("zones"),
            _ => None,
        })
}
