//! Scenario 5, continued: `kubectl karmada-insight fit -f` on a manifest of all the shapes, as
//! if none were applied. For a shape that selects nodes only by published labels, each
//! cluster's what-if must equal karmada-scheduler-estimator's answer for the binding Karmada
//! made of the same template; for one that selects by another label, there is no accurate
//! figure, the note names the label, and Karmada's general estimate stands in.

use crate::fleet::{Fleet, WAIT};
use crate::support::{self, eventually};
use anyhow::{Context, Result, ensure};
use kube::api::{Api, DynamicObject};
use serde_json::Value;
use testenv::estimator::Estimator;

/// The labels of the shapes' node claims that the headroom does not publish.
const UNPUBLISHED: [&str; 3] = ["disktype", "generation", "accelerator"];

/// `(shape, deployment manifest)` of every shape; `bindings` holds Karmada's binding of each.
pub async fn check(
    fleet: &Fleet,
    shapes: &[(&str, Value)],
    bindings: &Api<DynamicObject>,
    estimators: &[Estimator],
) -> Result<()> {
    let manifest = fleet.env.dir().join("shapes.yaml");
    let documents: Vec<String> = shapes
        .iter()
        .map(|(_, d)| serde_yaml_ng::to_string(d))
        .collect::<Result<_, _>>()?;
    std::fs::write(&manifest, documents.join("---\n"))?;
    let plugin = tokio::task::spawn_blocking(support::plugin_binary).await??;
    let run = || -> Result<Vec<Value>> {
        let output = std::process::Command::new(&plugin)
            .arg("fit")
            .arg("-f")
            .arg(&manifest)
            .args(["-o", "json", "--kubeconfig"])
            .arg(fleet.env.hub().kubeconfig())
            .output()?;
        ensure!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(serde_json::from_slice(&output.stdout)?)
    };
    let mut checked = 0;
    for (name, _) in shapes {
        let workload = format!("deployment/{name}");
        let binding = bindings.get(&format!("{name}-deployment")).await?;
        let requirements = binding.data["spec"]["replicaRequirements"].clone();
        let selects_unpublished = UNPUBLISHED
            .iter()
            .any(|label| requirements["nodeClaim"].to_string().contains(label));
        for (member, estimator) in ["m1", "m2"].iter().zip(estimators) {
            eventually(
                &format!("the what-if of {name} on {member}"),
                WAIT,
                || async {
                    let rows = run()?;
                    let row = rows
                        .into_iter()
                        .find(|r| r["workload"] == workload.as_str() && r["cluster"] == *member)
                        .context("no row")?;
                    Ok((row, estimator.max_replicas(&requirements).await?))
                },
                |(row, theirs)| {
                    if selects_unpublished {
                        row["estimator"] == "General"
                            && row["general"].is_u64()
                            && UNPUBLISHED
                                .iter()
                                .any(|l| row["note"].as_str().unwrap_or_default().contains(l))
                    } else {
                        row["estimator"] == "Accurate"
                            && row["atLeast"] == false
                            && row["fitReplicas"].as_i64() == Some(*theirs)
                    }
                },
            )
            .await?;
            checked += usize::from(!selects_unpublished);
        }
    }
    eprintln!(
        "scenario 5: fit -f equals karmada-scheduler-estimator on {checked} shape×cluster pairs; shapes on unpublished labels fall back to the general estimate"
    );
    Ok(())
}
