//! What published third-party clients send, answered as Anaplan does: paths with a trailing
//! slash, the per-user listings of older clients, repeated query parameters, errors of any cause
//! in Anaplan's JSON shape, and `lastLoginDate` set by signing in.

mod common;

use anaplan_emulator::BundledSeed as S;
use common::*;
use serde_json::Value;

fn ids(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v["id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn paths_with_a_trailing_slash_are_served() {
    let emu = emulator();
    let token = emu.login();
    let me = emu.get_json(&emu.api("/users/me/"), &token);
    assert_eq!(me["user"]["email"], S::USER);
    let imports = emu.get_json(&emu.model_api("/imports/"), &token);
    assert!(ids(&imports, "imports").contains(&S::IMPORT_EMPLOYEES.to_string()));
    // `GET …/files/{id}` downloads the file: the same bytes either way.
    let file = |path: String| {
        emu.get(&emu.model_api(&path), &token)
            .bytes()
            .expect("a body")
    };
    let with_slash = file(format!("/files/{}/", S::FILE_EMPLOYEES));
    assert!(with_slash.starts_with(b"Name,Code,"));
    assert_eq!(with_slash, file(format!("/files/{}", S::FILE_EMPLOYEES)));
    // The query string stays with the path.
    let page = emu.get_json(&emu.api("/workspaces/?limit=1"), &token);
    assert_eq!(page["meta"]["paging"]["currentPageSize"], 1, "{page}");
}

#[test]
fn users_list_their_workspaces_and_models_by_id() {
    let emu = emulator();
    let token = emu.login();
    let workspaces = emu.get_json(
        &emu.api(&format!("/users/{}/workspaces", S::USER_ID)),
        &token,
    );
    assert_eq!(ids(&workspaces, "workspaces"), [S::WS, S::WS_SALES]);
    let models = emu.get_json(&emu.api(&format!("/users/{}/models", S::USER_ID)), &token);
    assert_eq!(ids(&models, "models").len(), 4, "{models}");

    // Another user's id: what that user sees, and never more than the caller sees.
    let viewer = seed_user_id(S::VIEWER);
    let theirs = emu.get_json(&emu.api(&format!("/users/{viewer}/workspaces")), &token);
    assert_eq!(ids(&theirs, "workspaces"), [S::WS_SALES]);
    let viewer_token = emu.login_as(S::VIEWER, S::VIEWER_PASSWORD);
    let not_mine = emu.get_json(
        &emu.api(&format!("/users/{}/models", S::USER_ID)),
        &viewer_token,
    );
    let models = ids(&not_mine, "models");
    assert!(!models.contains(&S::MODEL.to_string()), "{not_mine}");
    assert!(
        models.contains(&S::MODEL_SALES_FORECAST.to_string()),
        "{not_mine}"
    );

    let res = emu.get(
        &emu.api("/users/00000000000000000000000000000000/workspaces"),
        &token,
    );
    assert_eq!(res.status().as_u16(), 404);
}

fn seed_user_id(email: &str) -> String {
    anaplan_emulator::Seed::default_seed()
        .users
        .into_iter()
        .find(|u| u.email == email)
        .map(|u| u.id)
        .expect("a seeded user")
}

#[test]
fn a_repeated_query_parameter_is_taken_as_the_other_lists_take_it() {
    let emu = emulator();
    let token = emu.login();
    for _ in 0..2 {
        start_task(&emu, &token, "actions", S::ACTION_CLEAR_EMPLOYEES);
    }
    let url = emu.model_api(&format!(
        "/actions/{}/tasks?limit=5&limit=1",
        S::ACTION_CLEAR_EMPLOYEES
    ));
    let tasks = emu.get_json(&url, &token);
    assert_eq!(tasks["meta"]["paging"]["currentPageSize"], 1, "{tasks}");
    let workspaces = emu.get_json(&emu.api("/workspaces?limit=5&limit=1"), &token);
    assert_eq!(workspaces["meta"]["paging"]["currentPageSize"], 1);
}

#[test]
fn every_error_has_anaplans_json_body() {
    let emu = emulator();
    let token = emu.login();
    // A path segment that is not UTF-8: the router's own rejection, plain text before.
    for path in ["/users/%FF", "/workspaces/%FF/models"] {
        let res = emu.get(&emu.api(path), &token);
        let status = res.status().as_u16();
        assert!((400..500).contains(&status), "{path}: {status}");
        let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(
            content_type.starts_with("application/json"),
            "{path}: {content_type}"
        );
        let body: Value = res.json().expect("a JSON body");
        assert_eq!(body["status"]["code"], status, "{body}");
        assert!(body["status"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        assert_eq!(body["path"], format!("/2/0{path}"), "{body}");
    }
}

#[test]
fn signing_in_sets_the_last_login_date() {
    let emu = emulator();
    let seeded = seed_user_id(S::VIEWER);
    let token = emu.login_as(S::VIEWER, S::VIEWER_PASSWORD);
    let me = emu.get_json(&emu.api("/users/me"), &token);
    assert_eq!(me["user"]["id"], seeded.as_str());
    let date = me["user"]["lastLoginDate"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Anaplan's form: 2018-12-04T18:18:48.000+0000.
    assert_eq!(date.len(), 28, "{date}");
    assert!(
        date.ends_with("+0000") && date.as_bytes()[10] == b'T',
        "{date}"
    );
    // The list shows it too, for the user who signed in.
    let users = emu.get_json(&emu.api("/users"), &token);
    let listed = users["users"]
        .as_array()
        .and_then(|a| a.iter().find(|u| u["id"] == seeded.as_str()).cloned())
        .expect("the viewer in the list");
    assert_eq!(listed["lastLoginDate"], date.as_str());
}
