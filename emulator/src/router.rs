//! Assembles every route: auth, the API in both path forms, and the admin endpoint.

use axum::middleware::from_fn_with_state;
use axum::Router;

use crate::api;
use crate::state::AppState;

/// Routes that live inside a model, served under `/2/0/workspaces/{workspaceId}/models/{modelId}`
/// and `/2/0/models/{modelId}` alike.
fn model_routes() -> Router<AppState> {
    Router::new()
        .merge(api::resources::model_router())
        .merge(api::files::model_router())
        .merge(api::tasks::model_router())
        .merge(api::dumps::model_router())
}

pub fn build(state: AppState) -> Router {
    Router::new()
        .merge(crate::auth::routes::router())
        .merge(api::resources::top_router())
        .nest(
            "/2/0/workspaces/{workspaceId}/models/{modelId}",
            model_routes(),
        )
        .nest("/2/0/models/{modelId}", model_routes())
        .merge(crate::admin::router())
        .fallback(crate::auth::not_found)
        .method_not_allowed_fallback(crate::auth::method_not_allowed)
        // Added last, so they cover every route and the fallbacks. The log is outermost so that
        // requests hit by an injected fault are recorded too.
        .layer(from_fn_with_state(
            state.clone(),
            crate::faults::layer::middleware,
        ))
        .layer(from_fn_with_state(
            state.clone(),
            crate::reqlog::layer::middleware,
        ))
        .with_state(state)
}
