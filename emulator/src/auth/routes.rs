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
    let Some((scheme, credentials)) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
    else {
        return bad_header(StatusCode::UNAUTHORIZED);
    };
    let credentials = credentials.trim();
    // Authentication schemes are case-insensitive (RFC 9110 §11.1); clients send `Basic` and
    // `CACertificate`, but a server framework would accept any case.
    let user_id = if scheme.eq_ignore_ascii_case("Basic") {
        match basic_user(&state, credentials) {
            Ok(id) => id,
            Err(e) => return e.into_response(),
        }
    } else if scheme.eq_ignore_ascii_case("CACertificate") {
        match cert::verify(&state, credentials, &body) {
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

/// Why a basic sign-in was refused.
enum BasicError {
    /// The credentials are not `base64(email:password)`.
    Malformed,
    BadCredential,
}

impl IntoResponse for BasicError {
    fn into_response(self) -> Response {
        match self {
            BasicError::Malformed => bad_header(StatusCode::UNAUTHORIZED),
            BasicError::BadCredential => bad_credential("Invalid username or password"),
        }
    }
}

/// The user id for `base64(email:password)`, when it matches an active seeded user with that
/// password. Unknown user, wrong password and inactive user get the same answer, so the
/// response does not tell which emails exist.
fn basic_user(state: &AppState, b64: &str) -> Result<String, BasicError> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| BasicError::Malformed)?;
    let text = String::from_utf8(decoded).map_err(|_| BasicError::Malformed)?;
    let (email, password) = text.split_once(':').ok_or(BasicError::Malformed)?;
    let store = state.store();
    let user = store
        .user_by_email(email)
        .ok_or(BasicError::BadCredential)?;
    if user.active && user.password.as_deref() == Some(password) {
        Ok(user.id.clone())
    } else {
        Err(BasicError::BadCredential)
    }
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
