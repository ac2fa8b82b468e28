//! The text summary of a task result with its failure dumps, for a person and for the scripts
//! written around Anaplan's own Python integration library (`anaplan.py`, `parse_task_response`,
//! widely copied into customers' scripts), whose result lines they grep for:
//!
//! ```text
//! Process action 112000000001 completed. Failure: True
//! Process action 117000000001 completed. Failure: False
//!
//! Details:
//! Step 1 of 2, import 112000000001 (Employees from Employees.csv): successful, failure dump
//!   Employees: 9 (6/3) rows successful, 1 ignored
//!     hierarchyName: Employees
//!     failedCount: 1
//! Step 2 of 2, action 117000000001 (Delete Leavers): successful, no failure dump
//!   Delete Leavers: 2 items deleted
//!
//! Failure dump(s):
//! Error dump for 112000000001
//! "_Status_","Name",…
//! ```
//!
//! `Failure: True` on a step's line means that the step has a failure dump (rows failed or were
//! loaded with a warning), as the original script prints it (`failureDumpAvailable`, written as
//! Python writes booleans); whether the step succeeded is on its heading under `Details:`. Each
//! detail is its message, then its values one `name: value` per line.
//!
//! An import (`Load details:`), export or action (`Details:`):
//!
//! ```text
//! Failure Dump Available: True, Successful: True
//! Load details:
//!   Employees: 9 (6/3) rows successful, 1 ignored
//!     hierarchyName: Employees
//!
//! Failure dump:
//! "_Status_",…
//! ```
//!
//! A result without details (a cancelled task) prints only its first line.

use super::task_kind::TaskKind;
use super::task_result::{Detail, StepResult, TaskResult};

/// A fetched dump: the object that produced it (the import, or the process step) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dump {
    pub object_id: String,
    pub text: String,
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// The summary of `result`; `dumps` are the dumps fetched for it (the import's own, or one per
/// failing process step), in step order.
pub fn summary(result: &TaskResult, dumps: &[Dump]) -> String {
    if result.kind == TaskKind::Process {
        process_summary(result, dumps)
    } else {
        single_summary(result, dumps)
    }
}

/// Each detail: its message, then its values as `name: value`, indented under it.
fn write_details(out: &mut String, details: &[Detail]) {
    for d in details {
        out.push_str(&format!("  {}\n", d.message.trim_end()));
        for (name, value) in &d.values {
            out.push_str(&format!("    {name}: {value}\n"));
        }
    }
}

/// `Step 1 of 4, import 112000000001 (Employees from Employees.csv): successful, failure dump`.
fn step_heading(number: usize, of: usize, step: &StepResult) -> String {
    let noun = TaskKind::from_id(&step.object_id).map_or("step", TaskKind::noun);
    let name = step
        .object_name
        .as_deref()
        .map_or(String::new(), |n| format!(" ({n})"));
    format!(
        "Step {number} of {of}, {noun} {}{name}: {}, {}\n",
        step.object_id,
        if step.successful {
            "successful"
        } else {
            "not successful"
        },
        if step.failure_dump_available {
            "failure dump"
        } else {
            "no failure dump"
        }
    )
}

fn process_summary(result: &TaskResult, dumps: &[Dump]) -> String {
    let mut out = String::new();
    for step in &result.steps {
        out.push_str(&format!(
            "Process action {} completed. Failure: {}\n",
            step.object_id,
            py_bool(step.failure_dump_available)
        ));
    }
    if !result.steps.is_empty() {
        out.push_str("\nDetails:\n");
        for (i, step) in result.steps.iter().enumerate() {
            out.push_str(&step_heading(i + 1, result.steps.len(), step));
            write_details(&mut out, &step.details);
        }
    }
    if !dumps.is_empty() {
        out.push_str("\nFailure dump(s):\n");
        for d in dumps {
            out.push_str(&format!("Error dump for {}\n", d.object_id));
            out.push_str(&d.text);
        }
    }
    out
}

fn single_summary(result: &TaskResult, dumps: &[Dump]) -> String {
    let mut out = format!(
        "Failure Dump Available: {}, Successful: {}\n",
        py_bool(result.failure_dump_available),
        py_bool(result.successful)
    );
    if result.details.is_empty() {
        return out;
    }
    // Only an import loads anything.
    out.push_str(if result.kind == TaskKind::Import {
        "Load details:\n"
    } else {
        "Details:\n"
    });
    write_details(&mut out, &result.details);
    if let Some(d) = dumps.first() {
        out.push_str("\nFailure dump:\n");
        out.push_str(&d.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::task_result::TaskStatus;
    use serde_json::json;

    fn result(kind: TaskKind, id: &str, task: serde_json::Value) -> TaskResult {
        TaskResult::from_status(kind, id, TaskStatus::from_task_json(&task, "/p").unwrap())
    }

    #[test]
    fn a_process_lists_each_step_then_details_then_dumps() {
        let r = result(
            TaskKind::Process,
            "118000000001",
            json!({"taskId": "T", "taskState": "COMPLETE", "result": {
                "successful": true, "failureDumpAvailable": true, "objectId": "118000000001",
                "nestedResults": [
                    {"objectId": "112000000082", "successful": true, "failureDumpAvailable": true,
                     "details": [{"localMessageText": "m", "type": "t", "values": ["a", "1"]},
                                 {"localMessageText": "m2", "type": "t2", "values": ["ignored"]}]},
                    {"objectId": "117000000001", "successful": true, "failureDumpAvailable": false}]}}),
        );
        let dumps = [Dump {
            object_id: "112000000082".into(),
            text: "\"_Status_\",\"_Line_\"\n\"E\",\"2\"\n".into(),
        }];
        assert_eq!(
            summary(&r, &dumps),
            "Process action 112000000082 completed. Failure: True\n\
             Process action 117000000001 completed. Failure: False\n\
             \n\
             Details:\n\
             Step 1 of 2, import 112000000082: successful, failure dump\n  \
             m\n    \
             a: 1\n  \
             m2\n    \
             ignored: \n\
             Step 2 of 2, action 117000000001: successful, no failure dump\n\
             \n\
             Failure dump(s):\n\
             Error dump for 112000000082\n\
             \"_Status_\",\"_Line_\"\n\"E\",\"2\"\n"
        );
        assert!(summary(&r, &[]).ends_with("no failure dump\n"));
    }

    #[test]
    fn an_import_prints_its_load_details_and_dump() {
        let r = result(
            TaskKind::Import,
            "112000000001",
            json!({"taskId": "T", "taskState": "COMPLETE", "result": {
                "successful": false, "failureDumpAvailable": true, "objectId": "112000000001",
                "details": [{"localMessageText": "Employees: 1 (0/1) rows successful", "type": "t",
                             "values": ["hierarchyName", "Employees"]}]}}),
        );
        let dumps = [Dump {
            object_id: "112000000001".into(),
            text: "x\n".into(),
        }];
        assert_eq!(
            summary(&r, &dumps),
            "Failure Dump Available: True, Successful: False\n\
             Load details:\n  \
             Employees: 1 (0/1) rows successful\n    \
             hierarchyName: Employees\n\
             \n\
             Failure dump:\n\
             x\n"
        );
    }

    #[test]
    fn a_result_without_details_prints_one_line() {
        let r = result(
            TaskKind::Action,
            "117000000001",
            json!({"taskId": "T", "taskState": "COMPLETE", "result": {
                "successful": true, "failureDumpAvailable": false, "objectId": "117000000001"}}),
        );
        assert_eq!(
            summary(&r, &[]),
            "Failure Dump Available: False, Successful: True\n"
        );
    }
}
