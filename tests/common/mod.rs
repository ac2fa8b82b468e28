//! Shared helpers for the library's Rust tests: start the emulator in-process on loopback, make
//! a `Config` pointing at it, connect, read its request log, inject faults. Every test talks to
//! the emulator over real HTTP.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anaplan::client::{Client, Config, Credentials, Level, LogSink, Logger};
use anaplan_emulator::BundledSeed;
pub use anaplan_emulator::LogEntry;
pub use anaplan_emulator::{glob_match, Fault, FaultRule};
use anaplan_emulator::{start, EmulatorConfig, RunningEmulator};

// The bundled seed (README "The bundled seed").
pub const USER: &str = BundledSeed::USER;
pub const PASSWORD: &str = BundledSeed::PASSWORD;
/// Signs in only with a CA certificate whose subject names this address.
pub const CERT_USER: &str = BundledSeed::CERT_USER;
pub const VIEWER: &str = BundledSeed::VIEWER;
pub const VIEWER_PASSWORD: &str = BundledSeed::VIEWER_PASSWORD;
/// Workspace "Financial Planning" and its model "Workforce Planning".
pub const WS: &str = BundledSeed::WS;
pub const WS_NAME: &str = BundledSeed::WS_NAME;
pub const MODEL: &str = BundledSeed::MODEL;
pub const MODEL_NAME: &str = BundledSeed::MODEL_NAME;
/// Workspace "Sales Operations" (it also holds a model named "Workforce Planning").
pub const WS2: &str = "8a80da9a6b3c21f3016b4d0a8f2b0077";
pub const WS2_NAME: &str = "Sales Operations";
pub const FILE_EMPLOYEES: &str = BundledSeed::FILE_EMPLOYEES;
pub const FILE_SALARIES: &str = BundledSeed::FILE_SALARIES;
pub const IMPORT_EMPLOYEES: &str = BundledSeed::IMPORT_EMPLOYEES;
pub const IMPORT_DETAILS: &str = BundledSeed::IMPORT_DETAILS;
pub const EXPORT_EMPLOYEES: &str = BundledSeed::EXPORT_EMPLOYEES;
pub const EXPORT_DETAILS: &str = BundledSeed::EXPORT_DETAILS;
pub const ACTION_DELETE_LEAVERS: &str = BundledSeed::ACTION_DELETE_LEAVERS;
pub const ACTION_CLEAR_EMPLOYEES: &str = BundledSeed::ACTION_CLEAR_EMPLOYEES;
pub const PROCESS_LOAD_EMPLOYEES: &str = BundledSeed::PROCESS_LOAD_EMPLOYEES;

/// A running emulator; stopped when dropped.
pub struct Emu {
    pub emu: RunningEmulator,
}

/// The bundled seed with a short task duration.
pub fn emulator() -> Emu {
    emulator_with(EmulatorConfig {
        task_duration: Duration::from_millis(200),
        ..EmulatorConfig::default()
    })
}

pub fn emulator_with(config: EmulatorConfig) -> Emu {
    Emu {
        emu: start(config).expect("emulator starts on loopback"),
    }
}

/// Settings for tests: the emulator's hosts, quick retries (so fault tests stay short), generous
/// request timeouts.
pub fn config_for(e: &Emu) -> Config {
    Config {
        auth_url: e.emu.auth_url.clone(),
        api_url: e.emu.api_url.clone(),
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(60),
        max_retries: 3,
        retry_initial_backoff: Duration::from_millis(10),
        retry_max_backoff: Duration::from_millis(500),
        ..Config::default()
    }
}

pub fn basic_credentials() -> Credentials {
    Credentials::basic(USER, PASSWORD).expect("basic credentials")
}

/// Signed in as the integration user, with the test settings.
pub fn connect_basic(e: &Emu) -> Client {
    Client::connect(config_for(e), basic_credentials(), Logger::default()).expect("connect")
}

/// The e-mail of the user a connection is signed in as (`users/me`).
pub fn email_of(c: &Client) -> String {
    c.get_json("/users/me").unwrap()["user"]["email"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Signed in as the integration user, with workspace and model set to the main seed model.
pub fn connect_model(e: &Emu) -> Client {
    let c = connect_basic(e);
    c.set_workspace_id(WS).unwrap();
    c.set_model_id(MODEL).unwrap();
    c
}

/// Every log line, with its level, in order.
pub type Lines = Arc<Mutex<Vec<(Level, String)>>>;

/// A logger at debug level that keeps every line (and stderr per `ANAPLAN_LOG`).
pub fn collecting_logger() -> (Logger, Lines) {
    let lines: Lines = Arc::default();
    let keep = lines.clone();
    let sink: LogSink = Arc::new(move |level, msg| {
        keep.lock().unwrap().push((level, msg.to_string()));
    });
    (Logger::new(Some(sink), Level::Debug), lines)
}

impl Emu {
    /// The request log, oldest first (admin requests are not in it).
    pub fn requests(&self) -> Vec<LogEntry> {
        self.emu.requests()
    }

    pub fn clear_requests(&self) {
        self.emu.clear_requests();
    }

    /// Logged requests with this method whose path matches the glob (`*` matches anything).
    pub fn matching(&self, method: &str, path_glob: &str) -> Vec<LogEntry> {
        self.requests()
            .into_iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && glob_match(path_glob, &r.path))
            .collect()
    }

    pub fn count(&self, method: &str, path_glob: &str) -> usize {
        self.matching(method, path_glob).len()
    }

    /// Waits (bounded: 10 s) until a request matching method and glob is in the log; the
    /// emulator logs a request once it is over, which can trail the client's view.
    pub fn wait_for(&self, method: &str, path_glob: &str, n: usize) -> Vec<LogEntry> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = self.matching(method, path_glob);
            if found.len() >= n || Instant::now() > deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn add_fault(&self, rule: FaultRule) {
        self.emu.add_fault(rule).expect("valid fault rule");
    }

    pub fn clear_faults(&self) {
        self.emu
            .set_faults(Default::default())
            .expect("empty fault set");
    }

    /// Revokes every token on the server, as an expiry or an administrator would.
    pub fn revoke_tokens(&self) {
        self.emu.revoke_tokens();
    }

    /// The values of every live token (to check they never show up in logs).
    pub fn token_values(&self) -> Vec<String> {
        self.emu.token_values()
    }

    /// Lifetime of tokens issued or refreshed from now on.
    pub fn set_token_ttl(&self, ttl: Duration) {
        self.emu.set_token_ttl(ttl);
    }
}

/// A fault on requests with this method and path glob, firing at most `times` times (`None`:
/// always).
pub fn fault(method: &str, path: &str, fault: Fault, times: Option<u64>) -> FaultRule {
    FaultRule {
        method: Some(method.to_string()),
        path: path.to_string(),
        times,
        ..FaultRule::everywhere(fault)
    }
}

pub fn status(code: u16) -> Fault {
    Fault::Status {
        code,
        retry_after: None,
    }
}
