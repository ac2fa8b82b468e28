//! Injected faults, the request log, the admin endpoint, the connection layer and the CLI,
//! all over real HTTP on loopback.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anaplan_emulator::EmulatorConfig;
use anaplan_emulator::FaultConfig;
use common::*;
use serde_json::{json, Value};

/// An emulator whose fault set is given as JSON (the admin endpoint's format).
fn emulator_with_faults(faults: Value) -> Emu {
    let faults: FaultConfig = serde_json::from_value(faults).expect("fault set JSON");
    emulator_with(EmulatorConfig {
        faults,
        ..EmulatorConfig::default()
    })
}

fn admin(e: &Emu, path: &str) -> String {
    format!("{}/__emulator{path}", e.emu.api_url)
}

fn log_entries(e: &Emu) -> Vec<Value> {
    let res = e.http.get(admin(e, "/requests")).send().unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().unwrap();
    body["requests"].as_array().unwrap().clone()
}

fn authenticate_status(e: &Emu) -> u16 {
    e.http
        .post(e.auth("/token/authenticate"))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

fn validate_status(e: &Emu, token: &str) -> u16 {
    with_token(e.http.get(e.auth("/token/validate")), token)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

fn raw_connect(e: &Emu) -> TcpStream {
    let s = TcpStream::connect(e.emu.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// A response read off a raw socket: the head, the body bytes that arrived, and how the read
/// ended (`Ok` once `Content-Length` bytes arrived).
struct Raw {
    head: String,
    body: Vec<u8>,
    end: Result<(), ErrorKind>,
}

impl Raw {
    fn content_length(&self) -> usize {
        self.head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .expect("content-length header")
    }
}

fn read_raw(s: &mut TcpStream) -> Raw {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut head_len = None;
    loop {
        if let Some(h) = head_len {
            let raw = Raw {
                head: String::from_utf8_lossy(&buf[..h]).into_owned(),
                body: buf[h..].to_vec(),
                end: Ok(()),
            };
            if raw.body.len() >= raw.content_length() {
                return raw;
            }
        }
        let n = match s.read(&mut chunk) {
            Ok(0) => Err(ErrorKind::UnexpectedEof),
            Ok(n) => Ok(n),
            Err(e) => Err(e.kind()),
        };
        match n {
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(kind) => {
                let h = head_len.unwrap_or(buf.len());
                return Raw {
                    head: String::from_utf8_lossy(&buf[..h]).into_owned(),
                    body: buf[h..].to_vec(),
                    end: Err(kind),
                };
            }
        }
        if head_len.is_none() {
            head_len = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4);
        }
    }
}

fn basic_header() -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    format!("Authorization: Basic {b64}\r\n")
}

#[test]
fn too_many_requests_carries_retry_after_then_clears() {
    let e = emulator_with_faults(json!({"rules": [
        {"method": "POST", "path": "/token/authenticate",
         "fault": {"type": "status", "code": 429, "retryAfter": 7}, "times": 1}
    ]}));
    let res = e
        .http
        .post(e.auth("/token/authenticate"))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert_eq!(res.headers()["retry-after"], "7");
    let body: Value = res.json().unwrap();
    assert_eq!(body["status"]["code"], 429);
    assert_eq!(body["path"], "/token/authenticate");
    assert_eq!(authenticate_status(&e), 201);
}

#[test]
fn error_statuses_hit_only_matching_routes_and_methods() {
    let e = emulator_with_faults(json!({"rules": [
        {"path": "/2/0/workspaces/*", "fault": {"type": "status", "code": 500}},
        {"method": "GET", "path": "/2/0/models", "fault": {"type": "status", "code": 503}}
    ]}));
    let token = e.login();
    let status = |method: reqwest::Method, path: &str| {
        with_token(e.http.request(method, e.api(path)), &token)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(
        status(reqwest::Method::GET, &format!("/workspaces/{WS}")),
        500
    );
    assert_eq!(status(reqwest::Method::DELETE, "/workspaces/x/models"), 500);
    assert_eq!(status(reqwest::Method::GET, "/models"), 503);
    assert_ne!(status(reqwest::Method::POST, "/models"), 503);
    assert_ne!(status(reqwest::Method::GET, "/workspaces"), 500);
    assert_ne!(status(reqwest::Method::GET, "/models/x"), 503);
    assert_eq!(authenticate_status(&e), 201);
}

#[test]
fn skip_and_times_count_matching_requests() {
    let e = emulator_with_faults(json!({"rules": [
        {"method": "POST", "path": "/token/authenticate",
         "fault": {"type": "status", "code": 503}, "skip": 2, "times": 2}
    ]}));
    // Requests that do not match must not move the count.
    assert_ne!(
        e.http.get(e.api("/workspaces")).send().unwrap().status(),
        503
    );
    let statuses: Vec<u16> = (0..6).map(|_| authenticate_status(&e)).collect();
    assert_eq!(statuses, [201, 201, 503, 503, 201, 201]);
}

#[test]
fn seeded_probability_repeats_the_same_sequence() {
    let run = |seed: u64| {
        let e = emulator_with_faults(json!({"seed": seed, "rules": [
            {"path": "/token/authenticate", "fault": {"type": "status", "code": 503}, "probability": 0.5}
        ]}));
        (0..24)
            .map(|_| authenticate_status(&e))
            .collect::<Vec<u16>>()
    };
    let first = run(42);
    assert!(first.contains(&201) && first.contains(&503), "{first:?}");
    assert_eq!(first, run(42));
    assert_ne!(first, run(43));
}

#[test]
fn reset_mid_request_drops_the_connection_and_the_emulator_keeps_serving() {
    let e = emulator_with_faults(json!({"rules": [
        {"method": "PUT", "path": "/2/0/*/chunks/*", "fault": {"type": "resetRequest", "afterBytes": 4096}}
    ]}));
    let url = e.model_api("/files/113000000000/chunks/0");
    let mut s = raw_connect(&e);
    let total = 4 << 20;
    write!(
        s,
        "PUT {} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: {total}\r\n\r\n",
        url.trim_start_matches(&e.emu.api_url)
    )
    .unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let mut write_error = None;
    for _ in 0..total / chunk.len() {
        if let Err(err) = s.write_all(&chunk) {
            write_error = Some(err.kind());
            break;
        }
    }
    let raw = read_raw(&mut s);
    assert!(raw.head.is_empty(), "no response expected: {}", raw.head);
    let reset = [ErrorKind::ConnectionReset, ErrorKind::BrokenPipe];
    assert!(
        write_error.is_some_and(|k| reset.contains(&k))
            || raw.end.is_err_and(|k| k == ErrorKind::ConnectionReset),
        "expected a reset, got write {write_error:?}, read {:?}",
        raw.end
    );
    // reqwest sees a transport error, not a status.
    let err = e
        .http
        .put(&url)
        .body(vec![0u8; 1 << 20])
        .send()
        .unwrap_err();
    assert!(err.status().is_none(), "{err}");

    assert_eq!(authenticate_status(&e), 201);
    let entries = log_entries(&e);
    let resets: Vec<&Value> = entries
        .iter()
        .filter(|x| x["fault"] == "resetRequest")
        .collect();
    assert_eq!(resets.len(), 2);
    for r in resets {
        assert_eq!(r["status"], 0);
        assert_eq!(r["method"], "PUT");
        let bytes_in = r["bytesIn"].as_u64().unwrap();
        assert!((4096..1 << 20).contains(&bytes_in), "{r}");
    }
}

#[test]
fn reset_mid_response_truncates_the_body_and_the_emulator_keeps_serving() {
    let e = emulator_with_faults(json!({"rules": [
        {"method": "POST", "path": "/token/authenticate",
         "fault": {"type": "resetResponse", "afterBytes": 20}, "times": 2}
    ]}));
    let mut s = raw_connect(&e);
    write!(
        s,
        "POST /token/authenticate HTTP/1.1\r\nHost: x\r\n{}Content-Length: 0\r\n\r\n",
        basic_header()
    )
    .unwrap();
    let raw = read_raw(&mut s);
    assert!(raw.head.starts_with("HTTP/1.1 201"), "{}", raw.head);
    assert!(raw.content_length() > 100);
    assert!(raw.body.len() <= 20, "{} bytes arrived", raw.body.len());
    // A TCP RST, not a polite end of stream.
    assert_eq!(raw.end, Err(ErrorKind::ConnectionReset));

    let res = e
        .http
        .post(e.auth("/token/authenticate"))
        .basic_auth(USER, Some(PASSWORD))
        .send();
    assert!(
        res.and_then(|r| r.text()).is_err(),
        "the body must not arrive whole"
    );

    assert_eq!(authenticate_status(&e), 201);
    let entries = log_entries(&e);
    let cut: Vec<&Value> = entries
        .iter()
        .filter(|x| x["fault"] == "resetResponse")
        .collect();
    assert_eq!(cut.len(), 2);
    assert!(cut
        .iter()
        .all(|x| x["status"] == 201 && x["complete"] == false && x["bytesOut"] == 20));
    assert_eq!(entries.last().unwrap()["complete"], true);
}

#[test]
fn latency_delays_matching_requests() {
    let e = emulator_with_faults(json!({"rules": [
        {"path": "/token/*", "fault": {"type": "latency", "ms": 300}}
    ]}));
    let started = Instant::now();
    assert_eq!(authenticate_status(&e), 201);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[test]
fn bandwidth_cap_slows_uploads_and_downloads() {
    const RATE: u64 = 20_000;
    let e = emulator();
    // Fill the log so that reading it is a download of tens of kilobytes.
    for _ in 0..250 {
        e.http.get(e.api("/nowhere/to/be/found")).send().unwrap();
    }
    let put = e
        .http
        .put(admin(&e, "/faults"))
        .json(&json!({"bandwidth": RATE, "rules": [
            {"path": "/sink", "fault": {"type": "status", "code": 503}}
        ]}))
        .send()
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);

    let upload = vec![b'u'; 40_000];
    let started = Instant::now();
    let res = e
        .http
        .post(format!("{}/sink", e.emu.api_url))
        .body(upload)
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 503);
    let took = started.elapsed();
    // 40 kB at 20 kB/s, less at most 100 ms of burst: at least 1.9 s; allow for slack.
    assert!(took >= Duration::from_millis(1500), "upload took {took:?}");
    let entries = log_entries(&e);
    assert_eq!(entries.last().unwrap()["bytesIn"], 40_000);

    let started = Instant::now();
    let body = e
        .http
        .get(admin(&e, "/requests"))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    let took = started.elapsed();
    let expected = (body.len() as f64 - (RATE / 10) as f64) / RATE as f64 * 0.8;
    assert!(body.len() > 30_000, "download of {} bytes", body.len());
    assert!(
        took.as_secs_f64() >= expected,
        "{} bytes took {took:?}",
        body.len()
    );
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let e = emulator();
    let mut s = raw_connect(&e);
    for _ in 0..3 {
        write!(
            s,
            "POST /token/authenticate HTTP/1.1\r\nHost: x\r\n{}Content-Length: 0\r\n\r\n",
            basic_header()
        )
        .unwrap();
        let raw = read_raw(&mut s);
        assert!(raw.head.starts_with("HTTP/1.1 201"), "{}", raw.head);
        assert_eq!(raw.end, Ok(()));
        let body: Value = serde_json::from_slice(&raw.body).unwrap();
        assert!(body["tokenInfo"]["tokenValue"].is_string());
    }
}

#[test]
fn request_log_records_requests_and_clears() {
    let e = emulator();
    let token = e.login();
    let gz = vec![0x1fu8; 500];
    let res = e
        .http
        .post(e.auth("/token/authenticate"))
        .basic_auth(USER, Some(PASSWORD))
        .header("Content-Type", "application/x-gzip")
        .body(gz)
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let auth_len = res.bytes().unwrap().len() as u64;
    let res = e.get(&e.api("/workspaces?limit=2"), &token);
    let ws_status = res.status().as_u16();
    let ws_len = res.bytes().unwrap().len() as u64;
    assert_eq!(
        e.http.get(admin(&e, "/health")).send().unwrap().status(),
        200
    );

    let entries = log_entries(&e);
    assert_eq!(entries.len(), 3, "{entries:#?}");
    let gz_entry = &entries[1];
    assert_eq!(gz_entry["method"], "POST");
    assert_eq!(gz_entry["path"], "/token/authenticate");
    assert_eq!(gz_entry["status"], 201);
    assert_eq!(gz_entry["requestContentType"], "application/x-gzip");
    assert_eq!(gz_entry["bytesIn"], 500);
    assert_eq!(gz_entry["bytesOut"], auth_len);
    assert_eq!(gz_entry["complete"], true);
    assert!(gz_entry["timestamp"].as_str().unwrap().ends_with('Z'));
    let ws_entry = &entries[2];
    assert_eq!(ws_entry["method"], "GET");
    assert_eq!(ws_entry["path"], "/2/0/workspaces");
    assert_eq!(ws_entry["query"], "limit=2");
    assert_eq!(ws_entry["status"], ws_status);
    assert_eq!(ws_entry["bytesOut"], ws_len);
    let last_seq = ws_entry["seq"].as_u64().unwrap();

    let res = e.http.delete(admin(&e, "/requests")).send().unwrap();
    assert_eq!(res.status().as_u16(), 204);
    assert!(log_entries(&e).is_empty());
    assert_eq!(authenticate_status(&e), 201);
    let entries = log_entries(&e);
    assert_eq!(entries.len(), 1);
    assert!(entries[0]["seq"].as_u64().unwrap() > last_seq);
    let since = e
        .http
        .get(admin(&e, &format!("/requests?since={}", entries[0]["seq"])))
        .send()
        .unwrap()
        .json::<Value>()
        .unwrap();
    assert_eq!(since["requests"], json!([]));
}

#[test]
fn admin_settings_shorten_token_lifetime() {
    let e = emulator();
    let res = e
        .http
        .put(admin(&e, "/settings"))
        .json(&json!({"tokenTtlMs": 2000}))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let settings: Value = res.json().unwrap();
    assert_eq!(settings["tokenTtlMs"], 2000);
    assert_eq!(settings["taskDurationMs"], 200);
    let got: Value = e
        .http
        .get(admin(&e, "/settings"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(got, settings);

    let token = e.login();
    assert_eq!(validate_status(&e, &token), 200);
    std::thread::sleep(Duration::from_millis(2300));
    assert_eq!(validate_status(&e, &token), 401);

    let bad = e
        .http
        .put(admin(&e, "/settings"))
        .json(&json!({"tokenTtl": 5}))
        .send()
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    let body: Value = bad.json().unwrap();
    assert!(body["status"]["message"]
        .as_str()
        .unwrap()
        .contains("tokenTtl"));
}

#[test]
fn the_printed_admin_url_lists_every_admin_route_and_each_get_answers() {
    let e = emulator();
    for url in [admin(&e, "/"), admin(&e, "")] {
        let res = e.http.get(&url).send().unwrap();
        assert_eq!(res.status().as_u16(), 200, "{url}");
        let body: Value = res.json().unwrap();
        let routes = body["routes"].as_array().unwrap();
        assert_eq!(routes.len(), anaplan_emulator::ADMIN_ROUTES.len());
        for route in routes {
            let (method, path) = (
                route["method"].as_str().unwrap(),
                route["path"].as_str().unwrap(),
            );
            assert!(!route["does"].as_str().unwrap().is_empty(), "{route}");
            if method == "GET" {
                // `[?since=SEQ]` shows an optional query; the route answers without it.
                let path = path.split('[').next().unwrap();
                let got = e
                    .http
                    .get(format!("{}{path}", e.emu.api_url))
                    .send()
                    .unwrap();
                assert_eq!(got.status().as_u16(), 200, "GET {path}");
            }
        }
    }
}

#[test]
fn admin_faults_can_be_replaced_added_and_cleared() {
    let e = emulator();
    let bad = e
        .http
        .put(admin(&e, "/faults"))
        .json(&json!({"rules": [{"fault": {"type": "status", "code": 200}}]}))
        .send()
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    assert_eq!(authenticate_status(&e), 201);

    let res = e
        .http
        .post(admin(&e, "/faults"))
        .json(&json!({"path": "/token/authenticate", "fault": {"type": "status", "code": 502}}))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let set: Value = res.json().unwrap();
    assert_eq!(set["rules"][0]["fault"]["code"], 502);
    assert_eq!(authenticate_status(&e), 502);

    let res = e.http.delete(admin(&e, "/faults")).send().unwrap();
    assert_eq!(res.status().as_u16(), 204);
    let set: Value = e
        .http
        .get(admin(&e, "/faults"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(set["rules"], json!([]));
    assert_eq!(authenticate_status(&e), 201);
}

#[test]
fn reset_restores_the_seeded_state() {
    let e = emulator();
    let token = e.login();
    e.emu.remove_user(VIEWER);
    let res = e
        .http
        .post(e.auth("/token/authenticate"))
        .basic_auth(VIEWER, Some(VIEWER_PASSWORD))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);

    let res = e.http.post(admin(&e, "/reset")).send().unwrap();
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(validate_status(&e, &token), 401, "tokens go with the reset");
    e.login_as(VIEWER, VIEWER_PASSWORD);
}

// --- the command line -------------------------------------------------------------------------

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_anaplan-emulator"))
}

/// A child process that is killed when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("anaplan-emulator-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn cli_writes_ready_file_and_serves() {
    let dir = scratch_dir("ready");
    let ready = dir.join("ready.json");
    let _ = std::fs::remove_file(&ready);
    let child = binary()
        .args([
            "--port",
            "0",
            "--fault",
            "503:GET:/2/0/nowhere",
            "--ready-file",
        ])
        .arg(&ready)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _guard = Running(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready.exists() {
        assert!(Instant::now() < deadline, "no ready file after 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    let info: Value = serde_json::from_str(&std::fs::read_to_string(&ready).unwrap()).unwrap();
    let api = info["apiUrl"].as_str().unwrap();
    assert_ne!(info["port"], 0);
    assert!(api.ends_with(&format!(":{}", info["port"])));

    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let res = http
        .post(format!(
            "{}/token/authenticate",
            info["authUrl"].as_str().unwrap()
        ))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let res = http.get(format!("{api}/2/0/nowhere")).send().unwrap();
    assert_eq!(res.status().as_u16(), 503);
    let res = http
        .get(info["adminUrl"].as_str().unwrap().to_string() + "health")
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let _ = std::fs::remove_dir_all(&dir);
}

fn run_to_exit(args: &[&str]) -> (i32, String) {
    let out = binary().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_bad_arguments_exit_2_and_say_why() {
    let (code, err) = run_to_exit(&["--port", "0", "--bogus"]);
    assert_eq!(code, 2);
    assert!(err.contains("--bogus") && err.contains("--help"), "{err}");

    let (code, err) = run_to_exit(&["--port", "0", "--fault", "explode:/x"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown fault 'explode'"), "{err}");

    let (code, err) = run_to_exit(&["--port", "0", "--seed", "/nonexistent/seed.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/seed.json"), "{err}");

    let dir = scratch_dir("badfaults");
    let file = dir.join("faults.json");
    std::fs::write(
        &file,
        r#"{"rules":[{"fault":{"type":"status","code":99}}]}"#,
    )
    .unwrap();
    let (code, err) = run_to_exit(&["--port", "0", "--faults-file", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not an error status"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_exits_1_when_it_cannot_listen() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, err) = run_to_exit(&["--port", &port]);
    assert_eq!(code, 1);
    assert!(
        err.contains("cannot listen") && err.contains("--port"),
        "{err}"
    );
}
