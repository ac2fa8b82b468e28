//! The OAuth 2.0 grants as Anaplan's OAuth service runs them (`../shared/docs/anaplan-api.md`
//! §1.8): the device grant (RFC 8628) with `authorization_pending`, `slow_down`, `expired_token`
//! and `access_denied`; authorization codes; refresh tokens, rotated for rotatable clients (the
//! used one stops working, new ones expire) and everlasting for the others. What stands for the
//! person at the browser (approving or denying a user code, minting a code for a user) is here
//! too, for the admin endpoint and the test facade. Access tokens themselves are the auth
//! service's (`auth::tokens`): the handler issues one for the user a grant returns.

use rand::Rng;

use crate::clock::now_ms;
use crate::seed::{OAuthGrant, SeedOAuthClient};
use crate::state::AppState;
use crate::store::{AuthCode, DeviceCode, DeviceDecision, RefreshToken, Store};

/// An OAuth error: its `error` code, HTTP status and `error_description`.
#[derive(Debug, PartialEq, Eq)]
pub struct GrantError {
    pub code: &'static str,
    pub status: u16,
    pub description: String,
}

fn error(code: &'static str, description: impl Into<String>) -> GrantError {
    let status = if code == "invalid_client" { 401 } else { 400 };
    GrantError {
        code,
        status,
        description: description.into(),
    }
}

/// A started device grant, as `POST /oauth/device/code` answers it.
pub struct DeviceStart {
    pub device_code: String,
    pub user_code: String,
    pub expires_in_s: u64,
    pub interval_s: u64,
}

/// What a successful grant gives: the user to issue an access token for, and the refresh token.
pub struct Granted {
    pub user_id: String,
    pub refresh_token: String,
}

/// How long an authorization code may wait to be exchanged.
const CODE_TTL_MS: u64 = 10 * 60 * 1000;
/// RFC 8628 §3.5: each `slow_down` adds 5 seconds to the interval.
const SLOW_DOWN_STEP_MS: u64 = 5000;

fn client<'a>(store: &'a Store, client_id: &str) -> Result<&'a SeedOAuthClient, GrantError> {
    store
        .oauth_clients
        .iter()
        .find(|c| c.client_id == client_id)
        .ok_or_else(|| error("invalid_client", format!("Unknown client: {client_id}")))
}

/// The client, checked to use `grant` and, for authorization-code clients, its secret.
fn client_for<'a>(
    store: &'a Store,
    client_id: &str,
    secret: Option<&str>,
    grant: OAuthGrant,
) -> Result<&'a SeedOAuthClient, GrantError> {
    let c = client(store, client_id)?;
    if c.grant != grant {
        return Err(error(
            "unauthorized_client",
            "The client is not authorized to use this grant type",
        ));
    }
    if c.client_secret.is_some() && c.client_secret.as_deref() != secret {
        return Err(error("invalid_client", "Client authentication failed"));
    }
    Ok(c)
}

fn random_token(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// `XXXX-XXXX` of letters and digits that cannot be mistaken for one another.
fn user_code() -> String {
    const CHARS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ23456789";
    let mut rng = rand::thread_rng();
    let mut pick = || CHARS[rng.gen_range(0..CHARS.len())] as char;
    let a: String = (0..4).map(|_| pick()).collect();
    let b: String = (0..4).map(|_| pick()).collect();
    format!("{a}-{b}")
}

/// A new refresh token of `client` for `user_id`.
fn new_refresh_token(
    state: &AppState,
    store: &mut Store,
    client_id: &str,
    user_id: &str,
) -> String {
    let rotatable = client(store, client_id).is_ok_and(|c| c.rotatable);
    let ttl = state.settings().refresh_token_ttl.as_millis() as u64;
    let value = random_token(64);
    store.oauth.refresh_tokens.insert(
        value.clone(),
        RefreshToken {
            client_id: client_id.to_string(),
            user_id: user_id.to_string(),
            expires_at_ms: rotatable.then(|| now_ms() + ttl),
        },
    );
    value
}

pub fn start_device(state: &AppState, client_id: &str) -> Result<DeviceStart, GrantError> {
    let settings = state.settings();
    let mut store = state.store();
    client_for(&store, client_id, None, OAuthGrant::DeviceGrant)?;
    let start = DeviceStart {
        device_code: random_token(43),
        user_code: user_code(),
        expires_in_s: settings.device_code_ttl.as_secs(),
        interval_s: settings.device_interval.as_secs(),
    };
    store.oauth.device_codes.insert(
        start.device_code.clone(),
        DeviceCode {
            client_id: client_id.to_string(),
            user_code: start.user_code.clone(),
            expires_at_ms: now_ms() + settings.device_code_ttl.as_millis() as u64,
            interval_ms: settings.device_interval.as_millis() as u64,
            last_poll_ms: None,
            decision: DeviceDecision::Pending,
        },
    );
    Ok(start)
}

/// One poll of a device code: the grant once approved, else the RFC 8628 error for its state.
pub fn poll_device(
    state: &AppState,
    client_id: &str,
    device_code: &str,
) -> Result<Granted, GrantError> {
    let mut store = state.store();
    client_for(&store, client_id, None, OAuthGrant::DeviceGrant)?;
    let now = now_ms();
    let code = store
        .oauth
        .device_codes
        .get_mut(device_code)
        .filter(|c| c.client_id == client_id)
        .ok_or_else(|| error("invalid_grant", "Invalid device code"))?;
    if code.expires_at_ms <= now {
        store.oauth.device_codes.remove(device_code);
        return Err(error("expired_token", "The device code has expired"));
    }
    let too_soon = code
        .last_poll_ms
        .is_some_and(|last| now < last + code.interval_ms);
    code.last_poll_ms = Some(now);
    // Too soon is too soon whatever the user decided meanwhile: a client that polls faster than
    // told must slow down before it gets an answer.
    if too_soon {
        code.interval_ms += SLOW_DOWN_STEP_MS;
        return Err(error("slow_down", "Polling too fast: wait the interval"));
    }
    match code.decision.clone() {
        DeviceDecision::Denied => {
            store.oauth.device_codes.remove(device_code);
            Err(error("access_denied", "The user denied the request"))
        }
        DeviceDecision::Pending => Err(error(
            "authorization_pending",
            "The user has not yet approved the request",
        )),
        DeviceDecision::Approved(user_id) => {
            store.oauth.device_codes.remove(device_code);
            let refresh_token = new_refresh_token(state, &mut store, client_id, &user_id);
            Ok(Granted {
                user_id,
                refresh_token,
            })
        }
    }
}

/// The user codes waiting for a decision, with their clients.
pub fn pending_user_codes(state: &AppState) -> Vec<(String, String)> {
    let store = state.store();
    let mut codes: Vec<_> = store
        .oauth
        .device_codes
        .values()
        .filter(|c| c.decision == DeviceDecision::Pending && c.expires_at_ms > now_ms())
        .map(|c| (c.user_code.clone(), c.client_id.clone()))
        .collect();
    codes.sort();
    codes
}

/// Approves (`Some(user e-mail)`) or denies (`None`) the pending request of `user_code`.
pub fn decide(state: &AppState, user_code: &str, approve_as: Option<&str>) -> Result<(), String> {
    let mut store = state.store();
    let decision = match approve_as {
        Some(email) => DeviceDecision::Approved(
            store
                .user_by_email(email)
                .ok_or_else(|| format!("no user {email} in the seed"))?
                .id
                .clone(),
        ),
        None => DeviceDecision::Denied,
    };
    let code = store
        .oauth
        .device_codes
        .values_mut()
        .find(|c| c.user_code.eq_ignore_ascii_case(user_code) && c.expires_at_ms > now_ms())
        .filter(|c| c.decision == DeviceDecision::Pending)
        .ok_or_else(|| format!("no pending request with user code {user_code}"))?;
    code.decision = decision;
    Ok(())
}

/// An authorization code for `user` (e-mail) and a client, as the browser flow would end with.
pub fn mint_code(
    state: &AppState,
    client_id: &str,
    user: &str,
    redirect_uri: &str,
) -> Result<String, GrantError> {
    let mut store = state.store();
    let c = client(&store, client_id)?;
    if c.grant != OAuthGrant::AuthorizationCode {
        return Err(error(
            "unauthorized_client",
            "Not an authorization-code client",
        ));
    }
    if !c.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(error(
            "invalid_request",
            "The redirect URI is not registered",
        ));
    }
    let user_id = store
        .user_by_email(user)
        .ok_or_else(|| error("access_denied", format!("No user {user}")))?
        .id
        .clone();
    let code = random_token(32);
    store.oauth.auth_codes.insert(
        code.clone(),
        AuthCode {
            client_id: client_id.to_string(),
            user_id,
            redirect_uri: redirect_uri.to_string(),
            expires_at_ms: now_ms() + CODE_TTL_MS,
        },
    );
    Ok(code)
}

/// Exchanges an authorization code (used once) for the grant.
pub fn exchange_code(
    state: &AppState,
    client_id: &str,
    secret: Option<&str>,
    code: &str,
    redirect_uri: Option<&str>,
) -> Result<Granted, GrantError> {
    let mut store = state.store();
    client_for(&store, client_id, secret, OAuthGrant::AuthorizationCode)?;
    let record = store
        .oauth
        .auth_codes
        .remove(code)
        .filter(|r| r.client_id == client_id && r.expires_at_ms > now_ms())
        .ok_or_else(|| error("invalid_grant", "Invalid authorization code"))?;
    if redirect_uri.is_some_and(|u| u != record.redirect_uri) {
        return Err(error("invalid_grant", "The redirect URI does not match"));
    }
    let refresh_token = new_refresh_token(state, &mut store, client_id, &record.user_id);
    Ok(Granted {
        user_id: record.user_id,
        refresh_token,
    })
}

/// A refresh: a rotatable client's token is used up and a new one given; another client's is
/// given back as it is.
pub fn refresh(
    state: &AppState,
    client_id: &str,
    secret: Option<&str>,
    refresh_token: &str,
) -> Result<Granted, GrantError> {
    let mut store = state.store();
    let c = client(&store, client_id)?;
    let (grant, rotatable) = (c.grant, c.rotatable);
    client_for(&store, client_id, secret, grant)?;
    let refused = || {
        error(
            "invalid_grant",
            "Invalid refresh token: it is unknown, expired or already used",
        )
    };
    let record = store
        .oauth
        .refresh_tokens
        .get(refresh_token)
        .filter(|r| r.client_id == client_id)
        .ok_or_else(refused)?;
    if record.expires_at_ms.is_some_and(|t| t <= now_ms()) {
        store.oauth.refresh_tokens.remove(refresh_token);
        return Err(refused());
    }
    let user_id = record.user_id.clone();
    if !rotatable {
        return Ok(Granted {
            user_id,
            refresh_token: refresh_token.to_string(),
        });
    }
    store.oauth.refresh_tokens.remove(refresh_token);
    let refresh_token = new_refresh_token(state, &mut store, client_id, &user_id);
    Ok(Granted {
        user_id,
        refresh_token,
    })
}
