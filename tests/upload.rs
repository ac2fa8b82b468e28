//! Uploads against the emulator over real HTTP: every source, gzip on and off, chunk counts,
//! parallelism, retries of one chunk, failures naming the chunk, cancellation, token expiry,
//! and what the library refuses before sending anything.

mod common;
mod transfer_common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anaplan::client::{
    CancelToken, Client, Error, Level, LogSink, Logger, TransferOptions, TransferSettings,
};
use common::{fault, status, Fault, FILE_EMPLOYEES, FILE_SALARIES};
use transfer_common::*;

const FILE: &str = FILE_SALARIES;

/// 3.5 chunks of 1 MB: three full chunks and a short one.
fn data() -> Vec<u8> {
    csv_data(3 * MB + MB / 2, 1)
}

fn assert_chunks_once(e: &common::Emu, file: &str, n: usize) -> Vec<(u64, common::LogEntry)> {
    let puts = chunk_puts(e, file);
    assert_eq!(times_per_chunk(&puts), vec![1; n], "{puts:#?}");
    assert!(puts.iter().all(|(_, r)| r.status == 204));
    puts
}

#[test]
fn each_source_uploads_gzipped_chunks_that_read_back_identical() {
    let e = common::emulator();
    let c = connect(&e, MB, 3, true);
    let data = data();
    let dir = scratch_dir("upload-sources");
    let path = dir.join("salaries.csv");
    std::fs::write(&path, &data).unwrap();

    type Source<'a> = Box<dyn Fn() -> anaplan::client::upload::UploadSummary + 'a>;
    let sources: Vec<(&str, bool, Source)> = vec![
        (
            "path",
            false,
            Box::new(|| c.upload_file(FILE, &path, None).unwrap()),
        ),
        (
            "memory",
            false,
            Box::new(|| c.upload_bytes(FILE, &data, None).unwrap()),
        ),
        (
            "stream of unknown size",
            true,
            Box::new(|| {
                let mut up = c.upload_begin(FILE, None).unwrap();
                // Odd piece sizes that straddle chunk boundaries.
                let sizes = [1usize, 777_777, 13, MB, 3, 456_789];
                let (mut rest, mut i) = (&data[..], 0);
                while !rest.is_empty() {
                    let n = sizes[i % sizes.len()].min(rest.len());
                    up.write(&rest[..n]).unwrap();
                    rest = &rest[n..];
                    i += 1;
                }
                up.finish().unwrap()
            }),
        ),
        (
            "stream of announced size",
            false,
            Box::new(|| {
                let mut up = c.upload_begin(FILE, Some(data.len() as u64)).unwrap();
                for piece in data.chunks(333_333) {
                    up.write(piece).unwrap();
                }
                up.finish().unwrap()
            }),
        ),
    ];
    for (what, completes, upload) in sources {
        e.clear_requests();
        let summary = upload();
        assert_eq!(summary.chunks, 4, "{what}");
        assert_eq!(summary.bytes, data.len() as u64, "{what}");
        assert_eq!(e.count("POST", &format!("*/files/{FILE}")), 1, "{what}");
        assert_eq!(
            e.count("POST", &format!("*/files/{FILE}/complete")),
            usize::from(completes),
            "{what}: complete only after a chunk count of -1"
        );
        let puts = assert_chunks_once(&e, FILE, 4);
        for (n, r) in &puts {
            assert_eq!(
                r.request_content_type.as_deref(),
                Some("application/x-gzip"),
                "{what}"
            );
            let raw = if *n < 3 { MB } else { MB / 2 };
            assert!(
                (r.bytes_in as usize) < raw / 2,
                "{what}: chunk {n} compressed"
            );
        }
        assert_eq!(
            summary.bytes_sent,
            puts.iter().map(|(_, r)| r.bytes_in).sum::<u64>(),
            "{what}"
        );
        // The library's download and the API's whole-file download both give the data back.
        assert_eq!(c.download_to_vec(FILE, None).unwrap(), data, "{what}");
        assert_eq!(raw_download(&c, FILE), data, "{what}");
    }
}

#[test]
fn without_gzip_chunks_go_as_octet_stream_of_the_chunk_size() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, false);
    let data = data();
    c.upload_bytes(FILE, &data, None).unwrap();
    let puts = assert_chunks_once(&e, FILE, 4);
    for (n, r) in &puts {
        assert_eq!(
            r.request_content_type.as_deref(),
            Some("application/octet-stream")
        );
        assert_eq!(r.bytes_in as usize, if *n < 3 { MB } else { MB / 2 });
    }
    assert_eq!(raw_download(&c, FILE), data);
}

#[test]
fn a_higher_gzip_level_sends_fewer_bytes_of_the_same_file() {
    let e = common::emulator();
    let data = data();
    let mut sent = Vec::new();
    for level in [1, 9] {
        let mut config = common::config_for(&e);
        config.transfer.chunk_size = MB;
        config.transfer.set_gzip_level(level).unwrap();
        let c = Client::connect(config, common::basic_credentials(), Logger::default()).unwrap();
        c.set_workspace_id(common::WS).unwrap();
        c.set_model_id(common::MODEL).unwrap();
        let summary = c.upload_bytes(FILE, &data, None).unwrap();
        assert_eq!(raw_download(&c, FILE), data, "level {level}");
        // What the emulator received is what the summary says was sent.
        let on_wire: u64 = chunk_puts(&e, FILE).iter().map(|(_, r)| r.bytes_in).sum();
        assert_eq!(on_wire, summary.bytes_sent, "level {level}");
        e.clear_requests();
        sent.push(summary.bytes_sent);
    }
    assert!(
        sent[1] < sent[0],
        "level 9 sent {} bytes, level 1 {}",
        sent[1],
        sent[0]
    );
}

#[test]
fn chunks_are_in_flight_at_the_same_time() {
    let e = common::emulator();
    e.add_fault(fault(
        "PUT",
        "/2/0/*/chunks/*",
        Fault::Latency { ms: 300 },
        None,
    ));
    let c = connect(&e, MB, 4, true);
    c.upload_bytes(FILE, &csv_data(4 * MB, 2), None).unwrap();
    let puts = assert_chunks_once(&e, FILE, 4);
    // Lower bound only: with 300 ms of latency each, at least two were served together.
    let overlap = max_overlap(&puts);
    assert!(overlap >= 2, "no overlap: {puts:#?}");
    assert!(overlap <= 4);
}

#[test]
fn a_503_on_one_chunk_retries_that_chunk_alone() {
    let e = common::emulator();
    e.add_fault(fault("PUT", "/2/0/*/chunks/2", status(503), Some(1)));
    let c = connect(&e, MB, 2, true);
    let data = csv_data(5 * MB, 3);
    let summary = c.upload_bytes(FILE, &data, None).unwrap();
    assert_eq!(summary.chunks, 5);
    let puts = chunk_puts(&e, FILE);
    assert_eq!(times_per_chunk(&puts), [1, 1, 2, 1, 1], "{puts:#?}");
    let statuses: Vec<u16> = puts
        .iter()
        .filter(|(n, _)| *n == 2)
        .map(|(_, r)| r.status)
        .collect();
    assert_eq!(statuses, [503, 204]);
    assert_eq!(e.count("POST", &format!("*/files/{FILE}")), 1);
    assert_eq!(raw_download(&c, FILE), data);
}

#[test]
fn a_chunk_that_keeps_failing_fails_the_upload_naming_it() {
    let e = common::emulator();
    e.add_fault(fault("PUT", "/2/0/*/chunks/1", status(500), None));
    // Every chunk takes 200 ms, so while chunk 1 is tried four times (about 0.9 s) the other
    // worker gets through a handful of chunks, far from all 24: the stop is visible.
    e.add_fault(fault(
        "PUT",
        "/2/0/*/chunks/*",
        Fault::Latency { ms: 200 },
        None,
    ));
    let c = connect(&e, MB, 2, true);
    let err = c
        .upload_bytes(FILE, &csv_data(24 * MB, 4), None)
        .unwrap_err();
    match &err {
        Error::Http {
            status,
            message,
            path,
            ..
        } => {
            assert_eq!(*status, 500);
            assert!(message.contains("chunk 1"), "{err}");
            assert!(path.ends_with("/chunks/1"), "{err}");
            // What the file is left as, and what to do.
            assert!(message.contains("left incomplete"), "{err}");
            assert!(message.contains("repeat the whole upload"), "{err}");
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    let times = times_per_chunk(&chunk_puts(&e, FILE));
    assert_eq!(times[1], 4, "one try and three retries (config_for)");
    assert!(
        times.iter().enumerate().all(|(n, t)| n == 1 || *t <= 1),
        "nothing else resent: {times:?}"
    );
    let started = times.iter().filter(|t| **t > 0).count();
    assert!(
        started < 24,
        "chunks after the failure were not all started: {times:?}"
    );
}

#[test]
fn the_progress_callback_reports_on_the_calling_thread_and_can_cancel() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    let data = data();
    let me = std::thread::current().id();
    let mut seen = Vec::new();
    let mut record = |done: u64, total: i64| {
        assert_eq!(std::thread::current().id(), me);
        seen.push((done, total));
        true
    };
    c.upload_bytes(FILE, &data, Some(&mut record)).unwrap();
    let total = data.len() as i64;
    assert_eq!(seen.len(), 4);
    assert!(seen.iter().all(|(_, t)| *t == total));
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(seen.last().unwrap().0, data.len() as u64);

    // Cancel at the first report of a 10-chunk upload.
    e.clear_requests();
    let mut calls = 0;
    let mut stop = |_: u64, _: i64| {
        calls += 1;
        false
    };
    let err = c
        .upload_bytes(FILE, &csv_data(10 * MB, 5), Some(&mut stop))
        .unwrap_err();
    assert!(
        matches!(&err, Error::CancelledMidway(m) if m.contains("left incomplete")),
        "{err:?}"
    );
    assert_eq!(calls, 1);
    let sent = chunk_puts(&e, FILE).len();
    assert!(sent <= 3, "stopped promptly: {sent} chunks sent");

    // A stream cancelled from its callback stops in write.
    let mut up = c.upload_begin(FILE, None).unwrap();
    up.set_progress(Some(Box::new(|_, total| {
        assert_eq!(total, -1);
        false
    })));
    let piece = csv_data(MB, 6);
    let err = (0..10)
        .find_map(|_| up.write(&piece).err())
        .expect("cancelled");
    assert!(
        matches!(&err, Error::CancelledMidway(m) if m.contains("left incomplete")),
        "{err:?}"
    );
    assert!(matches!(up.write(&piece), Err(Error::InvalidArgument(_))));
}

#[test]
fn worker_log_lines_reach_the_sink_on_the_calling_thread() {
    let e = common::emulator();
    let lines: Arc<Mutex<Vec<(Level, String, std::thread::ThreadId)>>> = Arc::default();
    let keep = lines.clone();
    let sink: LogSink = Arc::new(move |level, msg| {
        keep.lock()
            .unwrap()
            .push((level, msg.to_string(), std::thread::current().id()));
    });
    let c = connect_logged(&e, MB, 3, true, Logger::new(Some(sink), Level::Debug));
    e.add_fault(fault("PUT", "/2/0/*/chunks/1", status(503), Some(1)));
    c.upload_bytes(FILE, &data(), None).unwrap();
    let me = std::thread::current().id();
    let lines = lines.lock().unwrap();
    let chunk_lines: Vec<_> = lines.iter().filter(|l| l.1.contains("/chunks/")).collect();
    assert!(
        chunk_lines.len() >= 5,
        "request lines of the workers: {lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.0 == Level::Warn && l.1.contains("/chunks/1") && l.1.contains("503")),
        "the retry is logged: {lines:#?}"
    );
    assert!(
        lines.iter().all(|l| l.2 == me),
        "every line on the calling thread"
    );
}

#[test]
fn refused_before_sending_anything() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    let missing = scratch_dir("upload-missing").join("no-such-file.csv");
    match c.upload_file(FILE, &missing, None) {
        Err(Error::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected Io with the path, got {other:?}"),
    }
    let err = c.upload_file(FILE, &missing, None).unwrap_err();
    assert!(err.to_string().contains("no-such-file.csv"), "{err}");

    for bad in [0, MB - 1, 50 * MB + 1, 51 * MB] {
        let mut config = common::config_for(&e);
        config.transfer.chunk_size = bad;
        let c = anaplan::client::Client::connect(
            config,
            common::basic_credentials(),
            Logger::default(),
        )
        .unwrap();
        c.set_workspace_id(common::WS).unwrap();
        c.set_model_id(common::MODEL).unwrap();
        let err = c.upload_bytes(FILE, b"a,b\n", None).unwrap_err();
        assert!(matches!(err, Error::OutOfRange(_)), "{bad}: {err:?}");
        assert!(err.to_string().contains("1 to 50 MB"), "{err}");
        assert!(matches!(
            c.upload_begin(FILE, None),
            Err(Error::OutOfRange(_))
        ));
    }
    // A name where an id belongs.
    let err = c.upload_bytes("Salaries.csv", b"x", None).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert_eq!(e.count("POST", "*/files/*"), 0, "nothing was sent");
    assert_eq!(e.count("PUT", "*"), 0, "nothing was sent");
}

#[test]
fn an_unknown_file_id_is_not_found_rather_than_a_new_file() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    let err = c.upload_bytes("113999999999", b"a,b\n", None).unwrap_err();
    assert!(
        matches!(err, Error::NotFound { kind: "file", .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("113999999999"), "{err}");
    assert_eq!(e.count("PUT", "*"), 0, "no chunk went to the new file");
    assert_eq!(
        e.count("POST", "*/files/*"),
        0,
        "no chunk count set: no new file"
    );
}

/// A failed call loses nothing: a source that is not a readable file, an unknown id and a stream
/// abandoned before its first byte all leave the server's file as it was, with nothing written.
#[test]
fn a_source_that_cannot_be_read_and_an_abandoned_stream_touch_nothing() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    let before = c.download_to_vec(FILE, None).unwrap();
    assert!(!before.is_empty());
    let writes = |e: &common::Emu| e.count("POST", "*") + e.count("PUT", "*");
    e.clear_requests();

    let folder = scratch_dir("upload-folder");
    match c.upload_file(FILE, &folder, None) {
        Err(Error::Io { path, source }) => {
            assert_eq!(path, folder);
            assert!(source.to_string().contains("folder"), "{source}");
        }
        other => panic!("expected Io naming the folder, got {other:?}"),
    }
    let up = c.upload_begin(FILE, None).unwrap();
    drop(up);
    let up = c.upload_begin(FILE, Some(100)).unwrap();
    drop(up);
    let err = c.upload_begin("113999999999", None).unwrap_err();
    assert!(
        matches!(err, Error::NotFound { kind: "file", .. }),
        "{err:?}"
    );

    assert_eq!(writes(&e), 0, "{:#?}", e.requests());
    assert_eq!(c.download_to_vec(FILE, None).unwrap(), before);
    let files = c.list_files().unwrap();
    assert!(files.iter().all(|f| f.id != "113999999999"), "no file made");
}

#[test]
fn an_empty_upload_is_one_empty_chunk() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    for upload in [
        Box::new(|| c.upload_bytes(FILE_EMPLOYEES, &[], None).unwrap()) as Box<dyn Fn() -> _>,
        Box::new(|| {
            c.upload_begin(FILE_EMPLOYEES, None)
                .unwrap()
                .finish()
                .unwrap()
        }),
    ] {
        e.clear_requests();
        let summary = upload();
        assert_eq!((summary.chunks, summary.bytes), (1, 0));
        assert_chunks_once(&e, FILE_EMPLOYEES, 1);
        assert_eq!(c.download_to_vec(FILE_EMPLOYEES, None).unwrap(), b"");
    }
}

#[test]
fn an_announced_size_is_checked() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    let mut up = c.upload_begin(FILE, Some(10)).unwrap();
    up.write(b"12345").unwrap();
    let err = up.finish().unwrap_err();
    assert!(err.to_string().contains("announced as 10 bytes"), "{err}");
    let mut up = c.upload_begin(FILE, Some(3)).unwrap();
    assert!(matches!(up.write(b"12345"), Err(Error::InvalidArgument(_))));
}

#[test]
fn uploads_keep_going_across_token_expiry_and_revocation() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    // Every token issued or refreshed from now on lives 1.5 s; the upload takes longer.
    e.set_token_ttl(Duration::from_millis(1500));
    c.upload_bytes(FILE, b"warm-up: takes a short-lived token", None)
        .unwrap();
    e.add_fault(fault(
        "PUT",
        "/2/0/*/chunks/*",
        Fault::Latency { ms: 400 },
        None,
    ));
    let data = csv_data(8 * MB, 7);
    e.clear_requests();
    // Halfway, every token is revoked as well (an expiry the client did not see coming).
    let mut revoked = false;
    let mut revoke_once = |done: u64, _: i64| {
        if !revoked && done >= 4 * MB as u64 {
            e.revoke_tokens();
            revoked = true;
        }
        true
    };
    c.upload_bytes(FILE, &data, Some(&mut revoke_once)).unwrap();
    assert!(revoked);
    let sign_ins = e.count("POST", "/token/authenticate") + e.count("POST", "/token/refresh");
    assert!(
        sign_ins >= 1,
        "the token was refreshed or renewed: {:#?}",
        e.requests()
    );
    assert!(
        chunk_puts(&e, FILE).iter().any(|(_, r)| r.status == 401),
        "a chunk met the revoked token"
    );
    e.clear_faults();
    assert_eq!(raw_download(&c, FILE), data);
}

/// A stream made from a client works on after `anaplan_client_free` (the contract of the C API:
/// what was made from a client keeps its connection until it is freed itself).
#[test]
fn an_upload_stream_outlives_the_freed_client() {
    use anaplan::ffi::client::anaplan_client;
    use anaplan::ffi::status::ANAPLAN_STATUS_OK;
    use std::ffi::CString;

    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    let handle = anaplan::ffi::toolkit::handles::issue::<anaplan_client>(c).unwrap();
    let file = CString::new(FILE).unwrap();
    let mut stream = std::ptr::null_mut();
    // SAFETY: a live client, a NUL-terminated id and a local out-param.
    let st = unsafe {
        anaplan::ffi::client::upload::anaplan_client_upload_stream(
            handle,
            file.as_ptr(),
            -1,
            std::ptr::null(),
            &mut stream,
        )
    };
    assert_eq!(st, ANAPLAN_STATUS_OK);
    // SAFETY: a live client, freed once.
    let st = unsafe { anaplan::ffi::client::connect::anaplan_client_free(handle) };
    assert_eq!(st, ANAPLAN_STATUS_OK);
    let data = b"Name,Salary\nA,1\n";
    // SAFETY: a live stream and `data.len()` readable bytes.
    let st = unsafe {
        anaplan::ffi::upload_stream::anaplan_upload_stream_write(stream, data.as_ptr(), data.len())
    };
    assert_eq!(st, ANAPLAN_STATUS_OK);
    // SAFETY: a live stream.
    let st = unsafe { anaplan::ffi::upload_stream::anaplan_upload_stream_finish(stream) };
    assert_eq!(st, ANAPLAN_STATUS_OK);
    // SAFETY: a live stream, freed once.
    let st = unsafe { anaplan::ffi::upload_stream::anaplan_upload_stream_free(stream) };
    assert_eq!(st, ANAPLAN_STATUS_OK);
    let reader = connect(&e, MB, 2, true);
    assert_eq!(reader.download_to_vec(FILE, None).unwrap(), data);
    assert_eq!(
        e.wait_for("POST", "/token/logout", 1).len(),
        1,
        "signed out at the end"
    );
}

#[test]
fn one_upload_runs_with_its_own_settings_and_the_connection_keeps_its_own() {
    let e = common::emulator();
    let c = connect(&e, MB, 3, true);
    let data = data();
    let mut options = TransferOptions::new();
    options.set_chunk_size_mb(2).unwrap();
    options.set_parallelism(1).unwrap();
    options.set_gzip(false);
    e.clear_requests();
    c.with_transfer(&options)
        .upload_bytes(FILE, &data, None)
        .unwrap();
    let puts = assert_chunks_once(&e, FILE, 2);
    for (n, r) in &puts {
        assert_eq!(
            r.request_content_type.as_deref(),
            Some("application/octet-stream")
        );
        assert_eq!(
            r.bytes_in as usize,
            if *n == 0 { 2 * MB } else { 3 * MB / 2 }
        );
    }
    assert_eq!(max_overlap(&puts), 1, "one chunk in flight");
    assert_eq!(raw_download(&c, FILE), data);

    // The next call without options is the connection's again: 1 MB gzip chunks.
    e.clear_requests();
    c.upload_bytes(FILE, &data, None).unwrap();
    let puts = assert_chunks_once(&e, FILE, 4);
    assert!(puts
        .iter()
        .all(|(_, r)| r.request_content_type.as_deref() == Some("application/x-gzip")));
    assert_eq!(
        c.transfer_settings(),
        TransferSettings {
            chunk_size: MB,
            parallelism: 3,
            gzip: true,
            ..TransferSettings::default()
        }
    );
}

#[test]
fn a_cancel_token_stops_an_upload_from_another_thread() {
    let e = common::emulator();
    let c = connect(&e, MB, 1, true);
    let token = CancelToken::new();
    let options = TransferOptions::with_cancel(token.clone());
    // At the first chunk's report another thread cancels; the callback waits (at most 10 s)
    // until it has, and asks to go on: only the token stops the upload.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let canceller = {
        let token = token.clone();
        std::thread::spawn(move || {
            if rx.recv_timeout(Duration::from_secs(10)).is_ok() {
                token.cancel();
            }
        })
    };
    let mut reports = 0;
    let mut first_cancels = |_: u64, _: i64| {
        reports += 1;
        if reports == 1 {
            tx.send(()).unwrap();
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while !token.is_cancelled() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        true
    };
    e.clear_requests();
    let err = c
        .with_transfer(&options)
        .upload_bytes(FILE, &csv_data(10 * MB, 7), Some(&mut first_cancels))
        .unwrap_err();
    canceller.join().unwrap();
    assert!(
        matches!(&err, Error::CancelledMidway(m) if m.contains("left incomplete")),
        "{err:?}"
    );
    let sent = chunk_puts(&e, FILE).len();
    assert!(sent < 10, "{sent} of 10 chunks sent after the cancel");

    // A token cancelled before the call: nothing reaches the file, not even a look at it.
    e.clear_requests();
    let err = c
        .with_transfer(&options)
        .upload_bytes(FILE, &data(), None)
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert!(
        e.requests().iter().all(|r| !r.path.contains(FILE)),
        "{:#?}",
        e.requests()
    );
}

#[test]
fn a_transfer_that_stops_itself_leaves_the_callers_token_alone() {
    let e = common::emulator();
    let c = connect(&e, MB, 2, true);
    let token = CancelToken::new();
    let options = TransferOptions::with_cancel(token.clone());
    let err = c
        .with_transfer(&options)
        .upload_bytes(FILE, &data(), Some(&mut |_, _| false))
        .unwrap_err();
    assert!(
        matches!(&err, Error::CancelledMidway(m) if m.contains("left incomplete")),
        "{err:?}"
    );
    assert!(
        !token.is_cancelled(),
        "the upload's own stop is not the caller's cancel"
    );
    // The same options serve the next transfer.
    c.with_transfer(&options)
        .upload_bytes(FILE, &data(), None)
        .unwrap();
    assert_eq!(raw_download(&c, FILE), data());
}
