//! The hub connection and every read the commands make: karmada-manager's custom resources,
//! nothing else. Each request is bounded by `--request-timeout`.

use crate::cli::Global;
use crate::error::{PluginError, Result};
pub use crate::placement::Placement;
use crate::workload::WorkloadRef;
use karmada_manager_api::{
    ClusterInsight, ClusterWorkloadPlacement, FLEET_INSIGHT_NAME, FleetInsight, WorkloadPlacement,
};
use kube::Resource;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde::de::DeserializeOwned;

/// A client for the hub, and the namespace the command works in (`None`: every namespace).
pub struct Hub {
    pub client: kube::Client,
    pub namespace: Option<String>,
    /// The connection settings, for clients of members through Karmada's cluster proxy.
    config: kube::Config,
}

impl Hub {
    pub async fn connect(global: &Global) -> Result<Hub> {
        let options = KubeConfigOptions {
            context: global.context.clone(),
            ..KubeConfigOptions::default()
        };
        let loaded = match &global.kubeconfig {
            Some(path) => {
                let kubeconfig = Kubeconfig::read_from(path).map_err(|e| {
                    PluginError::Config(format!("cannot read kubeconfig {}: {e}", path.display()))
                })?;
                kube::Config::from_custom_kubeconfig(kubeconfig, &options).await
            }
            None => kube::Config::from_kubeconfig(&options).await,
        };
        let mut config =
            loaded.map_err(|e| PluginError::Config(format!("cannot use the kubeconfig: {e}")))?;
        config.connect_timeout = Some(global.request_timeout);
        config.read_timeout = Some(global.request_timeout);
        config.write_timeout = Some(global.request_timeout);
        let namespace = if global.all_namespaces {
            None
        } else {
            Some(
                global
                    .namespace
                    .clone()
                    .unwrap_or_else(|| config.default_namespace.clone()),
            )
        };
        let client = kube::Client::try_from(config.clone())
            .map_err(|e| PluginError::Config(format!("cannot build a client: {e}")))?;
        Ok(Hub {
            client,
            namespace,
            config,
        })
    }

    /// A client for watches: the same connection settings without the read timeout, which
    /// would cut a quiet watch (the watch requests carry their own server-side timeout).
    pub fn watch_client(&self) -> Result<kube::Client> {
        client(self.config.clone(), Reads::Streamed)
    }

    /// A client of member `cluster` through Karmada's cluster proxy
    /// (`<hub>/apis/cluster.karmada.io/v1alpha1/clusters/<cluster>/proxy`), with the user's own
    /// hub credentials: Karmada impersonates the user in the member.
    pub fn member_client(&self, cluster: &str) -> Result<kube::Client> {
        client(self.member_config(cluster)?, Reads::Bounded)
    }

    /// [`Hub::member_client`] without the read timeout, for a stream that may stay silent for
    /// as long as it is followed (`logs -f`); connecting is still bounded.
    pub fn member_stream_client(&self, cluster: &str) -> Result<kube::Client> {
        client(self.member_config(cluster)?, Reads::Streamed)
    }

    fn member_config(&self, cluster: &str) -> Result<kube::Config> {
        let mut config = self.config.clone();
        let hub = self.config.cluster_url.to_string();
        let url = format!(
            "{}/apis/cluster.karmada.io/v1alpha1/clusters/{cluster}/proxy",
            hub.trim_end_matches('/')
        );
        config.cluster_url = url
            .parse()
            .map_err(|e| PluginError::Usage(format!("{cluster:?} is not a cluster name: {e}")))?;
        Ok(config)
    }

    /// Fails with "not found" unless karmada-manager knows Cluster `cluster`.
    pub async fn require_cluster(&self, cluster: &str) -> Result<()> {
        match Api::<ClusterInsight>::all(self.client.clone())
            .get(cluster)
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Err(no_cluster(cluster)),
            Err(other) => Err(PluginError::from_kube(other, "get", "clusterinsights")),
        }
    }

    /// Every ClusterInsight, by name.
    pub async fn insights(&self) -> Result<Vec<ClusterInsight>> {
        let mut insights = list(Api::<ClusterInsight>::all(self.client.clone())).await?;
        insights.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        Ok(insights)
    }

    /// Karmada's Clusters, for the general estimate of a what-if.
    pub async fn karmada_clusters(&self) -> Result<Vec<karmada_types::Cluster>> {
        list(Api::<karmada_types::Cluster>::all(self.client.clone())).await
    }

    /// The fleet's summary.
    pub async fn fleet(&self) -> Result<FleetInsight> {
        Api::<FleetInsight>::all(self.client.clone())
            .get(FLEET_INSIGHT_NAME)
            .await
            .map_err(|e| match e {
                kube::Error::Api(s) if s.code == 404 => PluginError::NotFound(format!(
                    "FleetInsight {FLEET_INSIGHT_NAME} not found: is karmada-manager running? (it creates it at start)"
                )),
                other => PluginError::from_kube(other, "get", "fleetinsights"),
            })
    }

    /// How the lookup's namespace reads in a message.
    pub fn scope(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("namespace {ns}"),
            None => "every namespace".to_owned(),
        }
    }

    /// The placement of workload `<kind>/<name>` (see [`WorkloadRef`]).
    pub async fn workload(&self, workload: &str) -> Result<Placement> {
        let wanted = WorkloadRef::parse(workload)?;
        let placements = self.placements().await?;
        wanted.find(&placements, &self.scope()).cloned()
    }

    /// The placements of the command's namespace (every namespace with `-A`), then the
    /// cluster-scoped ones.
    pub async fn placements(&self) -> Result<Vec<Placement>> {
        self.placements_in(self.namespace.as_deref()).await
    }

    /// The placements of `namespace` (`None`: every namespace), then the cluster-scoped ones.
    pub async fn placements_in(&self, namespace: Option<&str>) -> Result<Vec<Placement>> {
        let namespaced = match namespace {
            Some(ns) => Api::<WorkloadPlacement>::namespaced(self.client.clone(), ns),
            None => Api::<WorkloadPlacement>::all(self.client.clone()),
        };
        let mut found: Vec<Placement> = list(namespaced)
            .await?
            .into_iter()
            .filter_map(|p| Placement::of("WorkloadPlacement", p.metadata, p.status))
            .collect();
        let cluster_wide = list(Api::<ClusterWorkloadPlacement>::all(self.client.clone())).await?;
        found.extend(
            cluster_wide
                .into_iter()
                .filter_map(|p| Placement::of("ClusterWorkloadPlacement", p.metadata, p.status)),
        );
        Ok(found)
    }
}

/// Whether a client's reads are bounded by `--request-timeout`, or may wait as long as a
/// stream stays open.
enum Reads {
    Bounded,
    Streamed,
}

fn client(mut config: kube::Config, reads: Reads) -> Result<kube::Client> {
    if matches!(reads, Reads::Streamed) {
        config.read_timeout = None;
    }
    kube::Client::try_from(config)
        .map_err(|e| PluginError::Config(format!("cannot build a client: {e}")))
}

/// The error for a cluster karmada-manager does not know.
pub fn no_cluster(cluster: &str) -> PluginError {
    PluginError::NotFound(format!(
        "no cluster {cluster}: karmada-manager has no ClusterInsight of that name (kubectl get clusterinsights)"
    ))
}

/// Lists everything `api` serves; a 404 means the hub does not know the resource at all.
async fn list<K>(api: Api<K>) -> Result<Vec<K>>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    let plural = K::plural(&()).to_string();
    match api.list(&ListParams::default()).await {
        Ok(list) => Ok(list.items),
        Err(kube::Error::Api(status)) if status.code == 404 => Err(PluginError::NotInstalled(
            format!("{plural}.{}", K::group(&())),
        )),
        Err(other) => Err(PluginError::from_kube(other, "list", &plural)),
    }
}
