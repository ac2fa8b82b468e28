//! The Authentication service (`/token/*`) and the token check of every API route.

pub mod cert;
pub mod routes;
pub mod tokens;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::api::ApiError;
use crate::state::AppState;

/// The signed-in user of an API request, taken from `Authorization: AnaplanAuthToken <token>`
/// (or `Bearer <token>`, which the API hosts also accept). A missing, unknown, expired or
/// logged-out token is a 401 in the Integration API error shape.
#[derive(Clone, Debug)]
pub struct Authed {
    pub user_id: String,
    pub token: String,
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let path = parts.uri.path().to_string();
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
        Ok(Authed {
            user_id,
            token: token.to_string(),
        })
    }
}
