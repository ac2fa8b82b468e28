//! Assembles every route: auth, the API in both path forms, and the admin endpoint.

use axum::http::Uri;
use axum::middleware::{from_fn, from_fn_with_state};
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
        .merge(crate::auth::oauth::router())
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
        .layer(from_fn(crate::wire::json_errors))
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

/// The URI with the trailing slashes of its path removed (`…/files/113000000001/` is
/// `…/files/113000000001`): Anaplan serves both, the community spec lists paths such as
/// `…/imports/`, and some clients open every upload with one. Applied before routing.
pub fn without_trailing_slash(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    let trimmed = path.trim_end_matches('/');
    if trimmed.len() == path.len() || trimmed.is_empty() {
        return None;
    }
    let rebuilt = match uri.query() {
        Some(q) => format!("{trimmed}?{q}"),
        None => trimmed.to_string(),
    };
    rebuilt.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::without_trailing_slash;

    #[test]
    fn trailing_slashes_go_and_the_query_stays() {
        let fix = |s: &str| without_trailing_slash(&s.parse().unwrap()).map(|u| u.to_string());
        assert_eq!(fix("/2/0/users/me/").as_deref(), Some("/2/0/users/me"));
        assert_eq!(
            fix("/2/0/models/M/imports//?limit=1").as_deref(),
            Some("/2/0/models/M/imports?limit=1")
        );
        assert_eq!(fix("/2/0/users/me"), None);
        assert_eq!(fix("/"), None);
    }
}
