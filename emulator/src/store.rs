//! The emulator's in-memory state: users, workspaces, models with their files, tokens and tasks.
//!
//! One `Store` sits behind one mutex in [`crate::state::Shared`]. File contents are reference-counted
//! `Bytes`, so the lock is only held for bookkeeping, never while bytes travel over the network.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use crate::model::ModelData;
use crate::seed::{
    Seed, SeedAction, SeedExport, SeedFile, SeedImport, SeedModel, SeedProcess, SeedUser,
    SeedWorkspace,
};

pub struct Store {
    pub customer_id: String,
    pub users: Vec<SeedUser>,
    pub workspaces: Vec<SeedWorkspace>,
    pub models: Vec<Model>,
    /// Live tokens by token value.
    pub tokens: HashMap<String, TokenRecord>,
    /// Tasks by task id.
    pub tasks: HashMap<String, TaskRecord>,
    /// Task ids in creation order (task lists are in ascending creation order).
    pub task_order: Vec<String>,
    /// Certificate authorities trusted for CA-certificate sign-in, parsed from the seed.
    pub trusted_cas: crate::auth::cert::TrustedCas,
}

#[derive(Clone)]
pub struct Model {
    pub seed: SeedModel,
    pub files: BTreeMap<String, StoredFile>,
    pub data: ModelData,
    /// Id of the task currently holding the model's lock, if any.
    pub running_task: Option<String>,
}

#[derive(Clone, Debug)]
pub struct TokenRecord {
    pub token_id: String,
    pub refresh_token_id: String,
    pub user_id: String,
    pub expires_at_ms: u64,
}

/// Which kind of object a task runs; also the path segment (`imports`, `exports`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskKind {
    Import,
    Export,
    Action,
    Process,
}

impl TaskKind {
    pub fn from_segment(s: &str) -> Option<TaskKind> {
        match s {
            "imports" => Some(TaskKind::Import),
            "exports" => Some(TaskKind::Export),
            "actions" => Some(TaskKind::Action),
            "processes" => Some(TaskKind::Process),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskState {
    NotStarted,
    InProgress,
    Complete,
    Cancelling,
    Cancelled,
}

impl TaskState {
    pub fn is_terminal(self) -> bool {
        matches!(self, TaskState::Complete | TaskState::Cancelled)
    }
}

pub struct TaskRecord {
    pub id: String,
    pub kind: TaskKind,
    pub object_id: String,
    pub model_id: String,
    pub user_id: String,
    pub state: TaskState,
    pub creation_ms: u64,
    /// When the task left NOT_STARTED (it waits while another task holds the model).
    pub started: Option<Instant>,
    /// Progress when a cancellation was asked for (what `progress` then reports).
    pub progress_at_cancel: Option<f64>,
    /// The `result` object, present once terminal.
    pub result: Option<Value>,
    /// Failure dumps by object id (the import id for an import; each failing step's id for a process).
    pub dumps: BTreeMap<String, Bytes>,
    pub cancelled_by: Option<String>,
    /// The body the task was started with (`localeName`, `mappingParameters`).
    pub parameters: Value,
}

/// Metadata of a file as the API shows it. Optional fields are omitted when absent, the way
/// export output files carry fewer fields than import data sources.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FileMeta {
    pub id: String,
    pub name: String,
    pub chunk_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    pub first_data_row: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    pub header_row: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub separator: Option<String>,
}

impl FileMeta {
    pub fn from_seed(f: &SeedFile) -> FileMeta {
        FileMeta {
            id: f.id.clone(),
            name: f.name.clone(),
            chunk_count: 0,
            delimiter: Some(f.delimiter.clone()),
            encoding: Some(f.encoding.clone()),
            first_data_row: f.first_data_row,
            format: Some(f.format.clone()),
            header_row: f.header_row,
            separator: Some(f.separator.clone()),
        }
    }
}

/// A file of a model: its metadata and its chunks. A chunk slot is `None` until uploaded.
#[derive(Clone, Debug)]
pub struct StoredFile {
    pub meta: FileMeta,
    pub chunks: Vec<Option<Bytes>>,
}

impl StoredFile {
    pub fn new(meta: FileMeta) -> StoredFile {
        StoredFile {
            meta,
            chunks: Vec::new(),
        }
    }

    /// A file holding `content` as one chunk (seeded data, export output).
    pub fn with_content(mut meta: FileMeta, content: Bytes) -> StoredFile {
        meta.chunk_count = 1;
        StoredFile {
            meta,
            chunks: vec![Some(content)],
        }
    }

    /// True when the file has content that can be downloaded.
    pub fn has_content(&self) -> bool {
        self.meta.chunk_count != 0 && self.chunks.iter().any(Option::is_some)
    }

    /// The uploaded chunks in id order (slots never uploaded are skipped).
    pub fn present_chunks(&self) -> impl Iterator<Item = &Bytes> {
        self.chunks.iter().flatten()
    }

    /// The whole content, chunks concatenated in order.
    pub fn content(&self) -> Bytes {
        let mut present = self.present_chunks();
        match (present.next(), present.next()) {
            (None, _) => Bytes::new(),
            (Some(only), None) => only.clone(),
            _ => {
                let total = self.present_chunks().map(Bytes::len).sum();
                let mut out = Vec::with_capacity(total);
                for c in self.present_chunks() {
                    out.extend_from_slice(c);
                }
                Bytes::from(out)
            }
        }
    }

    pub fn total_size(&self) -> usize {
        self.present_chunks().map(Bytes::len).sum()
    }
}

/// Whether two chunk lists hold the very same buffers (cheap: compares pointers, not bytes).
fn chunks_identical(a: &[Option<Bytes>], b: &[Option<Bytes>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (Some(x), Some(y)) => x.as_ptr() == y.as_ptr() && x.len() == y.len(),
            (None, None) => true,
            _ => false,
        })
}

impl Store {
    pub fn from_seed(seed: &Seed) -> Store {
        let models = seed.models.iter().map(Model::from_seed).collect();
        Store {
            customer_id: seed.customer_id.clone(),
            users: seed.users.clone(),
            workspaces: seed.workspaces.clone(),
            models,
            tokens: HashMap::new(),
            tasks: HashMap::new(),
            task_order: Vec::new(),
            trusted_cas: crate::auth::cert::TrustedCas::from_seed(&seed.certificate_authorities),
        }
    }

    pub fn user(&self, user_id: &str) -> Option<&SeedUser> {
        self.users.iter().find(|u| u.id == user_id)
    }

    pub fn user_by_email(&self, email: &str) -> Option<&SeedUser> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// Workspaces the user is a member of, in seed order.
    pub fn workspaces_of<'a>(
        &'a self,
        user: &'a SeedUser,
    ) -> impl Iterator<Item = &'a SeedWorkspace> {
        self.workspaces
            .iter()
            .filter(move |w| user.workspaces.iter().any(|id| id == &w.id))
    }

    pub fn can_see_workspace(&self, user: &SeedUser, workspace_id: &str) -> bool {
        user.workspaces.iter().any(|id| id == workspace_id)
            && self.workspaces.iter().any(|w| w.id == workspace_id)
    }

    pub fn model(&self, model_id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.seed.id == model_id)
    }

    pub fn model_mut(&mut self, model_id: &str) -> Option<&mut Model> {
        self.models.iter_mut().find(|m| m.seed.id == model_id)
    }

    /// Models the user can see: those of the workspaces the user belongs to.
    pub fn models_of<'a>(&'a self, user: &'a SeedUser) -> impl Iterator<Item = &'a Model> {
        self.models
            .iter()
            .filter(move |m| user.workspaces.iter().any(|id| id == &m.seed.workspace_id))
    }
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
