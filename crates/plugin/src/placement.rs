//! A WorkloadPlacement or ClusterWorkloadPlacement as the commands use it: kind, name and status.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use karmada_manager_api::WorkloadPlacementStatus;

/// A WorkloadPlacement or ClusterWorkloadPlacement that has a status.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Placement {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    pub status: WorkloadPlacementStatus,
}

impl Placement {
    pub(crate) fn of(
        kind: &'static str,
        metadata: ObjectMeta,
        status: Option<WorkloadPlacementStatus>,
    ) -> Option<Placement> {
        Some(Placement {
            kind,
            namespace: metadata.namespace,
            name: metadata.name?,
            status: status?,
        })
    }

    /// `<kind>/<name>` as the object is addressed, e.g. `workloadplacement/web-deployment`.
    pub fn display(&self) -> String {
        format!("{}/{}", self.kind.to_lowercase(), self.name)
    }
}
