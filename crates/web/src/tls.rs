//! HTTPS for `--lan`: a self-signed certificate made once for the addresses served and kept
//! in the data directory (a phone asked to trust it once keeps trusting it), and the TLS
//! settings; the server shakes hands in each connection's own task, so a slow client never
//! holds up another.

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

/// The certificate and key for `hosts`, made once and kept in `dir` (as `cert.pem`,
/// `key.pem`, and `hosts`, the names the certificate covers). A certificate for other
/// names (the machine moved to another network) is made anew.
pub fn certificate(
    dir: &Path,
    hosts: &[String],
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    let hosts_path = dir.join("hosts");
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| TlsError::Io { path, source }
    };
    let want = hosts.join("\n");
    let have = std::fs::read_to_string(&hosts_path).unwrap_or_default();
    if have != want || !cert_path.exists() || !key_path.exists() {
        let made = rcgen::generate_simple_self_signed(hosts.to_vec())?;
        crate::files::write_private(&key_path, made.signing_key.serialize_pem().as_bytes())
            .map_err(io(&key_path))?;
        crate::files::write_private(&cert_path, made.cert.pem().as_bytes())
            .map_err(io(&cert_path))?;
        crate::files::write_private(&hosts_path, want.as_bytes()).map_err(io(&hosts_path))?;
    }
    read(&cert_path, &key_path)
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
