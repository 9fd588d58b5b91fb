use super::pods::label_selector;
use super::*;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use karmada_manager_api::{ClusterPlacement, WorkloadPlacementStatus, WorkloadReference};
use serde_json::json;
use std::time::Duration;

fn placement(clusters: &[&str]) -> Placement {
    Placement {
        kind: "WorkloadPlacement",
        namespace: Some("shop".into()),
        name: "web-deployment".into(),
        status: WorkloadPlacementStatus {
            workload: WorkloadReference {
                kind: "Deployment".into(),
                name: "web".into(),
                namespace: Some("shop".into()),
                display: "Deployment/web".into(),
                ..WorkloadReference::default()
            },
            clusters: clusters
                .iter()
                .map(|name| ClusterPlacement {
                    name: (*name).into(),
                    ..ClusterPlacement::default()
                })
                .collect(),
            ..WorkloadPlacementStatus::default()
        },
    }
}

fn pod(cluster: &str, name: &str, containers: &[&str]) -> MemberPod {
    MemberPod {
        cluster: cluster.into(),
        name: name.into(),
        containers: containers.iter().map(|c| (*c).into()).collect(),
    }
}

#[test]
fn the_clusters_are_the_placements_or_the_one_asked_for() {
    let both = placement(&["m1", "m2"]);
    assert_eq!(targets(&both, None).unwrap(), ["m1", "m2"]);
    assert_eq!(targets(&both, Some("m2")).unwrap(), ["m2"]);
    let elsewhere = targets(&both, Some("m9")).unwrap_err();
    assert_eq!(elsewhere.exit_code(), 3);
    assert_eq!(
        elsewhere.to_string(),
        "Deployment/web is not placed on cluster m9; it is on m1, m2"
    );
    assert_eq!(targets(&placement(&[]), None).unwrap_err().exit_code(), 3);
}

#[test]
fn only_kinds_with_pods_of_their_own() {
    assert_eq!(
        PodOwner::of("StatefulSet", "StatefulSet/db").unwrap(),
        PodOwner::StatefulSet
    );
    let error = PodOwner::of("ConfigMap", "ConfigMap/settings").unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(
        error
            .to_string()
            .starts_with("ConfigMap/settings has no pods")
    );
}

#[test]
fn prefixes_name_the_container_only_when_there_is_a_choice() {
    let pods = [
        pod("m1", "web-a", &["app"]),
        pod("m2", "web-b", &["app", "sidecar"]),
    ];
    let (picked, missing) = pick_containers(&pods, None, "Deployment/web").unwrap();
    let prefixes: Vec<&str> = picked.iter().map(|p| p.prefix.as_str()).collect();
    assert_eq!(
        prefixes,
        ["[m1/web-a]", "[m2/web-b/app]", "[m2/web-b/sidecar]"]
    );
    assert!(missing.is_empty());

    let (picked, missing) = pick_containers(&pods, Some("sidecar"), "Deployment/web").unwrap();
    let picked: Vec<(&str, &str)> = picked
        .iter()
        .map(|p| (p.container.as_str(), p.prefix.as_str()))
        .collect();
    assert_eq!(picked, [("sidecar", "[m2/web-b]")]);
    assert_eq!(
        missing[0].to_string(),
        "cluster m1: pod web-a has no container \"sidecar\" (it has app)"
    );
}

#[test]
fn a_container_no_pod_has_is_a_usage_error() {
    let pods = [pod("m1", "web-a", &["app", "sidecar"])];
    let error = pick_containers(&pods, Some("nope"), "Deployment/web").unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert_eq!(
        error.to_string(),
        "no pod of Deployment/web has a container \"nope\"; its containers: app, sidecar"
    );
}

#[test]
fn tail_and_since_become_the_apis_parameters() {
    let args = |tail, since| LogsArgs {
        workload: "deploy/web".into(),
        cluster: None,
        container: None,
        follow: true,
        tail,
        since,
        max_log_requests: 50,
    };
    let params = log_params(&args(Some(1), Some(Duration::from_millis(1500))));
    assert_eq!(
        (params.follow, params.tail_lines, params.since_seconds),
        (true, Some(1), Some(2))
    );
    let everything = log_params(&args(Some(-1), None));
    assert_eq!(
        (everything.tail_lines, everything.since_seconds),
        (None, None)
    );
}

#[test]
fn the_members_selector_is_the_query() {
    let selector: LabelSelector = serde_json::from_value(json!({
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["front"]}],
    }))
    .unwrap();
    let query = label_selector(selector).unwrap().to_string();
    assert!(
        query.contains("app=web") && query.contains("tier in (front)"),
        "{query}"
    );
    assert!(label_selector(LabelSelector::default()).is_err());
}

#[test]
fn a_refusal_names_the_cluster_the_verb_and_the_resource() {
    let status = |code: u16, message: &str| {
        kube::Error::Api(
            kube::core::Status::failure(message, "")
                .with_code(code)
                .boxed(),
        )
    };
    let refused = through_proxy(status(403, "no"), "m2", "list", "pods");
    assert_eq!(refused.exit_code(), 5);
    assert!(
        refused.to_string().starts_with(
            "forbidden: you cannot list pods in cluster m2 through Karmada's cluster proxy"
        ),
        "{refused}"
    );
    let down = through_proxy(status(503, "no endpoint"), "m2", "get", "deployments");
    assert_eq!(down.exit_code(), 6);
    assert!(
        down.to_string().contains("cluster m2 does not answer"),
        "{down}"
    );
}

#[test]
fn any_failure_sets_the_exit_code() {
    assert!(outcome(Vec::new(), (0, 2), 4).is_ok());
    let first = PluginError::Forbidden {
        verb: "get",
        resource: "pods/log".into(),
        place: "in cluster m2".into(),
        message: String::new(),
    };
    let error = outcome(vec![first, PluginError::Api("x".into())], (1, 2), 3).unwrap_err();
    assert_eq!(error.exit_code(), 5);
    assert_eq!(
        error.to_string(),
        "the logs are incomplete: 1 of 2 clusters could not be read, 1 of 3 logs failed (each reported above)"
    );
}
