//! One malformed object cannot break a list or a watch, and the kinds satisfy what kube's
//! `Api`, watchers and reflectors require.

mod common;

use karmada_types::{
    Cluster, ClusterOverridePolicy, ClusterPropagationPolicy, ClusterResourceBinding, DecodeError,
    OverridePolicy, PropagationPolicy, ResourceBinding, Work, unguard,
};
use kube::core::{
    ClusterResourceScope, DeserializeGuard, NamespaceResourceScope, ObjectList, PartialObjectMeta,
    Resource, WatchEvent,
};

#[test]
fn a_malformed_item_does_not_break_a_list() {
    let list: ObjectList<DeserializeGuard<ResourceBinding>> =
        common::load("rb-list-one-malformed.json");
    assert_eq!(list.metadata.resource_version.as_deref(), Some("210000"));
    assert_eq!(list.items.len(), 3);

    let results: Vec<Result<ResourceBinding, DecodeError>> =
        list.items.into_iter().map(unguard).collect();

    let api = results[0].as_ref().unwrap();
    assert_eq!(api.metadata.name.as_deref(), Some("api-deployment"));
    assert_eq!(api.spec.replicas, 2);

    let err = results[1].as_ref().unwrap_err();
    assert_eq!(err.kind, "ResourceBinding");
    assert_eq!(err.namespace.as_deref(), Some("shop"));
    assert_eq!(err.name.as_deref(), Some("cart-deployment"));
    // The field from the root, then serde-value's wording ("Invalid type string \"three\".
    // Expected i32").
    assert!(err.message.contains("\"three\""), "{err}");
    assert!(err.message.contains("i32"), "{err}");
    let shown = err.to_string();
    assert!(
        shown.starts_with("ResourceBinding shop/cart-deployment: spec.replicas: Invalid type"),
        "{shown}"
    );

    let db = results[2].as_ref().unwrap();
    assert_eq!(db.spec.resource.kind, "StatefulSet");
    assert_eq!(
        db.status.aggregated_status[0]
            .replica_status()
            .unwrap()
            .ready_replicas,
        Some(1)
    );
}

/// The same list decoded without the guard fails as a whole — which is why the guard matters.
#[test]
fn without_the_guard_the_whole_list_fails() {
    let text = common::fixture_text("rb-list-one-malformed.json");
    assert!(serde_json::from_str::<ObjectList<ResourceBinding>>(&text).is_err());
}

#[test]
fn a_malformed_object_does_not_break_a_watch() {
    let text = common::fixture_text("rb-watch-events.jsonl");
    let events: Vec<WatchEvent<DeserializeGuard<ResourceBinding>>> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("every event line decodes"))
        .collect();
    assert_eq!(events.len(), 4);

    let WatchEvent::Added(added) = &events[0] else {
        panic!("expected ADDED, got {:?}", events[0]);
    };
    assert_eq!(added.0.as_ref().unwrap().spec.replicas, 2);

    let WatchEvent::Modified(modified) = events[1].clone() else {
        panic!("expected MODIFIED, got {:?}", events[1]);
    };
    // The guard still exposes the bad object's identity (a watcher keys its store on it).
    assert_eq!(modified.meta().name.as_deref(), Some("search-deployment"));
    assert_eq!(modified.meta().resource_version.as_deref(), Some("210002"));
    let err = unguard(modified).unwrap_err();
    assert_eq!(err.namespace.as_deref(), Some("catalog"));
    assert!(
        err.to_string().starts_with(
            "ResourceBinding catalog/search-deployment: spec.clusters: Invalid type string"
        ),
        "{err}"
    );

    let WatchEvent::Bookmark(bookmark) = &events[2] else {
        panic!("expected BOOKMARK, got {:?}", events[2]);
    };
    assert_eq!(bookmark.metadata.resource_version, "210003");

    let WatchEvent::Deleted(deleted) = events[3].clone() else {
        panic!("expected DELETED, got {:?}", events[3]);
    };
    let deleted = unguard(deleted).unwrap();
    assert_eq!(
        deleted.status.aggregated_status[0].cluster_name,
        "member-eu-1"
    );
}

#[test]
fn a_malformed_cluster_is_named_without_namespace() {
    let guard: DeserializeGuard<Cluster> = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "member-x"},
        "spec": {"zones": "eu-west-1a"}
    }))
    .unwrap();
    let err = unguard(guard).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Cluster member-x: spec.zones: Invalid type string \"eu-west-1a\". Expected a sequence"
    );
}

/// A value Karmada's CRD schema lets through (`format: int32` is not enforced by the API
/// server) but that does not fit the field: the error names the field, deep down too.
#[test]
fn a_malformed_policy_names_the_field() {
    let guard: DeserializeGuard<PropagationPolicy> = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "web-pp", "namespace": "shop"},
        "spec": {"priority": 3_000_000_000_u64}
    }))
    .unwrap();
    let err = unguard(guard).unwrap_err();
    assert_eq!(
        err.to_string(),
        "PropagationPolicy shop/web-pp: spec.priority: Invalid value integer `3000000000`. \
         Expected i32"
    );
    let guard: DeserializeGuard<ClusterPropagationPolicy> =
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "global"},
            "spec": {"placement": {"spreadConstraints": [{"maxGroups": 1}, {"maxGroups": 1.5}]}}
        }))
        .unwrap();
    let err = unguard(guard).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "ClusterPropagationPolicy global: spec.placement.spreadConstraints[1].maxGroups: "
        ),
        "{err}"
    );
}

/// What `Api<K>`, `watcher` and `reflector::Store<K>` require, checked at compile time.
fn api_compatible<K>()
where
    K: Resource<DynamicType = ()>
        + Clone
        + std::fmt::Debug
        + serde::de::DeserializeOwned
        + Send
        + Sync
        + 'static,
{
}

fn namespaced<K: Resource<Scope = NamespaceResourceScope>>() {}
fn cluster_scoped<K: Resource<Scope = ClusterResourceScope>>() {}

#[test]
fn kinds_fit_kube() {
    api_compatible::<Cluster>();
    api_compatible::<ResourceBinding>();
    api_compatible::<ClusterResourceBinding>();
    api_compatible::<PropagationPolicy>();
    api_compatible::<ClusterPropagationPolicy>();
    api_compatible::<OverridePolicy>();
    api_compatible::<ClusterOverridePolicy>();
    api_compatible::<Work>();
    api_compatible::<PartialObjectMeta<Work>>();
    api_compatible::<DeserializeGuard<ResourceBinding>>();

    cluster_scoped::<Cluster>();
    namespaced::<ResourceBinding>();
    cluster_scoped::<ClusterResourceBinding>();
    namespaced::<PropagationPolicy>();
    cluster_scoped::<ClusterPropagationPolicy>();
    namespaced::<OverridePolicy>();
    cluster_scoped::<ClusterOverridePolicy>();
    namespaced::<Work>();

    let paths = [
        Cluster::url_path(&(), None),
        ResourceBinding::url_path(&(), Some("shop")),
        ClusterResourceBinding::url_path(&(), None),
        PropagationPolicy::url_path(&(), Some("shop")),
        ClusterPropagationPolicy::url_path(&(), None),
        OverridePolicy::url_path(&(), Some("shop")),
        ClusterOverridePolicy::url_path(&(), None),
        Work::url_path(&(), Some("karmada-es-m1")),
    ];
    assert_eq!(
        paths,
        [
            "/apis/cluster.karmada.io/v1alpha1/clusters",
            "/apis/work.karmada.io/v1alpha2/namespaces/shop/resourcebindings",
            "/apis/work.karmada.io/v1alpha2/clusterresourcebindings",
            "/apis/policy.karmada.io/v1alpha1/namespaces/shop/propagationpolicies",
            "/apis/policy.karmada.io/v1alpha1/clusterpropagationpolicies",
            "/apis/policy.karmada.io/v1alpha1/namespaces/shop/overridepolicies",
            "/apis/policy.karmada.io/v1alpha1/clusteroverridepolicies",
            "/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-m1/works",
        ]
    );
}
