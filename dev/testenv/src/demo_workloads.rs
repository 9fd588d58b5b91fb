//! The demo's propagated workloads, with the environment playing Karmada's part on the hub
//! (detector, scheduler, binding controller, status aggregator; see
//! [`karmada_objects`](crate::karmada_objects)) and the members' controllers in each member
//! ([`workloads`](crate::workloads): Deployment → ReplicaSet → pods, owned by real UIDs):
//!
//! | template on the hub | policy | scheduled | on the members |
//! |---|---|---|---|
//! | Deployment `shop/web`, 12 replicas | PropagationPolicy `shop/web-pp`: Divided, Weighted, static weights `tier=gold` → 2, `member2` → 1; OverridePolicy `shop/web-gold` on member1 | member1: 8, member2: 4 | one pod on member1 not ready, restarted 3 times: 11/12 ready |
//! | StatefulSet `shop/cache`, 2 replicas | PropagationPolicy `shop/cache-pp`: Duplicated | 2 on each | all ready |
//! | CronJob `batch/report` | PropagationPolicy `batch/report-pp` | both | CronJob → Jobs → pods: one run succeeded, one failed |
//! | Namespace `shop` | ClusterPropagationPolicy `demo-namespaces` | both | (a ClusterWorkloadPlacement) |

use crate::bulk;
use crate::join::apply_namespace;
use crate::karmada_objects::{
    self as karmada, APPLIED_OVERRIDES, MemberReport, Template, apply, apply_binding, apply_work,
    binding, scheduled_status, work,
};
use crate::pods::{Phase, PodBuilder, pod};
use crate::workloads::{self, Owner};
use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::Api;
use serde_json::{Value, json};

/// The demo members, in order: demo member number `index` (in `demo::member_objects` and
/// [`seed_member`]) is `MEMBERS[index]`.
pub const MEMBERS: [&str; 2] = ["member1", "member2"];
/// The member labelled `tier=gold`, which the static weight list gives weight 2.
pub const GOLD_MEMBER: &str = "member1";
/// `shop/web`'s replicas on each member, as karmada-scheduler divided 12 by weights 2 and 1.
const WEB_SPLIT: [i64; 2] = [8, 4];
/// Its ReplicaSet on each member: the pod template hashes differ because an OverridePolicy
/// changes the image on member1.
const WEB_REPLICA_SETS: [&str; 2] = ["web-6b8f7c9d5", "web-7d9f8b6c5"];
const POD_SUFFIXES: [&str; 8] = [
    "2xk9p", "4h7qz", "8mwtn", "b6rjd", "fq5ls", "hz2cv", "k9d4x", "p3nwb",
];
const CACHE_REPLICAS: i64 = 2;
/// The CronJob's runs on each member, each one Job with one pod.
const REPORT_RUNS: [(&str, &str, Phase); 2] = [
    ("report-29100000", "7tq4m", Phase::Succeeded),
    ("report-29100060", "c2w8r", Phase::Failed),
];
const WEB_GOLD_OVERRIDES: &str = r#"[{"policyName":"web-gold","overriders":{"imageOverrider":[{"component":"Registry","operator":"replace","value":"gold.registry.example"}]}}]"#;

/// In member number `index`: the workloads' controllers and pods, on `nodes` (the demo's).
pub async fn seed_member(member: &kube::Client, index: usize, nodes: &[&str]) -> Result<()> {
    let mut pods: Vec<PodBuilder> = Vec::new();

    let replicas = WEB_SPLIT[index];
    let deployment = create(member, "Deployment", "shop", "web", replicas, None).await?;
    let rs_name = WEB_REPLICA_SETS[index];
    let rs = create(
        member,
        "ReplicaSet",
        "shop",
        rs_name,
        replicas,
        Some(&deployment),
    )
    .await?;
    for (i, suffix) in POD_SUFFIXES.iter().take(replicas as usize).enumerate() {
        let web = pod("shop", &format!("{rs_name}-{suffix}"))
            .on_node(nodes[i % 3])
            .requests(&[("cpu", "250m"), ("memory", "512Mi")])
            .owned_by("ReplicaSet", rs_name, &rs.uid)
            .running();
        // On member1's node under memory pressure: restarting, not ready.
        pods.push(if index == 0 && i == 5 {
            web.ready(false).restarts(3)
        } else {
            web
        });
    }

    let cache = create(member, "StatefulSet", "shop", "cache", CACHE_REPLICAS, None).await?;
    for i in 0..CACHE_REPLICAS as usize {
        pods.push(
            pod("shop", &format!("cache-{i}"))
                .on_node(nodes[i * 2])
                .requests(&[("cpu", "500m"), ("memory", "1Gi")])
                .owned_by("StatefulSet", "cache", &cache.uid)
                .running(),
        );
    }

    let cron = create(member, "CronJob", "batch", "report", 0, None).await?;
    for (job_name, suffix, phase) in REPORT_RUNS {
        let job = create(member, "Job", "batch", job_name, 1, Some(&cron)).await?;
        pods.push(
            pod("batch", &format!("{job_name}-{suffix}"))
                .on_node(nodes[2])
                .requests(&[("cpu", "500m")])
                .owned_by("Job", job_name, &job.uid)
                .phase(phase),
        );
    }
    bulk::create_pods(member, &pods).await
}

async fn create(
    client: &kube::Client,
    kind: &str,
    namespace: &str,
    name: &str,
    replicas: i64,
    owner: Option<&Owner>,
) -> Result<Owner> {
    let replicas = i32::try_from(replicas)?;
    workloads::create(client, kind, namespace, name, replicas, owner).await
}

/// A resource template created on the hub, as a user (or a GitOps tool) would.
async fn template(
    hub: &kube::Client,
    kind: &str,
    namespace: &str,
    name: &str,
    replicas: i64,
) -> Result<Template> {
    let created = create(hub, kind, namespace, name, replicas, None).await?;
    let group = if matches!(kind, "Job" | "CronJob") {
        "batch"
    } else {
        "apps"
    };
    Ok(Template {
        api_version: format!("{group}/v1"),
        kind: kind.into(),
        namespace: Some(namespace.into()),
        name: name.into(),
        uid: created.uid,
    })
}

/// On the hub: templates, policies, bindings with their scheduler status, Works.
pub async fn seed_hub(hub: &kube::Client) -> Result<()> {
    let [m1, m2] = MEMBERS;
    for namespace in ["shop", "batch"] {
        apply_namespace(hub, namespace).await?;
    }
    let propagation = karmada::propagation_policies();

    // shop/web: weighted 2:1, one pod not ready on member1, an override on member1.
    let web_pp = web_policy();
    apply(hub, &propagation, &web_pp).await?;
    apply(hub, &karmada::override_policies(), &web_gold_override()).await?;
    let web = template(hub, "Deployment", "shop", "web", 12).await?;
    let web_rb = binding(
        &web,
        &web_pp,
        "3f1c7a52-9d4e-4b8a-a6f0-2c5e8d7b1a90",
        12,
        &[(m1, WEB_SPLIT[0]), (m2, WEB_SPLIT[1])],
    );
    apply_binding(hub, &web_rb, |generation| {
        scheduled_status(
            generation,
            &[
                MemberReport::healthy(m1).replicas(WEB_SPLIT[0], WEB_SPLIT[0] - 1),
                MemberReport::healthy(m2).replicas(WEB_SPLIT[1], WEB_SPLIT[1]),
            ],
        )
    })
    .await?;
    apply_work(
        hub,
        &work(
            &web_rb,
            m1,
            "web-6c5f9d8b7",
            &[(APPLIED_OVERRIDES, WEB_GOLD_OVERRIDES)],
        ),
    )
    .await?;
    apply_work(hub, &work(&web_rb, m2, "web-6c5f9d8b7", &[])).await?;

    // shop/cache: duplicated, all ready.
    let cache_pp = cache_policy();
    apply(hub, &propagation, &cache_pp).await?;
    let cache = template(hub, "StatefulSet", "shop", "cache", CACHE_REPLICAS).await?;
    let cache_rb = binding(
        &cache,
        &cache_pp,
        "8b2d4e61-0c3f-4a7d-9e15-6f8a0b3c2d47",
        CACHE_REPLICAS,
        &[(m1, CACHE_REPLICAS), (m2, CACHE_REPLICAS)],
    );
    let reports =
        [m1, m2].map(|m| MemberReport::healthy(m).replicas(CACHE_REPLICAS, CACHE_REPLICAS));
    apply_binding(hub, &cache_rb, |g| scheduled_status(g, &reports)).await?;
    propagate_to_both(hub, &cache_rb, "cache-5d8b7f6c9").await?;

    // batch/report: no replicas; Karmada's health verdict decides.
    let report_pp = report_policy();
    apply(hub, &propagation, &report_pp).await?;
    let report = template(hub, "CronJob", "batch", "report", 0).await?;
    let report_rb = binding(
        &report,
        &report_pp,
        "c4e9f0a3-5b7d-4d2c-8f61-9a3b5c7d0e12",
        0,
        &[(m1, 0), (m2, 0)],
    );
    let last_run = json!({"lastScheduleTime": karmada::now()});
    let reports = [m1, m2].map(|m| MemberReport::healthy(m).status(last_run.clone()));
    apply_binding(hub, &report_rb, |g| scheduled_status(g, &reports)).await?;
    propagate_to_both(hub, &report_rb, "report-7f6c9d5b8").await?;

    // Namespace shop, by a ClusterPropagationPolicy: a ClusterResourceBinding.
    let namespaces_cpp = namespaces_policy();
    apply(
        hub,
        &karmada::cluster_propagation_policies(),
        &namespaces_cpp,
    )
    .await?;
    let shop = Api::<Namespace>::all(hub.clone()).get("shop").await?;
    let shop = Template {
        api_version: "v1".into(),
        kind: "Namespace".into(),
        namespace: None,
        name: "shop".into(),
        uid: shop.metadata.uid.context("namespace shop has no uid")?,
    };
    let shop_crb = binding(
        &shop,
        &namespaces_cpp,
        "1a6d8f24-3e5b-4c9a-b7d0-4e2f6a8c9b35",
        0,
        &[(m1, 0), (m2, 0)],
    );
    let reports = [m1, m2].map(MemberReport::healthy);
    apply_binding(hub, &shop_crb, |g| scheduled_status(g, &reports)).await?;
    propagate_to_both(hub, &shop_crb, "shop-8b7c6d5f9").await
}

/// PropagationPolicy `shop/web-pp`: Divided, Weighted 2:1 (`tier=gold`, then `member2`).
pub(crate) fn web_policy() -> Value {
    let [_, m2] = MEMBERS;
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
        "metadata": {"name": "web-pp", "namespace": "shop"},
        "spec": {
            "priority": 10,
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
            "placement": {
                "clusterAffinity": {"labelSelector": {"matchLabels": {"env": "demo"}}},
                "spreadConstraints": [{"spreadByField": "cluster", "minGroups": 2, "maxGroups": 2}],
                "replicaScheduling": {
                    "replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
                    "weightPreference": {"staticWeightList": [
                        {"targetCluster": {"labelSelector": {"matchLabels": {"tier": "gold"}}}, "weight": 2},
                        {"targetCluster": {"clusterNames": [m2]}, "weight": 1},
                    ]},
                },
            },
        },
    })
}

/// OverridePolicy `shop/web-gold`: another registry on the gold member.
pub(crate) fn web_gold_override() -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "OverridePolicy",
        "metadata": {"name": "web-gold", "namespace": "shop"},
        "spec": {
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
            "overrideRules": [{
                "targetCluster": {"labelSelector": {"matchLabels": {"tier": "gold"}}},
                "overriders": {"imageOverrider": [
                    {"component": "Registry", "operator": "replace", "value": "gold.registry.example"},
                ]},
            }],
        },
    })
}

/// PropagationPolicy `shop/cache-pp`: StatefulSet `cache` duplicated to every demo member.
pub(crate) fn cache_policy() -> Value {
    simple_policy(
        "cache-pp",
        "shop",
        "StatefulSet",
        "cache",
        json!({
            "clusterAffinity": {"labelSelector": {"matchLabels": {"env": "demo"}}},
            "replicaScheduling": {"replicaSchedulingType": "Duplicated"},
        }),
    )
}

/// PropagationPolicy `batch/report-pp`: CronJob `report` on both members.
pub(crate) fn report_policy() -> Value {
    let [m1, m2] = MEMBERS;
    simple_policy(
        "report-pp",
        "batch",
        "CronJob",
        "report",
        json!({"clusterAffinity": {"clusterNames": [m1, m2]}}),
    )
}

/// ClusterPropagationPolicy `demo-namespaces`: Namespace `shop` to every demo member.
pub(crate) fn namespaces_policy() -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "ClusterPropagationPolicy",
        "metadata": {"name": "demo-namespaces"},
        "spec": {
            "resourceSelectors": [{"apiVersion": "v1", "kind": "Namespace", "name": "shop"}],
            "placement": {"clusterAffinity": {"labelSelector": {"matchLabels": {"env": "demo"}}}},
        },
    })
}

/// A PropagationPolicy for one workload.
fn simple_policy(
    name: &str,
    namespace: &str,
    kind: &str,
    workload: &str,
    placement: Value,
) -> Value {
    let api_version = if kind == "CronJob" {
        "batch/v1"
    } else {
        "apps/v1"
    };
    crate::karmada_objects::propagation_policy(
        name,
        namespace,
        (api_version, kind, workload),
        placement,
    )
}

/// The binding's Works on both members, without overrides.
async fn propagate_to_both(hub: &kube::Client, binding: &Value, work_name: &str) -> Result<()> {
    for member in MEMBERS {
        apply_work(hub, &work(binding, member, work_name, &[])).await?;
    }
    Ok(())
}
