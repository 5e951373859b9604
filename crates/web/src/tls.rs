//! HTTPS for `--lan`: a small certificate authority of this computer's own, name-constrained
//! to the addresses served, signs the server's certificate once; both are kept in the data
//! directory. A phone that trusts the authority once (the pairing page offers it) trusts the
//! server without a warning, so its browser lets the service worker run and the player works
//! offline. The authority's private key is never written down: it signs the one certificate
//! and is dropped, so nothing can ever sign another with it. The TLS settings; the server
//! shakes hands in each connection's own task, so a slow client never holds up another.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// Why HTTPS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate could not be made.
    #[error("cannot make a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// The certificate or key files could not be read or written.
    #[error("cannot keep the certificate in {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The kept files are not a certificate and key.
    #[error("the certificate in {path} cannot be read: {detail}")]
    Bad {
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// rustls refused the pair.
    #[error("the certificate and key do not work together: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The authority's file in the serve directory (public: the pairing page offers it).
pub const AUTHORITY_FILE: &str = "ca.pem";

/// The certificate chain (the server's, then the authority's) and key for `hosts`, made once
/// and kept in `dir` (as `cert.pem`, `key.pem`, [`AUTHORITY_FILE`], and `hosts`, the names
/// covered). Certificates for other names (the machine moved to another network), or from
/// before there was an authority, are made anew.
pub fn certificate(
    dir: &Path,
    hosts: &[String],
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    let ca_path = dir.join(AUTHORITY_FILE);
    let hosts_path = dir.join("hosts");
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| TlsError::Io { path, source }
    };
    let want = hosts.join("\n");
    let have = std::fs::read_to_string(&hosts_path).unwrap_or_default();
    if have != want || !cert_path.exists() || !key_path.exists() || !ca_path.exists() {
        let made = signed_by_authority(hosts)?;
        crate::files::write_private(&key_path, made.key.as_bytes()).map_err(io(&key_path))?;
        crate::files::write_private(&cert_path, format!("{}{}", made.cert, made.ca).as_bytes())
            .map_err(io(&cert_path))?;
        crate::files::write_private(&ca_path, made.ca.as_bytes()).map_err(io(&ca_path))?;
        crate::files::write_private(&hosts_path, want.as_bytes()).map_err(io(&hosts_path))?;
    }
    read(&cert_path, &key_path)
}

/// A server certificate and its authority, as PEM.
struct Made {
    /// The server's certificate.
    cert: String,
    /// The server's private key.
    key: String,
    /// The authority's certificate.
    ca: String,
}

/// A new authority that may vouch only for `hosts` (IP addresses exactly, or DNS names),
/// and the server certificate it signs for them. The authority's key is dropped here.
fn signed_by_authority(hosts: &[String]) -> Result<Made, TlsError> {
    use rcgen::{
        BasicConstraints, CertificateParams, CidrSubnet, DnType, ExtendedKeyUsagePurpose,
        GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints,
    };
    let permitted = hosts
        .iter()
        .map(|h| match h.parse::<std::net::IpAddr>() {
            Ok(ip) => GeneralSubtree::IpAddress(CidrSubnet::from_addr_prefix(
                ip,
                if ip.is_ipv4() { 32 } else { 128 },
            )),
            Err(_) => GeneralSubtree::DnsName(h.clone()),
        })
        .collect();
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted,
        excluded_subtrees: Vec::new(),
    });
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.distinguished_name.push(
        DnType::CommonName,
        format!(
            "backstretch on this computer, for {} only",
            hosts.join(", ")
        ),
    );
    ca.distinguished_name
        .push(DnType::OrganizationName, "backstretch serve --lan");
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca.self_signed(&ca_key)?;
    let mut leaf = CertificateParams::new(hosts.to_vec())?;
    leaf.distinguished_name.push(
        DnType::CommonName,
        hosts.first().cloned().unwrap_or_default(),
    );
    leaf.use_authority_key_identifier_extension = true;
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate()?;
    let leaf_cert = leaf.signed_by(&leaf_key, &Issuer::new(ca, ca_key))?;
    Ok(Made {
        cert: leaf_cert.pem(),
        key: leaf_key.serialize_pem(),
        ca: ca_cert.pem(),
    })
}

/// A certificate chain and its key from PEM files (as `server --cert --key` takes them).
pub fn read(
    cert_path: &Path,
    key_path: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let bad = |path: &Path| {
        let path = path.display().to_string();
        move |e: rustls::pki_types::pem::Error| TlsError::Bad {
            path,
            detail: e.to_string(),
        }
    };
    let certs = CertificateDer::pem_file_iter(cert_path)
        .map_err(bad(cert_path))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad(cert_path))?;
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(bad(key_path))?;
    Ok((certs, key))
}

/// The TLS server settings for a certificate.
pub fn acceptor(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<TlsAcceptor, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// How long a client has to finish its handshake.
pub const HANDSHAKE: Duration = Duration::from_secs(10);
