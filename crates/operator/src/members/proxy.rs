//! `ClusterProxy` connection to a member: through Karmada's aggregated API,
//! `<hub>/apis/cluster.karmada.io/v1alpha1/clusters/<name>/proxy`, with the operator's own hub
//! credentials. kube-rs prefixes every request path with the base URL's path, so a member client
//! is simply a hub client with a longer base URL.

use super::ConnectionError;

/// The client configuration for reaching member `cluster` through the cluster proxy at `base`
/// (the hub's URL unless configured otherwise), authenticating as the operator does to the hub.
pub fn proxy_config(
    hub: &kube::Config,
    base: Option<&http::Uri>,
    cluster: &str,
) -> Result<kube::Config, ConnectionError> {
    let base = base.unwrap_or(&hub.cluster_url).to_string();
    let url = format!(
        "{}/apis/cluster.karmada.io/v1alpha1/clusters/{cluster}/proxy",
        base.trim_end_matches('/')
    );
    let cluster_url =
        url.parse().map_err(
            |e: http::uri::InvalidUri| ConnectionError::InvalidEndpoint {
                endpoint: url.clone(),
                problem: e.to_string(),
            },
        )?;
    let mut config = hub.clone();
    config.cluster_url = cluster_url;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_url_extends_the_hub_url() {
        let mut hub = kube::Config::new("https://karmada.example:5443".parse().unwrap());
        hub.auth_info.token = Some("hub-token".to_string().into());
        let config = proxy_config(&hub, None, "m1").unwrap();
        assert_eq!(
            config.cluster_url.to_string(),
            "https://karmada.example:5443/apis/cluster.karmada.io/v1alpha1/clusters/m1/proxy"
        );
        assert!(
            config.auth_info.token.is_some(),
            "the operator's own credentials"
        );

        let base: http::Uri = "http://127.0.0.1:8080/prefix/".parse().unwrap();
        let config = proxy_config(&hub, Some(&base), "m2").unwrap();
        assert_eq!(
            config.cluster_url.to_string(),
            "http://127.0.0.1:8080/prefix/apis/cluster.karmada.io/v1alpha1/clusters/m2/proxy"
        );
    }
}
