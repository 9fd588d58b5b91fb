//! The hub RBAC: the rules the chart renders (least privilege, `clusters/proxy` only in the
//! proxy modes), and what the hub lets the operator's ServiceAccount do, by SubjectAccessReview.

use super::helm::{Helm, all, kinds, named, one, strings};
use super::{NAMESPACE, RELEASE};
use anyhow::{Context, Result};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The rules of a ClusterRole or Role, as `(apiGroup, resource) → verbs`; a verb limited to
/// `resourceNames` is `verb name` for each name.
fn rules(role: &Value) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut out: BTreeMap<_, BTreeSet<String>> = BTreeMap::new();
    for rule in role["rules"].as_array().into_iter().flatten() {
        let names = strings(&rule["resourceNames"]);
        let verbs: Vec<String> = strings(&rule["verbs"])
            .into_iter()
            .flat_map(|verb| {
                if names.is_empty() {
                    vec![verb.to_owned()]
                } else {
                    names.iter().map(|name| format!("{verb} {name}")).collect()
                }
            })
            .collect();
        for group in strings(&rule["apiGroups"]) {
            for resource in strings(&rule["resources"]) {
                out.entry((group.to_owned(), resource.to_owned()))
                    .or_default()
                    .extend(verbs.iter().cloned());
            }
        }
    }
    out
}

fn verbs(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|v| (*v).to_owned()).collect()
}

pub fn clusters_proxy_is_granted_only_in_the_proxy_modes() -> Result<()> {
    let helm = Helm::new()?;
    for (mode, proxy) in [
        ("direct", false),
        ("direct-then-proxy", true),
        ("proxy", true),
    ] {
        let objects = helm.template(
            &[],
            &["rbac.hub.create=true", &format!("connectionMode={mode}")],
        )?;
        let rules = rules(one(&objects, "ClusterRole")?);
        let granted = rules.get(&("cluster.karmada.io".into(), "clusters/proxy".into()));
        if proxy {
            assert_eq!(granted, Some(&verbs(&["get"])), "{mode}");
        } else {
            assert_eq!(granted, None, "{mode}");
        }
    }
    Ok(())
}

pub fn the_hub_rbac_is_least_privilege() -> Result<()> {
    let helm = Helm::new()?;
    let objects = helm.template(&[], &["operator.enabled=false", "rbac.hub.create=true"])?;
    assert_eq!(
        kinds(&objects),
        BTreeSet::from(
            [
                "ClusterRole",
                "ClusterRoleBinding",
                "Role",
                "RoleBinding",
                "ServiceAccount"
            ]
            .map(String::from)
        ),
        "the hub half renders no workload"
    );
    // Exactly the verbs the operator uses (the faults suite's audit-log scenario proves each is
    // used): reads by list and watch only (it reads from its caches), its own objects by
    // server-side apply (patch, and create when the apply creates one), delete of orphans only.
    let read = verbs(&["list", "watch"]);
    let own = verbs(&["list", "watch", "create", "patch", "delete"]);
    let mut wanted = BTreeMap::new();
    wanted.insert(
        ("cluster.karmada.io".into(), "clusters".into()),
        read.clone(),
    );
    for resource in ["resourcebindings", "clusterresourcebindings", "works"] {
        wanted.insert(("work.karmada.io".into(), resource.into()), read.clone());
    }
    for resource in [
        "propagationpolicies",
        "clusterpropagationpolicies",
        "overridepolicies",
        "clusteroverridepolicies",
    ] {
        wanted.insert(("policy.karmada.io".into(), resource.into()), read.clone());
    }
    for resource in [
        "clusterinsights",
        "workloadplacements",
        "clusterworkloadplacements",
        "fleetinsights",
    ] {
        let group = "insight.karmada-manager.io".to_string();
        let mut verbs = own.clone();
        if resource == "fleetinsights" {
            verbs.remove("delete");
        }
        wanted.insert((group.clone(), resource.into()), verbs);
        wanted.insert(
            (group, format!("{resource}/status")),
            BTreeSet::from(["patch".to_string()]),
        );
    }
    wanted.insert(
        ("events.k8s.io".into(), "events".into()),
        verbs(&["create", "patch"]),
    );
    assert_eq!(rules(named(&objects, "ClusterRole", RELEASE)?), wanted);

    let secrets = named(&objects, "Role", "karmada-manager-cluster-secrets")?;
    assert_eq!(secrets["metadata"]["namespace"], "karmada-cluster");
    assert_eq!(
        rules(secrets),
        BTreeMap::from([(("".into(), "secrets".into()), read)])
    );
    assert_lease_role(&objects, NAMESPACE, "karmada-manager")?;
    for binding in all(&objects, "RoleBinding")
        .into_iter()
        .chain(all(&objects, "ClusterRoleBinding"))
    {
        assert_eq!(
            binding["subjects"],
            json!([{"kind": "ServiceAccount", "name": RELEASE, "namespace": NAMESPACE}])
        );
    }

    // A configured identity instead (the user of the kubeconfig Secret): no ServiceAccount then.
    let objects = helm.template(
        &[],
        &[
            "operator.enabled=false",
            "rbac.hub.create=true",
            "rbac.hub.subjects[0].kind=User",
            "rbac.hub.subjects[0].name=karmada-manager",
            "rbac.hub.subjects[1].kind=Group",
            "rbac.hub.subjects[1].name=karmada:managers",
        ],
    )?;
    assert!(!kinds(&objects).contains("ServiceAccount"));
    let rbac = "rbac.authorization.k8s.io";
    for binding in all(&objects, "RoleBinding")
        .into_iter()
        .chain(all(&objects, "ClusterRoleBinding"))
    {
        assert_eq!(
            binding["subjects"],
            json!([
                {"kind": "User", "name": "karmada-manager", "apiGroup": rbac},
                {"kind": "Group", "name": "karmada:managers", "apiGroup": rbac},
            ])
        );
    }
    Ok(())
}

/// The Lease Role: create (RBAC cannot limit a create to a name), then get and update of the
/// one Lease, in `namespace`.
fn assert_lease_role(objects: &[Value], namespace: &str, lease: &str) -> Result<()> {
    let role = named(objects, "Role", "karmada-manager-leader-election")?;
    assert_eq!(role["metadata"]["namespace"], namespace);
    assert_eq!(
        rules(role),
        BTreeMap::from([(
            ("coordination.k8s.io".into(), "leases".into()),
            verbs(&[
                "create",
                &format!("get {lease}"),
                &format!("update {lease}")
            ])
        )])
    );
    Ok(())
}

/// The Lease Role follows the Lease's name and namespace values, and is absent without leader
/// election.
pub fn the_lease_role_follows_the_leader_election_values() -> Result<()> {
    let helm = Helm::new()?;
    let hub = ["operator.enabled=false", "rbac.hub.create=true"];
    let objects = helm.template(
        &[],
        &[
            hub[0],
            hub[1],
            "leaderElection.namespace=elections",
            "leaderElection.leaseName=fleet-writer",
        ],
    )?;
    assert_lease_role(&objects, "elections", "fleet-writer")?;
    let objects = helm.template(&[], &[hub[0], hub[1], "leaderElection.enabled=false"])?;
    assert!(
        !all(&objects, "Role")
            .iter()
            .any(|r| r["metadata"]["name"] == "karmada-manager-leader-election"),
        "no Lease Role without leader election"
    );
    assert!(all(&objects, "RoleBinding").len() == 1, "the Secrets' only");
    Ok(())
}

/// The sharding Lease Role: get, list, watch, create, update, patch and delete of every Lease in
/// `namespace` (a replica's Lease is named after its identity, so no rule can name it), bound
/// like the other Roles; no leader-only Lease Role beside it.
fn assert_sharding_role(objects: &[Value], namespace: &str) -> Result<()> {
    let role = named(objects, "Role", "karmada-manager-sharding")?;
    assert_eq!(role["metadata"]["namespace"], namespace);
    assert_eq!(
        rules(role),
        BTreeMap::from([(
            ("coordination.k8s.io".into(), "leases".into()),
            verbs(&[
                "get", "list", "watch", "create", "update", "patch", "delete"
            ])
        )])
    );
    for rule in role["rules"].as_array().context("no rules")? {
        assert!(rule["resourceNames"].is_null(), "{rule}");
    }
    let binding = named(objects, "RoleBinding", "karmada-manager-sharding")?;
    assert_eq!(binding["metadata"]["namespace"], namespace);
    assert_eq!(
        binding["roleRef"],
        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "karmada-manager-sharding"})
    );
    assert_eq!(
        binding["subjects"],
        json!([{"kind": "ServiceAccount", "name": RELEASE, "namespace": NAMESPACE}])
    );
    let names: BTreeSet<&str> = all(objects, "Role")
        .iter()
        .chain(&all(objects, "RoleBinding"))
        .filter_map(|r| r["metadata"]["name"].as_str())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "karmada-manager-cluster-secrets",
            "karmada-manager-sharding"
        ]),
        "no leader-election Role with sharding"
    );
    Ok(())
}

/// With sharding the Lease Role is the sharding one, in the Lease namespace, whatever
/// `leaderElection.enabled` says; the rest of the hub RBAC is unchanged.
pub fn the_lease_role_follows_sharding() -> Result<()> {
    let helm = Helm::new()?;
    let hub = ["operator.enabled=false", "rbac.hub.create=true"];
    let without = helm.template(&[], &hub)?;
    let objects = helm.template(&[], &[hub[0], hub[1], "sharding.enabled=true"])?;
    assert_sharding_role(&objects, NAMESPACE)?;
    let cluster_role = |objects: &[Value]| -> Result<Value> {
        Ok(named(objects, "ClusterRole", RELEASE)?.clone())
    };
    assert_eq!(cluster_role(&objects)?, cluster_role(&without)?);
    assert_eq!(
        named(&objects, "Role", "karmada-manager-cluster-secrets")?,
        named(&without, "Role", "karmada-manager-cluster-secrets")?
    );
    let objects = helm.template(
        &[],
        &[
            hub[0],
            hub[1],
            "sharding.enabled=true",
            "leaderElection.enabled=false",
            "leaderElection.namespace=elections",
            "leaderElection.leaseName=fleet-writer",
        ],
    )?;
    assert_sharding_role(&objects, "elections")?;
    // The operator and the hub halves in one release (hub = host).
    let objects = helm.template(&[], &["rbac.hub.create=true", "sharding.enabled=true"])?;
    assert_sharding_role(&objects, NAMESPACE)?;
    Ok(())
}

/// What the operator must be allowed (`+`) on the hub, and what not (`-`):
/// `± verb group/resource[/subresource] [namespace][/name]`, `core` for the core group.
/// Checked, with [`allowed`], against the release the operator scenario installs on the hub
/// (the full values: proxy mode, Lease `karmada-manager-chart-test`).
pub const ACCESS: &[&str] = &[
    "+ watch cluster.karmada.io/clusters",
    "- get cluster.karmada.io/clusters /m1",
    "+ get cluster.karmada.io/clusters/proxy /m1",
    "- create cluster.karmada.io/clusters/proxy",
    "- update cluster.karmada.io/clusters",
    "+ list work.karmada.io/resourcebindings shop",
    "- get work.karmada.io/resourcebindings shop/web",
    "- patch work.karmada.io/resourcebindings shop",
    "+ watch work.karmada.io/works karmada-es-m1",
    "+ watch policy.karmada.io/clusteroverridepolicies",
    "- delete policy.karmada.io/propagationpolicies shop",
    "+ patch insight.karmada-manager.io/clusterinsights/status",
    "- update insight.karmada-manager.io/clusterinsights/status",
    "- update insight.karmada-manager.io/clusterinsights",
    "+ delete insight.karmada-manager.io/workloadplacements shop",
    "+ create insight.karmada-manager.io/fleetinsights",
    "- delete insight.karmada-manager.io/fleetinsights",
    "+ watch core/secrets karmada-cluster",
    "- get core/secrets karmada-cluster/m1",
    "- get core/secrets karmada-system",
    "- list core/secrets",
    "+ create coordination.k8s.io/leases karmada-system",
    "+ get coordination.k8s.io/leases karmada-system/karmada-manager-chart-test",
    "+ update coordination.k8s.io/leases karmada-system/karmada-manager-chart-test",
    "- update coordination.k8s.io/leases karmada-system/kube-scheduler",
    "- delete coordination.k8s.io/leases karmada-system/karmada-manager-chart-test",
    "- list coordination.k8s.io/leases karmada-system",
    "- update coordination.k8s.io/leases kube-system/karmada-manager-chart-test",
    "+ create events.k8s.io/events shop",
    "+ patch events.k8s.io/events default",
    "- create core/events shop",
    "- list core/pods",
    "- create core/namespaces",
];

/// The Lease lines of [`ACCESS`] once the hub release has `sharding.enabled` (Lease
/// `karmada-manager-chart-test-<suffix>` for each replica): every verb sharding uses on any
/// Lease of the namespace, the leader's Lease included, and nothing elsewhere.
pub const SHARDED_LEASE_ACCESS: &[&str] = &[
    "+ list coordination.k8s.io/leases karmada-system",
    "+ watch coordination.k8s.io/leases karmada-system",
    "+ create coordination.k8s.io/leases karmada-system",
    "+ get coordination.k8s.io/leases karmada-system/karmada-manager-chart-test-5f0c2a",
    "+ update coordination.k8s.io/leases karmada-system/karmada-manager-chart-test-5f0c2a",
    "+ delete coordination.k8s.io/leases karmada-system/karmada-manager-chart-test-5f0c2a",
    "+ update coordination.k8s.io/leases karmada-system/karmada-manager-chart-test",
    "+ patch coordination.k8s.io/leases karmada-system/karmada-manager-chart-test-5f0c2a",
    "- deletecollection coordination.k8s.io/leases karmada-system",
    "- list coordination.k8s.io/leases",
    "- list coordination.k8s.io/leases kube-system",
    "- update coordination.k8s.io/leases kube-system/karmada-manager-chart-test",
    "- delete coordination.k8s.io/leases kube-system/kube-scheduler",
];

/// Whether the hub lets `user` (a ServiceAccount of [`NAMESPACE`]) do `access` (an [`ACCESS`]
/// line without its sign).
pub async fn allowed(hub: &kube::Client, user: &str, access: &str) -> Result<bool> {
    let mut words = access.split_whitespace();
    let verb = words.next().context("no verb")?;
    let mut parts = words.next().context("no resource")?.split('/');
    let (namespace, name) = words
        .next()
        .map_or(("", ""), |n| n.split_once('/').unwrap_or((n, "")));
    let group = parts.next().map(|g| if g == "core" { "" } else { g });
    let resource = parts.next();
    let subresource = parts.next().unwrap_or_default();
    let review = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(user.into()),
            groups: Some(vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{NAMESPACE}"),
                "system:authenticated".into(),
            ]),
            resource_attributes: Some(ResourceAttributes {
                verb: Some(verb.into()),
                group: group.map(str::to_owned),
                resource: resource.map(str::to_owned),
                subresource: Some(subresource.into()),
                namespace: Some(namespace.into()),
                name: Some(name.into()),
                ..ResourceAttributes::default()
            }),
            ..SubjectAccessReviewSpec::default()
        },
        ..SubjectAccessReview::default()
    };
    let review = Api::<SubjectAccessReview>::all(hub.clone())
        .create(&PostParams::default(), &review)
        .await?;
    Ok(review.status.is_some_and(|s| s.allowed))
}
