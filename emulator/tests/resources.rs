//! Users, workspaces, models and the per-model resource lists over real HTTP, in both path forms,
//! checked against the OpenAPI spec and Anaplan Connect's recorded responses.

mod common;

use std::collections::BTreeSet;

use anaplan_emulator::BundledSeed;
use anaplan_emulator::Seed;
use common::schema::{assert_response, assert_same_shape, assert_valid};
use common::*;
use serde_json::{json, Value};

const SALES_MODEL: &str = BundledSeed::MODEL_SALES_FORECAST;

fn seed() -> Seed {
    Seed::default_seed()
}

/// GET that must fail with `status` in Anaplan's error shape, naming the request path.
fn expect_error(emu: &Emu, url: &str, token: &str, status: u16) -> Value {
    let res = emu.get(url, token);
    assert_eq!(res.status().as_u16(), status, "GET {url}");
    let body: Value = res.json().expect("error body is JSON");
    assert_valid("ErrorResponse", &body);
    assert_eq!(body["status"]["code"], status, "{body}");
    let path = url
        .split_once("/2/0")
        .map(|(_, p)| format!("/2/0{p}"))
        .unwrap();
    let path = path.split('?').next().unwrap();
    assert_eq!(body["path"], path, "{body}");
    assert!(body["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    body
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {list}"))
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn users_me_by_id_and_list() {
    let emu = emulator();
    let token = emu.login();
    let seed = seed();
    let me_seed = seed.users.iter().find(|u| u.email == USER).unwrap();

    let me = emu.get_json(&emu.api("/users/me"), &token);
    assert_response("GET", "/users/me", 200, &me);
    assert_same_shape("users_me", &me);
    assert_eq!(me["user"]["id"], me_seed.id);
    assert_eq!(me["user"]["email"], USER);
    assert_eq!(me["user"]["firstName"], me_seed.first_name);
    assert_eq!(me["user"]["customerId"], seed.customer_id);
    assert!(me["meta"]["schema"]
        .as_str()
        .unwrap()
        .ends_with("/2/0/objects/user"));

    let by_id = emu.get_json(&emu.api(&format!("/users/{}", me_seed.id)), &token);
    assert_response("GET", "/users/{userId}", 200, &by_id);
    assert_eq!(by_id["user"], me["user"]);
    expect_error(
        &emu,
        &emu.api("/users/0123456789abcdef0123456789abcdef"),
        &token,
        404,
    );

    let all = emu.get_json(&emu.api("/users?sort=-email"), &token);
    assert_response("GET", "/users", 200, &all);
    let mut expected: Vec<String> = seed.users.iter().map(|u| u.email.clone()).collect();
    expected.sort();
    expected.reverse();
    let got: Vec<String> = all["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().into())
        .collect();
    assert_eq!(got, expected);
    assert_eq!(all["meta"]["paging"]["totalSize"], seed.users.len());
    let bad = expect_error(&emu, &emu.api("/users?sort=email"), &token, 400);
    assert!(bad["status"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Bad sort order format: 'email'"));
}

#[test]
fn api_routes_need_a_token() {
    let emu = emulator();
    for path in [
        "/users/me",
        "/workspaces",
        "/models",
        &format!("/models/{MODEL}/files"),
    ] {
        let res = emu.http.get(emu.api(path)).send().unwrap();
        assert_eq!(res.status().as_u16(), 401, "{path}");
    }
    expect_error(&emu, &emu.api("/users/me"), "not-a-token", 401);
}

#[test]
fn workspaces_listed_per_member_with_tenant_details() {
    let emu = emulator();
    let token = emu.login();
    let seed = seed();

    let list = emu.get_json(&emu.api("/workspaces"), &token);
    assert_response("GET", "/workspaces", 200, &list);
    assert_same_shape("list_of_workspaces_response", &list);
    assert_eq!(ids(&list, "workspaces"), vec![WS, WS2]);
    assert!(
        list["workspaces"][0].get("currentSize").is_none(),
        "currentSize only with tenantDetails"
    );

    let detailed = emu.get_json(&emu.api("/workspaces?tenantDetails=true"), &token);
    assert_response("GET", "/workspaces", 200, &detailed);
    for w in detailed["workspaces"].as_array().unwrap() {
        let s = seed.workspaces.iter().find(|s| s.id == w["id"]).unwrap();
        assert_eq!(w["currentSize"], s.current_size);
        assert_eq!(w["sizeAllowance"], s.size_allowance);
        assert_eq!(w["name"], s.name);
        assert_eq!(w["active"], true);
    }
    // Anaplan Connect writes the flag with a capital T.
    let one = emu.get_json(
        &emu.api(&format!("/workspaces/{WS}?tenantDetails=True")),
        &token,
    );
    assert_response("GET", "/workspaces/{workspaceId}", 200, &one);
    assert_same_shape("workspace_response", &one);
    assert_eq!(one["workspace"]["name"], "Financial Planning");
    assert!(one["workspace"]["currentSize"].is_u64());
    let plain = emu.get_json(&emu.api(&format!("/workspaces/{WS}")), &token);
    assert!(plain["workspace"].get("currentSize").is_none());

    // The viewer belongs to Sales Operations only.
    let viewer = emu.login_as(VIEWER, VIEWER_PASSWORD);
    let theirs = emu.get_json(&emu.api("/workspaces"), &viewer);
    assert_eq!(ids(&theirs, "workspaces"), vec![WS2]);
    expect_error(&emu, &emu.api(&format!("/workspaces/{WS}")), &viewer, 404);
    expect_error(
        &emu,
        &emu.api("/workspaces/ffffffffffffffffffffffffffffffff"),
        &token,
        404,
    );
}

#[test]
fn sort_orders_and_rejects_bad_formats() {
    let emu = emulator();
    let token = emu.login();
    // `+` must be sent as %2B or it decodes to a space; both mean ascending.
    for asc in ["%2Bname", "+name"] {
        let list = emu.get_json(&emu.api(&format!("/workspaces?sort={asc}")), &token);
        assert_eq!(
            names(&list, "workspaces"),
            vec!["Financial Planning", "Sales Operations"]
        );
    }
    let desc = emu.get_json(&emu.api("/workspaces?sort=-name"), &token);
    assert_eq!(
        names(&desc, "workspaces"),
        vec!["Sales Operations", "Financial Planning"]
    );
    let by_size = emu.get_json(&emu.api("/workspaces?sort=-sizeAllowance"), &token);
    assert_eq!(ids(&by_size, "workspaces"), vec![WS, WS2]);

    let models = emu.get_json(&emu.api("/models?sort=-name"), &token);
    let got = names(&models, "models");
    let mut expected = got.clone();
    expected.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    assert_eq!(got, expected);
    assert_eq!(
        got.first().map(String::as_str),
        Some("Workforce Planning - Sandbox")
    );

    for bad in ["name", "-bogus", "%2Bname,size", "*name"] {
        let body = expect_error(&emu, &emu.api(&format!("/models?sort={bad}")), &token, 400);
        let msg = body["status"]["message"].as_str().unwrap();
        assert!(msg.starts_with("Bad sort order format: '"), "{msg}");
        assert!(
            msg.ends_with("Please follow (-){column_name_1},(+){column_name_2}.. format"),
            "{msg}"
        );
    }
    expect_error(&emu, &emu.api("/workspaces?sort=activeState"), &token, 400);
    // Model resource lists do not validate their sort.
    let files = emu.get_json(&emu.model_api("/files?sort=nonsense"), &token);
    assert!(files["files"].is_array());
    let files = emu.get_json(&emu.model_api("/files?sort=-name"), &token);
    assert_eq!(
        names(&files, "files"),
        vec!["Salaries.csv", "Employees.csv"]
    );
}

#[test]
fn models_listed_with_and_without_details() {
    let emu = emulator();
    let token = emu.login();
    let seed = seed();

    let list = emu.get_json(&emu.api("/models"), &token);
    assert_response("GET", "/models", 200, &list);
    assert_same_shape("list_of_models_response", &list);
    assert_same_shape("page1_response", &list);
    let all: Vec<String> = seed.models.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids(&list, "models"), all);
    for m in list["models"].as_array().unwrap() {
        let s = seed.models.iter().find(|s| s.id == m["id"]).unwrap();
        let ws = seed
            .workspaces
            .iter()
            .find(|w| w.id == s.workspace_id)
            .unwrap();
        assert_eq!(m["name"], s.name);
        assert_eq!(m["activeState"], "UNLOCKED");
        assert_eq!(m["currentWorkspaceId"], ws.id);
        assert_eq!(m["currentWorkspaceName"], ws.name);
        assert!(m["modelUrl"].as_str().unwrap().contains(&s.id));
        assert_eq!(m["categoryValues"], json!([]));
        assert!(
            m.get("memoryUsage").is_none(),
            "details only with modelDetails"
        );
    }

    let detailed = emu.get_json(&emu.api("/models?modelDetails=true"), &token);
    assert_response("GET", "/models", 200, &detailed);
    for m in detailed["models"].as_array().unwrap() {
        for key in [
            "lastSavedSerialNumber",
            "modelTransactionRunning",
            "lastModifiedByUserGuid",
            "memoryUsage",
            "isoCreationDate",
            "lastModified",
        ] {
            assert!(m.get(key).is_some(), "{key} missing in {m}");
        }
    }

    let in_ws = emu.get_json(&emu.api(&format!("/workspaces/{WS}/models")), &token);
    assert_response("GET", "/workspaces/{workspaceId}/models", 200, &in_ws);
    let expected: Vec<String> = seed
        .models
        .iter()
        .filter(|m| m.workspace_id == WS)
        .map(|m| m.id.clone())
        .collect();
    assert_eq!(ids(&in_ws, "models"), expected);

    let one = emu.get_json(&emu.api(&format!("/models/{MODEL}")), &token);
    assert_response("GET", "/models/{modelId}", 200, &one);
    assert_same_shape("model_response", &one);
    assert_eq!(one["model"]["name"], "Workforce Planning");
    assert!(one["model"].get("lastModified").is_none());
    let one = emu.get_json(
        &emu.api(&format!("/models/{MODEL}?modelDetails=true")),
        &token,
    );
    assert_eq!(one["model"]["modelTransactionRunning"], false);
    assert!(
        one["model"]["memoryUsage"].as_u64().unwrap() > 0,
        "the seeded files take memory"
    );

    let e = expect_error(
        &emu,
        &emu.api(&format!("/workspaces/{WS}/models/{MODEL}")),
        &token,
        405,
    );
    assert_eq!(e["status"]["message"], "Method Not Allowed");
    expect_error(
        &emu,
        &emu.api("/models/00000000000000000000000000000000"),
        &token,
        404,
    );
}

#[test]
fn viewer_cannot_see_financial_planning() {
    let emu = emulator();
    let viewer = emu.login_as(VIEWER, VIEWER_PASSWORD);
    let seed = seed();
    let list = emu.get_json(&emu.api("/models"), &viewer);
    let expected: Vec<String> = seed
        .models
        .iter()
        .filter(|m| m.workspace_id == WS2)
        .map(|m| m.id.clone())
        .collect();
    assert_eq!(ids(&list, "models"), expected);
    expect_error(
        &emu,
        &emu.api(&format!("/workspaces/{WS}/models")),
        &viewer,
        404,
    );
    expect_error(&emu, &emu.api(&format!("/models/{MODEL}")), &viewer, 404);
    for res in [
        "",
        "/files",
        "/imports",
        "/exports/116000000001",
        "/status",
        "/lists",
    ] {
        expect_error(
            &emu,
            &emu.api(&format!("/models/{MODEL}{res}")),
            &viewer,
            404,
        );
        expect_error(&emu, &emu.model_api(res), &viewer, 404);
    }
    // Their own model is visible.
    emu.get_json(&emu.api(&format!("/models/{SALES_MODEL}/imports")), &viewer);
}

#[test]
fn paging_limit_offset_and_links() {
    let emu = emulator();
    let token = emu.login();
    let all = ids(&emu.get_json(&emu.api("/models"), &token), "models");
    assert!(all.len() >= 3);

    let page = emu.get_json(
        &emu.api("/models?limit=1&offset=1&modelDetails=true"),
        &token,
    );
    assert_response("GET", "/models", 200, &page);
    let paging = &page["meta"]["paging"];
    assert_eq!(paging["currentPageSize"], 1);
    assert_eq!(paging["offset"], 1);
    assert_eq!(paging["totalSize"], all.len());
    assert_eq!(ids(&page, "models"), vec![all[1].clone()]);
    assert!(
        page["models"][0].get("memoryUsage").is_some(),
        "other parameters still apply"
    );
    let next = paging["next"].as_str().unwrap();
    assert!(
        next.ends_with("/2/0/models?modelDetails=true&limit=1&offset=2"),
        "{next}"
    );
    let previous = paging["previous"].as_str().unwrap();
    assert!(
        previous.ends_with("/2/0/models?modelDetails=true&limit=1&offset=0"),
        "{previous}"
    );

    // Following `next` visits every model once.
    let mut seen = Vec::new();
    let mut url = Some(emu.api("/models?limit=2"));
    let mut pages = 0;
    while let Some(u) = url {
        let p = emu.get_json(&u, &token);
        seen.extend(ids(&p, "models"));
        url = p["meta"]["paging"]["next"].as_str().map(str::to_string);
        pages += 1;
        assert!(pages <= all.len(), "paging does not end");
    }
    assert_eq!(seen, all);

    // Past the end: an empty page without the collection key, as Anaplan omits empty collections.
    let empty = emu.get_json(&emu.api("/models?offset=100"), &token);
    assert!(empty.get("models").is_none());
    assert_eq!(empty["meta"]["paging"]["currentPageSize"], 0);
    assert_same_shape("empty_response", &empty);

    expect_error(&emu, &emu.api("/models?limit=abc"), &token, 400);
    expect_error(&emu, &emu.model_api("/imports?offset=-1"), &token, 400);
    let imports = emu.get_json(&emu.model_api("/imports?limit=1"), &token);
    assert_eq!(imports["meta"]["paging"]["currentPageSize"], 1);
    assert!(imports["meta"]["paging"]["next"]
        .as_str()
        .unwrap()
        .contains(&format!(
            "/workspaces/{WS}/models/{MODEL}/imports?limit=1&offset=1"
        )));
}

/// Fetches a model resource list in both path forms and checks they agree.
fn both_forms(emu: &Emu, token: &str, resource: &str) -> Value {
    let short = emu.get_json(&emu.api(&format!("/models/{MODEL}/{resource}")), token);
    let long = emu.get_json(&emu.model_api(&format!("/{resource}")), token);
    assert_eq!(
        short[resource], long[resource],
        "{resource} differs between the path forms"
    );
    assert_eq!(short["meta"]["schema"], long["meta"]["schema"]);
    assert_response(
        "GET",
        &format!("/models/{{modelId}}/{resource}"),
        200,
        &short,
    );
    short
}

#[test]
fn model_resource_lists_in_both_path_forms() {
    let emu = emulator();
    let token = emu.login();
    let seed = seed();
    let model = seed.models.iter().find(|m| m.id == MODEL).unwrap();

    let imports = both_forms(&emu, &token, "imports");
    assert_same_shape("list_of_imports_response", &imports);
    for (got, s) in imports["imports"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&model.imports)
    {
        assert_eq!(
            got,
            &json!({"id": s.id, "name": s.name, "importDataSourceId": s.file_id, "importType": s.import_type})
        );
    }
    assert_eq!(
        imports["imports"].as_array().unwrap().len(),
        model.imports.len()
    );

    let exports = both_forms(&emu, &token, "exports");
    assert_same_shape("list_of_exports_response", &exports);
    for (got, s) in exports["exports"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&model.exports)
    {
        assert_eq!(got["id"], s.id);
        assert_eq!(got["exportType"], s.layout);
        assert_eq!(got["layout"], s.layout);
        assert_eq!(got["exportFormat"], s.export_format);
        assert_eq!(got["encoding"], s.encoding);
    }

    let actions = both_forms(&emu, &token, "actions");
    assert_same_shape("list_of_actions_response", &actions);
    assert_eq!(
        ids(&actions, "actions"),
        model
            .actions
            .iter()
            .map(|a| a.id.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(actions["actions"][0]["actionType"], "DELETE_BY_SELECTION");

    let processes = both_forms(&emu, &token, "processes");
    assert_same_shape("list_of_processes_response", &processes);
    assert_eq!(
        ids(&processes, "processes"),
        model
            .processes
            .iter()
            .map(|p| p.id.clone())
            .collect::<Vec<_>>()
    );

    let lists = both_forms(&emu, &token, "lists");
    assert_eq!(
        names(&lists, "lists"),
        model
            .lists
            .iter()
            .map(|l| l.name.clone())
            .collect::<Vec<_>>()
    );
    let modules = both_forms(&emu, &token, "modules");
    assert_same_shape("list_of_modules_response", &modules);
    assert_eq!(
        ids(&modules, "modules"),
        model
            .modules
            .iter()
            .map(|m| m.id.clone())
            .collect::<Vec<_>>()
    );

    let files = both_forms(&emu, &token, "files");
    assert_same_shape("list_of_files_response", &files);

    // A model without actions or processes omits the keys.
    let sandbox = seed
        .models
        .iter()
        .find(|m| m.actions.is_empty() && m.processes.is_empty())
        .unwrap();
    for res in ["actions", "processes", "imports"] {
        let v = emu.get_json(&emu.api(&format!("/models/{}/{res}", sandbox.id)), &token);
        assert!(v.get(res).is_none(), "{res}: {v}");
        assert_eq!(v["meta"]["paging"]["totalSize"], 0);
    }
    // The workspace form checks that the model is in that workspace.
    expect_error(
        &emu,
        &emu.api(&format!("/workspaces/{WS2}/models/{MODEL}/imports")),
        &token,
        404,
    );
}

#[test]
fn import_export_and_process_metadata() {
    let emu = emulator();
    let token = emu.login();
    let seed = seed();
    let model = seed.models.iter().find(|m| m.id == MODEL).unwrap();
    let import = &model.imports[0];
    let file = model.files.iter().find(|f| f.id == import.file_id).unwrap();

    for url in [
        emu.api(&format!("/models/{MODEL}/imports/{}", import.id)),
        emu.model_api(&format!("/imports/{}", import.id)),
    ] {
        let v = emu.get_json(&url, &token);
        assert_response("GET", "/models/{modelId}/imports/{importId}", 200, &v);
        let md = &v["importMetadata"];
        assert_eq!(md["name"], import.name);
        assert_eq!(md["type"], "FILE");
        let header: Vec<&str> = file
            .content
            .as_deref()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .split(',')
            .collect();
        assert_eq!(md["source"]["headerNames"], json!(header));
        assert_eq!(md["source"]["columnCount"], header.len());
        assert_eq!(md["source"]["columnSeparator"], file.separator);
        assert_eq!(md["source"]["headerRow"], file.header_row);
        assert_eq!(md["source"]["firstDataRow"], file.first_data_row);
    }

    let export = &model.exports[0];
    let v = emu.get_json(&emu.model_api(&format!("/exports/{}", export.id)), &token);
    assert_response("GET", "/models/{modelId}/exports/{exportId}", 200, &v);
    let md = &v["exportMetadata"];
    assert_eq!(md["exportFormat"], export.export_format);
    assert_eq!(md["layout"], export.layout);
    assert_eq!(
        md["columnCount"],
        md["headerNames"].as_array().unwrap().len()
    );
    assert_eq!(
        md["dataTypes"].as_array().unwrap().len(),
        md["headerNames"].as_array().unwrap().len()
    );

    let process = &model.processes[0];
    let v = emu.get_json(
        &emu.api(&format!("/models/{MODEL}/processes/{}", process.id)),
        &token,
    );
    assert_response("GET", "/models/{modelId}/processes/{processId}", 200, &v);
    let md = &v["processMetadata"];
    assert_eq!(md["name"], process.name);
    let steps = md["actions"].as_array().unwrap();
    assert_eq!(
        steps
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        process.actions
    );
    let kinds: BTreeSet<&str> = steps
        .iter()
        .map(|a| a["actionType"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains("IMPORT") && kinds.contains("EXPORT"),
        "{kinds:?}"
    );
    let first = &steps[0];
    assert_eq!(first["importDataSourceId"], import.file_id);
    assert!(first.get("importDataSource").is_none());
    let with_source = emu.get_json(
        &emu.model_api(&format!(
            "/processes/{}?showImportDataSource=true",
            process.id
        )),
        &token,
    );
    assert_eq!(
        with_source["processMetadata"]["actions"][0]["importDataSource"],
        json!({"importDataSourceId": import.file_id, "type": "FILE"})
    );

    for res in [
        "imports/112999999999",
        "exports/116999999999",
        "processes/118999999999",
    ] {
        expect_error(&emu, &emu.model_api(&format!("/{res}")), &token, 404);
    }
}

#[test]
fn model_status_reports_open_and_running_tasks() {
    let emu = emulator();
    let token = emu.login();
    for url in [
        emu.api(&format!("/models/{MODEL}/status")),
        emu.model_api("/status"),
    ] {
        let v = emu.get_json(&url, &token);
        assert_response("GET", "/models/{modelId}/status", 200, &v);
        assert!(
            v.get("meta").is_none() && v.get("status").is_none(),
            "bare body: {v}"
        );
        let s = &v["requestStatus"];
        assert_eq!(s["currentStep"], "Open");
        assert_eq!(s["progress"], -1.0);
        assert!(s["taskId"].is_null());
        assert!(s["creationTime"].as_u64().unwrap() > 1_700_000_000_000);
    }

    // A running task holds the model and shows as a step in progress.
    let emu = emulator_with(anaplan_emulator::EmulatorConfig {
        task_duration: std::time::Duration::from_secs(3),
        ..Default::default()
    });
    let token = emu.login();
    let task_id = start_task(&emu, &token, "exports", "116000000001");
    wait_in_progress(&emu, &token, "exports", "116000000001", &task_id);
    let v = emu.get_json(&emu.model_api("/status"), &token);
    assert_response("GET", "/models/{modelId}/status", 200, &v);
    assert_eq!(v["requestStatus"]["currentStep"], "Processing ...");
    assert_eq!(v["requestStatus"]["taskId"], task_id);
    assert_eq!(v["requestStatus"]["exportTaskType"], "TABULAR_MULTI_COLUMN");
    let p = v["requestStatus"]["progress"].as_f64().unwrap();
    assert!((0.0..1.0).contains(&p), "{p}");
    let m = emu.get_json(
        &emu.api(&format!("/models/{MODEL}?modelDetails=true")),
        &token,
    );
    assert_eq!(m["model"]["modelTransactionRunning"], true);
}

#[test]
fn schema_checks_catch_wrong_bodies() {
    let wrong_type = std::panic::catch_unwind(|| assert_valid("Model", &json!({"id": 5})));
    assert!(
        wrong_type.is_err(),
        "a numeric model id must fail the Model schema"
    );
    let bad_state =
        std::panic::catch_unwind(|| assert_valid("Model", &json!({"activeState": "OPENISH"})));
    assert!(bad_state.is_err());
    let nullable_ok = std::panic::catch_unwind(|| {
        assert_valid("ModelStatus", &json!({"taskId": null, "progress": -1.0}))
    });
    assert!(nullable_ok.is_ok(), "nullable fields accept null");
    let email_ok = std::panic::catch_unwind(|| {
        assert_valid("User", &json!({"email": "joe.smith@anaplan.com"}))
    });
    assert!(
        email_ok.is_ok(),
        "the spec's e-mail pattern accepts a real address"
    );
    let no_paging = std::panic::catch_unwind(|| {
        assert_response(
            "GET",
            "/models",
            200,
            &json!({"meta": {"schema": "s", "paging": {"offset": 0}}}),
        )
    });
    assert!(
        no_paging.is_err(),
        "paging without its required fields must fail"
    );
    let missing = std::panic::catch_unwind(|| {
        assert_same_shape(
            "users_me",
            &json!({"meta": {"schema": "s"}, "user": {"id": "x"}}),
        )
    });
    assert!(
        missing.is_err(),
        "a body without the fixture's keys must fail"
    );
    let retyped = std::panic::catch_unwind(|| {
        let mut v: Value = serde_json::from_str(
            &std::fs::read_to_string(
                common::schema::fixtures_dir().join("anaplan-connect-fixtures/users_me.json"),
            )
            .unwrap(),
        )
        .unwrap();
        v["user"]["active"] = json!("yes");
        assert_same_shape("users_me", &v)
    });
    assert!(retyped.is_err(), "a key of another type must fail");
}
