//! The auth service and the API on two listeners (two base URLs), as clients configured with
//! separate auth and API hosts see them.

mod common;

use anaplan_emulator::EmulatorConfig;
use common::*;
use serde_json::Value;

#[test]
fn auth_and_api_work_on_two_base_urls() {
    let emu = emulator_with(EmulatorConfig {
        auth_port: Some(0),
        ..EmulatorConfig::default()
    });
    assert_ne!(emu.emu.auth_url, emu.emu.api_url, "two listeners");
    let res = emu
        .http
        .post(format!("{}/token/authenticate", emu.emu.auth_url))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let body: Value = res.json().unwrap();
    assert_eq!(
        body["meta"]["validationUrl"],
        format!("{}/token/validate", emu.emu.auth_url),
        "the auth service advertises its own host"
    );
    let token = body["tokenInfo"]["tokenValue"].as_str().unwrap();
    let workspaces = emu.get_json(&format!("{}/2/0/workspaces", emu.emu.api_url), token);
    assert_eq!(workspaces["workspaces"].as_array().unwrap().len(), 2);
    let validated = emu.get(&format!("{}/token/validate", emu.emu.auth_url), token);
    assert_eq!(validated.status().as_u16(), 200);
    let schema = emu.get_json(&emu.api("/users/me"), token)["meta"]["schema"].clone();
    assert!(
        schema.as_str().unwrap().starts_with(&emu.emu.api_url),
        "API objects name the API host: {schema}"
    );
}
