//! Karmada's general estimate (karmada-scheduler's built-in `GeneralEstimator`), from the
//! Cluster object alone: the free pod slots of `status.resourceSummary`, and then either the
//! cluster's resource models — when Karmada has counted its nodes per grade
//! (`resourceSummary.allocatableModelings`, which it does by default) — or else the summary's
//! free resources.
//!
//! karmada-scheduler always runs this estimator and takes the least of it and the accurate
//! one's (when karmada-scheduler-estimator is deployed), so a division by available replicas
//! follows this figure wherever only it runs.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use karmada_types::{AllocatableModeling, Cluster, ResourceModel, ResourceSummary};

use super::FitShape;
use crate::quantity::Amount;

impl FitShape {
    /// The general estimate for `cluster`; `None` when Karmada has reported no
    /// `resourceSummary` (the estimator then answers 0, which says nothing).
    pub fn in_cluster(&self, cluster: &Cluster) -> Option<u64> {
        let summary = cluster.status.resource_summary.as_ref()?;
        // `getAllowedPodNumber`.
        let pods = u64::try_from(free(summary, "pods").units_ceil()).unwrap_or(0);
        if pods == 0 || !self.required {
            return Some(pods);
        }
        if !summary.allocatable_modelings.is_empty()
            && let Some(modelled) = self.by_models(
                &cluster.spec.resource_models,
                &summary.allocatable_modelings,
            )
        {
            // Karmada adds up in int64 and wraps (a shape without positive requests overflows
            // on a cluster with two or more modelled nodes); a negative result is no room.
            return Some(pods.min(u64::try_from(modelled).unwrap_or(0)));
        }
        Some(self.in_summary(summary))
    }

    /// `getMaximumReplicasBasedOnResourceModels`: for the lowest grade whose lower bound covers
    /// every request and each grade above it, the grade's node count times the replicas its
    /// lower bound holds (at least 1). `None` when a request names a resource the models lack
    /// (Karmada then falls back to the summary); `Some(0)` when no grade is large enough.
    fn by_models(&self, models: &[ResourceModel], counts: &[AllocatableModeling]) -> Option<i64> {
        let mut lower_bounds: HashMap<&str, Vec<i128>> = HashMap::new();
        for range in models.iter().flat_map(|m| &m.ranges) {
            let amount = Amount::from_quantity(&range.min).unwrap_or(Amount::ZERO);
            let bound = if range.name == "cpu" {
                amount.milli()
            } else {
                amount.units_ceil()
            };
            lower_bounds.entry(&range.name).or_default().push(bound);
        }
        let mut first_grade = 0;
        for request in &self.requests {
            let bounds = lower_bounds.get(request.name.as_str())?;
            let Some(grade) = bounds.iter().position(|bound| *bound >= request.amount) else {
                return Some(0);
            };
            first_grade = first_grade.max(grade);
        }
        let per_node = |grade: usize| {
            let fit = self
                .requests
                .iter()
                .map(|r| {
                    let bound = lower_bounds[r.name.as_str()]
                        .get(grade)
                        .copied()
                        .unwrap_or(0);
                    i64::try_from(bound / r.amount).unwrap_or(i64::MAX)
                })
                .min()
                .unwrap_or(i64::MAX);
            // The first grade that fits is taken to hold one replica even when its lower bound
            // is below the request.
            fit.max(1)
        };
        let mut total = 0i64;
        for grade in first_grade..models.len() {
            let count = counts.get(grade).map_or(0, |c| c.count);
            if count != 0 {
                total = total.wrapping_add(count.wrapping_mul(per_node(grade)));
            }
        }
        Some(total)
    }

    /// `getMaximumReplicasBasedOnClusterSummary`, capped by the free pod slots: the member's
    /// free amount of each requested resource (allocatable − allocated − allocating) divided
    /// by the request.
    pub fn in_summary(&self, summary: &ResourceSummary) -> u64 {
        // Every request counts here, as in Karmada's general estimator; a resource the member
        // lacks is free 0, so it holds none.
        self.divide(false, |name, in_milli| {
            let free = free(summary, name);
            if in_milli {
                free.milli()
            } else {
                free.units_ceil()
            }
        })
    }
}

/// allocatable − allocated − allocating of one resource over the member.
fn free(summary: &ResourceSummary, name: &str) -> Amount {
    let amount = |map: &BTreeMap<String, Quantity>| {
        map.get(name)
            .and_then(|q| Amount::from_quantity(q).ok())
            .unwrap_or(Amount::ZERO)
    };
    amount(&summary.allocatable)
        .saturating_sub(amount(&summary.allocated))
        .saturating_sub(amount(&summary.allocating))
}
