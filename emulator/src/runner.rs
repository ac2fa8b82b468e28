//! The task runner: a task moves NOT_STARTED → IN_PROGRESS (with rising `progress`) → COMPLETE
//! over the configured task duration, so that clients really have to poll. Tasks of one model run
//! one at a time, the way Anaplan locks a model while an import, export or process runs: a second
//! task waits in NOT_STARTED. The work itself is done on a copy of the model at the end of the run
//! and committed only if the task was not cancelled, so a cancelled task leaves the model as it
//! was. No HTTP here: the task routes (`api::tasks`) call [`start`] and [`request_cancel`].

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::clock::now_ms;
use crate::ids;
use crate::model::{self, TaskKind};
use crate::state::AppState;
use crate::store::{TaskRecord, TaskState};

/// The share of the task duration spent in NOT_STARTED before the task takes the model.
const QUEUED_SHARE: u32 = 10;
/// How often a running task looks for a cancellation or a free model.
const TICK: Duration = Duration::from_millis(10);

/// What starts a task.
pub struct Start {
    pub model_id: String,
    pub user_id: String,
    pub kind: TaskKind,
    /// The import, export, action or process to run.
    pub object_id: String,
    /// The start body (`localeName`, `mappingParameters`).
    pub parameters: Value,
}

/// A task that was started.
pub struct Started {
    pub task_id: String,
    pub creation_ms: u64,
}

/// Records a new task and starts running it; `None` when the model has no such object.
pub fn start(state: &AppState, start: Start) -> Option<Started> {
    let task_id = ids::hex32_upper();
    let creation_ms = now_ms();
    {
        let mut store = state.store();
        let exists = store
            .model(&start.model_id)
            .is_some_and(|m| m.has_object(start.kind, &start.object_id));
        if !exists {
            return None;
        }
        store.tasks.insert(
            task_id.clone(),
            TaskRecord {
                id: task_id.clone(),
                kind: start.kind,
                object_id: start.object_id,
                model_id: start.model_id,
                user_id: start.user_id,
                state: TaskState::NotStarted,
                creation_ms,
                started: None,
                progress_at_cancel: None,
                result: None,
                dumps: Default::default(),
                cancelled_by: None,
                parameters: start.parameters,
            },
        );
        store.task_order.push(task_id.clone());
    }
    tokio::spawn(run(state.clone(), task_id.clone()));
    Some(Started {
        task_id,
        creation_ms,
    })
}

/// Asks a task to stop: one that has not started is cancelled at once, a running one becomes
/// CANCELLING until the runner notices; a finished task is left as it is. The caller holds the
/// store lock.
pub fn request_cancel(task: &mut TaskRecord, by: Option<String>, duration: Duration) {
    match task.state {
        TaskState::NotStarted => {
            task.state = TaskState::Cancelled;
            task.progress_at_cancel = Some(0.0);
            task.cancelled_by = by;
        }
        TaskState::InProgress => {
            task.progress_at_cancel = Some(progress(task, duration));
            task.state = TaskState::Cancelling;
            task.cancelled_by = by;
        }
        _ => {}
    }
}

/// How far a task is, 0.0 to 1.0 (1.0 only once it is complete).
pub fn progress(task: &TaskRecord, duration: Duration) -> f64 {
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
