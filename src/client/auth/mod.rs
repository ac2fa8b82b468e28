//! Signing in to Anaplan's authentication service and keeping a valid token.

pub mod basic;
pub mod certificate;
pub mod keystore;
pub mod oauth;
pub mod token;

pub use basic::BasicCredentials;
pub use certificate::{CertificateCredentials, NonceFormat, Source};
pub use oauth::{OAuthCredentials, RotationSink};

use bytes::Bytes;

use super::error::{Error, Result};
use super::secret::Secret;

/// How a connection signs in. `Debug` never shows a password or key.
#[derive(Clone, Debug)]
pub enum Credentials {
    Basic(BasicCredentials),
    Certificate(CertificateCredentials),
    /// An OAuth 2.0 client's refresh token, at the OAuth service (`Config::oauth_url`).
    OAuth(OAuthCredentials),
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

    /// An OAuth client's refresh token (`client_secret` for an authorization-code client);
    /// `on_rotate` is told every new refresh token of a rotatable client. Errors: an empty
    /// client id or refresh token.
    pub fn oauth_refresh_token(
        client_id: &str,
        client_secret: Option<&str>,
        refresh_token: &str,
        on_rotate: Option<RotationSink>,
    ) -> Result<Credentials> {
        OAuthCredentials::refresh_token(client_id, client_secret, refresh_token, on_rotate)
            .map(Credentials::OAuth)
    }

    /// Who signs in, for logs and error messages.
    pub fn who(&self) -> String {
        match self {
            Credentials::Basic(b) => format!("user {}", b.user()),
            Credentials::Certificate(c) => format!("certificate of {}", c.subject()),
            Credentials::OAuth(o) => format!("OAuth client {}", o.client_id()),
        }
    }

    /// The `Authorization` value and body of `POST /token/authenticate`.
    pub(crate) fn sign_in(&self) -> Result<(Secret, Option<Bytes>)> {
        match self {
            Credentials::Basic(b) => Ok((b.header(), None)),
            Credentials::Certificate(c) => Ok((Secret::new(c.header()), Some(c.body()?))),
            Credentials::OAuth(_) => Err(Error::invalid(
                "OAuth credentials sign in at the OAuth service, not /token/authenticate",
            )),
        }
    }
}
