//! Running imports, exports, actions and processes against the emulator: results, polling,
//! timeouts, cancellation, starting at most once under faults, mapping parameters.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anaplan::client::task_kind::TaskKind;
use anaplan::client::task_result::TaskState;
use anaplan::client::tasks::{MappingParameter, RunOptions};
use anaplan::client::wait::PollBackoff;
use anaplan::client::{CancelToken, Client, Error, Logger};
use anaplan_emulator::EmulatorConfig;
use anaplan_emulator::Fault;
use common::*;
use serde_json::json;

fn emulator_with_tasks_of(ms: u64) -> Emu {
    emulator_with(EmulatorConfig {
        task_duration: Duration::from_millis(ms),
        ..EmulatorConfig::default()
    })
}

/// Every task the emulator holds for this object: (task id, state, start body).
fn server_tasks(e: &Emu, object_id: &str) -> Vec<(String, String, serde_json::Value)> {
    e.emu
        .tasks()
        .into_iter()
        .filter(|t| t.object_id == object_id)
        .map(|t| (t.id, t.state, t.parameters))
        .collect()
}

/// Waits (bounded: 10 s) until the server reports the task in one of `states`.
fn wait_server_state(e: &Emu, object_id: &str, task_id: &str, states: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let state = server_tasks(e, object_id)
            .into_iter()
            .find(|t| t.0 == task_id)
            .map(|t| t.1)
            .unwrap_or_default();
        if states.contains(&state.as_str()) || Instant::now() > deadline {
            return state;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn each_kind_runs_to_complete_with_one_start_each() {
    let e = emulator();
    let c = connect_model(&e);
    for id in [
        IMPORT_EMPLOYEES,
        EXPORT_EMPLOYEES,
        ACTION_DELETE_LEAVERS,
        PROCESS_LOAD_EMPLOYEES,
    ] {
        let r = c.run(id, &RunOptions::default()).unwrap();
        assert_eq!(r.state, TaskState::Complete, "{id}");
        assert_eq!(r.object_id, id);
        assert_eq!(r.kind, TaskKind::from_id(id).unwrap());
        let server = server_tasks(&e, id);
        assert_eq!(server.len(), 1, "{id}: one task started");
        assert_eq!(server[0].0, r.task_id);
        assert_eq!(server[0].1, "COMPLETE");
        let kind = r.kind.segment();
        assert_eq!(e.count("POST", &format!("*/{kind}/{id}/tasks")), 1);
        // The result is the server's own final status.
        let status = c.task_status(r.kind, id, &r.task_id).unwrap();
        assert_eq!(status.raw, r.raw, "{id}");
    }
}

#[test]
fn the_import_result_carries_its_details() {
    let e = emulator();
    let c = connect_model(&e);
    let r = c.run(IMPORT_EMPLOYEES, &RunOptions::default()).unwrap();
    let raw = &r.raw["result"];
    assert_eq!(r.successful, raw["successful"].as_bool().unwrap());
    assert!(r.failure_dump_available);
    let details = raw["details"].as_array().unwrap();
    assert_eq!(r.details.len(), details.len());
    assert!(!r.details.is_empty());
    for (d, raw) in r.details.iter().zip(details) {
        assert_eq!(d.message, raw["localMessageText"].as_str().unwrap());
        assert_eq!(d.kind, raw["type"].as_str().unwrap());
        let flat: Vec<&str> = raw["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let pairs: Vec<String> = d
            .values
            .iter()
            .flat_map(|(n, v)| [n.clone(), v.clone()])
            .collect();
        assert_eq!(pairs, flat);
    }
    assert_eq!(r.details[0].values[0].0, "hierarchyName");
    assert_eq!(r.details[0].values[0].1, "Employees");
    assert!(r.steps.is_empty());
}

#[test]
fn load_employees_reports_each_step() {
    let e = emulator();
    let c = connect_model(&e);
    let r = c
        .run(PROCESS_LOAD_EMPLOYEES, &RunOptions::default())
        .unwrap();
    assert_eq!(r.kind, TaskKind::Process);
    assert!(r.failure_dump_available);
    let ids: Vec<&str> = r.steps.iter().map(|s| s.object_id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            IMPORT_EMPLOYEES,
            IMPORT_DETAILS,
            ACTION_DELETE_LEAVERS,
            EXPORT_DETAILS
        ]
    );
    let dumps: Vec<bool> = r.steps.iter().map(|s| s.failure_dump_available).collect();
    assert_eq!(dumps, vec![true, true, false, false]);
    let nested = r.raw["result"]["nestedResults"].as_array().unwrap();
    for (s, raw) in r.steps.iter().zip(nested) {
        assert_eq!(s.successful, raw["successful"].as_bool().unwrap());
        let n = raw
            .get("details")
            .and_then(|d| d.as_array())
            .map_or(0, |d| d.len());
        assert_eq!(s.details.len(), n, "{}", s.object_id);
    }
    assert!(r.steps[0].details[0].message.contains("Employees"));
    assert!(r.details.is_empty(), "a process has no details of its own");
}

#[test]
fn polling_backs_off() {
    let e = emulator_with_tasks_of(3000);
    let c = connect_model(&e);
    let started = Instant::now();
    let r = c
        .run(ACTION_CLEAR_EMPLOYEES, &RunOptions::default())
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(r.state, TaskState::Complete);
    let polls = e.count(
        "GET",
        &format!("*/actions/{ACTION_CLEAR_EMPLOYEES}/tasks/*"),
    );
    // Polls are separated by the backoff schedule: count how many of its delays fit in the run.
    let mut schedule = PollBackoff::default();
    let (mut fit, mut total) = (1, Duration::ZERO);
    loop {
        total += schedule.next_delay();
        if total > elapsed {
            break;
        }
        fit += 1;
    }
    assert!(
        polls >= 2 && polls <= fit,
        "{polls} polls in {elapsed:?} (the schedule allows {fit})"
    );
    // A fixed 100 ms interval would have polled about 30 times.
    assert!(polls < 15, "{polls} polls for a 3 s task");
}

#[test]
fn the_overall_timeout_cancels_the_server_task() {
    let e = emulator_with_tasks_of(5000);
    let c = connect_model(&e);
    let opts = RunOptions {
        timeout: Some(Duration::from_millis(400)),
        ..RunOptions::default()
    };
    let err = c.run(ACTION_CLEAR_EMPLOYEES, &opts).unwrap_err();
    let tasks = server_tasks(&e, ACTION_CLEAR_EMPLOYEES);
    assert_eq!(tasks.len(), 1);
    let id = &tasks[0].0;
    assert!(
        matches!(&err, Error::Timeout(m) if m.contains(id.as_str())),
        "{err}"
    );
    assert_eq!(
        e.count(
            "DELETE",
            &format!("*/actions/{ACTION_CLEAR_EMPLOYEES}/tasks/{id}")
        ),
        1
    );
    assert_eq!(
        wait_server_state(&e, ACTION_CLEAR_EMPLOYEES, id, &["CANCELLED"]),
        "CANCELLED"
    );
}

#[test]
fn a_timeout_can_leave_the_task_running() {
    let e = emulator_with_tasks_of(1500);
    let c = connect_model(&e);
    let opts = RunOptions {
        timeout: Some(Duration::from_millis(300)),
        cancel_on_timeout: false,
        ..RunOptions::default()
    };
    assert!(matches!(
        c.run(ACTION_CLEAR_EMPLOYEES, &opts),
        Err(Error::Timeout(_))
    ));
    assert_eq!(e.count("DELETE", "*/tasks/*"), 0);
    let id = server_tasks(&e, ACTION_CLEAR_EMPLOYEES)[0].0.clone();
    assert_eq!(
        wait_server_state(&e, ACTION_CLEAR_EMPLOYEES, &id, &["COMPLETE"]),
        "COMPLETE"
    );
}

#[test]
fn cancel_from_another_thread_cancels_on_the_server() {
    let e = emulator_with_tasks_of(5000);
    let c = connect_model(&e);
    let token = CancelToken::new();
    let opts = RunOptions {
        cancel: Some(token.clone()),
        ..RunOptions::default()
    };
    let worker = {
        let c = c.clone();
        std::thread::spawn(move || c.run(ACTION_CLEAR_EMPLOYEES, &opts))
    };
    // Cancel once the run is polling a started task.
    e.wait_for(
        "GET",
        &format!("*/actions/{ACTION_CLEAR_EMPLOYEES}/tasks/*"),
        1,
    );
    token.cancel();
    let res = worker.join().unwrap();
    assert!(matches!(res, Err(Error::Cancelled)), "{res:?}");
    let tasks = server_tasks(&e, ACTION_CLEAR_EMPLOYEES);
    assert_eq!(tasks.len(), 1);
    let status = c
        .task_status(TaskKind::Action, ACTION_CLEAR_EMPLOYEES, &tasks[0].0)
        .unwrap();
    assert_eq!(status.state, TaskState::Cancelled);
}

#[test]
fn a_cancel_before_the_start_starts_nothing() {
    let e = emulator();
    let c = connect_model(&e);
    let token = CancelToken::new();
    token.cancel();
    let opts = RunOptions {
        cancel: Some(token),
        ..RunOptions::default()
    };
    assert!(matches!(
        c.run(IMPORT_EMPLOYEES, &opts),
        Err(Error::Cancelled)
    ));
    assert_eq!(e.count("POST", "*/tasks"), 0);
}

#[test]
fn the_progress_callback_sees_progress_on_the_calling_thread_and_can_cancel() {
    let e = emulator_with_tasks_of(5000);
    let c = connect_model(&e);
    let caller = std::thread::current().id();
    let seen: Arc<Mutex<Vec<(TaskState, f64)>>> = Arc::default();
    let mut cb = |state: &TaskState, progress: f64| {
        assert_eq!(std::thread::current().id(), caller);
        seen.lock().unwrap().push((state.clone(), progress));
        // Cancel once the task runs.
        *state != TaskState::InProgress
    };
    let res = c.run_with_progress(ACTION_CLEAR_EMPLOYEES, &RunOptions::default(), &mut cb);
    assert!(matches!(res, Err(Error::Cancelled)), "{res:?}");
    let seen = seen.lock().unwrap();
    assert!(seen.iter().any(|s| s.0 == TaskState::InProgress));
    assert_eq!(seen.last().unwrap().0, TaskState::Cancelled);
    assert!(seen.iter().all(|s| (0.0..=1.0).contains(&s.1)));
    let tasks = server_tasks(&e, ACTION_CLEAR_EMPLOYEES);
    let status = c
        .task_status(TaskKind::Action, ACTION_CLEAR_EMPLOYEES, &tasks[0].0)
        .unwrap();
    assert_eq!(status.state, TaskState::Cancelled);
}

#[test]
fn starting_is_retried_without_duplicates_under_503_and_429() {
    for code in [503, 429] {
        let e = emulator();
        let c = connect_model(&e);
        e.add_fault(fault(
            "POST",
            &format!("*/imports/{IMPORT_EMPLOYEES}/tasks"),
            status(code),
            Some(2),
        ));
        let r = c.run(IMPORT_EMPLOYEES, &RunOptions::default()).unwrap();
        assert_eq!(r.state, TaskState::Complete);
        let posts = e.matching("POST", &format!("*/imports/{IMPORT_EMPLOYEES}/tasks"));
        assert_eq!(posts.len(), 3, "{code}: two refused, one accepted");
        assert_eq!(
            posts.iter().filter(|p| p.status == code).count(),
            2,
            "{code}"
        );
        assert_eq!(
            server_tasks(&e, IMPORT_EMPLOYEES).len(),
            1,
            "{code}: one task"
        );
    }
}

#[test]
fn a_lost_answer_adopts_the_task_instead_of_starting_another() {
    let e = emulator();
    let (logger, lines) = collecting_logger();
    let c = Client::connect(config_for(&e), basic_credentials(), logger).unwrap();
    c.set_workspace_id(WS).unwrap();
    c.set_model_id(MODEL).unwrap();
    // An earlier task of the same import, so adoption has to tell old from new.
    let first = c.run(IMPORT_EMPLOYEES, &RunOptions::default()).unwrap();
    e.add_fault(fault(
        "POST",
        &format!("*/imports/{IMPORT_EMPLOYEES}/tasks"),
        Fault::ResetResponse { after_bytes: 0 },
        Some(1),
    ));
    let r = c.run(IMPORT_EMPLOYEES, &RunOptions::default()).unwrap();
    assert_eq!(r.state, TaskState::Complete);
    assert_ne!(r.task_id, first.task_id);
    let tasks = server_tasks(&e, IMPORT_EMPLOYEES);
    assert_eq!(tasks.len(), 2, "one task for each run");
    assert_eq!(tasks[1].0, r.task_id, "the task the lost POST created");
    assert_eq!(
        e.count("POST", &format!("*/imports/{IMPORT_EMPLOYEES}/tasks")),
        2,
        "the second run sent one POST"
    );
    let adopted = format!("adopting task {}", r.task_id);
    assert!(
        lines
            .lock()
            .unwrap()
            .iter()
            .any(|(_, l)| l.contains(&adopted)),
        "the log says the task was adopted"
    );
}

#[test]
fn a_request_lost_before_it_acted_is_sent_again() {
    let e = emulator();
    let c = connect_model(&e);
    e.add_fault(fault(
        "POST",
        &format!("*/processes/{PROCESS_LOAD_EMPLOYEES}/tasks"),
        Fault::ResetRequest { after_bytes: 0 },
        Some(1),
    ));
    let r = c
        .run(PROCESS_LOAD_EMPLOYEES, &RunOptions::default())
        .unwrap();
    assert_eq!(r.state, TaskState::Complete);
    assert_eq!(server_tasks(&e, PROCESS_LOAD_EMPLOYEES).len(), 1);
    assert_eq!(
        e.count(
            "POST",
            &format!("*/processes/{PROCESS_LOAD_EMPLOYEES}/tasks")
        ),
        2
    );
}

#[test]
fn mapping_parameters_and_locale_are_sent() {
    let e = emulator();
    let c = connect_model(&e);
    let opts = RunOptions {
        locale: Some("en_GB".into()),
        mapping_parameters: vec![MappingParameter::new("Version", "Actual")],
        ..RunOptions::default()
    };
    c.run(IMPORT_EMPLOYEES, &opts).unwrap();
    let tasks = server_tasks(&e, IMPORT_EMPLOYEES);
    assert_eq!(
        tasks[0].2,
        json!({"localeName": "en_GB", "mappingParameters": [{"entityType": "Version", "entityName": "Actual"}]})
    );
    let expected = r#"{"localeName":"en_GB","mappingParameters":[{"entityType":"Version","entityName":"Actual"}]}"#;
    let post = &e.matching("POST", &format!("*/imports/{IMPORT_EMPLOYEES}/tasks"))[0];
    assert_eq!(post.bytes_in, expected.len() as u64);
    assert_eq!(
        post.request_content_type.as_deref(),
        Some("application/json")
    );

    // Without options: the connection's locale, no mapping.
    c.run(PROCESS_LOAD_EMPLOYEES, &RunOptions::default())
        .unwrap();
    assert_eq!(
        server_tasks(&e, PROCESS_LOAD_EMPLOYEES)[0].2,
        json!({"localeName": "en_US"})
    );
}

#[test]
fn mapping_parameters_on_an_export_are_refused_before_sending() {
    let e = emulator();
    let c = connect_model(&e);
    let opts = RunOptions {
        mapping_parameters: vec![MappingParameter::new("Version", "Actual")],
        ..RunOptions::default()
    };
    let err = c.run(EXPORT_EMPLOYEES, &opts).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    assert_eq!(e.count("POST", "*/tasks"), 0);
}

#[test]
fn a_wrong_id_is_not_found() {
    let e = emulator();
    let c = connect_model(&e);
    let err = c.run("112999999999", &RunOptions::default()).unwrap_err();
    match &err {
        Error::NotFound { kind, name, .. } => {
            assert_eq!(*kind, "import");
            assert_eq!(name, "112999999999");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    let err = c.run("113000000001", &RunOptions::default()).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "a file id: {err}");
}

#[test]
fn objects_run_by_name_and_unknown_names_are_not_found() {
    let e = emulator_with_tasks_of(100);
    let c = connect_model(&e);
    let result = c.run("Load Employees", &RunOptions::default()).unwrap();
    assert_eq!(result.object_id, "118000000001");
    assert_eq!(result.steps.len(), 4);
    let result = c.run("Employees.csv", &RunOptions::default()).unwrap();
    assert_eq!(result.object_id, "116000000001", "the export of that name");
    match c.run("No Such Action", &RunOptions::default()) {
        Err(Error::NotFound { name, .. }) => assert_eq!(name, "No Such Action"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(server_tasks(&e, "118000000001").len(), 1);
}

fn connect_without_retries(e: &Emu) -> Client {
    let mut config = config_for(e);
    config.max_retries = 0;
    let c = Client::connect(config, basic_credentials(), Logger::default()).unwrap();
    c.set_workspace_id(WS).unwrap();
    c.set_model_id(MODEL).unwrap();
    c
}

/// Status polls are safe to repeat: failures of the polls (after the connection's own retries,
/// none here) do not end the run while the task goes on, so nobody starts it a second time.
#[test]
fn the_wait_polls_through_failed_status_polls() {
    let e = emulator_with_tasks_of(700);
    let c = connect_without_retries(&e);
    let polls = format!("*/actions/{ACTION_CLEAR_EMPLOYEES}/tasks/*");
    e.add_fault(fault("GET", &polls, status(503), Some(2)));
    e.add_fault(fault(
        "GET",
        &polls,
        Fault::ResetResponse { after_bytes: 0 },
        Some(1),
    ));
    e.add_fault(fault("GET", &polls, status(500), Some(1)));
    let r = c
        .run(ACTION_CLEAR_EMPLOYEES, &RunOptions::default())
        .unwrap();
    assert_eq!(r.state, TaskState::Complete);
    let failed = e
        .matching("GET", &polls)
        .iter()
        .filter(|p| p.status >= 500 || p.fault.is_some())
        .count();
    assert!(failed >= 4, "the faults fired ({failed})");
    assert_eq!(
        server_tasks(&e, ACTION_CLEAR_EMPLOYEES).len(),
        1,
        "started once"
    );
}

/// When the polls keep failing until the run's timeout, the error says that the task may still
/// be running, and names it.
#[test]
fn a_wait_that_gives_up_says_the_task_may_still_run() {
    let e = emulator_with_tasks_of(60_000);
    let c = connect_without_retries(&e);
    let polls = format!("*/actions/{ACTION_CLEAR_EMPLOYEES}/tasks/*");
    e.add_fault(fault("GET", &polls, status(503), None));
    let opts = RunOptions {
        timeout: Some(Duration::from_millis(1500)),
        cancel_on_timeout: false,
        ..RunOptions::default()
    };
    let err = c.run(ACTION_CLEAR_EMPLOYEES, &opts).unwrap_err();
    let tasks = server_tasks(&e, ACTION_CLEAR_EMPLOYEES);
    assert_eq!(tasks.len(), 1, "started once");
    let message = err.to_string();
    assert!(message.contains("may still be running"), "{message}");
    assert!(message.contains(&tasks[0].0), "names the task: {message}");
}

/// The C contract of `anaplan_client_free` while calls run: they finish as they would have (the
/// run waits for its task, which completes), and the sign-out comes after the last of them.
#[test]
fn freeing_the_client_lets_a_running_call_finish_then_signs_out() {
    use anaplan::ffi::client::anaplan_client;
    use anaplan::ffi::client::connect::anaplan_client_connect_basic;
    use anaplan::ffi::status::ANAPLAN_STATUS_OK;
    use anaplan::ffi::task_result::anaplan_task_result;
    use std::ffi::CString;

    let e = emulator_with_tasks_of(1500);
    let mut config = std::ptr::null_mut();
    // SAFETY: a local out-param.
    let st = unsafe { anaplan::ffi::config::anaplan_config_new(&mut config) };
    assert_eq!(st, ANAPLAN_STATUS_OK);
    let url = CString::new(e.emu.api_url.clone()).unwrap();
    // SAFETY: a live config and NUL-terminated strings.
    unsafe {
        anaplan::ffi::config::anaplan_config_set_api_url(config, url.as_ptr());
        anaplan::ffi::config::anaplan_config_set_auth_url(config, url.as_ptr());
    }
    let (user, password) = (CString::new(USER).unwrap(), CString::new(PASSWORD).unwrap());
    let mut client: *mut anaplan_client = std::ptr::null_mut();
    // SAFETY: a live config, NUL-terminated strings and a local out-param.
    let st = unsafe {
        anaplan_client_connect_basic(config, user.as_ptr(), password.as_ptr(), &mut client)
    };
    assert_eq!(st, ANAPLAN_STATUS_OK);
    // SAFETY: a live config.
    unsafe { anaplan::ffi::config::anaplan_config_free(config) };
    let (ws, model) = (CString::new(WS).unwrap(), CString::new(MODEL).unwrap());
    // SAFETY: a live client and NUL-terminated strings.
    unsafe {
        anaplan::ffi::client::anaplan_client_set_workspace(
            client,
            ws.as_ptr(),
            std::ptr::null_mut(),
        );
        anaplan::ffi::client::anaplan_client_set_model(
            client,
            model.as_ptr(),
            std::ptr::null_mut(),
        );
    }
    let handle = client as usize;
    let run = std::thread::spawn(move || {
        let object = CString::new(ACTION_CLEAR_EMPLOYEES).unwrap();
        let mut result: *mut anaplan_task_result = std::ptr::null_mut();
        // SAFETY: the handle is checked by the library; a local out-param.
        let st = unsafe {
            anaplan::ffi::client::run::anaplan_client_run(
                handle as *mut anaplan_client,
                object.as_ptr(),
                std::ptr::null(),
                &mut result,
            )
        };
        // SAFETY: a result handle (or NULL), checked by the library.
        unsafe { anaplan::ffi::task_result::anaplan_task_result_free(result) };
        st
    });
    // Free while the run waits for its task.
    e.wait_for(
        "POST",
        &format!("*/actions/{ACTION_CLEAR_EMPLOYEES}/tasks"),
        1,
    );
    // SAFETY: a live client, freed once.
    let st = unsafe { anaplan::ffi::client::connect::anaplan_client_free(client) };
    assert_eq!(st, ANAPLAN_STATUS_OK);
    assert_eq!(
        e.count("POST", "/token/logout"),
        0,
        "not while the run goes on"
    );
    assert_eq!(run.join().unwrap(), ANAPLAN_STATUS_OK, "the run finished");
    let tasks = server_tasks(&e, ACTION_CLEAR_EMPLOYEES);
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].1, "COMPLETE");
    assert_eq!(
        e.wait_for("POST", "/token/logout", 1).len(),
        1,
        "signed out after it"
    );
}
