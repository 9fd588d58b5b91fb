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
    #[error(
        "forbidden: you cannot {verb} {resource} on the hub ({message}); ask for that permission"
    )]
    Forbidden {
        verb: &'static str,
        resource: String,
        message: String,
    },
    /// The hub did not answer in time, or could not be reached.
    #[error("the hub is unreachable: {0}")]
    Unreachable(String),
    /// `wait` gave up: the condition did not hold within the timeout.
    #[error("{0}")]
    TimedOut(String),
    /// A command-line argument that cannot be used (beyond what the parser checks).
    #[error("{0}")]
    Usage(String),
    /// Anything else the API answered.
    #[error("{0}")]
    Api(String),
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
        }
    }

    /// Maps a kube error of `verb` on `resource` to what the user needs to know.
    pub fn from_kube(error: kube::Error, verb: &'static str, resource: &str) -> PluginError {
        match error {
            kube::Error::Api(status) if status.code == 403 => PluginError::Forbidden {
                verb,
                resource: resource.to_owned(),
                message: status.message,
            },
            kube::Error::Api(status) if status.code == 404 => {
                PluginError::NotFound(format!("{resource} not found ({})", status.message))
            }
            kube::Error::Api(status) => PluginError::Api(format!(
                "{verb} {resource}: {} ({})",
                status.message, status.code
            )),
            kube::Error::HyperError(e) => PluginError::Unreachable(e.to_string()),
            kube::Error::Service(e) => PluginError::Unreachable(e.to_string()),
            other => PluginError::Api(format!("{verb} {resource}: {other}")),
        }
    }
}

pub type Result<T, E = PluginError> = std::result::Result<T, E>;
