//! Downloads against the emulator over real HTTP: to a path, to memory and to a callback, in
//! order while chunks are fetched in parallel, retries of a dropped chunk, all-or-nothing files,
//! cancellation, files without content, and an export's output.

mod common;
mod transfer_common;

use std::time::{Duration, Instant};

use anaplan::client::{CancelToken, Error, Request, TransferOptions};
use common::{fault, status, Fault, EXPORT_EMPLOYEES, FILE_SALARIES};
use serde_json::json;
use transfer_common::*;

const FILE: &str = FILE_SALARIES;

/// Uploads 4.5 chunks of 1 MB and returns the data.
fn uploaded(c: &anaplan::client::Client) -> Vec<u8> {
    let data = csv_data(4 * MB + MB / 2, 11);
    c.upload_bytes(FILE, &data, None).unwrap();
    data
}

#[test]
fn to_path_memory_and_callback_give_the_uploaded_bytes() {
    let e = common::emulator();
    let c = connect(&e, MB, 3, true);
    let data = uploaded(&c);

    e.clear_requests();
    assert_eq!(c.download_to_vec(FILE, None).unwrap(), data);
    assert_eq!(times_per_chunk(&chunk_gets(&e, FILE)), [1; 5]);

    let dir = scratch_dir("download-sources");
    let path = dir.join("out.csv");
    assert_eq!(
        c.download_to_path(FILE, &path, None).unwrap(),
        data.len() as u64
    );
    assert_eq!(std::fs::read(&path).unwrap(), data);
    assert_eq!(dir_entries(&dir), ["out.csv"], "no temporary file left");

    let me = std::thread::current().id();
    let (mut got, mut pieces) = (Vec::new(), 0);
    let mut sink = |piece: &[u8]| {
        assert_eq!(std::thread::current().id(), me);
        got.extend_from_slice(piece);
        pieces += 1;
        Ok(())
    };
    let mut reports = Vec::new();
    let mut progress = |done: u64, total: i64| {
        assert_eq!(std::thread::current().id(), me);
        reports.push((done, total));
        true
    };
    let n = c.download_to(FILE, &mut sink, Some(&mut progress)).unwrap();
    assert_eq!(n, data.len() as u64);
    assert_eq!(got, data);
    assert_eq!(pieces, 5, "one call per chunk, in order");
    assert_eq!(reports.len(), 5);
    assert_eq!(reports.last(), Some(&(data.len() as u64, -1)));
}

#[test]
fn chunks_are_fetched_in_parallel_and_written_in_order() {
    let e = common::emulator();
    let c = connect(&e, MB, 4, false);
    let data = uploaded(&c);
    // Chunk 0 is the slowest: the others arrive first and must wait for it.
    e.add_fault(fault(
        "GET",
        "/2/0/*/chunks/0",
        Fault::Latency { ms: 500 },
        None,
    ));
    e.add_fault(fault(
        "GET",
        "/2/0/*/chunks/*",
        Fault::Latency { ms: 200 },
        None,
    ));
    e.clear_requests();
    assert_eq!(c.download_to_vec(FILE, None).unwrap(), data);
    let gets = chunk_gets(&e, FILE);
    assert_eq!(times_per_chunk(&gets), [1; 5]);
    assert!(max_overlap(&gets) >= 2, "no overlap: {gets:#?}");
    assert!(max_overlap(&gets) <= 4, "at most `parallelism` in flight");
}

#[test]
fn one_download_runs_with_its_own_parallelism_and_cancel_token() {
    let e = common::emulator();
    let c = connect(&e, MB, 4, false);
    let data = uploaded(&c);
    e.add_fault(fault(
        "GET",
        "/2/0/*/chunks/*",
        Fault::Latency { ms: 300 },
        None,
    ));
    let mut one_at_a_time = TransferOptions::new();
    one_at_a_time.set_parallelism(1).unwrap();
    e.clear_requests();
    let got = c.with_transfer(&one_at_a_time).download_to_vec(FILE, None);
    assert_eq!(got.unwrap(), data);
    let gets = chunk_gets(&e, FILE);
    assert_eq!(times_per_chunk(&gets), [1; 5]);
    assert_eq!(max_overlap(&gets), 1, "one chunk in flight: {gets:#?}");

    // Cancelled from another thread once the first chunk arrived: the other four (1.2 s at
    // least, one at a time) are not all fetched, and no file is left.
    let token = CancelToken::new();
    let mut options = TransferOptions::with_cancel(token.clone());
    options.set_parallelism(1).unwrap();
    e.clear_requests();
    let dir = scratch_dir("download-cancel-token");
    let target = dir.join("salaries.csv");
    let err = std::thread::scope(|s| {
        s.spawn(|| {
            e.wait_for("GET", &format!("*/files/{FILE}/chunks/0"), 1);
            token.cancel();
        });
        c.with_transfer(&options)
            .download_to_path(FILE, &target, None)
            .unwrap_err()
    });
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert!(chunk_gets(&e, FILE).len() < 5);
    assert!(dir_entries(&dir).is_empty(), "{:?}", dir_entries(&dir));
}

#[test]
fn a_connection_reset_mid_chunk_is_retried() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    let data = uploaded(&c);
    e.add_fault(fault(
        "GET",
        "/2/0/*/chunks/1",
        Fault::ResetResponse { after_bytes: 1000 },
        Some(1),
    ));
    e.clear_requests();
    assert_eq!(c.download_to_vec(FILE, None).unwrap(), data);
    let gets = chunk_gets(&e, FILE);
    assert_eq!(times_per_chunk(&gets), [1, 2, 1, 1, 1], "{gets:#?}");
    let first = gets.iter().find(|(n, _)| *n == 1).unwrap();
    assert!(!first.1.complete, "the first answer was cut short");
}

#[test]
fn a_failed_download_leaves_no_partial_file_and_keeps_the_old_one() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    uploaded(&c);
    let dir = scratch_dir("download-failure");
    let path = dir.join("out.csv");
    std::fs::write(&path, b"the previous export").unwrap();

    // A chunk that keeps failing.
    e.add_fault(fault("GET", "/2/0/*/chunks/3", status(500), None));
    let err = c.download_to_path(FILE, &path, None).unwrap_err();
    match &err {
        Error::Http {
            status, message, ..
        } => {
            assert_eq!(*status, 500);
            assert!(message.contains("chunk 3"), "{err}");
        }
        other => panic!("expected HTTP 500, got {other:?}"),
    }
    assert_eq!(dir_entries(&dir), ["out.csv"]);
    assert_eq!(std::fs::read(&path).unwrap(), b"the previous export");
    e.clear_faults();

    // Cancelled from the progress callback.
    let mut stop = |_: u64, _: i64| false;
    let err = c
        .download_to_path(FILE, &path, Some(&mut stop))
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert_eq!(dir_entries(&dir), ["out.csv"]);
    assert_eq!(std::fs::read(&path).unwrap(), b"the previous export");

    // A new path: nothing at all is left.
    let fresh = dir.join("fresh.csv");
    let err = c
        .download_to_path(FILE, &fresh, Some(&mut stop))
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert_eq!(dir_entries(&dir), ["out.csv"]);

    // A missing folder: Io naming it.
    let nowhere = dir.join("no/such/dir/out.csv");
    assert!(matches!(
        c.download_to_path(FILE, &nowhere, None),
        Err(Error::Io { .. })
    ));
}

#[test]
fn a_failing_write_callback_stops_the_download() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    uploaded(&c);
    e.clear_requests();
    let mut calls = 0;
    let mut sink = |_: &[u8]| {
        calls += 1;
        Err(Error::Cancelled)
    };
    let err = c.download_to(FILE, &mut sink, None).unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert_eq!(calls, 1);
    assert!(
        chunk_gets(&e, FILE).len() < 5,
        "stopped before fetching everything"
    );
}

#[test]
fn a_file_without_content_is_a_404_that_says_so() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    // Anaplan keeps a file without content after a chunk count of 0.
    let path = format!("{}/files/{FILE}", c.model_path().unwrap());
    c.send(Request::post(path).json(&json!({"chunkCount": 0})), None)
        .unwrap()
        .ensure_success()
        .unwrap();
    let err = c.download_to_vec(FILE, None).unwrap_err();
    assert_eq!(err.http_status(), Some(404), "{err:?}");
    assert!(err.to_string().contains("has no content"), "{err}");

    // An id that is no file at all: the API's own 404.
    let err = c.download_to_vec("113999999999", None).unwrap_err();
    assert_eq!(err.http_status(), Some(404), "{err:?}");
}

#[test]
fn an_exports_output_downloads_after_the_export_runs() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    let tasks = format!(
        "{}/exports/{EXPORT_EMPLOYEES}/tasks",
        c.model_path().unwrap()
    );
    let started = c
        .send(
            Request::post(&tasks).json(&json!({"localeName": "en_US"})),
            None,
        )
        .unwrap()
        .ensure_success()
        .unwrap()
        .json()
        .unwrap();
    let task = started["task"]["taskId"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = c.get_json(&format!("{tasks}/{task}")).unwrap();
        if s["task"]["taskState"] == "COMPLETE" {
            assert_eq!(s["task"]["result"]["successful"], true, "{s}");
            break;
        }
        assert!(Instant::now() < deadline, "export did not finish: {s}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let got = c.download_to_vec(EXPORT_EMPLOYEES, None).unwrap();
    assert_eq!(got, raw_download(&c, EXPORT_EMPLOYEES));
    let text = String::from_utf8(got).unwrap();
    assert!(text.starts_with("Employees,Parent,Code,"), "{text}");
    assert!(text.lines().count() >= 3, "header and rows: {text}");
    assert!(text.contains("Alice Martin"), "{text}");
}
