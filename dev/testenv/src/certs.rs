//! Certificates for one API server: its own CA (so that "the CA of another server" is a real
//! failure case), a serving certificate for 127.0.0.1/localhost, an admin client certificate
//! (group `system:masters`) and the service-account token signing key pair.

use anyhow::Result;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
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
}

impl ServerCerts {
    /// Generates fresh material for the server `name` and writes it below `dir`.
    pub fn generate(name: &str, dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name = dn(&format!("{name}-ca"), None);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let serving_key = KeyPair::generate()?;
        let mut serving =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])?;
        serving.distinguished_name = dn(name, None);
        serving.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let serving_cert = serving.signed_by(&serving_key, &issuer)?;

        let client_key = KeyPair::generate()?;
        let mut client = CertificateParams::new(Vec::<String>::new())?;
        client.distinguished_name = dn("testenv-admin", Some("system:masters"));
        client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_cert = client.signed_by(&client_key, &issuer)?;

        let sa_key = KeyPair::generate()?;
        let files = CertFiles {
            ca: write(dir, "ca.crt", &ca_cert.pem())?,
            serving_cert: write(dir, "serving.crt", &serving_cert.pem())?,
            serving_key: write(dir, "serving.key", &serving_key.serialize_pem())?,
            sa_public: write(dir, "sa.pub", &sa_key.public_key_pem())?,
            sa_private: write(dir, "sa.key", &sa_key.serialize_pem())?,
        };
        Ok(Self {
            ca_pem: ca_cert.pem(),
            client_cert_pem: client_cert.pem(),
            client_key_pem: client_key.serialize_pem(),
            files,
        })
    }
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
