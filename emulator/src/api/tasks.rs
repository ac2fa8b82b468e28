//! Tasks: starting, listing, monitoring and cancelling imports, exports, actions and processes.
//!
//! A task moves NOT_STARTED → IN_PROGRESS (with rising `progress`) → COMPLETE over the configured
//! task duration, so that clients really have to poll. Tasks of one model run one at a time, the
//! way Anaplan locks a model while an import, export or process runs: a second task waits in
//! NOT_STARTED. The work itself is done on a copy of the model at the end of the run and committed
//! only if the task was not cancelled, so a cancelled task leaves the model as it was.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::{envelope, json_ok, paged, schema_url, ApiError, ModelAccess, PageQuery};
use crate::ids;
use crate::model;
use crate::state::{now_ms, AppState};
use crate::store::{Store, TaskKind, TaskRecord, TaskState};

/// Path segment and id parameter name of each kind of runnable object.
pub const KINDS: [(TaskKind, &str, &str); 4] = [
    (TaskKind::Import, "imports", "importId"),
    (TaskKind::Export, "exports", "exportId"),
    (TaskKind::Action, "actions", "actionId"),
    (TaskKind::Process, "processes", "processId"),
];

/// The share of the task duration spent in NOT_STARTED before the task takes the model.
const QUEUED_SHARE: u32 = 10;
/// How often a running task looks for a cancellation or a free model.
const TICK: Duration = Duration::from_millis(10);

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
    let task_id = ids::hex32_upper();
    let creation_ms = now_ms();
    {
        let mut store = state.store();
        let exists = store
            .model(&access.model_id)
            .is_some_and(|m| m.has_object(kind, &object));
        if !exists {
            return Err(ApiError::not_found(&access.path));
        }
        store.tasks.insert(
            task_id.clone(),
            TaskRecord {
                id: task_id.clone(),
                kind,
                object_id: object,
                model_id: access.model_id.clone(),
                user_id: access.user_id.clone(),
                state: TaskState::NotStarted,
                creation_ms,
                started: None,
                progress_at_cancel: None,
                result: None,
                dumps: Default::default(),
                cancelled_by: None,
                parameters,
            },
        );
        store.task_order.push(task_id.clone());
    }
    tokio::spawn(run(state.clone(), task_id.clone()));
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
    Query(q): Query<ListQuery>,
    kind: TaskKind,
) -> Result<Response, ApiError> {
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
    if q.sort.as_deref().is_some_and(|s| s.starts_with('-')) {
        tasks.sort_by_key(|t| std::cmp::Reverse(t.0));
    }
    let url = format!("{}{}", state.urls().api, access.path);
    let body = paged(
        tasks.into_iter().map(|(_, v)| v).collect(),
        q.page.limit.as_deref(),
        q.page.offset.as_deref(),
        &url,
        &task_schema(&state, &access.model_id),
        "tasks",
        &access.path,
    )?;
    Ok(json_ok(body))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    sort: Option<String>,
    #[serde(flatten)]
    page: PageQuery,
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
            match record.state {
                TaskState::NotStarted => {
                    record.state = TaskState::Cancelled;
                    record.progress_at_cancel = Some(0.0);
                    record.cancelled_by = email;
                }
                TaskState::InProgress => {
                    record.progress_at_cancel = Some(progress(record, duration));
                    record.state = TaskState::Cancelling;
                    record.cancelled_by = email;
                }
                _ => {}
            }
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

fn progress(task: &TaskRecord, duration: Duration) -> f64 {
    match (task.state, task.started) {
        (TaskState::Complete, _) => 1.0,
        (TaskState::Cancelling | TaskState::Cancelled, _) => task.progress_at_cancel.unwrap_or(0.0),
        (TaskState::InProgress, Some(started)) => {
            let share = started.elapsed().as_secs_f64() / duration.as_secs_f64().max(1e-3);
            // Never 1.0 before the task is really complete.
            (share.min(0.99) * 100.0).round() / 100.0
        }
        _ => 0.0,
    }
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
        "progress": progress(task, duration),
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

/// Drives one task from NOT_STARTED to a terminal state.
async fn run(state: AppState, task_id: String) {
    let duration = state.settings().task_duration;
    tokio::time::sleep(duration / QUEUED_SHARE).await;
    if !acquire_model(&state, &task_id).await {
        return;
    }
    let in_progress = duration - duration / QUEUED_SHARE;
    let deadline = Instant::now() + in_progress;
    while Instant::now() < deadline {
        if cancelled(&state, &task_id) {
            break;
        }
        tokio::time::sleep(TICK.min(deadline.saturating_duration_since(Instant::now()))).await;
    }
    finish(&state, &task_id).await;
}

/// Waits until the task is the oldest waiting task of its model and the model is free, then takes
/// the model and moves the task to IN_PROGRESS. False when the task was cancelled while waiting.
async fn acquire_model(state: &AppState, task_id: &str) -> bool {
    loop {
        {
            let mut store = state.store();
            let Some(task) = store.tasks.get(task_id) else {
                return false;
            };
            if task.state != TaskState::NotStarted {
                return false;
            }
            let model_id = task.model_id.clone();
            let first_waiting = store
                .task_order
                .iter()
                .filter_map(|id| store.tasks.get(id))
                .find(|t| t.model_id == model_id && t.state == TaskState::NotStarted)
                .map(|t| t.id.as_str())
                == Some(task_id);
            let free = store
                .model(&model_id)
                .is_some_and(|m| m.running_task.is_none());
            if first_waiting && free {
                if let Some(m) = store.model_mut(&model_id) {
                    m.running_task = Some(task_id.to_string());
                }
                if let Some(t) = store.tasks.get_mut(task_id) {
                    t.state = TaskState::InProgress;
                    t.started = Some(Instant::now());
                }
                return true;
            }
        }
        tokio::time::sleep(TICK).await;
    }
}

fn cancelled(state: &AppState, task_id: &str) -> bool {
    state
        .store()
        .tasks
        .get(task_id)
        .is_none_or(|t| t.state == TaskState::Cancelling)
}

/// Runs the object on a copy of the model (outside the lock: an import of a large file takes a
/// while) and commits the copy unless the task was cancelled meanwhile.
async fn finish(state: &AppState, task_id: &str) {
    let snapshot = {
        let store = state.store();
        store.tasks.get(task_id).and_then(|t| {
            let model = store.model(&t.model_id)?.clone();
            (t.state == TaskState::InProgress)
                .then(|| (t.kind, t.object_id.clone(), t.parameters.clone(), model))
        })
    };
    let outcome = match snapshot {
        Some((kind, object_id, parameters, mut model)) => {
            let outcome = tokio::task::spawn_blocking(move || {
                let outcome = model::execute(&mut model, kind, &object_id, &parameters);
                (outcome, model)
            })
            .await
            .ok();
            outcome
        }
        None => None,
    };
    let mut store = state.store();
    let Some(task) = store.tasks.get(task_id) else {
        return;
    };
    let (model_id, user_id, kind, object_id) = (
        task.model_id.clone(),
        task.user_id.clone(),
        task.kind,
        task.object_id.clone(),
    );
    let was_cancelled = task.state == TaskState::Cancelling;
    if let Some(m) = store.model_mut(&model_id) {
        if m.running_task.as_deref() == Some(task_id) {
            m.running_task = None;
        }
    }
    match outcome {
        Some((outcome, changed)) if !was_cancelled => {
            if let Some(m) = store.model_mut(&model_id) {
                m.commit(changed);
            }
            // Anaplan keeps one dump per user and object: the latest run replaces older ones.
            for other in store.tasks.values_mut() {
                if other.user_id == user_id && other.kind == kind && other.object_id == object_id {
                    other.dumps.clear();
                }
            }
            if let Some(t) = store.tasks.get_mut(task_id) {
                t.result = Some(outcome.result);
                t.dumps = outcome.dumps;
                t.state = TaskState::Complete;
            }
        }
        Some(_) | None if was_cancelled => {
            if let Some(t) = store.tasks.get_mut(task_id) {
                t.state = TaskState::Cancelled;
            }
        }
        _ => {
            // The engine panicked: report a failed task rather than leaving it running forever.
            if let Some(t) = store.tasks.get_mut(task_id) {
                t.result = Some(json!({
                    "successful": false,
                    "failureDumpAvailable": false,
                    "objectId": object_id,
                    "details": [{"localMessageText": "Internal error while running the task", "occurrences": 0, "type": "internalError", "values": []}],
                }));
                t.state = TaskState::Complete;
            }
        }
    }
}
