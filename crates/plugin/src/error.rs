//! The plugin's one error type, and the exit code of each kind, which scripts may rely on
//! (documented in docs/kubectl-plugin.md).

/// Everything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The kubeconfig cannot be loaded, or names no usable context.
    #[error("{0}")]
    Config(String),
    /// The hub does not serve karmada-manager's resources.
    #[error(
        "karmada-manager is not installed on this hub: it does not serve {0}. Install it with `helm install karmada-manager charts/karmada-manager` (see docs/install.md)"
    )]
    NotInstalled(String),
    /// A workload, cluster or node that does not exist (or has no status yet).
    #[error("{0}")]
    NotFound(String),
    /// The hub refused a request.
    #[error("forbidden: you cannot {verb} {resource} {place} ({message}); ask for that permission")]
    Forbidden {
        verb: &'static str,
        resource: String,
        /// `on the hub`, or `in cluster m1 through Karmada's cluster proxy (what to grant)`.
        place: String,
        message: String,
    },
    /// The hub, or a member through it, did not answer in time or could not be reached.
    #[error("{0}")]
    Unreachable(String),
    /// `wait` gave up: the condition did not hold within the timeout.
    #[error("{0}")]
    TimedOut(String),
    /// A command-line argument that cannot be used (beyond what the parser checks).
    #[error("{0}")]
    Usage(String),
    /// A manifest that cannot be read, or holds no workload to estimate.
    #[error("{0}")]
    Manifest(String),
    /// Anything else the API answered.
    #[error("{0}")]
    Api(String),
    /// Some of several requests failed while the others went on (`logs`); each failure was
    /// reported on stderr when it happened. The exit code is that of the first.
    #[error("{message}")]
    Partial {
        message: String,
        first: Box<PluginError>,
    },
}

impl PluginError {
    /// The process exit code: 1 for the unexpected, distinct codes for what a script may want to
    /// tell apart (2 is the parser's usage error).
    pub fn exit_code(&self) -> u8 {
        match self {
            PluginError::Api(_) => 1,
            PluginError::Usage(_) => 2,
            PluginError::NotFound(_) => 3,
            PluginError::NotInstalled(_) => 4,
            PluginError::Forbidden { .. } => 5,
            PluginError::Unreachable(_) | PluginError::Config(_) => 6,
            PluginError::TimedOut(_) => 7,
            PluginError::Partial { first, .. } => first.exit_code(),
            PluginError::Manifest(_) => 8,
        }
    }

    /// Maps a kube error of `verb` on `resource` of the hub to what the user needs to know.
    pub fn from_kube(error: kube::Error, verb: &'static str, resource: &str) -> PluginError {
        match error {
            kube::Error::Api(status) if status.code == 403 => PluginError::Forbidden {
                verb,
                resource: resource.to_owned(),
                place: "on the hub".to_owned(),
                message: status.message,
            },
            other => PluginError::other(other, verb, resource),
        }
    }

    /// Maps a kube error of `verb` on `resource` in member `cluster`, asked through Karmada's
    /// cluster proxy; `grants` says what the hub and the member must allow.
    pub fn from_proxy(
        error: kube::Error,
        cluster: &str,
        verb: &'static str,
        resource: &str,
        grants: &str,
    ) -> PluginError {
        match error {
            kube::Error::Api(status) if status.code == 403 => PluginError::Forbidden {
                verb,
                resource: resource.to_owned(),
                place: format!("in cluster {cluster} through Karmada's cluster proxy ({grants})"),
                message: status.message,
            },
            kube::Error::Api(status) if status.code >= 500 => PluginError::Unreachable(format!(
                "cluster {cluster} does not answer through Karmada's cluster proxy: {} ({})",
                status.message, status.code
            )),
            other => PluginError::other(other, verb, &format!("{resource} in cluster {cluster}")),
        }
    }

    /// Everything but a refusal.
    fn other(error: kube::Error, verb: &'static str, resource: &str) -> PluginError {
        match error {
            kube::Error::Api(status) if status.code == 404 => {
                PluginError::NotFound(format!("{resource} not found ({})", status.message))
            }
            kube::Error::Api(status) => PluginError::Api(format!(
                "{verb} {resource}: {} ({})",
                status.message, status.code
            )),
            kube::Error::HyperError(e) => {
                PluginError::Unreachable(format!("the hub is unreachable: {e}"))
            }
            kube::Error::Service(e) => {
                PluginError::Unreachable(format!("the hub is unreachable: {e}"))
            }
            other => PluginError::Api(format!("{verb} {resource}: {other}")),
        }
    }
}

pub type Result<T, E = PluginError> = std::result::Result<T, E>;
