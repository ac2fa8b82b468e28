//! Issuing, checking, refreshing and revoking tokens.

use base64::Engine;
use rand::RngCore;

use crate::clock::{anaplan_datetime, now_ms};
use crate::ids;
use crate::state::AppState;
use crate::store::TokenRecord;

/// Issues a new token for the user and returns its value and record.
pub fn issue(state: &AppState, user_id: &str) -> (String, TokenRecord) {
    let ttl = state.settings().token_ttl;
    let value = new_token_value();
    let record = TokenRecord {
        token_id: ids::uuid(),
        refresh_token_id: ids::uuid(),
        user_id: user_id.to_string(),
        expires_at_ms: now_ms() + ttl.as_millis() as u64,
    };
    let mut store = state.store();
    store.tokens.insert(value.clone(), record.clone());
    // A sign-in is a login: `users/me` shows it, as Anaplan does.
    if let Some(user) = store.users.iter_mut().find(|u| u.id == user_id) {
        user.last_login_date = Some(anaplan_datetime(now_ms()));
    }
    drop(store);
    (value, record)
}

/// The user id behind a live token; `None` for an unknown, expired or revoked one.
pub fn check(state: &AppState, token: &str) -> Option<String> {
    live(state, token).map(|r| r.user_id)
}

/// The record of a live token.
pub fn live(state: &AppState, token: &str) -> Option<TokenRecord> {
    let mut store = state.store();
    let record = store.tokens.get(token)?.clone();
    if record.expires_at_ms <= now_ms() {
        store.tokens.remove(token);
        return None;
    }
    Some(record)
}

/// Extends a live token's lifetime; the value stays the same (as observed on the real service).
pub fn refresh(state: &AppState, token: &str) -> Option<TokenRecord> {
    live(state, token)?;
    let ttl = state.settings().token_ttl;
    let mut store = state.store();
    let record = store.tokens.get_mut(token)?;
    record.expires_at_ms = now_ms() + ttl.as_millis() as u64;
    Some(record.clone())
}

/// Revokes a token; true when it was live.
pub fn revoke(state: &AppState, token: &str) -> bool {
    live(state, token).is_some() && state.store().tokens.remove(token).is_some()
}

/// An opaque value shaped like Anaplan's: three base64 segments joined by dots.
fn new_token_value() -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut rng = rand::thread_rng();
    let mut seg = |n: usize| {
        let mut buf = vec![0u8; n];
        rng.fill_bytes(&mut buf);
        b64.encode(buf)
    };
    format!("{}.{}.{}", seg(16), seg(48), seg(32))
}
