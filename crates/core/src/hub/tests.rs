//! The hub indexes, fed with events as the watches deliver them.

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use karmada_types::well_known::ClaimingPolicy;
use karmada_types::{ClusterResourceBinding, ResourceBinding};
use serde_json::{Value, json};

use super::*;
use crate::keys::{BindingKind, BindingRef, BindingSource, PermanentId, WorkloadKey};

fn rb(name: &str, clusters: &[&str], evicting: &[&str], id: &str) -> ResourceBinding {
    serde_json::from_value(json!({
        "metadata": {
            "name": format!("{name}-deployment"), "namespace": "shop",
            "labels": {"resourcebinding.karmada.io/permanent-id": id},
            "annotations": {"propagationpolicy.karmada.io/name": "web-pp"},
        },
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": name},
            "clusters": clusters.iter().map(|c| json!({"name": c})).collect::<Vec<_>>(),
            "gracefulEvictionTasks": evicting.iter().map(|c| json!({"fromCluster": c})).collect::<Vec<_>>(),
        },
    }))
    .expect("binding")
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn reference(name: &str) -> BindingRef {
    BindingRef {
        kind: BindingKind::ResourceBinding,
        namespace: "shop".into(),
        name: format!("{name}-deployment"),
    }
}

fn sorted<'a>(refs: impl Iterator<Item = &'a BindingRef>) -> Vec<String> {
    let mut names: Vec<String> = refs.map(|r| r.name.clone()).collect();
    names.sort();
    names
}

#[test]
fn bindings_are_found_by_cluster_workload_claim_and_id() {
    let mut index = BindingIndex::new();
    let web = rb("web", &["m1", "m2"], &["m3"], "id-web");
    let cart = rb("cart", &["m2"], &[], "id-cart");
    assert_eq!(
        index.apply(&BindingSource::from(&web)),
        set(&["m1", "m2", "m3"])
    );
    assert_eq!(index.apply(&BindingSource::from(&cart)), set(&["m2"]));
    // Re-applying an unchanged binding touches nothing.
    assert_eq!(index.apply(&BindingSource::from(&cart)), set(&[]));

    assert_eq!(
        sorted(index.targeting("m2")),
        ["cart-deployment", "web-deployment"]
    );
    assert_eq!(sorted(index.targeting("m3")), ["web-deployment"]);
    let key = WorkloadKey::new("apps/v1", "Deployment", "shop", "web");
    assert_eq!(sorted(index.of_workload(&key)), ["web-deployment"]);
    let claim = ClaimingPolicy::Propagation {
        namespace: "shop".into(),
        name: "web-pp".into(),
    };
    assert_eq!(
        sorted(index.claimed_by(&claim)),
        ["cart-deployment", "web-deployment"]
    );
    let id = permanent_id(BindingKind::ResourceBinding, "id-web");
    assert_eq!(index.with_id(&id), Some(&reference("web")));
    // The same id as a ClusterResourceBinding label is another binding's.
    assert_eq!(
        index.with_id(&permanent_id(BindingKind::ClusterResourceBinding, "id-web")),
        None
    );

    // Rescheduled from m1 to m4: both sides are touched, the reverse maps follow.
    let moved = rb("web", &["m2", "m4"], &[], "id-web");
    assert_eq!(
        index.apply(&BindingSource::from(&moved)),
        set(&["m1", "m2", "m3", "m4"])
    );
    assert_eq!(sorted(index.targeting("m1")), Vec::<String>::new());
    assert_eq!(sorted(index.targeting("m4")), ["web-deployment"]);

    assert_eq!(index.delete(&reference("web")), set(&["m2", "m4"]));
    assert_eq!(index.with_id(&id), None);
    assert_eq!(sorted(index.of_workload(&key)), Vec::<String>::new());
    assert_eq!(index.len(), 1);
}

#[test]
fn a_relist_forgets_bindings_it_did_not_mention_per_kind() {
    let mut index = BindingIndex::new();
    index.apply(&BindingSource::from(&rb("web", &["m1"], &[], "a")));
    index.apply(&BindingSource::from(&rb("cart", &["m2"], &[], "b")));
    let namespace: ClusterResourceBinding = serde_json::from_value(json!({
        "metadata": {"name": "shop-namespace"},
        "spec": {"resource": {"apiVersion": "v1", "kind": "Namespace", "name": "shop"},
                 "clusters": [{"name": "m1"}]},
    }))
    .expect("crb");
    index.apply(&BindingSource::from(&namespace));

    index.begin_resync(BindingKind::ResourceBinding);
    index.apply(&BindingSource::from(&rb("cart", &["m2"], &[], "b")));
    let (gone, clusters) = index.end_resync(BindingKind::ResourceBinding);
    assert_eq!(gone, vec![reference("web")]);
    assert_eq!(clusters, set(&["m1"]));
    // The ClusterResourceBinding was not part of that relist and stays.
    assert_eq!(sorted(index.targeting("m1")), ["shop-namespace"]);
    assert_eq!(index.len(), 2);
}

#[test]
fn a_malformed_binding_exists_but_points_at_nothing() {
    let mut index = BindingIndex::new();
    index.apply(&BindingSource::from(&rb("web", &["m1"], &[], "a")));
    assert_eq!(index.apply_malformed(reference("web")), set(&["m1"]));
    assert_eq!(index.len(), 1);
    assert_eq!(sorted(index.targeting("m1")), Vec::<String>::new());
}

fn work(namespace: &str, name: &str, labels: Value, annotations: Value) -> ObjectMeta {
    serde_json::from_value(json!({
        "name": name, "namespace": namespace, "labels": labels, "annotations": annotations,
    }))
    .expect("work metadata")
}

fn permanent_id(kind: BindingKind, id: &str) -> PermanentId {
    PermanentId {
        kind,
        id: id.to_owned(),
    }
}

fn rb_id(id: &str) -> PermanentId {
    permanent_id(BindingKind::ResourceBinding, id)
}

#[test]
fn works_give_overrides_per_cluster_and_problems_for_bad_annotations() {
    let mut index = WorkIndex::new();
    let label = json!({"resourcebinding.karmada.io/permanent-id": "id-web"});
    let m1 = work(
        "karmada-es-m1",
        "web-1",
        label.clone(),
        json!({
            "policy.karmada.io/applied-overrides": r#"[{"policyName":"web-eu","overriders":{"plaintext":[{"path":"/x"}]}}]"#,
            "policy.karmada.io/applied-cluster-overrides": r#"[{"policyName":"mirror"}]"#,
        }),
    );
    let m2 = work(
        "karmada-es-m2",
        "web-1",
        label.clone(),
        json!({"policy.karmada.io/applied-overrides": "[{\"policy\": 1}"}),
    );
    assert_eq!(index.apply(&m1), BTreeSet::from([rb_id("id-web")]));
    assert_eq!(index.apply(&m2), BTreeSet::from([rb_id("id-web")]));
    // Only a change of what is kept touches the binding (Works change status all the time).
    assert_eq!(index.apply(&m1), BTreeSet::new());

    let observed = index.overrides_of(&rb_id("id-web"));
    let on_m1 = &observed.overrides["m1"];
    assert_eq!(on_m1.overrides[0].policy_name, "web-eu");
    assert_eq!(
        on_m1.overrides[0].overriders,
        Value::Null,
        "overriders dropped"
    );
    assert_eq!(on_m1.cluster_overrides[0].policy_name, "mirror");
    assert!(!observed.overrides.contains_key("m2"));
    let problem = &observed.problems["m2"][0];
    assert_eq!(problem.reason, "MalformedOverrides");
    assert!(
        problem.message.starts_with(
            "Work karmada-es-m2/web-1: annotation policy.karmada.io/applied-overrides:"
        ),
        "{}",
        problem.message
    );

    // Fixed: the problem goes.
    let fixed = work("karmada-es-m2", "web-1", label, json!({}));
    assert_eq!(index.apply(&fixed), BTreeSet::from([rb_id("id-web")]));
    assert!(index.overrides_of(&rb_id("id-web")).problems.is_empty());
}

#[test]
fn works_that_are_no_bindings_are_ignored_and_relists_sweep() {
    let mut index = WorkIndex::new();
    let label = json!({"resourcebinding.karmada.io/permanent-id": "id-web"});
    assert_eq!(
        index.apply(&work("default", "w", label.clone(), json!({}))),
        BTreeSet::new(),
        "not an execution namespace"
    );
    assert_eq!(
        index.apply(&work("karmada-es-m1", "x", json!({}), json!({}))),
        BTreeSet::new(),
        "no permanent id"
    );
    let crb = json!({"clusterresourcebinding.karmada.io/permanent-id": "id-ns"});
    assert_eq!(
        index.apply(&work("karmada-es-m1", "ns", crb, json!({}))),
        BTreeSet::from([permanent_id(BindingKind::ClusterResourceBinding, "id-ns")])
    );
    index.apply(&work("karmada-es-m1", "web", label, json!({})));
    assert!(!index.is_synced());

    index.begin_resync();
    index.apply(&work(
        "karmada-es-m1",
        "ns",
        json!({"clusterresourcebinding.karmada.io/permanent-id": "id-ns"}),
        json!({}),
    ));
    assert_eq!(index.end_resync(), BTreeSet::from([rb_id("id-web")]));
    assert!(index.is_synced());
    assert_eq!(index.len(), 1);
    assert_eq!(
        index.overrides_of(&rb_id("id-web")),
        ObservedOverrides::default()
    );
}
