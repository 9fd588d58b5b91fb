//! `status`: the fleet on one screen, from the FleetInsight, the ClusterInsights and the
//! placements.

use crate::cli::Global;
use crate::error::Result;
use crate::hub::{Hub, Placement};
use crate::render::{Table, bar, colours, ready, structured, tint, wire_name};
use karmada_manager_api::{ClusterInsight, FleetInsight};

#[derive(serde::Serialize)]
struct StatusView<'a> {
    fleet: &'a FleetInsight,
    clusters: &'a [ClusterInsight],
    not_ready: Vec<&'a Placement>,
}

pub async fn run(hub: &Hub, global: &Global) -> Result<()> {
    let fleet = hub.fleet().await?;
    let insights = hub.insights().await?;
    // The fleet's workloads, whatever the context's namespace.
    let placements = hub.placements_in(None).await?;
    let not_ready: Vec<&Placement> = placements
        .iter()
        .filter(|p| ready(&p.status.conditions).is_none_or(|c| c.status != "True"))
        .collect();
    let view = StatusView {
        fleet: &fleet,
        clusters: &insights,
        not_ready,
    };
    if structured(global.output, &view)? {
        return Ok(());
    }
    print!("{}", render(&view, global.no_headers, colours()));
    Ok(())
}

fn render(view: &StatusView<'_>, no_headers: bool, colour: bool) -> String {
    let mut out = String::new();
    if let Some(status) = &view.fleet.status {
        let w = &status.workloads;
        out.push_str(&format!(
            "Fleet: {} clusters ({} ready), {} nodes ({}), {} pods ({} running, {} pending), {} workloads ({} ready, {} progressing, {} failed)\n\n",
            status.clusters.total,
            status.clusters.ready,
            status.nodes.total,
            status.nodes.display,
            status.pods.total,
            status.pods.running,
            status.pods.pending,
            w.total,
            w.ready,
            w.progressing,
            w.failed,
        ));
    }
    let mut clusters = Table::new(&[
        "cluster", "ready", "source", "nodes", "pods", "cpu", "memory",
    ]);
    let mut problems = Table::new(&["cluster", "node", "problems"]);
    for insight in view.clusters {
        let name = insight.metadata.name.clone().unwrap_or_default();
        let Some(status) = &insight.status else {
            clusters.row(vec![name, "-".into()]);
            continue;
        };
        let ready_status = ready(&status.conditions).map_or("Unknown", |c| c.status.as_str());
        let percent = |resource: &str| {
            status
                .resources
                .get(resource)
                .map_or("-".to_owned(), |r| bar(r.allocated_percent, 10))
        };
        clusters.row(vec![
            name.clone(),
            tint(ready_status, ready_status == "True", colour),
            status.source.map_or("-".into(), |s| wire_name(&s)),
            status.nodes.display.clone(),
            format!("{}", status.pods.total),
            percent("cpu"),
            percent("memory"),
        ]);
        for node in status
            .node_details
            .items
            .iter()
            .filter(|n| !n.problems.is_empty())
        {
            let listed: Vec<String> = node.problems.iter().map(wire_name).collect();
            problems.row(vec![name.clone(), node.name.clone(), listed.join(",")]);
        }
    }
    out.push_str(&clusters.render(!no_headers));
    if !problems.is_empty() {
        out.push_str("\nProblem nodes:\n");
        out.push_str(&problems.render(!no_headers));
    }
    if !view.not_ready.is_empty() {
        let mut workloads = Table::new(&["namespace", "workload", "reason", "message"]);
        for placement in &view.not_ready {
            let status = &placement.status;
            let condition = ready(&status.conditions);
            workloads.row(vec![
                placement.namespace.clone().unwrap_or_else(|| "-".into()),
                status.workload.display.clone(),
                condition.map_or("-".into(), |c| tint(&c.reason, false, colour)),
                condition.map_or(String::new(), |c| c.message.clone()),
            ]);
        }
        out.push_str("\nWorkloads not ready:\n");
        out.push_str(&workloads.render(!no_headers));
    }
    out
}
