//! What in-process tests and benchmarks may see and change in a running emulator, without
//! reaching into its state. Over HTTP the admin endpoint does the same (`admin.rs`).

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;

use crate::faults::rules::{FaultConfig, FaultRule};
use crate::reqlog::entry::LogEntry;
use crate::server::RunningEmulator;

/// A task as the emulator holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskSnapshot {
    pub id: String,
    pub model_id: String,
    /// The import, export, action or process it runs.
    pub object_id: String,
    /// As Anaplan names it: `NOT_STARTED`, `IN_PROGRESS`, `CANCELLING`, `CANCELLED`, `COMPLETE`.
    pub state: String,
    /// The body the task was started with.
    pub parameters: Value,
}

impl RunningEmulator {
    /// The request log, oldest first (the admin endpoint's requests are not in it).
    pub fn requests(&self) -> Vec<LogEntry> {
        self.state.log.entries()
    }

    pub fn clear_requests(&self) {
        self.state.log.clear();
    }

    /// Appends a fault rule (the others keep their counts).
    pub fn add_fault(&self, rule: FaultRule) -> Result<(), String> {
        self.state.faults.add_rule(rule)
    }

    /// Replaces the whole fault set; counters and random generators start over.
    pub fn set_faults(&self, config: FaultConfig) -> Result<(), String> {
        self.state.faults.replace(config)
    }

    /// Caps every connection at this many bytes per second and direction (0: no cap), at once.
    /// Only the cap: the fault set the admin endpoint shows is left as it is.
    pub fn set_bandwidth(&self, bytes_per_sec: u64) {
        self.state
            .faults
            .bandwidth_limit()
            .store(bytes_per_sec, Ordering::Relaxed);
    }

    /// The lifetime of tokens issued or refreshed from now on.
    pub fn set_token_ttl(&self, ttl: Duration) {
        self.state.update_settings(|s| s.token_ttl = ttl);
    }

    /// How long tasks started from now on take.
    pub fn set_task_duration(&self, duration: Duration) {
        self.state.update_settings(|s| s.task_duration = duration);
    }

    /// The device grant's timing from now on: the least time between polls (`slow_down` below
    /// it) and how long a device code lives.
    pub fn set_device_grant_timing(&self, interval: Duration, code_ttl: Duration) {
        self.state.update_settings(|s| {
            s.device_interval = interval;
            s.device_code_ttl = code_ttl;
        });
    }

    /// The lifetime of rotatable clients' refresh tokens issued from now on.
    pub fn set_refresh_token_ttl(&self, ttl: Duration) {
        self.state.update_settings(|s| s.refresh_token_ttl = ttl);
    }

    /// The user codes of device-grant requests waiting for the user, with their client ids.
    pub fn pending_user_codes(&self) -> Vec<(String, String)> {
        crate::oauth_grants::pending_user_codes(&self.state)
    }

    /// The user `email` approves the device-grant request of `user_code`, as at the
    /// verification page.
    pub fn approve_device(&self, user_code: &str, email: &str) -> Result<(), String> {
        crate::oauth_grants::decide(&self.state, user_code, Some(email))
    }

    /// The user denies the device-grant request of `user_code`.
    pub fn deny_device(&self, user_code: &str) -> Result<(), String> {
        crate::oauth_grants::decide(&self.state, user_code, None)
    }

    /// An authorization code for `email`, as the browser flow of an authorization-code client
    /// ends with.
    pub fn mint_authorization_code(
        &self,
        client_id: &str,
        email: &str,
        redirect_uri: &str,
    ) -> Result<String, String> {
        crate::oauth_grants::mint_code(&self.state, client_id, email, redirect_uri)
            .map_err(|e| e.description)
    }

    /// The value of every token the emulator holds (expired ones not swept yet included).
    pub fn token_values(&self) -> Vec<String> {
        self.state.store().tokens.keys().cloned().collect()
    }

    /// Revokes every token, as an expiry or an administrator would.
    pub fn revoke_tokens(&self) {
        self.state.store().tokens.clear();
    }

    /// Every task, in creation order.
    pub fn tasks(&self) -> Vec<TaskSnapshot> {
        let store = self.state.store();
        store
            .task_order
            .iter()
            .filter_map(|id| store.tasks.get(id))
            .map(|t| TaskSnapshot {
                id: t.id.clone(),
                model_id: t.model_id.clone(),
                object_id: t.object_id.clone(),
                // Through serde, so the names are those of the wire.
                state: serde_json::to_value(t.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                parameters: t.parameters.clone(),
            })
            .collect()
    }

    /// Removes the seeded user with this e-mail (exact match) until the next reset.
    pub fn remove_user(&self, email: &str) {
        self.state.store().users.retain(|u| u.email != email);
    }

    /// Back to the seed, as `POST /__emulator/reset` does: data as seeded, no tokens, no tasks.
    pub fn reset_to_seed(&self) {
        self.state.reset_to_seed();
    }
}
