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

/// The rules of the ClusterRole, as `(apiGroup, resource) → verbs`.
fn rules(role: &Value) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut out: BTreeMap<_, BTreeSet<String>> = BTreeMap::new();
    for rule in role["rules"].as_array().into_iter().flatten() {
        for group in strings(&rule["apiGroups"]) {
            for resource in strings(&rule["resources"]) {
                out.entry((group.to_owned(), resource.to_owned()))
                    .or_default()
                    .extend(strings(&rule["verbs"]).into_iter().map(str::to_owned));
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
    let read = verbs(&["get", "list", "watch"]);
    let own = verbs(&[
        "get", "list", "watch", "create", "update", "patch", "delete",
    ]);
    let status = verbs(&["get", "update", "patch"]);
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
        wanted.insert((group.clone(), resource.into()), own.clone());
        wanted.insert((group, format!("{resource}/status")), status.clone());
    }
    for group in ["", "events.k8s.io"] {
        wanted.insert((group.into(), "events".into()), verbs(&["create", "patch"]));
    }
    assert_eq!(rules(named(&objects, "ClusterRole", RELEASE)?), wanted);

    let secrets = named(&objects, "Role", "karmada-manager-cluster-secrets")?;
    assert_eq!(secrets["metadata"]["namespace"], "karmada-cluster");
    assert_eq!(
        rules(secrets),
        BTreeMap::from([(("".into(), "secrets".into()), read)])
    );
    let leases = named(&objects, "Role", "karmada-manager-leader-election")?;
    assert_eq!(leases["metadata"]["namespace"], NAMESPACE);
    assert_eq!(
        rules(leases),
        BTreeMap::from([(("coordination.k8s.io".into(), "leases".into()), own)])
    );
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

/// What the operator must be allowed (`+`) on the hub, and what not (`-`):
/// `± verb group/resource[/subresource] [namespace]`, `core` for the core group. Checked, with
/// [`allowed`], against the release the operator scenario installs on the hub.
pub const ACCESS: &[&str] = &[
    "+ watch cluster.karmada.io/clusters",
    "+ get cluster.karmada.io/clusters/proxy",
    "- create cluster.karmada.io/clusters/proxy",
    "- update cluster.karmada.io/clusters",
    "+ list work.karmada.io/resourcebindings shop",
    "- patch work.karmada.io/resourcebindings shop",
    "+ watch work.karmada.io/works karmada-es-m1",
    "+ watch policy.karmada.io/clusteroverridepolicies",
    "- delete policy.karmada.io/propagationpolicies shop",
    "+ patch insight.karmada-manager.io/clusterinsights/status",
    "+ delete insight.karmada-manager.io/workloadplacements shop",
    "+ create insight.karmada-manager.io/fleetinsights",
    "+ watch core/secrets karmada-cluster",
    "- get core/secrets karmada-system",
    "- list core/secrets",
    "+ update coordination.k8s.io/leases karmada-system",
    "- update coordination.k8s.io/leases kube-system",
    "+ create core/events shop",
    "- list core/pods",
    "- create core/namespaces",
];

/// Whether the hub lets `user` (a ServiceAccount of [`NAMESPACE`]) do `access` (an [`ACCESS`]
/// line without its sign).
pub async fn allowed(hub: &kube::Client, user: &str, access: &str) -> Result<bool> {
    let mut words = access.split_whitespace();
    let verb = words.next().context("no verb")?;
    let mut parts = words.next().context("no resource")?.split('/');
    let namespace = words.next().unwrap_or_default();
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
