//! The Integration API 2.0 (`/2/0/...`): the route handlers, and the model access check they
//! share. The wire shapes (errors, envelope, paging) are in `crate::wire`.

pub mod dumps;
pub mod files;
pub mod listing;
pub mod resources;
pub mod tasks;

use crate::wire::ApiError;

/// The model a request is about, checked: the token is live, the user can see the model and,
/// in the workspace path form, the model is in that workspace. Anything else is a 404, the way
/// Anaplan masks models a user cannot access.
#[derive(Clone, Debug)]
pub struct ModelAccess {
    pub user_id: String,
    pub model_id: String,
    /// The request path, for error bodies.
    pub path: String,
    /// The path parameters of the whole route (`fileId`, `taskId`, ...).
    pub params: std::collections::HashMap<String, String>,
}

impl ModelAccess {
    /// A path parameter of the route.
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }
}

impl axum::extract::FromRequestParts<crate::state::AppState> for ModelAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, ApiError> {
        use axum::extract::Path;
        let authed = crate::auth::Authed::from_request_parts(parts, state).await?;
        // Nested routers see the URI with the matched prefix stripped; error bodies name the
        // whole request path, as Anaplan's do.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.path().to_string(), |o| o.0.path().to_string());
        let Path(params) =
            Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found(&path))?;
        let model_id = params.get("modelId").cloned().unwrap_or_default();
        let store = state.store();
        let user = store
            .user(&authed.user_id)
            .ok_or_else(|| ApiError::not_found(&path))?;
        let model = store
            .models_of(user)
            .find(|m| m.seed.id == model_id)
            .ok_or_else(|| ApiError::not_found(&path))?;
        if let Some(ws) = params.get("workspaceId") {
            if ws != &model.seed.workspace_id {
                return Err(ApiError::not_found(&path));
            }
        }
        Ok(ModelAccess {
            user_id: authed.user_id,
            model_id,
            path,
            params,
        })
    }
}
