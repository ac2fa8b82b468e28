//! The text summary of a task result with its failure dumps, in the format Anaplan's own Python
//! integration library (`anaplan.py`, `parse_task_response`, by Anaplan Asia, widely copied into
//! customers' scripts) prints, which is what our users' scripts and log scrapers expect:
//!
//! A process: one line per step, then — when any step has a dump — the values of each failing
//! step's first detail, then the dumps:
//!
//! ```text
//! Process action 112000000001 completed. Failure: True
//! Process action 117000000001 completed. Failure: False
//!
//! Details:
//! hierarchyName
//! Employees
//! …
//!
//! Failure dump(s):
//! Error dump for 112000000001
//! "_Status_","Name",…
//! ```
//!
//! `Failure:` is `failureDumpAvailable` of the step (that is what Anaplan's script prints, not
//! `successful`), written `True`/`False` as Python prints booleans. The `Details:` block lists the
//! `values` of the first detail of each step with a dump, one per line, as the script does.
//!
//! An import, export or action:
//!
//! ```text
//! Failure Dump Available: True, Successful: True
//! Load details:
//! Employees: 9 (6/3) rows successful, 1 ignored
//! hierarchyName
//! Employees
//! …
//!
//! Failure dump:
//! "_Status_",…
//! ```
//!
//! Where the script would fail, the summary goes on: a result without `details` (delete
//! actions, cancelled tasks) prints only its first line; a step whose dump is announced but has
//! no details contributes nothing to `Details:`.

use super::task_kind::TaskKind;
use super::task_result::TaskResult;

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

fn process_summary(result: &TaskResult, dumps: &[Dump]) -> String {
    let mut out = String::new();
    let mut details = String::new();
    for step in &result.steps {
        out.push_str(&format!(
            "Process action {} completed. Failure: {}\n",
            step.object_id,
            py_bool(step.failure_dump_available)
        ));
        if step.failure_dump_available {
            if let Some(first) = step.details.first() {
                for v in &first.flat_values {
                    details.push_str(v);
                    details.push('\n');
                }
            }
        }
    }
    if dumps.is_empty() {
        return out;
    }
    out.push_str("\nDetails:\n");
    out.push_str(&details);
    out.push_str("\nFailure dump(s):\n");
    for d in dumps {
        out.push_str(&format!("Error dump for {}\n", d.object_id));
        out.push_str(&d.text);
    }
    out
}

fn single_summary(result: &TaskResult, dumps: &[Dump]) -> String {
    let mut out = format!(
        "Failure Dump Available: {}, Successful: {}\n",
        py_bool(result.failure_dump_available),
        py_bool(result.successful)
    );
    let Some(first) = result.details.first() else {
        return out;
    };
    out.push_str("Load details:\n");
    out.push_str(&first.message);
    out.push('\n');
    for v in &first.flat_values {
        out.push_str(v);
        out.push('\n');
    }
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
             a\n\
             1\n\
             \n\
             Failure dump(s):\n\
             Error dump for 112000000082\n\
             \"_Status_\",\"_Line_\"\n\"E\",\"2\"\n"
        );
        assert_eq!(
            summary(&r, &[]),
            "Process action 112000000082 completed. Failure: True\n\
             Process action 117000000001 completed. Failure: False\n"
        );
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
             Load details:\n\
             Employees: 1 (0/1) rows successful\n\
             hierarchyName\n\
             Employees\n\
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
