//! The workloads of a manifest file for `fit -f`: each Deployment, StatefulSet, ReplicaSet,
//! Job or Pod in it, with its pod template and replica count. Other kinds (Services,
//! ConfigMaps, Karmada policies) are skipped; a document that cannot be read is an error naming
//! the document and the field.

use crate::error::{PluginError, Result};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Pod, PodSpec};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::io::Read;
use std::path::Path;

/// One workload of the manifest.
#[derive(Debug)]
pub struct Template {
    /// `deployment/web`, as the other commands name workloads.
    pub workload: String,
    /// Replicas the manifest asks for (Karmada's view: `parallelism` for a Job, 1 for a Pod).
    pub replicas: i32,
    pub spec: PodSpec,
}

/// The workloads of `path` (`-`: standard input), in file order.
pub fn read(path: &Path) -> Result<Vec<Template>> {
    parse(&load(path)?, &path.display().to_string())
}

/// The workloads of `text`, whose errors name it `shown`.
fn parse(text: &str, shown: &str) -> Result<Vec<Template>> {
    let mut templates = Vec::new();
    let mut skipped = Vec::new();
    for (i, document) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let value = serde_json::Value::deserialize(document)
            .map_err(|e| PluginError::Manifest(format!("{shown}: document {}: {e}", i + 1)))?;
        if value.is_null() {
            continue;
        }
        let kind = value["kind"].as_str().unwrap_or_default().to_owned();
        let at =
            |e: String| PluginError::Manifest(format!("{shown}: document {} ({kind}): {e}", i + 1));
        match template(&kind, value).map_err(at)? {
            Some(template) => templates.push(template),
            None if kind.is_empty() => return Err(at("no kind".into())),
            None => skipped.push(kind),
        }
    }
    if templates.is_empty() {
        let found = if skipped.is_empty() {
            "nothing".to_owned()
        } else {
            skipped.join(", ")
        };
        return Err(PluginError::Manifest(format!(
            "{shown} holds no Deployment, StatefulSet, ReplicaSet, Job or Pod (found {found})"
        )));
    }
    Ok(templates)
}

fn load(path: &Path) -> Result<String> {
    let mut text = String::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    read.map_err(|e| PluginError::Manifest(format!("cannot read {}: {e}", path.display())))?;
    Ok(text)
}

/// The workload of one document; `None` for a kind without a pod template to estimate.
fn template(kind: &str, value: serde_json::Value) -> Result<Option<Template>, String> {
    let name = value["metadata"]["name"]
        .as_str()
        .unwrap_or("(unnamed)")
        .to_owned();
    let (replicas, spec) = match kind {
        "Deployment" => {
            let spec = typed::<Deployment>(value)?.spec.unwrap_or_default();
            (spec.replicas.unwrap_or(1), spec.template.spec)
        }
        "StatefulSet" => {
            let spec = typed::<StatefulSet>(value)?.spec.unwrap_or_default();
            (spec.replicas.unwrap_or(1), spec.template.spec)
        }
        "ReplicaSet" => {
            let spec = typed::<ReplicaSet>(value)?.spec.unwrap_or_default();
            (
                spec.replicas.unwrap_or(1),
                spec.template.and_then(|t| t.spec),
            )
        }
        "Job" => {
            let spec = typed::<Job>(value)?.spec.unwrap_or_default();
            (spec.parallelism.unwrap_or(1), spec.template.spec)
        }
        "Pod" => (1, typed::<Pod>(value)?.spec),
        _ => return Ok(None),
    };
    let spec = spec.ok_or_else(|| "no pod template (spec.template.spec)".to_owned())?;
    Ok(Some(Template {
        workload: format!("{}/{name}", kind.to_lowercase()),
        replicas,
        spec,
    }))
}

/// The document as `K`; the error names the field that does not fit.
fn typed<K: DeserializeOwned>(value: serde_json::Value) -> Result<K, String> {
    serde_path_to_error::deserialize(value).map_err(|e| match e.path().to_string().as_str() {
        "." => e.inner().to_string(),
        path => format!("{path}: {}", e.inner()),
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn workloads_are_read_and_other_kinds_skipped() {
        let text = "kind: Service\nmetadata: {name: web}\n---\n\
            kind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  selector: {}\n  \
            template:\n    spec:\n      containers: [{name: app}]\n---\n\
            kind: Job\nmetadata: {name: once}\nspec:\n  template:\n    spec:\n      \
            containers: [{name: app}]\n";
        let templates = parse(text, "f.yaml").expect("readable");
        let read: Vec<(&str, i32)> = templates
            .iter()
            .map(|t| (t.workload.as_str(), t.replicas))
            .collect();
        assert_eq!(read, [("deployment/web", 3), ("job/once", 1)]);
    }

    #[test]
    fn errors_name_the_document_and_the_field() {
        let error = parse(
            "kind: Pod\n---\nkind: Deployment\nspec: {replicas: x}\n",
            "f.yaml",
        )
        .expect_err("a mistyped field")
        .to_string();
        assert!(error.contains("f.yaml: document 1 (Pod)"), "{error}");
        let error = parse("kind: Deployment\nspec: {replicas: x}\n", "f.yaml")
            .expect_err("a mistyped field")
            .to_string();
        assert!(
            error.contains("document 1 (Deployment): spec.replicas"),
            "{error}"
        );
        let error = parse("kind: ConfigMap\n", "f.yaml")
            .expect_err("no workload")
            .to_string();
        assert!(error.contains("(found ConfigMap)"), "{error}");
    }
}
