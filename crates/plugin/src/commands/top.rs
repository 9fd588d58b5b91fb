//! `top clusters` and `top nodes`: allocation (requests over allocatable) and, where the
//! member serves metrics, usage; from the ClusterInsights.

use crate::cli::{Global, Output, SortBy};
use crate::error::{PluginError, Result};
use crate::hub::Hub;
use crate::render::{Table, bar, structured, wire_name};
use karmada_manager_api::{ClusterInsight, NodeDetail};

pub async fn clusters(hub: &Hub, global: &Global) -> Result<()> {
    let insights = hub.insights().await?;
    if structured(global.output, &insights)? {
        return Ok(());
    }
    let wide = global.output == Output::Wide;
    let mut headers = vec!["cluster", "cpu allocated", "memory allocated", "pods"];
    if wide {
        headers.extend(["cpu used", "memory used"]);
    }
    let mut table = Table::new(&headers);
    for insight in &insights {
        let name = insight.metadata.name.clone().unwrap_or_default();
        let Some(status) = &insight.status else {
            continue;
        };
        let allocated = |resource: &str| {
            status
                .resources
                .get(resource)
                .map_or("-".to_owned(), |r| bar(r.allocated_percent, 10))
        };
        let pods = status.resources.get("pods").map_or("-".to_owned(), |r| {
            format!("{}/{}", r.allocated.0, r.allocatable.0)
        });
        let mut row = vec![name, allocated("cpu"), allocated("memory"), pods];
        if wide {
            let usage = status.usage.as_ref();
            let used = |figures: Option<&karmada_manager_api::UsageFigures>| {
                figures.map_or("-".to_owned(), |u| format!("{} ({}%)", u.used.0, u.percent))
            };
            row.push(used(usage.and_then(|u| u.cpu.as_ref())));
            row.push(used(usage.and_then(|u| u.memory.as_ref())));
        }
        table.row(row);
    }
    print!("{}", table.render(!global.no_headers));
    Ok(())
}

/// One node with its cluster, for `-o json|yaml`.
#[derive(serde::Serialize)]
struct ClusterNode<'a> {
    cluster: &'a str,
    #[serde(flatten)]
    node: &'a NodeDetail,
}

pub async fn nodes(hub: &Hub, global: &Global, only: Option<&str>, sort: SortBy) -> Result<()> {
    let insights = hub.insights().await?;
    if let Some(name) = only
        && !insights
            .iter()
            .any(|i| i.metadata.name.as_deref() == Some(name))
    {
        return Err(PluginError::NotFound(format!(
            "no ClusterInsight {name}: is {name} a Karmada Cluster? (kubectl get clusterinsights)"
        )));
    }
    let (mut nodes, omitted) = listed_nodes(&insights, only);
    nodes.sort_by_key(|n| std::cmp::Reverse(sort_key(n.node, sort)));
    if structured(global.output, &nodes)? {
        return Ok(());
    }
    let mut table = Table::new(&["cluster", "node", "cpu", "memory", "pods", "problems"]);
    for entry in &nodes {
        let node = entry.node;
        let problems: Vec<String> = node.problems.iter().map(wire_name).collect();
        table.row(vec![
            entry.cluster.to_owned(),
            node.name.clone(),
            bar(node.cpu.percent, 10),
            bar(node.memory.percent, 10),
            format!("{}/{}", node.pods.total, node.pods.capacity),
            problems.join(","),
        ]);
    }
    print!("{}", table.render(!global.no_headers));
    if omitted > 0 {
        eprintln!(
            "{omitted} nodes are not listed: each ClusterInsight lists its nodes up to --node-detail-limit, problem nodes first"
        );
    }
    Ok(())
}

/// The nodes the insights list (of `only`, when given), and how many they leave out.
fn listed_nodes<'a>(
    insights: &'a [ClusterInsight],
    only: Option<&str>,
) -> (Vec<ClusterNode<'a>>, i64) {
    let mut nodes = Vec::new();
    let mut omitted = 0;
    for insight in insights {
        let cluster = insight.metadata.name.as_deref().unwrap_or_default();
        if only.is_some_and(|o| o != cluster) {
            continue;
        }
        let Some(status) = &insight.status else {
            continue;
        };
        omitted += status.node_details.omitted;
        nodes.extend(
            status
                .node_details
                .items
                .iter()
                .map(|node| ClusterNode { cluster, node }),
        );
    }
    (nodes, omitted)
}

fn sort_key(node: &NodeDetail, sort: SortBy) -> i64 {
    match sort {
        SortBy::Cpu => i64::from(node.cpu.percent),
        SortBy::Memory => i64::from(node.memory.percent),
        SortBy::Pods => node.pods.total,
    }
}
