//! What `helm template` renders for the default values and for the full set: the Deployment,
//! its pod's security contexts, the Service and every optional object.

use super::dashboard::dashboard_json;
use super::helm::{Helm, args, container, kinds, one, strings};
use super::values::{FULL_ARGS, FULL_VALUES};
use super::{NAMESPACE, RELEASE};
use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The pod and container security contexts are what the restricted Pod Security Standard asks
/// for, plus a read-only root filesystem.
fn assert_restricted(objects: &[Value]) -> Result<()> {
    let pod = &one(objects, "Deployment")?["spec"]["template"]["spec"];
    let security = &container(objects)?["securityContext"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["securityContext"]["runAsUser"], 65532);
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    assert_eq!(security["runAsNonRoot"], true);
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(strings(&security["capabilities"]["drop"]), ["ALL"]);
    assert!(security["capabilities"]["add"].is_null());
    assert_eq!(security["seccompProfile"]["type"], "RuntimeDefault");
    assert!(security["privileged"].is_null() || security["privileged"] == false);
    Ok(())
}

pub fn default_values_render_the_operator_in_cluster_with_a_single_replica() -> Result<()> {
    let helm = Helm::new()?;
    let objects = helm.template(&[], &[])?;
    assert_eq!(
        kinds(&objects),
        BTreeSet::from(["Deployment", "Service", "ServiceAccount"].map(String::from)),
        "nothing optional by default, and no hub RBAC"
    );
    let deployment = one(&objects, "Deployment")?;
    assert_eq!(deployment["metadata"]["name"], RELEASE);
    assert_eq!(deployment["metadata"]["namespace"], NAMESPACE);
    assert_eq!(deployment["spec"]["replicas"], 1);
    let pod = &deployment["spec"]["template"]["spec"];
    // No kubeconfig Secret: the in-cluster ServiceAccount, whose token is mounted.
    assert_eq!(pod["automountServiceAccountToken"], true);
    assert_eq!(pod["serviceAccountName"], RELEASE);
    assert!(pod["volumes"].is_null());
    let args = args(&objects)?;
    assert_eq!(args[0], "run");
    assert!(!args.iter().any(|a| a.starts_with("--kubeconfig")));
    assert!(
        !args.iter().any(|a| a.starts_with("--leader-elect")),
        "one replica: no election"
    );
    for expected in [
        "--connection-mode=direct",
        "--node-detail-limit=200",
        "--max-status-bytes=524288",
        "--placement-node-limit=20",
        "--placement-pod-limit=50",
        "--placement-concurrency=8",
        "--member-sync-concurrency=4",
        "--top-clusters-limit=10",
        "--write-interval=1s",
        "--drift-writes-kib-per-second=256",
        "--unreachable-grace=30s",
        "--hub-unready-after=30s",
        "--wedged-after=5m",
        "--log-format=json",
        "--log-level=info",
        "--admin-address=0.0.0.0:8080",
    ] {
        assert!(
            args.iter().any(|a| a == expected),
            "{expected} missing from {args:?}"
        );
    }
    let container = container(&objects)?;
    // POD_NAME (the Lease identity) and POD_NAMESPACE (the default Lease namespace) from the
    // downward API.
    let env = container["env"].as_array().context("no env")?;
    for (name, field) in [
        ("POD_NAME", "metadata.name"),
        ("POD_NAMESPACE", "metadata.namespace"),
    ] {
        let var = env.iter().find(|e| e["name"] == name).context(name)?;
        assert_eq!(var["valueFrom"]["fieldRef"]["fieldPath"], field);
    }
    assert_eq!(container["ports"][0]["name"], "http-admin");
    assert_eq!(container["ports"][0]["containerPort"], 8080);
    for (probe, path) in [
        ("startupProbe", "/livez"),
        ("livenessProbe", "/livez"),
        ("readinessProbe", "/readyz"),
    ] {
        assert_eq!(container[probe]["httpGet"]["path"], path, "{probe}");
        assert_eq!(container[probe]["httpGet"]["port"], "http-admin", "{probe}");
    }
    assert!(container["resources"]["requests"]["memory"].is_string());
    assert_restricted(&objects)?;
    let service = one(&objects, "Service")?;
    assert_eq!(service["spec"]["ports"][0]["name"], "http-admin");
    assert_eq!(service["spec"]["ports"][0]["port"], 8080);
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http-admin");
    assert_eq!(
        service["spec"]["selector"],
        deployment["spec"]["selector"]["matchLabels"]
    );
    Ok(())
}

pub fn full_values_render_every_option_and_set_every_flag() -> Result<()> {
    let helm = Helm::new()?;
    let objects = helm.template(&[FULL_VALUES], &[])?;
    for kind in [
        "Deployment",
        "Service",
        "ServiceAccount",
        "ServiceMonitor",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ConfigMap",
        "ClusterRole",
        "ClusterRoleBinding",
        "Role",
        "RoleBinding",
        "Secret",
    ] {
        ensure!(kinds(&objects).contains(kind), "no {kind} rendered");
    }
    assert_eq!(args(&objects)?, FULL_ARGS);

    // The kubeconfig Secret, read-only, and no host-cluster token.
    let deployment = one(&objects, "Deployment")?;
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(deployment["spec"]["replicas"], 2);
    assert_eq!(pod["automountServiceAccountToken"], false);
    let volume = &pod["volumes"][0];
    assert_eq!(volume["secret"]["secretName"], "karmada-kubeconfig");
    assert_eq!(volume["secret"]["items"][0]["key"], "karmada.config");
    assert_eq!(volume["secret"]["items"][0]["path"], "kubeconfig");
    let mount = &container(&objects)?["volumeMounts"][0];
    assert_eq!(mount["name"], volume["name"]);
    assert_eq!(mount["mountPath"], "/etc/karmada-manager/hub");
    assert_eq!(mount["readOnly"], true);
    assert_eq!(container(&objects)?["ports"][0]["containerPort"], 9090);
    assert_restricted(&objects)?;

    let selector = &deployment["spec"]["selector"]["matchLabels"];
    let pdb = one(&objects, "PodDisruptionBudget")?;
    assert_eq!(pdb["spec"]["minAvailable"], 1);
    assert_eq!(&pdb["spec"]["selector"]["matchLabels"], selector);

    let monitor = one(&objects, "ServiceMonitor")?;
    assert_eq!(monitor["metadata"]["labels"]["release"], "prometheus");
    assert_eq!(monitor["spec"]["endpoints"][0]["port"], "http-admin");
    assert_eq!(monitor["spec"]["endpoints"][0]["path"], "/metrics");
    assert_eq!(&monitor["spec"]["selector"]["matchLabels"], selector);

    let policy = one(&objects, "NetworkPolicy")?;
    assert_eq!(&policy["spec"]["podSelector"]["matchLabels"], selector);
    assert_eq!(strings(&policy["spec"]["policyTypes"]), ["Ingress"]);
    let ingress = &policy["spec"]["ingress"][0];
    assert_eq!(ingress["ports"][0]["port"], "http-admin");
    assert_eq!(
        ingress["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
        "monitoring"
    );
    assert_eq!(
        ingress["from"][1]["podSelector"]["matchLabels"]["app.kubernetes.io/name"],
        "prometheus"
    );

    let dashboard = one(&objects, "ConfigMap")?;
    assert_eq!(dashboard["metadata"]["labels"]["grafana_dashboard"], "1");
    assert_eq!(
        dashboard["metadata"]["annotations"]["grafana_folder"],
        "Karmada"
    );
    let embedded: Value = serde_json::from_str(
        dashboard["data"]["karmada-manager.json"]
            .as_str()
            .context("no dashboard JSON in the ConfigMap")?,
    )?;
    assert_eq!(
        embedded,
        dashboard_json()?,
        "the ConfigMap carries the file as is"
    );

    // Hub RBAC, bound to the ServiceAccount by default.
    let binding = one(&objects, "ClusterRoleBinding")?;
    assert_eq!(
        binding["subjects"],
        json!([{"kind": "ServiceAccount", "name": RELEASE, "namespace": NAMESPACE}])
    );
    let token = one(&objects, "Secret")?;
    assert_eq!(token["type"], "kubernetes.io/service-account-token");
    assert_eq!(
        token["metadata"]["annotations"]["kubernetes.io/service-account.name"],
        RELEASE
    );
    Ok(())
}

/// `FULL_ARGS` with `--sharding` in place of `--leader-elect`: the same Lease values, which
/// place and time each replica's own Lease.
pub fn sharded_full_args() -> Vec<&'static str> {
    FULL_ARGS
        .iter()
        .map(|arg| match *arg {
            "--leader-elect" => "--sharding",
            arg => arg,
        })
        .collect()
}

/// Sharding on: `--sharding` and never `--leader-elect` (they conflict), with the Lease values,
/// whatever `replicaCount` and `leaderElection.enabled` are; the PodDisruptionBudget as before.
pub fn sharding_replaces_leader_election_and_keeps_the_lease_values() -> Result<()> {
    let helm = Helm::new()?;
    let sharding = "sharding:\n  enabled: true\n";
    let objects = helm.template(&[FULL_VALUES, sharding], &[])?;
    assert_eq!(args(&objects)?, sharded_full_args());
    assert_eq!(one(&objects, "Deployment")?["spec"]["replicas"], 2);
    let pdb = one(&objects, "PodDisruptionBudget")?;
    assert_eq!(pdb["spec"]["minAvailable"], 1);
    assert_eq!(
        pdb["spec"]["selector"]["matchLabels"],
        one(&objects, "Deployment")?["spec"]["selector"]["matchLabels"]
    );

    // One replica, election off, default Lease values: still sharding (the Deployment may be
    // scaled later), with the Lease in the release namespace; no PDB for one pod.
    for sets in [
        &["sharding.enabled=true"][..],
        &["sharding.enabled=true", "leaderElection.enabled=false"][..],
        &["sharding.enabled=true", "replicaCount=3"][..],
        &[
            "sharding.enabled=true",
            "replicaCount=3",
            "leaderElection.enabled=false",
        ][..],
    ] {
        let objects = helm.template(&[], sets)?;
        let args = args(&objects)?;
        let lease: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .skip_while(|a| *a != "--sharding")
            .collect();
        assert_eq!(
            lease,
            [
                "--sharding",
                &format!("--leader-election-namespace={NAMESPACE}"),
                "--leader-election-lease-name=karmada-manager",
                "--leader-election-lease-duration=15s",
                "--leader-election-renew-deadline=10s",
                "--leader-election-retry-period=2s",
            ],
            "{sets:?}: {args:?}"
        );
        assert!(
            !args.iter().any(|a| a == "--leader-elect"),
            "{sets:?}: --leader-elect conflicts with --sharding"
        );
        let replicas = one(&objects, "Deployment")?["spec"]["replicas"]
            .as_i64()
            .context("replicas")?;
        assert_eq!(
            kinds(&objects).contains("PodDisruptionBudget"),
            replicas > 1,
            "{sets:?}"
        );
    }
    Ok(())
}

/// Sharding off (the default) renders what the chart rendered before it existed: no
/// `--sharding`, `--leader-elect` exactly when election is on with more than one replica, the
/// leader-only Lease Role and no sharding Role (the Lease Role's rules: `rbac.rs`).
pub fn sharding_off_renders_as_before() -> Result<()> {
    let helm = Helm::new()?;
    for (values, sets, elect) in [
        ("{}", &[][..], false),
        ("{}", &["replicaCount=3"][..], true),
        (
            "{}",
            &["replicaCount=3", "leaderElection.enabled=false"][..],
            false,
        ),
        (FULL_VALUES, &[][..], true),
        (
            "{}",
            &["operator.enabled=false", "rbac.hub.create=true"][..],
            false,
        ),
    ] {
        let implicit = helm.template(&[values], sets)?;
        let explicit = helm.template(&[values, "sharding:\n  enabled: false\n"], sets)?;
        assert_eq!(implicit, explicit, "{sets:?}: sharding is off by default");
        let roles: Vec<&str> = super::helm::all(&implicit, "Role")
            .iter()
            .filter_map(|r| r["metadata"]["name"].as_str())
            .collect();
        assert!(
            !roles.contains(&"karmada-manager-sharding"),
            "{sets:?}: {roles:?}"
        );
        if !kinds(&implicit).contains("Deployment") {
            assert!(roles.contains(&"karmada-manager-leader-election"));
            continue;
        }
        let args = args(&implicit)?;
        assert!(
            !args.iter().any(|a| a == "--sharding"),
            "{sets:?}: {args:?}"
        );
        assert_eq!(
            args.iter().any(|a| a == "--leader-elect"),
            elect,
            "{sets:?}: {args:?}"
        );
        assert_eq!(
            args.iter()
                .filter(|a| a.starts_with("--leader-election-"))
                .count(),
            if elect { 5 } else { 0 },
            "{sets:?}: the Lease values only with election: {args:?}"
        );
    }
    Ok(())
}
