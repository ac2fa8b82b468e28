//! The task `result` object and its `details` entries, in the shapes Anaplan returns.
//!
//! `details[].values` is a flat list of alternating names and values, all strings
//! (schema `TaskResult` of emulator/tests/fixtures/anaplan-openapi/integration-openapi.json, and
//! `task_success_response.json` in emulator/tests/fixtures/anaplan-connect-fixtures/).

use serde_json::{json, Value};

/// A task result. `details` is omitted when empty, as Anaplan does for exports inside processes
/// and for delete actions.
pub fn result(object_id: &str, successful: bool, dump: bool, details: Vec<Value>) -> Value {
    let mut r = json!({
        "objectId": object_id,
        "successful": successful,
        "failureDumpAvailable": dump,
    });
    if !details.is_empty() {
        r["details"] = Value::Array(details);
    }
    r
}

/// One `details` entry.
pub fn detail(kind: &str, message: String, values: &[(&str, String)]) -> Value {
    let flat: Vec<Value> = values
        .iter()
        .flat_map(|(name, value)| [Value::from(*name), Value::from(value.as_str())])
        .collect();
    json!({
        "localMessageText": message,
        "occurrences": 0,
        "type": kind,
        "values": flat,
    })
}

/// The result of a task that could not run at all (no data, a missing column...).
pub fn failure(object_id: &str, kind: &str, message: String, values: &[(&str, String)]) -> Value {
    result(object_id, false, false, vec![detail(kind, message, values)])
}

/// Whether a result says the task succeeded.
pub fn is_successful(result: &Value) -> bool {
    result["successful"].as_bool().unwrap_or(false)
}
