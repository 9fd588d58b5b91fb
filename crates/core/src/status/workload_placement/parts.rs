//! The parts of a placement status that different replicas write when they share the members:
//! the binding's owner writes the [summary](summary_part), everything but the observed fields
//! of the cluster entries; the replica watching member `m` writes [`observed_part`] for `m`,
//! the observed fields of entry `m`. The hub merges them by server-side apply: `clusters` is a
//! list-map keyed by `name`, so each writer owns its own fields of a shared entry.

use karmada_manager_api::{ClusterPlacement, WorkloadPlacementStatus};
use serde_json::{Map, Value, json};

/// The whole status without the observed fields of its cluster entries.
pub fn summary_part(status: &WorkloadPlacementStatus) -> Value {
    let mut value = json!(status);
    if let Some(Value::Array(entries)) = value.get_mut("clusters") {
        for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
            entry.retain(|key, _| !ClusterPlacement::OBSERVED_FIELDS.contains(&key.as_str()));
        }
    }
    value
}

/// The observed fields of the entry of `cluster`, under its name: `{"clusters": [{"name": ..,
/// ..}]}`; `{}` when the status has no such entry (applying that removes what the writer wrote
/// before).
pub fn observed_part(status: &WorkloadPlacementStatus, cluster: &str) -> Value {
    let Some(entry) = status.clusters.iter().find(|e| e.name == cluster) else {
        return json!({});
    };
    let Value::Object(fields) = json!(entry) else {
        return json!({});
    };
    let mut kept: Map<String, Value> = fields
        .into_iter()
        .filter(|(key, _)| ClusterPlacement::OBSERVED_FIELDS.contains(&key.as_str()))
        .collect();
    kept.insert("name".to_owned(), json!(cluster));
    json!({ "clusters": [kept] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use karmada_manager_api::{ClusterProblem, FitEstimator, WorkloadPodCounts};

    fn status() -> WorkloadPlacementStatus {
        let entry = |name: &str, replicas: i64| ClusterPlacement {
            name: name.into(),
            replicas,
            applied: Some(true),
            fit_replicas: Some(replicas * 2),
            estimator: Some(FitEstimator::Accurate),
            pods: Some(WorkloadPodCounts {
                total: replicas,
                ..WorkloadPodCounts::default()
            }),
            problems: vec![ClusterProblem {
                reason: "MemberUnreachable".into(),
                message: name.into(),
            }],
            ..ClusterPlacement::default()
        };
        WorkloadPlacementStatus {
            clusters: vec![entry("m1", 2), entry("m2", 3)],
            clusters_display: "m1:2,m2:3".into(),
            ..WorkloadPlacementStatus::default()
        }
    }

    /// What server-side apply makes of the parts: entries merged by name, field by field.
    fn merged(parts: &[Value]) -> WorkloadPlacementStatus {
        let mut whole = parts[0].clone();
        for part in &parts[1..] {
            for entry in part["clusters"].as_array().into_iter().flatten() {
                let entries = whole["clusters"].as_array_mut().unwrap();
                let target = entries
                    .iter_mut()
                    .find(|e| e["name"] == entry["name"])
                    .unwrap();
                for (key, value) in entry.as_object().unwrap() {
                    target[key] = value.clone();
                }
            }
        }
        serde_json::from_value(whole).unwrap()
    }

    #[test]
    fn the_summary_and_each_members_part_make_up_the_whole_status() {
        let status = status();
        let summary = summary_part(&status);
        assert!(summary["clusters"][0].get("fitReplicas").is_none());
        assert!(summary["clusters"][0].get("problems").is_none());
        assert_eq!(summary["clusters"][0]["replicas"], json!(2));
        let m1 = observed_part(&status, "m1");
        assert!(m1["clusters"][0].get("replicas").is_none(), "{m1}");
        let parts = [summary, m1, observed_part(&status, "m2")];
        assert_eq!(merged(&parts), status);
    }

    #[test]
    fn a_cluster_without_an_entry_has_an_empty_part() {
        assert_eq!(observed_part(&status(), "m3"), json!({}));
    }
}
