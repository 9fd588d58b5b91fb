//! The conditions of a `ClusterInsight`, as data: what the member's readiness and figures say,
//! without times (the shell stamps them, keeping `lastTransitionTime` while a status holds).

use karmada_manager_api::conditions::{reasons, status as condition_status, types};
use karmada_manager_api::{ClusterInsightStatus, InsightSource};
use karmada_types::{Cluster, SyncMode};

use super::member::MemberReadiness;
use crate::status::conditions::DesiredCondition as Desired;
use crate::text::{VALUE_LIMIT, bounded};

/// Ready (with Reconciling or Stalled when the member is not), then Degraded while nodes are in
/// trouble. `truncated` is the size guard's note.
pub(super) fn conditions(
    readiness: &MemberReadiness,
    status: &ClusterInsightStatus,
    truncated: Option<String>,
    cluster: &Cluster,
) -> Vec<Desired> {
    match readiness {
        MemberReadiness::Stalled { reason, message } => vec![
            Desired::of(types::READY, false, reason, message.clone()),
            Desired::of(types::STALLED, true, reason, message.clone()),
        ],
        // Reconciling too, as documented for MemberUnreachable: the operator retries, and
        // kstatus (Flux, `kubectl wait`) would otherwise judge a Ready=False without
        // Reconciling or Stalled as Current.
        MemberReadiness::Unreachable { message } => not_ready(reasons::MEMBER_UNREACHABLE, message),
        MemberReadiness::InitialSync { message } => not_ready(reasons::INITIAL_SYNC, message),
        MemberReadiness::Ready { .. } => healthy(status, truncated),
        MemberReadiness::ClusterStatusOnly => vec![Desired::of(
            types::READY,
            true,
            reasons::CLUSTER_STATUS_FALLBACK,
            fallback_message(cluster),
        )],
    }
}

fn not_ready(reason: &'static str, message: &str) -> Vec<Desired> {
    vec![
        Desired::of(types::READY, false, reason, message),
        Desired::of(types::RECONCILING, true, reason, message),
    ]
}

/// A connection that does not verify the member's certificate must not look like one that
/// does: a Ready=True says so where people look.
pub(super) fn note_skipped_tls(
    conditions: &mut [Desired],
    cluster: &Cluster,
    source: InsightSource,
    endpoint: &str,
) {
    if source != InsightSource::Direct || !cluster.spec.insecure_skip_tls_verification {
        return;
    }
    let ready = conditions
        .iter_mut()
        .find(|c| c.type_ == types::READY && c.status == condition_status::TRUE);
    if let Some(ready) = ready {
        let endpoint = bounded(endpoint, VALUE_LIMIT);
        ready.message.push_str(&format!(
            "; TLS verification of {endpoint} is skipped (spec.insecureSkipTLSVerification): the member's identity is not checked"
        ));
    }
}

fn fallback_message(cluster: &Cluster) -> String {
    let mode = match cluster.spec.sync_mode {
        Some(SyncMode::Pull) => "a Pull-mode cluster",
        _ => "a cluster",
    };
    format!(
        "{mode} without an API endpoint karmada-manager can reach: figures come from Karmada's Cluster status; no per-node detail"
    )
}

/// Ready=True, plus Degraded while some nodes are NotReady or under pressure.
fn healthy(status: &ClusterInsightStatus, truncated: Option<String>) -> Vec<Desired> {
    let n = &status.nodes;
    let message = format!("{} nodes, {} pods observed", n.total, status.pods.total);
    let mut conditions = vec![match truncated {
        Some(note) => Desired::of(
            types::READY,
            true,
            reasons::STATUS_TRUNCATED,
            format!("{message}; {note}"),
        ),
        None => Desired::of(types::READY, true, reasons::SYNCED, message),
    }];
    let problems: Vec<String> = [
        (n.not_ready, "NotReady"),
        (n.memory_pressure, "under memory pressure"),
        (n.disk_pressure, "under disk pressure"),
        (n.pid_pressure, "under PID pressure"),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, what)| format!("{count} {what}"))
    .collect();
    if !problems.is_empty() {
        let message = format!(
            "of {} nodes: {}; see status.nodeDetails",
            n.total,
            problems.join(", ")
        );
        conditions.push(Desired::of(
            types::DEGRADED,
            true,
            reasons::NODES_DEGRADED,
            message,
        ));
    }
    conditions
}
