//! HTTPS for the emulator: the server identity (certificate chain and private key) and the
//! acceptor that every listener runs accepted connections through when one is configured.
//!
//! TLS is layered over [`crate::conn::ConnStream`], not under it: the bandwidth cap then meters
//! the bytes really on the wire (records, handshake included), and a fault reset still closes the
//! TCP socket itself with an RST, mid-record, as a broken network would.

use std::fmt;
use std::io;
use std::path::Path;

use openssl::pkey::PKey;
use openssl::x509::X509;
use tokio_native_tls::native_tls;
pub use tokio_native_tls::TlsAcceptor;

/// The certificate chain (PEM, leaf first, then any intermediates) and the leaf's private key
/// (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted) that the emulator presents.
#[derive(Clone)]
pub struct TlsIdentity {
    pub cert_chain_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

impl fmt::Debug for TlsIdentity {
    // The private key never goes into a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsIdentity")
            .field(
                "cert_chain_pem",
                &format_args!("{} bytes", self.cert_chain_pem.len()),
            )
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

impl TlsIdentity {
    /// Reads both PEM files. Errors name the file, never its content.
    pub fn from_files(cert_chain: &Path, key: &Path) -> io::Result<TlsIdentity> {
        let read = |path: &Path, what: &str| {
            std::fs::read(path).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot read TLS {what} {}: {e}", path.display()),
                )
            })
        };
        Ok(TlsIdentity {
            cert_chain_pem: read(cert_chain, "certificate")?,
            key_pem: read(key, "private key")?,
        })
    }

    /// Checks the identity (PEM that parses, a key that belongs to the leaf certificate) and
    /// builds the acceptor. Errors are `InvalidInput` and say what is wrong without quoting the key.
    pub fn acceptor(&self) -> io::Result<TlsAcceptor> {
        let invalid = |m: String| io::Error::new(io::ErrorKind::InvalidInput, m);
        let chain = X509::stack_from_pem(&self.cert_chain_pem).map_err(|e| {
            invalid(format!(
                "TLS certificate chain is not PEM certificates: {e}"
            ))
        })?;
        let leaf = chain
            .first()
            .ok_or_else(|| invalid("TLS certificate chain holds no PEM certificate".into()))?;
        let key = PKey::private_key_from_pem(&self.key_pem)
            .map_err(|_| invalid("TLS private key is not an unencrypted PEM private key".into()))?;
        let leaf_key = leaf
            .public_key()
            .map_err(|e| invalid(format!("TLS certificate has no usable public key: {e}")))?;
        if !key.public_eq(&leaf_key) {
            return Err(invalid(
                "TLS private key does not belong to the first certificate of the chain".into(),
            ));
        }
        // native-tls takes PKCS#8 only; converting here accepts PKCS#1 and SEC1 keys as well.
        let pkcs8 = key.private_key_to_pem_pkcs8().map_err(|e| {
            invalid(format!(
                "TLS private key cannot be converted to PKCS#8: {e}"
            ))
        })?;
        let identity = native_tls::Identity::from_pkcs8(&self.cert_chain_pem, &pkcs8)
            .map_err(|e| invalid(format!("TLS identity cannot be used: {e}")))?;
        let acceptor = native_tls::TlsAcceptor::builder(identity)
            .min_protocol_version(Some(native_tls::Protocol::Tlsv12))
            .build()
            .map_err(|e| invalid(format!("TLS cannot be set up: {e}")))?;
        Ok(TlsAcceptor::from(acceptor))
    }
}
