//! The Authentication service (`/token/*`) and the token check of every API route.

pub mod cert;
pub mod oauth;
pub mod routes;
pub mod tokens;

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;
use crate::wire::ApiError;

/// The signed-in user of an API request, taken from `Authorization: AnaplanAuthToken <token>`
/// (or `Bearer <token>`, which the API hosts also accept). A missing, unknown, expired or
/// logged-out token is a 401 in the Integration API error shape.
#[derive(Clone, Debug)]
pub struct Authed {
    pub user_id: String,
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // Inside a nested router `parts.uri` has lost its prefix; error bodies show the full path.
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.path(), |o| o.path())
            .to_string();
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::unauthorized(&path))?;
        let token = header
            .strip_prefix("AnaplanAuthToken ")
            .or_else(|| header.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::unauthorized(&path))?;
        let user_id = tokens::check(state, token).ok_or_else(|| ApiError::unauthorized(&path))?;
        Ok(Authed { user_id })
    }
}

/// The API checks the token before it routes (an authentication filter sits in front of every
/// `/2/0` handler), so a request for an unknown path or method without a live token is told
/// 401, not 404/405: a client that re-authenticates on 401 must not be misled into thinking the
/// resource is missing. Outside `/2/0`, and with a live token, `otherwise` is the answer.
fn unless_unauthorized(
    uri: &Uri,
    authed: Result<Authed, ApiError>,
    otherwise: ApiError,
) -> Response {
    let on_api = uri.path() == "/2/0" || uri.path().starts_with("/2/0/");
    match authed {
        Err(unauthorized) if on_api => unauthorized.into_response(),
        _ => otherwise.into_response(),
    }
}

/// Router fallback for paths no route matches: 401 without a live token on the API, else 404.
pub async fn not_found(
    OriginalUri(uri): OriginalUri,
    authed: Result<Authed, ApiError>,
) -> Response {
    let otherwise = ApiError::not_found(uri.path());
    unless_unauthorized(&uri, authed, otherwise)
}

/// Router fallback for a known path with the wrong method: 401 without a live token on the
/// API, else 405.
pub async fn method_not_allowed(
    OriginalUri(uri): OriginalUri,
    authed: Result<Authed, ApiError>,
) -> Response {
    let otherwise = ApiError::method_not_allowed(uri.path());
    unless_unauthorized(&uri, authed, otherwise)
}
