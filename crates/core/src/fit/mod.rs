//! How many more replicas of a workload fit in a member now, by the arithmetic of Karmada's
//! estimators:
//! - **Accurate** (karmada-scheduler-estimator's node-resource plugin), from the member's nodes
//!   and pods in our index: every Ready node that the replica's node claim selects and whose
//!   taints and cordon it tolerates; per node, free = allocatable − requests of its
//!   non-terminal pods, and the node holds the minimum over the requested resources of
//!   ⌊free / request⌋, capped by its free pod slots; summed over the nodes.
//! - **General** (karmada-scheduler's built-in estimator), from the Cluster object alone, when
//!   the member's pods cannot be seen: the free pod slots of its `resourceSummary`, capping
//!   either its resource models (nodes counted per grade) or, without them, allocatable −
//!   allocated − allocating over the whole member with the same minimum (`general.rs`).
//!
//! Only the resources Karmada's estimators count are counted: cpu (in millicores), memory,
//! ephemeral-storage and the scalar resources (extended resources such as `nvidia.com/gpu`,
//! `hugepages-*`, `attachable-volumes-*`, `kubernetes.io/`-prefixed ones), each in whole units.

mod cache;
mod claim;
mod general;
mod headroom;
mod marks;
mod template;

pub use cache::FitCache;
pub use claim::Claim;
pub use headroom::{HEADROOM_LABEL_KEYS, HEADROOM_SHAPE_LIMIT, HeadroomFit, headroom};
pub use marks::FitMarks;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use karmada_types::ReplicaRequirements;

use crate::index::{ClusterIndex, ResourceTotals};
use crate::projection::SlimNode;
use crate::quantity::Amount;

/// One replica's shape: what it requests and where it may run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FitShape {
    /// The positive requests by name, in millicores for cpu and whole units for the rest.
    requests: Vec<Request>,
    /// Without a node claim: every node is selected and nothing is tolerated.
    claim: Claim,
    /// Made from `replicaRequirements` (as opposed to replicas without any, where only pod
    /// slots count): Karmada's general estimator then goes on to the resource models.
    required: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Request {
    name: String,
    amount: i128,
    /// Counted by the accurate estimator (the general one counts every request).
    counted: bool,
}

impl FitShape {
    /// The shape Karmada extracted into a binding's `replicaRequirements`; an error names the
    /// request that cannot be read.
    pub fn new(requirements: &ReplicaRequirements) -> Result<FitShape, String> {
        Ok(FitShape {
            requests: requests(&requirements.resource_request)?,
            claim: requirements
                .node_claim
                .as_ref()
                .map(Claim::new)
                .unwrap_or_default(),
            required: true,
        })
    }

    /// Why no node can match the node claim, whatever the member (an affinity that cannot be
    /// parsed).
    pub fn problem(&self) -> Option<&str> {
        self.claim.problem()
    }

    /// The node may take a replica at all: Ready, selected by the claim, taints and cordon
    /// tolerated.
    pub fn admits(&self, node: &SlimNode) -> bool {
        node.ready && self.claim.selects(node) && self.claim.tolerates(node)
    }

    /// Replicas that fit on `node`, whose non-terminal pods request `allocated`.
    pub fn on_node(&self, node: &SlimNode, allocated: Option<&ResourceTotals>) -> u64 {
        if !self.admits(node) {
            return 0;
        }
        let used = |name: &str| allocated.map_or(Amount::ZERO, |a| a.get(name));
        let free = |name: &str, in_milli: bool| {
            let allocatable = node.allocatable.get(name).unwrap_or(Amount::ZERO);
            if in_milli {
                allocatable.milli().saturating_sub(used(name).milli())
            } else {
                allocatable
                    .units_ceil()
                    .saturating_sub(used(name).units_ceil())
            }
        };
        self.divide(true, free)
    }

    /// Replicas that fit in the member, node by node (the accurate estimate).
    pub fn in_member(&self, index: &ClusterIndex) -> u64 {
        index
            .nodes()
            .map(|node| self.on_node(node, index.node_stats(node.name()).map(|s| &s.allocated)))
            .fold(0u64, u64::saturating_add)
    }

    /// The replicas `free` leaves room for: the free pod slots, and over the requests (only
    /// those the accurate estimator counts, when `counted_only`) the least ⌊free / request⌋.
    /// `free(name, in_milli)` is what is left of a resource, in millicores for cpu
    /// (`in_milli`) and whole units otherwise.
    fn divide(&self, counted_only: bool, free: impl Fn(&str, bool) -> i128) -> u64 {
        let mut fit = free("pods", false).max(0);
        for request in self.requests.iter().filter(|r| r.counted || !counted_only) {
            let name = &request.name;
            fit = fit.min(free(name, name == "cpu").max(0) / request.amount);
        }
        u64::try_from(fit).unwrap_or(0)
    }
}

/// The positive requests in the estimators' units.
fn requests(requests: &BTreeMap<String, Quantity>) -> Result<Vec<Request>, String> {
    let mut positive = Vec::new();
    for (name, quantity) in requests {
        let amount = Amount::from_quantity(quantity).map_err(|e| {
            format!(
                "replicaRequirements.resourceRequest[{name}] = {:?}: {e}",
                quantity.0
            )
        })?;
        let amount = if name == "cpu" {
            amount.milli()
        } else {
            amount.units_ceil()
        };
        if amount > 0 {
            positive.push(Request {
                name: name.clone(),
                amount,
                counted: counts(name),
            });
        }
    }
    Ok(positive)
}

/// cpu, memory, ephemeral-storage and the scalar resources (kube-scheduler's
/// `IsScalarResourceName`): extended, hugepages, attachable volumes, `kubernetes.io/`-prefixed.
fn counts(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage")
        || name.starts_with("hugepages-")
        || name.starts_with("attachable-volumes-")
        || name.contains("kubernetes.io/")
        || (name.contains('/') && !name.starts_with("requests."))
}

#[cfg(test)]
mod tests;
