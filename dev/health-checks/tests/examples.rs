//! The copy-paste examples stay consistent with the script and the API they describe.

mod common;

use std::collections::BTreeSet;

use common::{fixture, load};
use health_checks::{argocd_script_path, examples_dir, kstatus};

const KEY_PREFIX: &str = "resource.customizations.health.insight.karmada-manager.io_";

#[test]
fn argocd_configmap_embeds_the_script_verbatim() {
    let script = std::fs::read_to_string(argocd_script_path()).expect("the script");
    let configmap = load("examples/argocd/argocd-cm.yaml");
    assert_eq!(configmap["kind"], "ConfigMap");
    assert_eq!(configmap["metadata"]["name"], "argocd-cm");
    let data = configmap["data"].as_object().expect("data");
    let keys: BTreeSet<&str> = data.keys().map(String::as_str).collect();
    let wanted: BTreeSet<String> = ["WorkloadPlacement", "ClusterWorkloadPlacement"]
        .iter()
        .map(|kind| format!("{KEY_PREFIX}{kind}"))
        .collect();
    assert_eq!(keys, wanted.iter().map(String::as_str).collect());
    for key in &wanted {
        assert!(
            data[key].as_str() == Some(script.as_str()),
            "{key} in argocd-cm.yaml differs from health-workloadplacement.lua; re-embed the \
             script (indented by 4 spaces under `{key}: |`)"
        );
    }
}

/// The Flux example names an object shaped like the API fixture, and kstatus reads that
/// fixture as Flux would.
#[test]
fn flux_kustomization_health_checks_the_workload_placement() {
    let kustomization = load("examples/flux/kustomization.yaml");
    assert_eq!(
        kustomization["apiVersion"],
        "kustomize.toolkit.fluxcd.io/v1"
    );
    assert_eq!(kustomization["kind"], "Kustomization");
    let spec = &kustomization["spec"];
    assert_eq!(spec["wait"], false);
    let checks = spec["healthChecks"].as_array().expect("healthChecks");
    assert_eq!(checks.len(), 1);
    let placement = load("crates/api/tests/fixtures/workload_placement.yaml");
    for field in ["apiVersion", "kind"] {
        assert_eq!(checks[0][field], placement[field], "{field}");
    }
    for field in ["name", "namespace"] {
        assert_eq!(checks[0][field], placement["metadata"][field], "{field}");
    }
    let ready = kstatus(&fixture("ready.yaml")).expect("kstatus");
    assert_eq!(ready.status, "Current");
}

#[test]
fn examples_are_documented() {
    let readme = std::fs::read_to_string(examples_dir().join("README.md")).expect("README");
    for file in [
        "argocd/health-workloadplacement.lua",
        "argocd/argocd-cm.yaml",
        "flux/kustomization.yaml",
        "kubectl.md",
    ] {
        assert!(examples_dir().join(file).is_file(), "{file} is missing");
        assert!(
            readme.contains(file),
            "examples/README.md does not mention {file}"
        );
    }
}
