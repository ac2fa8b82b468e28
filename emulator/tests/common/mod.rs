//! Shared helpers for the emulator's integration tests: start an emulator in-process on an
//! ephemeral loopback port and talk to it over real HTTP.
#![allow(dead_code)]

pub mod schema;

use std::time::Duration;

use anaplan_emulator::{start, EmulatorConfig, RunningEmulator};
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::Value;

pub const USER: &str = "integration.user@example.com";
pub const PASSWORD: &str = "Integration-Pass-1";
pub const CERT_USER: &str = "cert.user@example.com";
pub const VIEWER: &str = "sales.viewer@example.com";
pub const VIEWER_PASSWORD: &str = "Viewer-Pass-1";
/// Workspace "Financial Planning" and its model "Workforce Planning" in the bundled seed.
pub const WS: &str = "8a80da9a6b3c21f3016b4d0a8f2b0042";
pub const MODEL: &str = "75A40874E6B64FA3AE0E27A0A3A1A9A1";
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
