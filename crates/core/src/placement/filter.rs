//! Why Karmada's scheduler leaves a cluster out for a binding: its filter plugins
//! (`ClusterAffinity`, `ClusterEviction`, `TaintToleration`, `APIEnablement`,
//! `SpreadConstraint`) and the deleting-cluster check that precedes them, in Rust.
//!
//! Karmada keeps its plugins in a Go map, so when several fail, which one its log names varies
//! from run to run. Here they run in a fixed order, most fundamental first: a cluster the
//! policy does not select is `AffinityMismatch` whatever else is wrong with it.

use karmada_manager_api::candidate_reasons as reason;
use karmada_types::well_known::{TAINT_CLUSTER_NOT_READY, TAINT_CLUSTER_UNREACHABLE};
use karmada_types::{
    Cluster, ClusterAffinity, ResourceBindingSpec, SpreadByField, SpreadConstraint, Taint,
    TaintEffect,
};

use super::affinity::{AffinityMiss, affinity_miss};
use super::selector_text::{field_selector_text, label_selector_text};
use super::summary::affinity_group;
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

/// Karmada's filters for one binding, with what they need from its placement read once: each
/// Cluster of the fleet is then checked against them.
pub struct ClusterFilter<'a> {
    spec: &'a ResourceBindingSpec,
    /// The cluster affinity in use, and how messages name it (`clusterAffinity`, or the
    /// `clusterAffinities` group).
    affinity: Option<(&'a ClusterAffinity, String)>,
    tolerations: Vec<Tolerates>,
    spread: &'a [SpreadConstraint],
}

impl<'a> ClusterFilter<'a> {
    /// The filters of the binding `spec`, whose scheduler uses the `clusterAffinities` group
    /// `affinity_name` (see [`affinity_group`]).
    pub fn new(spec: &'a ResourceBindingSpec, affinity_name: &str) -> ClusterFilter<'a> {
        let placement = spec.placement.as_ref();
        let affinity = placement.and_then(|p| {
            if p.cluster_affinities.is_empty() {
                let single = p.cluster_affinity.as_ref()?;
                return Some((single, "clusterAffinity".to_owned()));
            }
            let group = affinity_group(p, affinity_name)?;
            let label = format!(
                "clusterAffinities group {:?} (the one in use)",
                group.affinity_name
            );
            Some((&group.affinity, label))
        });
        ClusterFilter {
            spec,
            affinity,
            tolerations: placement
                .map(|p| p.cluster_tolerations.iter().map(Tolerates::new).collect())
                .unwrap_or_default(),
            spread: placement.map_or(&[], |p| p.spread_constraints.as_slice()),
        }
    }

    /// The first filter `cluster` fails; `None` when it passes them all.
    ///
    /// Meant for clusters that are not targets: Karmada lets a target pass the taint and API
    /// filters (a new taint evicts through the taint manager instead), and so would this.
    pub fn first_failure(&self, cluster: &Cluster) -> Option<Filtered> {
        let (reason, message) = self.failure(cluster)?;
        Some(Filtered {
            reason,
            message: bounded(&message, PROBLEM_MESSAGE_LIMIT),
        })
    }

    fn failure(&self, cluster: &Cluster) -> Option<(&'static str, String)> {
        let name = cluster.metadata.name.as_deref().unwrap_or_default();
        if cluster.metadata.deletion_timestamp.is_some() {
            return Some((reason::DELETING, "the Cluster is being deleted".to_owned()));
        }
        if let Some((affinity, label)) = &self.affinity
            && let Some(miss) = affinity_miss(cluster, affinity)
        {
            let part = miss_text(miss, affinity);
            return Some((reason::AFFINITY_MISMATCH, format!("{label}: {part}")));
        }
        let tasks = &self.spec.graceful_eviction_tasks;
        if let Some(task) = tasks.iter().find(|t| t.from_cluster == name) {
            let why = if task.reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", task.reason)
            };
            let message = format!("the workload is being evicted from it{why}");
            return Some((reason::EVICTING, message));
        }
        if let Some(taint) = untolerated_taint(&cluster.spec.taints, &self.tolerations) {
            return Some(taint_failure(taint));
        }
        let resource = &self.spec.resource;
        let (version, kind) = (&resource.api_version, &resource.kind);
        match cluster.status.api_enabled(version, kind) {
            Some(true) => {}
            Some(false) => {
                let message = format!("the member does not serve {version} {kind}");
                return Some((reason::API_NOT_ENABLED, message));
            }
            None => {
                let message = format!(
                    "{version} {kind} is not among the member's APIs Karmada collected, and the list is incomplete (CompleteAPIEnablements is not True)"
                );
                return Some((reason::API_NOT_ENABLED, message));
            }
        }
        let field = spread_field_missing(cluster, self.spread)?;
        let message =
            format!("a spread constraint groups clusters by {field}, and the cluster has none");
        Some((reason::SPREAD_CONSTRAINT, message))
    }
}

/// `NotReady` for the taints Karmada puts on a cluster that is not ready, `TaintNotTolerated`
/// for any other.
fn taint_failure(taint: &Taint) -> (&'static str, String) {
    let text = taint_text(taint);
    if [TAINT_CLUSTER_NOT_READY, TAINT_CLUSTER_UNREACHABLE].contains(&taint.key.as_str()) {
        let message =
            format!("Karmada tainted the cluster {text} and clusterTolerations do not tolerate it");
        (reason::NOT_READY, message)
    } else {
        let message = format!("taint {text} not tolerated by clusterTolerations");
        (reason::TAINT_NOT_TOLERATED, message)
    }
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

/// The affinity part that leaves a cluster out, in words.
fn miss_text(miss: AffinityMiss, affinity: &ClusterAffinity) -> String {
    match miss {
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
    }
}

/// The `SpreadConstraint` filter: a constraint by provider, region or zone needs the cluster
/// to have one (zones: the `zones` list; Karmada ignores the older single `zone` here).
fn spread_field_missing(cluster: &Cluster, spread: &[SpreadConstraint]) -> Option<&'static str> {
    spread
        .iter()
        .find_map(|c| match c.spread_by_field.as_ref()? {
            SpreadByField::Provider if cluster.spec.provider.is_empty() => Some("provider"),
            SpreadByField::Region if cluster.spec.region.is_empty() => Some("region"),
            SpreadByField::Zone if cluster.spec.zones.is_empty() => Some("zones"),
            _ => None,
        })
}
