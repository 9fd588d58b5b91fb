//! What every run against the simulated fleet starts with: the release operator built, the
//! simulated members in a process of their own, and a real hub. Shared by the fleet benchmark
//! and the shard benchmark, so that both measure against the same setup.

use super::hub;
use crate::live::operator;
use crate::sim::SimOptions;
use crate::sim::process::SimProcess;
use anyhow::Result;
use serde::Serialize;
use std::path::{Path, PathBuf};
use testenv::Environment;

/// Karmada's published scale: 100 members × 5,000 nodes × 20,000 pods.
pub const FULL: Size = Size {
    members: 100,
    nodes_per_member: 5_000,
    pods_per_member: 20_000,
};

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct Size {
    pub members: usize,
    pub nodes_per_member: usize,
    pub pods_per_member: usize,
}

impl Size {
    /// [`FULL`] or `small`, with the given overrides (each at least 1).
    pub fn pick(full: bool, small: Size, overrides: [Option<usize>; 3]) -> Size {
        let base = if full { FULL } else { small };
        let [members, nodes, pods] = overrides;
        Size {
            members: members.unwrap_or(base.members).max(1),
            nodes_per_member: nodes.unwrap_or(base.nodes_per_member).max(1),
            pods_per_member: pods.unwrap_or(base.pods_per_member).max(1),
        }
    }

    pub fn sim_options(self, seed: u64) -> SimOptions {
        SimOptions {
            seed,
            members: self.members,
            nodes: self.nodes_per_member,
            pods: self.pods_per_member,
            bookmark_seconds: 60,
            history: 100_000,
        }
    }
}

/// The operator binary, the simulated members and the hub of one benchmark run.
pub struct Testbed {
    pub binary: PathBuf,
    pub sim: SimProcess,
    pub env: Environment,
    pub hub: kube::Client,
}

impl Testbed {
    /// Builds the operator, starts the simulated members of `size` and the hub. No Cluster is
    /// registered yet: the fleet benchmark registers one member first.
    pub async fn start(size: Size, seed: u64) -> Result<Testbed> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let binary = operator::build(&root)?;
        eprintln!(
            "bench: simulating {} members × {} nodes × {} pods",
            size.members, size.nodes_per_member, size.pods_per_member
        );
        let sim = SimProcess::start(&size.sim_options(seed)).await?;
        let env = hub::start().await?;
        let hub = env.hub().client().await?;
        Ok(Testbed {
            binary,
            sim,
            env,
            hub,
        })
    }

    pub fn kubeconfig(&self) -> &Path {
        self.env.hub().kubeconfig()
    }
}
