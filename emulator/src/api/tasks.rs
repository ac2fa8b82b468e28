//! The task routes: starting, listing, monitoring and cancelling imports, exports, actions and
//! processes. Running a task is the runner's (`crate::runner`).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::listing::query;
use super::ModelAccess;
use crate::model::TaskKind;
use crate::runner;
use crate::state::AppState;
use crate::store::{Store, TaskRecord, TaskState};
use crate::wire::{envelope, json_ok, paged, schema_url, ApiError};

/// Path segment and id parameter name of each kind of runnable object.
pub const KINDS: [(TaskKind, &str, &str); 4] = [
    (TaskKind::Import, "imports", "importId"),
    (TaskKind::Export, "exports", "exportId"),
    (TaskKind::Action, "actions", "actionId"),
    (TaskKind::Process, "processes", "processId"),
];

pub fn model_router() -> Router<AppState> {
    let mut router = Router::new();
    for (kind, segment, param) in KINDS {
        router = router
            .route(
                &format!("/{segment}/{{{param}}}/tasks"),
                get(move |s, a, q| list(s, a, q, kind)).post(move |s, a, b| create(s, a, b, kind)),
            )
            .route(
                &format!("/{segment}/{{{param}}}/tasks/{{taskId}}"),
                get(move |s, a| status(s, a, kind)).delete(move |s, a| cancel(s, a, kind)),
            );
    }
    router
}

/// The id of the runnable object named in the path.
pub fn object_id(access: &ModelAccess, kind: TaskKind) -> &str {
    let param = KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, _, p)| *p)
        .unwrap_or("");
    access.param(param)
}

fn task_schema(state: &AppState, model_id: &str) -> String {
    schema_url(&state.urls().api, Some(model_id), "task")
}

async fn create(
    State(state): State<AppState>,
    access: ModelAccess,
    body: Bytes,
    kind: TaskKind,
) -> Result<Response, ApiError> {
    let parameters = parse_parameters(&body, &access.path)?;
    let object = object_id(&access, kind).to_string();
    let started = runner::start(
        &state,
        runner::Start {
            model_id: access.model_id.clone(),
            user_id: access.user_id.clone(),
            kind,
            object_id: object,
            parameters,
        },
    )
    .ok_or_else(|| ApiError::not_found(&access.path))?;
    let (task_id, creation_ms) = (started.task_id, started.creation_ms);
    let task = json!({"taskId": task_id, "taskState": "NOT_STARTED", "creationTime": creation_ms});
    Ok(json_ok(envelope(
        &task_schema(&state, &access.model_id),
        "task",
        task,
    )))
}

/// The start body: empty, or a JSON object such as `{"localeName":"en_US","mappingParameters":[...]}`.
fn parse_parameters(body: &[u8], path: &str) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Invalid request body: {e}"), path))?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "Invalid request body: expected a JSON object",
            path,
        ));
    }
    if let Some(mp) = value.get("mappingParameters") {
        let well_formed = mp.as_array().is_some_and(|a| {
            a.iter().all(|p| {
                p.get("entityType").is_some_and(Value::is_string)
                    && p.get("entityName").is_some_and(Value::is_string)
            })
        });
        if !well_formed {
            return Err(ApiError::bad_request(
                "Invalid mappingParameters: expected [{\"entityType\":...,\"entityName\":...}]",
                path,
            ));
        }
    }
    Ok(value)
}

async fn list(
    State(state): State<AppState>,
    access: ModelAccess,
    uri: Uri,
    kind: TaskKind,
) -> Result<Response, ApiError> {
    // The same query parsing as every other list (a repeated parameter: the last one wins).
    let q = query(&uri)?;
    let object = object_id(&access, kind);
    let mut tasks: Vec<(u64, Value)> = {
        let store = state.store();
        store
            .task_order
            .iter()
            .filter_map(|id| store.tasks.get(id))
            .filter(|t| t.model_id == access.model_id && t.kind == kind && t.object_id == object)
            .map(|t| {
                (
                    t.creation_ms,
                    json!({"taskId": t.id, "taskState": t.state, "creationTime": t.creation_ms}),
                )
            })
            .collect()
    };
    // Anaplan accepts any field after the sign and sorts by creation time; only the sign matters here.
    if q.get("sort").is_some_and(|s| s.starts_with('-')) {
        tasks.sort_by_key(|t| std::cmp::Reverse(t.0));
    }
    let url = format!("{}{}", state.urls().api, access.path);
    let body = paged(
        tasks.into_iter().map(|(_, v)| v).collect(),
        q.get("limit").map(String::as_str),
        q.get("offset").map(String::as_str),
        &url,
        &task_schema(&state, &access.model_id),
        "tasks",
        &access.path,
    )?;
    Ok(json_ok(body))
}

async fn status(
    State(state): State<AppState>,
    access: ModelAccess,
    kind: TaskKind,
) -> Result<Response, ApiError> {
    let task = {
        let store = state.store();
        let record = find_task(&store, &access, kind)?;
        task_json(record, state.settings().task_duration)
    };
    Ok(json_ok(envelope(
        &task_schema(&state, &access.model_id),
        "task",
        task,
    )))
}

/// DELETE on a task cancels it: CANCELLING at once, CANCELLED when the runner notices (a task that
/// has not started yet is cancelled at once). A finished task is left as it is.
async fn cancel(
    State(state): State<AppState>,
    access: ModelAccess,
    kind: TaskKind,
) -> Result<Response, ApiError> {
    let task = {
        let mut store = state.store();
        let id = find_task(&store, &access, kind)?.id.clone();
        let duration = state.settings().task_duration;
        let email = store.user(&access.user_id).map(|u| u.email.clone());
        if let Some(record) = store.tasks.get_mut(&id) {
            runner::request_cancel(record, email, duration);
        }
        match store.tasks.get(&id) {
            Some(record) => task_json(record, duration),
            None => return Err(ApiError::not_found(&access.path)),
        }
    };
    Ok(json_ok(envelope(
        &task_schema(&state, &access.model_id),
        "task",
        task,
    )))
}

/// The task named in the path, if it belongs to this model and object.
pub fn find_task<'a>(
    store: &'a Store,
    access: &ModelAccess,
    kind: TaskKind,
) -> Result<&'a TaskRecord, ApiError> {
    let object = object_id(access, kind);
    store
        .tasks
        .get(access.param("taskId"))
        .filter(|t| t.model_id == access.model_id && t.kind == kind && t.object_id == object)
        .ok_or_else(|| ApiError::not_found(&access.path))
}

fn current_step(task: &TaskRecord) -> &'static str {
    match task.state {
        TaskState::NotStarted => "Waiting...",
        TaskState::InProgress => "Processing ...",
        TaskState::Cancelling => "Cancelling...",
        TaskState::Cancelled => "Cancelled.",
        TaskState::Complete => {
            let ok = task
                .result
                .as_ref()
                .and_then(|r| r.get("successful"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if ok {
                "Complete."
            } else {
                "Failed."
            }
        }
    }
}

/// The `task` object of a status response: `result` only once the task is terminal.
pub fn task_json(task: &TaskRecord, duration: Duration) -> Value {
    let mut v = json!({
        "type": "taskInformation",
        "taskId": task.id,
        "currentStep": current_step(task),
        "progress": runner::progress(task, duration),
        "taskState": task.state,
        "creationTime": task.creation_ms,
    });
    if let Some(result) = &task.result {
        v["result"] = result.clone();
    }
    if let Some(by) = &task.cancelled_by {
        v["cancelledBy"] = json!(by);
    }
    v
}
