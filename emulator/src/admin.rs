//! The admin endpoint, under `/__emulator/` (a path no Anaplan route uses).
//!
//! The routes are [`ROUTES`], which `GET /__emulator/` also serves, so a newcomer who opens
//! the printed admin URL sees what is there.
//!
//! There is no authentication: the emulator listens on loopback by default, and anyone who can
//! reach this endpoint can change its behaviour. Do not expose it (the CLI warns when `--bind` is
//! not a loopback address). Admin requests are neither logged nor faulted (a bandwidth cap does
//! apply to their connection).
//! Bad input is a 400 in the Integration API error shape, with the reason in `status.message`.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::admin_path::PREFIX;
use crate::faults::rules::{FaultConfig, FaultRule};
use crate::oauth_grants;
use crate::state::AppState;
use crate::wire::{json_ok, ApiError};

/// Every admin route: `(methods, path, what it does)`.
pub const ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/__emulator/", "this list"),
    (
        "GET",
        "/__emulator/health",
        r#"{"status":"ok","apiUrl":...,"authUrl":...}"#,
    ),
    (
        "GET",
        "/__emulator/requests[?since=SEQ]",
        r#"{"requests":[...]}: the request log, oldest first; with `since`, only entries after that `seq`"#,
    ),
    (
        "DELETE",
        "/__emulator/requests",
        "clears the request log (204)",
    ),
    ("GET", "/__emulator/faults", "the fault set"),
    (
        "PUT",
        "/__emulator/faults",
        "replaces the fault set (counters and random generators start over); answers the new set",
    ),
    (
        "POST",
        "/__emulator/faults",
        "adds one rule; answers the new set",
    ),
    (
        "DELETE",
        "/__emulator/faults",
        "removes every rule and the bandwidth cap (204)",
    ),
    (
        "GET",
        "/__emulator/settings",
        r#"{"tokenTtlMs","taskDurationMs","certFreshnessMs","rejectV1Certificates","deviceIntervalMs","deviceCodeTtlMs","refreshTokenTtlMs"}"#,
    ),
    (
        "PUT",
        "/__emulator/settings",
        "changes the fields given (any subset); answers all of them",
    ),
    (
        "GET",
        "/__emulator/oauth/device",
        r#"{"pending":[{"userCode","clientId"}]}: device-grant requests waiting for the user"#,
    ),
    (
        "POST",
        "/__emulator/oauth/device/approve",
        r#"{"userCode","user"}: the user (e-mail) approves the request, as at the verification page (204)"#,
    ),
    (
        "POST",
        "/__emulator/oauth/device/deny",
        r#"{"userCode"}: the user denies the request (204)"#,
    ),
    (
        "POST",
        "/__emulator/oauth/codes",
        r#"{"clientId","user","redirectUri"} → {"code"}: an authorization code, as the browser flow ends with"#,
    ),
    (
        "POST",
        "/__emulator/reset",
        "puts the data back as the seed has it; every token and task is gone (204)",
    ),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__emulator", get(index))
        .route("/__emulator/", get(index))
        .route("/__emulator/health", get(health))
        .route("/__emulator/requests", get(requests).delete(clear_requests))
        .route(
            "/__emulator/faults",
            get(faults)
                .put(replace_faults)
                .post(add_fault)
                .delete(clear_faults),
        )
        .route("/__emulator/settings", get(settings).put(change_settings))
        .route("/__emulator/reset", post(reset))
        .route("/__emulator/oauth/device", get(pending_device))
        .route("/__emulator/oauth/device/approve", post(approve_device))
        .route("/__emulator/oauth/device/deny", post(deny_device))
        .route("/__emulator/oauth/codes", post(mint_code))
}

async fn index() -> Response {
    let routes: Vec<_> = ROUTES
        .iter()
        .map(|(method, path, does)| json!({"method": method, "path": path, "does": does}))
        .collect();
    json_ok(json!({ "routes": routes }))
}

async fn health(State(state): State<AppState>) -> Response {
    let urls = state.urls();
    json_ok(json!({"status": "ok", "apiUrl": urls.api, "authUrl": urls.auth}))
}

#[derive(Deserialize)]
struct SinceQuery {
    since: Option<u64>,
}

async fn requests(
    State(state): State<AppState>,
    uri: Uri,
    query: Result<Query<SinceQuery>, QueryRejection>,
) -> Response {
    match query {
        Ok(Query(q)) => json_ok(json!({ "requests": state.log.since(q.since.unwrap_or(0)) })),
        Err(e) => ApiError::bad_request(e.body_text(), uri.path()).into_response(),
    }
}

async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.log.clear();
    StatusCode::NO_CONTENT
}

fn to_json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_value(value) {
        Ok(v) => json_ok(v),
        Err(e) => {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string(), PREFIX).into_response()
        }
    }
}

/// The JSON body, or a 400 saying what is wrong with it.
fn parse<T: DeserializeOwned>(body: &Bytes, uri: &Uri) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}"), uri.path()))
}

async fn faults(State(state): State<AppState>) -> Response {
    to_json(&state.faults.config())
}

async fn replace_faults(State(state): State<AppState>, uri: Uri, body: Bytes) -> Response {
    let result = parse::<FaultConfig>(&body, &uri).and_then(|config| {
        state
            .faults
            .replace(config)
            .map_err(|e| ApiError::bad_request(e, uri.path()))
    });
    match result {
        Ok(()) => to_json(&state.faults.config()),
        Err(e) => e.into_response(),
    }
}

async fn add_fault(State(state): State<AppState>, uri: Uri, body: Bytes) -> Response {
    let result = parse::<FaultRule>(&body, &uri).and_then(|rule| {
        state
            .faults
            .add_rule(rule)
            .map_err(|e| ApiError::bad_request(e, uri.path()))
    });
    match result {
        Ok(()) => to_json(&state.faults.config()),
        Err(e) => e.into_response(),
    }
}

async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    let seed = state.faults.config().seed;
    // An empty, valid set cannot be refused.
    let _ = state.faults.replace(FaultConfig {
        seed,
        ..FaultConfig::default()
    });
    StatusCode::NO_CONTENT
}

/// The run-time settings over JSON; in a `PUT`, absent fields stay as they are.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SettingsJson {
    token_ttl_ms: Option<u64>,
    task_duration_ms: Option<u64>,
    device_interval_ms: Option<u64>,
    device_code_ttl_ms: Option<u64>,
    refresh_token_ttl_ms: Option<u64>,
    cert_freshness_ms: Option<u64>,
    reject_v1_certificates: Option<bool>,
}

fn current_settings(state: &AppState) -> SettingsJson {
    let s = state.settings();
    SettingsJson {
        token_ttl_ms: Some(s.token_ttl.as_millis() as u64),
        task_duration_ms: Some(s.task_duration.as_millis() as u64),
        device_interval_ms: Some(s.device_interval.as_millis() as u64),
        device_code_ttl_ms: Some(s.device_code_ttl.as_millis() as u64),
        refresh_token_ttl_ms: Some(s.refresh_token_ttl.as_millis() as u64),
        cert_freshness_ms: Some(s.cert_freshness.as_millis() as u64),
        reject_v1_certificates: Some(s.reject_v1_certificates),
    }
}

async fn settings(State(state): State<AppState>) -> Response {
    to_json(&current_settings(&state))
}

async fn change_settings(State(state): State<AppState>, uri: Uri, body: Bytes) -> Response {
    let patch = match parse::<SettingsJson>(&body, &uri) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    state.update_settings(|s| {
        if let Some(ms) = patch.token_ttl_ms {
            s.token_ttl = Duration::from_millis(ms);
        }
        if let Some(ms) = patch.task_duration_ms {
            s.task_duration = Duration::from_millis(ms);
        }
        if let Some(ms) = patch.device_interval_ms {
            s.device_interval = Duration::from_millis(ms);
        }
        if let Some(ms) = patch.device_code_ttl_ms {
            s.device_code_ttl = Duration::from_millis(ms);
        }
        if let Some(ms) = patch.refresh_token_ttl_ms {
            s.refresh_token_ttl = Duration::from_millis(ms);
        }
        if let Some(ms) = patch.cert_freshness_ms {
            s.cert_freshness = Duration::from_millis(ms);
        }
        if let Some(reject) = patch.reject_v1_certificates {
            s.reject_v1_certificates = reject;
        }
    });
    to_json(&current_settings(&state))
}

async fn pending_device(State(state): State<AppState>) -> Response {
    let pending: Vec<_> = oauth_grants::pending_user_codes(&state)
        .into_iter()
        .map(|(user_code, client_id)| json!({"userCode": user_code, "clientId": client_id}))
        .collect();
    json_ok(json!({ "pending": pending }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Decision {
    user_code: String,
    #[serde(default)]
    user: Option<String>,
}

async fn decide(state: &AppState, uri: &Uri, body: &Bytes, approve: bool) -> Response {
    let result = parse::<Decision>(body, uri).and_then(|d| {
        let user = match (approve, d.user.as_deref()) {
            (true, None) => {
                return Err(ApiError::bad_request(
                    "approving needs the user (e-mail) who approves",
                    uri.path(),
                ))
            }
            (true, user) => user,
            (false, _) => None,
        };
        oauth_grants::decide(state, &d.user_code, user)
            .map_err(|e| ApiError::bad_request(e, uri.path()))
    });
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn approve_device(State(state): State<AppState>, uri: Uri, body: Bytes) -> Response {
    decide(&state, &uri, &body, true).await
}

async fn deny_device(State(state): State<AppState>, uri: Uri, body: Bytes) -> Response {
    decide(&state, &uri, &body, false).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CodeRequest {
    client_id: String,
    user: String,
    redirect_uri: String,
}

async fn mint_code(State(state): State<AppState>, uri: Uri, body: Bytes) -> Response {
    let result = parse::<CodeRequest>(&body, &uri).and_then(|r| {
        oauth_grants::mint_code(&state, &r.client_id, &r.user, &r.redirect_uri)
            .map_err(|e| ApiError::bad_request(e.description, uri.path()))
    });
    match result {
        Ok(code) => json_ok(json!({ "code": code })),
        Err(e) => e.into_response(),
    }
}

async fn reset(State(state): State<AppState>) -> StatusCode {
    state.reset_to_seed();
    StatusCode::NO_CONTENT
}
