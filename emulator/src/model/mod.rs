//! The model engine: lists and modules held in memory, and what imports, exports, delete actions
//! and processes do to them. Pure logic: no HTTP here.
//!
//! * [`execute`] runs an import, export, action or process and returns its task `result` and
//!   failure dumps;
//! * [`import_metadata`], [`export_metadata`], [`process_metadata`] describe definitions for the
//!   metadata endpoints;
//! * [`validate_seed`] checks a seed's cross references.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::Value;

use crate::store::{Model, TaskKind};

pub mod csv;
pub mod data;
pub mod delete;
pub mod details;
pub mod dump;
pub mod export;
pub mod import;
pub mod metadata;
pub mod process;
mod validate;
pub mod values;

#[cfg(test)]
mod tests;

pub use data::ModelData;
pub use metadata::{export_metadata, import_metadata, process_metadata};
pub use validate::validate_seed;

/// What running an object produced: the task's `result` object and the failure dumps by object id.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub result: Value,
    pub dumps: BTreeMap<String, Bytes>,
}

impl Outcome {
    fn new(result: Value, dump: Option<(String, Bytes)>) -> Outcome {
        Outcome {
            result,
            dumps: dump.into_iter().collect(),
        }
    }
}

/// Runs an import, export, action or process on the model. `parameters` is the body the task was
/// started with (`localeName`, `mappingParameters`); the emulator's definitions take no runtime
/// mapping, so it is only passed down to process steps. Changes are made in place: a caller that
/// may need to roll back runs this on a copy.
pub fn execute(model: &mut Model, kind: TaskKind, object_id: &str, parameters: &Value) -> Outcome {
    match kind {
        TaskKind::Import => match model.import(object_id).cloned() {
            Some(import) => {
                let (result, dump) = import::run(model, &import);
                Outcome::new(result, dump.map(|d| (import.id.clone(), d)))
            }
            None => not_found(object_id, "import"),
        },
        TaskKind::Export => match model.export(object_id).cloned() {
            Some(export) => Outcome::new(export::run(model, &export), None),
            None => not_found(object_id, "export"),
        },
        TaskKind::Action => match model.action(object_id).cloned() {
            Some(action) => Outcome::new(delete::run(&mut model.data, &action).0, None),
            None => not_found(object_id, "action"),
        },
        TaskKind::Process => match model.process(object_id).cloned() {
            Some(process) => process::run(model, &process, parameters),
            None => not_found(object_id, "process"),
        },
    }
}

fn not_found(object_id: &str, what: &str) -> Outcome {
    let result = details::failure(
        object_id,
        "objectNotFound",
        format!("No {what} with id {object_id} in this model"),
        &[("objectId", object_id.to_string())],
    );
    Outcome::new(result, None)
}
