use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Api;
use testenv::{EnvOptions, Environment, bulk, nodes::node, pods::pod};

#[tokio::test(flavor = "multi_thread")]
async fn environment_boots() -> anyhow::Result<()> {
    let env = Environment::start(EnvOptions::members(&["m1", "m2"])).await?;
    let m1 = env.member("m1").client().await?;
    bulk::create_nodes(&m1, &[node("n1").zone("a").not_ready()]).await?;
    bulk::create_pods(
        &m1,
        &[pod("shop", "web-1")
            .on_node("n1")
            .requests(&[("cpu", "500m")])
            .init_container("init", &[("cpu", "1")])
            .running()
            .restarts(2)],
    )
    .await?;
    let n = Api::<Node>::all(m1.clone()).get("n1").await?;
    println!("{}", serde_json::to_string_pretty(&n.status)?);
    let p = Api::<Pod>::namespaced(m1.clone(), "shop")
        .get("web-1")
        .await?;
    println!("{}", serde_json::to_string_pretty(&p.status)?);
    Ok(())
}
