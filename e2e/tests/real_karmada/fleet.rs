//! The fleet every real-Karmada scenario shares: the hub with Karmada's own control plane, two
//! members whose pods kube-scheduler places and kwok runs, and karmada-manager watching it all.

use crate::support::{self, Operator};
use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::Node;
use karmada_manager_api::{ClusterInsight, WorkloadPlacement, WorkloadPlacementStatus};
use kube::api::Api;
use serde_json::Value;
use std::time::Duration;
use testenv::nodes::{NodeBuilder, node};
use testenv::{EnvOptions, Environment, bulk};

/// Karmada reconciles in seconds, its cluster status every 10 s, kube's pod GC after 40 s of
/// quarantine: generous bounds on hangs, not speed assertions.
pub const WAIT: Duration = Duration::from_secs(120);

pub struct Fleet {
    pub env: Environment,
    pub hub: kube::Client,
    /// Kept so that the operator runs as long as the fleet (killed on drop).
    _operator: Operator,
}

/// The nodes of each member: m1 three 4-CPU nodes, m2 two 8-CPU ones.
pub fn member_nodes(member: &str) -> Vec<NodeBuilder> {
    let (count, cpu, memory) = match member {
        "m1" => (3, "4", "16Gi"),
        _ => (2, "8", "32Gi"),
    };
    (1..=count)
        .map(|i| {
            node(&format!("{member}-node-{i}"))
                .cpu(cpu)
                .memory(memory)
                .max_pods(110)
                .zone(&format!("{member}-zone-a"))
        })
        .collect()
}

impl Fleet {
    pub async fn start() -> Result<Self> {
        let env = Environment::start(EnvOptions {
            crds: karmada_manager_api::crds(),
            karmada: true,
            ..EnvOptions::members(&["m1", "m2"])
        })
        .await?;
        for member in env.members() {
            bulk::create_nodes(&member.client().await?, &member_nodes(member.name())).await?;
        }
        let hub = env.hub().client().await?;
        let operator = start_operator(&env).await?;
        Ok(Self {
            env,
            hub,
            _operator: operator,
        })
    }

    pub async fn member(&self, name: &str) -> Result<kube::Client> {
        self.env.member(name).client().await
    }

    pub async fn placement(&self, namespace: &str, name: &str) -> Result<WorkloadPlacement> {
        Ok(Api::namespaced(self.hub.clone(), namespace)
            .get(name)
            .await?)
    }

    pub async fn placement_status(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<WorkloadPlacementStatus> {
        self.placement(namespace, name)
            .await?
            .status
            .context("no status yet")
    }

    pub async fn insight(&self, cluster: &str) -> Result<ClusterInsight> {
        Ok(Api::all(self.hub.clone()).get(cluster).await?)
    }

    /// Deletes every node of `member` (their pods stay bound until kube's pod GC removes them).
    pub async fn delete_nodes(&self, member: &str) -> Result<()> {
        let nodes: Api<Node> = Api::all(self.member(member).await?);
        for node in member_nodes(member) {
            nodes.delete(node.name(), &Default::default()).await?;
        }
        Ok(())
    }

    pub async fn create_nodes(&self, member: &str) -> Result<()> {
        bulk::create_nodes(&self.member(member).await?, &member_nodes(member)).await
    }
}

/// The operator with its default settings (write interval, grace), under the chart's identity:
/// the freshness this suite records is what an installation gets.
async fn start_operator(env: &Environment) -> Result<Operator> {
    let kubeconfig = support::chart_identity::kubeconfig(env, "direct").await?;
    support::start_operator_as(&kubeconfig, &[]).await
}

/// Where to look when Karmada or a member controller misbehaves.
pub fn logs_hint(env: &Environment) -> String {
    let logs: Vec<String> = env
        .component_logs()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    format!("component logs:\n{}", logs.join("\n"))
}

/// The Cluster object as Karmada keeps it.
pub async fn cluster(hub: &kube::Client, name: &str) -> Result<Value> {
    let object = testenv::join::cluster_api(hub).get(name).await?;
    Ok(serde_json::to_value(object)?)
}
