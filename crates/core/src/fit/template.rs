//! The shape of one replica of a workload that does not exist yet, from its pod template, as
//! Karmada extracts a binding's `replicaRequirements` (`GenerateReplicaRequirements`):
//!
//! - requests: the sum over the containers, raised to the largest init container's, plus the
//!   pod overhead; a container's limit stands in for a request it does not set (the API server
//!   defaults that only for pods, not for templates, so Karmada does it itself);
//! - the node claim: the template's node selector, required node affinity and tolerations.
//!
//! Karmada counts only cpu, memory, ephemeral-storage, pods and the scalar resources.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use karmada_types::{NodeClaim, ReplicaRequirements};

use super::{FitShape, counts};
use crate::quantity::{Amount, Format};

impl FitShape {
    /// The shape Karmada would extract from a pod template; an error names the request that
    /// cannot be read.
    pub fn from_template(spec: &PodSpec) -> Result<FitShape, String> {
        let mut requests: BTreeMap<String, Amount> = BTreeMap::new();
        for container in &spec.containers {
            for (name, amount) in effective(container)? {
                let sum = requests.entry(name).or_insert(Amount::ZERO);
                *sum = sum.saturating_add(amount);
            }
        }
        for container in spec.init_containers.iter().flatten() {
            for (name, amount) in effective(container)? {
                let floor = requests.entry(name).or_insert(Amount::ZERO);
                *floor = (*floor).max(amount);
            }
        }
        for (name, quantity) in spec.overhead.iter().flatten() {
            let sum = requests.entry(name.clone()).or_insert(Amount::ZERO);
            *sum = sum.saturating_add(read(name, quantity, "overhead")?);
        }
        let resource_request = requests
            .into_iter()
            .filter(|(name, _)| name == "pods" || counts(name))
            .map(|(name, amount)| {
                let quantity = amount.to_quantity(Format::for_resource(&name));
                (name, quantity)
            })
            .collect();
        let affinity = spec
            .affinity
            .as_ref()
            .and_then(|a| a.node_affinity.as_ref());
        let node_claim = NodeClaim {
            hard_node_affinity: affinity.and_then(|a| {
                a.required_during_scheduling_ignored_during_execution
                    .clone()
            }),
            node_selector: spec.node_selector.clone().unwrap_or_default(),
            tolerations: spec.tolerations.clone().unwrap_or_default(),
        };
        FitShape::new(&ReplicaRequirements {
            node_claim: Some(node_claim),
            resource_request,
            ..ReplicaRequirements::default()
        })
    }
}

/// A container's requests, with its limits standing in for the requests it does not set.
fn effective(container: &Container) -> Result<BTreeMap<String, Amount>, String> {
    let resources = container.resources.as_ref();
    let mut effective = BTreeMap::new();
    let requests = resources.and_then(|r| r.requests.as_ref());
    let limits = resources.and_then(|r| r.limits.as_ref());
    for (source, list) in [("requests", requests), ("limits", limits)] {
        for (name, quantity) in list.into_iter().flatten() {
            if !effective.contains_key(name) {
                let what = format!("container {:?} {source}", container.name);
                effective.insert(name.clone(), read(name, quantity, &what)?);
            }
        }
    }
    Ok(effective)
}

fn read(name: &str, quantity: &Quantity, what: &str) -> Result<Amount, String> {
    Amount::from_quantity(quantity).map_err(|e| format!("{what}[{name}] = {:?}: {e}", quantity.0))
}
