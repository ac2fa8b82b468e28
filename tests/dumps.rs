//! Failure dumps against the emulator: the import's dump, each failing process step's dump, as
//! text and as files, and the summary in the format of Anaplan's Python script.

mod common;

use std::path::PathBuf;

use anaplan::client::http::Request;
use anaplan::client::tasks::RunOptions;
use anaplan::client::{Client, Error};
use common::*;

/// The whole dump as the server's single-request route returns it, to compare with the chunked
/// fetch.
fn whole_dump(c: &Client, path_after_model: &str) -> String {
    let path = format!("{}{path_after_model}", c.model_path().unwrap());
    let res = c.send(Request::get(path), None).unwrap();
    assert_eq!(res.status, 200);
    String::from_utf8(res.body.to_vec()).unwrap()
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "anaplan-dumps-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_import_dump_has_the_rejected_and_warned_rows() {
    let e = emulator();
    let c = connect_model(&e);
    let r = c.run(IMPORT_EMPLOYEES, &RunOptions::default()).unwrap();
    assert!(r.failure_dump_available);
    let text = c.task_dump_text(&r, None).unwrap();
    assert_eq!(
        text,
        whole_dump(
            &c,
            &format!("/imports/{IMPORT_EMPLOYEES}/tasks/{}/dump", r.task_id)
        )
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("\"_Status_\","), "{text}");
    assert!(lines[0].ends_with(",\"_Line_\",\"_Error_1_\""), "{text}");
    assert!(
        lines.iter().any(|l| l.starts_with("\"E\"")
            && l.ends_with("\"Error parsing key for this row; no values\"")),
        "{text}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("\"W\"") && l.ends_with("\"Invalid parent\""))
            .count(),
        2,
        "{text}"
    );
    // Chunks were fetched, not the whole-dump route.
    assert_eq!(e.count("GET", "*/dump/chunks"), 1);
    assert_eq!(e.count("GET", "*/dump/chunks/0"), 1);
    // An import has one dump: a step index makes no sense, and the summary shows it.
    assert!(matches!(
        c.task_dump_text(&r, Some(0)),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn each_failing_process_step_has_its_dump() {
    let e = emulator();
    let c = connect_model(&e);
    let r = c
        .run(PROCESS_LOAD_EMPLOYEES, &RunOptions::default())
        .unwrap();
    let employees = c.task_dump_text(&r, Some(0)).unwrap();
    let details = c.task_dump_text(&r, Some(1)).unwrap();
    let base = format!(
        "/processes/{PROCESS_LOAD_EMPLOYEES}/tasks/{}/dumps",
        r.task_id
    );
    assert_eq!(
        employees,
        whole_dump(&c, &format!("{base}/{IMPORT_EMPLOYEES}"))
    );
    assert_eq!(details, whole_dump(&c, &format!("{base}/{IMPORT_DETAILS}")));
    assert!(employees.contains("\"Error parsing key for this row; no values\""));
    assert!(employees.contains("\"Invalid parent\""));
    assert!(
        details
            .lines()
            .any(|l| l.ends_with("\"Item not located in Employees list: Zoe Walker\"")),
        "{details}"
    );
    // Steps without a dump, no step at all, or out of range: caller errors, nothing fetched.
    e.clear_requests();
    for step in [Some(2), Some(3), None] {
        assert!(
            matches!(c.task_dump_text(&r, step), Err(Error::InvalidArgument(_))),
            "{step:?}"
        );
    }
    assert!(matches!(
        c.task_dump_text(&r, Some(4)),
        Err(Error::OutOfRange(_))
    ));
    assert_eq!(e.count("GET", "*"), 0);

    let all = c.task_dumps(&r).unwrap();
    let ids: Vec<&str> = all.iter().map(|d| d.object_id.as_str()).collect();
    assert_eq!(ids, vec![IMPORT_EMPLOYEES, IMPORT_DETAILS]);
    assert_eq!(all[0].text, employees);
    assert_eq!(all[1].text, details);
}

#[test]
fn dumps_are_written_to_files_named_after_the_step() {
    let e = emulator();
    let c = connect_model(&e);
    let r = c
        .run(PROCESS_LOAD_EMPLOYEES, &RunOptions::default())
        .unwrap();
    let dir = scratch_dir("process");
    let written = c.write_task_dumps(&r, &dir).unwrap();
    assert_eq!(
        written,
        vec![
            dir.join(format!("{IMPORT_EMPLOYEES}.csv")),
            dir.join(format!("{IMPORT_DETAILS}.csv"))
        ]
    );
    assert_eq!(
        std::fs::read_to_string(&written[0]).unwrap(),
        c.task_dump_text(&r, Some(0)).unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(&written[1]).unwrap(),
        c.task_dump_text(&r, Some(1)).unwrap()
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|d| d.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            format!("{IMPORT_EMPLOYEES}.csv"),
            format!("{IMPORT_DETAILS}.csv")
        ],
        "no partial files left"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    // An import: one file; an action: none (and no directory needed).
    let r = c.run(IMPORT_EMPLOYEES, &RunOptions::default()).unwrap();
    let dir = scratch_dir("import");
    let written = c.write_task_dumps(&r, &dir).unwrap();
    assert_eq!(written, vec![dir.join(format!("{IMPORT_EMPLOYEES}.csv"))]);
    std::fs::remove_dir_all(&dir).unwrap();
    let r = c
        .run(ACTION_DELETE_LEAVERS, &RunOptions::default())
        .unwrap();
    let dir = scratch_dir("action");
    assert!(c.write_task_dumps(&r, &dir).unwrap().is_empty());
    assert!(!dir.exists());
}

#[test]
fn the_process_summary_reads_like_anaplans_script() {
    let e = emulator();
    let c = connect_model(&e);
    let r = c
        .run(PROCESS_LOAD_EMPLOYEES, &RunOptions::default())
        .unwrap();
    let summary = c.task_summary(&r).unwrap();
    let employees = c.task_dump_text(&r, Some(0)).unwrap();
    let details = c.task_dump_text(&r, Some(1)).unwrap();
    let lines = format!(
        "Process action {IMPORT_EMPLOYEES} completed. Failure: True\n\
         Process action {IMPORT_DETAILS} completed. Failure: True\n\
         Process action {ACTION_DELETE_LEAVERS} completed. Failure: False\n\
         Process action {EXPORT_DETAILS} completed. Failure: False\n\
         \n\
         Details:\n"
    );
    assert!(summary.starts_with(&lines), "{summary}");
    // A heading per step with its kind, id and outcome, then its details, a line each.
    for (i, (noun, id)) in [
        ("import", IMPORT_EMPLOYEES),
        ("import", IMPORT_DETAILS),
        ("action", ACTION_DELETE_LEAVERS),
        ("export", EXPORT_DETAILS),
    ]
    .iter()
    .enumerate()
    {
        let heading = format!("\nStep {} of 4, {noun} {id}", i + 1);
        assert!(summary.contains(&heading), "{heading} in {summary}");
        for d in &r.steps[i].details {
            assert!(summary.contains(&format!("\n  {}\n", d.message.trim_end())));
            for (name, value) in &d.values {
                assert!(
                    summary.contains(&format!("\n    {name}: {value}\n")),
                    "{name}"
                );
            }
        }
    }
    assert!(summary.contains("    hierarchyName: Employees\n"));
    assert!(
        !summary.contains("\nhierarchyName\n"),
        "no names and values on lines of their own"
    );
    assert!(summary.ends_with(&format!(
        "\nFailure dump(s):\n\
         Error dump for {IMPORT_EMPLOYEES}\n\
         {employees}\
         Error dump for {IMPORT_DETAILS}\n\
         {details}"
    )));
    assert!(summary.contains("Item not located in Employees list: Zoe Walker"));
}

#[test]
fn the_import_summary_has_load_details_and_the_dump() {
    let e = emulator();
    let c = connect_model(&e);
    let r = c.run(IMPORT_EMPLOYEES, &RunOptions::default()).unwrap();
    let summary = c.task_summary(&r).unwrap();
    let dump = c.task_dump_text(&r, None).unwrap();
    let d = &r.details[0];
    let successful = if r.successful { "True" } else { "False" };
    let head = format!(
        "Failure Dump Available: True, Successful: {successful}\nLoad details:\n  {}\n",
        d.message.trim_end()
    );
    assert!(summary.starts_with(&head), "{summary}");
    for (name, value) in &d.values {
        assert!(
            summary.contains(&format!("\n    {name}: {value}\n")),
            "{name}"
        );
    }
    assert!(summary.ends_with(&format!("\nFailure dump:\n{dump}")));
}

#[test]
fn an_older_tasks_dump_is_gone() {
    let e = emulator();
    let c = connect_model(&e);
    let first = c.run(IMPORT_EMPLOYEES, &RunOptions::default()).unwrap();
    let _second = c.run(IMPORT_EMPLOYEES, &RunOptions::default()).unwrap();
    match c.task_dump_text(&first, None) {
        Err(Error::NotFound { kind, name, .. }) => {
            assert_eq!(kind, "failure dump");
            assert_eq!(name, IMPORT_EMPLOYEES);
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}
