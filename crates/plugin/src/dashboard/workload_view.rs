//! The workload page: the placement drawn — policy → clusters (weight, assigned, ready, fit, why
//! not) → nodes → pods — and its conditions, in the words `why` uses.

use super::views::{ConditionLine, key};
use crate::commands::why::{candidate_sentence, rules_sentence, target_sentence};
use crate::placement::Placement;
use crate::render::{policy_name, ready};
use karmada_manager_api::ClusterPlacement;
use serde::Serialize;

#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadView {
    /// `Deployment/web in shop`.
    pub title: String,
    pub key: String,
    pub ready: bool,
    pub reason: String,
    pub replicas: String,
    pub policy: String,
    pub rules: String,
    pub conditions: Vec<ConditionLine>,
    pub clusters: Vec<Target>,
    pub candidates: Vec<Candidate>,
    pub omitted_candidates: i64,
}

/// A cluster the workload is on.
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub name: String,
    pub weight: Option<i64>,
    pub assigned: i64,
    pub ready: Option<i64>,
    pub fit: Option<i64>,
    pub sentence: String,
    pub problems: Vec<String>,
    pub nodes: Vec<TargetNode>,
    pub omitted_nodes: i64,
    pub omitted_pods: i64,
}

/// A node running the workload's pods, with the listed ones.
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetNode {
    /// Empty for pods not bound to a node yet.
    pub name: String,
    pub pods: i64,
    pub listed: Vec<PodDot>,
}

#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodDot {
    pub name: String,
    pub phase: String,
    pub ready: bool,
    pub restarts: i64,
}

/// A cluster the workload is not on, and why.
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    pub name: String,
    pub reason: String,
    pub sentence: String,
}

pub fn workload(placement: &Placement) -> WorkloadView {
    let status = &placement.status;
    let condition = ready(&status.conditions);
    let in_namespace = placement
        .namespace
        .as_deref()
        .map(|ns| format!(" in {ns}"))
        .unwrap_or_default();
    let candidates = status.candidates.as_ref();
    WorkloadView {
        title: format!(
            "{}/{}{in_namespace}",
            status.workload.kind, status.workload.name
        ),
        key: key(placement),
        ready: condition.is_some_and(|c| c.status == "True"),
        reason: condition.map(|c| c.reason.clone()).unwrap_or_default(),
        replicas: status.replicas.display.clone(),
        policy: policy_name(status.policy.as_ref()),
        rules: status
            .placement
            .as_ref()
            .map(rules_sentence)
            .unwrap_or_default(),
        conditions: ConditionLine::all(&status.conditions),
        clusters: status.clusters.iter().map(target).collect(),
        candidates: candidates
            .into_iter()
            .flat_map(|c| &c.items)
            .map(|item| Candidate {
                name: item.name.clone(),
                reason: item.reason.clone(),
                sentence: candidate_sentence(item),
            })
            .collect(),
        omitted_candidates: candidates.map_or(0, |c| c.omitted),
    }
}

fn target(cluster: &ClusterPlacement) -> Target {
    // Nodes as the placement counts them, each with the listed pods bound to it; listed pods
    // on a node the capped node list leaves out still show, under their node.
    let mut nodes: Vec<TargetNode> = cluster
        .nodes
        .iter()
        .map(|n| TargetNode {
            name: n.name.clone(),
            pods: n.pods,
            listed: Vec::new(),
        })
        .collect();
    for pod in &cluster.pod_list {
        let node = pod.node.clone().unwrap_or_default();
        let index = match nodes.iter().position(|n| n.name == node) {
            Some(i) => i,
            None => {
                nodes.push(TargetNode {
                    name: node,
                    pods: 0,
                    listed: Vec::new(),
                });
                nodes.len() - 1
            }
        };
        nodes[index].listed.push(PodDot {
            name: pod.name.clone(),
            phase: pod.phase.clone(),
            ready: pod.ready,
            restarts: pod.restarts,
        });
    }
    Target {
        name: cluster.name.clone(),
        weight: cluster.weight,
        assigned: cluster.replicas,
        ready: cluster.pods.as_ref().map(|p| p.ready),
        fit: cluster.fit_replicas,
        sentence: target_sentence(cluster),
        problems: cluster.problems.iter().map(|p| p.reason.clone()).collect(),
        nodes,
        omitted_nodes: cluster.omitted_nodes,
        omitted_pods: cluster.omitted_pods,
    }
}
