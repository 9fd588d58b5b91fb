//! WorkloadPlacement against real API servers, with the test playing Karmada's scheduler and
//! controllers on the hub and the members' controllers (Deployment → ReplicaSet → Pods):
//! every field of the placement follows what the test wrote, through readiness changes,
//! restarts, rescheduling, a graceful eviction, the policy's and the binding's deletion.
//! The GitOps health checks of `examples/` judge the real statuses along the way.

mod support;

use anyhow::Result;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use karmada_manager_api::{ClusterPlacement, WorkloadPlacement, WorkloadPlacementStatus};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use std::time::Duration;
use support::karmada::{self, apply_binding, scheduled_status};
use support::{apply, eventually};
use testenv::nodes::node;
use testenv::pods::{PodBuilder, pod};
use testenv::workloads::{self, Owner};
use testenv::{Environment, bulk};

const WAIT: Duration = Duration::from_secs(30);
const RB_ID: &str = "resourcebinding.karmada.io/permanent-id";

pub async fn label_cluster(hub: &kube::Client, name: &str, labels: Value) -> Result<()> {
    testenv::join::cluster_api(hub)
        .patch(
            name,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": labels}})),
        )
        .await?;
    Ok(())
}

/// `web` as the test's Karmada would propagate it: PropagationPolicy shop/web-pp, static
/// weights 2 (label tier=gold → m1) and 1 (name m2), scheduled 6/3.
fn web_policy() -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
        "metadata": {"name": "web-pp", "namespace": "shop"},
        "spec": {
            "priority": 3, "conflictResolution": "Overwrite",
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
            "placement": web_placement(),
        },
    })
}

fn web_placement() -> Value {
    json!({
        "clusterAffinity": {"clusterNames": ["m1", "m2"]},
        "replicaScheduling": {
            "replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
            "weightPreference": {"staticWeightList": [
                {"targetCluster": {"labelSelector": {"matchLabels": {"tier": "gold"}}}, "weight": 2},
                {"targetCluster": {"clusterNames": ["m2"]}, "weight": 1},
            ]},
        },
    })
}

fn web_binding(uid: &str, clusters: &[(&str, i64)], evicting: &[&str]) -> Value {
    json!({
        "apiVersion": "work.karmada.io/v1alpha2", "kind": "ResourceBinding",
        "metadata": {
            "name": "web-deployment", "namespace": "shop",
            "labels": {RB_ID: "web-id"},
            "annotations": {"propagationpolicy.karmada.io/name": "web-pp",
                            "propagationpolicy.karmada.io/namespace": "shop"},
        },
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web", "uid": uid},
            "replicas": 9,
            "clusters": clusters.iter().map(|(c, r)| json!({"name": c, "replicas": r})).collect::<Vec<_>>(),
            "placement": web_placement(),
            "gracefulEvictionTasks": evicting.iter().map(|c| json!({
                "fromCluster": c, "reason": "TaintUntolerated", "purgeMode": "Gracefully", "producer": "e2e",
            })).collect::<Vec<_>>(),
        },
    })
}

/// In the member: Deployment `web` → ReplicaSet `rs` → one pod per `(name, node, ready,
/// restarts)`.
async fn run_web(
    member: &kube::Client,
    rs: &str,
    pods: &[(&str, &str, bool, i32)],
) -> Result<(Owner, Vec<PodBuilder>)> {
    let deployment = workloads::create(member, "Deployment", "shop", "web", 3, None).await?;
    let replica_set =
        workloads::create(member, "ReplicaSet", "shop", rs, 3, Some(&deployment)).await?;
    let builders: Vec<PodBuilder> = pods
        .iter()
        .map(|(name, node, ready, restarts)| {
            pod("shop", name)
                .on_node(node)
                .owned_by("ReplicaSet", rs, &replica_set.uid)
                .running()
                .ready(*ready)
                .restarts(*restarts)
        })
        .collect();
    bulk::create_pods(member, &builders).await?;
    Ok((replica_set, builders))
}

async fn placement(hub: &kube::Client, name: &str) -> Result<WorkloadPlacement> {
    Ok(Api::<WorkloadPlacement>::namespaced(hub.clone(), "shop")
        .get(name)
        .await?)
}

async fn status(hub: &kube::Client, name: &str) -> Result<WorkloadPlacementStatus> {
    Ok(placement(hub, name).await?.status.unwrap_or_default())
}

fn entry<'a>(status: &'a WorkloadPlacementStatus, cluster: &str) -> Option<&'a ClusterPlacement> {
    status.clusters.iter().find(|c| c.name == cluster)
}

fn condition<'a>(status: &'a WorkloadPlacementStatus, type_: &str) -> Option<(&'a str, &'a str)> {
    status
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| (c.status.as_str(), c.reason.as_str()))
}

/// The verdicts of Argo CD's Lua health check and of kstatus (Flux) on the object as served.
async fn gitops_verdicts(hub: &kube::Client, name: &str) -> Result<(String, String)> {
    let object = serde_json::to_value(placement(hub, name).await?)?;
    let argo = health_checks::argocd_health(&object)?;
    let flux = tokio::task::spawn_blocking(move || health_checks::kstatus(&object)).await??;
    Ok((argo.status, flux.status))
}

async fn set_pods(member: &kube::Client, pods: &[PodBuilder]) -> Result<()> {
    let api: Api<Pod> = Api::namespaced(member.clone(), "shop");
    for pod in pods {
        bulk::set_pod_status(&api, pod).await?;
    }
    Ok(())
}

async fn seed_web(env: &Environment, hub: &kube::Client) -> Result<(String, Vec<PodBuilder>)> {
    label_cluster(hub, "m1", json!({"tier": "gold"})).await?;
    testenv::join::apply_namespace(hub, "shop").await?;
    let template: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"replicas": 9, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "app", "image": "registry.local/app:1"}]}}},
    }))?;
    let template = Api::<Deployment>::namespaced(hub.clone(), "shop")
        .create(&PostParams::default(), &template)
        .await?;
    let uid = template.metadata.uid.unwrap_or_default();
    let policies = karmada::propagation_policies();
    apply(hub, &policies, Some("shop"), web_policy()).await?;
    apply_binding(hub, web_binding(&uid, &[("m1", 6), ("m2", 3)], &[]), |g| {
        scheduled_status(g, &[("m1", 6, 5), ("m2", 3, 3)])
    })
    .await?;
    karmada::apply_work(
        hub,
        karmada::work(
            "m1",
            "web-deployment-7f8c",
            RB_ID,
            "web-id",
            Some(r#"[{"policyName":"web-eu","overriders":{"imageOverrider":[{"component":"Registry","operator":"replace","value":"eu.registry"}]}}]"#),
            Some(r#"[{"policyName":"registry-mirror","overriders":{}}]"#),
        ),
    )
    .await?;
    karmada::apply_work(
        hub,
        karmada::work("m2", "web-deployment-7f8c", RB_ID, "web-id", None, None),
    )
    .await?;

    let m1 = env.member("m1").client().await?;
    bulk::create_nodes(&m1, &[node("n1"), node("n2")]).await?;
    let (_, m1_pods) = run_web(
        &m1,
        "web-7d9",
        &[
            ("web-7d9-a", "n1", true, 0),
            ("web-7d9-b", "n1", true, 0),
            ("web-7d9-c", "n1", true, 0),
            ("web-7d9-d", "n1", true, 0),
            ("web-7d9-e", "n2", true, 0),
            ("web-7d9-f", "n2", false, 3),
        ],
    )
    .await?;
    // Not web's: a pod of another app in the same namespace.
    bulk::create_pods(&m1, &[pod("shop", "cache-0").on_node("n1").running()]).await?;
    let m2 = env.member("m2").client().await?;
    bulk::create_nodes(&m2, &[node("n3")]).await?;
    run_web(
        &m2,
        "web-5c8",
        &[
            ("web-5c8-a", "n3", true, 0),
            ("web-5c8-b", "n3", true, 0),
            ("web-5c8-c", "n3", true, 0),
        ],
    )
    .await?;
    Ok((uid, m1_pods))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_weighted_deployment_from_binding_to_pods() -> Result<()> {
    let env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    let (uid, mut m1_pods) = seed_web(&env, &hub).await?;
    let _operator = support::start_operator(&env, &[]).await?;

    let s = eventually(
        "web placed",
        WAIT,
        || status(&hub, "web-deployment"),
        |s| {
            entry(s, "m1")
                .and_then(|e| e.pods.as_ref())
                .is_some_and(|p| p.total == 6)
                && entry(s, "m2")
                    .and_then(|e| e.pods.as_ref())
                    .is_some_and(|p| p.total == 3)
                && entry(s, "m1").is_some_and(|e| !e.overrides.is_empty())
        },
    )
    .await?;
    assert_eq!(s.workload.display, "Deployment/web");
    assert_eq!(s.workload.uid.as_deref(), Some(uid.as_str()));
    assert_eq!(
        (s.binding.kind.as_str(), s.binding.name.as_str()),
        ("ResourceBinding", "web-deployment")
    );
    let policy = s.policy.as_ref().expect("policy");
    assert_eq!(
        (
            policy.kind.as_str(),
            policy.namespace.as_deref(),
            policy.name.as_str(),
            policy.priority,
            policy.conflict_resolution.as_deref()
        ),
        (
            "PropagationPolicy",
            Some("shop"),
            "web-pp",
            Some(3),
            Some("Overwrite")
        )
    );
    let placement_summary = serde_json::to_value(s.placement.as_ref().expect("placement"))?;
    assert_eq!(placement_summary["replicaScheduling"], "Divided");
    assert_eq!(placement_summary["divisionPreference"], "Weighted");
    assert_eq!(placement_summary["weighting"], "Static");
    assert_eq!(
        placement_summary["clusterAffinity"]["clusterNames"],
        json!(["m1", "m2"])
    );
    assert_eq!(
        (
            s.replicas.desired,
            s.replicas.scheduled,
            s.replicas.ready,
            s.replicas.display.as_str()
        ),
        (9, 9, 8, "8/9")
    );
    assert_eq!(s.clusters_display, "m1:6,m2:3");

    let m1 = entry(&s, "m1").expect("m1");
    assert_eq!((m1.weight, m1.replicas), (Some(2), 6));
    assert_eq!((m1.applied, m1.ready_replicas), (Some(true), Some(5)));
    assert_eq!(
        m1.overrides,
        [
            "ClusterOverridePolicy registry-mirror",
            "OverridePolicy shop/web-eu"
        ]
    );
    let pods = m1.pods.as_ref().expect("m1 pods");
    assert_eq!(
        (pods.total, pods.running, pods.ready, pods.restarts),
        (6, 6, 5, 3),
        "cache-0 is not web's"
    );
    let nodes: Vec<(&str, i64)> = m1.nodes.iter().map(|n| (n.name.as_str(), n.pods)).collect();
    assert_eq!(nodes, [("n1", 4), ("n2", 2)]);
    assert_eq!(m1.pod_list[0].name, "web-7d9-f", "the not-ready pod first");
    assert_eq!(
        (m1.pod_list[0].node.as_deref(), m1.pod_list[0].restarts),
        (Some("n2"), 3)
    );
    let m2 = entry(&s, "m2").expect("m2");
    assert_eq!(
        (m2.weight, m2.replicas, m2.overrides.len()),
        (Some(1), 3, 0)
    );
    assert_eq!(m2.pods.as_ref().map(|p| p.ready), Some(3));
    assert!(m1.problems.is_empty() && m2.problems.is_empty());

    assert_eq!(condition(&s, "Ready"), Some(("False", "ReplicasNotReady")));
    assert_eq!(
        condition(&s, "Scheduled"),
        Some(("True", "BindingScheduled"))
    );
    assert_eq!(condition(&s, "Applied"), Some(("True", "FullyApplied")));
    assert_eq!(
        condition(&s, "Reconciling"),
        Some(("True", "ReplicasNotReady"))
    );
    let object = placement(&hub, "web-deployment").await?;
    assert_eq!(s.observed_generation, object.metadata.generation);
    let owner = &object.metadata.owner_references.as_ref().expect("owner")[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("ResourceBinding", "web-deployment")
    );
    assert_eq!(
        gitops_verdicts(&hub, "web-deployment").await?,
        ("Progressing".to_owned(), "InProgress".to_owned())
    );

    // `kubectl wait` as a pipeline would run it, while the last pod becomes ready.
    let kubectl = env.binaries().kubectl.clone();
    let kubeconfig = env.hub().kubeconfig().to_path_buf();
    let wait = tokio::process::Command::new(kubectl)
        .args([
            "wait",
            "--for=condition=Ready",
            "workloadplacement/web-deployment",
        ])
        .args(["-n", "shop", "--timeout=60s", "--kubeconfig"])
        .arg(&kubeconfig)
        .output();
    let wait = tokio::spawn(wait);
    tokio::time::sleep(Duration::from_secs(1)).await;
    m1_pods[5] = m1_pods[5].clone().ready(true);
    let m1_client = env.member("m1").client().await?;
    set_pods(&m1_client, &m1_pods[5..]).await?;
    apply_binding(&hub, web_binding(&uid, &[("m1", 6), ("m2", 3)], &[]), |g| {
        scheduled_status(g, &[("m1", 6, 6), ("m2", 3, 3)])
    })
    .await?;
    let waited = wait.await??;
    assert!(
        waited.status.success(),
        "kubectl wait: {}",
        String::from_utf8_lossy(&waited.stderr)
    );
    let s = eventually(
        "web ready",
        WAIT,
        || status(&hub, "web-deployment"),
        |s| {
            condition(s, "Ready") == Some(("True", "WorkloadReady"))
                && entry(s, "m1")
                    .and_then(|e| e.pods.as_ref())
                    .is_some_and(|p| p.ready == 6)
        },
    )
    .await?;
    assert_eq!(s.replicas.display, "9/9");
    assert_eq!(condition(&s, "Reconciling"), None);
    assert_eq!(
        gitops_verdicts(&hub, "web-deployment").await?,
        ("Healthy".to_owned(), "Current".to_owned())
    );

    // A container restarts.
    m1_pods[0] = m1_pods[0].clone().restarts(2);
    set_pods(&m1_client, &m1_pods[..1]).await?;
    eventually(
        "restart counted",
        WAIT,
        || status(&hub, "web-deployment"),
        |s| {
            entry(s, "m1")
                .and_then(|e| e.pods.as_ref())
                .is_some_and(|p| p.restarts == 5)
        },
    )
    .await?;

    // Rescheduled 4/5, then evicted from m2 gracefully.
    apply_binding(&hub, web_binding(&uid, &[("m1", 4), ("m2", 5)], &[]), |g| {
        scheduled_status(g, &[("m1", 4, 4), ("m2", 5, 5)])
    })
    .await?;
    eventually(
        "rescheduled",
        WAIT,
        || status(&hub, "web-deployment"),
        |s| s.clusters_display == "m1:4,m2:5",
    )
    .await?;
    apply_binding(&hub, web_binding(&uid, &[("m1", 9)], &["m2"]), |g| {
        scheduled_status(g, &[("m1", 9, 4), ("m2", 5, 5)])
    })
    .await?;
    let s = eventually(
        "evicting",
        WAIT,
        || status(&hub, "web-deployment"),
        |s| entry(s, "m2").is_some_and(|e| e.eviction.is_some()),
    )
    .await?;
    let m2 = entry(&s, "m2").expect("m2");
    let eviction = m2.eviction.as_ref().expect("eviction");
    assert_eq!(
        (eviction.reason.as_str(), eviction.purge_mode.as_deref()),
        ("TaintUntolerated", Some("Gracefully"))
    );
    assert_eq!(m2.replicas, 0);
    assert_eq!(
        (s.clusters_display.as_str(), s.replicas.ready),
        ("m1:9", 4),
        "m2's old copy does not count"
    );
    assert_eq!(condition(&s, "Ready"), Some(("False", "ReplicasNotReady")));

    // The policy is deleted: the workload runs on, but nothing will re-place it.
    let policies = karmada::propagation_policies();
    karmada::delete(&hub, &policies, Some("shop"), "web-pp").await?;
    let s = eventually(
        "policy gone",
        WAIT,
        || status(&hub, "web-deployment"),
        |s| condition(s, "Stalled") == Some(("True", "PolicyNotFound")),
    )
    .await?;
    assert_eq!(s.policy.as_ref().and_then(|p| p.priority), None);
    assert_eq!(gitops_verdicts(&hub, "web-deployment").await?.1, "Failed");
    // The Ready transitions so far are also Events on the placement.
    let events = Api::<k8s_openapi::api::events::v1::Event>::namespaced(hub.clone(), "shop");
    let reasons = eventually(
        "events",
        WAIT,
        || async {
            let list = events.list(&Default::default()).await?;
            Ok(list
                .items
                .into_iter()
                .filter(|e| {
                    e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some("web-deployment")
                })
                .filter_map(|e| Some((e.type_?, e.reason?)))
                .collect::<Vec<_>>())
        },
        |seen| {
            seen.contains(&("Warning".to_owned(), "ReplicasNotReady".to_owned()))
                && seen.contains(&("Normal".to_owned(), "WorkloadReady".to_owned()))
        },
    )
    .await?;
    // One per transition, not per write: Ready went False → True → False.
    assert!(reasons.len() <= 3, "{reasons:?}");

    // The binding is deleted: so is its placement.
    let bindings = karmada::resource_bindings();
    karmada::delete(&hub, &bindings, Some("shop"), "web-deployment").await?;
    let placements = Api::<WorkloadPlacement>::namespaced(hub.clone(), "shop");
    support::eventually_gone("placement removed", &placements, "web-deployment").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_down_is_said_in_its_entry_and_the_others_stay_current() -> Result<()> {
    let mut env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    let (_, mut m1_pods) = seed_web(&env, &hub).await?;
    let _operator = support::start_operator(&env, &[]).await?;
    eventually(
        "web placed",
        WAIT,
        || status(&hub, "web-deployment"),
        |s| {
            entry(s, "m2")
                .and_then(|e| e.pods.as_ref())
                .is_some_and(|p| p.total == 3)
        },
    )
    .await?;

    env.member_mut("m2").stop();
    let s = eventually(
        "m2 down",
        WAIT,
        || status(&hub, "web-deployment"),
        |s| entry(s, "m2").is_some_and(|e| !e.problems.is_empty()),
    )
    .await?;
    let m2 = entry(&s, "m2").expect("m2");
    assert_eq!(m2.problems[0].reason, "MemberUnreachable");
    assert!(
        m2.problems[0]
            .message
            .contains("ClusterInsight m2 is not Ready"),
        "{}",
        m2.problems[0].message
    );
    assert_eq!(
        m2.pods.as_ref().map(|p| p.total),
        Some(3),
        "the last figures stay"
    );
    assert_eq!(
        condition(&s, "Degraded"),
        Some(("True", "MemberNotObserved"))
    );
    assert!(entry(&s, "m1").is_some_and(|e| e.problems.is_empty()));

    // m1 keeps being observed while m2 is down.
    m1_pods[5] = m1_pods[5].clone().ready(true);
    let m1 = env.member("m1").client().await?;
    set_pods(&m1, &m1_pods[5..]).await?;
    eventually(
        "m1 current",
        WAIT,
        || status(&hub, "web-deployment"),
        |s| {
            entry(s, "m1")
                .and_then(|e| e.pods.as_ref())
                .is_some_and(|p| p.ready == 6)
        },
    )
    .await?;

    env.member_mut("m2").restart().await?;
    let s = eventually(
        "m2 back",
        Duration::from_secs(60),
        || status(&hub, "web-deployment"),
        |s| entry(s, "m2").is_some_and(|e| e.problems.is_empty()),
    )
    .await?;
    assert_eq!(condition(&s, "Degraded"), None);
    Ok(())
}

/// `fitReplicas` move with workloads that are not the binding's: nothing of web's changes when
/// pods of another app land on m1, and the look after m1's nodes and pods moved shows the new
/// figure; m2, where nothing moved, keeps its own.
#[tokio::test(flavor = "multi_thread")]
async fn fit_replicas_follow_other_workloads_on_the_member() -> Result<()> {
    let env = support::environment(&["m1", "m2"]).await?;
    let hub = env.hub().client().await?;
    seed_web(&env, &hub).await?;
    let _operator = support::start_operator(&env, &["--fit-refresh-interval", "2s"]).await?;
    let fit = |s: &WorkloadPlacementStatus, cluster: &str| entry(s, cluster)?.fit_replicas;
    let before = eventually(
        "web placed, with accurate fits",
        WAIT,
        || status(&hub, "web-deployment"),
        |s| {
            ["m1", "m2"].iter().all(|c| {
                entry(s, c).is_some_and(|e| {
                    e.pods.is_some()
                        && e.estimator == Some(karmada_manager_api::FitEstimator::Accurate)
                })
            })
        },
    )
    .await?;
    // 110 pod slots on each node, less the pods on it (web's seven and cache-0 on m1).
    assert_eq!(fit(&before, "m1"), Some(2 * 110 - 7));
    assert_eq!(fit(&before, "m2"), Some(110 - 3));

    // Nothing of web's left to write: the batch pods below reach its placement only by a look.
    settled(&hub, "web-deployment", Duration::from_secs(3)).await?;
    let m1 = env.member("m1").client().await?;
    let batch: Vec<PodBuilder> = (0..5)
        .map(|i| {
            pod("shop", &format!("batch-{i}"))
                .on_node(if i < 3 { "n1" } else { "n2" })
                .running()
        })
        .collect();
    bulk::create_pods(&m1, &batch).await?;
    let after = eventually(
        "m1's fit follows the other app's pods",
        WAIT,
        || status(&hub, "web-deployment"),
        |s| fit(s, "m1") == Some(2 * 110 - 12),
    )
    .await?;
    assert_eq!(fit(&after, "m2"), Some(110 - 3), "nothing moved on m2");
    assert_eq!(
        entry(&after, "m1")
            .and_then(|e| e.pods.as_ref())
            .map(|p| p.total),
        Some(6),
        "the batch pods are not web's"
    );
    Ok(())
}

/// Waits until placement `name` has not changed for `quiet`.
async fn settled(hub: &kube::Client, name: &str, quiet: Duration) -> Result<()> {
    let deadline = tokio::time::Instant::now() + WAIT;
    let (mut version, mut since) = (None, tokio::time::Instant::now());
    while tokio::time::Instant::now() < deadline {
        let now = placement(hub, name).await?.metadata.resource_version;
        if now != version {
            (version, since) = (now, tokio::time::Instant::now());
        } else if since.elapsed() >= quiet {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("placement {name} still changing after {WAIT:?}")
}
