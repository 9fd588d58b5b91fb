//! A pod's `status`: phase, the five conditions, IPs, start time, container statuses and QoS
//! class, from the values [`Pod`] drew for it.

use super::super::fleet::Container;
use super::super::node::NOW;
use super::super::out::{Out, w};
use super::{Pod, PodState, write_resources};
use prop_json::Rng;

pub(super) fn write_status(out: &mut Out<'_>, rng: &mut Rng, pod: &Pod<'_>) {
    let phase = match pod.state {
        _ if pod.change.failed => "Failed",
        PodState::Running | PodState::CrashLooping => "Running",
        PodState::Unschedulable | PodState::Creating => "Pending",
    };
    w!(
        out,
        r#""status":{{"observedGeneration":1,"phase":"{phase}","#
    );
    write_conditions(out, pod);
    let Some(node) = pod.node else {
        // An unschedulable pod has nothing but its PodScheduled condition.
        let qos = qos_class(pod);
        w!(out, r#","qosClass":"{qos}"}}"#);
        return;
    };
    let [a, b, c] = pod.plan.node_ip_octets(node);
    let host_ip = format!("10.{a}.{b}.{c}");
    w!(
        out,
        r#","hostIP":"{host_ip}","hostIPs":[{{"ip":"{host_ip}"}}]"#
    );
    if pod.state != PodState::Creating {
        let pod_ip = format!(
            "100.{}.{}.{}",
            64 + (node / 256) % 64,
            node % 256,
            rng.range(2, 254)
        );
        w!(out, r#","podIP":"{pod_ip}","podIPs":[{{"ip":"{pod_ip}"}}]"#);
    }
    out.raw(r#","startTime":""#);
    out.time(pod.started);
    out.raw(r#"","containerStatuses":["#);
    let crashing = rng.below(pod.workload.template.containers.len() as u64) as usize;
    for (k, container) in pod.workload.template.containers.iter().enumerate() {
        write_container_status(out, rng, pod, container, k == crashing);
    }
    let qos = qos_class(pod);
    out.close_list("],");
    w!(out, r#""qosClass":"{qos}"}}"#);
}

impl Pod<'_> {
    fn ready(&self) -> bool {
        self.state == PodState::Running && !self.change.unready && !self.change.failed
    }
}

fn qos_class(pod: &Pod<'_>) -> &'static str {
    if pod.workload.template.guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

fn write_conditions(out: &mut Out<'_>, pod: &Pod<'_>) {
    let scheduled = pod.created + 1;
    if !pod.state.scheduled() {
        w!(
            out,
            r#""conditions":[{{"type":"PodScheduled","observedGeneration":1,"status":"False","lastProbeTime":null,"lastTransitionTime":"#
        );
        quoted_time(out, scheduled);
        w!(
            out,
            r#","reason":"Unschedulable","message":"0/{n} nodes are available: {n} Insufficient cpu. preemption: 0/{n} nodes are available: {n} No preemption victims found for incoming pod."}}]"#,
            n = pod.plan.nodes
        );
        return;
    }
    let ready = pod.ready();
    let started = pod.state != PodState::Creating;
    let conditions = [
        ("PodReadyToStartContainers", started, ""),
        ("Initialized", true, ""),
        ("Ready", ready, "ContainersNotReady"),
        ("ContainersReady", ready, "ContainersNotReady"),
        ("PodScheduled", true, ""),
    ];
    out.raw(r#""conditions":["#);
    for (type_, status, reason) in conditions {
        let status = if status { "True" } else { "False" };
        w!(
            out,
            r#"{{"type":"{type_}","observedGeneration":1,"status":"{status}","lastProbeTime":null,"lastTransitionTime":"#
        );
        quoted_time(out, pod.started + 8);
        if status == "False" && !reason.is_empty() {
            w!(out, r#","reason":"{reason}""#);
        }
        out.raw("},");
    }
    out.close_list("]");
}

fn write_container_status(
    out: &mut Out<'_>,
    rng: &mut Rng,
    pod: &Pod<'_>,
    c: &Container,
    crashing: bool,
) {
    let crash_looping = crashing && pod.state == PodState::CrashLooping;
    let mut restarts = if crash_looping {
        rng.range(5, 300)
    } else {
        rng.below(1000).saturating_sub(990) // mostly 0, now and then a few
    };
    if c.name == "app" {
        restarts += u64::from(pod.change.restarts);
    }
    w!(out, r#"{{"name":"{}","state":{{"#, c.name);
    let container_id = |out: &mut Out<'_>, rng: &mut Rng| {
        out.raw("containerd://");
        out.hex(rng, 64);
    };
    match pod.state {
        PodState::Creating => {
            out.raw(r#""waiting":{"reason":"ContainerCreating"}},"lastState":{}"#)
        }
        _ if crash_looping => {
            w!(
                out,
                r#""waiting":{{"reason":"CrashLoopBackOff","message":"back-off 5m0s restarting failed container={} pod={}_{}({})"}}}},"lastState":{{"terminated":{{"exitCode":1,"reason":"Error","startedAt":"#,
                c.name,
                pod.workload.app,
                pod.workload.namespace,
                pod.workload.uid
            );
            quoted_time(out, NOW - 300);
            out.raw(r#","finishedAt":"#);
            quoted_time(out, NOW - 290);
            out.raw(r#","containerID":""#);
            container_id(out, rng);
            out.raw(r#""}}"#);
        }
        _ => {
            out.raw(r#""running":{"startedAt":"#);
            quoted_time(out, pod.started + 3);
            out.raw(r#"}},"lastState":{}"#);
        }
    }
    let ready = pod.ready();
    w!(
        out,
        r#","ready":{ready},"restartCount":{restarts},"image":"{r}:{t}","imageID":"{r}@sha256:{d}","#,
        r = c.repository,
        t = c.tag,
        d = c.digest
    );
    if pod.state != PodState::Creating {
        out.raw(r#""containerID":""#);
        container_id(out, rng);
        out.raw(r#"","#);
    }
    w!(out, r#""started":{},"#, pod.state == PodState::Running);
    write_resources(out, c);
    w!(
        out,
        r#","volumeMounts":[{{"name":"config","mountPath":"/etc/{}","readOnly":true,"recursiveReadOnly":"Disabled"}},{{"name":"{}","mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","readOnly":true,"recursiveReadOnly":"Disabled"}}],"user":{{"linux":{{"uid":1000,"gid":1000,"supplementalGroups":[1000,2000]}}}}}},"#,
        c.name,
        pod.token_volume
    );
}

fn quoted_time(out: &mut Out<'_>, unix: u64) {
    out.raw("\"");
    out.time(unix);
    out.raw("\"");
}
