//! The demo fleet that `cargo xtask dev` brings up: two members in different regions with a mix
//! of healthy and troubled nodes and pods, so every column of `kubectl get clusterinsight` has
//! something to show, and workloads propagated to them as Karmada would
//! ([`demo_workloads`](crate::demo_workloads)), so that `kubectl get wp -A` and
//! `kubectl get cwp` have something to show too.

use crate::bulk;
use crate::demo_workloads::{self, MEMBERS};
use crate::env::{EnvOptions, Environment, MemberOptions};
use crate::join::JoinOptions;
use crate::nodes::{NodeBuilder, Pressure, node};
use crate::pods::{Phase, PodBuilder, pod};
use anyhow::{Context, Result};
use std::collections::BTreeMap;

/// Members `member1` (aws, eu-west-1, label `tier=gold`) and `member2` (gcp, us-central1).
pub fn options() -> EnvOptions {
    let member = |name: &str, provider: &str, region: &str, zones: &[&str]| {
        let mut labels = BTreeMap::from([
            ("env".to_string(), "demo".to_string()),
            ("provider".to_string(), provider.to_string()),
        ]);
        if name == demo_workloads::GOLD_MEMBER {
            labels.insert("tier".to_string(), "gold".to_string());
        }
        MemberOptions::joined(
            name,
            JoinOptions {
                labels,
                provider: Some(provider.to_string()),
                region: Some(region.to_string()),
                zones: zones.iter().map(|z| z.to_string()).collect(),
                ..JoinOptions::default()
            },
        )
    };
    EnvOptions {
        members: vec![
            member(
                MEMBERS[0],
                "aws",
                "eu-west-1",
                &["eu-west-1a", "eu-west-1b"],
            ),
            member(MEMBERS[1], "gcp", "us-central1", &["us-central1-a"]),
        ],
        ..EnvOptions::default()
    }
}

/// The nodes of demo member number `index` (0-based), and the pods that belong to no propagated
/// workload (those are [`demo_workloads`](crate::demo_workloads)'); deterministic.
pub fn member_objects(index: usize) -> (Vec<NodeBuilder>, Vec<PodBuilder>) {
    let zone = if index == 0 {
        "eu-west-1"
    } else {
        "us-central1-"
    };
    let mut nodes: Vec<NodeBuilder> = (0..4)
        .map(|i| {
            node(&format!("m{}-node-{i}", index + 1))
                .zone(&format!("{zone}{}", ['a', 'b'][i % 2]))
                .instance_type("m5.xlarge")
        })
        .collect();
    nodes.push(
        node(&format!("m{}-gpu-0", index + 1))
            .instance_type("p3.2xlarge")
            .resource("nvidia.com/gpu", "4", "4"),
    );
    if index == 0 {
        nodes[3] = nodes[3].clone().not_ready();
        nodes[2] = nodes[2].clone().pressure(Pressure::Memory);
    } else {
        nodes[1] = nodes[1].clone().cordoned();
    }
    let pods = vec![
        pod("shop", "worker-0")
            .on_node(nodes[0].name())
            .requests(&[("cpu", "1")])
            .init_container("migrate", &[("cpu", "2")])
            .running(),
        pod("shop", "flaky-0")
            .on_node(nodes[1].name())
            .requests(&[("cpu", "100m")])
            .phase(Phase::Running)
            .restarts(7)
            .crash_looping(),
        pod("ml", "train-0")
            .on_node(nodes[4].name())
            .requests(&[("cpu", "2"), ("nvidia.com/gpu", "2")])
            .running(),
        pod("ml", "train-queued").requests(&[("cpu", "8")]),
    ];
    (nodes, pods)
}

/// Creates the demo objects: in each member its nodes, pods and workloads, then on the hub the
/// templates, policies, bindings and Works that propagated those workloads.
pub async fn seed(env: &Environment) -> Result<()> {
    for (index, member) in env.members().iter().enumerate() {
        let client = member.client().await?;
        let (nodes, pods) = member_objects(index);
        let seeded = async {
            bulk::create_nodes(&client, &nodes).await?;
            bulk::create_pods(&client, &pods).await?;
            let names: Vec<&str> = nodes.iter().map(NodeBuilder::name).collect();
            demo_workloads::seed_member(&client, index, &names).await
        };
        seeded
            .await
            .with_context(|| format!("seeding {}", member.name()))?;
    }
    demo_workloads::seed_hub(&env.hub().client().await?)
        .await
        .context("seeding the hub")
}
