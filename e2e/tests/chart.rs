//! The Helm chart (`charts/karmada-manager`), with a real `helm` built from its Go module:
//! it lints (also `--strict`), renders for the default values and for a "full" set, and what it
//! renders is accepted by real API servers with a server-side dry run: the operator half by a
//! stand-in for the Karmada host cluster (member `m1` of the environment), the hub RBAC by the
//! hub. The pod meets the `restricted` Pod Security Standard (checked by the API server's
//! PodSecurity admission, not by us), the hub RBAC grants what the operator needs and nothing
//! else (SubjectAccessReviews, then the operator itself run with the chart's arguments as that
//! ServiceAccount), every flag of `karmada-manager run` is settable, and the Grafana dashboard
//! queries only metrics the operator exports.

mod support;

use anyhow::{Context, Result, bail, ensure};
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use karmada_manager_api::{ClusterInsight, FleetInsight};
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use kube::discovery::{Discovery, Scope};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use support::eventually;

const RELEASE: &str = "karmada-manager";
/// The release namespace, on the host cluster and on the hub alike (as Karmada's own).
const NAMESPACE: &str = "karmada-system";
const WAIT: Duration = Duration::from_secs(60);

/// Everything switched on and every flag set, most of them away from their defaults.
const FULL_VALUES: &str = r#"
replicaCount: 2
karmadaKubeconfig:
  secretName: karmada-kubeconfig
  secretKey: karmada.config
  context: karmada-apiserver
connectionMode: proxy
clusterProxyURL: https://karmada-aggregated-apiserver.karmada-system.svc:443
nodeDetailLimit: 150
maxStatusBytes: 1048576
placementNodeLimit: 10
placementPodLimit: 25
placementConcurrency: 4
topClustersLimit: 5
writeInterval: 2s
unreachableGrace: 1m
log:
  format: json
  level: info,karmada_manager=debug
admin:
  port: 9090
leaderElection:
  namespace: karmada-system
  leaseName: karmada-manager-chart-test
  leaseDuration: 20s
  renewDeadline: 12s
  retryPeriod: 3s
extraArgs: []
serviceMonitor:
  enabled: true
  labels:
    release: prometheus
networkPolicy:
  enabled: true
  allowedNamespaces: [monitoring]
  allowedPodSelectors:
    - matchLabels:
        app.kubernetes.io/name: prometheus
grafanaDashboard:
  enabled: true
  annotations:
    grafana_folder: Karmada
rbac:
  hub:
    create: true
    serviceAccountTokenSecret: true
"#;

/// The arguments [`FULL_VALUES`] must produce, in this order.
const FULL_ARGS: &[&str] = &[
    "run",
    "--kubeconfig=/etc/karmada-manager/hub/kubeconfig",
    "--context=karmada-apiserver",
    "--connection-mode=proxy",
    "--cluster-proxy-url=https://karmada-aggregated-apiserver.karmada-system.svc:443",
    "--node-detail-limit=150",
    "--max-status-bytes=1048576",
    "--placement-node-limit=10",
    "--placement-pod-limit=25",
    "--placement-concurrency=4",
    "--top-clusters-limit=5",
    "--write-interval=2s",
    "--unreachable-grace=1m",
    "--log-format=json",
    "--log-level=info,karmada_manager=debug",
    "--admin-address=0.0.0.0:9090",
    "--leader-elect",
    "--leader-election-namespace=karmada-system",
    "--leader-election-lease-name=karmada-manager-chart-test",
    "--leader-election-lease-duration=20s",
    "--leader-election-renew-deadline=12s",
    "--leader-election-retry-period=3s",
];

// ---------------------------------------------------------------------------------------------
// helm

fn chart() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../charts/karmada-manager")
}

/// The helm binary (built on first use) with its home directories in a temporary directory, so
/// that tests never touch the user's helm configuration.
struct Helm {
    bin: PathBuf,
    dir: tempfile::TempDir,
}

impl Helm {
    fn new() -> Result<Self> {
        Ok(Self {
            bin: testenv::upstream::ensure_helm()?,
            dir: tempfile::Builder::new().prefix("chart-test-").tempdir()?,
        })
    }

    /// Runs helm; returns whether it succeeded, its stdout and its stderr.
    fn output(&self, args: &[&str]) -> Result<(bool, String, String)> {
        let home = self.dir.path();
        let output = Command::new(&self.bin)
            .args(args)
            .env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_DATA_HOME", home.join("data"))
            .env_remove("KUBECONFIG")
            .output()
            .with_context(|| format!("running {}", self.bin.display()))?;
        Ok((
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ))
    }

    fn run(&self, args: &[&str]) -> Result<String> {
        let (ok, stdout, stderr) = self.output(args)?;
        ensure!(ok, "helm {} failed:\n{stderr}\n{stdout}", args.join(" "));
        Ok(stdout)
    }

    /// A values file holding `yaml`.
    fn values_file(&self, yaml: &str) -> Result<PathBuf> {
        let file = tempfile::Builder::new()
            .suffix(".yaml")
            .tempfile_in(self.dir.path())?;
        std::fs::write(file.path(), yaml)?;
        Ok(file.into_temp_path().keep()?)
    }

    /// `helm template` of the chart with the values files (in order) and `--set`s.
    fn template(&self, values: &[&str], sets: &[&str]) -> Result<Vec<Value>> {
        let chart = chart().display().to_string();
        let files = values
            .iter()
            .map(|yaml| Ok(self.values_file(yaml)?.display().to_string()))
            .collect::<Result<Vec<_>>>()?;
        let mut args = vec!["template", RELEASE, &chart, "--namespace", NAMESPACE];
        for file in &files {
            args.extend(["--values", file]);
        }
        for set in sets {
            args.extend(["--set", set]);
        }
        parse_documents(&self.run(&args)?)
    }
}

/// The objects of a multi-document YAML stream (empty documents dropped).
fn parse_documents(yaml: &str) -> Result<Vec<Value>> {
    let mut objects = Vec::new();
    for document in serde_yaml_ng::Deserializer::from_str(yaml) {
        let value = Value::deserialize(document).context("rendered YAML does not parse")?;
        if !value.is_null() {
            objects.push(value);
        }
    }
    Ok(objects)
}

fn kinds(objects: &[Value]) -> BTreeSet<String> {
    objects
        .iter()
        .filter_map(|o| o["kind"].as_str().map(str::to_owned))
        .collect()
}

fn all<'a>(objects: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objects.iter().filter(|o| o["kind"] == kind).collect()
}

fn one<'a>(objects: &'a [Value], kind: &str) -> Result<&'a Value> {
    match all(objects, kind).as_slice() {
        [object] => Ok(object),
        found => bail!("expected one {kind}, found {}", found.len()),
    }
}

fn named<'a>(objects: &'a [Value], kind: &str, name: &str) -> Result<&'a Value> {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .with_context(|| format!("no {kind} {name} in {:?}", kinds(objects)))
}

fn container(objects: &[Value]) -> Result<&Value> {
    let containers = &one(objects, "Deployment")?["spec"]["template"]["spec"]["containers"];
    let containers = containers.as_array().context("no containers")?;
    ensure!(containers.len() == 1, "one container expected");
    Ok(&containers[0])
}

fn args(objects: &[Value]) -> Result<Vec<String>> {
    container(objects)?["args"]
        .as_array()
        .context("no args")?
        .iter()
        .map(|a| a.as_str().map(str::to_owned).context("non-string arg"))
        .collect()
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

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

// ---------------------------------------------------------------------------------------------
// lint and render

#[test]
fn the_chart_lints_strictly_with_default_and_full_values() -> Result<()> {
    let helm = Helm::new()?;
    let chart = chart().display().to_string();
    let full = helm.values_file(FULL_VALUES)?.display().to_string();
    helm.run(&["lint", &chart])?;
    helm.run(&["lint", "--strict", &chart])?;
    let out = helm.run(&["lint", "--strict", &chart, "--values", &full])?;
    assert!(out.contains("0 chart(s) failed"), "{out}");
    for hub_only in [
        &[
            "--set",
            "operator.enabled=false",
            "--set",
            "rbac.hub.create=true",
        ][..],
        &[
            "--set",
            "rbac.hub.create=true",
            "--set",
            "connectionMode=direct-then-proxy",
        ][..],
    ] {
        let mut args = vec!["lint", "--strict", &chart];
        args.extend_from_slice(hub_only);
        helm.run(&args)?;
    }
    Ok(())
}

#[test]
fn the_schema_rejects_unknown_and_invalid_values() -> Result<()> {
    let helm = Helm::new()?;
    let chart = chart().display().to_string();
    for (set, complaint) in [
        ("connectionMode=sometimes", "connectionMode"),
        ("log.format=xml", "format"),
        ("writeInterval=soon", "writeInterval"),
        ("admin.port=0", "port"),
        ("replicas=2", "replicas"), // a typo of replicaCount
        ("leaderElection.enable=true", "enable"),
    ] {
        let (ok, _, stderr) = helm.output(&["template", RELEASE, &chart, "--set", set])?;
        assert!(!ok, "--set {set} was accepted");
        assert!(
            stderr.contains(complaint),
            "--set {set}: the error does not name {complaint}:\n{stderr}"
        );
    }
    Ok(())
}

#[test]
fn default_values_render_the_operator_in_cluster_with_a_single_replica() -> Result<()> {
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
        "--top-clusters-limit=10",
        "--write-interval=1s",
        "--unreachable-grace=30s",
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

#[test]
fn full_values_render_every_option_and_set_every_flag() -> Result<()> {
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

#[test]
fn every_flag_of_run_is_set_by_the_chart_and_documented() -> Result<()> {
    let binary = support::operator_binary()?;
    let help = Command::new(&binary).args(["run", "--help"]).output()?;
    ensure!(help.status.success(), "karmada-manager run --help failed");
    let help = String::from_utf8(help.stdout)?;
    let flags: BTreeSet<&str> = help
        .split_whitespace()
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|f| *f != "--help")
        .collect();
    ensure!(
        flags.len() >= 20,
        "too few flags parsed from --help:\n{help}"
    );
    let set: BTreeSet<&str> = FULL_ARGS
        .iter()
        .map(|arg| arg.split_once('=').map_or(*arg, |(flag, _)| flag))
        .collect();
    let configuration = std::fs::read_to_string(chart().join("../../docs/configuration.md"))?;
    for flag in &flags {
        assert!(
            set.contains(flag),
            "`karmada-manager run {flag}` is not set by the chart (values → args)"
        );
        assert!(
            configuration.contains(&format!("`{flag}`")),
            "{flag} is not in docs/configuration.md"
        );
    }
    // Every environment variable too.
    let variables: Vec<&str> = help
        .split("[env: ")
        .skip(1)
        .filter_map(|rest| rest.split_once('=').map(|(name, _)| name))
        .collect();
    ensure!(
        variables.len() == flags.len(),
        "one variable per flag: {variables:?}"
    );
    for variable in variables {
        assert!(
            configuration.contains(&format!("`{variable}`")),
            "{variable} is not in docs/configuration.md"
        );
    }
    Ok(())
}

#[test]
fn clusters_proxy_is_granted_only_in_the_proxy_modes() -> Result<()> {
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

#[test]
fn the_hub_rbac_is_least_privilege() -> Result<()> {
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

// ---------------------------------------------------------------------------------------------
// the dashboard

/// The metrics the operator exports: name → (labels, the values of enumerated labels).
fn exported_metrics() -> BTreeMap<&'static str, Vec<(&'static str, &'static [&'static str])>> {
    const ANY: &[&str] = &[];
    BTreeMap::from([
        (
            "karmada_manager_reconciles_total",
            vec![("controller", ANY), ("result", &["success", "error"][..])],
        ),
        (
            "karmada_manager_reconcile_duration_seconds",
            vec![("controller", ANY)],
        ),
        (
            "karmada_manager_status_writes_total",
            vec![
                ("kind", ANY),
                ("outcome", &["written", "skipped", "failed"][..]),
            ],
        ),
        ("karmada_manager_member_watch_up", vec![("cluster", ANY)]),
        (
            "karmada_manager_member_objects",
            vec![
                ("cluster", ANY),
                ("kind", &["node", "pod", "replicaset", "job"][..]),
            ],
        ),
        (
            "karmada_manager_member_last_event_age_seconds",
            vec![("cluster", ANY)],
        ),
        (
            "karmada_manager_cluster_allocated_percent",
            vec![("cluster", ANY), ("resource", &["cpu", "memory"][..])],
        ),
        (
            "karmada_manager_fleet_clusters",
            vec![("state", &["total", "ready"][..])],
        ),
        (
            "karmada_manager_fleet_workloads",
            vec![("state", &["ready", "progressing", "failed"][..])],
        ),
        ("karmada_manager_leader", vec![]),
    ])
}

const HISTOGRAMS: &[&str] = &["karmada_manager_reconcile_duration_seconds"];

fn dashboard_json() -> Result<Value> {
    let path = chart().join("dashboards/karmada-manager.json");
    let text = std::fs::read_to_string(&path)?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// Every PromQL string of the dashboard: panel (and row) target `expr`s and query variables.
fn queries(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("expr" | "definition", Value::String(q)) => out.push(q.clone()),
                    ("query", Value::String(q)) if q.contains("karmada_manager_") => {
                        out.push(q.clone())
                    }
                    _ => queries(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| queries(v, out)),
        _ => {}
    }
}

/// A label matcher of a metric reference: `label op "value"`.
struct Matcher {
    label: String,
    op: String,
    value: String,
}

/// The metric references in a query: the name as exported (histogram series folded into the
/// histogram) and its label matchers.
fn references(query: &str) -> Vec<(String, Vec<Matcher>)> {
    let mut found = Vec::new();
    let mut rest = query;
    while let Some(start) = rest.find("karmada_manager_") {
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let mut name = tail[..end].to_string();
        for histogram in HISTOGRAMS {
            for suffix in ["_bucket", "_sum", "_count"] {
                if name == format!("{histogram}{suffix}") {
                    name = (*histogram).to_string();
                }
            }
        }
        let mut matchers = Vec::new();
        let after = &tail[end..];
        if let Some(body) = after.strip_prefix('{').and_then(|b| b.split_once('}')) {
            for matcher in body.0.split(',').filter(|m| !m.trim().is_empty()) {
                let op_at = matcher.find(['=', '!']).unwrap_or(matcher.len());
                let label = matcher[..op_at].trim().to_string();
                let op_and_value = &matcher[op_at..];
                let op_len = op_and_value.find('"').unwrap_or(op_and_value.len());
                let op = op_and_value[..op_len].trim().to_string();
                let value = op_and_value[op_len..].trim().trim_matches('"').to_string();
                matchers.push(Matcher { label, op, value });
            }
        }
        found.push((name, matchers));
        rest = &tail[end..];
    }
    found
}

/// Label names in `by (...)` / `without (...)` clauses.
fn grouping_labels(query: &str) -> Vec<String> {
    let mut labels = Vec::new();
    for keyword in ["by (", "by(", "without (", "without("] {
        let mut rest = query;
        while let Some(at) = rest.find(keyword) {
            let clause = &rest[at + keyword.len()..];
            let end = clause.find(')').unwrap_or(clause.len());
            labels.extend(
                clause[..end]
                    .split(',')
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty()),
            );
            rest = &clause[end..];
        }
    }
    labels
}

#[test]
fn the_dashboard_is_valid_json_and_queries_only_exported_metrics() -> Result<()> {
    let dashboard = dashboard_json()?;
    let metrics = exported_metrics();
    assert!(
        dashboard["schemaVersion"]
            .as_u64()
            .context("no schemaVersion")?
            >= 36
    );
    assert_eq!(dashboard["uid"], "karmada-manager");

    let variables = dashboard["templating"]["list"]
        .as_array()
        .context("no template variables")?;
    let variable = |name: &str| variables.iter().find(|v| v["name"] == name);
    let ds = variable("DS_PROMETHEUS").context("no DS_PROMETHEUS variable")?;
    assert_eq!(ds["type"], "datasource");
    assert_eq!(ds["query"], "prometheus");
    let cluster = variable("cluster").context("no cluster variable")?;
    assert_eq!(cluster["datasource"]["uid"], "${DS_PROMETHEUS}");

    let mut all = Vec::new();
    queries(&dashboard, &mut all);
    ensure!(all.len() >= 10, "only {} queries found", all.len());
    let mut used = BTreeSet::new();
    for query in &all {
        let refs = references(query);
        ensure!(
            !refs.is_empty(),
            "a query without a karmada-manager metric: {query}"
        );
        let mut labels_here: BTreeSet<&str> = BTreeSet::from(["le"]);
        for (name, matchers) in refs {
            let labels = metrics
                .get(name.as_str())
                .with_context(|| format!("{name} (in `{query}`) is not an exported metric"))?;
            labels_here.extend(labels.iter().map(|(l, _)| *l));
            for Matcher { label, op, value } in matchers {
                let (_, allowed) = labels
                    .iter()
                    .find(|(l, _)| *l == label)
                    .with_context(|| format!("{name} has no label {label} (in `{query}`)"))?;
                if op == "=" && !allowed.is_empty() {
                    ensure!(
                        allowed.contains(&value.as_str()),
                        "{name}{{{label}=\"{value}\"}}: {label} is one of {allowed:?}"
                    );
                }
            }
            used.insert(name);
        }
        for label in grouping_labels(query) {
            ensure!(
                labels_here.contains(label.as_str()),
                "`{query}` groups by {label}, which its metrics do not have"
            );
        }
    }
    let unused: Vec<_> = metrics.keys().filter(|m| !used.contains(**m)).collect();
    assert!(unused.is_empty(), "metrics no panel shows: {unused:?}");

    // Every panel and target queries the chosen data source.
    fn datasources(value: &Value, out: &mut Vec<Value>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    if key == "datasource" {
                        out.push(v.clone());
                    } else {
                        datasources(v, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| datasources(v, out)),
            _ => {}
        }
    }
    let mut panels = Vec::new();
    datasources(&dashboard["panels"], &mut panels);
    ensure!(!panels.is_empty());
    for ds in panels {
        assert_eq!(ds, json!({"type": "prometheus", "uid": "${DS_PROMETHEUS}"}));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// real API servers

/// Server-side applies every object through discovery, as a dry run unless `persist`.
async fn apply_all(client: &kube::Client, objects: &[Value], persist: bool) -> Result<()> {
    let discovery = Discovery::new(client.clone()).run().await?;
    let params = if persist {
        PatchParams::apply("chart-test").force()
    } else {
        PatchParams::apply("chart-test").dry_run()
    };
    for object in objects {
        let api_version = object["apiVersion"].as_str().context("no apiVersion")?;
        let kind = object["kind"].as_str().context("no kind")?;
        let name = object["metadata"]["name"].as_str().context("no name")?;
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (resource, capabilities) = discovery
            .resolve_gvk(&gvk)
            .with_context(|| format!("the API server does not serve {api_version} {kind}"))?;
        let api: Api<DynamicObject> = match capabilities.scope {
            Scope::Namespaced => {
                let namespace = object["metadata"]["namespace"]
                    .as_str()
                    .with_context(|| format!("{kind} {name} has no namespace"))?;
                Api::namespaced_with(client.clone(), namespace, &resource)
            }
            Scope::Cluster => Api::all_with(client.clone(), &resource),
        };
        api.patch(name, &params, &Patch::Apply(object))
            .await
            .with_context(|| {
                format!("server-side apply (dry run: {}) of {kind} {name}", !persist)
            })?;
    }
    Ok(())
}

/// A minimal stand-in for the Prometheus Operator's ServiceMonitor CRD (the test API servers
/// serve no monitoring.coreos.com), enough for the API server to take the rendered object.
fn service_monitor_stand_in() -> Result<CustomResourceDefinition> {
    let open = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
    Ok(serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "servicemonitors.monitoring.coreos.com"},
        "spec": {
            "group": "monitoring.coreos.com",
            "names": {"kind": "ServiceMonitor", "listKind": "ServiceMonitorList", "plural": "servicemonitors", "singular": "servicemonitor"},
            "scope": "Namespaced",
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": open}}},
            }],
        },
    }))?)
}

/// The chart's crds/*.yaml, parsed.
fn chart_crds() -> Result<Vec<Value>> {
    let mut crds = Vec::new();
    for entry in std::fs::read_dir(chart().join("crds"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml") {
            crds.extend(parse_documents(&std::fs::read_to_string(&path)?)?);
        }
    }
    ensure!(crds.len() == 4, "expected the 4 CRDs in the chart's crds/");
    Ok(crds)
}

fn pod_from_template(objects: &[Value], namespace: &str) -> Result<Pod> {
    let template = &one(objects, "Deployment")?["spec"]["template"];
    Ok(serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "karmada-manager-pss", "namespace": namespace, "labels": template["metadata"]["labels"]},
        "spec": template["spec"],
    }))?)
}

#[tokio::test(flavor = "multi_thread")]
async fn rendered_manifests_pass_a_server_side_dry_run_on_host_and_hub() -> Result<()> {
    let (host_default, host_full, host_other, hub_full, hub_default, crds) =
        tokio::task::block_in_place(|| -> Result<_> {
            let helm = Helm::new()?;
            Ok((
                helm.template(&[], &[])?,
                helm.template(&[FULL_VALUES], &["rbac.hub.create=false"])?,
                // The other branches: a NetworkPolicy admitting nobody, maxUnavailable.
                helm.template(
                    &[],
                    &[
                        "networkPolicy.enabled=true",
                        "replicaCount=3",
                        "podDisruptionBudget.maxUnavailable=1",
                    ],
                )?,
                helm.template(&[FULL_VALUES], &["operator.enabled=false"])?,
                helm.template(&[], &["operator.enabled=false", "rbac.hub.create=true"])?,
                chart_crds()?,
            ))
        })?;
    assert!(!kinds(&host_full).contains("ClusterRole"));
    assert!(!kinds(&hub_full).contains("Deployment"));

    let env = support::environment(&["m1"]).await?;
    // m1 stands in for the Karmada host cluster, the hub is the hub.
    let host = env.member("m1").client().await?;
    let hub = env.hub().client().await?;
    testenv::join::apply_namespace(&host, NAMESPACE).await?;
    testenv::join::apply_namespace(&hub, NAMESPACE).await?;
    testenv::crds::install(&host, &[service_monitor_stand_in()?]).await?;

    apply_all(&host, &host_default, false).await?;
    apply_all(&host, &host_full, false).await?;
    assert_eq!(
        one(&host_other, "NetworkPolicy")?["spec"]["ingress"],
        json!([])
    );
    assert_eq!(
        one(&host_other, "PodDisruptionBudget")?["spec"]["maxUnavailable"],
        1
    );
    apply_all(&host, &host_other, false).await?;
    apply_all(&hub, &hub_full, false).await?;
    apply_all(&hub, &hub_default, false).await?;
    // The chart's CRDs are valid CRDs where none are installed yet.
    apply_all(&host, &crds, false).await?;

    // Helm's own server-side dry run of the host half, NOTES included.
    let full = tokio::task::block_in_place(|| -> Result<String> {
        let helm = Helm::new()?;
        let values = helm.values_file(FULL_VALUES)?;
        helm.run(&[
            "install",
            RELEASE,
            &chart().display().to_string(),
            "--kubeconfig",
            &env.member("m1").kubeconfig().display().to_string(),
            "--namespace",
            NAMESPACE,
            "--skip-crds",
            "--dry-run=server",
            "--values",
            &values.display().to_string(),
            "--set",
            "rbac.hub.create=false",
        ])
    })?;
    assert!(
        full.contains("with the kubeconfig in Secret karmada-kubeconfig"),
        "{full}"
    );

    // A dry run changes nothing.
    let sas = Api::<ServiceAccount>::namespaced(hub.clone(), NAMESPACE);
    assert!(sas.get_opt(RELEASE).await?.is_none());

    // The pod meets the restricted Pod Security Standard: the API server's PodSecurity admission
    // takes it in an enforcing namespace, and refuses the same pod made privileged-escalating.
    let restricted = "chart-restricted";
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": restricted,
        "labels": {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
        },
    }});
    apply_all(&host, &[namespace], true).await?;
    let pods = Api::<Pod>::namespaced(host.clone(), restricted);
    let dry_run = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    for objects in [&host_default, &host_full] {
        pods.create(&dry_run, &pod_from_template(objects, restricted)?)
            .await
            .context("the restricted PodSecurity level refused the chart's pod")?;
    }
    let mut escalating = serde_json::to_value(pod_from_template(&host_full, restricted)?)?;
    escalating["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"] =
        json!(true);
    let refused = pods
        .create(&dry_run, &serde_json::from_value(escalating)?)
        .await;
    match refused {
        Err(kube::Error::Api(status)) if status.code == 403 => {
            assert!(status.message.contains("PodSecurity"), "{}", status.message)
        }
        other => bail!("PodSecurity admission is not enforcing here: {other:?}"),
    }
    Ok(())
}

/// What the operator must be allowed (`+`) on the hub, and what not (`-`):
/// `± verb group/resource[/subresource] [namespace]`, `core` for the core group.
const ACCESS: &[&str] = &[
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
async fn allowed(hub: &kube::Client, user: &str, access: &str) -> Result<bool> {
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

/// A kubeconfig for the hub authenticating with a bearer token, with the context name the full
/// values ask for.
fn token_kubeconfig(dir: &Path, server: &str, ca_pem: &str, token: &str) -> Result<PathBuf> {
    let ca = dir.join("hub-ca.pem");
    std::fs::write(&ca, ca_pem)?;
    let config = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "karmada", "cluster": {"server": server, "certificate-authority": ca}}],
        "users": [{"name": "karmada-manager", "user": {"token": token}}],
        "contexts": [{"name": "karmada-apiserver", "context": {"cluster": "karmada", "user": "karmada-manager"}}],
        "current-context": "elsewhere",
    });
    let path = dir.join("hub-kubeconfig");
    std::fs::write(&path, serde_json::to_vec_pretty(&config)?)?;
    Ok(path)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_operator_runs_with_the_charts_arguments_and_only_the_hub_rbac() -> Result<()> {
    // The hub RBAC of the full values (proxy mode, so clusters/proxy is granted); the operator's
    // arguments of the full values but Direct: the test hub has no aggregated cluster proxy.
    let direct = "connectionMode: direct\nclusterProxyURL: \"\"\n";
    let (host, helm) = tokio::task::block_in_place(|| -> Result<_> {
        let helm = Helm::new()?;
        Ok((
            helm.template(&[FULL_VALUES, direct], &["rbac.hub.create=false"])?,
            helm,
        ))
    })?;
    let env = support::environment(&["m1"]).await?;
    let hub = env.hub().client().await?;
    // The hub half installed as docs/install.md says: a release on the hub. Our CRDs are there
    // already (the environment installs them), which Helm accepts.
    let full = helm.values_file(FULL_VALUES)?;
    let installed = tokio::task::block_in_place(|| {
        helm.run(&[
            "install",
            RELEASE,
            &chart().display().to_string(),
            "--kubeconfig",
            &env.hub().kubeconfig().display().to_string(),
            "--namespace",
            NAMESPACE,
            "--create-namespace",
            "--values",
            &full.display().to_string(),
            "--set",
            "operator.enabled=false",
        ])
    })?;
    assert!(installed.contains("STATUS: deployed"), "{installed}");
    assert!(
        installed.contains("hub RBAC of karmada-manager is installed"),
        "{installed}"
    );

    let user = format!("system:serviceaccount:{NAMESPACE}:{RELEASE}");
    for line in ACCESS {
        let (sign, access) = line.split_at(1);
        assert_eq!(
            allowed(&hub, &user, access).await?,
            sign == "+",
            "{user}: {line}"
        );
    }

    // The operator as the ServiceAccount, with exactly the arguments the Deployment passes
    // (kubeconfig path and admin address moved to this machine).
    let token = Api::<ServiceAccount>::namespaced(hub.clone(), NAMESPACE)
        .create_token_request(
            RELEASE,
            &PostParams::default(),
            &TokenRequest {
                spec: TokenRequestSpec {
                    expiration_seconds: Some(3600),
                    ..TokenRequestSpec::default()
                },
                ..TokenRequest::default()
            },
        )
        .await?
        .status
        .context("no token")?
        .token;
    let kubeconfig = token_kubeconfig(
        helm.dir.path(),
        &env.hub().url(),
        env.hub().ca_pem(),
        &token,
    )?;
    let args: Vec<String> = args(&host)?
        .into_iter()
        .map(|arg| {
            if arg.starts_with("--kubeconfig=") {
                format!("--kubeconfig={}", kubeconfig.display())
            } else if arg.starts_with("--admin-address=") {
                "--admin-address=127.0.0.1:0".into()
            } else {
                arg
            }
        })
        .collect();
    assert!(args.iter().any(|a| a == "--leader-elect"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut operator = support::Operator::start(&args).await?;
    operator.wait_for_log("hub caches synced", WAIT).await?;
    operator.wait_for_log("became leader", WAIT).await?;
    let insights = Api::<ClusterInsight>::all(hub.clone());
    eventually(
        "ClusterInsight m1 Ready",
        WAIT,
        || async { Ok::<_, anyhow::Error>(insights.get_opt("m1").await?.and_then(|i| i.status)) },
        |status| {
            status.as_ref().is_some_and(|s| {
                s.conditions
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status == "True")
            })
        },
    )
    .await?;
    let fleet = Api::<FleetInsight>::all(hub.clone());
    eventually(
        "FleetInsight fleet",
        WAIT,
        || async { Ok::<_, anyhow::Error>(fleet.get_opt("fleet").await?) },
        |f| f.is_some(),
    )
    .await?;
    let address = operator.admin_address()?;
    for path in ["/livez", "/readyz", "/metrics"] {
        assert_eq!(support::http_get(&address, path).await?.0, 200, "{path}");
    }
    let exit = operator.terminate(WAIT).await?;
    assert!(exit.success(), "SIGTERM: {exit}");
    let denied: Vec<_> = operator
        .log
        .iter()
        .filter(|l| l.contains("forbidden") || l.contains("Forbidden"))
        .collect();
    assert!(
        denied.is_empty(),
        "the hub RBAC denied something:\n{denied:#?}"
    );
    Ok(())
}
