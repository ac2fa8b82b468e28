//! TODO-SKELETON: files routes.

use axum::Router;

use crate::state::AppState;

/// Routes inside a model (mounted under both path forms).
pub fn model_router() -> Router<AppState> {
    Router::new()
}
