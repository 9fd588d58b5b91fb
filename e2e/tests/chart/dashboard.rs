//! The Grafana dashboard: valid JSON, and its queries use only the metrics (and label values)
//! the operator exports, directly or through the chart's recording rules (which must define
//! every recorded series it reads), through the chosen Prometheus data source.

use super::helm::chart;
use crate::promql;
use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The metrics the operator exports: name → (labels, the values of enumerated labels).
fn exported_metrics() -> BTreeMap<&'static str, Vec<(&'static str, &'static [&'static str])>> {
    const ANY: &[&str] = &[];
    BTreeMap::from([
        (
            "karmada_manager_reconciles_total",
            vec![("controller", ANY), ("result", &["success", "error"][..])],
        ),
        (
            "karmada_manager_reconcile_duration_seconds",
            vec![("controller", ANY)],
        ),
        (
            "karmada_manager_status_writes_total",
            vec![
                ("kind", ANY),
                ("outcome", &["written", "skipped", "failed"][..]),
            ],
        ),
        ("karmada_manager_member_watch_up", vec![("cluster", ANY)]),
        (
            "karmada_manager_member_objects",
            vec![
                ("cluster", ANY),
                ("kind", &["node", "pod", "replicaset", "job"][..]),
            ],
        ),
        (
            "karmada_manager_member_last_event_age_seconds",
            vec![("cluster", ANY)],
        ),
        (
            "karmada_manager_cluster_allocated_percent",
            vec![
                ("cluster", ANY),
                ("resource", &["cpu", "memory", "pods"][..]),
            ],
        ),
        (
            "karmada_manager_cluster_condition",
            vec![
                ("cluster", ANY),
                (
                    "condition",
                    &["Ready", "Reconciling", "Stalled", "Degraded"][..],
                ),
                ("status", &["True", "False", "Unknown"][..]),
                ("reason", ANY),
            ],
        ),
        (
            "karmada_manager_member_data_age_seconds",
            vec![("cluster", ANY)],
        ),
        (
            "karmada_manager_cluster_unschedulable_replicas",
            vec![("cluster", ANY)],
        ),
        (
            "karmada_manager_cluster_fit_min_replicas",
            vec![("cluster", ANY)],
        ),
        (
            "karmada_manager_cluster_placements_without_headroom",
            vec![("cluster", ANY)],
        ),
        (
            "karmada_manager_placements_not_ready",
            vec![("reason", ANY)],
        ),
        (
            "karmada_manager_placement_not_ready_seconds",
            vec![
                ("kind", PLACEMENT_KINDS),
                ("placement", ANY),
                ("reason", ANY),
            ],
        ),
        (
            "karmada_manager_placement_unschedulable_replicas",
            vec![
                ("kind", PLACEMENT_KINDS),
                ("placement", ANY),
                ("cluster", ANY),
            ],
        ),
        ("karmada_manager_leader_lease_transitions", vec![]),
        (
            "karmada_manager_fleet_clusters",
            vec![("state", &["total", "ready"][..])],
        ),
        (
            "karmada_manager_fleet_workloads",
            vec![("state", &["ready", "progressing", "failed"][..])],
        ),
        ("karmada_manager_leader", vec![]),
        ("karmada_manager_shard_members", vec![]),
        ("karmada_manager_shard_replicas", vec![]),
        ("karmada_manager_shard_rebalances_total", vec![]),
        (
            "karmada_manager_interned_values",
            vec![(
                "table",
                &[
                    "strings",
                    "resource_lists",
                    "controllers",
                    "node_label_sets",
                ][..],
            )],
        ),
    ])
}

const PLACEMENT_KINDS: &[&str] = &["WorkloadPlacement", "ClusterWorkloadPlacement"];

const HISTOGRAMS: &[&str] = &["karmada_manager_reconcile_duration_seconds"];

pub fn dashboard_json() -> Result<Value> {
    let path = chart().join("dashboards/karmada-manager.json");
    let text = std::fs::read_to_string(&path)?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// A label matcher of a metric reference: `label op "value"`.
struct Matcher {
    label: String,
    op: String,
    value: String,
}

/// The metric references in a query: the name as exported (histogram series folded into the
/// histogram) and its label matchers.
fn references(query: &str) -> Vec<(String, Vec<Matcher>)> {
    let mut found = Vec::new();
    let mut rest = query;
    while let Some(start) = rest.find("karmada_manager_") {
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let mut name = tail[..end].to_string();
        for histogram in HISTOGRAMS {
            for suffix in ["_bucket", "_sum", "_count"] {
                if name == format!("{histogram}{suffix}") {
                    name = (*histogram).to_string();
                }
            }
        }
        let mut matchers = Vec::new();
        let after = &tail[end..];
        if let Some(body) = after.strip_prefix('{').and_then(|b| b.split_once('}')) {
            for matcher in body.0.split(',').filter(|m| !m.trim().is_empty()) {
                let op_at = matcher.find(['=', '!']).unwrap_or(matcher.len());
                let label = matcher[..op_at].trim().to_string();
                let op_and_value = &matcher[op_at..];
                let op_len = op_and_value.find('"').unwrap_or(op_and_value.len());
                let op = op_and_value[..op_len].trim().to_string();
                let value = op_and_value[op_len..].trim().trim_matches('"').to_string();
                matchers.push(Matcher { label, op, value });
            }
        }
        found.push((name, matchers));
        rest = &tail[end..];
    }
    found
}

/// Label names in `by (...)` / `without (...)` clauses.
fn grouping_labels(query: &str) -> Vec<String> {
    let mut labels = Vec::new();
    for keyword in ["by (", "by(", "without (", "without("] {
        let mut rest = query;
        while let Some(at) = rest.find(keyword) {
            let clause = &rest[at + keyword.len()..];
            let end = clause.find(')').unwrap_or(clause.len());
            labels.extend(
                clause[..end]
                    .split(',')
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty()),
            );
            rest = &clause[end..];
        }
    }
    labels
}

pub fn the_dashboard_is_valid_json_and_queries_only_exported_metrics() -> Result<()> {
    let dashboard = dashboard_json()?;
    let metrics = exported_metrics();
    assert!(
        dashboard["schemaVersion"]
            .as_u64()
            .context("no schemaVersion")?
            >= 36
    );
    assert_eq!(dashboard["uid"], "karmada-manager");

    let variables = dashboard["templating"]["list"]
        .as_array()
        .context("no template variables")?;
    let variable = |name: &str| variables.iter().find(|v| v["name"] == name);
    let ds = variable("DS_PROMETHEUS").context("no DS_PROMETHEUS variable")?;
    assert_eq!(ds["type"], "datasource");
    assert_eq!(ds["query"], "prometheus");
    let cluster = variable("cluster").context("no cluster variable")?;
    assert_eq!(cluster["datasource"]["uid"], "${DS_PROMETHEUS}");

    let mut all = Vec::new();
    promql::dashboard_queries(&dashboard, &mut all);
    ensure!(all.len() >= 10, "only {} queries found", all.len());
    let mut used = BTreeSet::new();
    let recorded = promql::recording_rules()?;
    for query in &all {
        let query = &promql::expand_recorded(query, &recorded)?;
        let refs = references(query);
        ensure!(
            !refs.is_empty(),
            "a query without a karmada-manager metric: {query}"
        );
        // `job` and `instance` are the scrape's, which the recording rules keep.
        let mut labels_here: BTreeSet<&str> = BTreeSet::from(["le", "job", "instance"]);
        for (name, matchers) in refs {
            let labels = metrics
                .get(name.as_str())
                .with_context(|| format!("{name} (in `{query}`) is not an exported metric"))?;
            labels_here.extend(labels.iter().map(|(l, _)| *l));
            for Matcher { label, op, value } in matchers {
                let (_, allowed) = labels
                    .iter()
                    .find(|(l, _)| *l == label)
                    .with_context(|| format!("{name} has no label {label} (in `{query}`)"))?;
                if op == "=" && !allowed.is_empty() {
                    ensure!(
                        allowed.contains(&value.as_str()),
                        "{name}{{{label}=\"{value}\"}}: {label} is one of {allowed:?}"
                    );
                }
            }
            used.insert(name);
        }
        for label in grouping_labels(query) {
            ensure!(
                labels_here.contains(label.as_str()),
                "`{query}` groups by {label}, which its metrics do not have"
            );
        }
    }
    let unused: Vec<_> = metrics.keys().filter(|m| !used.contains(**m)).collect();
    assert!(unused.is_empty(), "metrics no panel shows: {unused:?}");

    // Every panel and target queries the chosen data source.
    fn datasources(value: &Value, out: &mut Vec<Value>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    if key == "datasource" {
                        out.push(v.clone());
                    } else {
                        datasources(v, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| datasources(v, out)),
            _ => {}
        }
    }
    let mut panels = Vec::new();
    datasources(&dashboard["panels"], &mut panels);
    ensure!(!panels.is_empty());
    for ds in panels {
        assert_eq!(ds, json!({"type": "prometheus", "uid": "${DS_PROMETHEUS}"}));
    }
    Ok(())
}
