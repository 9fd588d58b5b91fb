//! The GitOps health checks of `WorkloadPlacement` and `ClusterWorkloadPlacement`, run for real
//! so that tests can feed them the statuses karmada-manager writes:
//!
//! - [`argocd_health`]: Argo CD's verdict, from the shipped `examples/argocd` Lua script run the
//!   way Argo CD runs it.
//! - [`kstatus`]: Flux's verdict, from the kstatus Go library itself, built once into the cache
//!   by [`prepare`].

mod argocd;
mod kstatus;

use std::path::PathBuf;

pub use argocd::{argocd_health, argocd_script_path, run_health_script};
pub use kstatus::{checker_path, kstatus, prepare};

/// One health verdict. `status` is Argo CD's `Healthy`/`Progressing`/`Degraded`/... or
/// kstatus's `Current`/`InProgress`/`Failed`/...
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct Health {
    /// The verdict, spelled as the tool spells it.
    #[serde(default)]
    pub status: String,
    /// What the tool shows next to it; empty when the tool gives none.
    #[serde(default)]
    pub message: String,
}

/// The repository's `examples/` directory. Read at run time, so that the tests check the files
/// users copy, not a copy compiled into the binary.
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}
