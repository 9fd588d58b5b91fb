//! Audit logs of the environment's API servers (opt-in, [`EnvOptions::audit`]): the policy
//! each server is started with — every request at level `Metadata`, no `RequestReceived`
//! stage — and a reader of the JSON lines it writes, to tell who asked for what.
//!
//! [`EnvOptions::audit`]: crate::EnvOptions::audit

use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// The policy: who, what and the answer for every request; no bodies.
pub const POLICY: &str = "\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
";

/// The annotation in which the authorizer records its decision: `allow` or `forbid`.
pub const DECISION: &str = "authorization.k8s.io/decision";

/// One audit event, the fields that say who did what and how it ended.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    #[serde(rename = "auditID")]
    pub audit_id: String,
    /// `ResponseStarted` (a watch has begun) or `ResponseComplete`.
    pub stage: String,
    #[serde(rename = "requestURI")]
    pub request_uri: String,
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`; for
    /// non-resource URLs the HTTP method in lower case.
    pub verb: String,
    pub user: User,
    /// Whom the requester acted as (`Impersonate-User`), e.g. the cluster proxy's caller.
    #[serde(default)]
    pub impersonated_user: Option<User>,
    /// Absent for non-resource requests (`/version`, `/apis`, `/healthz`...).
    pub object_ref: Option<ObjectRef>,
    pub response_status: Option<ResponseStatus>,
    /// Set by the server's plugins; the authorizer's is `authorization.k8s.io/decision`.
    #[serde(default)]
    pub annotations: HashMap<String, String>,
    /// The client's `User-Agent`: tells apart processes that share one identity.
    #[serde(default)]
    pub user_agent: String,
    /// When the server received the request (RFC 3339, microseconds).
    #[serde(default)]
    pub request_received_timestamp: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct User {
    pub username: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectRef {
    /// Empty for the core group.
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ResponseStatus {
    pub code: Option<u16>,
}

impl Entry {
    pub fn username(&self) -> &str {
        &self.user.username
    }

    /// The HTTP status code of the answer, if the event has one.
    pub fn code(&self) -> Option<u16> {
        self.response_status.as_ref().and_then(|s| s.code)
    }

    /// Whether the authorizer allowed the request (`Some(false)`: forbidden), whatever the
    /// answer was after that (a 404 was still authorized). `None` when not recorded.
    pub fn authorized(&self) -> Option<bool> {
        match self.annotations.get(DECISION)?.as_str() {
            "allow" => Some(true),
            "forbid" => Some(false),
            _ => None,
        }
    }

    /// Whether the verb changes something.
    pub fn is_write(&self) -> bool {
        matches!(
            self.verb.as_str(),
            "create" | "update" | "patch" | "delete" | "deletecollection"
        )
    }

    /// `resource[/subresource]` with its group, e.g. `apps/replicasets`, `pods/status`, or the
    /// request path for a non-resource request.
    pub fn target(&self) -> String {
        let Some(o) = &self.object_ref else {
            return self.request_uri.clone();
        };
        let mut target = String::new();
        if !o.api_group.is_empty() {
            target.push_str(&o.api_group);
            target.push('/');
        }
        target.push_str(&o.resource);
        if !o.subresource.is_empty() {
            target.push('/');
            target.push_str(&o.subresource);
        }
        target
    }
}

/// Every event in the log at `path`, in order. A last line still being written is skipped.
pub fn read(path: &Path) -> Result<Vec<Entry>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut entries = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str(line) {
            Ok(entry) => entries.push(entry),
            Err(_) if i + 1 == lines.len() && !complete => {}
            Err(err) => {
                return Err(err).with_context(|| {
                    format!("line {} of {} is no audit event", i + 1, path.display())
                });
            }
        }
    }
    Ok(entries)
}

/// One entry per request (a watch has a `ResponseStarted` and, once it ended, a
/// `ResponseComplete` event): the latest, in the order the requests first appeared.
pub fn requests(entries: &[Entry]) -> Vec<&Entry> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut requests: Vec<&Entry> = Vec::new();
    for entry in entries {
        match index.get(entry.audit_id.as_str()) {
            Some(&i) => requests[i] = entry,
            None => {
                index.insert(&entry.audit_id, requests.len());
                requests.push(entry);
            }
        }
    }
    requests
}

#[cfg(test)]
mod tests {
    use super::*;

    const WATCH_STARTED: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseStarted","requestURI":"/api/v1/pods?watch=true","verb":"watch","user":{"username":"system:serviceaccount:karmada-cluster:karmada-m1","groups":["system:serviceaccounts"]},"objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding"}}"#;
    const WATCH_ENDED: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseComplete","requestURI":"/api/v1/pods?watch=true","verb":"watch","user":{"username":"system:serviceaccount:karmada-cluster:karmada-m1"},"objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}"#;
    const PATCH: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"b2","stage":"ResponseComplete","requestURI":"/apis/apps/v1/namespaces/load/replicasets/w-rs/status","verb":"patch","user":{"username":"admin"},"objectRef":{"resource":"replicasets","namespace":"load","name":"w-rs","apiGroup":"apps","apiVersion":"v1","subresource":"status"},"responseStatus":{"metadata":{},"code":403},"annotations":{"authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":""}}"#;
    const VERSION: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"c3","stage":"ResponseComplete","requestURI":"/version","verb":"get","user":{"username":"admin"},"responseStatus":{"metadata":{},"code":200}}"#;

    fn parse(lines: &[&str], tail: &str) -> Vec<Entry> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        std::fs::write(&path, format!("{}\n{tail}", lines.join("\n"))).unwrap();
        read(&path).unwrap()
    }

    #[test]
    fn fields_are_read() {
        let entries = parse(&[WATCH_STARTED, PATCH, VERSION], "");
        assert_eq!(entries.len(), 3);
        let patch = &entries[1];
        assert_eq!(patch.username(), "admin");
        assert!(patch.is_write());
        assert_eq!(patch.code(), Some(403));
        assert_eq!(patch.authorized(), Some(false));
        assert_eq!(entries[0].authorized(), Some(true));
        assert_eq!(entries[2].authorized(), None);
        assert_eq!(patch.target(), "apps/replicasets/status");
        let o = patch.object_ref.as_ref().unwrap();
        assert_eq!((o.namespace.as_str(), o.name.as_str()), ("load", "w-rs"));
        assert_eq!(entries[0].target(), "pods");
        assert!(!entries[0].is_write());
        assert_eq!(entries[2].target(), "/version");
    }

    #[test]
    fn one_request_per_audit_id() {
        let entries = parse(&[WATCH_STARTED, PATCH, WATCH_ENDED], "");
        let requests = requests(&entries);
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0].stage, "ResponseComplete");
        assert_eq!(requests[1].audit_id, "b2");
    }

    #[test]
    fn a_line_being_written_is_skipped_but_not_a_broken_one() {
        assert_eq!(parse(&[PATCH], r#"{"kind":"Ev"#).len(), 1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        std::fs::write(&path, format!("{{\"kind\"\n{PATCH}\n")).unwrap();
        assert!(read(&path).is_err());
    }
}
