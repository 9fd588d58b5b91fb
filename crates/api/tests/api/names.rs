//! Names, scope, categories, subresources and printer columns of the four CRDs.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use karmada_manager_api::{API_VERSION, CATEGORY, GROUP, VERSION, crds};

const READY: &str = r#".status.conditions[?(@.type=="Ready")].status"#;
const AGE: &str = ".metadata.creationTimestamp";

struct Expected {
    kind: &'static str,
    plural: &'static str,
    short_name: &'static str,
    scope: &'static str,
    /// `(name, type, jsonPath)` in column order.
    columns: &'static [(&'static str, &'static str, &'static str)],
}

const PLACEMENT_COLUMNS: &[(&str, &str, &str)] = &[
    ("WORKLOAD", "string", ".status.workload.display"),
    ("POLICY", "string", ".status.policy.name"),
    ("CLUSTERS", "string", ".status.clustersDisplay"),
    ("READY", "string", ".status.replicas.display"),
    ("STATUS", "string", READY),
    ("AGE", "date", AGE),
];

const EXPECTED: [Expected; 4] = [
    Expected {
        kind: "ClusterInsight",
        plural: "clusterinsights",
        short_name: "cin",
        scope: "Cluster",
        columns: &[
            ("READY", "string", READY),
            ("NODES", "string", ".status.nodes.display"),
            ("PODS", "integer", ".status.pods.running"),
            ("CPU%", "integer", ".status.resources.cpu.allocatedPercent"),
            (
                "MEMORY%",
                "integer",
                ".status.resources.memory.allocatedPercent",
            ),
            ("SOURCE", "string", ".status.source"),
            ("AGE", "date", AGE),
        ],
    },
    Expected {
        kind: "WorkloadPlacement",
        plural: "workloadplacements",
        short_name: "wp",
        scope: "Namespaced",
        columns: PLACEMENT_COLUMNS,
    },
    Expected {
        kind: "ClusterWorkloadPlacement",
        plural: "clusterworkloadplacements",
        short_name: "cwp",
        scope: "Cluster",
        columns: PLACEMENT_COLUMNS,
    },
    Expected {
        kind: "FleetInsight",
        plural: "fleetinsights",
        short_name: "fin",
        scope: "Cluster",
        columns: &[
            ("CLUSTERS", "string", ".status.clusters.display"),
            ("NODES", "string", ".status.nodes.display"),
            ("PODS", "integer", ".status.pods.running"),
            ("CPU%", "integer", ".status.resources.cpu.allocatedPercent"),
            (
                "MEMORY%",
                "integer",
                ".status.resources.memory.allocatedPercent",
            ),
            ("WORKLOADS", "string", ".status.workloads.display"),
        ],
    },
];

fn check(crd: &CustomResourceDefinition, expected: &Expected) {
    let kind = expected.kind;
    let spec = &crd.spec;
    assert_eq!(spec.names.kind, kind);
    assert_eq!(spec.group, GROUP, "{kind}");
    assert_eq!(
        crd.metadata.name.as_deref(),
        Some(format!("{}.{GROUP}", expected.plural).as_str())
    );
    assert_eq!(spec.names.plural, expected.plural, "{kind}");
    assert_eq!(
        spec.names.short_names,
        Some(vec![expected.short_name.to_string()]),
        "{kind}"
    );
    assert_eq!(
        spec.names.categories,
        Some(vec![CATEGORY.to_string()]),
        "{kind}"
    );
    assert_eq!(spec.scope, expected.scope, "{kind}");

    assert_eq!(spec.versions.len(), 1, "{kind}");
    let version = &spec.versions[0];
    assert_eq!(version.name, VERSION, "{kind}");
    assert!(version.served && version.storage, "{kind}");
    let subresources = version.subresources.as_ref().expect("subresources");
    assert!(
        subresources.status.is_some(),
        "{kind}: no status subresource"
    );
    assert!(
        subresources.scale.is_none(),
        "{kind}: unexpected scale subresource"
    );

    let columns: Vec<(&str, &str, &str)> = version
        .additional_printer_columns
        .iter()
        .flatten()
        .map(|c| (c.name.as_str(), c.type_.as_str(), c.json_path.as_str()))
        .collect();
    assert_eq!(columns, expected.columns, "{kind}: printer columns");
}

#[test]
fn crds_come_in_a_stable_order_with_the_contracted_names() {
    let crds = crds();
    let kinds: Vec<&str> = crds
        .iter()
        .map(|crd| crd.spec.names.kind.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "ClusterInsight",
            "WorkloadPlacement",
            "ClusterWorkloadPlacement",
            "FleetInsight"
        ]
    );
    for (crd, expected) in crds.iter().zip(EXPECTED.iter()) {
        check(crd, expected);
    }
}

#[test]
fn api_version_constants_agree() {
    assert_eq!(GROUP, "insight.karmada-manager.io");
    assert_eq!(VERSION, "v1alpha1");
    assert_eq!(API_VERSION, format!("{GROUP}/{VERSION}"));
    use kube::Resource;
    assert_eq!(
        karmada_manager_api::ClusterInsight::api_version(&()),
        API_VERSION
    );
    assert_eq!(karmada_manager_api::FleetInsight::group(&()), GROUP);
}
