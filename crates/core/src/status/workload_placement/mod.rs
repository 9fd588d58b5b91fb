//! `WorkloadPlacement` / `ClusterWorkloadPlacement` status from a Karmada binding, the policy
//! that claimed it, the Cluster objects, the Works' applied overrides and the workload's pods
//! on each member.
//!
//! Like the other builders: pure, deterministic (clusters by name, pods and nodes in a total
//! order, overrides in application order), bounded by caps and a size guard. It fills
//! everything but `conditions`, `observedGeneration` and `lastChangeTime`; the conditions come
//! back as plain data ([`DesiredCondition`]) for the shell to merge with the previous ones.

mod agreement;
mod candidates;
mod clusters;
mod conditions;
mod parts;
mod pods;
mod size_guard;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use karmada_manager_api::{
    BindingReference, ClusterPlacement, ClusterProblem, FitEstimator, PolicyReference,
    ReplicaCounts, WorkloadPlacementStatus, WorkloadReference,
};
use karmada_types::well_known::ClaimingPolicy;
use karmada_types::{
    Cluster, Placement, PropagationSpec, ReplicaSchedulingType, ResourceBindingSpec, WorkOverrides,
};

use crate::index::WorkloadPod;
use crate::keys::{BindingSource, api_group};
use crate::placement::{placement_summary, resolve_weights};
use crate::status::fleet_insight::WorkloadState;
use crate::text::{VALUE_LIMIT, bounded};
pub use agreement::{
    DISAGREEMENT_GRACE, Disagreements, ReadyCounts, disagreement_problem, ready_disagreement,
};
use candidates::{CandidateSources, candidates};
use clusters::{ClusterFacts, Sources, cluster_entries, fit_problem, has_replica_status};
pub use conditions::DesiredCondition;
pub use parts::{observed_part, summary_part};
pub use size_guard::PlacementTruncation;

/// Most clusters the CLUSTERS printer column names before `+<n>`.
const DISPLAY_CLUSTERS: usize = 10;

/// What the hub holds of the (Cluster)PropagationPolicy a binding's claim annotations name
/// ([`ClaimingPolicy::of`]). The shell looks it up in its cache; the builder only reads this.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PolicyLookup<'a> {
    /// The policy exists and decodes.
    Found(&'a PropagationSpec),
    /// No such policy on the hub — then, if the annotations name one, the status reports it
    /// missing (`PolicyNotFound`) — or no policy is named.
    Missing,
    /// The policy exists but cannot be decoded; the decoder's message, which names the field
    /// (`spec.priority: ...`). The status reports it as `MalformedPolicy`.
    Malformed(&'a str),
}

impl<'a> PolicyLookup<'a> {
    /// The spec, when the policy exists and decodes.
    pub fn spec(&self) -> Option<&'a PropagationSpec> {
        match self {
            PolicyLookup::Found(spec) => Some(spec),
            PolicyLookup::Missing | PolicyLookup::Malformed(_) => None,
        }
    }
}

/// Everything one placement status is built from. All maps are keyed by Cluster name.
#[derive(Clone, Copy, Debug)]
pub struct PlacementInputs<'a> {
    /// The binding.
    pub binding: BindingSource<'a>,
    /// The (Cluster)PropagationPolicy the binding's claim annotations name
    /// ([`ClaimingPolicy::of`]): found, missing (or none named), or malformed. Pass
    /// [`PolicyLookup::Missing`] only once the policy caches have synced.
    pub policy: PolicyLookup<'a>,
    /// Karmada Clusters, at least the binding's target clusters (others are ignored), to
    /// resolve static weights against their labels and fields.
    pub clusters: &'a [&'a Cluster],
    /// The applied overrides of the binding's Work on each cluster (parsed from the Work's
    /// annotations). A cluster without an entry shows no overrides.
    pub overrides: &'a BTreeMap<String, WorkOverrides>,
    /// The workload's pods on each cluster ([`workload_pods`](crate::workload_pods)). A cluster
    /// without an entry gets no `pods` block: its pods cannot be seen (source `ClusterStatus`,
    /// or not synced yet). An empty list means "seen, none".
    pub pods: &'a BTreeMap<String, Vec<WorkloadPod>>,
    /// What cannot be observed on each cluster (member unreachable, malformed overrides
    /// annotation), copied into `clusters[].problems` and summarised in a `Degraded`
    /// condition. A cluster without an entry has none.
    pub problems: &'a BTreeMap<String, Vec<ClusterProblem>>,
    /// How many more replicas fit on a cluster, estimated by the shell for the binding's
    /// [`FitShape`](crate::fit::FitShape); asked only for the target clusters, the candidates
    /// listed and those whose fit decides their reason. `None`: no `fitReplicas`.
    pub fits: &'a dyn FitSource,
    /// `None` when this replica watches every member. When replicas share the members, which
    /// clusters this one watches, and the placement as last read for the others.
    pub shared: Option<SharedObservation<'a>>,
}

/// How a replica that watches only some members builds a placement: the
/// [observed fields](ClusterPlacement::OBSERVED_FIELDS) of the other clusters' entries are
/// those their watchers published, never computed here, so that every replica builds the same
/// status and the conditions judge every cluster as its watcher sees it.
#[derive(Clone, Copy, Debug)]
pub struct SharedObservation<'a> {
    /// The clusters whose members this replica watches.
    pub watched_here: &'a BTreeSet<String>,
    /// `status.clusters` as last read: where the other clusters' observed fields come from
    /// (none yet for a cluster without an entry).
    pub published: &'a [ClusterPlacement],
}

/// Where the builder gets `fitReplicas` from. The shell estimates lazily, so that a fleet of
/// thousands of clusters costs only the clusters a status shows.
pub trait FitSource: std::fmt::Debug {
    /// The fit on `cluster`, if anything is known of its capacity.
    fn fit(&self, cluster: &str) -> Option<Fit>;
}

/// Fits computed beforehand (tests, and bindings that need none).
impl FitSource for BTreeMap<String, Fit> {
    fn fit(&self, cluster: &str) -> Option<Fit> {
        self.get(cluster).copied()
    }
}

/// One cluster's `fitReplicas` and how it was estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fit {
    pub replicas: u64,
    pub estimator: FitEstimator,
    /// karmada-scheduler's built-in (general) estimate, which it always takes into a division
    /// by available replicas; `None` when the Cluster has no `resourceSummary`.
    pub general: Option<u64>,
}

/// Settings of the `WorkloadPlacement` builder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacementOptions {
    /// Most nodes listed per cluster in `clusters[].nodes` (default 20).
    pub node_limit: usize,
    /// Most pods listed per cluster in `clusters[].podList` (default 50).
    pub pod_limit: usize,
    /// Size guard on the serialized status built here (default 512 KiB); above it pod lists,
    /// then node lists, are halved until it fits. Leave headroom for the conditions the shell
    /// adds (a few KiB).
    pub max_status_bytes: usize,
    /// Most clusters listed in `candidates.items` (default 20).
    pub candidate_limit: usize,
}

impl Default for PlacementOptions {
    fn default() -> Self {
        PlacementOptions {
            node_limit: 20,
            pod_limit: 50,
            max_status_bytes: 512 * 1024,
            candidate_limit: 20,
        }
    }
}

/// A built placement status, its conditions, and its state for the fleet counts.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadPlacementBuild {
    /// The status, without conditions, observedGeneration or lastChangeTime.
    pub status: WorkloadPlacementStatus,
    /// Ready, Scheduled, Applied, then Reconciling and Stalled when true; for the shell to
    /// merge with the previous conditions (times) and write.
    pub conditions: Vec<DesiredCondition>,
    /// How the fleet counts this workload (consistent with `conditions`).
    pub state: WorkloadState,
    /// Set when the size guard shortened pod or node lists (then Ready, if True, has reason
    /// `StatusTruncated`).
    pub truncation: Option<PlacementTruncation>,
}

/// Builds the status of the placement that mirrors `inputs.binding`.
///
/// - `workload`, `binding`, `policy` (from the claim annotations; priority and conflict
///   resolution only when the policy exists and decodes), `placement` (see
///   [`placement_summary`]).
/// - `replicas`: `desired` = `spec.replicas`, times the number of target clusters for
///   `Duplicated`; `scheduled` = Σ `spec.clusters[].replicas`; `ready`/`available`/`updated` =
///   Σ over the *target* clusters' reported counts (a cluster only being evicted from still
///   runs its old copy, which must not make the new placement look ready).
/// - `clusters`: the target clusters plus those still being evicted from, by name.
/// - `clustersDisplay`: `m1:6,m2:4` over the target clusters (bare names when the workload has
///   no replicas), at most ten, then `+<n>`.
///
/// Malformed parts of the binding never fail the build: a member status that is not an object,
/// or counts that are not integers, read as absent; duplicate `spec.clusters` names are merged.
pub fn workload_placement_status(
    inputs: &PlacementInputs<'_>,
    options: &PlacementOptions,
) -> WorkloadPlacementBuild {
    let binding = &inputs.binding;
    let spec = binding.spec;
    let resource = &spec.resource;
    let default_placement = Placement::default();
    let placement = spec.placement.as_ref().unwrap_or(&default_placement);
    let target_replicas = clusters::targets(spec);

    let weights = resolve_weights(
        placement,
        target_replicas.keys().copied(),
        inputs.clusters.iter().copied(),
    );
    let replica_kind = has_replica_status(
        api_group(&resource.api_version),
        &resource.kind,
        binding.status,
    );
    let facts = cluster_entries(&Sources {
        spec,
        status: binding.status,
        namespace: &resource.namespace,
        replica_kind,
        weights: &weights,
        overrides: inputs.overrides,
        pods: inputs.pods,
        problems: inputs.problems,
        fits: inputs.fits,
        shared: inputs.shared,
        placement,
        target_count: target_replicas.len(),
        fit_problem: fit_problem(spec),
        options,
    });

    let claim = ClaimingPolicy::of(binding.metadata);
    let mut status = WorkloadPlacementStatus {
        workload: workload_reference(spec),
        binding: binding_reference(binding),
        policy: policy_reference(&claim, inputs.policy.spec()),
        placement: spec
            .placement
            .as_ref()
            .map(|p| placement_summary(p, &binding.status.scheduler_observing_affinity_name)),
        replicas: replica_counts(spec, placement, &target_replicas, &facts),
        clusters_display: clusters_display(&target_replicas),
        clusters: Vec::new(),
        candidates: candidates(&CandidateSources {
            spec,
            placement,
            affinity_name: &binding.status.scheduler_observing_affinity_name,
            last_scheduled: binding
                .status
                .last_scheduled_time
                .as_ref()
                .map(|t| t.0.to_string()),
            clusters: inputs.clusters,
            targets: &target_replicas,
            fits: inputs.fits,
            limit: options.candidate_limit,
        }),
        ..WorkloadPlacementStatus::default()
    };
    let lagging: Vec<String> = facts
        .iter()
        .filter(|f| f.target && f.lagging)
        .map(|f| f.entry.name.clone())
        .collect();
    let targets: Vec<bool> = facts.iter().map(|f| f.target).collect();
    status.clusters = facts.into_iter().map(|f| f.entry).collect();
    let truncation = size_guard::enforce_size_limit(&mut status, options.max_status_bytes);

    let (mut conditions, state) = conditions::conditions(&conditions::Facts {
        generation: binding.metadata.generation.unwrap_or(0),
        status: binding.status,
        targets: status
            .clusters
            .iter()
            .zip(&targets)
            .filter(|(_, target)| **target)
            .map(|(entry, _)| entry)
            .collect(),
        replicas: &status.replicas,
        replica_kind,
        lagging: lagging.iter().map(String::as_str).collect(),
        claim: &claim,
        policy: inputs.policy,
        truncation: truncation.as_ref(),
    });
    // Not part of the state: what Karmada reports decides readiness; this only says that
    // karmada-manager's own view of some clusters is incomplete.
    conditions.extend(conditions::degraded(&status.clusters));
    WorkloadPlacementBuild {
        status,
        conditions,
        state,
        truncation,
    }
}

fn workload_reference(spec: &ResourceBindingSpec) -> WorkloadReference {
    let resource = &spec.resource;
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    WorkloadReference {
        api_version: resource.api_version.clone(),
        kind: resource.kind.clone(),
        namespace: non_empty(&resource.namespace),
        name: resource.name.clone(),
        uid: non_empty(&resource.uid),
        display: format!("{}/{}", resource.kind, resource.name),
    }
}

fn binding_reference(binding: &BindingSource<'_>) -> BindingReference {
    let observed = binding.status.scheduler_observed_generation;
    BindingReference {
        kind: binding.kind.as_str().to_owned(),
        name: binding.metadata.name.clone().unwrap_or_default(),
        generation: binding.metadata.generation.unwrap_or(0),
        scheduler_observed_generation: (observed > 0).then_some(observed),
        last_scheduled_time: binding.status.last_scheduled_time.clone(),
    }
}

/// The policy the binding's annotations name; the names are bounded ([`VALUE_LIMIT`]), as
/// anyone who may edit the binding may write anything there.
fn policy_reference(
    claim: &ClaimingPolicy,
    policy: Option<&PropagationSpec>,
) -> Option<PolicyReference> {
    let value = |text: &str| bounded(text, VALUE_LIMIT);
    let (kind, namespace, name) = match claim {
        ClaimingPolicy::Propagation { namespace, name } => {
            ("PropagationPolicy", Some(value(namespace)), value(name))
        }
        ClaimingPolicy::ClusterPropagation { name } => {
            ("ClusterPropagationPolicy", None, value(name))
        }
        ClaimingPolicy::None => return None,
    };
    Some(PolicyReference {
        kind: kind.to_owned(),
        namespace,
        name,
        priority: policy.map(|p| p.priority),
        conflict_resolution: policy.map(|p| p.conflict_resolution.as_str().to_owned()),
    })
}

fn replica_counts(
    spec: &ResourceBindingSpec,
    placement: &Placement,
    targets: &BTreeMap<&str, i64>,
    facts: &[ClusterFacts],
) -> ReplicaCounts {
    let replicas = i64::from(spec.replicas.max(0));
    let desired = if placement.replica_scheduling_type() == ReplicaSchedulingType::Duplicated {
        replicas.saturating_mul(i64::try_from(targets.len()).unwrap_or(i64::MAX))
    } else {
        replicas
    };
    let sum = |count: fn(&ClusterFacts) -> Option<i64>| {
        facts
            .iter()
            .filter(|f| f.target)
            .filter_map(count)
            .fold(0i64, i64::saturating_add)
    };
    let ready = sum(|f| f.entry.ready_replicas);
    ReplicaCounts {
        desired,
        scheduled: targets.values().fold(0i64, |a, b| a.saturating_add(*b)),
        ready,
        available: sum(|f| f.entry.available_replicas),
        updated: sum(|f| f.entry.updated_replicas),
        display: format!("{ready}/{desired}"),
    }
}

/// `m1:6,m2:4`, or `m1,m2` when no cluster has replicas; after ten clusters, `+<n>`.
fn clusters_display(targets: &BTreeMap<&str, i64>) -> String {
    let with_replicas = targets.values().any(|r| *r > 0);
    let mut parts: Vec<String> = targets
        .iter()
        .take(DISPLAY_CLUSTERS)
        .map(|(name, replicas)| {
            if with_replicas {
                format!("{name}:{replicas}")
            } else {
                (*name).to_owned()
            }
        })
        .collect();
    if targets.len() > DISPLAY_CLUSTERS {
        parts.push(format!("+{}", targets.len() - DISPLAY_CLUSTERS));
    }
    parts.join(",")
}
