//! What a task reports: its state while it runs (`TaskStatus`) and its outcome once it has ended
//! (`TaskResult`), read from the task-status body (schemas `Task` and
//! `TaskResult` of emulator/tests/fixtures/anaplan-openapi/integration-openapi.json).
//!
//! Parsing is lenient where Anaplan varies (missing `details`, `values` with nulls, unknown
//! states) and strict only where a client cannot go on (no `taskId`, no `taskState`).

use serde_json::Value;

use super::error::{Error, Result};
use super::task_kind::TaskKind;

/// `taskState` (schema `Task` of emulator/tests/fixtures/anaplan-openapi/integration-openapi.json).
/// `COMPLETE` means finished, successful or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskState {
    NotStarted,
    InProgress,
    Complete,
    Cancelling,
    Cancelled,
    /// A state this library does not know; waiting goes on, as it is not terminal.
    Other(String),
}

impl TaskState {
    pub fn parse(s: &str) -> TaskState {
        match s {
            "NOT_STARTED" => TaskState::NotStarted,
            "IN_PROGRESS" => TaskState::InProgress,
            "COMPLETE" => TaskState::Complete,
            "CANCELLING" => TaskState::Cancelling,
            "CANCELLED" => TaskState::Cancelled,
            other => TaskState::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            TaskState::NotStarted => "NOT_STARTED",
            TaskState::InProgress => "IN_PROGRESS",
            TaskState::Complete => "COMPLETE",
            TaskState::Cancelling => "CANCELLING",
            TaskState::Cancelled => "CANCELLED",
            TaskState::Other(s) => s,
        }
    }

    /// `COMPLETE` and `CANCELLED` end a task (AC and HELP poll until one of them).
    pub fn is_terminal(&self) -> bool {
        matches!(self, TaskState::Complete | TaskState::Cancelled)
    }
}

/// One `details[]` entry: a message, its type, and the `values` as name/value pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    /// `localMessageText`, e.g. `Employees: 9 (7/2) rows successful, 1 ignored`.
    pub message: String,
    /// `type`, e.g. `hierarchyRowsProcessedWithFailures`.
    pub kind: String,
    /// `values`, a flat list of alternating names and values on the wire. A null value becomes
    /// an empty string; an odd last name gets an empty value.
    pub values: Vec<(String, String)>,
}

/// The row counts Anaplan reports for an import, by the names of its detail values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowCount {
    /// `totalRowCount`: rows read.
    Total,
    /// `successRowCount`: rows loaded (with or without warnings).
    Successful,
    /// `warningsRowCount`: rows loaded with a warning.
    WithWarnings,
    /// `failedCount`: rows rejected.
    Failed,
    /// `ignoredCount`: rows skipped (blank, or outside the mapping).
    Ignored,
    /// `createdCount`: items created.
    Created,
    /// `updatedCount`: items updated.
    Updated,
}

impl RowCount {
    /// The name of the value in `details[].values`.
    pub fn value_name(self) -> &'static str {
        match self {
            RowCount::Total => "totalRowCount",
            RowCount::Successful => "successRowCount",
            RowCount::WithWarnings => "warningsRowCount",
            RowCount::Failed => "failedCount",
            RowCount::Ignored => "ignoredCount",
            RowCount::Created => "createdCount",
            RowCount::Updated => "updatedCount",
        }
    }
}

/// A row count from details: the first detail that reports it (an import has one detail for
/// its list; a module import one per line item, which count the same rows). `None` when no
/// detail reports it or its value is not a number.
pub fn row_count(details: &[Detail], which: RowCount) -> Option<i64> {
    details.iter().find_map(|d| {
        d.values
            .iter()
            .find(|(name, _)| name == which.value_name())
            .and_then(|(_, v)| v.trim().parse().ok())
    })
}

/// The result of one step of a process (`nestedResults[]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepResult {
    /// The import, export or action the step ran.
    pub object_id: String,
    /// `objectName`, when Anaplan sends it.
    pub object_name: Option<String>,
    pub successful: bool,
    pub failure_dump_available: bool,
    pub details: Vec<Detail>,
}

/// A task's status while it runs: what the wait loop and the progress callback see.
#[derive(Clone, Debug)]
pub struct TaskStatus {
    pub task_id: String,
    pub state: TaskState,
    /// 0.0 to 1.0.
    pub progress: f64,
    /// `currentStep`, e.g. `Processing ...`, `Complete.`, `Failed.`.
    pub current_step: Option<String>,
    /// Milliseconds since the epoch, on the server's clock.
    pub creation_time: Option<i64>,
    /// The `task` object as received.
    pub raw: Value,
}

impl TaskStatus {
    /// Reads the `task` object of a start, list or status response.
    pub fn from_task_json(task: &Value, path: &str) -> Result<TaskStatus> {
        let task_id = task
            .get("taskId")
            .and_then(Value::as_str)
            .ok_or_else(|| protocol(path, "the task has no taskId"))?;
        let state = task
            .get("taskState")
            .and_then(Value::as_str)
            .map(TaskState::parse)
            .ok_or_else(|| protocol(path, "the task has no taskState"))?;
        Ok(TaskStatus {
            task_id: task_id.to_string(),
            state,
            progress: task.get("progress").and_then(Value::as_f64).unwrap_or(0.0),
            current_step: task
                .get("currentStep")
                .and_then(Value::as_str)
                .map(str::to_string),
            creation_time: task.get("creationTime").and_then(Value::as_i64),
            raw: task.clone(),
        })
    }
}

/// The outcome of a task that ended (`COMPLETE` or `CANCELLED`).
#[derive(Clone, Debug)]
pub struct TaskResult {
    pub kind: TaskKind,
    /// The import, export, action or process that ran.
    pub object_id: String,
    pub task_id: String,
    pub state: TaskState,
    /// `result.successful`; false for a cancelled task, which has no result.
    pub successful: bool,
    /// `result.failureDumpAvailable`. For a process it is true when any step has a dump.
    pub failure_dump_available: bool,
    /// `currentStep` at the end (`Complete.`, `Failed.`, `Cancelled.`).
    pub current_step: Option<String>,
    pub details: Vec<Detail>,
    /// One entry per step of a process, in order; empty for other kinds.
    pub steps: Vec<StepResult>,
    /// The final `task` object as received.
    pub raw: Value,
}

impl TaskResult {
    /// Builds the result from the final status of a task of `object_id`.
    pub fn from_status(kind: TaskKind, object_id: &str, status: TaskStatus) -> TaskResult {
        let result = status.raw.get("result").cloned().unwrap_or(Value::Null);
        let steps = result
            .get("nestedResults")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(step).collect())
            .unwrap_or_default();
        TaskResult {
            kind,
            object_id: object_id.to_string(),
            task_id: status.task_id,
            state: status.state,
            successful: flag(&result, "successful"),
            failure_dump_available: flag(&result, "failureDumpAvailable"),
            current_step: status.current_step,
            details: details(&result),
            steps,
            raw: status.raw,
        }
    }

    /// The steps of a process that have a failure dump, in order.
    pub fn steps_with_dumps(&self) -> impl Iterator<Item = &StepResult> {
        self.steps.iter().filter(|s| s.failure_dump_available)
    }

    /// The raw `task` JSON as text (what `anaplan_task_result_json` returns).
    pub fn json(&self) -> String {
        self.raw.to_string()
    }
}

fn protocol(path: &str, message: &str) -> Error {
    Error::Protocol {
        path: path.to_string(),
        message: message.to_string(),
    }
}

/// A boolean that Anaplan sends as `true`, or sometimes as the string `"true"`.
fn flag(v: &Value, key: &str) -> bool {
    match v.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn step(v: &Value) -> StepResult {
    StepResult {
        object_id: text(v.get("objectId")),
        object_name: v
            .get("objectName")
            .and_then(Value::as_str)
            .map(str::to_string),
        successful: flag(v, "successful"),
        failure_dump_available: flag(v, "failureDumpAvailable"),
        details: details(v),
    }
}

fn details(result: &Value) -> Vec<Detail> {
    result
        .get("details")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(detail).collect())
        .unwrap_or_default()
}

fn detail(v: &Value) -> Detail {
    let flat: Vec<String> = v
        .get("values")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| text(Some(x))).collect())
        .unwrap_or_default();
    let values = flat
        .chunks(2)
        .map(|pair| {
            let value = pair.get(1).cloned().unwrap_or_default();
            (pair[0].clone(), value)
        })
        .collect();
    Detail {
        message: text(v.get("localMessageText")),
        kind: text(v.get("type")),
        values,
    }
}

/// A JSON scalar as text: strings as they are, numbers and booleans printed, null and absent
/// as the empty string.
fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn status(task: Value) -> TaskStatus {
        TaskStatus::from_task_json(&task, "/p").unwrap()
    }

    #[test]
    fn an_import_result_keeps_details_as_pairs() {
        let s = status(json!({
            "taskId": "T1", "taskState": "COMPLETE", "currentStep": "Complete.", "progress": 1.0,
            "creationTime": 1571258347545i64,
            "result": {"successful": true, "failureDumpAvailable": true, "objectId": "112000000009",
                "details": [{"localMessageText": "Employees: 90 (0/90) rows successful, 5 ignored ",
                    "occurrences": 0, "type": "hierarchyRowsProcessed",
                    "values": ["hierarchyName", "Employees", "successRowCount", "90", "odd", null, "last"]}]}
        }));
        assert_eq!(s.creation_time, Some(1571258347545));
        let r = TaskResult::from_status(TaskKind::Import, "112000000009", s);
        assert!(r.successful);
        assert!(r.failure_dump_available);
        assert_eq!(r.state, TaskState::Complete);
        assert_eq!(r.details.len(), 1);
        let d = &r.details[0];
        assert_eq!(d.kind, "hierarchyRowsProcessed");
        assert_eq!(
            d.values,
            vec![
                ("hierarchyName".to_string(), "Employees".to_string()),
                ("successRowCount".to_string(), "90".to_string()),
                ("odd".to_string(), String::new()),
                ("last".to_string(), String::new()),
            ]
        );
        assert!(r.steps.is_empty());
    }

    #[test]
    fn a_process_result_has_one_step_per_nested_result() {
        let s = status(json!({
            "taskId": "T2", "taskState": "COMPLETE",
            "result": {"successful": true, "failureDumpAvailable": "true", "objectId": "118000000001",
                "nestedResults": [
                    {"objectId": "112000000001", "successful": true, "failureDumpAvailable": true,
                     "details": [{"localMessageText": "m", "type": "t", "values": []}]},
                    {"objectId": "117000000001", "successful": false, "failureDumpAvailable": false,
                     "objectName": "Delete Leavers"}]}
        }));
        let r = TaskResult::from_status(TaskKind::Process, "118000000001", s);
        assert!(r.failure_dump_available, "string \"true\" is accepted");
        assert_eq!(r.steps.len(), 2);
        assert_eq!(r.steps[0].details[0].message, "m");
        assert!(!r.steps[1].successful);
        assert_eq!(r.steps[1].object_name.as_deref(), Some("Delete Leavers"));
        let with: Vec<&str> = r.steps_with_dumps().map(|s| s.object_id.as_str()).collect();
        assert_eq!(with, vec!["112000000001"]);
    }

    #[test]
    fn a_cancelled_task_is_unsuccessful_without_result() {
        let r = TaskResult::from_status(
            TaskKind::Action,
            "117000000002",
            status(json!({"taskId": "T3", "taskState": "CANCELLED", "progress": 0.4})),
        );
        assert!(!r.successful);
        assert!(!r.failure_dump_available);
        assert!(r.state.is_terminal());
    }

    #[test]
    fn a_task_without_id_or_state_is_a_protocol_error() {
        assert!(TaskStatus::from_task_json(&json!({"taskState": "COMPLETE"}), "/p").is_err());
        assert!(TaskStatus::from_task_json(&json!({"taskId": "X"}), "/p").is_err());
    }

    #[test]
    fn states_round_trip_and_only_two_are_terminal() {
        for s in [
            "NOT_STARTED",
            "IN_PROGRESS",
            "COMPLETE",
            "CANCELLING",
            "CANCELLED",
            "PAUSED",
        ] {
            let st = TaskState::parse(s);
            assert_eq!(st.as_str(), s);
            assert_eq!(st.is_terminal(), s == "COMPLETE" || s == "CANCELLED");
        }
    }
}
