//! One Pod of a Deployment's ReplicaSet as the API server serves it (Kubernetes 1.35), in its
//! field order: metadata with labels, annotations and the ReplicaSet owner reference; spec with
//! volumes (projected service-account token, ConfigMap), 2–3 containers with env, ports,
//! probes, requests and limits, tolerations, service account and node; status with the five
//! conditions, IPs, start time, container statuses (image IDs, container IDs, resources, volume
//! mounts) and QoS class. No managedFields (see `node.rs`).

mod status;

use super::fleet::{ClusterPlan, Container, NAME_ALPHABET, Workload, random_name};
use super::node::NOW;
use super::out::{Out, w};
use prop_json::Rng;

/// What the pod is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodState {
    /// Running and Ready.
    Running,
    /// Running, one container in CrashLoopBackOff, not Ready.
    CrashLooping,
    /// Pending, no node fits.
    Unschedulable,
    /// Pending on its node, pulling images.
    Creating,
}

impl PodState {
    /// 97% running, 1% each of the others.
    pub fn draw(rng: &mut Rng) -> PodState {
        match rng.below(1000) {
            0..10 => PodState::CrashLooping,
            10..20 => PodState::Unschedulable,
            20..30 => PodState::Creating,
            _ => PodState::Running,
        }
    }

    fn scheduled(self) -> bool {
        self != PodState::Unschedulable
    }
}

/// What a simulated member changed in a pod after generating it: what churn and the freshness
/// probe do (`crate::sim`). The default is no change, and then the bytes are exactly the
/// generated pod's. Every value is drawn from the generator as without a change, so a changed
/// pod keeps its name, node, IPs and container ids; only a replacement is another pod.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PodChange {
    /// Replacements so far: the ReplicaSet's pod in this slot was deleted and a new one created
    /// this many times. Each generation is a new running pod (name, uid, node and IPs drawn
    /// anew; `MemberObjects::write_pod` derives its generator from the generation).
    pub generation: u32,
    /// This generation's pod is deleted and its replacement not created yet.
    pub deleted: bool,
    /// The readiness probe fails: `Ready` and `ContainersReady` False, no container ready.
    pub unready: bool,
    /// Restarts of the first container on top of the generated count.
    pub restarts: u32,
    /// Phase `Failed` (the freshness probe's mark; churn never sets it).
    pub failed: bool,
}

/// How to write one pod besides its workload: which replica it is, when known (random access,
/// where the name must be unique without the generator's sequence), and what changed.
#[derive(Clone, Copy, Debug, Default)]
pub struct Variant {
    pub replica: Option<usize>,
    pub change: PodChange,
}

/// Per-pod values drawn once and used in several places.
struct Pod<'a> {
    plan: &'a ClusterPlan,
    workload: &'a Workload,
    state: PodState,
    /// Node index, `None` while unscheduled.
    node: Option<usize>,
    token_volume: String,
    created: u64,
    started: u64,
    change: PodChange,
}

/// Writes one pod of `workload` (one JSON object, no newline).
pub fn write_pod(
    out: &mut Out<'_>,
    rng: &mut Rng,
    plan: &ClusterPlan,
    workload: &Workload,
    rv: u64,
) {
    write_pod_variant(out, rng, plan, workload, rv, Variant::default());
}

/// [`write_pod`] with a known replica number and a change on top.
pub fn write_pod_variant(
    out: &mut Out<'_>,
    rng: &mut Rng,
    plan: &ClusterPlan,
    workload: &Workload,
    rv: u64,
    variant: Variant,
) {
    let state = PodState::draw(rng);
    // A replacement is created by a healthy rollout: it runs (churn replaces running pods).
    let state = if variant.change.generation > 0 {
        PodState::Running
    } else {
        state
    };
    let node = state
        .scheduled()
        .then(|| rng.below(plan.nodes as u64) as usize);
    let created = NOW - rng.below(30 * 86_400);
    let pod = Pod {
        plan,
        workload,
        state,
        node,
        token_volume: format!("kube-api-access-{}", random_name(rng, 5)),
        created,
        started: created + rng.range(1, 5),
        change: variant.change,
    };
    let mut suffix = random_name(rng, 5);
    if let Some(replica) = variant.replica {
        // Replicas of one ReplicaSet number at most 20 (`fleet.rs`), fewer than the alphabet's
        // 27 letters: a first letter per replica makes names unique without a sequence.
        suffix.replace_range(..1, &char::from(NAME_ALPHABET[replica % 27]).to_string());
    }
    let name = format!("{}-{}-{suffix}", workload.app, workload.hash);
    write_metadata(out, rng, &pod, &name, rv);
    write_spec(out, &pod);
    status::write_status(out, rng, &pod);
    out.raw("}");
}

fn write_metadata(out: &mut Out<'_>, rng: &mut Rng, pod: &Pod<'_>, name: &str, rv: u64) {
    let Workload {
        namespace,
        app,
        hash,
        uid,
        ..
    } = pod.workload;
    let version = &pod.workload.template.containers[0].tag;
    w!(
        out,
        r#"{{"kind":"Pod","apiVersion":"v1","metadata":{{"name":"{name}","generateName":"{app}-{hash}-","namespace":"{namespace}","uid":""#
    );
    out.uid(rng);
    w!(
        out,
        r#"","resourceVersion":"{rv}","generation":1,"creationTimestamp":""#
    );
    out.time(pod.created);
    w!(
        out,
        r#"","labels":{{"app":"{app}","app.kubernetes.io/instance":"{app}","app.kubernetes.io/name":"{app}","app.kubernetes.io/part-of":"{namespace}","app.kubernetes.io/version":"{version}","pod-template-hash":"{hash}","security.istio.io/tlsMode":"istio","service.istio.io/canonical-name":"{app}","service.istio.io/canonical-revision":"{version}"}},"annotations":{{"istio.io/rev":"default","kubectl.kubernetes.io/default-container":"app","kubectl.kubernetes.io/restartedAt":"2025-05-20T08:00:00Z","prometheus.io/path":"/stats/prometheus","prometheus.io/port":"15020","prometheus.io/scrape":"true","sidecar.istio.io/status":"{{\"initContainers\":null,\"containers\":[\"istio-proxy\"],\"volumes\":[\"istio-envoy\",\"istio-data\",\"istio-podinfo\",\"istio-token\",\"istiod-ca-cert\"],\"imagePullSecrets\":null,\"revision\":\"default\"}}"}},"ownerReferences":[{{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"{app}-{hash}","uid":"{uid}","controller":true,"blockOwnerDeletion":true}}]}},"#
    );
}

fn write_spec(out: &mut Out<'_>, pod: &Pod<'_>) {
    let app = &pod.workload.app;
    let token = &pod.token_volume;
    w!(
        out,
        r#""spec":{{"volumes":[{{"name":"config","configMap":{{"name":"{app}-config","defaultMode":420}}}},{{"name":"istio-envoy","emptyDir":{{"medium":"Memory"}}}},{{"name":"{token}","projected":{{"sources":[{{"serviceAccountToken":{{"expirationSeconds":3607,"path":"token"}}}},{{"configMap":{{"name":"kube-root-ca.crt","items":[{{"key":"ca.crt","path":"ca.crt"}}]}}}},{{"downwardAPI":{{"items":[{{"path":"namespace","fieldRef":{{"apiVersion":"v1","fieldPath":"metadata.namespace"}}}}]}}}}],"defaultMode":420}}}}],"containers":["#
    );
    for container in &pod.workload.template.containers {
        write_container(out, container, token);
    }
    out.close_list("],");
    w!(
        out,
        r#""restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"{app}","serviceAccount":"{app}","#
    );
    if let Some(node) = pod.node {
        w!(out, r#""nodeName":"{}","#, pod.plan.node_name(node));
    }
    out.raw(
        r#""securityContext":{"runAsNonRoot":true,"fsGroup":2000,"seccompProfile":{"type":"RuntimeDefault"}},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},"#,
    );
}

fn write_container(out: &mut Out<'_>, c: &Container, token: &str) {
    w!(
        out,
        r#"{{"name":"{}","image":"{}:{}","#,
        c.name,
        c.repository,
        c.tag
    );
    if let Some((port_name, port)) = c.port {
        w!(
            out,
            r#""ports":[{{"name":"{port_name}","containerPort":{port},"protocol":"TCP"}}],"#
        );
    }
    w!(
        out,
        r#""env":[{{"name":"APP_ENV","value":"production"}},{{"name":"LOG_LEVEL","value":"info"}},{{"name":"POD_NAME","valueFrom":{{"fieldRef":{{"apiVersion":"v1","fieldPath":"metadata.name"}}}}}},{{"name":"POD_NAMESPACE","valueFrom":{{"fieldRef":{{"apiVersion":"v1","fieldPath":"metadata.namespace"}}}}}},{{"name":"POD_IP","valueFrom":{{"fieldRef":{{"apiVersion":"v1","fieldPath":"status.podIP"}}}}}}],"#
    );
    write_resources(out, c);
    w!(
        out,
        r#","volumeMounts":[{{"name":"config","readOnly":true,"mountPath":"/etc/{}"}},{{"name":"{token}","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}}],"#,
        c.name
    );
    if let Some((_, port)) = c.port {
        w!(
            out,
            r#""livenessProbe":{{"httpGet":{{"path":"/healthz","port":{port},"scheme":"HTTP"}},"initialDelaySeconds":10,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}},"readinessProbe":{{"httpGet":{{"path":"/ready","port":{port},"scheme":"HTTP"}},"timeoutSeconds":1,"periodSeconds":5,"successThreshold":1,"failureThreshold":3}},"#
        );
    }
    out.raw(
        r#""terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","securityContext":{"capabilities":{"drop":["ALL"]},"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false}},"#,
    );
}

fn write_resources(out: &mut Out<'_>, c: &Container) {
    w!(
        out,
        r#""resources":{{"limits":{{"cpu":"{}","memory":"{}"}},"requests":{{"cpu":"{}","memory":"{}"}}}}"#,
        c.cpu_limit,
        c.memory_limit,
        c.cpu_request,
        c.memory_request
    );
}
