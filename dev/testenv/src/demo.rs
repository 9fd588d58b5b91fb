//! The demo fleet that `cargo xtask dev` brings up: two members in different regions with a mix
//! of healthy and troubled nodes and pods, so every column of `kubectl get clusterinsight` has
//! something to show.

use crate::bulk;
use crate::env::{EnvOptions, MemberOptions};
use crate::join::JoinOptions;
use crate::nodes::{NodeBuilder, Pressure, node};
use crate::pods::{Phase, PodBuilder, pod};
use anyhow::Result;
use std::collections::BTreeMap;

/// Members `member1` (aws, eu-west-1) and `member2` (gcp, us-central1).
pub fn options() -> EnvOptions {
    let member = |name: &str, provider: &str, region: &str, zones: &[&str]| {
        MemberOptions::joined(
            name,
            JoinOptions {
                labels: BTreeMap::from([
                    ("env".to_string(), "demo".to_string()),
                    ("provider".to_string(), provider.to_string()),
                ]),
                provider: Some(provider.to_string()),
                region: Some(region.to_string()),
                zones: zones.iter().map(|z| z.to_string()).collect(),
            },
        )
    };
    EnvOptions {
        members: vec![
            member("member1", "aws", "eu-west-1", &["eu-west-1a", "eu-west-1b"]),
            member("member2", "gcp", "us-central1", &["us-central1-a"]),
        ],
        ..EnvOptions::default()
    }
}

/// The nodes and pods of demo member number `index` (0-based); deterministic.
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
    let mut pods = Vec::new();
    for i in 0..12 {
        let node = nodes[i % 3].name().to_string();
        pods.push(
            pod("shop", &format!("web-{i}"))
                .on_node(&node)
                .requests(&[("cpu", "250m"), ("memory", "512Mi")])
                .owned_by(
                    "ReplicaSet",
                    "web-7d9f8",
                    "00000000-0000-0000-0000-00000000a001",
                )
                .running(),
        );
    }
    pods.push(
        pod("shop", "worker-0")
            .on_node(nodes[0].name())
            .requests(&[("cpu", "1")])
            .init_container("migrate", &[("cpu", "2")])
            .running(),
    );
    pods.push(
        pod("shop", "flaky-0")
            .on_node(nodes[1].name())
            .requests(&[("cpu", "100m")])
            .phase(Phase::Running)
            .restarts(7)
            .crash_looping(),
    );
    pods.push(
        pod("batch", "report-0")
            .on_node(nodes[2].name())
            .requests(&[("cpu", "500m")])
            .phase(Phase::Succeeded),
    );
    pods.push(
        pod("batch", "report-1")
            .on_node(nodes[2].name())
            .requests(&[("cpu", "500m")])
            .phase(Phase::Failed),
    );
    pods.push(
        pod("ml", "train-0")
            .on_node(nodes[4].name())
            .requests(&[("cpu", "2"), ("nvidia.com/gpu", "2")])
            .running(),
    );
    pods.push(pod("shop", "web-pending").requests(&[("cpu", "8")]));
    (nodes, pods)
}

/// Creates the demo objects in a member.
pub async fn seed(member: &kube::Client, index: usize) -> Result<()> {
    let (nodes, pods) = member_objects(index);
    bulk::create_nodes(member, &nodes).await?;
    bulk::create_pods(member, &pods).await
}
