//! Shared helpers for the emulator's integration tests: start an emulator in-process on an
//! ephemeral loopback port and talk to it over real HTTP.
#![allow(dead_code)]

pub mod schema;

use std::time::Duration;

use anaplan_emulator::BundledSeed;
use anaplan_emulator::{start, EmulatorConfig, RunningEmulator};
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::Value;

pub const USER: &str = BundledSeed::USER;
pub const PASSWORD: &str = BundledSeed::PASSWORD;
pub const CERT_USER: &str = BundledSeed::CERT_USER;
pub const VIEWER: &str = BundledSeed::VIEWER;
pub const VIEWER_PASSWORD: &str = BundledSeed::VIEWER_PASSWORD;
/// Workspace "Financial Planning" and its model "Workforce Planning" in the bundled seed.
pub const WS: &str = BundledSeed::WS;
pub const MODEL: &str = BundledSeed::MODEL;
/// Workspace "Sales Operations".
pub const WS2: &str = "8a80da9a6b3c21f3016b4d0a8f2b0077";

pub struct Emu {
    pub emu: RunningEmulator,
    pub http: Client,
}

/// An emulator with the bundled seed and a short task duration.
pub fn emulator() -> Emu {
    emulator_with(EmulatorConfig {
        task_duration: Duration::from_millis(200),
        ..EmulatorConfig::default()
    })
}

pub fn emulator_with(config: EmulatorConfig) -> Emu {
    let emu = start(config).expect("emulator starts on loopback");
    let http = Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("http client");
    Emu { emu, http }
}

impl Emu {
    /// `{api_url}/2/0{path}`.
    pub fn api(&self, path: &str) -> String {
        format!("{}/2/0{}", self.emu.api_url, path)
    }

    /// `{api_url}/2/0/workspaces/{WS}/models/{MODEL}{path}`.
    pub fn model_api(&self, path: &str) -> String {
        self.api(&format!("/workspaces/{WS}/models/{MODEL}{path}"))
    }

    pub fn auth(&self, path: &str) -> String {
        format!("{}{}", self.emu.auth_url, path)
    }

    /// Signs in with basic auth and returns the token value.
    pub fn login_as(&self, user: &str, password: &str) -> String {
        let res = self
            .http
            .post(self.auth("/token/authenticate"))
            .basic_auth(user, Some(password))
            .send()
            .expect("authenticate request");
        assert_eq!(res.status().as_u16(), 201, "sign-in of {user}");
        let body: Value = res.json().expect("auth JSON");
        body["tokenInfo"]["tokenValue"]
            .as_str()
            .expect("tokenValue")
            .to_string()
    }

    pub fn login(&self) -> String {
        self.login_as(USER, PASSWORD)
    }

    pub fn get(&self, url: &str, token: &str) -> Response {
        with_token(self.http.get(url), token).send().expect("GET")
    }

    /// GET that must answer 200 with JSON.
    pub fn get_json(&self, url: &str, token: &str) -> Value {
        let res = self.get(url, token);
        let status = res.status();
        let text = res.text().expect("body");
        assert_eq!(status.as_u16(), 200, "GET {url}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {url}: not JSON ({e}): {text}"))
    }
}

pub fn with_token(rb: RequestBuilder, token: &str) -> RequestBuilder {
    rb.header("Authorization", format!("AnaplanAuthToken {token}"))
}

/// Starts a task (`kind` is `imports`, `exports`, `actions` or `processes`) and returns its id.
pub fn start_task(emu: &Emu, token: &str, kind: &str, id: &str) -> String {
    let res = with_token(
        emu.http.post(emu.model_api(&format!("/{kind}/{id}/tasks"))),
        token,
    )
    .json(&serde_json::json!({"localeName": "en_US"}))
    .send()
    .expect("start task");
    let status = res.status().as_u16();
    let text = res.text().expect("body");
    assert_eq!(status, 200, "start {kind}/{id}: {text}");
    let body: Value = serde_json::from_str(&text).expect("task JSON");
    assert_eq!(body["task"]["taskState"], "NOT_STARTED");
    body["task"]["taskId"].as_str().expect("taskId").to_string()
}

/// The `task` object of a task's status.
pub fn task_status(emu: &Emu, token: &str, kind: &str, id: &str, task: &str) -> Value {
    emu.get_json(&emu.model_api(&format!("/{kind}/{id}/tasks/{task}")), token)["task"].clone()
}

/// Polls until the task is terminal (bounded: 30 s) and returns every status seen.
pub fn poll_to_end(emu: &Emu, token: &str, kind: &str, id: &str, task: &str) -> Vec<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    loop {
        let t = task_status(emu, token, kind, id, task);
        let state = t["taskState"].as_str().expect("taskState").to_string();
        seen.push(t);
        if state == "COMPLETE" || state == "CANCELLED" {
            return seen;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "task {task} did not end: {seen:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs a task to its end; returns its id and final status.
pub fn run_to_end(emu: &Emu, token: &str, kind: &str, id: &str) -> (String, Value) {
    let task = start_task(emu, token, kind, id);
    let last = poll_to_end(emu, token, kind, id, &task)
        .pop()
        .expect("a status");
    (task, last)
}

/// Polls until the task is IN_PROGRESS (bounded: 10 s).
pub fn wait_in_progress(emu: &Emu, token: &str, kind: &str, id: &str, task: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while task_status(emu, token, kind, id, task)["taskState"] != "IN_PROGRESS" {
        assert!(
            std::time::Instant::now() < deadline,
            "task {task} never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
