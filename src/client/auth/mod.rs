//! Signing in to Anaplan's authentication service and keeping a valid token.

pub mod basic;
pub mod certificate;
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
