//! What the operator knows about its connection to one member, shared between the member's watch
//! task (which writes it) and the Cluster reconciler (which turns it into conditions).

use karmada_manager_api::conditions::reasons;
use karmada_manager_core::OwnerKind;
use karmada_manager_core::text::{QUOTE_LIMIT, VALUE_LIMIT, bounded};
use std::time::Instant;

#[derive(Clone, Debug, Default)]
pub struct Health {
    /// The current, unresolved failure; cleared by the next successful watch event.
    pub failure: Option<Failure>,
    /// A failure of the ReplicaSet/Job watches only (pod attribution, not the ClusterInsight):
    /// typically a member identity without read access to them.
    pub owner_failure: Option<Failure>,
    /// The member is reached through Karmada's cluster proxy, which acts in the member as the
    /// operator's hub identity: a refusal then needs other grants than a direct connection's.
    pub through_proxy: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Condition reason, e.g. `MemberUnreachable`, `Unauthorized`, `InvalidCABundle`.
    pub reason: &'static str,
    pub message: String,
    /// When this failure began (kept while the same failure repeats).
    pub since: Instant,
    /// Configuration that cannot work without a change (wrong token, wrong CA): reported at
    /// once as `Stalled`, without waiting for the unreachable grace period.
    pub stalled: bool,
}

impl Health {
    pub fn record_failure(&mut self, error: &kube::Error, endpoint: &str) {
        let (reason, stalled, message) =
            classify(error, endpoint, "nodes and pods", self.through_proxy);
        record(&mut self.failure, reason, stalled, message);
    }

    /// Records a failure of the ReplicaSet or Job watch.
    pub fn record_owner_failure(&mut self, kind: OwnerKind, error: &kube::Error, endpoint: &str) {
        let resources = "replicasets (apps) and jobs (batch)";
        let (reason, stalled, message) = classify(error, endpoint, resources, self.through_proxy);
        let message = format!("watching {}s for pod attribution: {message}", kind.kind());
        record(&mut self.owner_failure, reason, stalled, message);
    }

    pub fn record_success(&mut self) {
        self.failure = None;
    }
}

/// Keeps the start of a failure that repeats with the same reason.
fn record(slot: &mut Option<Failure>, reason: &'static str, stalled: bool, message: String) {
    match slot {
        Some(current) if current.reason == reason => current.message = message,
        _ => {
            *slot = Some(Failure {
                reason,
                message,
                since: Instant::now(),
                stalled,
            })
        }
    }
}

/// Condition reason, whether it is a configuration problem, and a message saying what to do.
/// Messages carry the error text of the client library, which never includes credentials.
/// What the member wrote (the body of its answer, an error chain) and the endpoint from the
/// Cluster's spec are bounded, so a member cannot make the message grow.
fn classify(
    error: &kube::Error,
    endpoint: &str,
    resources: &str,
    through_proxy: bool,
) -> (&'static str, bool, String) {
    let endpoint = bounded(endpoint, VALUE_LIMIT);
    if let kube::Error::Api(status) = error {
        let body = bounded(&status.message, QUOTE_LIMIT);
        return match status.code {
            401 if through_proxy => (
                reasons::UNAUTHORIZED,
                true,
                format!(
                    "{endpoint} rejected the operator's hub credentials (401 Unauthorized); check the token karmada-manager uses for the hub"
                ),
            ),
            403 if through_proxy => (
                reasons::FORBIDDEN,
                true,
                format!(
                    "{endpoint} denied access (403 Forbidden: {body}); the cluster proxy acts in the member as karmada-manager's hub identity: the hub grants it get on clusters/proxy, the member must grant it get/list/watch on {resources} and let Karmada's impersonator impersonate its groups"
                ),
            ),
            401 => (
                reasons::UNAUTHORIZED,
                true,
                format!(
                    "{endpoint} rejected the token (401 Unauthorized); put a valid token for the member in the Cluster's Secret"
                ),
            ),
            403 => (
                reasons::FORBIDDEN,
                true,
                format!(
                    "{endpoint} denied access (403 Forbidden: {body}); grant get/list/watch on {resources} to the identity in the Cluster's Secret"
                ),
            ),
            code => (
                reasons::MEMBER_UNREACHABLE,
                false,
                format!("{endpoint} answered {code}: {body}"),
            ),
        };
    }
    let chain = error_chain(error);
    let tls = chain.contains("certificate")
        || chain.contains("UnknownIssuer")
        || chain.contains("CertNotValid");
    let chain = bounded(&chain, QUOTE_LIMIT);
    if tls {
        return (
            reasons::INVALID_CA_BUNDLE,
            true,
            format!(
                "TLS verification of {endpoint} failed ({chain}); put the CA of the member's API server in the Secret's caBundle"
            ),
        );
    }
    (
        reasons::MEMBER_UNREACHABLE,
        false,
        format!(
            "cannot reach {endpoint} ({chain}); check that the member's API server is up and reachable from karmada-manager"
        ),
    )
}

/// `error: cause: cause ...`, deduplicated (hyper and rustls repeat themselves).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(code: u16) -> kube::Error {
        kube::Error::Api(Box::new(kube::core::Status {
            code,
            message: "nope".into(),
            ..Default::default()
        }))
    }

    #[test]
    fn http_codes_become_precise_reasons() {
        let mut health = Health::default();
        health.record_failure(&api_error(401), "https://m1");
        let failure = health.failure.clone().unwrap();
        assert_eq!((failure.reason, failure.stalled), ("Unauthorized", true));
        health.record_failure(&api_error(403), "https://m1");
        assert_eq!(health.failure.as_ref().unwrap().reason, "Forbidden");
        health.record_failure(&api_error(503), "https://m1");
        let failure = health.failure.clone().unwrap();
        assert_eq!(
            (failure.reason, failure.stalled),
            ("MemberUnreachable", false)
        );
    }

    #[test]
    fn refusals_through_the_cluster_proxy_name_the_grants_it_needs() {
        let mut health = Health {
            through_proxy: true,
            ..Health::default()
        };
        let proxy = "https://hub/apis/cluster.karmada.io/v1alpha1/clusters/m1/proxy";
        health.record_failure(&api_error(403), proxy);
        let message = &health.failure.as_ref().unwrap().message;
        assert!(message.contains("clusters/proxy"), "{message}");
        assert!(message.contains("impersonate its groups"), "{message}");
        assert!(!message.contains("Cluster's Secret"), "{message}");
        health.record_failure(&api_error(401), proxy);
        let message = &health.failure.as_ref().unwrap().message;
        assert!(message.contains("hub credentials"), "{message}");
    }

    #[test]
    fn what_a_member_answers_is_bounded() {
        let huge = "denied ".repeat(200_000);
        let endpoint = format!("https://{}", "m".repeat(1 << 20));
        for code in [403, 500] {
            let error = kube::Error::Api(Box::new(kube::core::Status {
                code,
                message: huge.clone(),
                ..Default::default()
            }));
            let (_, _, message) = classify(&error, &endpoint, "nodes and pods", false);
            assert!(
                message.len() <= VALUE_LIMIT + QUOTE_LIMIT + 200,
                "{code}: {} bytes",
                message.len()
            );
            assert_eq!(message.matches(" bytes cut)").count(), 2, "{message}");
        }
        let mut health = Health::default();
        let error = kube::Error::Service(huge.clone().into());
        health.record_failure(&error, "https://m1");
        let message = &health.failure.as_ref().unwrap().message;
        assert!(
            message.len() <= QUOTE_LIMIT + 200,
            "{} bytes",
            message.len()
        );
        assert!(
            message.ends_with("reachable from karmada-manager"),
            "{message}"
        );
    }

    #[test]
    fn a_repeated_failure_keeps_its_start_and_success_clears_it() {
        let mut health = Health::default();
        health.record_failure(&api_error(503), "https://m1");
        let since = health.failure.as_ref().unwrap().since;
        health.record_failure(&api_error(502), "https://m1");
        assert_eq!(health.failure.as_ref().unwrap().since, since);
        health.record_success();
        assert!(health.failure.is_none());
    }
}
