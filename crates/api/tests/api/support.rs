//! Helpers shared by the test modules: access to the generated schemas and a schema walker.

use karmada_manager_api::crds;
use serde_json::Value;

/// `(kind, openAPIV3Schema as JSON)` for every CRD, in `crds()` order.
pub fn schemas() -> Vec<(String, Value)> {
    crds()
        .into_iter()
        .map(|crd| {
            let kind = crd.spec.names.kind.clone();
            let schema = crd.spec.versions[0]
                .schema
                .as_ref()
                .and_then(|validation| validation.open_api_v3_schema.as_ref())
                .map(|schema| serde_json::to_value(schema).unwrap())
                .unwrap_or_else(|| panic!("{kind}: no openAPIV3Schema"));
            (kind, schema)
        })
        .collect()
}

/// Calls `visit(path, schema)` for `schema` and every schema nested in it (properties, items,
/// additionalProperties and any combinator), depth first. Paths read like `status.nodes.total`,
/// with `[]` for list items and `{}` for map values.
pub fn walk(path: &str, schema: &Value, visit: &mut dyn FnMut(&str, &Value)) {
    visit(path, schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            let child = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            walk(&child, property, visit);
        }
    }
    if let Some(items) = schema.get("items") {
        walk(&format!("{path}[]"), items, visit);
    }
    if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        walk(&format!("{path}{{}}"), values, visit);
    }
    for combinator in ["anyOf", "oneOf", "allOf"] {
        if let Some(branches) = schema.get(combinator).and_then(Value::as_array) {
            for (i, branch) in branches.iter().enumerate() {
                walk(&format!("{path}<{combinator}{i}>"), branch, visit);
            }
        }
    }
}

/// The schema at a dotted path of property names, e.g. `status.clusters`.
pub fn at<'a>(schema: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(schema, |schema, name| {
        schema
            .get("properties")
            .and_then(|properties| properties.get(name))
            .unwrap_or_else(|| panic!("no property {name} on the way to {path}"))
    })
}

/// The schema of `kind`.
pub fn schema_of(kind: &str) -> Value {
    schemas()
        .into_iter()
        .find(|(k, _)| k == kind)
        .map(|(_, schema)| schema)
        .unwrap_or_else(|| panic!("no CRD for {kind}"))
}
