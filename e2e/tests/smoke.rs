//! The foundation works end to end: real API servers come up with Karmada's APIs, members are
//! joined the way `karmadactl join` does it, and a member is readable through nothing but what the
//! hub's Cluster and Secret say — exactly how the operator will reach it.

mod support;

use anyhow::Result;
use k8s_openapi::api::core::v1::{Node, Pod, Secret};
use karmada_manager::members::direct_config;
use karmada_manager_api::{
    ClusterInsight, ClusterWorkloadPlacement, FleetInsight, WorkloadPlacement,
};
use karmada_types::{
    Cluster, ClusterOverridePolicy, ClusterPropagationPolicy, ClusterResourceBinding,
    OverridePolicy, PropagationPolicy, ResourceBinding, SyncMode, Work,
};
use kube::api::{Api, ListParams};
use kube::{Client, Resource};
use std::time::Duration;
use testenv::{bulk, nodes::node, pods::pod};

async fn served<K>(hub: &Client) -> Result<()>
where
    K: Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    Api::<K>::all(hub.clone())
        .list_metadata(&ListParams::default())
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", K::kind(&())))?;
    Ok(())
}

fn status_code(err: &kube::Error) -> Option<u16> {
    match err {
        kube::Error::Api(status) => Some(status.code),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn members_are_reachable_through_the_hubs_cluster_and_secret_only() -> Result<()> {
    let env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;

    // Karmada's CRDs (from its Go module), the Cluster stand-in and our CRDs are all served.
    served::<ResourceBinding>(&hub).await?;
    served::<ClusterResourceBinding>(&hub).await?;
    served::<PropagationPolicy>(&hub).await?;
    served::<ClusterPropagationPolicy>(&hub).await?;
    served::<OverridePolicy>(&hub).await?;
    served::<ClusterOverridePolicy>(&hub).await?;
    served::<Work>(&hub).await?;
    served::<Cluster>(&hub).await?;
    served::<ClusterInsight>(&hub).await?;
    served::<WorkloadPlacement>(&hub).await?;
    served::<ClusterWorkloadPlacement>(&hub).await?;
    served::<FleetInsight>(&hub).await?;

    // Both members are registered as Push clusters pointing at their API servers.
    let clusters = Api::<Cluster>::all(hub.clone());
    for name in ["m1", "m2"] {
        let cluster = clusters.get(name).await?;
        assert_eq!(cluster.spec.sync_mode, Some(SyncMode::Push));
        assert_eq!(cluster.spec.api_endpoint, env.member(name).url());
        let secret_ref = cluster.spec.secret_ref.as_ref().expect("secretRef");
        assert_eq!(
            (secret_ref.namespace.as_str(), secret_ref.name.as_str()),
            ("karmada-cluster", name)
        );
        assert_eq!(
            cluster.status.ready_condition().map(|c| c.status.as_str()),
            Some("True")
        );
    }

    // A node and a pod, created in m1 with admin rights ...
    let admin = env.member("m1").client().await?;
    bulk::create_nodes(
        &admin,
        &[node("n1")
            .zone("eu-west-1a")
            .resource("nvidia.com/gpu", "2", "2")],
    )
    .await?;
    bulk::create_pods(
        &admin,
        &[pod("shop", "web-1")
            .on_node("n1")
            .requests(&[("cpu", "500m")])
            .running()
            .restarts(3)],
    )
    .await?;

    // ... read back with a client built only from the hub's Cluster and Secret.
    let secrets = Api::<Secret>::namespaced(hub.clone(), "karmada-cluster");
    let m1 = clusters.get("m1").await?;
    let m1_secret = secrets.get("m1").await?;
    let member = Client::try_from(direct_config(&m1.spec, Some(&m1_secret))?)?;
    let read_node = Api::<Node>::all(member.clone()).get("n1").await?;
    let allocatable = read_node
        .status
        .and_then(|s| s.allocatable)
        .unwrap_or_default();
    assert_eq!(
        allocatable.get("nvidia.com/gpu").map(|q| q.0.as_str()),
        Some("2")
    );
    let read_pod = Api::<Pod>::namespaced(member.clone(), "shop")
        .get("web-1")
        .await?;
    assert_eq!(
        read_pod.spec.and_then(|s| s.node_name).as_deref(),
        Some("n1")
    );
    let status = read_pod.status.unwrap_or_default();
    assert_eq!(status.phase.as_deref(), Some("Running"));
    assert_eq!(
        status.container_statuses.unwrap_or_default()[0].restart_count,
        3
    );

    // The member identity is least-privilege: it reads nodes and pods, nothing else.
    let err = Api::<Secret>::all(member.clone())
        .list(&ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(status_code(&err), Some(403), "{err}");

    // A Secret with a wrong token is refused by the member.
    let mut wrong = m1_secret.clone();
    wrong.data.as_mut().expect("data").insert(
        "token".into(),
        k8s_openapi::ByteString(b"not-the-token".to_vec()),
    );
    let impostor = Client::try_from(direct_config(&m1.spec, Some(&wrong))?)?;
    let err = Api::<Node>::all(impostor)
        .list(&ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(status_code(&err), Some(401), "{err}");

    // The CA of another member does not verify m1's serving certificate.
    let m2_secret = secrets.get("m2").await?;
    let mut foreign_ca = m1_secret.clone();
    foreign_ca.data.as_mut().expect("data").insert(
        "caBundle".into(),
        m2_secret.data.expect("data")["caBundle"].clone(),
    );
    let mistrusting = Client::try_from(direct_config(&m1.spec, Some(&foreign_ca))?)?;
    let err = Api::<Node>::all(mistrusting)
        .list(&ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(
        status_code(&err),
        None,
        "a TLS failure, not an HTTP answer: {err}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_operator_connects_and_stops_cleanly_on_sigterm() -> Result<()> {
    let env = support::environment(&["m1"]).await?;
    let hub_kubeconfig = env.hub().kubeconfig().display().to_string();
    let mut operator = support::Operator::start(&["run", "--kubeconfig", &hub_kubeconfig]).await?;
    let line = operator
        .wait_for_log("the hub serves", Duration::from_secs(60))
        .await?;
    assert!(line.contains("\"clusters\":1"), "{line}");
    let status = operator.terminate(Duration::from_secs(10)).await?;
    assert!(
        status.success(),
        "exit status {status}; log:\n{}",
        operator.log.join("\n")
    );
    assert!(
        operator
            .log
            .iter()
            .any(|l| l.contains("shutdown signal received"))
    );

    // Against a server without karmada-manager's CRDs it refuses to start, and says why.
    let member_kubeconfig = env.member("m1").kubeconfig().display().to_string();
    let mut wrong = support::Operator::start(&["run", "--kubeconfig", &member_kubeconfig]).await?;
    let status = wrong.wait(Duration::from_secs(60)).await?;
    assert!(!status.success());
    let log = wrong.log.join("\n");
    assert!(
        log.contains("does not serve ClusterInsight") && log.contains("karmada-manager crds"),
        "{log}"
    );
    Ok(())
}
