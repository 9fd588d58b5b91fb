//! The generated schemas are structural (accepted by apiextensions.k8s.io/v1) and carry the
//! list-map, int-or-string and enum markers the contract relies on.

use serde_json::{Value, json};

use crate::support::{at, schema_of, schemas, walk};

#[test]
fn schemas_are_structural() {
    let mut problems = Vec::new();
    for (kind, schema) in schemas() {
        walk("", &schema, &mut |path, node| {
            // Nothing in these types needs a combinator or a reference, and the API server
            // restricts both; a `default` would make the server rewrite stored status.
            for key in [
                "anyOf",
                "oneOf",
                "allOf",
                "not",
                "$ref",
                "$defs",
                "definitions",
                "default",
            ] {
                if node.get(key).is_some() {
                    problems.push(format!("{kind} {path}: has {key}"));
                }
            }
            let int_or_string = node.get("x-kubernetes-int-or-string") == Some(&json!(true));
            let preserve = node.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true));
            if node.get("type").is_none() && !int_or_string && !preserve {
                problems.push(format!("{kind} {path}: no type"));
            }
            if node.get("properties").is_some() && node.get("additionalProperties").is_some() {
                problems.push(format!(
                    "{kind} {path}: properties and additionalProperties"
                ));
            }
            if node.get("properties").is_some() && node.get("type") != Some(&json!("object")) {
                problems.push(format!("{kind} {path}: properties on a non-object"));
            }
        });
    }
    assert!(
        problems.is_empty(),
        "non-structural schema:\n{}",
        problems.join("\n")
    );
}

fn assert_list_map(kind: &str, list: &Value, key: &str) {
    assert_eq!(list["type"], "array", "{kind}");
    assert_eq!(list["x-kubernetes-list-type"], "map", "{kind}");
    assert_eq!(list["x-kubernetes-list-map-keys"], json!([key]), "{kind}");
    // The API server rejects a list-map whose key may be absent.
    let required = list["items"]["required"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        required.contains(&json!(key)),
        "{kind}: list key {key} is not required"
    );
}

#[test]
fn placement_clusters_are_a_list_map_keyed_by_name() {
    for kind in ["WorkloadPlacement", "ClusterWorkloadPlacement"] {
        let schema = schema_of(kind);
        assert_list_map(kind, at(&schema, "status.clusters"), "name");
    }
}

#[test]
fn conditions_are_a_list_map_keyed_by_type() {
    for (kind, schema) in schemas() {
        assert_list_map(&kind, at(&schema, "status.conditions"), "type");
    }
}

#[test]
fn resources_are_a_map_of_quantities() {
    for kind in ["ClusterInsight", "FleetInsight"] {
        let schema = schema_of(kind);
        let resources = at(&schema, "status.resources");
        assert_eq!(resources["type"], "object", "{kind}");
        let figures = &resources["additionalProperties"];
        for quantity in [
            "capacity",
            "allocatable",
            "allocated",
            "allocating",
            "available",
        ] {
            let field = &figures["properties"][quantity];
            assert_eq!(
                field["x-kubernetes-int-or-string"],
                json!(true),
                "{kind} {quantity}"
            );
            assert!(
                field.get("type").is_none(),
                "{kind} {quantity}: int-or-string has no type"
            );
        }
        assert_eq!(
            figures["properties"]["allocatedPercent"]["format"], "int32",
            "{kind}"
        );
    }
}

fn enum_values(schema: &Value) -> Value {
    assert_eq!(schema["type"], "string");
    schema["enum"].clone()
}

#[test]
fn enums_use_the_names_of_the_contract() {
    let cin = schema_of("ClusterInsight");
    assert_eq!(
        enum_values(at(&cin, "status.source")),
        json!(["Direct", "ClusterProxy", "ClusterStatus"])
    );
    assert_eq!(
        enum_values(
            &at(&cin, "status.nodeDetails.items")["items"]["properties"]["problems"]["items"]
        ),
        json!([
            "NotReady",
            "MemoryPressure",
            "DiskPressure",
            "PIDPressure",
            "NetworkUnavailable",
            "Cordoned"
        ])
    );

    let wp = schema_of("WorkloadPlacement");
    let placement = at(&wp, "status.placement");
    assert_eq!(
        enum_values(&placement["properties"]["replicaScheduling"]),
        json!(["Divided", "Duplicated"])
    );
    assert_eq!(
        enum_values(&placement["properties"]["divisionPreference"]),
        json!(["Weighted", "Aggregated"])
    );
    assert_eq!(
        enum_values(&placement["properties"]["weighting"]),
        json!(["Static", "DynamicAvailableReplicas", "Equal", "None"])
    );
    assert_eq!(
        enum_values(&at(&wp, "status.clusters")["items"]["properties"]["health"]),
        json!(["Healthy", "Unhealthy", "Unknown"])
    );
}

#[test]
fn both_placement_kinds_share_one_status_schema() {
    let namespaced = schema_of("WorkloadPlacement");
    let cluster = schema_of("ClusterWorkloadPlacement");
    assert_eq!(at(&namespaced, "status"), at(&cluster, "status"));
}

#[test]
fn spec_is_an_empty_object() {
    for (kind, schema) in schemas() {
        let spec = at(&schema, "spec");
        assert_eq!(spec["type"], "object", "{kind}");
        let properties = spec.get("properties").and_then(Value::as_object);
        assert!(
            properties.is_none_or(|p| p.is_empty()),
            "{kind}: spec has fields"
        );
    }
}
