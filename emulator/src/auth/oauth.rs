//! The OAuth 2.0 service of Anaplan's app host (`../shared/docs/anaplan-api.md` §1.8), on the
//! main listener: `POST /oauth/device/code`, `POST /oauth/token` (device code, authorization
//! code and refresh token grants) and `GET /auth/authorize` (and `/auth/prelogin`). Requests may be JSON or
//! form-encoded, as the reference says both are sent. Access tokens are the auth service's own
//! tokens, so they work on the Integration API (`AnaplanAuthToken` or `Bearer`) and expire like
//! the others.
//!
//! No one logs in here: `GET /auth/authorize` redirects at once with a code for the user named
//! by `login_hint` (an emulator extension), and the admin endpoint approves device codes.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::tokens;
use crate::oauth_grants::{self, GrantError, Granted};
use crate::state::AppState;

pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const SCOPE: &str = "openid email offline_access";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth/device/code", post(device_code))
        .route("/oauth/token", post(token))
        .route("/auth/authorize", get(authorize))
        // The SDK's authorization URL: Anaplan serves its login page there, with the same query.
        .route("/auth/prelogin", get(authorize))
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn oauth_error(e: GrantError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(
        status,
        json!({"error": e.code, "error_description": e.description}),
    )
}

fn invalid_request(description: &str) -> Response {
    oauth_error(GrantError {
        code: "invalid_request",
        status: 400,
        description: description.into(),
    })
}

/// The request's parameters, from a JSON object or a form-encoded body.
fn params(headers: &HeaderMap, body: &Bytes) -> Option<HashMap<String, String>> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("json"))
        || body.first() == Some(&b'{');
    if json {
        let object: serde_json::Map<String, Value> = serde_json::from_slice(body).ok()?;
        return Some(
            object
                .into_iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
                .collect(),
        );
    }
    Some(form_urlencoded::parse(body).into_owned().collect())
}

async fn device_code(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(p) = params(&headers, &body) else {
        return invalid_request("The body is neither JSON nor form-encoded");
    };
    let Some(client_id) = p.get("client_id") else {
        return invalid_request("client_id is required");
    };
    match oauth_grants::start_device(&state, client_id) {
        Ok(start) => {
            let activate = format!("{}/activate", state.urls().api);
            json_response(
                StatusCode::OK,
                json!({
                    "device_code": start.device_code,
                    "user_code": start.user_code,
                    "verification_uri": activate,
                    "verification_uri_complete": format!("{activate}?user_code={}", start.user_code),
                    "expires_in": start.expires_in_s,
                    "interval": start.interval_s,
                }),
            )
        }
        Err(e) => oauth_error(e),
    }
}

async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(p) = params(&headers, &body) else {
        return invalid_request("The body is neither JSON nor form-encoded");
    };
    let get = |k: &str| p.get(k).map(String::as_str);
    let (Some(grant_type), Some(client_id)) = (get("grant_type"), get("client_id")) else {
        return invalid_request("grant_type and client_id are required");
    };
    let secret = get("client_secret");
    let granted = match grant_type {
        DEVICE_GRANT => match get("device_code") {
            Some(code) => oauth_grants::poll_device(&state, client_id, code),
            None => return invalid_request("device_code is required"),
        },
        "authorization_code" => match get("code") {
            Some(code) => {
                oauth_grants::exchange_code(&state, client_id, secret, code, get("redirect_uri"))
            }
            None => return invalid_request("code is required"),
        },
        "refresh_token" => match get("refresh_token") {
            Some(t) => oauth_grants::refresh(&state, client_id, secret, t),
            None => return invalid_request("refresh_token is required"),
        },
        _ => {
            return oauth_error(GrantError {
                code: "unsupported_grant_type",
                status: 400,
                description: format!("Unsupported grant type: {grant_type}"),
            })
        }
    };
    match granted {
        Ok(g) => tokens_response(&state, g),
        Err(e) => oauth_error(e),
    }
}

fn tokens_response(state: &AppState, granted: Granted) -> Response {
    let (access_token, _) = tokens::issue(state, &granted.user_id);
    json_response(
        StatusCode::OK,
        json!({
            "access_token": access_token,
            "refresh_token": granted.refresh_token,
            "scope": SCOPE,
            "expires_in": state.settings().token_ttl.as_secs(),
            "token_type": "Bearer",
        }),
    )
}

async fn authorize(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str);
    let (Some(client_id), Some(redirect_uri)) = (get("client_id"), get("redirect_uri")) else {
        return invalid_request("client_id and redirect_uri are required");
    };
    if get("response_type") != Some("code") {
        return invalid_request("response_type must be code");
    }
    let Some(user) = get("login_hint") else {
        return invalid_request(
            "the emulator has no login page: name the user with login_hint=<e-mail>, or mint a \
             code with POST /__emulator/oauth/codes",
        );
    };
    match oauth_grants::mint_code(&state, client_id, user, redirect_uri) {
        Ok(code) => {
            let mut target = url_with_query(redirect_uri, &[("code", &code)]);
            if let Some(s) = get("state") {
                target = url_with_query(&target, &[("state", s)]);
            }
            (StatusCode::FOUND, [(header::LOCATION, target)]).into_response()
        }
        Err(e) => oauth_error(e),
    }
}

fn url_with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(pairs.iter().copied());
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", query.finish())
}
