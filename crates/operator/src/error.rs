//! The crate's one error type. Errors about a member's configuration are a separate enum
//! ([`crate::members::ConnectionError`]) because they end up as conditions on that member's
//! ClusterInsight, not as process failures.

use crate::members::ConnectionError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read the hub kubeconfig: {0}")]
    Kubeconfig(#[from] kube::config::KubeconfigError),

    #[error(
        "cannot find hub credentials (no --kubeconfig, $KUBECONFIG, ~/.kube/config or in-cluster service account): {0}"
    )]
    InferConfig(#[from] kube::config::InferConfigError),

    #[error("hub API request failed: {0}")]
    Kube(#[from] kube::Error),

    #[error(
        "the hub does not serve {kind} ({group}); install karmada-manager's CRDs first: `karmada-manager crds | kubectl apply --server-side -f -`"
    )]
    CrdMissing { kind: String, group: String },

    #[error(transparent)]
    Connection(#[from] ConnectionError),

    #[error("cannot render YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),

    #[error("the hub caches could not be filled before shutdown")]
    CachesNotReady,

    #[error("cannot install signal handlers: {0}")]
    Signal(#[source] std::io::Error),

    #[error("cannot listen on the admin address {address}: {source}")]
    AdminBind {
        address: std::net::SocketAddr,
        source: std::io::Error,
    },

    #[error("lost the leader lease; exiting so that no stale replica writes")]
    LeadershipLost,

    #[error(
        "could not renew this replica's shard lease in time; exiting so that no stale replica writes"
    )]
    ShardLeaseLost,

    #[error("leader election settings cannot keep a single writer: {0}")]
    LeaderElectionSettings(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
