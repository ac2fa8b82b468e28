//! Failure dumps: `imports/{id}/tasks/{task}/dump[/chunks[/{n}]]` and
//! `processes/{id}/tasks/{task}/dumps/{objectId}[/chunks[/{n}]]`.
//!
//! Dumps are kept per user: only the user's own tasks show theirs, and only the latest run of an
//! object keeps its dump (older task ids give 404, as on Anaplan).

use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Value};

use super::listing::query;
use super::tasks::find_task;
use super::ModelAccess;
use crate::model::TaskKind;
use crate::state::AppState;
use crate::wire::{json_ok, paged, schema_url, ApiError};

/// Dump chunks are 10 MB or less (`GET …/dump/chunks` in the integration spec of
/// `emulator/tests/fixtures/`).
pub const DUMP_CHUNK_SIZE: usize = 10 * 1024 * 1024;

pub fn model_router() -> Router<AppState> {
    let import = "/imports/{importId}/tasks/{taskId}/dump";
    let process = "/processes/{processId}/tasks/{taskId}/dumps/{objectId}";
    Router::new()
        .route(import, get(|s, a| whole(s, a, TaskKind::Import)))
        .route(
            &format!("{import}/chunks"),
            get(|s, a, q| chunks(s, a, q, TaskKind::Import)),
        )
        .route(
            &format!("{import}/chunks/{{chunkId}}"),
            get(|s, a| chunk(s, a, TaskKind::Import)),
        )
        .route(process, get(|s, a| whole(s, a, TaskKind::Process)))
        .route(
            &format!("{process}/chunks"),
            get(|s, a, q| chunks(s, a, q, TaskKind::Process)),
        )
        .route(
            &format!("{process}/chunks/{{chunkId}}"),
            get(|s, a| chunk(s, a, TaskKind::Process)),
        )
}

/// The dump the path names: the import's own dump, or a process step's dump by `objectId`.
fn dump(state: &AppState, access: &ModelAccess, kind: TaskKind) -> Result<Bytes, ApiError> {
    let store = state.store();
    let task = find_task(&store, access, kind)?;
    if task.user_id != access.user_id {
        return Err(ApiError::not_found(&access.path));
    }
    let key = match kind {
        TaskKind::Process => access.param("objectId"),
        _ => task.object_id.as_str(),
    };
    task.dumps
        .get(key)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&access.path))
}

fn csv_response(bytes: Bytes) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
        bytes,
    )
        .into_response()
}

async fn whole(
    State(state): State<AppState>,
    access: ModelAccess,
    kind: TaskKind,
) -> Result<Response, ApiError> {
    Ok(csv_response(dump(&state, &access, kind)?))
}

fn chunk_count(len: usize) -> usize {
    len.div_ceil(DUMP_CHUNK_SIZE).max(1)
}

async fn chunks(
    State(state): State<AppState>,
    access: ModelAccess,
    uri: Uri,
    kind: TaskKind,
) -> Result<Response, ApiError> {
    // The same query parsing as every other list (a repeated parameter: the last one wins).
    let q = query(&uri)?;
    let bytes = dump(&state, &access, kind)?;
    let items: Vec<Value> = (0..chunk_count(bytes.len()))
        .map(|i| json!({"id": i.to_string(), "name": format!("Chunk {i}")}))
        .collect();
    let urls = state.urls();
    let body = paged(
        items,
        q.get("limit").map(String::as_str),
        q.get("offset").map(String::as_str),
        &format!("{}{}", urls.api, access.path),
        &schema_url(&urls.api, Some(&access.model_id), "chunk"),
        "chunks",
        &access.path,
    )?;
    Ok(json_ok(body))
}

async fn chunk(
    State(state): State<AppState>,
    access: ModelAccess,
    kind: TaskKind,
) -> Result<Response, ApiError> {
    let bytes = dump(&state, &access, kind)?;
    let n: usize = access
        .param("chunkId")
        .parse()
        .map_err(|_| ApiError::not_found(&access.path))?;
    if n >= chunk_count(bytes.len()) {
        return Err(ApiError::not_found(&access.path));
    }
    let start = n * DUMP_CHUNK_SIZE;
    let end = (start + DUMP_CHUNK_SIZE).min(bytes.len());
    Ok(csv_response(bytes.slice(start..end)))
}
