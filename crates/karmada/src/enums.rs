//! Every Karmada string enum the operator reads, each with an `Other(String)` fallback.
//!
//! Values and their spelling follow Karmada's Go API (v1.17–v1.19). Defaults, where a type has
//! one, are the defaults Karmada's CRDs apply at admission, so an object that omits the field
//! means the same thing here as it does to Karmada.

use crate::open_enum::open_enum;

open_enum! {
    /// `Cluster.spec.syncMode`: who pushes Works to the member.
    pub enum SyncMode {
        /// The Karmada control plane talks to the member's API server.
        Push => "Push",
        /// `karmada-agent` inside the member pulls from the control plane; the member's API
        /// server may not be reachable from the hub at all.
        Pull => "Pull",
    }
}

open_enum! {
    /// `aggregatedStatus[].health`: Karmada's verdict on the copy in one member.
    pub enum ResourceHealth {
        /// The interpreter judged the resource healthy.
        Healthy => "Healthy",
        /// The interpreter judged the resource unhealthy.
        Unhealthy => "Unhealthy",
        /// Karmada cannot tell (no interpreter, or no status collected yet).
        Unknown => "Unknown",
    }
}

open_enum! {
    /// How Karmada removes a workload from a cluster it is evicting it from.
    pub enum PurgeMode {
        /// Remove at once.
        Directly => "Directly",
        /// Wait until the workload is healthy elsewhere (or a timeout) before removing it.
        Gracefully => "Gracefully",
        /// Never remove; a human cleans up.
        Never => "Never",
        /// Pre-v1.18 spelling of `Directly`, still accepted by v1.17.
        Immediately => "Immediately",
        /// Pre-v1.18 spelling of `Gracefully`, still accepted by v1.17.
        Graciously => "Graciously",
    }
}

open_enum! {
    /// `spec.conflictResolution`: what to do when the resource already exists in a member.
    #[derive(Default)]
    pub enum ConflictResolution {
        /// Stop propagating (Karmada's default).
        #[default]
        Abort => "Abort",
        /// Take the existing resource over.
        Overwrite => "Overwrite",
    }
}

open_enum! {
    /// `spec.preemption` of a propagation policy.
    #[derive(Default)]
    pub enum PreemptionBehavior {
        /// The policy may take resources over from lower-priority policies.
        Always => "Always",
        /// It may not (Karmada's default).
        #[default]
        Never => "Never",
    }
}

open_enum! {
    /// `placement.replicaScheduling.replicaSchedulingType`.
    #[derive(Default)]
    pub enum ReplicaSchedulingType {
        /// Every selected cluster runs the full replica count.
        Duplicated => "Duplicated",
        /// The replica count is split between clusters (Karmada's default when
        /// `replicaScheduling` is present but the type is not).
        #[default]
        Divided => "Divided",
    }
}

open_enum! {
    /// `placement.replicaScheduling.replicaDivisionPreference` (only meaningful when Divided).
    pub enum ReplicaDivisionPreference {
        /// Pack replicas into as few clusters as capacity allows.
        Aggregated => "Aggregated",
        /// Split by `weightPreference`.
        Weighted => "Weighted",
    }
}

open_enum! {
    /// `weightPreference.dynamicWeight`: a weight computed by the scheduler at run time.
    pub enum DynamicWeightFactor {
        /// Weight each cluster by how many replicas it can still take.
        AvailableReplicas => "AvailableReplicas",
    }
}

open_enum! {
    /// `spreadConstraints[].spreadByField`: the cluster property groups are formed by.
    /// Karmada spells these in lower case.
    pub enum SpreadByField {
        /// One group per cluster.
        Cluster => "cluster",
        /// Group by `spec.region`.
        Region => "region",
        /// Group by `spec.zone`/`spec.zones`.
        Zone => "zone",
        /// Group by `spec.provider`.
        Provider => "provider",
    }
}

open_enum! {
    /// `metav1.Condition.status`.
    #[derive(Default)]
    pub enum ConditionStatus {
        /// The condition holds.
        True => "True",
        /// The condition does not hold.
        False => "False",
        /// Unknown; also what an absent status means here.
        #[default]
        Unknown => "Unknown",
    }
}

open_enum! {
    /// The effect of a taint on a Karmada `Cluster` (same values as a Node taint).
    #[derive(Default)]
    pub enum TaintEffect {
        /// New workloads are not scheduled to the cluster unless they tolerate the taint.
        #[default]
        NoSchedule => "NoSchedule",
        /// The scheduler avoids the cluster if it can.
        PreferNoSchedule => "PreferNoSchedule",
        /// Workloads that do not tolerate the taint are evicted.
        NoExecute => "NoExecute",
    }
}
