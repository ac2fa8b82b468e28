//! Processes: their steps (imports, exports, actions) run in order on the same model.
//!
//! A step that is unsuccessful (its data file is missing, every row failed...) stops the process:
//! the later steps do not run and are not reported, and the process is unsuccessful. A step that
//! only had some failed or warned rows is still successful, so the process goes on. This is how
//! Anaplan behaves: a process continues past row-level errors but not past a failed action.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::{json, Value};

use super::{Model, TaskKind};
use crate::seed::SeedProcess;

use super::details::{failure, is_successful};

/// The kind of a process step, from the collection that holds its id.
pub fn step_kind(model: &Model, id: &str) -> Option<TaskKind> {
    [TaskKind::Import, TaskKind::Export, TaskKind::Action]
        .into_iter()
        .find(|k| model.has_object(*k, id))
}

pub fn run(model: &mut Model, process: &SeedProcess, parameters: &Value) -> super::Outcome {
    let mut nested = Vec::new();
    let mut dumps: BTreeMap<String, Bytes> = BTreeMap::new();
    let mut successful = true;
    for step in &process.actions {
        let outcome = match step_kind(model, step) {
            Some(kind) => super::execute(model, kind, step, parameters),
            None => super::Outcome {
                result: failure(
                    step,
                    "unknownAction",
                    format!("Action not found: {step}"),
                    &[("actionId", step.clone())],
                ),
                dumps: BTreeMap::new(),
            },
        };
        let ok = is_successful(&outcome.result);
        dumps.extend(outcome.dumps);
        nested.push(outcome.result);
        if !ok {
            successful = false;
            break;
        }
    }
    let any_dump = nested
        .iter()
        .any(|r| r["failureDumpAvailable"].as_bool().unwrap_or(false));
    super::Outcome {
        result: json!({
            "objectId": process.id,
            "successful": successful,
            "failureDumpAvailable": any_dump,
            "nestedResults": nested,
        }),
        dumps,
    }
}
