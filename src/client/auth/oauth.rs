//! OAuth 2.0 sign-in from a refresh token (`../shared/docs/anaplan-api.md` §1.8): `POST
//! {oauth_url}/oauth/token` with `grant_type=refresh_token`, the client id and, for an
//! authorization-code client, its secret. The access token is used as any Anaplan token; it is
//! renewed by the same grant before it expires and after a 401.
//!
//! A rotatable client's refresh token works once: every answer brings a new one, which is handed
//! to the caller's callback at once (before it is used), so it is saved before the old one, now
//! spent, would be all the caller has. The current refresh token is shared by every clone of the
//! credentials, so no clone ever sends a spent one.

use std::fmt;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde_json::json;

use crate::client::error::{Error, Result};
use crate::client::secret::Secret;

/// Told each new refresh token of a rotatable client, on the thread that signed in; it should
/// store it where the next run will find it.
pub type RotationSink = Arc<dyn Fn(&str) + Send + Sync>;

/// An OAuth client and its current refresh token. `Debug` shows the client id only.
#[derive(Clone)]
pub struct OAuthCredentials {
    client_id: String,
    client_secret: Option<Arc<Secret>>,
    refresh_token: Arc<Mutex<Secret>>,
    on_rotate: Option<RotationSink>,
}

impl fmt::Debug for OAuthCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthCredentials")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl OAuthCredentials {
    /// Errors (`Credentials`): an empty client id or refresh token.
    pub fn refresh_token(
        client_id: &str,
        client_secret: Option<&str>,
        refresh_token: &str,
        on_rotate: Option<RotationSink>,
    ) -> Result<OAuthCredentials> {
        if client_id.is_empty() || refresh_token.is_empty() {
            return Err(Error::Credentials(
                "OAuth sign-in needs a client id and a refresh token".into(),
            ));
        }
        Ok(OAuthCredentials {
            client_id: client_id.to_string(),
            client_secret: client_secret.map(|s| Arc::new(Secret::new(s))),
            refresh_token: Arc::new(Mutex::new(Secret::new(refresh_token))),
            on_rotate,
        })
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The body of the refresh grant, with the current refresh token.
    pub(crate) fn refresh_body(&self) -> Bytes {
        let token = self.refresh_token.lock().unwrap_or_else(|p| p.into_inner());
        let mut body = json!({
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "refresh_token": token.expose(),
        });
        if let Some(secret) = &self.client_secret {
            body["client_secret"] = json!(secret.expose());
        }
        Bytes::from(body.to_string())
    }

    /// Takes the refresh token of an answer: a new one (rotation) replaces the spent one and is
    /// handed to the callback first. True when it rotated.
    pub(crate) fn accept(&self, refresh_token: Option<&str>) -> bool {
        let Some(new) = refresh_token.filter(|t| !t.is_empty()) else {
            return false;
        };
        {
            let mut current = self.refresh_token.lock().unwrap_or_else(|p| p.into_inner());
            if new == current.expose() {
                return false;
            }
            *current = Secret::new(new);
        }
        // Outside the lock: the callback may take its time, or sign in elsewhere.
        if let Some(sink) = &self.on_rotate {
            sink(new);
        }
        true
    }
}
