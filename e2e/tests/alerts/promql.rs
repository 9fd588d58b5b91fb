//! Just enough PromQL reading to say which series a query reads: the metric selectors (our
//! metrics, `karmada_manager_*`, and the chart's recording rules, `level:karmada_manager_*:ops`)
//! with their label matchers, and the labels named by `by`, `without`, `on`, `ignoring` and
//! `group_left`/`group_right`. Shared by the rules' and the dashboard's tests.
#![allow(dead_code)] // each test binary uses a different subset

use anyhow::{Context, Result};
use serde_yaml_ng::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// A metric selector in a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    pub matchers: Vec<Matcher>,
}

/// `label op "value"`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matcher {
    pub label: String,
    pub op: String,
    pub value: String,
}

/// Whether `name` is a recording rule's (`level:metric:operations`).
pub fn is_recorded(name: &str) -> bool {
    name.contains(':')
}

/// The metric selectors of `query` that name our metrics or recording rules.
pub fn references(query: &str) -> Vec<Reference> {
    let bytes = query.as_bytes();
    let is_name = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b':';
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if !is_name(bytes[at]) || bytes[at].is_ascii_digit() {
            // Skip a quoted string whole: label values are not names.
            if bytes[at] == b'"' {
                at += 1 + query[at + 1..].find('"').unwrap_or(query.len() - at - 1) + 1;
            } else {
                at += 1;
            }
            continue;
        }
        let end = at + query[at..].bytes().take_while(|c| is_name(*c)).count();
        let name = &query[at..end];
        at = end;
        if !name.contains("karmada_manager_") {
            continue;
        }
        let mut matchers = Vec::new();
        if let Some(body) = query[end..].strip_prefix('{') {
            let close = body.find('}').unwrap_or(body.len());
            matchers = parse_matchers(&body[..close]);
            at = end + 1 + close;
        }
        found.push(Reference {
            name: name.to_owned(),
            matchers,
        });
    }
    found
}

fn parse_matchers(body: &str) -> Vec<Matcher> {
    let mut matchers = Vec::new();
    for matcher in body.split(',').filter(|m| !m.trim().is_empty()) {
        let op_at = matcher.find(['=', '!']).unwrap_or(matcher.len());
        let label = matcher[..op_at].trim().to_string();
        let rest = &matcher[op_at..];
        let op_len = rest.find('"').unwrap_or(rest.len());
        let op = rest[..op_len].trim().to_string();
        let value = rest[op_len..].trim().trim_matches('"').to_string();
        matchers.push(Matcher { label, op, value });
    }
    matchers
}

/// Label names in `by (...)`, `without (...)`, `on (...)`, `ignoring (...)`, `group_left (...)`
/// and `group_right (...)` clauses.
pub fn grouping_labels(query: &str) -> Vec<String> {
    let mut labels = Vec::new();
    for keyword in [
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
    ] {
        let mut rest = query;
        while let Some(at) = rest.find(keyword) {
            let before = rest[..at].chars().last();
            let after = rest[at + keyword.len()..].trim_start();
            rest = &rest[at + keyword.len()..];
            let word_start = before.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
            let Some(clause) = after.strip_prefix('(').filter(|_| word_start) else {
                continue;
            };
            let end = clause.find(')').unwrap_or(clause.len());
            labels.extend(
                clause[..end]
                    .split(',')
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty()),
            );
        }
    }
    labels
}

/// The chart's rules, rendered with the default values and committed.
pub fn rules_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../charts/karmada-manager/rules/karmada-manager.rules.yaml")
}

/// Every rule of the committed rules file (recording and alerting), as YAML.
pub fn rules() -> Result<Vec<Value>> {
    let path = rules_file();
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let file: Value = serde_yaml_ng::from_str(&text)?;
    let groups = file["groups"].as_sequence().context("no groups")?;
    Ok(groups
        .iter()
        .filter_map(|g| g["rules"].as_sequence())
        .flatten()
        .cloned()
        .collect())
}

/// Each recording rule's name → its expression and the labels its series carry (those of its
/// outer `by (...)`).
pub fn recording_rules() -> Result<BTreeMap<String, (String, BTreeSet<String>)>> {
    let mut recorded = BTreeMap::new();
    for rule in rules()? {
        let Some(name) = rule["record"].as_str() else {
            continue;
        };
        let expr = rule["expr"]
            .as_str()
            .context("a rule without expr")?
            .to_owned();
        let by = expr
            .split_once("by (")
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(labels, _)| labels.split(',').map(|l| l.trim().to_owned()).collect())
            .with_context(|| format!("{name}: not an aggregation `by (...)`"))?;
        recorded.insert(name.to_owned(), (expr, by));
    }
    Ok(recorded)
}

/// `query` with each recorded series it reads replaced by the expression the chart's recording
/// rule records, after checking that the rule exists and that its series carry the labels the
/// query matches on.
pub fn expand_recorded(
    query: &str,
    recorded: &BTreeMap<String, (String, BTreeSet<String>)>,
) -> Result<String> {
    let mut expanded = query.to_owned();
    for reference in references(query) {
        if !is_recorded(&reference.name) {
            continue;
        }
        let (expr, labels) = recorded.get(&reference.name).with_context(|| {
            format!(
                "{} (in `{query}`) is no recording rule of the chart",
                reference.name
            )
        })?;
        for matcher in &reference.matchers {
            anyhow::ensure!(
                labels.contains(&matcher.label),
                "{} has no label {} (in `{query}`)",
                reference.name,
                matcher.label
            );
        }
        expanded = expanded.replace(&reference.name, &format!("({expr}) "));
    }
    Ok(expanded)
}

/// Every PromQL string of a Grafana dashboard: targets' `expr`s and query variables.
pub fn dashboard_queries(value: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("expr" | "definition", Value::String(q)) => out.push(q.clone()),
                    ("query", Value::String(q)) if q.contains("karmada_manager_") => {
                        out.push(q.clone())
                    }
                    _ => dashboard_queries(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| dashboard_queries(v, out)),
        _ => {}
    }
}

/// The chart's Grafana dashboard.
pub fn dashboard() -> Result<serde_json::Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../charts/karmada-manager/dashboards/karmada-manager.json");
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_and_grouping_are_read() {
        let query = r#"max by (job, cluster) (karmada_manager_x{a="b:c", d!~"e"} and on (job, instance) (karmada_manager_leader == 1)) unless on(cluster) job:karmada_manager_y:max"#;
        let names: Vec<_> = references(query).into_iter().map(|r| r.name).collect();
        assert_eq!(
            names,
            [
                "karmada_manager_x",
                "karmada_manager_leader",
                "job:karmada_manager_y:max"
            ]
        );
        let first = &references(query)[0];
        assert_eq!(first.matchers[0].value, "b:c");
        assert_eq!(first.matchers[1].op, "!~");
        assert_eq!(
            grouping_labels(query),
            ["job", "cluster", "job", "instance", "cluster"]
        );
    }
}
