//! The emulator's in-memory state: users, workspaces, models (the engine's `Model`), tokens and
//! tasks.
//!
//! One `Store` sits behind one mutex in [`crate::state::Shared`]. File contents are reference-counted
//! `Bytes`, so the lock is only held for bookkeeping, never while bytes travel over the network.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use crate::model::{Model, TaskKind};
use crate::seed::{Seed, SeedOAuthClient, SeedUser, SeedWorkspace};

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
    pub trusted_cas: crate::trust::TrustedCas,
    /// The seed's OAuth clients.
    pub oauth_clients: Vec<SeedOAuthClient>,
    /// Device codes, authorization codes and refresh tokens handed out.
    pub oauth: OAuthRecords,
}

/// What the OAuth service has handed out, by value.
#[derive(Default)]
pub struct OAuthRecords {
    pub device_codes: HashMap<String, DeviceCode>,
    pub auth_codes: HashMap<String, AuthCode>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
}

pub struct DeviceCode {
    pub client_id: String,
    pub user_code: String,
    pub expires_at_ms: u64,
    /// The least time between two polls (RFC 8628 `interval`), raised by 5 s at each `slow_down`.
    pub interval_ms: u64,
    pub last_poll_ms: Option<u64>,
    pub decision: DeviceDecision,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceDecision {
    Pending,
    /// Approved by this user (the person at the browser, here the admin endpoint).
    Approved(String),
    Denied,
}

pub struct AuthCode {
    pub client_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub expires_at_ms: u64,
}

pub struct RefreshToken {
    pub client_id: String,
    pub user_id: String,
    /// `None`: it does not expire (a non-rotatable client's).
    pub expires_at_ms: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct TokenRecord {
    pub token_id: String,
    pub refresh_token_id: String,
    pub user_id: String,
    pub expires_at_ms: u64,
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
            trusted_cas: crate::trust::TrustedCas::from_seed(&seed.certificate_authorities),
            oauth_clients: seed.oauth_clients.clone(),
            oauth: OAuthRecords::default(),
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
