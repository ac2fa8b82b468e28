//! Shared state handed to every request handler.

use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use crate::config::EmulatorConfig;
use crate::faults::engine::Faults;
use crate::reqlog::log::RequestLog;
use crate::seed::Seed;
use crate::store::Store;

/// Settings that the admin endpoint may change while the emulator runs.
#[derive(Clone, Debug)]
pub struct Settings {
    pub token_ttl: Duration,
    pub task_duration: Duration,
    pub cert_freshness: Duration,
    pub reject_v1_certificates: bool,
    pub device_interval: Duration,
    pub device_code_ttl: Duration,
    pub refresh_token_ttl: Duration,
}

/// Base URLs the emulator advertises (in `meta.validationUrl`, `meta.schema`, paging links).
#[derive(Clone, Debug, Default)]
pub struct Urls {
    /// Base URL of the auth service, e.g. `http://127.0.0.1:8080`.
    pub auth: String,
    /// Base URL of the API host, without `/2/0`, e.g. `http://127.0.0.1:8080`.
    pub api: String,
}

pub struct Shared {
    pub store: Mutex<Store>,
    pub settings: RwLock<Settings>,
    pub faults: Faults,
    pub log: RequestLog,
    pub urls: RwLock<Urls>,
    /// The seed the store started from, for [`AppState::reset_to_seed`].
    seed: Seed,
}

#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(config: &EmulatorConfig) -> AppState {
        AppState(Arc::new(Shared {
            store: Mutex::new(Store::from_seed(&config.seed)),
            settings: RwLock::new(Settings {
                token_ttl: config.token_ttl,
                task_duration: config.task_duration,
                cert_freshness: config.cert_freshness,
                reject_v1_certificates: config.reject_v1_certificates,
                device_interval: config.device_interval,
                device_code_ttl: config.device_code_ttl,
                refresh_token_ttl: config.refresh_token_ttl,
            }),
            faults: Faults::new(config.faults.clone()),
            log: RequestLog::default(),
            urls: RwLock::new(Urls::default()),
            seed: config.seed.clone(),
        }))
    }

    /// Locks the store. A handler that panicked while holding the lock leaves the data as it
    /// was at the panic; the emulator keeps serving rather than failing every later request.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Changes the settings; the one writer of them (the admin endpoint and the test facade).
    pub fn update_settings(&self, change: impl FnOnce(&mut Settings)) {
        change(&mut self.settings.write().unwrap_or_else(|p| p.into_inner()));
    }

    /// Puts the data back as the seed has it: users, workspaces, models, files; every token and
    /// task is gone. Faults, settings and the request log are left alone. The new store is built
    /// before the lock is taken, so requests wait only for the swap (a task still running finds
    /// its record gone when it ends, and ends quietly).
    pub fn reset_to_seed(&self) {
        let fresh = Store::from_seed(&self.seed);
        *self.store() = fresh;
    }

    pub fn urls(&self) -> Urls {
        self.urls.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
