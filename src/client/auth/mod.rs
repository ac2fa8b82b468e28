//! Signing in to Anaplan's authentication service and keeping a valid token.

pub mod basic;
pub mod certificate;
pub mod keystore;
pub mod token;

pub use basic::BasicCredentials;
pub use certificate::{CertificateCredentials, NonceFormat, Source};

use bytes::Bytes;

use super::error::Result;
use super::secret::Secret;

/// How a connection signs in. `Debug` never shows a password or key.
#[derive(Clone, Debug)]
pub enum Credentials {
    Basic(BasicCredentials),
    Certificate(CertificateCredentials),
}

impl Credentials {
    /// User name and password. Errors: an empty user name, or one containing `:`.
    pub fn basic(user: &str, password: &str) -> Result<Credentials> {
        BasicCredentials::new(user, password).map(Credentials::Basic)
    }

    /// A certificate and its RSA private key, loaded and checked now (`Error::Credentials`).
    pub fn certificate(
        certificate: Source,
        private_key: Source,
        passphrase: Option<&[u8]>,
        format: NonceFormat,
    ) -> Result<Credentials> {
        CertificateCredentials::load(&certificate, &private_key, passphrase, format)
            .map(Credentials::Certificate)
    }

    /// The certificate and private key of a Java keystore entry (JKS or PKCS#12, told from the
    /// bytes): `alias` may be `None` when the store holds one private key, `key_password` when it
    /// is the store password. Errors: `Error::Io` (an unreadable file), `Error::Credentials`
    /// (everything about the store, without a password or key byte in the message).
    pub fn keystore(
        store: Source,
        store_password: &str,
        alias: Option<&str>,
        key_password: Option<&str>,
        format: NonceFormat,
    ) -> Result<Credentials> {
        CertificateCredentials::from_keystore(&store, store_password, alias, key_password, format)
            .map(Credentials::Certificate)
    }

    /// Who signs in, for logs and error messages.
    pub fn who(&self) -> String {
        match self {
            Credentials::Basic(b) => format!("user {}", b.user()),
            Credentials::Certificate(c) => format!("certificate of {}", c.subject()),
        }
    }

    /// The `Authorization` value and body of `POST /token/authenticate`.
    pub(crate) fn sign_in(&self) -> Result<(Secret, Option<Bytes>)> {
        match self {
            Credentials::Basic(b) => Ok((b.header(), None)),
            Credentials::Certificate(c) => Ok((Secret::new(c.header()), Some(c.body()?))),
        }
    }
}
