//! The hub rejects the operator's writes: the chart's ClusterRoleBinding is removed for a while.
//! The operator keeps running (no crash loop), counts the failed writes in `/metrics`, logs a
//! warning naming each object it could not write, and converges once the binding is back.

use super::common::{CONVERGE, alive, insight, member_clients, metric, no_panics};
use super::load::{Load, converged};
use crate::support::{self, chart_identity, eventually, http_get};
use anyhow::Result;
use k8s_openapi::api::rbac::v1::ClusterRoleBinding;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use std::time::{Duration, Instant};
use testenv::bulk;
use testenv::nodes::node;

const FAILED_CI: &str =
    r#"karmada_manager_status_writes_total{kind="ClusterInsight",outcome="failed"}"#;
const FAILED_WP: &str =
    r#"karmada_manager_status_writes_total{kind="WorkloadPlacement",outcome="failed"}"#;
const CLUSTER_ERRORS: &str =
    r#"karmada_manager_reconciles_total{controller="cluster",result="error"}"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_hub_denying_writes_is_survived_counted_and_recovered() -> Result<()> {
    let env = support::environment(&["m1"]).await?;
    let hub = env.hub().client().await?;
    let members = member_clients(&env, &["m1"]).await?;
    let mut load = Load::seed(&hub, &members, 4).await?;
    let debug = [("KARMADA_MANAGER_LOG", "debug")];
    let mut operator = support::start_operator_with_env(&env, &[], &debug).await?;
    converged(&hub, &members, &load, "placed").await?;
    let address = operator.admin_address()?;

    // The chart's grant of the operator's permissions on the hub goes away.
    let bindings = Api::<ClusterRoleBinding>::all(hub.clone());
    let granted: Vec<ClusterRoleBinding> = bindings
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .filter(|b| {
            b.subjects.iter().flatten().any(|s| {
                s.kind == "ServiceAccount"
                    && s.namespace.as_deref() == Some(chart_identity::RELEASE_NAMESPACE)
            })
        })
        .collect();
    assert_eq!(granted.len(), 1, "the chart grants one ClusterRoleBinding");
    let grant = granted[0].clone();
    let grant_name = grant.metadata.name.clone().unwrap_or_default();
    bindings
        .delete(&grant_name, &DeleteParams::default())
        .await?;
    let revoked = Instant::now();

    // Changes the operator must write and may not: a node (ClusterInsight), a pod turning not
    // ready (a WorkloadPlacement), a new binding (a placement to create).
    bulk::create_nodes(&members[0].1, &[node("n2")]).await?;
    load.set_ready("w00", 0, 0, false).await?;
    load.add_all(&["w04".into()]).await?;
    let (_, text) = eventually(
        "failed writes counted",
        CONVERGE,
        || http_get(&address, "/metrics"),
        |(_, text)| metric(text, FAILED_CI) >= 1.0 && metric(text, FAILED_WP) >= 1.0,
    )
    .await?;
    eprintln!(
        "faults: hub RBAC removed; failed status writes counted {:.1?} later",
        revoked.elapsed()
    );
    assert!(metric(&text, CLUSTER_ERRORS) >= 1.0, "{text}");
    let warning = operator
        .wait_for_log("writing ClusterInsight m1", CONVERGE)
        .await?;
    assert!(
        warning.contains(r#""level":"WARN""#) && warning.contains("forbidden"),
        "{warning}"
    );
    let warning = operator
        .wait_for_log("load/w00-deployment: ", CONVERGE)
        .await?;
    assert!(
        warning.contains(r#""level":"WARN""#) && warning.contains("forbidden"),
        "{warning}"
    );
    // The hub really refused: it still shows the figures from before.
    assert_eq!(insight(&hub, "m1").await?.nodes.total, 1);

    // It runs on, retrying with back-off instead of crash-looping.
    tokio::time::sleep(Duration::from_secs(10)).await;
    alive(&mut operator)?;
    assert_eq!(http_get(&address, "/livez").await?.0, 200);
    let (_, text) = http_get(&address, "/metrics").await?;
    let log = operator.collect();
    let retries = log
        .iter()
        .filter(|l| l.contains("reconcile failed; retrying"))
        .count();
    eprintln!(
        "faults: {:.1?} without RBAC: {} failed ClusterInsight writes, {} failed WorkloadPlacement writes, {retries} logged retries",
        revoked.elapsed(),
        metric(&text, FAILED_CI),
        metric(&text, FAILED_WP)
    );

    // The grant is back.
    let restored = ClusterRoleBinding {
        metadata: ObjectMeta {
            name: grant.metadata.name.clone(),
            labels: grant.metadata.labels.clone(),
            ..ObjectMeta::default()
        },
        role_ref: grant.role_ref.clone(),
        subjects: grant.subjects.clone(),
    };
    bindings.create(&PostParams::default(), &restored).await?;
    let back = Instant::now();
    converged(&hub, &members, &load, "converged").await?;
    eprintln!(
        "faults: converged {:.1?} after RBAC was restored",
        back.elapsed()
    );
    alive(&mut operator)?;

    // The operator's own hub token never reached its (debug) log.
    let token = chart_identity::token(&env, "direct")?;
    let log = operator.collect();
    assert!(
        !log.iter().any(|l| l.contains(&token)),
        "the hub token is in the log"
    );
    eprintln!("faults: {} debug log lines, hub token in none", log.len());
    no_panics(log)?;
    Ok(())
}
