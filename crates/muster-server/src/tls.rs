//! The LAN listener's TLS identity: a self-signed certificate made on first use and kept, so its SHA-256
//! fingerprint stays the same from drill to drill. Participants check the fingerprint shown with the join
//! code against the one their browser shows in its warning (there is no certificate authority on a LAN).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

/// The certificate's file name in the identity folder.
pub const CERT_FILE: &str = "lan-cert.pem";
/// The private key's file name in the identity folder (created readable by its owner only).
pub const KEY_FILE: &str = "lan-key.pem";

/// A certificate and its key, in PEM, with the certificate's fingerprint.
#[derive(Clone)]
pub struct TlsIdentity {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The private key, PEM.
    pub key_pem: String,
    /// SHA-256 of the certificate (DER), as colon-separated upper-case hex, as browsers show it.
    pub fingerprint: String,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity").field("fingerprint", &self.fingerprint).finish_non_exhaustive()
    }
}

/// Why there is no TLS identity.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading or writing the files failed.
    #[error("{what} `{}`: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The certificate could not be made or read.
    #[error("the TLS certificate: {0}")]
    Certificate(String),
}

/// SHA-256 of a DER certificate as `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> TlsError + 'a {
    move |source| TlsError::Io { what, path: path.to_owned(), source }
}

/// The identity kept in `dir`, made (and kept) on first use.
pub fn identity(dir: &Path) -> Result<TlsIdentity, TlsError> {
    let (cert_path, key_path) = (dir.join(CERT_FILE), dir.join(KEY_FILE));
    if !cert_path.exists() || !key_path.exists() {
        // Made whole or not at all: a half-made pair (a crash between the two files) is made again.
        for stale in [&cert_path, &key_path] {
            if stale.exists() {
                std::fs::remove_file(stale).map_err(io("cannot replace", stale))?;
            }
        }
        std::fs::create_dir_all(dir).map_err(io("cannot create", dir))?;
        let names = vec!["localhost".to_owned(), "muster.local".to_owned()];
        let made =
            rcgen::generate_simple_self_signed(names).map_err(|e| TlsError::Certificate(e.to_string()))?;
        write_private(&key_path, &made.signing_key.serialize_pem())?;
        std::fs::write(&cert_path, made.cert.pem()).map_err(io("cannot write", &cert_path))?;
    }
    let cert_pem = std::fs::read_to_string(&cert_path).map_err(io("cannot read", &cert_path))?;
    let key_pem = std::fs::read_to_string(&key_path).map_err(io("cannot read", &key_path))?;
    let der = pem_der(&cert_pem)
        .ok_or_else(|| TlsError::Certificate(format!("{} holds no certificate", cert_path.display())))?;
    Ok(TlsIdentity { fingerprint: fingerprint(&der), cert_pem, key_pem })
}

fn write_private(path: &Path, text: &str) -> Result<(), TlsError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io("cannot create", path))?;
    file.write_all(text.as_bytes()).map_err(io("cannot write", path))
}

/// The DER bytes of the first certificate in a PEM text.
fn pem_der(pem: &str) -> Option<Vec<u8>> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem.as_bytes()).next()?.ok().map(|c| c.to_vec())
}

/// A rustls server configuration (ring) for the identity.
pub fn server_config(id: &TlsIdentity) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |e: &dyn std::fmt::Display| TlsError::Certificate(e.to_string());
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(id.cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| bad(&e))?;
    let key = PrivateKeyDer::from_pem_slice(id.key_pem.as_bytes()).map_err(|e| bad(&e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(&e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad(&e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_is_made_once_and_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = identity(dir.path()).expect("made");
        let again = identity(dir.path()).expect("kept");
        assert_eq!(first.fingerprint, again.fingerprint);
        assert_eq!(first.fingerprint.len(), 32 * 3 - 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE)).expect("key").permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key is readable by its owner only");
        }
        server_config(&first).expect("a usable server config");
        // A half-made pair (the certificate lost) is made again, not a start-up failure forever.
        std::fs::remove_file(dir.path().join(CERT_FILE)).expect("remove");
        let remade = identity(dir.path()).expect("remade");
        assert_ne!(remade.fingerprint, first.fingerprint);
    }
}
