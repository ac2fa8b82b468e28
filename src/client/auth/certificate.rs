//! CA-certificate sign-in, as Anaplan Connect does it (`CertificateAuthenticator.java` in
//! anaplaninc/anaplan-java-client); the v2 format:
//! https://community.anaplan.com/discussion/156606/using-the-anaplan-certificate-with-the-anaplan-rest-api-a-comprehensive-guide.
//!
//! * Header: `Authorization: CACertificate base64(PEM text of the certificate)`.
//! * Body: `{"encodedData": base64(nonce), "encodedSignedData": base64(signature)}`, where the
//!   signature is RSASSA-PKCS1-v1_5 with SHA-512 over the raw nonce bytes.
//! * Nonce v2 (default): an 8-byte big-endian Unix timestamp in seconds (the unit of Anaplan's
//!   published example; unverified against the live service) followed by 142 random bytes, with
//!   `"encodedDataFormat":"v2"`. Nonce v1: 150 random bytes, no format field.
//!
//! Keys: RSA, PKCS#1 or PKCS#8, PEM or DER, optionally encrypted (encrypted PEM of either kind,
//! encrypted PKCS#8 DER) with a passphrase. Errors name the file (or "in memory") and what is
//! wrong, never the key's content nor the passphrase; OpenSSL's own messages are left out so
//! nothing of the input can leak through them.

use std::fmt;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Private};
use openssl::sign::Signer;
use openssl::x509::X509;
use serde_json::json;

use super::keystore;
use crate::client::error::{quoted, Error, Result};

/// Where a certificate or key comes from.
#[derive(Clone)]
pub enum Source {
    File(PathBuf),
    Bytes(Vec<u8>),
}

impl fmt::Debug for Source {
    // In-memory keys are secret: show their size only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(p) => write!(f, "File({})", p.display()),
            Source::Bytes(b) => write!(f, "Bytes(<{} bytes>)", b.len()),
        }
    }
}

impl Source {
    fn describe(&self, what: &str) -> String {
        match self {
            Source::File(p) => format!("{what} file {}", p.display()),
            Source::Bytes(_) => format!("{what} given in memory"),
        }
    }

    fn read(&self) -> Result<Vec<u8>> {
        match self {
            // A file that cannot be read is a local I/O problem (the path is in the message),
            // not bad credentials.
            Source::File(p) => std::fs::read(p).map_err(|e| Error::io(p, e)),
            Source::Bytes(b) => Ok(b.clone()),
        }
    }

    /// The bytes of a keystore: a file larger than any keystore is refused before it is read.
    fn read_keystore(&self, what: &str) -> Result<Vec<u8>> {
        if let Source::File(p) = self {
            let len = std::fs::metadata(p).map_err(|e| Error::io(p, e))?.len();
            if len > keystore::MAX_KEYSTORE_BYTES {
                return Err(keystore::too_large(what, len));
            }
        }
        self.read()
    }
}

/// The nonce format of the sign-in body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NonceFormat {
    /// 150 random bytes (the original format).
    V1,
    /// Timestamp-prefixed (`"encodedDataFormat":"v2"`).
    #[default]
    V2,
}

const V1_NONCE_BYTES: usize = 150;
const V2_RANDOM_BYTES: usize = 142;

/// A loaded certificate and its RSA private key. `Debug` shows the certificate's subject only.
#[derive(Clone)]
pub struct CertificateCredentials {
    key: PKey<Private>,
    /// `CACertificate base64(PEM)`: public, but long; built once.
    header: String,
    subject: String,
    format: NonceFormat,
}

impl fmt::Debug for CertificateCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateCredentials")
            .field("subject", &self.subject)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl CertificateCredentials {
    /// Reads and checks the certificate and key: both parse, the key is RSA, and it belongs to
    /// the certificate. Errors are `Error::Credentials`.
    pub fn load(
        certificate: &Source,
        private_key: &Source,
        passphrase: Option<&[u8]>,
        format: NonceFormat,
    ) -> Result<CertificateCredentials> {
        let cert = load_certificate(certificate)?;
        let key = load_key(private_key, passphrase)?;
        let names = (
            private_key.describe("private key"),
            certificate.describe("certificate"),
        );
        CertificateCredentials::from_parts(cert, key, names, format)
    }

    /// The certificate and key of a keystore entry (see [`keystore::open`]).
    pub fn from_keystore(
        store: &Source,
        store_password: &str,
        alias: Option<&str>,
        key_password: Option<&str>,
        format: NonceFormat,
    ) -> Result<CertificateCredentials> {
        let what = store.describe("keystore");
        let bytes = zeroize::Zeroizing::new(store.read_keystore(&what)?);
        let entry = keystore::open(&bytes, &what, store_password, alias, key_password)?;
        let name = if entry.alias.is_empty() {
            format!("the entry of the {what}")
        } else {
            format!("entry {} of the {what}", quoted(&entry.alias))
        };
        let names = (
            format!("private key of {name}"),
            format!("certificate of {name}"),
        );
        CertificateCredentials::from_parts(entry.certificate, entry.key, names, format)
    }

    /// Checks that `key` is RSA and belongs to `cert`; `names` (key, certificate) say where each
    /// came from in the messages.
    fn from_parts(
        cert: X509,
        key: PKey<Private>,
        (key_name, cert_name): (String, String),
        format: NonceFormat,
    ) -> Result<CertificateCredentials> {
        if key.id() != Id::RSA {
            return Err(Error::Credentials(format!(
                "the {key_name} is not an RSA key; Anaplan certificate sign-in needs RSA"
            )));
        }
        let matches = cert
            .public_key()
            .map(|public| public.public_eq(&key))
            .unwrap_or(false);
        if !matches {
            return Err(Error::Credentials(format!(
                "the {key_name} does not belong to the {cert_name}"
            )));
        }
        let pem = cert
            .to_pem()
            .map_err(|_| Error::Credentials(format!("the {cert_name} cannot be written as PEM")))?;
        Ok(CertificateCredentials {
            key,
            header: format!("CACertificate {}", STANDARD.encode(pem)),
            subject: subject_of(&cert),
            format,
        })
    }

    /// Who the certificate names (e-mail or CN), for logs.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    pub fn format(&self) -> NonceFormat {
        self.format
    }

    /// The `Authorization` header value.
    pub(crate) fn header(&self) -> &str {
        &self.header
    }

    /// A fresh sign-in body: new nonce, new signature.
    pub(crate) fn body(&self) -> Result<Bytes> {
        let nonce = self.nonce()?;
        let signature = self.sign(&nonce)?;
        let mut body = json!({
            "encodedData": STANDARD.encode(&nonce),
            "encodedSignedData": STANDARD.encode(signature),
        });
        if self.format == NonceFormat::V2 {
            body["encodedDataFormat"] = json!("v2");
        }
        Ok(Bytes::from(body.to_string()))
    }

    fn nonce(&self) -> Result<Vec<u8>> {
        let mut nonce = Vec::with_capacity(V1_NONCE_BYTES);
        let random_len = match self.format {
            NonceFormat::V1 => V1_NONCE_BYTES,
            NonceFormat::V2 => {
                let secs = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                nonce.extend_from_slice(&secs.to_be_bytes());
                V2_RANDOM_BYTES
            }
        };
        let mut random = vec![0u8; random_len];
        openssl::rand::rand_bytes(&mut random).map_err(|_| {
            Error::Credentials("the system random generator failed while signing in".into())
        })?;
        nonce.extend_from_slice(&random);
        Ok(nonce)
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        let fail = |_| Error::Credentials("signing the sign-in nonce failed".into());
        // RSA keys sign with PKCS#1 v1.5 padding unless told otherwise.
        let mut signer = Signer::new(MessageDigest::sha512(), &self.key).map_err(fail)?;
        signer.update(data).map_err(fail)?;
        signer.sign_to_vec().map_err(fail)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn load_certificate(source: &Source) -> Result<X509> {
    let bytes = source.read()?;
    // Files exported from key stores may carry "Bag Attributes" text before the armour.
    let parsed = match find(&bytes, b"-----BEGIN") {
        Some(start) => X509::from_pem(&bytes[start..]),
        None => X509::from_der(&bytes),
    };
    parsed.map_err(|_| {
        Error::Credentials(format!(
            "the {} is not a PEM or DER X.509 certificate",
            source.describe("certificate")
        ))
    })
}

fn load_key(source: &Source, passphrase: Option<&[u8]>) -> Result<PKey<Private>> {
    let bytes = source.read()?;
    let what = source.describe("private key");
    match find(&bytes, b"-----BEGIN") {
        Some(start) => {
            let pem = &bytes[start..];
            let encrypted = find(pem, b"ENCRYPTED").is_some();
            if encrypted && passphrase.is_none() {
                return Err(Error::Credentials(format!(
                    "the {what} is encrypted; give its passphrase"
                )));
            }
            // Always a callback: without one OpenSSL would prompt on the terminal.
            PKey::private_key_from_pem_callback(pem, |buf| {
                let pass = passphrase.unwrap_or_default();
                match buf.get_mut(..pass.len()) {
                    Some(dst) => {
                        dst.copy_from_slice(pass);
                        Ok(pass.len())
                    }
                    None => Ok(0),
                }
            })
            .map_err(|_| key_error(&what, encrypted))
        }
        None => {
            let encrypted =
                passphrase.and_then(|p| PKey::private_key_from_pkcs8_passphrase(&bytes, p).ok());
            match encrypted {
                Some(key) => Ok(key),
                // Plain DER, PKCS#1 or PKCS#8 (OpenSSL tells them apart).
                None => PKey::private_key_from_der(&bytes).map_err(|_| {
                    if passphrase.is_some() {
                        key_error(&what, true)
                    } else {
                        Error::Credentials(format!(
                            "the {what} is not a PEM or DER private key (if it is encrypted, give its passphrase)"
                        ))
                    }
                }),
            }
        }
    }
}

fn key_error(what: &str, encrypted: bool) -> Error {
    if encrypted {
        Error::Credentials(format!(
            "the {what} cannot be decrypted: the passphrase is wrong, or the key is damaged"
        ))
    } else {
        Error::Credentials(format!("the {what} is not a valid PEM private key"))
    }
}

fn subject_of(cert: &X509) -> String {
    let name = cert.subject_name();
    [Nid::PKCS9_EMAILADDRESS, Nid::COMMONNAME]
        .into_iter()
        .find_map(|nid| {
            name.entries_by_nid(nid)
                .next()
                .and_then(|e| e.data().to_string().ok())
        })
        .unwrap_or_else(|| "(no e-mail or CN)".into())
}
