//! Names of the condition types and reasons karmada-manager writes into `status.conditions`.
//!
//! Conditions are plain `metav1.Condition`s
//! ([`Condition`](k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition)). Every object gets
//! `Ready` on its first write; `Reconciling` and `Stalled` are written only while `True`, as
//! kstatus expects (Flux, Helm, Argo CD, `kubectl wait`). Reasons are part of the API: readers
//! (alerts, health checks) match on them, so a reason is never renamed, only added.

/// Condition types.
pub mod types {
    /// Summary condition, present on every object. `True`: the status reflects the watched state
    /// and nothing needs attention; `False`: something is wrong, the reason says what;
    /// `Unknown`: the operator has not seen enough yet (start-up).
    pub const READY: &str = "Ready";
    /// kstatus: the operator is still working towards a final status (initial sync, reconnecting,
    /// a rollout in progress). Written only while `True`.
    pub const RECONCILING: &str = "Reconciling";
    /// kstatus: the operator cannot make progress without someone changing something (missing
    /// Secret, bad credentials). Written only while `True`.
    pub const STALLED: &str = "Stalled";
    /// ClusterInsight: the member is reachable but some nodes are `NotReady` or under memory,
    /// disk or PID pressure. WorkloadPlacement: part of the picture cannot be observed (a
    /// target cluster is unreachable, or a Work's overrides annotation is malformed); see
    /// `status.clusters[].problems`. Written only while `True`; it does not change `Ready`,
    /// which follows what Karmada reports.
    pub const DEGRADED: &str = "Degraded";
    /// WorkloadPlacement: the Karmada scheduler has placed the binding's current generation.
    pub const SCHEDULED: &str = "Scheduled";
    /// WorkloadPlacement: the workload has been applied to every target cluster.
    pub const APPLIED: &str = "Applied";
}

/// Condition statuses, as `metav1.Condition.status` spells them.
pub mod status {
    /// The condition holds.
    pub const TRUE: &str = "True";
    /// The condition does not hold.
    pub const FALSE: &str = "False";
    /// The operator cannot tell yet.
    pub const UNKNOWN: &str = "Unknown";
}

/// Condition reasons. Each says which condition it is used on, what it means and what to do.
pub mod reasons {
    // Any kind.

    /// Ready `Unknown`, Reconciling `True`: the operator is still listing the objects this status
    /// is computed from (hub caches, or the member's nodes and pods). Wait; if it persists, check
    /// the operator's logs and its RBAC on the hub and the member.
    pub const INITIAL_SYNC: &str = "InitialSync";
    /// Ready `True` (ClusterInsight, FleetInsight): the status reflects the current state.
    /// Nothing to do.
    pub const SYNCED: &str = "Synced";
    /// Ready `True`, in place of the usual reason: counts are exact, but detail lists were
    /// shortened further than their configured caps to keep the status under the size guard
    /// (default 512 KiB); the `omitted` counts say how much. Raise the guard, or lower the caps
    /// so that the truncation is predictable.
    pub const STATUS_TRUNCATED: &str = "StatusTruncated";

    // ClusterInsight: connecting to the member.

    /// Ready `False`, Reconciling `True`: neither a direct connection nor the Karmada cluster
    /// proxy reaches the member's API server (timeout, DNS, TLS handshake, proxy error), and
    /// Karmada's `Cluster.status` is no use either. The operator retries with back-off. Check
    /// the network path from the operator to `spec.apiEndpoint` or to the hub's cluster proxy.
    pub const MEMBER_UNREACHABLE: &str = "MemberUnreachable";
    /// Ready `False`, Stalled `True`: the Secret named by the Cluster's `spec.secretRef` or
    /// `spec.impersonatorSecretRef` does not exist. Create it, or fix the reference.
    pub const SECRET_NOT_FOUND: &str = "SecretNotFound";
    /// Ready `False`, Stalled `True`: the referenced Secret exists but lacks a key the
    /// connection needs (`token`, `caBundle`). Add the key.
    pub const SECRET_KEY_MISSING: &str = "SecretKeyMissing";
    /// Ready `False`, Stalled `True`: `caBundle` is not a PEM certificate bundle, or the member's
    /// serving certificate does not chain to it. Put the member's CA in the Secret, or set
    /// `spec.insecureSkipTLSVerification` if that is acceptable.
    pub const INVALID_CA_BUNDLE: &str = "InvalidCABundle";
    /// Ready `False`, Stalled `True`: `spec.apiEndpoint` or `spec.proxyURL` is not a usable URL.
    /// Fix the Cluster's spec.
    pub const INVALID_ENDPOINT: &str = "InvalidEndpoint";
    /// Ready `False`, Stalled `True`: the member rejected the credentials (HTTP 401), also after
    /// the token was re-read. Rotate the token in the Secret.
    pub const UNAUTHORIZED: &str = "Unauthorized";
    /// Ready `False`, Stalled `True`: the member accepted the credentials but denies listing or
    /// watching nodes or pods (HTTP 403), or the hub denies `clusters/proxy`. Grant the RBAC.
    /// When the member had already been listed, a 403 counts as an outage (last figures for
    /// `--unreachable-grace`, then `MemberUnreachable`) for four times `--unreachable-grace`
    /// before it reads as this: a kube-apiserver answers 403 while it restarts, until its RBAC
    /// caches are filled, which on a loaded machine can take longer than one grace period.
    pub const FORBIDDEN: &str = "Forbidden";
    /// Ready `True`, in place of `Synced`: the member cannot be reached (e.g. a Pull cluster with
    /// no reachable endpoint), so the figures come from Karmada's own `Cluster.status`
    /// (`status.source: ClusterStatus`): node and resource summaries only, no pod counts beyond
    /// Karmada's, no per-node detail. Make the member reachable to get the full picture.
    pub const CLUSTER_STATUS_FALLBACK: &str = "ClusterStatusFallback";

    // ClusterInsight: node health.

    /// Degraded `True`: some nodes are `NotReady` or under memory, disk or PID pressure; the
    /// message counts them and `status.nodeDetails` lists them first. Look at those nodes.
    pub const NODES_DEGRADED: &str = "NodesDegraded";
    /// Degraded `False`: every node is `Ready` and under no pressure. Nothing to do.
    pub const ALL_NODES_HEALTHY: &str = "AllNodesHealthy";

    // WorkloadPlacement / ClusterWorkloadPlacement.

    /// Ready `True`: scheduled, applied everywhere, every target cluster healthy, and ready
    /// replicas reach the desired count. Nothing to do.
    pub const WORKLOAD_READY: &str = "WorkloadReady";
    /// Scheduled `True`: the scheduler has placed the binding's current generation
    /// (`schedulerObservedGeneration` equals the binding's generation). Nothing to do.
    pub const BINDING_SCHEDULED: &str = "BindingScheduled";
    /// Scheduled `False` or `Unknown`, Ready `False`, Reconciling `True`: the binding is not
    /// scheduled yet, or the scheduler has not yet observed its latest generation. Wait; if it
    /// persists, check that karmada-scheduler is running.
    pub const SCHEDULING_PENDING: &str = "SchedulingPending";
    /// Scheduled `False`, Ready `False`: the binding's own `Scheduled` condition is `False`; the
    /// message carries Karmada's reason and message (e.g. no cluster fits the placement). Fix the
    /// policy's placement or the clusters' labels, taints and capacity.
    pub const SCHEDULING_FAILED: &str = "SchedulingFailed";
    /// Applied `True`: every target cluster reports the workload applied. Nothing to do.
    pub const FULLY_APPLIED: &str = "FullyApplied";
    /// Applied `Unknown` or `False`, Ready `False`, Reconciling `True`: some target clusters have
    /// not reported back yet (Work not yet created or not yet synced by the execution
    /// controller or karmada-agent). Wait; if it persists, check the cluster's Work objects.
    pub const APPLY_PENDING: &str = "ApplyPending";
    /// Applied `False`, Ready `False`: at least one target cluster reports `applied: false`; the
    /// message names the clusters and quotes their `appliedMessage`. Fix the manifest or the
    /// overrides that break it on those clusters.
    pub const APPLY_FAILED: &str = "ApplyFailed";
    /// Ready `False`: at least one target cluster reports the workload `Unhealthy` or `Unknown`;
    /// the message names them. Look at the workload on those clusters (`status.clusters[]`).
    pub const CLUSTERS_UNHEALTHY: &str = "ClustersUnhealthy";
    /// Ready `False`, Reconciling `True`: applied and healthy, but fewer ready replicas than
    /// desired (rolling out, scaling, or pods failing to start). Wait for a rollout; otherwise
    /// look at `status.clusters[].podList`.
    pub const REPLICAS_NOT_READY: &str = "ReplicasNotReady";
    /// Ready `True`, in place of `WorkloadReady`: the workload runs as last scheduled, but the
    /// propagation policy its binding names does not exist (any more); `status.policy` then
    /// carries only the name. Karmada will not re-place the workload when clusters change:
    /// recreate the policy or let another policy claim the workload.
    pub const POLICY_NOT_FOUND: &str = "PolicyNotFound";
    /// Ready `True`, in place of `WorkloadReady`, and Stalled `True`: the propagation policy the
    /// binding names exists on the hub but cannot be decoded (a value the CRD schema lets
    /// through but that does not fit the field, such as a `priority` beyond 32 bits); the
    /// message names the policy and the field. The workload runs as last scheduled;
    /// `status.policy` carries only the name. Fix that field of the policy on the hub.
    pub const MALFORMED_POLICY: &str = "MalformedPolicy";
    /// Degraded `True` (WorkloadPlacement), and `clusters[].problems`: the Work's
    /// `policy.karmada.io/applied-overrides` or `applied-cluster-overrides` annotation on that
    /// cluster is not the JSON list Karmada writes; the message names the Work and the error.
    /// The overrides of that cluster are then not shown. Fix or remove the annotation (Karmada
    /// rewrites it on its next sync).
    pub const MALFORMED_OVERRIDES: &str = "MalformedOverrides";
    /// Degraded `True` (WorkloadPlacement): a target cluster's member cannot be watched (its
    /// ClusterInsight is not Ready); that cluster's pod figures are the last ones seen, and the
    /// message and `clusters[].problems` carry the ClusterInsight's reason. Fix the member
    /// connection (see the ClusterInsight).
    pub const MEMBER_NOT_OBSERVED: &str = "MemberNotObserved";
    /// Degraded `True` (WorkloadPlacement): everything is observed, and on some target cluster
    /// pods of the workload are not scheduled (`PodScheduled=False`: no node has room or
    /// matches, or scheduling gates hold them). The message names each cluster with its
    /// `clusters[].pods.pendingReason`. Make room in the member, or change the placement.
    pub const REPLICAS_UNSCHEDULABLE: &str = "ReplicasUnschedulable";
    /// Degraded `True` (WorkloadPlacement), and `clusters[].problems`: for more than a minute,
    /// the ready replicas Karmada reports for the workload on that cluster
    /// (`aggregatedStatus[].status.readyReplicas`) differ from the ready pods of the workload
    /// that karmada-manager observes in the member. Karmada's view of the member is stale (its
    /// work status controller or the member's agent is behind or down), or the member's pods
    /// are not the workload's controller's. The message gives both counts. Check
    /// karmada-controller-manager (or karmada-agent) and the member's ReplicaSets.
    pub const READY_COUNTS_DISAGREE: &str = "ReadyCountsDisagree";
    /// In `clusters[].problems` (WorkloadPlacement), with Degraded `True` (`MemberNotObserved`):
    /// the binding targets a cluster the hub has no `Cluster` for (unjoined, or a typo in a
    /// hand-made binding), so nothing can be observed there. Join the cluster or fix the binding.
    pub const CLUSTER_NOT_FOUND: &str = "ClusterNotFound";
    /// Ready `False`, Stalled `True`: the Karmada object this status describes cannot be decoded
    /// (a field has the wrong type); the message names the field. Fix the object on the hub.
    pub const MALFORMED_SOURCE: &str = "MalformedSource";
}
