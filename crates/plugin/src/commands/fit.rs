//! `fit <kind>/<name>`: how many more replicas of the workload fit on each cluster — its
//! targets and the other clusters its placement lists — as the operator estimated them.

use crate::cli::Global;
use crate::error::Result;
use crate::hub::{Hub, Placement};
use crate::render::{Table, structured, wire_name};

/// One cluster's row.
#[derive(Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FitRow {
    pub cluster: String,
    /// Assigned replicas on a target; `None` for a cluster the workload is not on.
    pub assigned: Option<i64>,
    pub fit_replicas: Option<i64>,
    pub estimator: Option<String>,
    /// Why a cluster is not used, or why there is no figure.
    pub note: String,
}

pub async fn run(hub: &Hub, global: &Global, workload: &str) -> Result<()> {
    let placement = &hub.workload(workload).await?;
    let rows = rows(placement);
    if structured(global.output, &rows)? {
        return Ok(());
    }
    let mut table = Table::new(&["cluster", "assigned", "fit", "estimator", "note"]);
    for row in &rows {
        table.row(vec![
            row.cluster.clone(),
            row.assigned.map_or("-".into(), |a| a.to_string()),
            row.fit_replicas.map_or("-".into(), |f| f.to_string()),
            row.estimator.clone().unwrap_or_else(|| "-".into()),
            row.note.clone(),
        ]);
    }
    print!("{}", table.render(!global.no_headers));
    Ok(())
}

/// Targets first (by name), then the listed candidates in the placement's order.
pub fn rows(placement: &Placement) -> Vec<FitRow> {
    let status = &placement.status;
    let mut rows: Vec<FitRow> = status
        .clusters
        .iter()
        .map(|c| FitRow {
            cluster: c.name.clone(),
            assigned: Some(c.replicas),
            fit_replicas: c.fit_replicas,
            estimator: c.estimator.map(|e| wire_name(&e)),
            note: c.fit_message.clone().unwrap_or_default(),
        })
        .collect();
    for item in status.candidates.iter().flat_map(|c| &c.items) {
        rows.push(FitRow {
            cluster: item.name.clone(),
            assigned: None,
            fit_replicas: item.fit_replicas,
            estimator: item.estimator.map(|e| wire_name(&e)),
            note: format!("not used: {}", item.reason),
        });
    }
    rows
}
