//! Gathers what one placement is built from, out of the in-memory caches and indexes only: the
//! claiming policy, the target Clusters, the Works' overrides, the workload's pods on each
//! member, and what cannot be observed. Then hands it all to the pure builder.

use crate::context::Context;
use karmada_manager_api::ClusterProblem;
use karmada_manager_api::conditions::{reasons, status, types};
use karmada_manager_core::{
    BindingSource, PlacementInputs, PlacementOptions, PolicyLookup, WorkloadKey,
    WorkloadPlacementBuild, WorkloadPod, involved_clusters, permanent_id_label,
    workload_placement_status, workload_pods,
};
use karmada_types::well_known::ClaimingPolicy;
use karmada_types::{
    Cluster, ClusterPropagationPolicy, PropagationPolicy, PropagationSpec, WorkOverrides,
};
use kube::core::DeserializeGuard;
use kube::runtime::reflector::ObjectRef;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Builds the placement status of `binding` from the caches. Pods and overrides are looked up
/// only for the binding's own clusters: the cost does not grow with the fleet.
pub fn build(
    ctx: &Context,
    binding: BindingSource<'_>,
    options: &PlacementOptions,
) -> WorkloadPlacementBuild {
    let clusters = involved_clusters(binding.spec);
    let policy = claimed_policy(ctx, &ClaimingPolicy::of(binding.metadata));
    let cluster_objects: Vec<Arc<DeserializeGuard<Cluster>>> = clusters
        .iter()
        .filter_map(|name| ctx.clusters.get(&ObjectRef::new(name)))
        .collect();
    let cluster_refs: Vec<&Cluster> = cluster_objects
        .iter()
        .filter_map(|c| c.0.as_ref().ok())
        .collect();
    let (overrides, mut problems) = overrides(ctx, &binding);
    let workload = WorkloadKey::of_resource(&binding.spec.resource);
    let mut pods = BTreeMap::new();
    for cluster in &clusters {
        let seen = member_view(ctx, cluster, &workload, shows_pods(&binding));
        if let Some(found) = seen.pods {
            pods.insert(cluster.clone(), found);
        }
        problems
            .entry(cluster.clone())
            .or_default()
            .extend(seen.problems);
    }
    problems.retain(|_, p| !p.is_empty());
    workload_placement_status(
        &PlacementInputs {
            binding,
            policy: Claimed::lookup(policy.as_ref()),
            clusters: &cluster_refs,
            overrides: &overrides,
            pods: &pods,
            problems: &problems,
        },
        options,
    )
}

/// Kinds that run pods, or may (replicas, or a custom kind): they get a `pods` block even when
/// none are found. A ConfigMap or a Namespace does not.
fn shows_pods(binding: &BindingSource<'_>) -> bool {
    let spec = binding.spec;
    let resource = &spec.resource;
    let pod_kind = matches!(
        resource.kind.as_str(),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob" | "Pod"
    );
    pod_kind || spec.replicas > 0 || spec.replica_requirements.is_some()
}

/// The overrides per cluster from the binding's Works, and the problems of malformed ones.
fn overrides(
    ctx: &Context,
    binding: &BindingSource<'_>,
) -> (
    BTreeMap<String, WorkOverrides>,
    BTreeMap<String, Vec<ClusterProblem>>,
) {
    let id = binding
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(permanent_id_label(binding.kind)));
    let Some(id) = id else {
        return Default::default();
    };
    let works = ctx.works.lock().unwrap_or_else(|e| e.into_inner());
    let observed = works.overrides_of(&(binding.kind, id.clone()));
    (observed.overrides, observed.problems)
}

/// What one member shows of a workload.
struct MemberView {
    /// `None` when the member's pods cannot be seen (not watched, or not listed yet).
    pods: Option<Vec<WorkloadPod>>,
    problems: Vec<ClusterProblem>,
}

fn member_view(ctx: &Context, cluster: &str, workload: &WorkloadKey, always: bool) -> MemberView {
    let mut problems: Vec<ClusterProblem> = insight_problem(ctx, cluster).into_iter().collect();
    if ctx.clusters.get(&ObjectRef::new(cluster)).is_none() {
        problems.push(ClusterProblem {
            reason: reasons::CLUSTER_NOT_FOUND.to_owned(),
            message: format!(
                "the binding targets cluster {cluster}, but the hub has no Cluster {cluster}: nothing can be observed there"
            ),
        });
    }
    let Some(shared) = ctx.members.get(cluster) else {
        return MemberView {
            pods: None,
            problems,
        };
    };
    // Only a refusal specific to ReplicaSets/Jobs; an outage is the ClusterInsight's to report,
    // after its grace period.
    if let Some(failure) = shared.health().owner_failure.filter(|f| f.stalled) {
        problems.push(ClusterProblem {
            reason: failure.reason.to_owned(),
            message: failure.message,
        });
    }
    let index = shared.index.read().unwrap_or_else(|e| e.into_inner());
    let pods = index
        .workloads_synced()
        .then(|| workload_pods(&index.cluster, &index.owners, workload))
        .filter(|pods| always || !pods.is_empty());
    MemberView { pods, problems }
}

/// The member's ClusterInsight, when it is not Ready: its pods are not being observed live. The
/// insight already applies the unreachable grace period, so a blip does not show here either.
fn insight_problem(ctx: &Context, cluster: &str) -> Option<ClusterProblem> {
    let insight = ctx.insights.get(&ObjectRef::new(cluster))?;
    let ready = insight
        .status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == types::READY)?;
    // During the initial sync the pods are simply absent; that is not a problem to report.
    if ready.status != status::FALSE || ready.reason == reasons::INITIAL_SYNC {
        return None;
    }
    Some(ClusterProblem {
        reason: ready.reason.clone(),
        message: format!("ClusterInsight {cluster} is not Ready: {}", ready.message),
    })
}

/// A policy held from the cache while a binding is judged.
pub enum Claimed {
    Namespaced(Arc<DeserializeGuard<PropagationPolicy>>),
    ClusterWide(Arc<DeserializeGuard<ClusterPropagationPolicy>>),
}

impl Claimed {
    /// What the builder is told of the claimed policy: its spec, that it is missing (`None`:
    /// not in the cache), or the decoder's message when it cannot be decoded.
    pub fn lookup(claimed: Option<&Claimed>) -> PolicyLookup<'_> {
        fn of<'a, K>(
            guard: &'a DeserializeGuard<K>,
            spec: fn(&K) -> &PropagationSpec,
        ) -> PolicyLookup<'a> {
            match &guard.0 {
                Ok(policy) => PolicyLookup::Found(spec(policy)),
                Err(invalid) => PolicyLookup::Malformed(&invalid.error),
            }
        }
        match claimed {
            None => PolicyLookup::Missing,
            Some(Claimed::Namespaced(p)) => of(p, |p| &p.spec),
            Some(Claimed::ClusterWide(p)) => of(p, |p| &p.spec),
        }
    }
}

/// The policy a binding's annotations name, if it exists.
pub fn claimed_policy(ctx: &Context, claim: &ClaimingPolicy) -> Option<Claimed> {
    match claim {
        ClaimingPolicy::Propagation { namespace, name } => ctx
            .policies
            .get(&ObjectRef::new(name).within(namespace))
            .map(Claimed::Namespaced),
        ClaimingPolicy::ClusterPropagation { name } => ctx
            .cluster_policies
            .get(&ObjectRef::new(name))
            .map(Claimed::ClusterWide),
        ClaimingPolicy::None => None,
    }
}
