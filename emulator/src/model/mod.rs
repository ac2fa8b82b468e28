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

use crate::seed::{SeedAction, SeedExport, SeedImport, SeedModel, SeedProcess};
use files::chunks_identical;

pub mod csv;
pub mod data;
pub mod delete;
pub mod details;
pub mod dump;
pub mod export;
mod files;
pub mod import;
pub mod metadata;
pub mod process;
mod validate;
pub mod values;

#[cfg(test)]
mod tests;

pub use data::ModelData;
pub use files::{FileMeta, StoredFile};
pub use metadata::{export_metadata, import_metadata, process_metadata};
pub use validate::validate_seed;

/// A model: its definitions (from the seed), its files and its data. The store holds one per
/// model; a task works on a copy and commits it when it ends.
#[derive(Clone)]
pub struct Model {
    pub seed: SeedModel,
    pub files: BTreeMap<String, StoredFile>,
    pub data: ModelData,
    /// Id of the task currently holding the model's lock, if any.
    pub running_task: Option<String>,
}

/// Which kind of object a task runs; also the path segment (`imports`, `exports`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskKind {
    Import,
    Export,
    Action,
    Process,
}

impl Model {
    pub fn from_seed(seed: &SeedModel) -> Model {
        let mut files = BTreeMap::new();
        for f in &seed.files {
            let meta = FileMeta::from_seed(f);
            let file = match &f.content {
                Some(text) => {
                    StoredFile::with_content(meta, Bytes::from(text.clone().into_bytes()))
                }
                None => StoredFile::new(meta),
            };
            files.insert(f.id.clone(), file);
        }
        Model {
            data: ModelData::from_seed(seed),
            seed: seed.clone(),
            files,
            running_task: None,
        }
    }

    pub fn import(&self, id: &str) -> Option<&SeedImport> {
        self.seed.imports.iter().find(|i| i.id == id)
    }
    pub fn export(&self, id: &str) -> Option<&SeedExport> {
        self.seed.exports.iter().find(|e| e.id == id)
    }
    pub fn action(&self, id: &str) -> Option<&SeedAction> {
        self.seed.actions.iter().find(|a| a.id == id)
    }
    pub fn process(&self, id: &str) -> Option<&SeedProcess> {
        self.seed.processes.iter().find(|p| p.id == id)
    }

    /// Takes over what a task changed on a copy of this model: the model data and the files
    /// (export output). Files uploaded meanwhile are kept: only files the copy changed are taken.
    pub fn commit(&mut self, changed: Model) {
        self.data = changed.data;
        for (id, file) in changed.files {
            let same = self
                .files
                .get(&id)
                .is_some_and(|f| f.meta == file.meta && chunks_identical(&f.chunks, &file.chunks));
            if !same && self.export(&id).is_some() {
                self.files.insert(id, file);
            }
        }
    }

    /// Whether an object of this kind and id exists in the model.
    pub fn has_object(&self, kind: TaskKind, id: &str) -> bool {
        match kind {
            TaskKind::Import => self.import(id).is_some(),
            TaskKind::Export => self.export(id).is_some(),
            TaskKind::Action => self.action(id).is_some(),
            TaskKind::Process => self.process(id).is_some(),
        }
    }
}

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
