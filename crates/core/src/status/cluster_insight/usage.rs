//! `ClusterInsight.status.usage`: measured CPU and memory over the nodes metrics-server reports,
//! as a share of the allocatable of those same nodes (a node without metrics counts in neither).

use crate::index::ClusterIndex;
use crate::projection::NodeUsage;
use crate::quantity::{Amount, ExactSum, Format, Sign, percent};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use karmada_manager_api::{ResourceUsage, UsageFigures};

/// The usage block: per resource, Σ used and Σ allocatable over the nodes that report it
/// (exact sums, clamped at the `Amount` bounds), `percent` of the two; absent when that
/// allocatable is not positive. `observedAt` is the newest parsable timestamp.
pub fn cluster_usage(index: &ClusterIndex, metrics: &[NodeUsage]) -> ResourceUsage {
    // (used, allocatable) for cpu, then memory.
    let mut sums = [(ExactSum::default(), ExactSum::default()); 2];
    let mut latest: Option<k8s_openapi::jiff::Timestamp> = None;
    for usage in metrics {
        let Some(node) = index.node(&usage.name) else {
            continue;
        };
        for ((used_sum, allocatable_sum), (resource, used)) in sums
            .iter_mut()
            .zip([("cpu", usage.cpu), ("memory", usage.memory)])
        {
            if let Some(used) = used {
                used_sum.add(used, Sign::Add);
                allocatable_sum.add(node.allocatable.amount(resource), Sign::Add);
            }
        }
        if let Some(at) = usage.timestamp.as_deref().and_then(|t| t.parse().ok()) {
            latest = latest.max(Some(at));
        }
    }
    let figures = |(used, allocatable): (ExactSum, ExactSum), resource: &str| {
        let (used, allocatable) = (used.value(), allocatable.value());
        (allocatable > Amount::ZERO).then(|| UsageFigures {
            used: used.to_quantity(Format::for_resource(resource)),
            percent: percent(used, allocatable),
        })
    };
    let [cpu, memory] = sums;
    ResourceUsage {
        cpu: figures(cpu, "cpu"),
        memory: figures(memory, "memory"),
        observed_at: latest.map(Time),
        stale: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::NodeMetricsList;

    #[test]
    fn usage_is_summed_over_nodes_with_metrics_and_known_to_the_index() {
        let mut index = ClusterIndex::new();
        for name in ["n1", "n2", "n3"] {
            let node: crate::SlimNode = serde_json::from_value(serde_json::json!({
                "metadata": {"name": name},
                "status": {"allocatable": {"cpu": "4", "memory": "16Gi"}},
            }))
            .unwrap();
            index.apply_node(node);
        }
        let list: NodeMetricsList = serde_json::from_value(serde_json::json!({"items": [
            {"metadata": {"name": "n1"}, "timestamp": "2026-01-01T00:00:10Z", "usage": {"cpu": "1500m", "memory": "4Gi"}},
            {"metadata": {"name": "n2"}, "timestamp": "2026-01-01T00:00:20Z", "usage": {"cpu": "500m", "memory": "garbage"}},
            {"metadata": {"name": "gone"}, "usage": {"cpu": "64", "memory": "1Ti"}},
        ]}))
        .unwrap();
        let usage = cluster_usage(&index, &list.items);
        let cpu = usage.cpu.unwrap();
        assert_eq!(
            (cpu.used.0.as_str(), cpu.percent),
            ("2", 25),
            "2 of 8 cores (n3 has no metrics)"
        );
        let memory = usage.memory.unwrap();
        assert_eq!(
            (memory.used.0.as_str(), memory.percent),
            ("4Gi", 25),
            "the unparsable value counts for n2 in neither sum"
        );
        assert_eq!(
            usage.observed_at.unwrap().0.to_string(),
            "2026-01-01T00:00:20Z"
        );
    }
}
