//! Gathers what one placement is built from, out of the in-memory caches and indexes only: the
//! claiming policy, the target Clusters, the Works' overrides, the workload's pods on each
//! member, and what cannot be observed there (the member's health, judged by the same rule as
//! its ClusterInsight). Then hands it all to the pure builder.

use super::MirroredBinding;
use super::fits::MemberFits;
use crate::context::Context;
use crate::controllers::cluster::undecodable_message;
use crate::locks::lock;
use crate::members::{Connection, with_view};
use karmada_manager_api::ClusterProblem;
use karmada_manager_api::conditions::reasons;
use karmada_manager_core::{
    BindingKind, BindingRef, BindingSource, PermanentId, PlacementInputs, PlacementOptions,
    PolicyLookup, SharedObservation, WorkloadKey, WorkloadPlacementBuild, WorkloadPod,
    WorkloadState, disagreement_problem, involved_clusters, not_observed, permanent_id_label,
    ready_disagreement, workload_placement_status, workload_pods,
};
use karmada_types::well_known::ClaimingPolicy;
use karmada_types::{
    Cluster, ClusterPropagationPolicy, PropagationPolicy, PropagationSpec, WorkOverrides,
};
use karmada_types::{ClusterResourceBinding, ResourceBinding};
use kube::core::DeserializeGuard;
use kube::runtime::reflector::ObjectRef;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// Builds the placement status of `binding` from the caches. Pods and overrides are looked up
/// only for the binding's own clusters; the other Clusters are only filtered (the candidates),
/// and their fit estimated only for those the status lists.
pub fn build(
    ctx: &Context,
    binding: BindingSource<'_>,
    options: &PlacementOptions,
    shared: Option<SharedObservation<'_>>,
) -> WorkloadPlacementBuild {
    let clusters = involved_clusters(binding.spec);
    let policy = claimed_policy(ctx, &ClaimingPolicy::of(binding.metadata));
    let cluster_objects: Vec<Arc<DeserializeGuard<Cluster>>> = ctx.caches.clusters.state();
    let cluster_refs: Vec<&Cluster> = cluster_objects
        .iter()
        .filter_map(|c| c.0.as_ref().ok())
        .collect();
    let (overrides, mut problems) = overrides(ctx, &binding);
    let workload = WorkloadKey::of_resource(&binding.spec.resource);
    let mut pods = BTreeMap::new();
    for cluster in &clusters {
        let seen = member_pods(ctx, cluster, &workload, shows_pods(&binding));
        if let Some(found) = seen.pods {
            pods.insert(cluster.clone(), found);
        }
        problems
            .entry(cluster.clone())
            .or_default()
            .extend(seen.problems);
    }
    lasting_disagreements(ctx, &binding, &pods, &mut problems);
    problems.retain(|_, p| !p.is_empty());
    let fits = MemberFits::new(ctx, &binding, &cluster_refs);
    workload_placement_status(
        &PlacementInputs {
            binding,
            policy: Claimed::lookup(policy.as_ref()),
            clusters: &cluster_refs,
            overrides: &overrides,
            pods: &pods,
            problems: &problems,
            fits: &fits,
            shared,
        },
        options,
    )
}

/// Adds a `ReadyCountsDisagree` problem on each target cluster where Karmada's ready count and
/// the ready pods observed in the member have differed the same way for longer than the grace.
fn lasting_disagreements(
    ctx: &Context,
    binding: &BindingSource<'_>,
    pods: &BTreeMap<String, Vec<WorkloadPod>>,
    problems: &mut BTreeMap<String, Vec<ClusterProblem>>,
) {
    let key = super::binding_key(
        binding.kind.as_str(),
        binding.metadata.namespace.as_deref().unwrap_or_default(),
        binding.metadata.name.as_deref().unwrap_or_default(),
    );
    let now = Instant::now();
    let mut book = lock(&ctx.indexes.disagreements);
    for target in &binding.spec.clusters {
        let cluster = target.name.as_str();
        let counts = pods
            .get(cluster)
            .and_then(|pods| ready_disagreement(binding.spec, binding.status, cluster, pods));
        if let Some(counts) = counts.filter(|_| book.lasting(&key, cluster, counts, now)) {
            problems
                .entry(cluster.to_owned())
                .or_default()
                .push(disagreement_problem(counts));
        }
    }
}

/// The state `binding`'s workload is in (ready, progressing, failed), judged by the same
/// builder from the hub alone: Karmada's aggregated status decides readiness, so member pods,
/// overrides and weights do not change it. `None` when the binding is gone or does not decode.
pub fn state_of(ctx: &Context, binding: &BindingRef) -> Option<WorkloadState> {
    fn decoded<B: MirroredBinding>(ctx: &Context, binding: &BindingRef) -> Option<WorkloadState> {
        let guarded = B::bindings(ctx).get(&B::binding_ref(&binding.namespace, &binding.name))?;
        let source = guarded.0.as_ref().ok()?.source();
        let policy = claimed_policy(ctx, &ClaimingPolicy::of(source.metadata));
        let inputs = PlacementInputs {
            binding: source,
            policy: Claimed::lookup(policy.as_ref()),
            clusters: &[],
            overrides: &BTreeMap::new(),
            pods: &BTreeMap::new(),
            problems: &BTreeMap::new(),
            fits: &BTreeMap::new(),
            shared: None,
        };
        Some(workload_placement_status(&inputs, &PlacementOptions::default()).state)
    }
    match binding.kind {
        BindingKind::ResourceBinding => decoded::<ResourceBinding>(ctx, binding),
        BindingKind::ClusterResourceBinding => decoded::<ClusterResourceBinding>(ctx, binding),
    }
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
    let works = lock(&ctx.indexes.works);
    let observed = works.overrides_of(&PermanentId {
        kind: binding.kind,
        id: id.clone(),
    });
    (observed.overrides, observed.problems)
}

/// What one member shows of a workload.
struct MemberPods {
    /// `None` when the member's pods cannot be seen (not watched, or not listed yet).
    pods: Option<Vec<WorkloadPod>>,
    problems: Vec<ClusterProblem>,
}

fn member_pods(ctx: &Context, cluster: &str, workload: &WorkloadKey, always: bool) -> MemberPods {
    let mut problems = Vec::new();
    let connection = ctx.members.connection(cluster);
    let guarded = ctx.caches.clusters.get(&ObjectRef::new(cluster));
    match guarded.as_deref().map(|g| &g.0) {
        None => problems.push(ClusterProblem {
            reason: reasons::CLUSTER_NOT_FOUND.to_owned(),
            message: format!(
                "the binding targets cluster {cluster}, but the hub has no Cluster {cluster}: nothing can be observed there"
            ),
        }),
        Some(Err(invalid)) => problems.push(ClusterProblem {
            reason: reasons::MALFORMED_SOURCE.to_owned(),
            message: format!(
                "ClusterInsight {cluster} is not Ready: {}",
                undecodable_message(&invalid.error)
            ),
        }),
        Some(Ok(decoded)) => {
            // The member's health as its ClusterInsight judges it (the same rule, from memory).
            let grace = ctx.settings.unreachable_grace;
            if let Some(connection) = &connection {
                let readiness = with_view(connection, false, |view| view.readiness(decoded, grace));
                problems.extend(not_observed(cluster, &readiness));
            }
        }
    }
    let Some(Connection::Watched { shared, .. }) = connection else {
        return MemberPods {
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
    let index = crate::locks::read(&shared.index);
    let pods = index
        .workloads_synced()
        .then(|| workload_pods(&index.cluster, &index.owners, workload))
        .filter(|pods| always || !pods.is_empty());
    MemberPods { pods, problems }
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
            .caches
            .policies
            .get(&ObjectRef::new(name).within(namespace))
            .map(Claimed::Namespaced),
        ClaimingPolicy::ClusterPropagation { name } => ctx
            .caches
            .cluster_policies
            .get(&ObjectRef::new(name))
            .map(Claimed::ClusterWide),
        ClaimingPolicy::None => None,
    }
}
