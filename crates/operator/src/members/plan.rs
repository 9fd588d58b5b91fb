//! How to reach a member, decided from the caches: `Direct` with the Cluster's endpoint and
//! Secret, else `ClusterProxy` through the hub when the connection mode allows it, else no
//! connection at all (the ClusterInsight then falls back to Karmada's `Cluster.status`). The
//! order and the modes are documented in docs/cluster-insight.md.

use super::{ConnectionError, direct_config, proxy_config};
use crate::cli::ConnectionMode;
use k8s_openapi::api::core::v1::Secret;
use karmada_manager_api::InsightSource;
use karmada_types::Cluster;
use kube::runtime::reflector::{ObjectRef, Store};
use std::collections::BTreeMap;

/// What planning needs besides the Cluster: the hub's own client configuration (the cluster
/// proxy reuses it), the connection mode and the Secrets Karmada keeps member credentials in.
pub struct Planner {
    pub hub_config: kube::Config,
    pub mode: ConnectionMode,
    /// Base URL of the cluster proxy, when not the hub's own.
    pub cluster_proxy_url: Option<http::Uri>,
    pub secrets: Store<Secret>,
}

/// A connection that can be made.
pub struct Plan {
    pub config: kube::Config,
    pub source: InsightSource,
    /// Headers for the HTTP CONNECT to the Cluster's own `spec.proxyURL`.
    pub proxy_headers: BTreeMap<String, String>,
}

impl Planner {
    /// How to reach member `name` under the configured connection mode.
    pub fn plan(&self, cluster: &Cluster, name: &str) -> Result<Plan, ConnectionError> {
        let proxy = || {
            proxy_config(&self.hub_config, self.cluster_proxy_url.as_ref(), name).map(|config| {
                Plan {
                    config,
                    source: InsightSource::ClusterProxy,
                    // Proxy headers belong to the Cluster's own proxyURL, not to the hub's proxy.
                    proxy_headers: BTreeMap::new(),
                }
            })
        };
        if self.mode == ConnectionMode::Proxy {
            return proxy();
        }
        let secret = cluster.spec.secret_ref.as_ref().and_then(|r| {
            self.secrets
                .get(&ObjectRef::new(&r.name).within(&r.namespace))
        });
        match direct_config(&cluster.spec, secret.as_deref()) {
            Ok(config) => Ok(Plan {
                config,
                source: InsightSource::Direct,
                proxy_headers: cluster.spec.proxy_header.clone(),
            }),
            Err(_) if self.mode == ConnectionMode::DirectThenProxy => proxy(),
            Err(problem) => Err(problem),
        }
    }
}
