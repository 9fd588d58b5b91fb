//! `trace pod <ns>/<name> [--cluster C]`: pod → node → cluster → workload → binding → policy
//! and overrides. The pod is looked up in the placements' pod lists first; a pod they leave out
//! (beyond their caps, or of no propagated workload) is read live through Karmada's cluster
//! proxy, as the user, and its owners followed there up to the workload.

use crate::cli::Global;
use crate::error::{PluginError, Result};
use crate::hub::{Hub, Placement, no_cluster};
use crate::render::{bar, colours, pod_state, policy_name, structured, verdict, wire_name};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use karmada_manager_api::{ClusterInsight, NodeDetail};
use kube::api::Api;

/// What is known of the pod, from a placement's list or from the member.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    pub namespace: String,
    pub pod: String,
    pub cluster: String,
    pub phase: String,
    pub ready: bool,
    pub restarts: i64,
    pub node: Option<String>,
    /// `Kind/name` of the top-level workload, when the pod has one.
    pub workload: Option<String>,
    /// Where the pod was found: `placement` (a WorkloadPlacement's pod list) or `member`
    /// (read live through the cluster proxy).
    pub found_in: &'static str,
    #[serde(skip)]
    pub placement: Option<Placement>,
    #[serde(skip)]
    pub node_detail: Option<NodeDetail>,
    #[serde(skip)]
    pub insight: Option<ClusterInsight>,
}

pub async fn run(hub: &Hub, global: &Global, pod: &str, cluster: Option<&str>) -> Result<()> {
    let (namespace, name) = match pod.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() => (ns.to_owned(), name.to_owned()),
        _ => match (&hub.namespace, pod.contains('/')) {
            (Some(ns), false) => (ns.clone(), pod.to_owned()),
            _ => {
                return Err(PluginError::Usage(format!(
                    "{pod:?} is not <namespace>/<name> or <name>"
                )));
            }
        },
    };
    let placements = hub.placements_in(Some(&namespace)).await?;
    let insights = hub.insights().await?;
    let mut trace = match from_placements(&placements, &namespace, &name, cluster) {
        Some(found) => found,
        None => from_member(hub, &placements, &insights, (&namespace, &name), cluster).await?,
    };
    trace.insight = insights
        .into_iter()
        .find(|i| i.metadata.name.as_deref() == Some(trace.cluster.as_str()));
    trace.node_detail = trace.insight.as_ref().and_then(|i| {
        let node = trace.node.as_deref()?;
        i.status
            .as_ref()?
            .node_details
            .items
            .iter()
            .find(|n| n.name == node)
            .cloned()
    });
    if structured(global.output, &trace)? {
        return Ok(());
    }
    print!("{}", render(&trace, colours()));
    Ok(())
}

/// The pod in a placement's pod list (of `cluster`, when given).
fn from_placements(
    placements: &[Placement],
    namespace: &str,
    name: &str,
    cluster: Option<&str>,
) -> Option<Trace> {
    placements.iter().find_map(|placement| {
        let status = &placement.status;
        (status.workload.namespace.as_deref() == Some(namespace)).then_some(())?;
        status
            .clusters
            .iter()
            .filter(|c| cluster.is_none_or(|o| o == c.name))
            .find_map(|entry| {
                let pod = entry.pod_list.iter().find(|p| p.name == name)?;
                Some(Trace {
                    namespace: namespace.to_owned(),
                    pod: name.to_owned(),
                    cluster: entry.name.clone(),
                    phase: pod.phase.clone(),
                    ready: pod.ready,
                    restarts: pod.restarts,
                    node: pod.node.clone(),
                    workload: Some(status.workload.display.clone()),
                    found_in: "placement",
                    placement: Some(placement.clone()),
                    node_detail: None,
                    insight: None,
                })
            })
    })
}

/// The pod read through the cluster proxy from `cluster`, or from each known cluster in turn.
async fn from_member(
    hub: &Hub,
    placements: &[Placement],
    insights: &[ClusterInsight],
    (namespace, name): (&str, &str),
    cluster: Option<&str>,
) -> Result<Trace> {
    let known: Vec<String> = insights
        .iter()
        .filter_map(|i| i.metadata.name.clone())
        .collect();
    let clusters: Vec<String> = match cluster {
        Some(c) if known.iter().any(|k| k == c) => vec![c.to_owned()],
        Some(c) => return Err(no_cluster(c)),
        None => known,
    };
    for cluster in &clusters {
        let client = hub.member_client(cluster)?;
        let pod = match Api::<Pod>::namespaced(client.clone(), namespace)
            .get_opt(name)
            .await
        {
            Ok(Some(pod)) => pod,
            Ok(None) => continue,
            Err(e) => return Err(through_proxy(e, cluster)),
        };
        let workload = top_owner(&client, namespace, &pod.metadata)
            .await
            .map_err(|e| through_proxy(e, cluster))?;
        let placement = workload.as_ref().and_then(|(kind, owner)| {
            placements
                .iter()
                .find(|p| p.status.workload.kind == *kind && p.status.workload.name == *owner)
        });
        let status = pod.status.as_ref();
        let statuses = status.and_then(|s| s.container_statuses.as_ref());
        return Ok(Trace {
            namespace: namespace.to_owned(),
            pod: name.to_owned(),
            cluster: cluster.clone(),
            phase: status.and_then(|s| s.phase.clone()).unwrap_or_default(),
            ready: status
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True")),
            restarts: statuses.map_or(0, |s| s.iter().map(|c| i64::from(c.restart_count)).sum()),
            node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            workload: workload.map(|(kind, owner)| format!("{kind}/{owner}")),
            found_in: "member",
            placement: placement.cloned(),
            node_detail: None,
            insight: None,
        });
    }
    Err(PluginError::NotFound(format!(
        "pod {namespace}/{name} not found in {}",
        if clusters.len() == 1 {
            format!("cluster {}", clusters[0])
        } else {
            format!("any of {} clusters", clusters.len())
        }
    )))
}

/// The pod's top-level controller as Kubernetes' controllers own it: ReplicaSet → Deployment,
/// Job → CronJob, or the direct controller. `None` for a pod without a controller.
async fn top_owner(
    client: &kube::Client,
    namespace: &str,
    meta: &ObjectMeta,
) -> Result<Option<(String, String)>, kube::Error> {
    let Some(owner) = controller(meta) else {
        return Ok(None);
    };
    let parent = match owner.kind.as_str() {
        "ReplicaSet" => Api::<ReplicaSet>::namespaced(client.clone(), namespace)
            .get_opt(&owner.name)
            .await?
            .map(|o| o.metadata),
        "Job" => Api::<Job>::namespaced(client.clone(), namespace)
            .get_opt(&owner.name)
            .await?
            .map(|o| o.metadata),
        _ => None,
    };
    let top = parent.as_ref().and_then(controller).unwrap_or(owner);
    Ok(Some((top.kind.clone(), top.name.clone())))
}

fn controller(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
}

fn through_proxy(error: kube::Error, cluster: &str) -> PluginError {
    PluginError::from_proxy(
        error,
        cluster,
        "get",
        "pods",
        "the hub must grant clusters/proxy, the member get on pods, replicasets and jobs",
    )
}

fn render(trace: &Trace, colour: bool) -> String {
    let state = pod_state(&trace.phase, trace.ready, colour);
    let mut out = format!(
        "pod {}/{} (cluster {}, from the {}): {state}, {} restarts\n",
        trace.namespace, trace.pod, trace.cluster, trace.found_in, trace.restarts
    );
    let node = match (&trace.node, &trace.node_detail) {
        (None, _) => "not scheduled to a node".to_owned(),
        (Some(name), None) => format!("node {name} (not among the nodes the ClusterInsight lists)"),
        (Some(name), Some(detail)) => {
            let problems: Vec<String> = detail.problems.iter().map(wire_name).collect();
            format!(
                "node {name}: {}{}; cpu {}, memory {}, pods {}/{}",
                if detail.ready { "Ready" } else { "NotReady" },
                if problems.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", problems.join(", "))
                },
                bar(detail.cpu.percent, 10),
                bar(detail.memory.percent, 10),
                detail.pods.total,
                detail.pods.capacity
            )
        }
    };
    out.push_str(&format!("├─ {node}\n"));
    let cluster = trace
        .insight
        .as_ref()
        .and_then(|i| i.status.as_ref())
        .map_or("no ClusterInsight".to_owned(), |s| {
            format!(
                "{}{}",
                verdict(&s.conditions, false),
                s.source
                    .map(|src| format!(", read from {}", wire_name(&src)))
                    .unwrap_or_default()
            )
        });
    out.push_str(&format!("├─ cluster {}: {cluster}\n", trace.cluster));
    let Some(placement) = &trace.placement else {
        let what = trace
            .workload
            .as_deref()
            .map_or("no controller".to_owned(), |w| format!("controller {w}"));
        out.push_str(&format!(
            "└─ {what}: not a workload Karmada propagates (no placement describes it)\n"
        ));
        return out;
    };
    let status = &placement.status;
    out.push_str(&format!(
        "└─ workload {}: {}\n",
        status.workload.display,
        verdict(&status.conditions, colour)
    ));
    let binding = &status.binding;
    out.push_str(&format!(
        "   ├─ binding {} {}, generation {}\n",
        binding.kind, binding.name, binding.generation
    ));
    let policy = policy_name(status.policy.as_ref());
    out.push_str(&format!("   ├─ policy {policy}\n"));
    let overrides = status
        .clusters
        .iter()
        .find(|c| c.name == trace.cluster)
        .map(|c| c.overrides.join(", "))
        .unwrap_or_default();
    out.push_str(&format!(
        "   └─ overrides on {}: {}\n",
        trace.cluster,
        if overrides.is_empty() {
            "none".to_owned()
        } else {
            overrides
        }
    ));
    out
}
