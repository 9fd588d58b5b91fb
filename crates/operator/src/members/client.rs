//! Building a member client. Usually kube's own builder; but a Cluster may ask for extra headers
//! on the HTTP CONNECT to its proxy (`spec.proxyHeader`), and kube builds its proxy tunnel without
//! a way to add them. For that case the same stack is assembled here from kube's public pieces:
//! an HTTP connector, a CONNECT tunnel with the headers, kube's rustls connector and timeouts,
//! then kube's base-URI, auth and extra-header layers.

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::rt::TokioExecutor;
use kube::client::ConfigExt;
use std::collections::BTreeMap;
use tower::ServiceBuilder;

/// Why a member client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Kube(#[from] kube::Error),
    #[error("spec.proxyHeader {0:?} is not a valid HTTP header")]
    BadProxyHeader(String),
    #[error(
        "spec.proxyHeader cannot be sent to an https:// spec.proxyURL; use an http:// proxy URL or remove the headers"
    )]
    ProxyHeaderWithHttpsProxy,
}

pub fn member_client(
    config: kube::Config,
    proxy_headers: &BTreeMap<String, String>,
) -> Result<kube::Client, ClientError> {
    let proxy = match config.proxy_url.clone() {
        Some(url) if url.scheme_str() == Some("http") && !proxy_headers.is_empty() => url,
        // An https proxy would need TLS to the proxy under the tunnel; kube's own builder does
        // that, but without headers. Rare enough to report rather than half-support.
        Some(url) if url.scheme_str() == Some("https") && !proxy_headers.is_empty() => {
            return Err(ClientError::ProxyHeaderWithHttpsProxy);
        }
        // No headers, or nothing to send them to (no proxy, or SOCKS5): kube's own builder.
        _ => return Ok(kube::Client::try_from(config)?),
    };
    let mut headers = http::HeaderMap::new();
    for (name, value) in proxy_headers {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| ClientError::BadProxyHeader(name.clone()))?;
        let value = http::HeaderValue::from_str(value)
            .map_err(|_| ClientError::BadProxyHeader(name.to_string()))?;
        headers.insert(name, value);
    }
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    let tunnel = Tunnel::new(proxy, http).with_headers(headers);
    let tls = config.rustls_https_connector_with_connector(tunnel)?;
    let mut connector = hyper_timeout::TimeoutConnector::new(tls);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    let client: hyper_util::client::legacy::Client<_, kube::client::Body> =
        hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(connector);
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        // The auth layer reports boxed errors; the transport's must match.
        .map_err(
            |e: hyper_util::client::legacy::Error| -> Box<dyn std::error::Error + Send + Sync> {
                Box::new(e)
            },
        )
        .service(client);
    Ok(kube::Client::new(service, config.default_namespace))
}
