//! `Direct` connection to a member: the Cluster's `spec.apiEndpoint` plus the bearer
//! `token` and PEM `caBundle` of the Secret its `spec.secretRef` names. Pure: the caller looks the
//! Secret up (from a watch cache), so this can be tested without a server, and every way the
//! input can be wrong has its own error that becomes a condition on the member's ClusterInsight.

use k8s_openapi::api::core::v1::Secret;
use karmada_manager_api::conditions::reasons;
use karmada_manager_core::text::{QUOTE_LIMIT, VALUE_LIMIT, bounded};
use karmada_types::ClusterSpec;
use karmada_types::well_known::{SECRET_CA_BUNDLE_KEY, SECRET_TOKEN_KEY};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use std::time::Duration;

/// How long establishing a connection (TCP and TLS) to a member may take. A member that accepts
/// TCP but never answers must fail fast instead of holding its task forever.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long any hub or member request may wait for the next bytes of its answer. Longer than
/// a watch's quiet period (the server ends a watch after 290 s), so that only a request that
/// hangs fails: it is then retried, and nothing waits on it forever.
pub const READ_TIMEOUT: Duration = Duration::from_secs(300);

/// Why a member cannot be reached directly. Messages say what is wrong and how to fix it; they
/// never contain Secret data. The values they quote from the Cluster's spec and the problems
/// they name are bounded (`value`, `quote`), so a message stays small whatever the spec holds.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionError {
    #[error("spec.apiEndpoint is empty; set it to the URL of the member's API server")]
    NoEndpoint,

    #[error(
        "spec.apiEndpoint {:?} is not a usable URL ({}); set it to https://<host>:<port>",
        value(.endpoint), quote(.problem)
    )]
    InvalidEndpoint { endpoint: String, problem: String },

    #[error(
        "spec.proxyURL {:?} is not a usable URL ({}); set it to http(s)://<host>:<port> or socks5://<host>:<port>, or remove it",
        value(.url), quote(.problem)
    )]
    InvalidProxyUrl { url: String, problem: String },

    #[error(
        "spec.secretRef is not set; reference a Secret in karmada-cluster with keys `token` and `caBundle`"
    )]
    NoSecretRef,

    #[error(
        "Secret {}/{} named by spec.secretRef does not exist; create it with keys `token` and `caBundle`",
        value(.namespace), value(.name)
    )]
    SecretNotFound { namespace: String, name: String },

    #[error(
        "Secret {}/{} has no `{key}` key (or it is empty); add it",
        value(.namespace), value(.name)
    )]
    SecretKeyMissing {
        namespace: String,
        name: String,
        key: &'static str,
    },

    #[error(
        "Secret {}/{} key `token` is not a usable bearer token: it holds characters an HTTP header cannot carry (a line break or another control character inside it); put the member's token there",
        value(.namespace), value(.name)
    )]
    InvalidToken { namespace: String, name: String },

    #[error(
        "cannot set up a client for {}: {}",
        value(.endpoint), quote(.problem)
    )]
    ClientSetup { endpoint: String, problem: String },

    #[error(
        "Secret {}/{} key `caBundle` holds no PEM certificate ({}); put the member API server's CA certificate there, PEM-encoded, or set spec.insecureSkipTLSVerification",
        value(.namespace), value(.name), quote(.problem)
    )]
    InvalidCaBundle {
        namespace: String,
        name: String,
        problem: String,
    },
}

impl ConnectionError {
    /// The Cluster names no endpoint or no Secret at all: normal for a Pull cluster, whose
    /// figures then come from Karmada's Cluster status without a problem to report.
    pub fn settings_absent(&self) -> bool {
        matches!(self, Self::NoEndpoint | Self::NoSecretRef)
    }

    /// The condition reason this error is reported with.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NoEndpoint
            | Self::InvalidEndpoint { .. }
            | Self::InvalidProxyUrl { .. }
            | Self::ClientSetup { .. } => reasons::INVALID_ENDPOINT,
            Self::NoSecretRef | Self::SecretNotFound { .. } => reasons::SECRET_NOT_FOUND,
            Self::SecretKeyMissing { .. } => reasons::SECRET_KEY_MISSING,
            Self::InvalidCaBundle { .. } => reasons::INVALID_CA_BUNDLE,
            // The member could not accept it either: a credentials problem, fixed in the Secret.
            Self::InvalidToken { .. } => reasons::UNAUTHORIZED,
        }
    }
}

/// A value from the Cluster's spec (an endpoint, a Secret's name), as messages quote it.
fn value(text: &str) -> String {
    bounded(text, VALUE_LIMIT)
}

/// A problem a library reported (it may quote the value it choked on), as messages quote it.
fn quote(text: &str) -> String {
    bounded(text, QUOTE_LIMIT)
}

/// The client configuration for reaching a member directly.
///
/// `secret` is the Secret named by `spec.secretRef`, or `None` when it does not exist.
pub fn direct_config(
    spec: &ClusterSpec,
    secret: Option<&Secret>,
) -> Result<kube::Config, ConnectionError> {
    let cluster_url = endpoint_url(spec)?;
    let credentials = Credentials::of(spec, secret)?;
    let mut config = kube::Config::new(cluster_url);
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    config.read_timeout = Some(READ_TIMEOUT);
    config.auth_info.token = Some(credentials.token()?.into());
    if spec.insecure_skip_tls_verification {
        config.accept_invalid_certs = true;
    } else {
        config.root_cert = Some(credentials.ca_bundle()?);
    }
    config.proxy_url = proxy_url(spec)?;
    Ok(config)
}

/// `spec.apiEndpoint`, which must be an absolute http(s) URL.
fn endpoint_url(spec: &ClusterSpec) -> Result<http::Uri, ConnectionError> {
    let endpoint = spec.api_endpoint.trim();
    if endpoint.is_empty() {
        return Err(ConnectionError::NoEndpoint);
    }
    parse_url(endpoint, &["https", "http"]).map_err(|problem| ConnectionError::InvalidEndpoint {
        endpoint: endpoint.to_string(),
        problem,
    })
}

/// `spec.proxyURL`, when set.
fn proxy_url(spec: &ClusterSpec) -> Result<Option<http::Uri>, ConnectionError> {
    let proxy = spec.proxy_url.trim();
    if proxy.is_empty() {
        return Ok(None);
    }
    let url = parse_url(proxy, &["http", "https", "socks5"]).map_err(|problem| {
        ConnectionError::InvalidProxyUrl {
            url: proxy.to_string(),
            problem,
        }
    })?;
    Ok(Some(url))
}

/// The Secret `spec.secretRef` names, with its name for messages.
struct Credentials<'a> {
    namespace: String,
    name: String,
    secret: &'a Secret,
}

impl<'a> Credentials<'a> {
    fn of(spec: &ClusterSpec, secret: Option<&'a Secret>) -> Result<Self, ConnectionError> {
        let reference = spec
            .secret_ref
            .as_ref()
            .filter(|r| !r.name.is_empty())
            .ok_or(ConnectionError::NoSecretRef)?;
        let (namespace, name) = (reference.namespace.clone(), reference.name.clone());
        match secret {
            Some(secret) => Ok(Self {
                namespace,
                name,
                secret,
            }),
            None => Err(ConnectionError::SecretNotFound { namespace, name }),
        }
    }

    fn missing(&self, key: &'static str) -> ConnectionError {
        ConnectionError::SecretKeyMissing {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            key,
        }
    }

    /// The bearer token, trimmed.
    fn token(&self) -> Result<String, ConnectionError> {
        let token = secret_value(self.secret, SECRET_TOKEN_KEY)
            .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.missing(SECRET_TOKEN_KEY))?;
        // kube sends the token through tower-http, which panics on a token that is no valid
        // header value: the fault tests saw one Secret with a control character in its
        // token crash the whole operator on every start. Refuse it here, as a condition.
        if http::HeaderValue::from_str(&format!("Bearer {token}")).is_err() {
            return Err(ConnectionError::InvalidToken {
                namespace: self.namespace.clone(),
                name: self.name.clone(),
            });
        }
        Ok(token)
    }

    /// The CA certificates to trust, DER-encoded.
    fn ca_bundle(&self) -> Result<Vec<Vec<u8>>, ConnectionError> {
        let pem = secret_value(self.secret, SECRET_CA_BUNDLE_KEY)
            .filter(|b| !b.is_empty())
            .ok_or_else(|| self.missing(SECRET_CA_BUNDLE_KEY))?;
        parse_ca_bundle(pem).map_err(|problem| ConnectionError::InvalidCaBundle {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            problem,
        })
    }
}

fn secret_value<'a>(secret: &'a Secret, key: &str) -> Option<&'a [u8]> {
    secret.data.as_ref()?.get(key).map(|b| b.0.as_slice())
}

/// An absolute URL with one of `schemes` and a host.
fn parse_url(text: &str, schemes: &[&str]) -> Result<http::Uri, String> {
    let uri: http::Uri = text
        .parse()
        .map_err(|e: http::uri::InvalidUri| e.to_string())?;
    let scheme = uri.scheme_str().ok_or("no scheme")?;
    if !schemes.contains(&scheme) {
        return Err(format!(
            "scheme {scheme:?} is not one of {}",
            schemes.join(", ")
        ));
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err("no host".to_string());
    }
    Ok(uri)
}

/// DER certificates from a PEM bundle: at least one, each accepted by rustls as a trust anchor
/// (so that garbage in PEM armour is reported as a bad caBundle, not later as a TLS failure).
fn parse_ca_bundle(pem: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    if certs.is_empty() {
        return Err("no CERTIFICATE block found".to_string());
    }
    let mut store = rustls::RootCertStore::empty();
    for cert in &certs {
        store
            .add(cert.clone())
            .map_err(|e| format!("not a valid X.509 certificate: {e}"))?;
    }
    Ok(certs.into_iter().map(|c| c.as_ref().to_vec()).collect())
}

#[cfg(test)]
mod tests;
