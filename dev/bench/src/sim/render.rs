//! The bytes a kube-apiserver answers with: list pages, watch event lines, bookmarks and
//! `Status` errors, written as text like the generator's objects.

use super::state::{Member, PodAt, PodEvent};
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use std::convert::Infallible;
use std::io::Write;

/// A response body: a whole page, or a watch stream.
pub type Body = BoxBody<Bytes, Infallible>;

/// The resources a simulated member serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Nodes,
    Pods,
    /// Metadata only (`PartialObjectMetadata`), as the operator asks for owners.
    ReplicaSets,
    /// None exist: an empty list, and watches that only see bookmarks.
    Jobs,
}

impl Resource {
    pub fn from_path(path: &str) -> Option<Resource> {
        match path.trim_end_matches('/') {
            "/api/v1/nodes" => Some(Resource::Nodes),
            "/api/v1/pods" => Some(Resource::Pods),
            "/apis/apps/v1/replicasets" => Some(Resource::ReplicaSets),
            "/apis/batch/v1/jobs" => Some(Resource::Jobs),
            _ => None,
        }
    }

    pub fn len(self, member: &Member) -> usize {
        match self {
            Resource::Nodes => member.objects.nodes(),
            Resource::Pods => member.objects.pods(),
            Resource::ReplicaSets => member.objects.workloads().len(),
            Resource::Jobs => 0,
        }
    }

    /// `kind` and `apiVersion` of the list and of its items.
    fn types(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Resource::Nodes => ("NodeList", "Node", "v1"),
            Resource::Pods => ("PodList", "Pod", "v1"),
            Resource::ReplicaSets | Resource::Jobs => (
                "PartialObjectMetadataList",
                "PartialObjectMetadata",
                "meta.k8s.io/v1",
            ),
        }
    }
}

/// The start of a list: everything up to the first item.
pub fn list_head(buf: &mut Vec<u8>, resource: Resource, rv: u64, next: Option<(&str, usize)>) {
    let (list, _, api_version) = resource.types();
    let _ = write!(
        buf,
        r#"{{"kind":"{list}","apiVersion":"{api_version}","metadata":{{"resourceVersion":"{rv}""#
    );
    if let Some((token, remaining)) = next {
        let _ = write!(
            buf,
            r#","continue":"{token}","remainingItemCount":{remaining}"#
        );
    }
    buf.extend_from_slice(br#"},"items":["#);
}

pub fn list_tail(buf: &mut Vec<u8>) {
    if buf.last() == Some(&b',') {
        buf.pop();
    }
    buf.extend_from_slice(b"]}");
}

/// Node `i` as a list item (lists leave out each item's `kind` and `apiVersion`).
pub fn node_item(buf: &mut Vec<u8>, member: &Member, i: usize) {
    let start = buf.len();
    member.objects.write_node(buf, i, member.node_rv(i));
    strip_types(buf, start, r#"{"kind":"Node","apiVersion":"v1","#);
    buf.push(b',');
}

pub fn pod_item(buf: &mut Vec<u8>, member: &Member, pod: &PodAt) {
    let start = buf.len();
    member.objects.write_pod(buf, pod.index, pod.rv, pod.change);
    strip_types(buf, start, r#"{"kind":"Pod","apiVersion":"v1","#);
    buf.push(b',');
}

/// ReplicaSet `j`'s metadata, owned by its Deployment.
pub fn replica_set_item(buf: &mut Vec<u8>, member: &Member, j: usize) {
    let w = &member.objects.workloads()[j];
    let rv = member.replica_set_rv(j);
    let _ = write!(
        buf,
        r#"{{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{{"name":"{app}-{hash}","namespace":"{ns}","uid":"{uid}","resourceVersion":"{rv}","generation":1,"creationTimestamp":"2025-05-20T08:00:00Z","labels":{{"app":"{app}","pod-template-hash":"{hash}"}},"annotations":{{"deployment.kubernetes.io/desired-replicas":"{n}","deployment.kubernetes.io/max-replicas":"{n}","deployment.kubernetes.io/revision":"1"}},"ownerReferences":[{{"apiVersion":"apps/v1","kind":"Deployment","name":"{app}","uid":"{uid}","controller":true,"blockOwnerDeletion":true}}]}}}},"#,
        app = w.app,
        hash = w.hash,
        ns = w.namespace,
        uid = w.uid,
        n = w.replicas,
    );
}

/// Removes `prefix`'s type fields right after `start`, keeping the opening brace.
fn strip_types(buf: &mut Vec<u8>, start: usize, prefix: &str) {
    if buf[start..].starts_with(prefix.as_bytes()) {
        buf.drain(start + 1..start + prefix.len());
    }
}

/// A watch event of a pod, one line. A deleted pod is written as it was last seen, at the
/// deletion's resourceVersion, as the API server does.
pub fn pod_event(buf: &mut Vec<u8>, member: &Member, event: PodEvent, pod: &PodAt) {
    let kind: &[u8] = match event {
        PodEvent::Added => br#"{"type":"ADDED","object":"#,
        PodEvent::Modified => br#"{"type":"MODIFIED","object":"#,
        PodEvent::Deleted => br#"{"type":"DELETED","object":"#,
    };
    buf.extend_from_slice(kind);
    member.objects.write_pod(buf, pod.index, pod.rv, pod.change);
    buf.extend_from_slice(b"}\n");
}

/// A `BOOKMARK` watch event at `rv`.
pub fn bookmark(buf: &mut Vec<u8>, resource: Resource, rv: u64) {
    let (_, kind, api_version) = resource.types();
    let _ = writeln!(
        buf,
        r#"{{"type":"BOOKMARK","object":{{"kind":"{kind}","apiVersion":"{api_version}","metadata":{{"resourceVersion":"{rv}"}}}}}}"#
    );
}

/// An `ERROR` watch event carrying a `Status` (how a watch reports 410 Gone).
pub fn error_event(buf: &mut Vec<u8>, code: u16, reason: &str, message: &str) {
    buf.extend_from_slice(br#"{"type":"ERROR","object":"#);
    status(buf, code, reason, message);
    buf.extend_from_slice(b"}\n");
}

/// A `Status` object, as the body of an error response.
pub fn status(buf: &mut Vec<u8>, code: u16, reason: &str, message: &str) {
    // Messages are ours, without quotes or backslashes; serde_json keeps that true anyway.
    let message = serde_json::Value::from(message).to_string();
    let _ = write!(
        buf,
        r#"{{"kind":"Status","apiVersion":"v1","metadata":{{}},"status":"Failure","message":{message},"reason":"{reason}","code":{code}}}"#
    );
}
