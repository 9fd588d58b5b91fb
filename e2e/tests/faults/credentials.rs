//! Credentials that change and fail: a member's token rotated and revoked under a running
//! operator, wrong tokens, a Cluster that skips TLS verification. The member reconnects without
//! a restart, every failure is a precise condition, and no token — the operator's own on the hub
//! or any member's — reaches its debug log or anything it writes.

use super::common::{
    CONVERGE, alive, condition, insight, insight_matches, member_tokens, message, no_panics, truth,
};
use crate::support::{self, chart_identity, eventually, http_get};
use anyhow::Result;
use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use karmada_manager_api::ClusterInsight;
use karmada_types::Cluster;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use testenv::bulk;
use testenv::join::{KARMADA_CLUSTER_NAMESPACE, request_token};
use testenv::nodes::node;
use testenv::pods::pod;

async fn set_token(hub: &kube::Client, cluster: &str, token: &str) -> Result<()> {
    Api::<Secret>::namespaced(hub.clone(), KARMADA_CLUSTER_NAMESPACE)
        .patch(
            cluster,
            &PatchParams::default(),
            &Patch::Merge(json!({"stringData": {"token": token}})),
        )
        .await?;
    Ok(())
}

/// A planned rotation (a second token of the same identity replaces the first) keeps the insight
/// Ready throughout; a revocation (the member's ServiceAccount recreated, every token of it
/// void) is `Unauthorized` at once, and a fresh token in the Secret brings the member back —
/// with what changed meanwhile — without restarting the operator.
#[tokio::test(flavor = "multi_thread")]
async fn rotated_and_revoked_member_tokens_without_a_restart() -> Result<()> {
    let mut env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    let m1 = env.member("m1").client().await?;
    bulk::create_nodes(&m1, &[node("n1")]).await?;
    let debug = [("KARMADA_MANAGER_LOG", "debug")];
    let mut operator = support::start_operator_with_env(&env, &[], &debug).await?;
    let synced = |s: &karmada_manager_api::ClusterInsightStatus| {
        condition(&s.conditions, "Ready") == Some(("True", "Synced"))
    };
    eventually("m1 synced", CONVERGE, || insight(&hub, "m1"), synced).await?;
    let mut tokens = member_tokens(&hub).await?;
    tokens.push(chart_identity::token(&env, "direct")?);

    // Planned rotation, sampled every 100 ms: never anything but Ready.
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (hub, stop) = (hub.clone(), stop.clone());
        tokio::spawn(async move {
            let mut seen = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let s = insight(&hub, "m1").await?;
                let ready =
                    condition(&s.conditions, "Ready").map(|(a, b)| (a.to_owned(), b.to_owned()));
                if !seen.contains(&ready) {
                    seen.push(ready);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Ok::<_, anyhow::Error>(seen)
        })
    };
    let service_account = "karmada-m1";
    let second = request_token(&m1, service_account).await?;
    tokens.push(second.clone());
    set_token(&hub, "m1", &second).await?;
    let rotated = Instant::now();
    let line = operator
        .wait_for_log("member connection settings changed; reconnecting", CONVERGE)
        .await?;
    assert!(line.contains(r#""cluster":"m1""#), "{line}");
    bulk::create_pods(
        &m1,
        &[pod("shop", "after-rotation").on_node("n1").running()],
    )
    .await?;
    eventually(
        "m1 after the rotation",
        CONVERGE,
        || insight(&hub, "m1"),
        |s| s.pods.total == 1,
    )
    .await?;
    eprintln!(
        "faults: planned rotation: a pod created after it was in the insight {:.1?} after the Secret changed",
        rotated.elapsed()
    );
    stop.store(true, Ordering::Relaxed);
    let seen = sampler.await??;
    assert_eq!(
        seen,
        [Some(("True".to_owned(), "Synced".to_owned()))],
        "Ready throughout the rotation"
    );

    // Revocation: the identity is recreated, so both tokens are void; the member's API server
    // restarts so that the open watches must authenticate again (an open watch outlives a
    // revocation).
    let sas = Api::<ServiceAccount>::namespaced(m1.clone(), KARMADA_CLUSTER_NAMESPACE);
    sas.delete(service_account, &DeleteParams::default())
        .await?;
    let fresh: ServiceAccount = serde_json::from_value(json!({
        "metadata": {"name": service_account, "namespace": KARMADA_CLUSTER_NAMESPACE},
    }))?;
    sas.create(&PostParams::default(), &fresh).await?;
    env.member_mut("m1").restart().await?;
    let revoked = Instant::now();
    let refused = eventually(
        "m1 refused",
        CONVERGE,
        || insight(&hub, "m1"),
        |s| condition(&s.conditions, "Ready") == Some(("False", "Unauthorized")),
    )
    .await?;
    eprintln!(
        "faults: revoked token reported Unauthorized {:.1?} after the member restarted",
        revoked.elapsed()
    );
    assert_eq!(
        condition(&refused.conditions, "Stalled"),
        Some(("True", "Unauthorized"))
    );
    let said = message(&refused.conditions, "Ready");
    let endpoint = env.member("m1").url();
    assert!(
        said.contains(endpoint.trim_start_matches("https://")) && said.contains("401"),
        "{said}"
    );
    // The member changes while it refuses the operator.
    let m1 = env.member("m1").client().await?;
    bulk::create_nodes(&m1, &[node("n2")]).await?;
    bulk::create_pods(&m1, &[pod("shop", "while-refused").on_node("n2").running()]).await?;

    let third = request_token(&m1, service_account).await?;
    tokens.push(third.clone());
    set_token(&hub, "m1", &third).await?;
    let renewed = Instant::now();
    let truth = truth(&m1).await?;
    eventually(
        "m1 back",
        CONVERGE,
        || insight(&hub, "m1"),
        |s| insight_matches(s, &truth),
    )
    .await?;
    eprintln!(
        "faults: Ready again {:.1?} after a new token was put in the Secret",
        renewed.elapsed()
    );
    assert_eq!(
        condition(&insight(&hub, "m1").await?.conditions, "Stalled"),
        None
    );
    assert_eq!(
        condition(&insight(&hub, "m2").await?.conditions, "Ready"),
        Some(("True", "Synced")),
        "m2 untouched"
    );

    alive(&mut operator)?;
    let log = operator.collect().to_vec();
    let watching = log
        .iter()
        .filter(|l| l.contains("watching member") && l.contains("\"m1\""))
        .count();
    assert_eq!(
        watching, 1,
        "one member task for m1 from the start, reconnected in place"
    );
    assert_no_token(&log, &tokens)?;
    no_panics(&log)?;
    Ok(())
}

/// No token in the operator's full debug log (`KARMADA_MANAGER_LOG=debug`, every crate) while
/// member credentials change and fail — wrong tokens, another member's token, a rotated token,
/// a token that is not a valid HTTP header — nor in anything it writes on the hub. And a Cluster
/// that skips TLS verification says so in its insight.
#[tokio::test(flavor = "multi_thread")]
async fn no_token_reaches_the_log_and_skipped_tls_verification_is_said() -> Result<()> {
    let env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    let m1 = env.member("m1").client().await?;
    bulk::create_nodes(&m1, &[node("n1")]).await?;
    let debug = [("KARMADA_MANAGER_LOG", "debug")];
    let mut operator = support::start_operator_with_env(&env, &[], &debug).await?;
    let ready = |s: &karmada_manager_api::ClusterInsightStatus| {
        condition(&s.conditions, "Ready") == Some(("True", "Synced"))
    };
    eventually("m1 synced", CONVERGE, || insight(&hub, "m1"), ready).await?;
    let mut tokens = member_tokens(&hub).await?;
    tokens.push(chart_identity::token(&env, "direct")?);
    let m2_token = env
        .joined("m2")
        .map(|j| j.token.clone())
        .unwrap_or_default();
    let wrong = "eyJhbGciOiJSUzI1NiJ9.d3JvbmctdG9rZW4tZm9yLWUyZQ.c2lnbmF0dXJl".to_owned();
    let not_a_header = "line-one\u{7f}line-two-0123456789abcdef".to_owned();
    let rotated = request_token(&m1, "karmada-m1").await?;
    let original = env
        .joined("m1")
        .map(|j| j.token.clone())
        .unwrap_or_default();
    // JSON logs would escape the control character: look for the part after it.
    let after_control = not_a_header
        .split('\u{7f}')
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    tokens.extend([wrong.clone(), after_control, rotated.clone()]);

    let mut tried = 0;
    for (what, token, reason) in [
        ("a wrong token", &wrong, Some("Unauthorized")),
        ("another member's token", &m2_token, Some("Unauthorized")),
        (
            "a token that is no HTTP header value",
            &not_a_header,
            Some("Unauthorized"),
        ),
        ("the rotated token", &rotated, None),
        ("the original token", &original, None),
    ] {
        set_token(&hub, "m1", token).await?;
        tried += 1;
        let s = eventually(
            what,
            CONVERGE,
            || insight(&hub, "m1"),
            |s| match reason {
                // The Secret as it is now, not a condition left over from the previous one.
                Some(reason) => {
                    condition(&s.conditions, "Ready") == Some(("False", reason))
                        && condition(&s.conditions, "Stalled") == Some(("True", reason))
                        && (!token.contains('\u{7f}')
                            || message(&s.conditions, "Ready").contains("karmada-cluster/m1"))
                }
                None => ready(s),
            },
        )
        .await;
        let s = match s {
            Ok(s) => s,
            Err(err) => {
                alive(&mut operator)?;
                let own: Vec<&String> = operator
                    .collect()
                    .iter()
                    .filter(|l| {
                        l.contains(r#""target":"karmada_manager"#) || l.contains("panicked")
                    })
                    .collect();
                return Err(err.context(format!(
                    "the operator's last lines: {:#?}",
                    &own[own.len().saturating_sub(15)..]
                )));
            }
        };
        alive(&mut operator)?;
        eprintln!(
            "faults: {what}: Ready {:?}: {}",
            condition(&s.conditions, "Ready"),
            message(&s.conditions, "Ready")
        );
    }

    // TLS verification skipped: reachable without a usable caBundle, and said so.
    let clusters = Api::<Cluster>::all(hub.clone());
    let skip = json!({"spec": {"insecureSkipTLSVerification": true}});
    clusters
        .patch("m1", &PatchParams::default(), &Patch::Merge(&skip))
        .await?;
    Api::<Secret>::namespaced(hub.clone(), KARMADA_CLUSTER_NAMESPACE)
        .patch(
            "m1",
            &PatchParams::default(),
            &Patch::Merge(json!({"stringData": {"caBundle": "not a certificate"}})),
        )
        .await?;
    let s = eventually(
        "TLS verification skipped",
        CONVERGE,
        || insight(&hub, "m1"),
        |s| ready(s) && message(&s.conditions, "Ready").contains("insecureSkipTLSVerification"),
    )
    .await?;
    eprintln!(
        "faults: skipping TLS verification: {}",
        message(&s.conditions, "Ready")
    );

    alive(&mut operator)?;
    let log = operator.collect().to_vec();
    assert_no_token(&log, &tokens)?;
    // Nor in what it wrote: insights (conditions quote errors) and Events.
    let insights = Api::<ClusterInsight>::all(hub.clone())
        .list(&ListParams::default())
        .await?;
    let events = Api::<k8s_openapi::api::events::v1::Event>::all(hub.clone())
        .list(&ListParams::default())
        .await?;
    // And not on the admin server, which anyone who reaches its port may read.
    let address = operator.admin_address()?;
    let mut admin = String::new();
    for path in ["/metrics", "/livez", "/readyz"] {
        admin += &http_get(&address, path).await?.1;
    }
    let written = serde_json::to_string(&insights)? + &serde_json::to_string(&events)? + &admin;
    for token in &tokens {
        assert!(
            !written.contains(token.as_str()),
            "a token is in a status, an Event or an admin page"
        );
    }
    eprintln!(
        "faults: {tried} member credentials tried, {} tokens looked for in {} debug log lines and {} bytes of statuses, Events and admin pages: none found",
        tokens.len(),
        log.len(),
        written.len()
    );
    no_panics(&log)?;
    Ok(())
}

/// No token, and no bearer header, in any log line.
fn assert_no_token(log: &[String], tokens: &[String]) -> Result<()> {
    for token in tokens.iter().filter(|t| t.len() >= 16) {
        let leaked: Vec<&String> = log.iter().filter(|l| l.contains(token.as_str())).collect();
        anyhow::ensure!(
            leaked.is_empty(),
            "a token is in {} log lines, e.g. {:.200}",
            leaked.len(),
            leaked[0]
        );
    }
    let bearer: Vec<&String> = log.iter().filter(|l| l.contains("Bearer ")).collect();
    anyhow::ensure!(
        bearer.is_empty(),
        "a bearer header is logged: {:.200}",
        bearer[0]
    );
    Ok(())
}
