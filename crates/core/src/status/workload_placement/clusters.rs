//! `status.clusters[]`: one entry per target cluster and per cluster still being evicted from.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use karmada_manager_api::{
    ClusterPlacement, ClusterProblem, EvictionInfo, FitEstimator, Weighting, WorkloadHealth,
};
use karmada_types::{
    AggregatedStatusItem, AppliedOverride, GracefulEvictionTask, Placement, ReplicaSchedulingType,
    ResourceBindingSpec, ResourceBindingStatus, ResourceHealth, WorkOverrides,
};

use super::pods::pod_view;
use super::{Fit, FitSource, PlacementOptions, SharedObservation};
use crate::fit::FitShape;
use crate::index::WorkloadPod;
use crate::placement::{ResolvedWeights, aggregated};
use crate::projection::PodPhase;
use crate::text::{PROBLEM_MESSAGE_LIMIT, QUOTE_LIMIT, VALUE_LIMIT, bounded};

/// Longest `appliedMessage` kept (bytes); Karmada quotes whole admission errors.
const APPLIED_MESSAGE_LIMIT: usize = QUOTE_LIMIT;

/// A `clusters[]` entry and what the conditions need to know beyond it.
pub(super) struct ClusterFacts {
    pub(super) entry: ClusterPlacement,
    /// Named in `spec.clusters` (as opposed to only being evicted from).
    pub(super) target: bool,
    /// The member's copy has not observed its latest generation yet (a rollout starts).
    pub(super) lagging: bool,
}

/// Everything per cluster that the entries are built from.
pub(super) struct Sources<'a> {
    pub(super) spec: &'a ResourceBindingSpec,
    pub(super) status: &'a ResourceBindingStatus,
    /// The workload's namespace, for `OverridePolicy <namespace>/<name>`.
    pub(super) namespace: &'a str,
    /// Fill absent replica counts with 0 (see `has_replica_status`).
    pub(super) replica_kind: bool,
    pub(super) weights: &'a ResolvedWeights,
    pub(super) overrides: &'a BTreeMap<String, WorkOverrides>,
    pub(super) pods: &'a BTreeMap<String, Vec<WorkloadPod>>,
    pub(super) problems: &'a BTreeMap<String, Vec<ClusterProblem>>,
    pub(super) fits: &'a dyn FitSource,
    /// When replicas share the members: whose observed fields are computed here.
    pub(super) shared: Option<SharedObservation<'a>>,
    /// The binding's placement, for `division`.
    pub(super) placement: &'a Placement,
    /// Number of target clusters (`equal weight 1 of <n>`).
    pub(super) target_count: usize,
    /// Why the replicas' shape gives no fit (see [`fit_problem`]).
    pub(super) fit_problem: Option<String>,
    pub(super) options: &'a PlacementOptions,
}

/// Why the binding's `replicaRequirements` give no usable fit: a request that cannot be read,
/// or a required node affinity that cannot be parsed (no node matches it).
pub(super) fn fit_problem(spec: &ResourceBindingSpec) -> Option<String> {
    let requirements = spec.replica_requirements.as_ref()?;
    let problem = match FitShape::new(requirements) {
        Err(problem) => problem,
        Ok(shape) => format!(
            "no node can match replicaRequirements.nodeClaim.hardNodeAffinity: {}",
            shape.problem()?
        ),
    };
    Some(bounded(&problem, VALUE_LIMIT))
}

/// The target clusters of `spec.clusters` with their replicas. A name listed twice (Karmada
/// never writes that) yields one cluster with the replicas of both entries, as
/// `scheduled_bindings` counts them; negative replicas count as 0.
pub(super) fn targets(spec: &ResourceBindingSpec) -> BTreeMap<&str, i64> {
    let mut targets = BTreeMap::new();
    for target in spec.clusters.iter().filter(|t| !t.name.is_empty()) {
        let replicas: &mut i64 = targets.entry(target.name.as_str()).or_default();
        *replicas = replicas.saturating_add(i64::from(target.replicas.max(0)));
    }
    targets
}

/// The entries, sorted by cluster name.
pub(super) fn cluster_entries(sources: &Sources<'_>) -> Vec<ClusterFacts> {
    let targets = targets(sources.spec);
    let mut evictions: BTreeMap<&str, &GracefulEvictionTask> = BTreeMap::new();
    for task in &sources.spec.graceful_eviction_tasks {
        if !task.from_cluster.is_empty() {
            evictions.entry(task.from_cluster.as_str()).or_insert(task);
        }
    }
    let mut reports: HashMap<&str, &AggregatedStatusItem> = HashMap::new();
    for item in &sources.status.aggregated_status {
        reports.entry(item.cluster_name.as_str()).or_insert(item);
    }
    let names: BTreeSet<&str> = targets.keys().chain(evictions.keys()).copied().collect();
    names
        .into_iter()
        .map(|name| {
            let target = targets.get(name).copied();
            cluster_entry(
                sources,
                name,
                target,
                evictions.get(name).copied(),
                reports.get(name).copied(),
            )
        })
        .collect()
}

fn cluster_entry(
    sources: &Sources<'_>,
    name: &str,
    target: Option<i64>,
    eviction: Option<&GracefulEvictionTask>,
    report: Option<&AggregatedStatusItem>,
) -> ClusterFacts {
    let replica_status = report.and_then(AggregatedStatusItem::replica_status);
    let count = |value: Option<i32>| {
        let value = value.map(|n| i64::from(n.max(0)));
        match replica_status {
            Some(_) if sources.replica_kind => Some(value.unwrap_or(0)),
            _ => value,
        }
    };
    let lagging = replica_status.is_some_and(
        |s| matches!((s.generation, s.observed_generation), (Some(g), Some(o)) if o < g),
    );
    let mut entry = ClusterPlacement {
        name: name.to_owned(),
        weight: sources.weights.weights.get(name).copied(),
        replicas: target.unwrap_or(0),
        applied: report.map(|r| r.applied),
        applied_message: report
            .map(|r| r.applied_message.trim())
            .filter(|m| !m.is_empty())
            .map(|m| bounded(m, APPLIED_MESSAGE_LIMIT)),
        health: report.and_then(|r| r.health.as_ref()).map(health),
        ready_replicas: count(replica_status.and_then(|s| s.ready_replicas)),
        available_replicas: count(replica_status.and_then(|s| s.available_replicas)),
        updated_replicas: count(replica_status.and_then(|s| s.updated_replicas)),
        overrides: sources
            .overrides
            .get(name)
            .map(|o| override_names(o, sources.namespace))
            .unwrap_or_default(),
        eviction: eviction.map(|task| EvictionInfo {
            reason: bounded(&task.reason, VALUE_LIMIT),
            purge_mode: task
                .purge_mode
                .as_ref()
                .map(|m| bounded(m.as_str(), VALUE_LIMIT)),
        }),
        problems: problems(sources.problems.get(name)),
        ..ClusterPlacement::default()
    };
    if let Some(shared) = sources.shared
        && !shared.watched_here.contains(name)
    {
        let published = shared.published.iter().find(|e| e.name == name);
        entry.take_observed(published);
        entry.fit_message = target.and(sources.fit_problem.clone());
        return ClusterFacts {
            entry,
            target: target.is_some(),
            lagging,
        };
    }
    if target.is_some() {
        let fit = sources.fits.fit(name);
        if let Some(fit) = fit {
            entry.fit_replicas = Some(i64::try_from(fit.replicas).unwrap_or(i64::MAX));
            entry.estimator = Some(fit.estimator);
        }
        entry.fit_message = sources.fit_problem.clone();
        entry.division = division(sources, name, fit, sources.pods.get(name));
    }
    if let Some(pods) = sources.pods.get(name) {
        let options = sources.options;
        let view = pod_view(pods, options.node_limit, options.pod_limit);
        entry.pods = Some(view.counts);
        entry.nodes = view.nodes;
        entry.omitted_nodes = view.omitted_nodes;
        entry.pod_list = view.pod_list;
        entry.omitted_pods = view.omitted_pods;
    }
    ClusterFacts {
        entry,
        target: target.is_some(),
        lagging,
    }
}

/// How the target `name`'s share of divided replicas came about; `None` unless Karmada divides
/// the workload's replicas.
fn division(
    sources: &Sources<'_>,
    name: &str,
    fit: Option<Fit>,
    pods: Option<&Vec<WorkloadPod>>,
) -> Option<String> {
    let placement = sources.placement;
    if sources.spec.replicas <= 0
        || placement.replica_scheduling_type() != ReplicaSchedulingType::Divided
    {
        return None;
    }
    let aggregated = aggregated(placement);
    let weights = &sources.weights;
    match weights.weighting {
        Weighting::Static => {
            let weight = weights.weights.get(name)?;
            let sum = weights
                .weights
                .values()
                .fold(0i64, |a, w| a.saturating_add(*w));
            Some(format!("static weight {weight} of {sum}"))
        }
        Weighting::Equal => Some(format!("equal weight 1 of {}", sources.target_count)),
        Weighting::DynamicAvailableReplicas => Some(available_division(fit, pods)),
        Weighting::Unweighted if aggregated => Some(available_division(fit, pods)),
        Weighting::Unweighted => None,
    }
}

/// `by available replicas, the least of Karmada's estimates: general 6, accurate 8 now; 4 of
/// its pods placed`. Karmada divided by the room each cluster had: its built-in (general)
/// estimate, or the accurate one where karmada-scheduler-estimator runs and says less. Both
/// are shown as they are now; the workload's own placed pods (bound, not terminated) have
/// taken some of that room since.
fn available_division(fit: Option<Fit>, pods: Option<&Vec<WorkloadPod>>) -> String {
    const PREFIX: &str = "by available replicas, the least of Karmada's estimates";
    let Some(fit) = fit else {
        return format!("{PREFIX} (the room on this cluster is not known)");
    };
    let figures = match (fit.estimator, fit.general) {
        (FitEstimator::Accurate, Some(general)) => {
            format!("general {general}, accurate {} now", fit.replicas)
        }
        (FitEstimator::Accurate, None) => format!("accurate {} now", fit.replicas),
        (FitEstimator::General, _) => format!("general {} now", fit.replicas),
    };
    let own = pods.map(|pods| {
        pods.iter()
            .filter(|p| p.node.is_some())
            .filter(|p| !matches!(p.phase, PodPhase::Succeeded | PodPhase::Failed))
            .count()
    });
    match own {
        Some(own) => format!("{PREFIX}: {figures}; {own} of its pods placed"),
        None => format!("{PREFIX}: {figures}"),
    }
}

/// Sorted and bounded, so the same problems always serialize the same way.
fn problems(problems: Option<&Vec<ClusterProblem>>) -> Vec<ClusterProblem> {
    let mut problems: Vec<ClusterProblem> = problems
        .into_iter()
        .flatten()
        .map(|p| ClusterProblem {
            reason: p.reason.clone(),
            message: bounded(&p.message, PROBLEM_MESSAGE_LIMIT),
        })
        .collect();
    problems.sort();
    problems.dedup();
    problems
}

/// Karmada's verdict; a value this operator does not know reads as `Unknown`.
fn health(health: &ResourceHealth) -> WorkloadHealth {
    match health {
        ResourceHealth::Healthy => WorkloadHealth::Healthy,
        ResourceHealth::Unhealthy => WorkloadHealth::Unhealthy,
        ResourceHealth::Unknown | ResourceHealth::Other(_) => WorkloadHealth::Unknown,
    }
}

/// In application order: Karmada applies ClusterOverridePolicies first, then the
/// OverridePolicies of the workload's namespace; within each kind, the annotation's order. The
/// names come from a Work's annotation, so each entry is bounded ([`VALUE_LIMIT`]).
fn override_names(overrides: &WorkOverrides, namespace: &str) -> Vec<String> {
    let namespace = bounded(namespace, VALUE_LIMIT);
    let entry = |prefix: String, o: &AppliedOverride| {
        let name = bounded(&o.policy_name, VALUE_LIMIT.saturating_sub(prefix.len()));
        bounded(&format!("{prefix}{name}"), VALUE_LIMIT)
    };
    let cluster = overrides
        .cluster_overrides
        .iter()
        .map(|o| entry("ClusterOverridePolicy ".to_owned(), o));
    let namespaced = overrides.overrides.iter().map(|o| {
        if namespace.is_empty() {
            entry("OverridePolicy ".to_owned(), o)
        } else {
            entry(format!("OverridePolicy {namespace}/"), o)
        }
    });
    cluster.chain(namespaced).collect()
}

/// Whether the workload reports Deployment-like replica counts, so that a count absent from a
/// member's status means 0 and the ready replicas must reach the desired ones: the apps kinds
/// that do (Deployment, StatefulSet, ReplicaSet), and any kind for which some member reports
/// `readyReplicas` (Argo Rollout, OpenKruise CloneSet, …). Jobs, DaemonSets and kinds without
/// replicas are judged by Karmada's health verdict alone.
pub(super) fn has_replica_status(group: &str, kind: &str, status: &ResourceBindingStatus) -> bool {
    let apps_kind = group == "apps" && matches!(kind, "Deployment" | "StatefulSet" | "ReplicaSet");
    apps_kind
        || status.aggregated_status.iter().any(|item| {
            item.replica_status()
                .is_some_and(|s| s.ready_replicas.is_some())
        })
}
