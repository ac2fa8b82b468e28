//! The token of a connection: signed in once, reused, refreshed before it expires
//! (`POST /token/refresh`), renewed by signing in again after a 401, and logged out on close.
//!
//! One mutex guards the token, and sign-in and refresh run while holding it: when several
//! threads find the token stale at once, the first one renews it and the others wait and then
//! use the new one. A 401 names the generation of the token that was refused, so a thread whose
//! token was already replaced by another thread does not sign in again.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::oauth::OAuthCredentials;
use super::Credentials;
use crate::client::cancel::CancelToken;
use crate::client::error::{Error, Result};
use crate::client::http::{Request, Response, Transport};
use crate::client::log::Logger;
use crate::client::retry::RetryMode;
use crate::client::secret::Secret;

/// Refresh when less than this is left, or a fifth of the lifetime if that is shorter (Anaplan
/// Connect uses 5 minutes of the 35; short lifetimes in tests still get refreshed).
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// After a failed refresh of a still-valid token, wait at most this long before trying again.
const REFRESH_RETRY: Duration = Duration::from_secs(30);

/// Logout is best effort: do not hold up closing for long.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(10);

struct Token {
    /// `AnaplanAuthToken <value>`.
    header: Secret,
    /// `None` when `expiresAt` was missing or already past by our clock (clock skew): then the
    /// token is used until a 401 says otherwise.
    expires_at: Option<Instant>,
    refresh_at: Option<Instant>,
}

impl Token {
    /// From a sign-in or refresh answer: `tokenInfo.tokenValue` and `tokenInfo.expiresAt`.
    fn from_response(res: &Response) -> Result<(Token, Option<Duration>)> {
        let v = res.json()?;
        let value = v
            .pointer("/tokenInfo/tokenValue")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::Protocol {
                path: res.path.clone(),
                message: "no tokenInfo.tokenValue in the answer".into(),
            })?;
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let lifetime = v
            .pointer("/tokenInfo/expiresAt")
            .and_then(Value::as_u64)
            .and_then(|at| at.checked_sub(now_ms))
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis);
        let now = Instant::now();
        let token = Token {
            header: Secret::new(format!("AnaplanAuthToken {value}")),
            expires_at: lifetime.map(|l| now + l),
            refresh_at: lifetime.map(|l| now + l - REFRESH_MARGIN.min(l / 5)),
        };
        Ok((token, lifetime))
    }

    /// From an OAuth token answer: `access_token` and `expires_in` (seconds), and the refresh
    /// token it brings.
    fn from_oauth_response(res: &Response) -> Result<(Token, Option<Duration>, Option<String>)> {
        let v = res.json()?;
        let value = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::Protocol {
                path: res.path.clone(),
                message: "no access_token in the OAuth answer".into(),
            })?;
        let lifetime = v
            .get("expires_in")
            .and_then(Value::as_u64)
            .filter(|s| *s > 0)
            .map(Duration::from_secs);
        let now = Instant::now();
        let token = Token {
            header: Secret::new(format!("AnaplanAuthToken {value}")),
            expires_at: lifetime.map(|l| now + l),
            refresh_at: lifetime.map(|l| now + l - REFRESH_MARGIN.min(l / 5)),
        };
        let refresh = v
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok((token, lifetime, refresh))
    }

    fn needs_refresh(&self, now: Instant) -> bool {
        self.refresh_at.is_some_and(|at| now >= at)
    }

    fn expired(&self, now: Instant) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

struct State {
    token: Option<Token>,
    /// Increases with every new or refreshed token.
    generation: u64,
    closed: bool,
}

/// The `Authorization` value to send and the generation it belongs to (for [`TokenManager::renew`]).
pub(crate) struct CurrentToken {
    pub header: Secret,
    pub generation: u64,
}

pub(crate) struct TokenManager {
    credentials: Credentials,
    auth_url: String,
    /// The OAuth service's root, for OAuth credentials.
    oauth_url: String,
    state: Mutex<State>,
}

fn lifetime_text(lifetime: Option<Duration>) -> String {
    match lifetime {
        Some(l) => format!("valid for {} s", l.as_secs()),
        None => "without a usable expiry".into(),
    }
}

impl TokenManager {
    pub fn new(credentials: Credentials, auth_url: &str, oauth_url: &str) -> TokenManager {
        TokenManager {
            credentials,
            auth_url: auth_url.trim_end_matches('/').to_string(),
            oauth_url: oauth_url.trim_end_matches('/').to_string(),
            state: Mutex::new(State {
                token: None,
                generation: 0,
                closed: false,
            }),
        }
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update of the state is a single assignment: a panic cannot leave it torn.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.auth_url)
    }

    /// Signs in now (at connect, so wrong credentials fail there).
    pub fn sign_in(&self, t: &Transport, log: &Logger, cancel: Option<&CancelToken>) -> Result<()> {
        let mut state = self.lock();
        self.authenticate(&mut state, t, log, cancel)
    }

    /// A token to send: the current one, refreshed first when it is close to expiry, or a new
    /// one when it has expired.
    pub fn current(
        &self,
        t: &Transport,
        log: &Logger,
        cancel: Option<&CancelToken>,
    ) -> Result<CurrentToken> {
        let mut state = self.lock();
        if state.closed {
            return Err(closed());
        }
        let now = Instant::now();
        match &state.token {
            Some(tok) if tok.expired(now) => {
                log.info("the token has expired; signing in again");
                self.authenticate(&mut state, t, log, cancel)?;
            }
            // An OAuth token is renewed by the refresh grant, the one way OAuth clients have.
            Some(tok) if tok.needs_refresh(now) && self.is_oauth() => {
                self.authenticate(&mut state, t, log, cancel)?
            }
            Some(tok) if tok.needs_refresh(now) => self.refresh(&mut state, t, log, cancel)?,
            Some(_) => {}
            None => self.authenticate(&mut state, t, log, cancel)?,
        }
        match &state.token {
            Some(tok) => Ok(CurrentToken {
                header: tok.header.clone(),
                generation: state.generation,
            }),
            None => Err(closed()),
        }
    }

    /// After the API refused the token of `generation` with 401: sign in again, unless another
    /// thread already replaced that token.
    pub fn renew(
        &self,
        generation: u64,
        t: &Transport,
        log: &Logger,
        cancel: Option<&CancelToken>,
    ) -> Result<()> {
        let mut state = self.lock();
        if state.closed {
            return Err(closed());
        }
        if state.generation != generation {
            return Ok(());
        }
        self.authenticate(&mut state, t, log, cancel)
    }

    fn is_oauth(&self) -> bool {
        matches!(self.credentials, Credentials::OAuth(_))
    }

    fn authenticate(
        &self,
        state: &mut State,
        t: &Transport,
        log: &Logger,
        cancel: Option<&CancelToken>,
    ) -> Result<()> {
        if let Credentials::OAuth(oauth) = &self.credentials {
            return self.oauth_sign_in(oauth, state, t, log, cancel);
        }
        let (auth, body) = self.credentials.sign_in()?;
        // A repeated sign-in only issues another token: safe to retry.
        let mut req = Request::post(self.url("/token/authenticate")).retry(RetryMode::Idempotent);
        if let Some(body) = body {
            req = req.header("Content-Type", "application/json").body(body);
        }
        let res = t.send(&req, Some(&auth), log, cancel)?;
        // Only 401 and 403 are a refused sign-in; any other error answer is about the request
        // (a wrong auth URL, a proxy, a name too long), so it says what to check instead.
        if matches!(res.status, 401 | 403) {
            return Err(Error::Auth {
                message: format!("{} ({})", res.error_message(), self.credentials.who()),
                http_status: res.status,
            });
        }
        if !res.is_success() {
            return Err(Error::Http {
                method: "POST".into(),
                path: "/token/authenticate".into(),
                status: res.status,
                message: format!("{}; {}", res.error_message(), sign_in_hint(res.status)),
            });
        }
        let res = res.ensure_success()?;
        let (token, lifetime) = Token::from_response(&res)?;
        log.info(&format!(
            "signed in with the {}; token {}",
            self.credentials.who(),
            lifetime_text(lifetime)
        ));
        state.token = Some(token);
        state.generation += 1;
        Ok(())
    }

    /// The refresh grant: a new access token, and a new refresh token when the client rotates.
    /// Retried only when the service certainly did not act (no connection, 429, 503): a request
    /// that reached it may have spent a rotatable client's refresh token.
    fn oauth_sign_in(
        &self,
        oauth: &OAuthCredentials,
        state: &mut State,
        t: &Transport,
        log: &Logger,
        cancel: Option<&CancelToken>,
    ) -> Result<()> {
        let req = Request::post(format!("{}/oauth/token", self.oauth_url))
            .retry(RetryMode::NotIfSent)
            .header("Content-Type", "application/json")
            .body(oauth.refresh_body());
        let res = t.send(&req, None, log, cancel)?;
        if !res.is_success() {
            let v = res.json().unwrap_or_default();
            let code = v.get("error").and_then(Value::as_str).unwrap_or("");
            let detail = v
                .get("error_description")
                .and_then(Value::as_str)
                .map_or_else(|| res.error_message(), str::to_string);
            let message = match code {
                "invalid_grant" => format!(
                    "the OAuth refresh token was refused ({detail}): it is unknown, expired or                      already used; sign in again (device grant or authorization code) for a new                      one"
                ),
                "invalid_client" | "unauthorized_client" => format!(
                    "the OAuth client was refused ({detail}): check the client id and secret"
                ),
                _ => format!("the OAuth service answered {}: {detail}", res.status),
            };
            return Err(Error::Auth {
                message: format!("{message} ({})", self.credentials.who()),
                http_status: res.status,
            });
        }
        let (token, lifetime, refresh_token) = Token::from_oauth_response(&res)?;
        let rotated = oauth.accept(refresh_token.as_deref());
        log.info(&format!(
            "signed in with the {}; token {}{}",
            self.credentials.who(),
            lifetime_text(lifetime),
            if rotated {
                "; refresh token rotated"
            } else {
                ""
            }
        ));
        state.token = Some(token);
        state.generation += 1;
        Ok(())
    }

    fn refresh(
        &self,
        state: &mut State,
        t: &Transport,
        log: &Logger,
        cancel: Option<&CancelToken>,
    ) -> Result<()> {
        let Some(old) = &state.token else {
            return self.authenticate(state, t, log, cancel);
        };
        let req = Request::post(self.url("/token/refresh")).retry(RetryMode::Idempotent);
        let outcome = t
            .send(&req, Some(&old.header), log, cancel)
            .and_then(|res| {
                if res.status == 401 {
                    Ok(None)
                } else {
                    Token::from_response(&res.ensure_success()?).map(Some)
                }
            });
        match outcome {
            Ok(Some((token, lifetime))) => {
                log.info(&format!("token refreshed; {}", lifetime_text(lifetime)));
                state.token = Some(token);
                state.generation += 1;
                Ok(())
            }
            Ok(None) => {
                log.info("token refresh refused (HTTP 401); signing in again");
                self.authenticate(state, t, log, cancel)
            }
            Err(Error::Cancelled) => Err(Error::Cancelled),
            Err(e) => {
                // The token is still valid: carry on with it and try again a little later.
                log.warn(&format!(
                    "token refresh failed, keeping the current token: {e}"
                ));
                if let Some(tok) = &mut state.token {
                    let now = Instant::now();
                    let left = tok
                        .expires_at
                        .map_or(REFRESH_RETRY, |at| at.saturating_duration_since(now) / 2);
                    tok.refresh_at = Some(now + left.min(REFRESH_RETRY));
                }
                Ok(())
            }
        }
    }

    /// Logs out (once; later calls do nothing) and refuses further use. Best effort: a failure
    /// is logged, not returned.
    pub fn logout(&self, t: &Transport, log: &Logger) {
        let token = {
            let mut state = self.lock();
            state.closed = true;
            state.token.take()
        };
        let Some(token) = token else { return };
        let req = Request::post(self.url("/token/logout"))
            .retry(RetryMode::Never)
            .timeout(LOGOUT_TIMEOUT);
        match t.send(&req, Some(&token.header), log, None) {
            Ok(res) if res.is_success() => log.info("signed out"),
            Ok(res) => log.warn(&format!(
                "sign-out answered HTTP {}: {}",
                res.status,
                res.error_message()
            )),
            Err(e) => log.warn(&format!("sign-out failed: {e}")),
        }
    }
}

/// What to check when the sign-in request itself was answered with an error.
fn sign_in_hint(status: u16) -> &'static str {
    match status {
        404 | 405 => "check the auth URL: it is the service's root, e.g. https://auth.anaplan.com",
        407 => "the proxy asks for its own credentials (not Anaplan's): put them in the proxy URL",
        413 | 431 => {
            "the sign-in request is too large: check the length of the user name or certificate"
        }
        429 => "Anaplan asks to slow down: try again later",
        500..=599 => "the authentication service failed: try again later",
        _ => "check the auth URL and the proxy settings",
    }
}

fn closed() -> Error {
    Error::invalid("the connection is closed")
}
