//! The admin endpoint (`/__emulator/...`, a path no Anaplan route uses).

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
