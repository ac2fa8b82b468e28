//! Tasks and failure dumps over real HTTP: the state machine, polling, cancellation, queueing on a
//! busy model, task lists, and the dumps of imports and processes run on the bundled seed.

mod common;

use std::time::{Duration, Instant};

use anaplan_emulator::BundledSeed;
use anaplan_emulator::EmulatorConfig;
use common::schema::{assert_response, assert_same_shape, assert_valid};
use common::*;
use serde_json::{json, Value};

const IMPORT_EMPLOYEES: &str = BundledSeed::IMPORT_EMPLOYEES;
const IMPORT_SALARIES: &str = BundledSeed::IMPORT_DETAILS;
const EXPORT_EMPLOYEES: &str = BundledSeed::EXPORT_EMPLOYEES;
const DELETE_LEAVERS: &str = BundledSeed::ACTION_DELETE_LEAVERS;
const CLEAR_EMPLOYEES: &str = BundledSeed::ACTION_CLEAR_EMPLOYEES;
const LOAD_PROCESS: &str = BundledSeed::PROCESS_LOAD_EMPLOYEES;

fn emulator_with_tasks_of(ms: u64) -> Emu {
    emulator_with(EmulatorConfig {
        task_duration: Duration::from_millis(ms),
        ..EmulatorConfig::default()
    })
}

#[test]
fn a_task_moves_from_not_started_through_in_progress_to_complete() {
    let emu = emulator_with_tasks_of(1500);
    let token = emu.login();
    let task = start_task(&emu, &token, "exports", EXPORT_EMPLOYEES);
    let seen = poll_to_end(&emu, &token, "exports", EXPORT_EMPLOYEES, &task);
    let states: Vec<&str> = seen
        .iter()
        .map(|t| t["taskState"].as_str().unwrap())
        .collect();
    assert_eq!(states.first(), Some(&"NOT_STARTED"));
    assert!(states.contains(&"IN_PROGRESS"), "{states:?}");
    assert_eq!(states.last(), Some(&"COMPLETE"));
    let progress: Vec<f64> = seen
        .iter()
        .filter(|t| t["taskState"] == "IN_PROGRESS")
        .map(|t| t["progress"].as_f64().unwrap())
        .collect();
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress rises: {progress:?}"
    );
    assert!(
        progress.iter().all(|p| (0.0..1.0).contains(p)),
        "{progress:?}"
    );
    assert!(progress.iter().any(|p| *p > 0.0), "{progress:?}");
    for t in &seen[..seen.len() - 1] {
        assert!(t.get("result").is_none(), "no result before the end: {t}");
    }
    for t in &seen {
        assert_valid("Task", t);
    }
    let last = seen.last().unwrap();
    assert_eq!(last["progress"], 1.0);
    assert_eq!(last["currentStep"], "Complete.");
    assert_eq!(last["type"], "taskInformation");
    assert_eq!(last["result"]["objectId"], EXPORT_EMPLOYEES);
    assert_eq!(last["result"]["successful"], true);
}

#[test]
fn task_status_works_in_both_path_forms() {
    let emu = emulator();
    let token = emu.login();
    let (task, _) = run_to_end(&emu, &token, "exports", EXPORT_EMPLOYEES);
    let short = emu.get_json(
        &emu.api(&format!(
            "/models/{MODEL}/exports/{EXPORT_EMPLOYEES}/tasks/{task}"
        )),
        &token,
    );
    assert_eq!(short["task"]["taskId"], task.as_str());
    assert_response(
        "GET",
        "/workspaces/{workspaceId}/models/{modelId}/exports/{exportId}/tasks/{taskId}",
        200,
        &short,
    );
    assert_eq!(short["status"]["code"], 200);
    assert!(short["meta"]["schema"]
        .as_str()
        .unwrap()
        .ends_with("/objects/task"));
}

#[test]
fn task_lists_show_every_run_in_creation_order() {
    let emu = emulator();
    let token = emu.login();
    let (first, _) = run_to_end(&emu, &token, "exports", EXPORT_EMPLOYEES);
    let (second, _) = run_to_end(&emu, &token, "exports", EXPORT_EMPLOYEES);
    let url = emu.model_api(&format!("/exports/{EXPORT_EMPLOYEES}/tasks"));
    let list = emu.get_json(&url, &token);
    let ids: Vec<&str> = list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["taskId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![first.as_str(), second.as_str()]);
    assert_eq!(list["meta"]["paging"]["totalSize"], 2);
    for t in list["tasks"].as_array().unwrap() {
        assert_valid("Task", t);
    }
    assert_eq!(list["tasks"][0]["taskState"], "COMPLETE");
    let newest_first = emu.get_json(&format!("{url}?sort=-creationTime"), &token);
    assert_eq!(newest_first["tasks"][0]["taskId"], second.as_str());
    let page = emu.get_json(&format!("{url}?limit=1&offset=1"), &token);
    assert_eq!(page["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(page["tasks"][0]["taskId"], second.as_str());
    // Anaplan answers an empty list, not 404, for an object that does not exist.
    let none = emu.get_json(&emu.model_api("/exports/116999999999/tasks"), &token);
    assert!(none.get("tasks").is_none());
    assert_eq!(none["meta"]["paging"]["totalSize"], 0);
}

#[test]
fn unknown_objects_tasks_and_bad_bodies_are_refused() {
    let emu = emulator();
    let token = emu.login();
    let res = with_token(
        emu.http.post(emu.model_api("/imports/112999999999/tasks")),
        &token,
    )
    .json(&json!({"localeName": "en_US"}))
    .send()
    .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let body: Value = res.json().unwrap();
    assert_eq!(body["status"]["code"], 404);
    assert!(body["path"]
        .as_str()
        .unwrap()
        .ends_with("/imports/112999999999/tasks"));
    let res = emu.get(
        &emu.model_api(&format!(
            "/imports/{IMPORT_EMPLOYEES}/tasks/0123456789ABCDEF0123456789ABCDEF"
        )),
        &token,
    );
    assert_eq!(res.status().as_u16(), 404);
    let res = with_token(
        emu.http
            .post(emu.model_api(&format!("/imports/{IMPORT_EMPLOYEES}/tasks"))),
        &token,
    )
    .header("Content-Type", "application/json")
    .body("{not json")
    .send()
    .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let body: Value = res.json().unwrap();
    assert!(body["status"]["message"]
        .as_str()
        .unwrap()
        .contains("Invalid request body"));
    let res = with_token(
        emu.http
            .post(emu.model_api(&format!("/imports/{IMPORT_EMPLOYEES}/tasks"))),
        &token,
    )
    .json(&json!({"localeName": "en_US", "mappingParameters": [{"entityType": "Version"}]}))
    .send()
    .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    // A task id of another object is not found under this one.
    let (task, _) = run_to_end(&emu, &token, "exports", EXPORT_EMPLOYEES);
    let res = emu.get(
        &emu.model_api(&format!("/exports/116000000002/tasks/{task}")),
        &token,
    );
    assert_eq!(res.status().as_u16(), 404);
    // Without a token: 401.
    let res = emu
        .http
        .post(emu.model_api(&format!("/imports/{IMPORT_EMPLOYEES}/tasks")))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let body: Value = res.json().unwrap();
    assert_eq!(
        body["path"],
        format!("/2/0/workspaces/{WS}/models/{MODEL}/imports/{IMPORT_EMPLOYEES}/tasks"),
        "error bodies name the full path"
    );
}

#[test]
fn mapping_parameters_are_accepted() {
    let emu = emulator();
    let token = emu.login();
    let res = with_token(emu.http.post(emu.model_api(&format!("/imports/{IMPORT_EMPLOYEES}/tasks"))), &token)
        .json(&json!({"localeName": "en_GB", "mappingParameters": [{"entityType": "Version", "entityName": "Actual"}]}))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

#[test]
fn cancelling_a_running_task_ends_cancelled_and_changes_nothing() {
    let emu = emulator_with_tasks_of(3000);
    let token = emu.login();
    let task = start_task(&emu, &token, "actions", CLEAR_EMPLOYEES);
    wait_in_progress(&emu, &token, "actions", CLEAR_EMPLOYEES, &task);
    let res = with_token(
        emu.http
            .delete(emu.model_api(&format!("/actions/{CLEAR_EMPLOYEES}/tasks/{task}"))),
        &token,
    )
    .send()
    .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().unwrap();
    let state = body["task"]["taskState"].as_str().unwrap();
    assert!(state == "CANCELLING" || state == "CANCELLED", "{state}");
    let last = poll_to_end(&emu, &token, "actions", CLEAR_EMPLOYEES, &task)
        .pop()
        .unwrap();
    assert_eq!(last["taskState"], "CANCELLED");
    assert_eq!(last["cancelledBy"], USER);
    // The employees are all still there: the export shows the seeded items.
    let (_, export) = run_to_end(&emu, &token, "exports", EXPORT_EMPLOYEES);
    assert_eq!(export["result"]["successful"], true);
    let csv = emu
        .get(
            &emu.model_api(&format!("/files/{EXPORT_EMPLOYEES}")),
            &token,
        )
        .text()
        .unwrap();
    assert!(csv.contains("Alice Martin"), "{csv}");
    assert!(csv.contains("Paul Moreau"), "{csv}");
}

#[test]
fn a_task_cancelled_before_it_starts_never_runs() {
    let emu = emulator_with_tasks_of(3000);
    let token = emu.login();
    let first = start_task(&emu, &token, "exports", EXPORT_EMPLOYEES);
    let second = start_task(&emu, &token, "actions", CLEAR_EMPLOYEES);
    let res = with_token(
        emu.http
            .delete(emu.model_api(&format!("/actions/{CLEAR_EMPLOYEES}/tasks/{second}"))),
        &token,
    )
    .send()
    .unwrap();
    let body: Value = res.json().unwrap();
    assert_eq!(body["task"]["taskState"], "CANCELLED");
    assert!(body["task"].get("result").is_none());
    let last = poll_to_end(&emu, &token, "exports", EXPORT_EMPLOYEES, &first)
        .pop()
        .unwrap();
    assert_eq!(last["taskState"], "COMPLETE");
    let csv = emu
        .get(
            &emu.model_api(&format!("/files/{EXPORT_EMPLOYEES}")),
            &token,
        )
        .text()
        .unwrap();
    assert!(csv.contains("Alice Martin"), "{csv}");
}

#[test]
fn tasks_of_one_model_run_one_at_a_time() {
    let emu = emulator_with_tasks_of(800);
    let token = emu.login();
    let first = start_task(&emu, &token, "exports", EXPORT_EMPLOYEES);
    let second = start_task(&emu, &token, "exports", "116000000002");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut overlap = false;
    let mut second_waited_while_first_ran = false;
    loop {
        // Both states from one snapshot: two status requests in a row could see the first task
        // before it ended and the second after it started, an overlap that never was.
        let tasks = emu.emu.tasks();
        let state = |id: &str| {
            tasks
                .iter()
                .find(|t| t.id == id)
                .map(|t| t.state.clone())
                .unwrap_or_default()
        };
        let (a, b) = (state(&first), state(&second));
        if a == "IN_PROGRESS" && b == "IN_PROGRESS" {
            overlap = true;
        }
        if a == "IN_PROGRESS" && b == "NOT_STARTED" {
            second_waited_while_first_ran = true;
        }
        if b == "COMPLETE" {
            assert_eq!(a, "COMPLETE");
            // What the API reports agrees.
            let status = task_status(&emu, &token, "exports", "116000000002", &second);
            assert_eq!(status["taskState"], "COMPLETE");
            break;
        }
        assert!(Instant::now() < deadline, "tasks did not finish");
        std::thread::sleep(Duration::from_millis(15));
    }
    assert!(!overlap, "two tasks ran on one model at once");
    assert!(second_waited_while_first_ran);
}

#[test]
fn an_import_with_bad_rows_has_a_dump_with_errors_and_warnings() {
    let emu = emulator();
    let token = emu.login();
    let (task, last) = run_to_end(&emu, &token, "imports", IMPORT_EMPLOYEES);
    let body = emu.get_json(
        &emu.model_api(&format!("/imports/{IMPORT_EMPLOYEES}/tasks/{task}")),
        &token,
    );
    assert_same_shape("task_success_response", &body);
    assert_response(
        "GET",
        "/workspaces/{workspaceId}/models/{modelId}/imports/{importId}/tasks/{taskId}",
        200,
        &body,
    );
    let result = &last["result"];
    assert_eq!(result["objectId"], IMPORT_EMPLOYEES);
    assert_eq!(result["failureDumpAvailable"], true);
    assert!(result["details"][0]["type"]
        .as_str()
        .unwrap()
        .starts_with("hierarchyRowsProcessed"));
    let url = emu.model_api(&format!("/imports/{IMPORT_EMPLOYEES}/tasks/{task}/dump"));
    let res = emu.get(&url, &token);
    assert_eq!(res.status().as_u16(), 200);
    let dump = res.text().unwrap();
    let header = dump.lines().next().unwrap();
    assert!(header.starts_with("\"_Status_\","), "{header}");
    assert!(header.ends_with("\"_Line_\",\"_Error_1_\""), "{header}");
    assert!(
        dump.contains("Error parsing key for this row; no values"),
        "{dump}"
    );
    assert!(dump.lines().any(|l| l.starts_with("\"E\"")), "{dump}");
    assert!(
        dump.lines()
            .any(|l| l.starts_with("\"W\"") && l.contains("Invalid parent")),
        "{dump}"
    );
    let chunks = emu.get_json(&format!("{url}/chunks"), &token);
    assert_eq!(chunks["chunks"], json!([{"id": "0", "name": "Chunk 0"}]));
    let chunk0 = emu.get(&format!("{url}/chunks/0"), &token).text().unwrap();
    assert_eq!(chunk0, dump);
    assert_eq!(
        emu.get(&format!("{url}/chunks/1"), &token)
            .status()
            .as_u16(),
        404
    );
}

#[test]
fn only_the_latest_run_keeps_its_dump() {
    let emu = emulator();
    let token = emu.login();
    let (older, _) = run_to_end(&emu, &token, "imports", IMPORT_EMPLOYEES);
    let (newer, _) = run_to_end(&emu, &token, "imports", IMPORT_EMPLOYEES);
    let dump = |task: &str| {
        emu.get(
            &emu.model_api(&format!("/imports/{IMPORT_EMPLOYEES}/tasks/{task}/dump")),
            &token,
        )
    };
    assert_eq!(dump(&older).status().as_u16(), 404);
    assert_eq!(dump(&newer).status().as_u16(), 200);
}

#[test]
fn a_task_without_failures_has_no_dump() {
    let emu = emulator();
    let token = emu.login();
    let (task, last) = run_to_end(&emu, &token, "exports", EXPORT_EMPLOYEES);
    assert_eq!(last["result"]["failureDumpAvailable"], false);
    // Exports have no dump route at all; the import dump of a task that is not an import is 404.
    let res = emu.get(
        &emu.model_api(&format!("/imports/{IMPORT_EMPLOYEES}/tasks/{task}/dump")),
        &token,
    );
    assert_eq!(res.status().as_u16(), 404);
}

#[test]
fn a_process_reports_each_step_and_keeps_one_dump_per_failing_step() {
    let emu = emulator();
    let token = emu.login();
    let (task, last) = run_to_end(&emu, &token, "processes", LOAD_PROCESS);
    let body = emu.get_json(
        &emu.model_api(&format!("/processes/{LOAD_PROCESS}/tasks/{task}")),
        &token,
    );
    assert_same_shape("process_success_response", &body);
    assert_response(
        "GET",
        "/workspaces/{workspaceId}/models/{modelId}/processes/{processId}/tasks/{taskId}",
        200,
        &body,
    );
    let result = &last["result"];
    assert_eq!(result["objectId"], LOAD_PROCESS);
    assert_eq!(result["failureDumpAvailable"], true);
    let nested = result["nestedResults"].as_array().unwrap();
    let steps: Vec<&str> = nested
        .iter()
        .map(|r| r["objectId"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        vec![
            IMPORT_EMPLOYEES,
            IMPORT_SALARIES,
            DELETE_LEAVERS,
            "116000000002"
        ]
    );
    assert_eq!(nested[0]["failureDumpAvailable"], true);
    assert_eq!(nested[1]["failureDumpAvailable"], true);
    assert_eq!(nested[2]["failureDumpAvailable"], false);
    let base = emu.model_api(&format!("/processes/{LOAD_PROCESS}/tasks/{task}/dumps"));
    let employees = emu
        .get(&format!("{base}/{IMPORT_EMPLOYEES}"), &token)
        .text()
        .unwrap();
    assert!(employees.contains("Invalid parent"), "{employees}");
    let salaries = emu
        .get(&format!("{base}/{IMPORT_SALARIES}"), &token)
        .text()
        .unwrap();
    assert!(
        salaries.contains("Item not located in Employees list: Zoe Walker"),
        "{salaries}"
    );
    let chunks = emu.get_json(&format!("{base}/{IMPORT_SALARIES}/chunks"), &token);
    assert_eq!(chunks["chunks"][0]["id"], "0");
    let chunk0 = emu
        .get(&format!("{base}/{IMPORT_SALARIES}/chunks/0"), &token)
        .text()
        .unwrap();
    assert_eq!(chunk0, salaries);
    assert_eq!(
        emu.get(&format!("{base}/{DELETE_LEAVERS}"), &token)
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        emu.get(&format!("{base}/116000000002"), &token)
            .status()
            .as_u16(),
        404
    );
}

#[test]
fn a_started_task_answers_like_anaplan() {
    let emu = emulator();
    let token = emu.login();
    let res = with_token(
        emu.http
            .post(emu.model_api(&format!("/imports/{IMPORT_EMPLOYEES}/tasks"))),
        &token,
    )
    .json(&json!({"localeName": "en_US"}))
    .send()
    .unwrap();
    let body: Value = res.json().unwrap();
    assert_same_shape("create_task_response", &body);
    assert_valid("Task", &body["task"]);
    assert_eq!(body["status"], json!({"code": 200, "message": "Success"}));
}
