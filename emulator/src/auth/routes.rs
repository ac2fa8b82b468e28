//! `/token/authenticate`, `/token/refresh`, `/token/validate`, `/token/logout`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use serde_json::{json, Value};

use super::cert::{self, CertError};
use super::tokens;
use crate::state::AppState;
use crate::store::TokenRecord;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/token/authenticate", post(authenticate))
        .route("/token/refresh", post(refresh))
        .route("/token/validate", get(validate))
        .route("/token/logout", post(logout))
}

fn auth_json(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn bad_credential(message: &str) -> Response {
    auth_json(
        StatusCode::UNAUTHORIZED,
        json!({"status": "FAILURE_BAD_CREDENTIAL", "statusMessage": message}),
    )
}

fn bad_header(status: StatusCode) -> Response {
    auth_json(
        status,
        json!({"status": "FAILURE_BAD_HEADER", "statusMessage": "Invalid header. Verify the header."}),
    )
}

fn token_info(value: Option<&str>, record: &TokenRecord) -> Value {
    let mut info = json!({
        "expiresAt": record.expires_at_ms,
        "tokenId": record.token_id,
    });
    if let Some(v) = value {
        info["tokenValue"] = json!(v);
        info["refreshTokenId"] = json!(record.refresh_token_id);
    }
    info
}

fn meta(state: &AppState) -> Value {
    json!({ "validationUrl": format!("{}/token/validate", state.urls().auth) })
}

fn success(
    state: &AppState,
    status: StatusCode,
    message: &str,
    value: &str,
    record: &TokenRecord,
) -> Response {
    auth_json(
        status,
        json!({
            "meta": meta(state),
            "status": "SUCCESS",
            "statusMessage": message,
            "tokenInfo": token_info(Some(value), record),
        }),
    )
}

async fn authenticate(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return bad_header(StatusCode::UNAUTHORIZED);
    };
    let user_id = if let Some(b64) = auth.strip_prefix("Basic ") {
        match basic_user(&state, b64.trim()) {
            Some(id) => id,
            None => return bad_credential("Invalid username or password"),
        }
    } else if let Some(cert_value) = auth.strip_prefix("CACertificate ") {
        match cert::verify(&state, cert_value.trim(), &body) {
            Ok(id) => id,
            Err(CertError::BadHeader) => return bad_header(StatusCode::UNAUTHORIZED),
            Err(CertError::BadCredential(msg)) => return bad_credential(&msg),
        }
    } else {
        return bad_header(StatusCode::UNAUTHORIZED);
    };
    let (value, record) = tokens::issue(&state, &user_id);
    success(
        &state,
        StatusCode::CREATED,
        "Login successful",
        &value,
        &record,
    )
}

/// The user id for `base64(email:password)`, when it matches an active seeded user.
fn basic_user(state: &AppState, b64: &str) -> Option<String> {
    let decoded = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (email, password) = text.split_once(':')?;
    let store = state.store();
    let user = store.user_by_email(email)?;
    (user.active && user.password.as_deref() == Some(password)).then(|| user.id.clone())
}

/// The token of an `AnaplanAuthToken` header; other schemes (Bearer included) are a bad header.
fn anaplan_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("AnaplanAuthToken ")
        .map(str::trim)
}

async fn refresh(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = anaplan_token(&headers) else {
        return bad_header(StatusCode::BAD_REQUEST);
    };
    match tokens::refresh(&state, token) {
        Some(record) => success(&state, StatusCode::OK, "Token refreshed", token, &record),
        None => bad_credential("Token is invalid or expired"),
    }
}

async fn validate(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = anaplan_token(&headers) else {
        return bad_header(StatusCode::BAD_REQUEST);
    };
    let Some(record) = tokens::live(&state, token) else {
        return bad_credential("Token is invalid or expired");
    };
    let user_info = {
        let store = state.store();
        let email = store
            .user(&record.user_id)
            .map(|u| u.email.clone())
            .unwrap_or_default();
        json!({"userGuid": record.user_id, "userId": email, "customerGuid": store.customer_id})
    };
    auth_json(
        StatusCode::OK,
        json!({
            "meta": meta(&state),
            "status": "SUCCESS",
            "statusMessage": "Token validated",
            "tokenInfo": token_info(None, &record),
            "userInfo": user_info,
        }),
    )
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = anaplan_token(&headers) else {
        return bad_header(StatusCode::UNAUTHORIZED);
    };
    if tokens::revoke(&state, token) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        bad_credential("Token is invalid or expired")
    }
}
