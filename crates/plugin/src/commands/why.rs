//! `why <kind>/<name> [--cluster C]`: the placement's scheduling explanation in sentences —
//! the rules, each target's share and state, each other cluster's reason.

use crate::cli::Global;
use crate::commands::where_::headline;
use crate::error::{PluginError, Result};
use crate::hub::{Hub, Placement};
use crate::render::{colours, structured, wire_name};
use karmada_manager_api::{CandidateCluster, ClusterPlacement, PlacementSummary};

pub async fn run(hub: &Hub, global: &Global, workload: &str, cluster: Option<&str>) -> Result<()> {
    let placement = &hub.workload(workload).await?;
    let text = explain(placement, cluster, colours())?;
    if structured(global.output, placement)? {
        return Ok(());
    }
    print!("{text}");
    Ok(())
}

/// The explanation; a `cluster` that is neither a target nor a candidate is not found.
pub fn explain(placement: &Placement, only: Option<&str>, colour: bool) -> Result<String> {
    let status = &placement.status;
    let mut out = format!("{}\n", headline(placement, colour));
    if let Some(rules) = &status.placement {
        out.push_str(&format!("Placement: {}.\n", rules_sentence(rules)));
    }
    let candidates = status.candidates.as_ref();
    let listed = |name: &str| {
        status.clusters.iter().any(|c| c.name == name)
            || candidates.is_some_and(|c| c.items.iter().any(|i| i.name == name))
    };
    if let Some(name) = only
        && !listed(name)
    {
        let omitted = candidates.map_or(0, |c| c.omitted);
        let hint = if omitted > 0 {
            format!(
                " ({omitted} other clusters are counted but not listed: see candidates.byReason)"
            )
        } else {
            String::new()
        };
        return Err(PluginError::NotFound(format!(
            "cluster {name} is neither a target nor a listed candidate of {}{hint}",
            status.workload.display
        )));
    }
    let wanted = |name: &str| only.is_none_or(|o| o == name);
    for cluster in status.clusters.iter().filter(|c| wanted(&c.name)) {
        out.push_str(&format!("- {}\n", target_sentence(cluster)));
    }
    if let Some(candidates) = candidates {
        for item in candidates.items.iter().filter(|c| wanted(&c.name)) {
            out.push_str(&format!("- {}\n", candidate_sentence(item)));
        }
        if only.is_none() && candidates.omitted > 0 {
            let counts: Vec<String> = candidates
                .by_reason
                .iter()
                .map(|(reason, n)| format!("{n} {reason}"))
                .collect();
            out.push_str(&format!(
                "- and {} more clusters not listed; all {} not used: {}.\n",
                candidates.omitted,
                candidates.total,
                counts.join(", ")
            ));
        }
    }
    for condition in status
        .conditions
        .iter()
        .filter(|c| c.type_ == "Degraded" || (c.type_ == "Ready" && c.status != "True"))
    {
        out.push_str(&format!(
            "{} ({}): {}\n",
            condition.type_, condition.reason, condition.message
        ));
    }
    Ok(out)
}

pub fn rules_sentence(rules: &PlacementSummary) -> String {
    let mut parts = vec![wire_name(&rules.replica_scheduling)];
    if let Some(division) = &rules.division_preference {
        parts.push(wire_name(division));
    }
    if let Some(weighting) = rules.weighting.filter(|w| wire_name(w) != "None") {
        parts.push(format!("weights {}", wire_name(&weighting)));
    }
    if let Some(affinity) = &rules.cluster_affinity {
        let mut selects = Vec::new();
        if !affinity.cluster_names.is_empty() {
            selects.push(format!("named {}", affinity.cluster_names.join(", ")));
        }
        if let Some(labels) = &affinity.label_selector {
            selects.push(format!("labelled {labels}"));
        }
        if let Some(fields) = &affinity.field_selector {
            selects.push(format!("with {fields}"));
        }
        if !affinity.exclude.is_empty() {
            selects.push(format!("except {}", affinity.exclude.join(", ")));
        }
        let group = rules
            .affinity_name
            .as_deref()
            .map(|g| format!(" (affinity group {g})"))
            .unwrap_or_default();
        parts.push(format!("clusters {}{group}", selects.join(", ")));
    }
    parts.join(", ")
}

pub fn target_sentence(cluster: &ClusterPlacement) -> String {
    let mut text = format!(
        "{} runs {} assigned replicas",
        cluster.name, cluster.replicas
    );
    if let Some(division) = &cluster.division {
        text.push_str(&format!(" ({division})"));
    }
    if let Some(ready) = cluster.ready_replicas {
        text.push_str(&format!("; Karmada reports {ready} ready"));
    }
    if let Some(pods) = &cluster.pods {
        text.push_str(&format!(
            "; {} pods seen there, {} running, {} ready, {} pending",
            pods.total, pods.running, pods.ready, pods.pending
        ));
        if let Some(reason) = &pods.pending_reason {
            text.push_str(&format!(" ({reason})"));
        }
    }
    if let Some(fit) = cluster.fit_replicas {
        text.push_str(&format!("; {fit} more would fit"));
    }
    if let Some(message) = &cluster.fit_message {
        text.push_str(&format!("; no fit figure: {message}"));
    }
    for problem in &cluster.problems {
        text.push_str(&format!("; {}: {}", problem.reason, problem.message));
    }
    text.push('.');
    text
}

pub fn candidate_sentence(item: &CandidateCluster) -> String {
    let fit = item
        .fit_replicas
        .map(|f| format!(" ({f} replicas would fit)"))
        .unwrap_or_default();
    format!(
        "{} is not used, {}: {}{fit}.",
        item.name, item.reason, item.message
    )
}
