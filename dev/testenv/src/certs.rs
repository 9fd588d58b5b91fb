//! Certificates for one API server: its own CA (so that "the CA of another server" is a real
//! failure case), a serving certificate for 127.0.0.1/localhost, an admin client certificate
//! (group `system:masters`), the service-account token signing key pair and the front proxy's
//! CA and client certificate (what the aggregation layer presents to aggregated API servers).

use anyhow::Result;
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use std::path::{Path, PathBuf};

/// PEM material of one server, also written to files for the server's flags.
pub struct ServerCerts {
    pub ca_pem: String,
    pub client_cert_pem: String,
    pub client_key_pem: String,
    pub files: CertFiles,
}

/// Files handed to kube-apiserver.
pub struct CertFiles {
    pub ca: PathBuf,
    pub serving_cert: PathBuf,
    pub serving_key: PathBuf,
    pub sa_public: PathBuf,
    pub sa_private: PathBuf,
    /// The front proxy's CA (`--requestheader-client-ca-file`) and the client certificate the
    /// server presents to aggregated API servers (`--proxy-client-cert-file`), CN
    /// [`FRONT_PROXY_CLIENT`].
    pub front_proxy_ca: PathBuf,
    pub front_proxy_client_cert: PathBuf,
    pub front_proxy_client_key: PathBuf,
}

/// The name aggregated API servers accept request headers from (`--requestheader-allowed-names`).
pub const FRONT_PROXY_CLIENT: &str = "front-proxy-client";

impl ServerCerts {
    /// Generates fresh material for the server `name` and writes it below `dir`.
    pub fn generate(name: &str, dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let (ca_cert, issuer) = certificate_authority(&format!("{name}-ca"))?;
        let (serving_cert, serving_key) = serving(&issuer, name, &[])?;
        let (client_cert, client_key) = leaf(
            &issuer,
            "testenv-admin",
            Some("system:masters"),
            ExtendedKeyUsagePurpose::ClientAuth,
        )?;
        let (front_proxy_ca, front_proxy_issuer) =
            certificate_authority(&format!("{name}-front-proxy-ca"))?;
        let (proxy_cert, proxy_key) = leaf(
            &front_proxy_issuer,
            FRONT_PROXY_CLIENT,
            None,
            ExtendedKeyUsagePurpose::ClientAuth,
        )?;

        let sa_key = KeyPair::generate()?;
        let files = CertFiles {
            ca: write(dir, "ca.crt", &ca_cert.pem())?,
            serving_cert: write(dir, "serving.crt", &serving_cert.pem())?,
            serving_key: write(dir, "serving.key", &serving_key.serialize_pem())?,
            sa_public: write(dir, "sa.pub", &sa_key.public_key_pem())?,
            sa_private: write(dir, "sa.key", &sa_key.serialize_pem())?,
            front_proxy_ca: write(dir, "front-proxy-ca.crt", &front_proxy_ca.pem())?,
            front_proxy_client_cert: write(dir, "front-proxy-client.crt", &proxy_cert.pem())?,
            front_proxy_client_key: write(
                dir,
                "front-proxy-client.key",
                &proxy_key.serialize_pem(),
            )?,
        };
        Ok(Self {
            ca_pem: ca_cert.pem(),
            client_cert_pem: client_cert.pem(),
            client_key_pem: client_key.serialize_pem(),
            files,
        })
    }
}

/// A CA of its own and a serving certificate for 127.0.0.1, localhost and `dns_names`, written
/// below `dir` as `ca.crt`, `tls.crt` and `tls.key`.
pub struct ServingCerts {
    pub ca_pem: String,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl ServingCerts {
    pub fn generate(name: &str, dir: &Path, dns_names: &[&str]) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let (ca_cert, issuer) = certificate_authority(&format!("{name}-ca"))?;
        let (cert, key) = serving(&issuer, name, dns_names)?;
        write(dir, "ca.crt", &ca_cert.pem())?;
        Ok(Self {
            ca_pem: ca_cert.pem(),
            cert: write(dir, "tls.crt", &cert.pem())?,
            key: write(dir, "tls.key", &key.serialize_pem())?,
        })
    }
}

fn certificate_authority(common_name: &str) -> Result<(Certificate, Issuer<'static, KeyPair>)> {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name = dn(common_name, None);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let cert = params.self_signed(&key)?;
    Ok((cert, Issuer::new(params, key)))
}

/// A serving certificate for 127.0.0.1, localhost and `dns_names`.
fn serving(
    issuer: &Issuer<'_, KeyPair>,
    common_name: &str,
    dns_names: &[&str],
) -> Result<(Certificate, KeyPair)> {
    let key = KeyPair::generate()?;
    let mut names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
    names.extend(dns_names.iter().map(|n| n.to_string()));
    let mut params = CertificateParams::new(names)?;
    params.distinguished_name = dn(common_name, None);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    Ok((params.signed_by(&key, issuer)?, key))
}

fn leaf(
    issuer: &Issuer<'_, KeyPair>,
    common_name: &str,
    organization: Option<&str>,
    usage: ExtendedKeyUsagePurpose,
) -> Result<(Certificate, KeyPair)> {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = dn(common_name, organization);
    params.extended_key_usages = vec![usage];
    Ok((params.signed_by(&key, issuer)?, key))
}

fn dn(common_name: &str, organization: Option<&str>) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    if let Some(org) = organization {
        dn.push(DnType::OrganizationName, org);
    }
    dn
}

fn write(dir: &Path, file: &str, contents: &str) -> Result<PathBuf> {
    let path = dir.join(file);
    std::fs::write(&path, contents)?;
    Ok(path)
}
