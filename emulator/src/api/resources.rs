//! Users, workspaces, models, and the per-model lists of files, imports, exports, actions and
//! processes with their metadata.

use axum::Router;

use crate::state::AppState;

/// Routes outside a model: `/2/0/users/...`, `/2/0/workspaces...`, `/2/0/models` and `/2/0/models/{m}`.
pub fn top_router() -> Router<AppState> {
    Router::new()
}

/// Routes inside a model (mounted under both path forms).
pub fn model_router() -> Router<AppState> {
    Router::new()
}
