//! TLS of the simulated members: a CA of the run's own and one serving certificate for
//! 127.0.0.1, which every member listener presents. The operator checks it against the CA in
//! each Cluster's Secret (`caBundle`), exactly as for a real member.

use anyhow::{Context, Result};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

/// The run's CA (PEM, for the Secrets) and the acceptor every listener uses.
pub struct Tls {
    pub ca_pem: String,
    pub acceptor: TlsAcceptor,
}

pub fn generate() -> Result<Tls> {
    let ca_key = KeyPair::generate().context("generating the CA key")?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "simulated-members-ca");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).context("self-signing the CA")?;
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().context("generating the serving key")?;
    let mut serving = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])?;
    serving
        .distinguished_name
        .push(DnType::CommonName, "simulated-member");
    let cert = serving
        .signed_by(&key, &issuer)
        .context("signing the serving certificate")?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .context("the serving certificate")?;
    // kube's client speaks HTTP/1.1 to API servers; so do we.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        ca_pem: ca_cert.pem(),
        acceptor: TlsAcceptor::from(Arc::new(config)),
    })
}
