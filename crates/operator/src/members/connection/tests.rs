use super::*;
use k8s_openapi::ByteString;
use karmada_types::LocalSecretReference;
use std::collections::BTreeMap;

const TOKEN: &str = "s3cr3t-token-value";

fn ca_pem() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.self_signed(&key).unwrap().pem()
}

fn spec() -> ClusterSpec {
    ClusterSpec {
        api_endpoint: "https://127.0.0.1:6443".into(),
        secret_ref: Some(LocalSecretReference {
            namespace: "karmada-cluster".into(),
            name: "m1".into(),
        }),
        ..ClusterSpec::default()
    }
}

fn secret(pairs: &[(&str, &str)]) -> Secret {
    let data: BTreeMap<_, _> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), ByteString(v.as_bytes().to_vec())))
        .collect();
    Secret {
        data: Some(data),
        ..Secret::default()
    }
}

#[test]
fn a_complete_cluster_gives_a_token_and_ca_config() {
    let ca = ca_pem();
    let config = direct_config(
        &spec(),
        Some(&secret(&[
            ("token", &format!("{TOKEN}\n")),
            ("caBundle", &ca),
        ])),
    )
    .unwrap();
    assert_eq!(config.cluster_url.to_string(), "https://127.0.0.1:6443/");
    use secrecy::ExposeSecret;
    assert_eq!(
        config.auth_info.token.as_ref().unwrap().expose_secret(),
        TOKEN,
        "token is trimmed"
    );
    assert_eq!(config.root_cert.as_ref().map(Vec::len), Some(1));
    assert!(!config.accept_invalid_certs);
    assert_eq!(config.connect_timeout, Some(CONNECT_TIMEOUT));
    assert!(config.proxy_url.is_none());
}

#[test]
fn endpoint_problems_are_invalid_endpoint() {
    let ca = ca_pem();
    let s = secret(&[("token", TOKEN), ("caBundle", &ca)]);
    for (endpoint, expected_empty) in [
        ("", true),
        ("   ", true),
        ("not a url", false),
        ("ftp://host:21", false),
        ("https://", false),
        ("127.0.0.1:6443", false),
    ] {
        let mut spec = spec();
        spec.api_endpoint = endpoint.into();
        let err = direct_config(&spec, Some(&s)).unwrap_err();
        assert_eq!(err.reason(), "InvalidEndpoint", "{endpoint:?}");
        assert_eq!(
            err == ConnectionError::NoEndpoint,
            expected_empty,
            "{endpoint:?}: {err}"
        );
    }
}

#[test]
fn secret_problems_name_the_secret_and_key() {
    let mut no_ref = spec();
    no_ref.secret_ref = None;
    assert_eq!(
        direct_config(&no_ref, None).unwrap_err(),
        ConnectionError::NoSecretRef
    );

    let err = direct_config(&spec(), None).unwrap_err();
    assert_eq!(err.reason(), "SecretNotFound");
    assert!(err.to_string().contains("karmada-cluster/m1"), "{err}");

    let ca = ca_pem();
    for s in [
        secret(&[("caBundle", &ca)]),
        secret(&[("token", " \n"), ("caBundle", &ca)]),
    ] {
        let err = direct_config(&spec(), Some(&s)).unwrap_err();
        assert_eq!(
            err,
            ConnectionError::SecretKeyMissing {
                namespace: "karmada-cluster".into(),
                name: "m1".into(),
                key: "token"
            }
        );
    }
    let err = direct_config(&spec(), Some(&secret(&[("token", TOKEN)]))).unwrap_err();
    assert_eq!(err.reason(), "SecretKeyMissing");
    assert!(err.to_string().contains("`caBundle`"), "{err}");
}

#[test]
fn a_token_no_http_header_can_carry_is_refused_not_sent() {
    let ca = ca_pem();
    for token in ["two\nlines", "del\u{7f}char", "nul\u{0}byte", "cr\rinside"] {
        let err = direct_config(
            &spec(),
            Some(&secret(&[("token", token), ("caBundle", &ca)])),
        )
        .unwrap_err();
        assert_eq!(err.reason(), "Unauthorized", "{token:?}: {err}");
        assert!(err.to_string().contains("karmada-cluster/m1"), "{err}");
        assert!(!err.to_string().contains(token), "{err}");
    }
}

#[test]
fn a_ca_bundle_that_is_not_a_certificate_is_invalid() {
    let garbage_in_armour =
        "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
    for bundle in [
        "hello",
        garbage_in_armour,
        "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
    ] {
        let err = direct_config(
            &spec(),
            Some(&secret(&[("token", TOKEN), ("caBundle", bundle)])),
        )
        .unwrap_err();
        assert_eq!(err.reason(), "InvalidCABundle", "{bundle:?}: {err}");
        assert!(!err.to_string().contains(TOKEN));
    }
}

#[test]
fn insecure_skip_tls_verification_needs_no_ca_bundle() {
    let mut spec = spec();
    spec.insecure_skip_tls_verification = true;
    let config = direct_config(&spec, Some(&secret(&[("token", TOKEN)]))).unwrap();
    assert!(config.accept_invalid_certs);
    assert!(config.root_cert.is_none());
}

#[test]
fn proxy_url_is_honoured_and_checked() {
    let ca = ca_pem();
    let s = secret(&[("token", TOKEN), ("caBundle", &ca)]);
    let mut spec = spec();
    spec.proxy_url = "socks5://127.0.0.1:1080".into();
    assert_eq!(
        direct_config(&spec, Some(&s))
            .unwrap()
            .proxy_url
            .unwrap()
            .to_string(),
        "socks5://127.0.0.1:1080/"
    );
    spec.proxy_url = "gopher://proxy".into();
    let err = direct_config(&spec, Some(&s)).unwrap_err();
    assert!(
        matches!(err, ConnectionError::InvalidProxyUrl { .. }),
        "{err}"
    );
}

#[test]
fn debug_output_of_a_config_does_not_leak_the_token() {
    let ca = ca_pem();
    let config = direct_config(
        &spec(),
        Some(&secret(&[("token", TOKEN), ("caBundle", &ca)])),
    )
    .unwrap();
    assert!(!format!("{config:?}").contains(TOKEN));
}
