//! A workload's pods on one cluster: counts, the busiest nodes, and the pods one by one with
//! the ones that need attention first.

use std::cmp::Reverse;
use std::collections::HashMap;

use karmada_manager_api::{NodePods, PodSummary, WorkloadPodCounts};

use crate::index::WorkloadPod;
use crate::projection::{NotScheduled, PodPhase};

/// The pod part of one `clusters[]` entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct PodView {
    pub(super) counts: WorkloadPodCounts,
    pub(super) nodes: Vec<NodePods>,
    pub(super) omitted_nodes: i64,
    pub(super) pod_list: Vec<PodSummary>,
    pub(super) omitted_pods: i64,
}

/// Counts every pod; lists at most `node_limit` nodes (most pods first, then by name) and
/// `pod_limit` pods (see [`PodRank`]). The result does not depend on the order of `pods`.
pub(super) fn pod_view(pods: &[WorkloadPod], node_limit: usize, pod_limit: usize) -> PodView {
    let mut counts = WorkloadPodCounts::default();
    let mut per_node: HashMap<&str, i64> = HashMap::new();
    let mut not_scheduled: HashMap<&NotScheduled, i64> = HashMap::new();
    // Every count is at most `pods.len()`, so the additions cannot overflow.
    for pod in pods {
        counts.total += 1;
        counts.running += i64::from(pod.phase == PodPhase::Running);
        counts.ready += i64::from(pod.ready);
        counts.pending += i64::from(pod.phase == PodPhase::Pending);
        counts.failed += i64::from(pod.phase == PodPhase::Failed);
        counts.restarts = counts.restarts.saturating_add(pod.restarts.max(0));
        if let Some(node) = &pod.node {
            *per_node.entry(node).or_default() += 1;
        }
        // A terminated pod that was never scheduled holds nothing back any more.
        if let Some(why) = pod
            .not_scheduled
            .as_deref()
            .filter(|_| !pod.phase.is_terminal())
        {
            *not_scheduled.entry(why).or_default() += 1;
        }
    }
    counts.unscheduled = not_scheduled.values().sum();
    counts.pending_reason = pending_reason(not_scheduled);

    let mut nodes: Vec<(&str, i64)> = per_node.into_iter().collect();
    nodes.sort_unstable_by_key(|&(name, pods)| (Reverse(pods), name));
    let omitted_nodes = count(nodes.len().saturating_sub(node_limit));
    nodes.truncate(node_limit);

    let mut ranked: Vec<(PodRank<'_>, &WorkloadPod)> =
        pods.iter().map(|pod| (PodRank::of(pod), pod)).collect();
    let omitted_pods = count(ranked.len().saturating_sub(pod_limit));
    if ranked.len() > pod_limit && pod_limit > 0 {
        // Only the listed pods need to be in order. 0 ≤ pod_limit − 1 < len: a valid index.
        ranked.select_nth_unstable_by(pod_limit - 1, |a, b| a.0.cmp(&b.0));
    }
    ranked.truncate(pod_limit);
    ranked.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    PodView {
        counts,
        nodes: nodes
            .into_iter()
            .map(|(name, pods)| NodePods {
                name: name.to_owned(),
                pods,
            })
            .collect(),
        omitted_nodes,
        pod_list: ranked.into_iter().map(|(_, pod)| summary(pod)).collect(),
        omitted_pods,
    }
}

/// Sort key of the pod list: Failed, then Pending, then Unknown, then the rest; within a tier,
/// running-but-not-ready first, then most restarts, then by name (node, readiness and phase
/// only break ties between duplicate names: every field of a [`WorkloadPod`] is part of the
/// key, so pods that compare equal are identical and the order is total). The derived `Ord`
/// compares the fields in declaration order.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct PodRank<'a> {
    tier: u8,
    not_ready: Reverse<bool>,
    restarts: Reverse<i64>,
    name: &'a str,
    node: Option<&'a str>,
    ready: bool,
    phase: PodPhase,
}

impl<'a> PodRank<'a> {
    fn of(pod: &'a WorkloadPod) -> PodRank<'a> {
        PodRank {
            tier: match pod.phase {
                PodPhase::Failed => 0,
                PodPhase::Pending => 1,
                PodPhase::Unknown => 2,
                PodPhase::Running | PodPhase::Succeeded => 3,
            },
            not_ready: Reverse(pod.phase == PodPhase::Running && !pod.ready),
            restarts: Reverse(pod.restarts),
            name: &pod.name,
            node: pod.node.as_deref(),
            ready: pod.ready,
            // Running and Succeeded share a tier.
            phase: pod.phase,
        }
    }
}

/// The most common reason and message among the pods that are not scheduled (ties: the first
/// by reason, then message, so the text does not depend on the order of the pods), with how
/// many pods share it and how many others are held back otherwise.
fn pending_reason(groups: HashMap<&NotScheduled, i64>) -> Option<String> {
    let total: i64 = groups.values().sum();
    let (why, pods) = groups.into_iter().min_by(|(a, a_pods), (b, b_pods)| {
        (Reverse(a_pods), &a.reason, &a.message).cmp(&(Reverse(b_pods), &b.reason, &b.message))
    })?;
    let noun = if pods == 1 { "pod" } else { "pods" };
    let reason = if why.reason.is_empty() {
        "not scheduled"
    } else {
        &why.reason
    };
    let mut text = format!("{pods} {noun} {reason}");
    if !why.message.is_empty() {
        text.push_str(": ");
        text.push_str(&why.message);
    }
    let others = total - pods;
    if others > 0 {
        text.push_str(&format!(" ({others} more not scheduled for other reasons)"));
    }
    Some(text)
}

fn summary(pod: &WorkloadPod) -> PodSummary {
    PodSummary {
        name: pod.name.to_string(),
        node: pod.node.as_deref().map(str::to_owned),
        phase: pod.phase.as_str().to_owned(),
        ready: pod.ready,
        restarts: pod.restarts.max(0),
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
