//! `where <kind>/<name>`: the tree workload → policy → clusters → nodes → pods, problem pods
//! first, from the workload's placement.

use crate::cli::Global;
use crate::error::Result;
use crate::hub::{Hub, Placement};
use crate::render::{colours, pod_state, policy_name, structured, verdict};
use karmada_manager_api::{ClusterPlacement, PodSummary};

pub async fn run(hub: &Hub, global: &Global, workload: &str) -> Result<()> {
    let placement = hub.workload(workload).await?;
    let placement = &placement;
    if structured(global.output, placement)? {
        return Ok(());
    }
    print!("{}", render(placement, colours()));
    Ok(())
}

/// The first line: the workload, where it lives, and its Ready condition.
pub fn headline(placement: &Placement, colour: bool) -> String {
    let status = &placement.status;
    let workload = &status.workload;
    let at = workload
        .namespace
        .as_deref()
        .map(|ns| format!(" in {ns}"))
        .unwrap_or_default();
    let verdict = verdict(&status.conditions, colour);
    format!(
        "{}{at}: {verdict}, {} replicas ready",
        workload.display, status.replicas.display
    )
}

fn render(placement: &Placement, colour: bool) -> String {
    let status = &placement.status;
    let mut out = headline(placement, colour);
    out.push('\n');
    let policy = policy_name(status.policy.as_ref());
    out.push_str(&format!("└─ {policy}\n"));
    let count = status.clusters.len();
    for (i, cluster) in status.clusters.iter().enumerate() {
        let last = i + 1 == count;
        let (branch, indent) = if last {
            ("└─", "   ")
        } else {
            ("├─", "│  ")
        };
        out.push_str(&format!("   {branch} {}\n", cluster_line(cluster)));
        out.push_str(&nodes_and_pods(cluster, &format!("   {indent}"), colour));
    }
    out
}

/// `member1: 8 assigned, 8 ready, weight 2, 40 more fit (Accurate)`.
fn cluster_line(cluster: &ClusterPlacement) -> String {
    let mut parts = vec![format!("{} assigned", cluster.replicas)];
    if let Some(ready) = cluster.ready_replicas {
        parts.push(format!("{ready} ready"));
    }
    if let Some(weight) = cluster.weight {
        parts.push(format!("weight {weight}"));
    }
    if let Some(fit) = cluster.fit_replicas {
        let how = cluster
            .estimator
            .map(|e| format!(" ({})", crate::render::wire_name(&e)))
            .unwrap_or_default();
        parts.push(format!("{fit} more fit{how}"));
    }
    if let Some(eviction) = &cluster.eviction {
        parts.push(format!("being evicted ({})", eviction.reason));
    }
    for problem in &cluster.problems {
        parts.push(format!("{}: {}", problem.reason, problem.message));
    }
    format!("{}: {}", cluster.name, parts.join(", "))
}

/// The pods listed for the cluster, grouped under their nodes (pending pods under
/// `(not scheduled)`), in the order the placement lists them: problem pods first.
fn nodes_and_pods(cluster: &ClusterPlacement, indent: &str, colour: bool) -> String {
    let mut groups: Vec<(String, Vec<&PodSummary>)> = Vec::new();
    for pod in &cluster.pod_list {
        let node = pod
            .node
            .clone()
            .unwrap_or_else(|| "(not scheduled)".to_owned());
        match groups.iter_mut().find(|(n, _)| *n == node) {
            Some((_, pods)) => pods.push(pod),
            None => groups.push((node, vec![pod])),
        }
    }
    let mut out = String::new();
    let omitted = cluster.omitted_pods;
    let count = groups.len() + usize::from(omitted > 0);
    for (i, (node, pods)) in groups.iter().enumerate() {
        let last = i + 1 == count;
        let (branch, inner) = if last {
            ("└─", "   ")
        } else {
            ("├─", "│  ")
        };
        out.push_str(&format!("{indent}{branch} node {node}\n"));
        for (j, pod) in pods.iter().enumerate() {
            let twig = if j + 1 == pods.len() {
                "└─"
            } else {
                "├─"
            };
            let state = pod_state(&pod.phase, pod.ready, colour);
            out.push_str(&format!(
                "{indent}{inner}{twig} {}  {state}, {} restarts\n",
                pod.name, pod.restarts
            ));
        }
    }
    if omitted > 0 {
        out.push_str(&format!("{indent}└─ … {omitted} more pods not listed\n"));
    }
    if let Some(reason) = cluster
        .pods
        .as_ref()
        .and_then(|p| p.pending_reason.as_deref())
    {
        out.push_str(&format!("{indent}   not scheduled: {reason}\n"));
    }
    out
}
