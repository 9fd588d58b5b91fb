//! `fit -f <manifest>`: how many replicas of a workload that is not applied yet would fit on
//! each cluster now, counted as the operator counts `fitReplicas`: node by node from the
//! member's published headroom (accurate), else from Karmada's Cluster status (general).
//! Policies are not applied: this is the room in each cluster, not a scheduling decision.

use crate::cli::Global;
use crate::error::{PluginError, Result};
use crate::hub::Hub;
use crate::manifest::{self, Template};
use crate::render::{Table, structured, wire_name};
use karmada_manager_api::{ClusterInsight, FitEstimator, InsightSource};
use karmada_manager_core::fit::{FitShape, HeadroomFit};
use karmada_types::Cluster;
use std::path::Path;

/// One cluster's answer for one workload of the manifest.
#[derive(Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatIfRow {
    pub workload: String,
    pub cluster: String,
    /// Replicas that fit (the accurate figure where there is one, as `fitReplicas`).
    pub fit_replicas: Option<u64>,
    /// `fitReplicas` is a lower bound: the headroom is rounded, or lists only some nodes.
    pub at_least: bool,
    pub estimator: Option<String>,
    /// Karmada's general estimate from the Cluster object.
    pub general: Option<u64>,
    pub note: String,
}

pub async fn run(hub: &Hub, global: &Global, file: &Path) -> Result<()> {
    let templates = manifest::read(file)?;
    let insights = hub.insights().await?;
    let clusters = match hub.karmada_clusters().await {
        Ok(clusters) => clusters,
        // The accurate figures need only the insights; say what is missing and go on.
        Err(e @ PluginError::Forbidden { .. }) => {
            eprintln!("warning: no general estimates: {e}");
            Vec::new()
        }
        Err(PluginError::NotInstalled(_)) => {
            eprintln!("warning: no general estimates: the hub serves no Karmada Clusters");
            Vec::new()
        }
        Err(other) => return Err(other),
    };
    let mut all = Vec::new();
    for template in &templates {
        all.push((template, rows(template, &insights, &clusters)?));
    }
    let flat: Vec<&WhatIfRow> = all.iter().flat_map(|(_, rows)| rows).collect();
    if structured(global.output, &flat)? {
        return Ok(());
    }
    for (template, rows) in &all {
        println!("{}", headline(template, rows));
        print!("{}", table(rows).render(!global.no_headers));
    }
    Ok(())
}

/// The answer for every cluster karmada-manager knows, most room first.
pub fn rows(
    template: &Template,
    insights: &[ClusterInsight],
    clusters: &[Cluster],
) -> Result<Vec<WhatIfRow>> {
    let shape = FitShape::from_template(&template.spec)
        .map_err(|e| PluginError::Manifest(format!("{}: {e}", template.workload)))?;
    let mut rows: Vec<WhatIfRow> = insights
        .iter()
        .map(|insight| {
            let name = insight.metadata.name.clone().unwrap_or_default();
            let cluster = clusters
                .iter()
                .find(|c| c.metadata.name.as_deref() == Some(name.as_str()));
            row(&shape, template, name, insight, cluster)
        })
        .collect();
    rows.sort_by(|a, b| {
        b.fit_replicas
            .cmp(&a.fit_replicas)
            .then(a.cluster.cmp(&b.cluster))
    });
    Ok(rows)
}

fn row(
    shape: &FitShape,
    template: &Template,
    cluster: String,
    insight: &ClusterInsight,
    karmada: Option<&Cluster>,
) -> WhatIfRow {
    let general = karmada.and_then(|c| shape.in_cluster(c));
    let status = insight.status.as_ref();
    let watched = status.is_some_and(|s| s.source != Some(InsightSource::ClusterStatus));
    let headroom = status.and_then(|s| s.headroom.as_ref()).filter(|_| watched);
    let accurate = headroom.map(|h| shape.in_headroom(h));
    let (fit, at_least, estimator, note) = match accurate {
        Some(HeadroomFit::Exact(fit)) => (Some(fit), false, Some(FitEstimator::Accurate), ""),
        Some(HeadroomFit::AtLeast(fit)) => (
            Some(fit),
            true,
            Some(FitEstimator::Accurate),
            "at least: the published headroom is rounded down",
        ),
        Some(HeadroomFit::Unknown(why)) => {
            return general_row(
                template,
                cluster,
                general,
                format!("no accurate figure: {why}"),
            );
        }
        None => {
            let why = "no accurate figure: karmada-manager does not watch this member's nodes";
            return general_row(template, cluster, general, why.to_owned());
        }
    };
    WhatIfRow {
        workload: template.workload.clone(),
        cluster,
        fit_replicas: fit,
        at_least,
        estimator: estimator.map(|e| wire_name(&e)),
        general,
        note: note.to_owned(),
    }
}

fn general_row(
    template: &Template,
    cluster: String,
    general: Option<u64>,
    note: String,
) -> WhatIfRow {
    WhatIfRow {
        workload: template.workload.clone(),
        cluster,
        fit_replicas: general,
        at_least: false,
        estimator: general.map(|_| wire_name(&FitEstimator::General)),
        general,
        note,
    }
}

/// `deployment/web: 3 replicas wanted; 57 fit in the fleet now (before any policy).`
fn headline(template: &Template, rows: &[WhatIfRow]) -> String {
    let total: u64 = rows.iter().filter_map(|r| r.fit_replicas).sum();
    let bound = if rows.iter().any(|r| r.at_least) {
        "at least "
    } else {
        ""
    };
    format!(
        "{}: {} replicas wanted; {bound}{total} fit in the fleet now (room per cluster, before any policy)",
        template.workload, template.replicas
    )
}

fn table(rows: &[WhatIfRow]) -> Table {
    let mut table = Table::new(&["cluster", "fit", "estimator", "general", "note"]);
    let figure = |f: Option<u64>| f.map_or("-".to_owned(), |f| f.to_string());
    for row in rows {
        let fit = match (row.fit_replicas, row.at_least) {
            (Some(f), true) => format!("≥{f}"),
            (f, _) => figure(f),
        };
        table.row(vec![
            row.cluster.clone(),
            fit,
            row.estimator.clone().unwrap_or_else(|| "-".into()),
            figure(row.general),
            row.note.clone(),
        ]);
    }
    table
}
